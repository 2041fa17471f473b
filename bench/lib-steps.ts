// The strategy's own part of each request of a login trip, without HTTP, Express, the session
// middleware or Passport's middleware: strategy.authenticate() on a bare request, as Passport
// calls it (on Object.create(strategy) with its actions added). CPU µs per call, medians of
// interleaved passes. `npx ts-node --transpile-only bench/lib-steps.ts`
//
// Before/after: BENCH_LIBS=<dir>,<dir>… loads each copy of lib/ (e.g. `git archive <commit> lib |
// tar -x -C /tmp/before`, with node_modules linked beside it) into this one process and runs
// their passes in turn (A, B, A, B…), so that both see the same machine; each pass's ratio to
// the first copy is printed with the spread of the passes.
import type * as Lib from '../lib';
import { AUTH_ENDPOINT, SECRET } from './apps';
import { freshToken } from './client';

const LIBS = (process.env.BENCH_LIBS ?? '../lib').split(',');

interface Outcome {
  kind: string;
  url?: string;
  setCookie: string[];
}

function strategyOf(dir: string): Lib.JwtSsoStrategy {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lib/ to measure is chosen at run time
  const { JwtSsoStrategy } = require(dir) as typeof Lib;
  return new JwtSsoStrategy({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, state: true }, (claims, done) =>
    done(null, { id: claims.jti }),
  );
}

// One request through the strategy; resolves what it did (redirect, success…) and its Set-Cookie lines.
function run(strategy: Lib.JwtSsoStrategy, url: string, cookie: string | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const setCookie: string[] = [];
    const headers: Record<string, string> = { host: '127.0.0.1:3000' };
    if (cookie !== undefined) headers.cookie = cookie;
    const session: Record<string, unknown> = { cookie: {} };
    const res = {
      headersSent: false,
      setHeader: () => undefined,
      appendHeader: (_name: string, value: string) => setCookie.push(value),
    };
    const req = {
      originalUrl: url,
      url,
      method: 'GET',
      headers,
      session,
      res,
      socket: { remoteAddress: '127.0.0.1' },
      app: { get: () => undefined },
      isAuthenticated: () => false,
    };
    const s = Object.create(strategy) as Lib.JwtSsoStrategy & Record<string, unknown>;
    s.redirect = (u: string) => resolve({ kind: 'redirect', url: u, setCookie });
    s.success = () => resolve({ kind: 'success', setCookie });
    s.fail = (e: unknown) => resolve({ kind: `fail ${String(e)}`, setCookie });
    s.error = (e: unknown) => resolve({ kind: `error ${String(e)}`, setCookie });
    s.pass = () => resolve({ kind: 'pass', setCookie });
    s.authenticate(req as never, {});
  });
}

const jar = (setCookie: string[]) =>
  setCookie
    .filter((l) => !/Max-Age=0/.test(l))
    .map((l) => l.split(';')[0])
    .join('; ');

async function trip(strategy: Lib.JwtSsoStrategy, times: number[]): Promise<void> {
  let t = process.cpuUsage();
  const start = await run(strategy, '/protected', undefined);
  let u = process.cpuUsage(t);
  times[0]! += u.user + u.system;
  const returnTo = new URL(new URL(start.url!).searchParams.get('return_to')!);
  const back = `${returnTo.pathname}${returnTo.search}&jwt=${freshToken()}`;
  t = process.cpuUsage();
  const cb = await run(strategy, back, jar(start.setCookie));
  u = process.cpuUsage(t);
  times[1]! += u.user + u.system;
  const cookie = [jar(start.setCookie), jar(cb.setCookie)].filter(Boolean).join('; ');
  t = process.cpuUsage();
  const end = await run(strategy, cb.url!.replace(/^.*?\/\/[^/]+/, ''), cookie);
  u = process.cpuUsage(t);
  times[2]! += u.user + u.system;
  if (start.kind !== 'redirect' || cb.kind !== 'redirect' || end.kind !== 'success')
    throw new Error(`${start.kind} ${cb.kind} ${end.kind}`);
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const N = Number(process.env.TRIPS ?? 3000);
  const strategies = LIBS.map(strategyOf);
  const passes: number[][][] = LIBS.map(() => []);
  for (const s of strategies) for (let i = 0; i < 3000; i++) await trip(s, [0, 0, 0]); // warm up
  for (let p = 0; p < Number(process.env.PASSES ?? 7); p++) {
    for (let k = 0; k < strategies.length; k++) {
      // Each pass starts with another copy, so that none always follows the same one.
      const which = (p + k) % strategies.length;
      const times = [0, 0, 0];
      for (let i = 0; i < N; i++) await trip(strategies[which]!, times);
      passes[which]!.push(times.map((x) => x / N));
    }
  }
  const names = ['redirect to provider', 'stripping redirect', 'clean URL (verify, Passport success)'];
  const total = (p: number[]) => p[0]! + p[1]! + p[2]!;
  LIBS.forEach((dir, k) => {
    if (LIBS.length > 1) console.log(`\n${dir}`);
    const mine = passes[k]!;
    for (let i = 0; i < 3; i++)
      console.log(
        `${names[i]!.padEnd(40)} ${med(mine.map((p) => p[i]!))
          .toFixed(1)
          .padStart(6)} µs  [${mine.map((p) => p[i]!.toFixed(1)).join(' ')}]`,
      );
    console.log(`${'trip'.padEnd(40)} ${med(mine.map(total)).toFixed(1).padStart(6)} µs`);
    if (k > 0) {
      // Passes of the same index ran back to back: their ratio is what the machine cannot blur.
      const ratios = mine.map((p, i) => total(passes[0]![i]!) / total(p));
      console.log(
        `${'CPU of the first copy / this one'.padEnd(40)} ×${med(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
      );
    }
  });
}

void main();
