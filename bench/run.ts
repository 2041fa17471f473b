// `npm run bench`: what a token check, a login and a signed-in request cost, beside the original
// jwtsso 1.0.1 and beside the floor, plus the replay stores. All on loopback, bounded in time.
// Ratios are measured A/B interleaved in one run; absolute numbers depend on the machine.
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Redis, { Cluster } from 'ioredis';
import jwt from 'jsonwebtoken';
import { createClient, createCluster } from 'redis';
import { MemoryReplayStore, RedisReplayStore, type ReplayStore } from '../lib';
import { verifyToken } from '../lib/token';
import { RedisCluster } from '../support/redis-cluster';
import { redisInstalled, RedisServer } from '../support/redis-server';
import { signedInAlone, timeSync } from './alone';
import { SECRET } from './apps';
import { freshToken, get as getWith } from './client';

const QUICK = process.env.BENCH_QUICK === '1'; // a smoke run for tests: tiny rounds
const ROUNDS = QUICK ? 1 : 5;
const TOKEN_ROUND_MS = QUICK ? 50 : 400;
// Many short rounds rather than a few long ones: on a shared machine another process's burst
// then lands in a few rounds of every variant, not in most of one variant's.
const TRIP_ROUNDS = QUICK ? 1 : 15;
const TRIP_ROUND_MS = QUICK ? 200 : 500;
const SIGNED_IN_SECONDS = QUICK ? 1 : 2;
const SIGNED_IN_ROUNDS = QUICK ? 1 : 5;
const STORE_ROUND_MS = QUICK ? 100 : 1000;
const CONCURRENCY = 8;
const IN_FLIGHT = 100;
const TSNODE = ['-r', 'ts-node/register/transpile-only'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number, digits = 0) => Number(n.toFixed(digits));
/** The median of samples and their lowest and highest: the spread a ratio is quoted with. */
const spread = (xs: number[], digits = 2) => ({
  median: round(median(xs), digits),
  min: round(Math.min(...xs), digits),
  max: round(Math.max(...xs), digits),
});
const showSpread = (x: { median: number; min: number; max: number }) => `×${x.median} (${x.min}–${x.max})`;

/**
 * Runs each variant once per round, in turn, each round starting one variant later (A, B, C,
 * B, C, A…), so no variant always follows the same one; returns each one's median.
 */
async function interleaved<K extends string>(rounds: number, variants: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  const keys = Object.keys(variants) as K[];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(r + i) % keys.length]!;
      samples[k].push(await variants[k]());
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs as number[])])) as Record<K, number>;
}

const syncOpsPerSecond = (fn: () => unknown, ms: number): Promise<number> => Promise.resolve(syncOpsPerSecondNow(fn, ms));

// ---------------------------------------------------------------- 1. token check alone
const key = createSecretKey(Buffer.from(SECRET));
async function tokenCheck() {
  const token = freshToken();
  const input = token.slice(0, token.lastIndexOf('.'));
  const policy = { keys: [{ alg: 'HS256' as const, key }], maxAge: 3600, clockTolerance: 5 };
  const r = await interleaved(ROUNDS, {
    verifyToken: () => syncOpsPerSecond(() => verifyToken(token, policy, Date.now()), TOKEN_ROUND_MS),
    jsonwebtoken: () => syncOpsPerSecond(() => jwt.verify(token, key, { algorithms: ['HS256'] }), TOKEN_ROUND_MS),
    jsonwebtokenStringSecret: () => syncOpsPerSecond(() => jwt.verify(token, SECRET, { algorithms: ['HS256'] }), TOKEN_ROUND_MS),
    hmacFloor: () => syncOpsPerSecond(() => createHmac('sha256', key).update(input).digest(), TOKEN_ROUND_MS),
  });
  return {
    opsPerSecond: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])),
    ratioToJsonwebtoken: round(r.verifyToken / r.jsonwebtoken, 2),
    ratioToHmacFloor: round(r.verifyToken / r.hmacFloor, 2),
    jsonwebtokenKeyObjectOverString: round(r.jsonwebtoken / r.jsonwebtokenStringSecret, 1),
  };
}

