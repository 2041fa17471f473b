// The apps under load, in their own process (forked by bench/run.ts) so that the load
// generator and the server each have a core. Sends the ports back over IPC.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import cookieSession from 'cookie-session';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
// The original middleware, 1.0.1 from npm: a dev dependency of the bench only.
import jwtsso from 'jwtsso';
import { JwtSsoStrategy, type ReplayStore } from '../lib';

export const SECRET = 'benchmark-shared-secret';
export const AUTH_ENDPOINT = 'https://sso.example.test/v3/sso';

/** The session stores a login trip is measured on: express-session (MemoryStore), and cookie-session (the original's README). */
export type Store = 'express-session' | 'cookie-session';

function withSession(app: express.Express, store: Store = 'express-session'): void {
  if (store === 'cookie-session') {
    app.use(cookieSession({ name: 'session', keys: ['bench-cookie-secret'], sameSite: 'lax' }));
    // Passport 0.6+ calls req.session.regenerate and save, which cookie-session lacks: the lines
    // docs/migrating.md gives an app (as a reader pastes them).
    app.use((req, _res, next) => {
      const s = req.session as unknown as Record<string, unknown> | null | undefined;
      if (s && typeof s.regenerate !== 'function') {
        Object.defineProperty(s, 'regenerate', {
          value: (cb: () => void) => {
            for (const key of Object.keys(s)) Reflect.deleteProperty(s, key);
            cb();
          },
        });
        Object.defineProperty(s, 'save', { value: (cb: () => void) => cb() });
      }
      next();
    });
    return;
  }
  // Same session setup for every app: the in-memory store, one cookie.
  app.use(session({ secret: 'bench-cookie-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
}

// A Passport strategy that does nothing: the signed-in request's floor for a route with a strategy on it.
class NoopStrategy extends Strategy {
  name = 'noop';
  override authenticate(): void {
    this.pass();
  }
}

/**
 * A replay store that records nothing: every token is a first use. Never a set-up to run: the
 * bench's ablation rows use it to measure what the replay check (the token's record, and the
 * pair of its login's state and the token) costs a trip.
 */
export const NO_REPLAY_CHECK: ReplayStore = { consume: () => Promise.resolve(true) };

/**
 * This strategy (cookie or session login state): /plain has only passport.session(), /protected
 * adds authenticate('jwtsso'), /noop authenticate() of a strategy that only passes.
 */
export function strategyApp(
  state: boolean,
  loginState: 'cookie' | 'session' = 'cookie',
  store: Store = 'express-session',
  Jwt: typeof JwtSsoStrategy = JwtSsoStrategy,
  replayStore?: ReplayStore,
): express.Express {
  const passport = new Passport();
  passport.use(
    new Jwt(
      { authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, state, loginState, ...(replayStore === undefined ? {} : { replayStore }) },
      (claims, done) => done(null, { id: claims.jti }),
    ),
  );
  passport.use(new NoopStrategy());
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  withSession(app, store);
  app.use(passport.initialize());
  app.use(passport.session());
  const show = (req: express.Request, res: express.Response) => {
    res.json({ user: req.user ?? null });
  };
  app.get('/plain', show);
  app.get('/noop', passport.authenticate('noop'), show);
  app.get('/protected', passport.authenticate('jwtsso'), show);
  return app;
}

/**
 * The original jwtsso 1.0.1 on the same app shape, used as its README says: the middleware, and a
 * page that asks the provider for a token (`res.requestJwt()`) when the session has none, so
 * that its login trip starts with the redirect to the provider, as this strategy's does.
 */
export function originalApp(store: Store = 'express-session'): express.Express {
  const app = express();
  withSession(app, store);
  app.use(jwtsso({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, mountPoint: '', maxAge: 60 }));
  app.get('/protected', (req, res) => {
    const claims = (req.session as unknown as { jwt?: { jti: string } }).jwt;
    if (claims === undefined) return (res as unknown as { requestJwt(): void }).requestJwt();
    res.json({ user: { id: claims.jti } });
  });
  return app;
}

// No check at all: the page redirects to the provider, the return parks the token in a cookie
// and 303s to the clean URL, the clean URL logs in through Passport (regenerate, save).
// With `randomNames`, the page also sets a cookie whose name is new for every login (as the
// cookie login state's state cookie is), which the return and the clean URL carry.
// With `loginOnReturn`, the original's shape instead: the return logs in through Passport at
// once (nothing parked) and `successRedirect` sends the browser to the clean URL, which is then
// signed in.
class FloorStrategy extends Strategy {
  name = 'floor';
  constructor(
    private readonly randomNames: boolean,
    private readonly loginOnReturn = false,
  ) {
    super();
  }
  override authenticate(req: express.Request): void {
    const token = typeof req.query.jwt === 'string' ? req.query.jwt : undefined;
    const res = req.res!;
    if (this.loginOnReturn) {
      if (token !== undefined) return this.success({ id: 'x' });
      if (req.user !== undefined) return this.pass();
    } else if (token !== undefined) {
      res.appendHeader('Set-Cookie', `p=${token}; Path=/; HttpOnly; SameSite=Lax`);
      return this.redirect('/protected', 303);
    }
    if (req.headers.cookie?.includes('p=') === true) {
      res.appendHeader('Set-Cookie', 'p=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
      return this.success({ id: 'x' });
    }
    if (this.randomNames) res.appendHeader('Set-Cookie', `s-${randomBytes(24).toString('base64url')}=1; Path=/; HttpOnly; SameSite=Lax`);
    this.redirect(`${AUTH_ENDPOINT}?return_to=${encodeURIComponent(`http://${req.headers.host}/protected`)}`, 302);
  }
}

/**
 * The floor of a login trip: Passport and the session store making the same three responses as
 * the strategy, with no check (with `loginOnReturn`, logging in on the provider's return instead).
 */
export function floorApp(store: Store = 'express-session', randomNames = false, loginOnReturn = false): express.Express {
  const passport = new Passport();
  passport.use(new FloorStrategy(randomNames, loginOnReturn));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  withSession(app, store);
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/protected', passport.authenticate('floor', loginOnReturn ? { successRedirect: '/protected' } : {}), (req, res) => {
    res.json({ user: req.user ?? null });
  });
  return app;
}

export async function serve(app: express.Express): Promise<number> {
  const server = createServer(app);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function beforeApps(dir: string): Promise<Record<string, number>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lib/ to compare with is chosen at run time
  const before = (require(dir) as { JwtSsoStrategy: typeof JwtSsoStrategy }).JwtSsoStrategy;
  return {
    strategyWithStateBefore: await serve(strategyApp(true, 'cookie', 'express-session', before)),
    strategyWithStateCookieSessionBefore: await serve(strategyApp(true, 'cookie', 'cookie-session', before)),
  };
}

/** Every app the bench drives, by the name its rows use. */
const APPS: Record<string, () => express.Express> = {
  strategy: () => strategyApp(false),
  strategyWithState: () => strategyApp(true),
  strategySession: () => strategyApp(false, 'session'),
  strategyWithStateSession: () => strategyApp(true, 'session'),
  original: () => originalApp(),
  floor: () => floorApp(),
  strategyWithStateCookieSession: () => strategyApp(true, 'cookie', 'cookie-session'),
  originalCookieSession: () => originalApp('cookie-session'),
  floorCookieSession: () => floorApp('cookie-session'),
  // Ablations: the default without the replay check, and without both the replay check and the
  // state (with `strategy`, the default without the state): what each check costs a trip.
  strategyWithStateNoReplay: () => strategyApp(true, 'cookie', 'express-session', JwtSsoStrategy, NO_REPLAY_CHECK),
  strategyNoReplay: () => strategyApp(false, 'cookie', 'express-session', JwtSsoStrategy, NO_REPLAY_CHECK),
};

async function main(): Promise<void> {
  // BENCH_APPS=<name,…>: only those apps, so that bench/run.ts can give each its own process:
  // apps sharing one process share one copy of lib/, Express and Passport, whose call sites then
  // see every app's shapes (polymorphic) and each app's garbage (GC), which a real server does not.
  const only = process.env.BENCH_APPS?.split(',').filter((name) => name !== '');
  const ports: Record<string, number> = {};
  for (const [name, make] of Object.entries(APPS)) {
    if (only === undefined || only.includes(name)) ports[name] = await serve(make());
  }
  // BENCH_BEFORE_LIB=<dir>: the default app on another copy of lib/ too, for a before/after in one process.
  if (process.env.BENCH_BEFORE_LIB !== undefined) Object.assign(ports, await beforeApps(process.env.BENCH_BEFORE_LIB));
  process.send?.({ ports });
  // CPU time the server spent, for per-request cost that scheduling noise cannot blur.
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) void main();
