// What passport.authenticate() of a route costs a signed-in request by itself, on a real Express
// request: the request is captured from a real app over a real socket (session, Passport, a
// signed-in user), then the route's middleware runs on it in a loop, in this process, the
// strategy's and a no-op Passport strategy's alternated. Twice: a plain app, and an app behind a
// trusted proxy (`trust proxy`, X-Forwarded-For), where Express's req.ip costs something.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
import { JwtSsoStrategy } from '../lib';
import { AUTH_ENDPOINT, SECRET } from './apps';

class NoopStrategy extends Strategy {
  name = 'noop';
  override authenticate(): void {
    this.pass();
  }
}

type Middleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;

/** A signed-in request of a real app, and the two middlewares to run on it. */
async function captured(behindProxy: boolean): Promise<{ req: unknown; res: unknown; jwtsso: Middleware; noop: Middleware }> {
  const passport = new Passport();
  // BENCH_ALONE_LIB=<dir>: another copy of lib/ (a before/after on the same machine at the same moment).
  const dir = process.env.BENCH_ALONE_LIB;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lib/ to measure is chosen at run time
  const Jwt = dir === undefined ? JwtSsoStrategy : (require(dir) as { JwtSsoStrategy: typeof JwtSsoStrategy }).JwtSsoStrategy;
  passport.use(new Jwt({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET }, (claims, done) => done(null, { id: claims.jti })));
  passport.use(new NoopStrategy());
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  if (behindProxy) app.set('trust proxy', 'loopback');
  app.use(session({ secret: 'bench-cookie-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  let seen: { req: unknown; res: unknown } | undefined;
  app.get('/protected', (req, res, next) => {
    req.login({ id: 'bench' }, (err) => {
      if (err) return next(err);
      seen = { req, res };
      res.json({ ok: true });
    });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const headers: Record<string, string> = { cookie: 'connect.sid=s%3Aother; theme=dark' };
  if (behindProxy) headers['x-forwarded-for'] = '203.0.113.9, 198.51.100.2';
  const res = await fetch(`http://127.0.0.1:${port}/protected?tab=2`, { headers });
  await res.arrayBuffer();
  server.close();
  if (seen === undefined) throw new Error('the signed-in request was not captured');
  return { ...seen, jwtsso: passport.authenticate('jwtsso') as Middleware, noop: passport.authenticate('noop') as Middleware };
}

/** µs per call of `fn`, over `ms` of calls. */
/**
 * Calls `fn` synchronously in batches of `batch` for about `ms` milliseconds: how many calls it
 * made, and the nanoseconds they took (the clock is read once a batch, not once a call).
 */
export function timeSync(fn: () => unknown, ms: number, batch: number): { calls: number; nanos: number } {
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    now = process.hrtime.bigint();
  }
  return { calls, nanos: Number(now - start) };
}

function microsPerCall(fn: () => void, ms: number): number {
  const { calls, nanos } = timeSync(fn, ms, 1000);
  return nanos / 1000 / calls;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Per setting (plain, behind a proxy): the median µs of authenticate('jwtsso') and of
 * authenticate('noop') on the same signed-in request, over `rounds` alternated rounds of `ms` each.
 */
export async function signedInAlone(rounds: number, ms: number) {
  const out: Record<string, { strategyMicros: number; noopMicros: number; addedMicros: number }> = {};
  for (const [name, behindProxy] of [
    ['plain', false],
    ['behindProxy', true],
  ] as const) {
    const { req, res, jwtsso, noop } = await captured(behindProxy);
    let passed = 0;
    const next = (err?: unknown) => {
      if (err) throw err;
      passed++;
    };
    const strategy: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternated, the first of each round taking turns.
      const pair = [
        () => strategy.push(microsPerCall(() => jwtsso(req, res, next), ms)),
        () => floor.push(microsPerCall(() => noop(req, res, next), ms)),
      ];
      if (r % 2 === 1) pair.reverse();
      for (const run of pair) run();
    }
    if (passed === 0) throw new Error('no request passed: the benchmark would measure errors');
    const s = median(strategy);
    const n = median(floor);
    out[name] = { strategyMicros: Number(s.toFixed(3)), noopMicros: Number(n.toFixed(3)), addedMicros: Number((s - n).toFixed(3)) };
  }
  return out as Record<'plain' | 'behindProxy', { strategyMicros: number; noopMicros: number; addedMicros: number }>;
}