// ---------------------------------------------------------------- 2. login trips
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
const get = (port: number, path: string, cookie?: string) => getWith(agent, port, path, cookie);

type Trip = (port: number) => Promise<boolean>;

// A whole login as a browser makes it, the same three requests for every variant: the page
// sends the browser to the provider (302, with the state when state is on), the provider sends
// it back to return_to with a token (minted here), the app strips the token (303; the
// original: 302), the clean URL answers the page. Until 2026-11-30 the original's trip and the
// state-off trips began at the provider's return, so they skipped the first request that every
// real login with them makes too (jwtsso's README: `if (!req.session.jwt) return
// res.requestJwt()`), while the state-on trips made it: a state-on trip was 3 requests against
// the original's 2.
async function loginTrip(port: number, stripStatus: number): Promise<boolean> {
  const start = await get(port, '/protected');
  if (start.status !== 302 || start.location === undefined) return false;
  const returnTo = new URL(new URL(start.location).searchParams.get('return_to') ?? '', `http://127.0.0.1:${port}`);
  const back = `${returnTo.pathname}${returnTo.search}${returnTo.search === '' ? '?' : '&'}jwt=${freshToken()}`;
  const cb = await get(port, back, start.cookie);
  if (cb.status !== stripStatus || cb.location === undefined) return false;
  return (await get(port, cb.location, cb.cookie)).status === 200;
}
// This strategy: 302 to the provider (state off: no state; on: a state cookie or session entry), then the
// callback parks the token and answers 303, then the clean URL verifies it and Passport logs in.
const strategyTrip: Trip = (port) => loginTrip(port, 303);
// The original: res.requestJwt() (302), then the callback decodes, stores claims in the session (302), then the page.
const originalTrip: Trip = (port) => loginTrip(port, 302);

/** Runs `step` in `workers` concurrent loops for `ms`; resolves successful steps per second. */
async function concurrentRate(workers: number, ms: number, step: () => Promise<boolean>, what: string): Promise<number> {
  let done = 0;
  let failed = 0;
  const end = Date.now() + ms;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        if (await step()) done++;
        else failed++;
      }
    }),
  );
  if (failed > 0) throw new Error(`${failed} ${what} failed: the benchmark would measure errors`);
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

const tripsPerSecond = (trip: Trip, port: number, ms: number) => concurrentRate(CONCURRENCY, ms, () => trip(port), 'login trips');

// Server CPU per login trip (µs), each variant driven alone and one trip at a time: a cost
// that the scheduling noise of a shared machine cannot blur the way it blurs throughput.
async function tripCpuMicros(child: ChildProcess, trip: Trip, port: number): Promise<number> {
  const trips = QUICK ? 20 : 300;
  const before = await serverCpuMicros(child);
  for (let i = 0; i < trips; i++) if (!(await trip(port))) throw new Error('a login trip failed: the benchmark would measure errors');
  return ((await serverCpuMicros(child)) - before) / trips;
}

type TripVariant =
  | 'strategy'
  | 'strategyWithState'
  | 'strategySession'
  | 'strategyWithStateSession'
  | 'original'
  | 'floor'
  | 'strategyWithStateCookieSession'
  | 'originalCookieSession'
  | 'floorCookieSession'
  | 'strategyWithStateNoReplay'
  | 'strategyNoReplay';

/** An app under load and the process that serves it (one each: see bench/apps.ts BENCH_APPS). */
interface Server {
  child: ChildProcess;
  port: number;
}

