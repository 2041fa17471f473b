// The benchmark must keep running: a quick smoke run (tiny rounds, numbers meaningless) that
// checks every table row is produced. Speed itself is never asserted in a test.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { redisInstalled } from '../support/redis-server';

test('npm run bench runs every section (quick smoke mode)', () => {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bench/run.ts'], {
    cwd: resolve(__dirname, '..'),
    env: { ...process.env, BENCH_QUICK: '1', TS_NODE_TRANSPILE_ONLY: 'true' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  for (const row of [
    'token check: verifyToken',
    'token check: HMAC-SHA256 alone',
    'login trip: this strategy (state on, cookie: the default)',
    'login trip: this strategy (state off, cookie)',
    'login trip: this strategy (state on, session)',
    'login trip: jwtsso 1.0.1 (original)',
    'login trip: server CPU per trip, state on, cookie',
    'login trip: server CPU per trip, floor (Passport, no check)',
    'login trip: express-session, state on, cookie, per pass',
    'login trip: what each check costs, per pass: the state',
    'login trip: what each check costs, per pass: the replay check',
    'login trip: what each check costs, per pass: both',
    'login trip: cookie-session, server CPU per trip, state on, cookie',
    'login trip: cookie-session, server CPU per trip, jwtsso 1.0.1',
    'login trip: cookie-session, server CPU per trip, floor',
    'login trip: share of a core the server got',
    'signed-in request: + authenticate(a no-op strategy)',
    'signed-in request: + authenticate(jwtsso)',
    'signed-in request: CPU, jwtsso against the no-op strategy',
    'signed-in request: authenticate() alone, plain app',
    'signed-in request: authenticate() alone, behind a trusted proxy',
    'replay store consume: memory',
    'memory store after 100,000 ids',
    ...(redisInstalled ? ['replay store consume: clusterIoredis', 'replay store consume: clusterNodeRedisWait1'] : []),
  ]) {
    expect(out).toContain(row);
  }
  expect(out).toMatch(/trips\/s {2}×\d+(\.\d+)? of the original/);
}, 150_000);
