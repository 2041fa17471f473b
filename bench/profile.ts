// Where a login trip's server CPU goes: forks bench/apps.ts (the bench's own apps) with
// --perf-basic-prof, drives one variant at a time with whole login trips, one at a time, and
// records the server with `perf record -e cpu-clock` (a sample per slice of CPU time the server
// actually ran, so time spent waiting for a core on a shared machine is charged to nothing,
// unlike a V8 --cpu-prof, which samples by the wall clock). Windows are interleaved between the
// variants. bench/profile-report.js aggregates the samples by module.
//
//   npx ts-node --transpile-only bench/profile.ts [seconds per window] [passes] [variants…]
//   node bench/profile-report.js /tmp/jwtsso-prof
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { freshToken, get as getWith } from './client';

const OUT = process.env.PROF_OUT ?? '/tmp/jwtsso-prof';
const SECONDS = Number(process.argv[2] ?? 10);
const PASSES = Number(process.argv[3] ?? 3);
const VARIANTS = process.argv.length > 4 ? process.argv.slice(4) : ['strategyWithState', 'original'];
const FREQ = Number(process.env.PROF_FREQ ?? 4999);
// cpu: perf record -e cpu-clock; heap: V8's sampling heap profiler (bytes allocated, by stack).
const MODE = process.env.PROF_MODE ?? 'cpu';

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const get = (port: number, path: string, cookie?: string) => getWith(agent, port, path, cookie);
// The bench's trip (bench/run.ts loginTrip): the page, the provider's return, the clean URL.
// `steps` < 3: only the first requests of it (per-request costs are the differences).
async function trip(port: number, steps = 3): Promise<void> {
  const start = await get(port, '/protected');
  if (start.status !== 302 || start.location === undefined) throw new Error(`start ${start.status}`);
  if (steps === 1) return;
  const returnTo = new URL(new URL(start.location).searchParams.get('return_to') ?? '', `http://127.0.0.1:${port}`);
  const back = `${returnTo.pathname}${returnTo.search}${returnTo.search === '' ? '?' : '&'}jwt=${freshToken()}`;
  const cb = await get(port, back, start.cookie);
  if ((cb.status !== 303 && cb.status !== 302) || cb.location === undefined) throw new Error(`callback ${cb.status}`);
  if (steps === 2) return;
  const end = await get(port, cb.location, cb.cookie);
  if (end.status !== 200) throw new Error(`clean URL ${end.status}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const child = fork(join(__dirname, process.env.PROF_APPS ?? 'apps.ts'), [], {
    execArgv:
      MODE === 'heap'
        ? ['-r', 'ts-node/register/transpile-only', '-r', join(__dirname, 'profile-heap.ts')]
        : MODE === 'none'
          ? ['-r', 'ts-node/register/transpile-only']
          : [
              '--perf-basic-prof',
              '--interpreted-frames-native-stack',
              '--logfile=/dev/null',
              '--no-logfile-per-isolate',
              '-r',
              'ts-node/register/transpile-only',
            ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ ports }] = (await once(child, 'message')) as [{ ports: Record<string, number> }];
  const ask = async <T>(message: object, field: string): Promise<T> => {
    child.send(message);
    for (;;) {
      const [m] = (await once(child, 'message')) as [Record<string, T>];
      if (m[field] !== undefined) return m[field];
    }
  };
  const cpu = () => ask<number>({ type: 'cpu' }, 'cpuMicros');
  // Warm up every variant (JIT, caches) before anything is recorded.
  // A variant may be `name:steps` (the first 1 or 2 requests of the trip only).
  const run = (v: string) => trip(ports[v.split(':')[0]!]!, Number(v.split(':')[1] ?? 3));
  for (const v of VARIANTS) for (let i = 0; i < 2000; i++) await run(v);
  const summary: Record<string, { trips: number; cpuMicros: number; mapBytes: number }[]> = {};
  for (let pass = 0; pass < PASSES; pass++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const v = VARIANTS[(pass + i) % VARIANTS.length]!;
      const file = join(OUT, `${v}.${pass}.${MODE === 'heap' ? 'heapprofile' : 'data'}`);
      const perf =
        MODE === 'heap' || MODE === 'none'
          ? undefined
          : spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', String(FREQ), '-g', '-p', String(child.pid), '-o', file], {
              stdio: 'ignore',
            });
      if (MODE === 'heap') await ask({ type: 'heap-start' }, 'heap');
      else if (MODE === 'none') void 0;
      else await new Promise((r) => setTimeout(r, 300)); // perf attached
      const before = await cpu();
      let trips = 0;
      const end = Date.now() + SECONDS * 1000;
      while (Date.now() < end) {
        await run(v);
        trips++;
      }
      const used = (await cpu()) - before;
      if (perf !== undefined) {
        perf.kill('SIGINT');
        await once(perf, 'exit');
      } else if (MODE === 'heap') await ask({ type: 'heap-stop', file }, 'heap');
      // How much of the perf map existed when the window ended: its samples are named by it alone.
      const mapBytes = MODE === 'cpu' ? statSync(`/tmp/perf-${child.pid}.map`).size : 0;
      (summary[v] ??= []).push({ trips, cpuMicros: used, mapBytes });
      if (process.env.PROF_QUIET !== '1')
        console.log(`${v} pass ${pass}: ${trips} trips, ${(used / trips).toFixed(0)} µs server CPU per trip`);
    }
  }
  writeFileSync(join(OUT, 'summary.json'), JSON.stringify({ pid: child.pid, summary }, null, 2));
  // Medians of the passes, and each pass's ratio to the last variant named (run in the same pass).
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ref = VARIANTS[VARIANTS.length - 1]!;
  for (const v of VARIANTS) {
    const per = summary[v]!.map((p) => p.cpuMicros / p.trips);
    const ratios = per.map((x, i) => summary[ref]![i]!.cpuMicros / summary[ref]![i]!.trips / x);
    console.log(
      `${v.padEnd(28)} median ${med(per).toFixed(0).padStart(5)} µs/trip  ratio (${ref} / it) median ${med(ratios).toFixed(3)}  [${per.map((x) => x.toFixed(0)).join(' ')}]`,
    );
  }
  child.kill();
  await once(child, 'exit');
  if (MODE === 'cpu') copyFileSync(`/tmp/perf-${child.pid}.map`, join(OUT, 'perf.map'));
  agent.destroy();
}

void main();