async function logins(servers: Record<TripVariant, Server>) {
  // The floor: Passport and the same session store making the same three responses, no check.
  const trips: Record<TripVariant, Trip> = {
    strategy: strategyTrip,
    strategyWithState: strategyTrip,
    strategySession: strategyTrip,
    strategyWithStateSession: strategyTrip,
    original: originalTrip,
    floor: strategyTrip,
    strategyWithStateCookieSession: strategyTrip,
    originalCookieSession: originalTrip,
    floorCookieSession: strategyTrip,
    strategyWithStateNoReplay: strategyTrip,
    strategyNoReplay: strategyTrip,
  };
  const variants = Object.keys(trips) as TripVariant[];
  // Interleaved passes, the median kept: a garbage collection lands in one pass, not in all.
  const passes = Object.fromEntries(variants.map((k) => [k, [] as number[]])) as Record<TripVariant, number[]>;
  for (let pass = 0; pass < (QUICK ? 1 : 5); pass++) {
    for (const k of variants) passes[k].push(await tripCpuMicros(servers[k].child, trips[k], servers[k].port));
  }
  const cpu = Object.fromEntries(variants.map((k) => [k, median(passes[k])])) as Record<TripVariant, number>;
  // Each pass's ratio (trips per CPU-second of `a`, of `b`'s), measured minutes apart at most: the
  // median and the spread of the passes.
  const cpuRatio = (a: TripVariant, b: TripVariant) => spread(passes[a].map((x, i) => passes[b][i]! / x));
  // The share of a core the server got while it was loaded: below ~0.9, other processes took
  // the rest (a shared machine), and every throughput below is lower by as much.
  const shares: number[] = [];
  const rate = (k: TripVariant) => async () => {
    const { child, port } = servers[k];
    const before = await serverCpuMicros(child);
    const started = process.hrtime.bigint();
    const perSecond = await tripsPerSecond(trips[k], port, TRIP_ROUND_MS);
    shares.push(((await serverCpuMicros(child)) - before) / (Number(process.hrtime.bigint() - started) / 1e3));
    return perSecond;
  };
  const r = await interleaved(
    TRIP_ROUNDS,
    Object.fromEntries(variants.map((k) => [k, rate(k)])) as Record<TripVariant, () => Promise<number>>,
  );
  return {
    tripsPerSecond: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])),
    ratioToOriginal: round(r.strategy / r.original, 2),
    withStateRatioToOriginal: round(r.strategyWithState / r.original, 2),
    sessionRatioToOriginal: round(r.strategySession / r.original, 2),
    withStateSessionRatioToOriginal: round(r.strategyWithStateSession / r.original, 2),
    serverCpuMicrosPerTrip: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v)])),
    cpuRatioToOriginal: round(cpu.original / cpu.strategy, 2),
    cpuWithStateRatioToOriginal: round(cpu.original / cpu.strategyWithState, 2),
    cpuSessionRatioToOriginal: round(cpu.original / cpu.strategySession, 2),
    cpuWithStateSessionRatioToOriginal: round(cpu.original / cpu.strategyWithStateSession, 2),
    // The default (state on, cookie login state) per pass, with the spread, on each session store.
    cpuSpread: {
      perTrip: Object.fromEntries(variants.map((k) => [k, spread(passes[k], 0)])) as Record<TripVariant, ReturnType<typeof spread>>,
      withStateToOriginal: cpuRatio('strategyWithState', 'original'),
      withStateToFloor: cpuRatio('strategyWithState', 'floor'),
      floorToOriginal: cpuRatio('floor', 'original'),
      cookieSessionWithStateToOriginal: cpuRatio('strategyWithStateCookieSession', 'originalCookieSession'),
      cookieSessionWithStateToFloor: cpuRatio('strategyWithStateCookieSession', 'floorCookieSession'),
      cookieSessionFloorToOriginal: cpuRatio('floorCookieSession', 'originalCookieSession'),
      // What the strategy itself costs a trip: its CPU above the floor's on the same store.
      overFloorMicros: spread(
        passes.strategyWithState.map((x, i) => x - passes.floor[i]!),
        0,
      ),
      cookieSessionOverFloorMicros: spread(
        passes.strategyWithStateCookieSession.map((x, i) => x - passes.floorCookieSession[i]!),
        0,
      ),
    },
    // What each check costs a trip (express-session), per pass: the default's CPU less that of the
    // same app without the check; and what is left over the floor with both checks gone.
    checkCostMicros: {
      state: spread(
        passes.strategyWithState.map((x, i) => x - passes.strategy[i]!),
        0,
      ),
      replay: spread(
        passes.strategyWithState.map((x, i) => x - passes.strategyWithStateNoReplay[i]!),
        0,
      ),
      both: spread(
        passes.strategyWithState.map((x, i) => x - passes.strategyNoReplay[i]!),
        0,
      ),
      bothGoneOverFloor: spread(
        passes.strategyNoReplay.map((x, i) => x - passes.floor[i]!),
        0,
      ),
      bothGoneToOriginal: cpuRatio('strategyNoReplay', 'original'),
    },
    serverCoreShare: { median: round(median(shares), 2), min: round(Math.min(...shares), 2) },
  };
}

// ---------------------------------------------------------------- 3. a signed-in request
async function serverCpuMicros(child: ChildProcess): Promise<number> {
  child.send({ type: 'cpu' });
  for (;;) {
    const [m] = (await once(child, 'message')) as [{ cpuMicros?: number }];
    if (m.cpuMicros !== undefined) return m.cpuMicros;
  }
}

async function signedIn({ port, child }: Server) {
  const cb = await get(port, `/protected?jwt=${freshToken()}`);
  const final = await get(port, cb.location!, cb.cookie);
  if (final.status !== 200 || final.cookie === undefined) throw new Error('could not sign in for the signed-in benchmark');
  // The browser's next request clears the sign-in's short-lived marker (jwtsso-done), as it does
  // in a browser; a Cookie header that kept it would pay for clearing it on every request.
  const settled = await get(port, '/protected', final.cookie);
  const cookie = settled.cookie;
  if (settled.status !== 200 || cookie === undefined || cookie.includes('jwtsso-'))
    throw new Error('the signed-in benchmark would send a cookie of the sign-in with every request');
  const cpuPerRequest: Record<string, number[]> = { sessionOnly: [], withNoop: [], withStrategy: [] };
  const load = async (name: 'sessionOnly' | 'withNoop' | 'withStrategy', path: string) => {
    const before = await serverCpuMicros(child);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}${path}`,
      connections: 10,
      duration: SIGNED_IN_SECONDS,
      headers: { cookie },
    });
    const cpu = (await serverCpuMicros(child)) - before;
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    cpuPerRequest[name]!.push(cpu / result.requests.total);
    return result.requests.average;
  };
  const r = await interleaved(SIGNED_IN_ROUNDS, {
    sessionOnly: () => load('sessionOnly', '/plain'),
    withNoop: () => load('withNoop', '/noop'),
    withStrategy: () => load('withStrategy', '/protected'),
  });
  // Per round (the three variants run one after the other in it): requests per CPU-second of the
  // strategy's route, of the no-op strategy's and of passport.session() alone.
  const perRound = (base: string) =>
    spread(
      cpuPerRequest.withStrategy!.map((x, i) => cpuPerRequest[base]![i]! / x),
      3,
    );
  const cpuSession = median(cpuPerRequest.sessionOnly!);
  const alone = await signedInAlone(SIGNED_IN_ROUNDS, QUICK ? 20 : 300);
  const cpuStrategy = median(cpuPerRequest.withStrategy!);
  return {
    requestsPerSecond: { sessionOnly: round(r.sessionOnly), withNoop: round(r.withNoop), withStrategy: round(r.withStrategy) },
    ratio: round(r.withStrategy / r.sessionOnly, 3),
    ratioToNoop: round(r.withStrategy / r.withNoop, 3),
    serverCpuMicrosPerRequest: {
      sessionOnly: round(cpuSession, 1),
      withNoop: round(median(cpuPerRequest.withNoop!), 1),
      withStrategy: round(cpuStrategy, 1),
    },
    cpuRatioToNoop: perRound('withNoop'),
    cpuRatioToSessionOnly: perRound('sessionOnly'),
    // Requests per CPU-second, strategy over session only: the throughput ratio without the noise.
    cpuRatio: round(cpuSession / cpuStrategy, 3),
    // What authenticate('jwtsso') and a no-op strategy's authenticate cost a signed-in request,
    // alone (bench/alone.ts: a real Express request, in this process), plain and behind a trusted
    // proxy, and the ratio the difference implies against the server's whole CPU cost of a request.
    alone,
    impliedRatioToNoop: round(cpuSession / (cpuSession + alone.plain.addedMicros), 4),
  };
}

function syncOpsPerSecondNow(fn: () => unknown, ms: number): number {
  const { calls, nanos } = timeSync(fn, ms, 100);
  return calls / (nanos / 1e9);
}

// ---------------------------------------------------------------- 4. replay stores
// A fresh id must always be accepted: a false here is a broken store, not a number.
const consumesPerSecond = (store: ReplayStore, ms: number) =>
  concurrentRate(IN_FLIGHT, ms, () => store.consume(randomUUID(), 71), 'consumes of fresh ids');

async function stores() {
  const variants: Record<string, () => Promise<number>> = {
    memory: () => consumesPerSecond(new MemoryReplayStore({ maxEntries: 10_000_000 }), STORE_ROUND_MS),
  };
  let server: RedisServer | undefined;
  let cluster: RedisCluster | undefined;
  const cleanup: (() => unknown)[] = [];
  if (redisInstalled) {
    server = await RedisServer.start();
    const io = new Redis(server.url);
    const node = createClient({ url: server.url });
    await node.connect();
    cleanup.push(
      () => io.disconnect(),
      () => node.destroy(),
    );
    variants.redisIoredis = () => consumesPerSecond(new RedisReplayStore({ client: io }), STORE_ROUND_MS);
    variants.redisNodeRedis = () => consumesPerSecond(new RedisReplayStore({ client: node }), STORE_ROUND_MS);
    // A local Redis Cluster: 3 masters, 3 replicas, on the same machine (so on the same 2 cores).
    cluster = await RedisCluster.start();
    const ioCluster = new Cluster(cluster.rootNodes);
    await once(ioCluster, 'ready');
    const nodeCluster = createCluster({ rootNodes: cluster.rootNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
    await nodeCluster.connect();
    cleanup.push(
      () => ioCluster.disconnect(),
      () => nodeCluster.destroy(),
    );
    // A generous bound: on a loaded machine a replica can take over 100 ms, and a refused consume
    // would stop the bench; the cost measured is the round trip, not the bound.
    const wait = { count: 1, timeoutMs: 1000 };
    const timeoutMs = 2000;
    variants.clusterIoredis = () => consumesPerSecond(new RedisReplayStore({ client: ioCluster }), STORE_ROUND_MS);
    variants.clusterNodeRedis = () => consumesPerSecond(new RedisReplayStore({ client: nodeCluster }), STORE_ROUND_MS);
    variants.clusterIoredisWait1 = () =>
      consumesPerSecond(new RedisReplayStore({ client: ioCluster, waitForReplicas: wait, timeoutMs }), STORE_ROUND_MS);
    variants.clusterNodeRedisWait1 = () =>
      consumesPerSecond(new RedisReplayStore({ client: nodeCluster, waitForReplicas: wait, timeoutMs }), STORE_ROUND_MS);
  } else {
    console.warn('!!! redis-server not installed: the Redis store is left out (apt-get install -y redis-server)');
  }
  try {
    const r = await interleaved(QUICK ? 1 : 3, variants);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]));
  } finally {
    for (const c of cleanup) await c();
    await server?.stop();
    await cluster?.stop();
  }
}

// Each cluster row beside the same client on one node; each WAIT row beside the same client without it.
const STORE_BASELINES: Record<string, string> = {
  clusterIoredis: 'redisIoredis',
  clusterNodeRedis: 'redisNodeRedis',
  clusterIoredisWait1: 'clusterIoredis',
  clusterNodeRedisWait1: 'clusterNodeRedis',
};

function memoryFootprint(): {
  ids: number;
  maxEntries: number;
  liveAtEnd: number;
  heapMB: number;
  bytesPerId: number;
  fullHeapMB: number;
  rssMB: number;
} {
  const out = execFileSync(process.execPath, ['--expose-gc', ...TSNODE, join(__dirname, 'memory.ts')], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_QUICK: QUICK ? '1' : '0' },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const started = Date.now();
  // Each app in a process of its own, as each would run in production (bench/apps.ts BENCH_APPS).
  const names: TripVariant[] = [
    'strategy',
    'strategyWithState',
    'strategySession',
    'strategyWithStateSession',
    'original',
    'floor',
    'strategyWithStateCookieSession',
    'originalCookieSession',
    'floorCookieSession',
    'strategyWithStateNoReplay',
    'strategyNoReplay',
  ];
  const servers = Object.fromEntries(
    await Promise.all(
      names.map(async (name) => {
        const child = fork(join(__dirname, 'apps.ts'), [], {
          execArgv: TSNODE,
          env: { ...process.env, BENCH_APPS: name },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const [{ ports }] = (await once(child, 'message')) as [{ ports: Record<string, number> }];
        return [name, { child, port: ports[name]! }] as const;
      }),
    ),
  ) as Record<TripVariant, Server>;
  try {
    console.log('1/4 token check alone…');
    const token = await tokenCheck();
    console.log('2/4 login trips…');
    const login = await logins(servers);
    console.log('3/4 signed-in requests…');
    const signed = await signedIn(servers.strategy);
    console.log('4/4 replay stores…');
    const store = await stores();
    const memory = memoryFootprint();
    const results = {
      date: new Date().toISOString(),
      machine: { node: process.version, cpus: (await import('node:os')).cpus().length, quick: QUICK },
      tokenCheck: token,
      loginTrips: login,
      signedInRequest: signed,
      replayStoreConsumesPerSecond: store,
      memoryStoreFootprint: memory,
      seconds: round((Date.now() - started) / 1000, 1),
    };
    if (!QUICK) writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    print(results);
  } finally {
    for (const { child } of Object.values<Server>(servers)) child.kill();
    agent.destroy();
  }
}

function print(r: {
  tokenCheck: Awaited<ReturnType<typeof tokenCheck>>;
  loginTrips: Awaited<ReturnType<typeof logins>>;
  signedInRequest: Awaited<ReturnType<typeof signedIn>>;
  replayStoreConsumesPerSecond: Record<string, number>;
  memoryStoreFootprint: ReturnType<typeof memoryFootprint>;
  seconds: number;
}): void {
  const t = r.tokenCheck.opsPerSecond;
  const l = r.loginTrips.tripsPerSecond;
  const c = r.loginTrips.serverCpuMicrosPerTrip;
  const k = r.loginTrips.checkCostMicros;
  const rows: [string, string, string][] = [
    [
      'token check: verifyToken (this package)',
      `${t.verifyToken} ops/s`,
      `×${r.tokenCheck.ratioToJsonwebtoken} of jsonwebtoken, ×${r.tokenCheck.ratioToHmacFloor} of the HMAC floor`,
    ],
    [
      'token check: jsonwebtoken.verify (KeyObject)',
      `${t.jsonwebtoken} ops/s`,
      `×${r.tokenCheck.jsonwebtokenKeyObjectOverString} of a string secret`,
    ],
    ['token check: jsonwebtoken.verify (string secret)', `${t.jsonwebtokenStringSecret} ops/s`, ''],
    ['token check: HMAC-SHA256 alone (floor)', `${t.hmacFloor} ops/s`, ''],
    [
      'login trip: this strategy (state on, cookie: the default)',
      `${l.strategyWithState} trips/s`,
      `×${r.loginTrips.withStateRatioToOriginal} of the original`,
    ],
    [
      'login trip: this strategy (state on, session)',
      `${l.strategyWithStateSession} trips/s`,
      `×${r.loginTrips.withStateSessionRatioToOriginal} of the original`,
    ],
    ['login trip: this strategy (state off, cookie)', `${l.strategy} trips/s`, `×${r.loginTrips.ratioToOriginal} of the original`],
    [
      'login trip: this strategy (state off, session)',
      `${l.strategySession} trips/s`,
      `×${r.loginTrips.sessionRatioToOriginal} of the original`,
    ],
    ['login trip: jwtsso 1.0.1 (original)', `${l.original} trips/s`, ''],
    [
      'login trip: server CPU per trip, state on, cookie',
      `${c.strategyWithState} µs`,
      `×${r.loginTrips.cpuWithStateRatioToOriginal} trips per CPU-second of the original`,
    ],
    [
      'login trip: server CPU per trip, state on, session',
      `${c.strategyWithStateSession} µs`,
      `×${r.loginTrips.cpuWithStateSessionRatioToOriginal} trips per CPU-second of the original`,
    ],
    [
      'login trip: server CPU per trip, state off, cookie',
      `${c.strategy} µs`,
      `×${r.loginTrips.cpuRatioToOriginal} trips per CPU-second of the original`,
    ],
    [
      'login trip: server CPU per trip, state off, session',
      `${c.strategySession} µs`,
      `×${r.loginTrips.cpuSessionRatioToOriginal} trips per CPU-second of the original`,
    ],
    ['login trip: server CPU per trip, jwtsso 1.0.1', `${c.original} µs`, ''],
    [
      'login trip: server CPU per trip, floor (Passport, no check)',
      `${c.floor} µs`,
      `×${r.loginTrips.cpuSpread.floorToOriginal.median} trips per CPU-second of the original`,
    ],
    [
      'login trip: express-session, state on, cookie, per pass',
      `${showSpread(r.loginTrips.cpuSpread.withStateToOriginal)}`,
      `of the original; ${showSpread(r.loginTrips.cpuSpread.withStateToFloor)} of the floor; +${r.loginTrips.cpuSpread.overFloorMicros.median} µs over the floor (${r.loginTrips.cpuSpread.overFloorMicros.min}–${r.loginTrips.cpuSpread.overFloorMicros.max})`,
    ],
    [
      'login trip: what each check costs, per pass: the state',
      `${k.state.median} µs (${k.state.min}–${k.state.max})`,
      'the default less the same app with state: false (no state cookie, no login-CSRF check)',
    ],
    [
      'login trip: what each check costs, per pass: the replay check',
      `${k.replay.median} µs (${k.replay.min}–${k.replay.max})`,
      "the default less the same app with a replay store that records nothing (no jti record, no tabs' pair)",
    ],
    [
      'login trip: what each check costs, per pass: both',
      `${k.both.median} µs (${k.both.min}–${k.both.max})`,
      `with both gone: ${showSpread(k.bothGoneToOriginal)} of the original, +${k.bothGoneOverFloor.median} µs over the floor (${k.bothGoneOverFloor.min}–${k.bothGoneOverFloor.max})`,
    ],
    [
      'login trip: cookie-session, server CPU per trip, state on, cookie',
      `${c.strategyWithStateCookieSession} µs`,
      `${showSpread(r.loginTrips.cpuSpread.cookieSessionWithStateToOriginal)} of the original, ${showSpread(r.loginTrips.cpuSpread.cookieSessionWithStateToFloor)} of the floor; +${r.loginTrips.cpuSpread.cookieSessionOverFloorMicros.median} µs over the floor (${r.loginTrips.cpuSpread.cookieSessionOverFloorMicros.min}–${r.loginTrips.cpuSpread.cookieSessionOverFloorMicros.max})`,
    ],
    ['login trip: cookie-session, server CPU per trip, jwtsso 1.0.1', `${c.originalCookieSession} µs`, ''],
    [
      'login trip: cookie-session, server CPU per trip, floor',
      `${c.floorCookieSession} µs`,
      `${showSpread(r.loginTrips.cpuSpread.cookieSessionFloorToOriginal)} of the original`,
    ],
    [
      'login trip: share of a core the server got',
      `${r.loginTrips.serverCoreShare.median}`,
      `median of the rounds (lowest ${r.loginTrips.serverCoreShare.min}); below ~0.9 the machine was shared`,
    ],
    ['signed-in request: passport.session() only', `${r.signedInRequest.requestsPerSecond.sessionOnly} req/s`, ''],
    ['signed-in request: + authenticate(a no-op strategy)', `${r.signedInRequest.requestsPerSecond.withNoop} req/s`, ''],
    [
      'signed-in request: + authenticate(jwtsso)',
      `${r.signedInRequest.requestsPerSecond.withStrategy} req/s`,
      `×${r.signedInRequest.ratio} of session() only, ×${r.signedInRequest.ratioToNoop} of the no-op strategy`,
    ],
    [
      'signed-in request: CPU, jwtsso against the no-op strategy',
      `${r.signedInRequest.serverCpuMicrosPerRequest.withNoop} → ${r.signedInRequest.serverCpuMicrosPerRequest.withStrategy} µs`,
      `${showSpread(r.signedInRequest.cpuRatioToNoop)} requests per CPU-second (goal ≥ 0.98)`,
    ],
    [
      'signed-in request: server CPU per request',
      `${r.signedInRequest.serverCpuMicrosPerRequest.sessionOnly} → ${r.signedInRequest.serverCpuMicrosPerRequest.withStrategy} µs`,
      `×${r.signedInRequest.cpuRatio} requests per CPU-second; per round ${showSpread(r.signedInRequest.cpuRatioToSessionOnly)} (goal ≥ 0.95)`,
    ],
    ...(['plain', 'behindProxy'] as const).map((k): [string, string, string] => {
      const a = r.signedInRequest.alone[k];
      return [
        `signed-in request: authenticate() alone, ${k === 'plain' ? 'plain app' : 'behind a trusted proxy'}`,
        `${a.noopMicros} → ${a.strategyMicros} µs`,
        `jwtsso adds ${a.addedMicros} µs to a no-op strategy${k === 'plain' ? `: ×${r.signedInRequest.impliedRatioToNoop} implied against the server's cost of a request` : ''}`,
      ];
    }),
    ...Object.entries(r.replayStoreConsumesPerSecond).map(([k, v]): [string, string, string] => {
      const base = STORE_BASELINES[k];
      const b = base === undefined ? undefined : r.replayStoreConsumesPerSecond[base];
      return [`replay store consume: ${k}`, `${v} ops/s`, b ? `×${round(v / b, 2)} of ${base}` : ''];
    }),
    [
      `memory store after ${r.memoryStoreFootprint.ids.toLocaleString('en')} ids`,
      `${r.memoryStoreFootprint.heapMB} MB heap`,
      `${r.memoryStoreFootprint.liveAtEnd.toLocaleString('en')} live (${r.memoryStoreFootprint.bytesPerId} B each); full at maxEntries ${r.memoryStoreFootprint.maxEntries.toLocaleString('en')}: ${r.memoryStoreFootprint.fullHeapMB} MB`,
    ],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log(`\n${'what'.padEnd(w0)}  ${'measured'.padStart(w1)}  ratio`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log(`\n(${r.seconds} s${QUICK ? ', quick smoke run: numbers are not meaningful' : '; written to bench/results.json'})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
