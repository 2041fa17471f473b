import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express';
import session from 'express-session';
import { Passport as Passport07 } from 'passport';
import { Passport as Passport06 } from 'passport06';
import request from 'supertest';
import { JwtSsoStrategy, type JwtSsoAuthenticateOptions, type JwtSsoStrategyBaseOptions, type VerifyFunction } from '../../lib';
import { SECRET } from './tokens';

export const AUTH_ENDPOINT = 'https://sso.example.test/v3/sso?client=demo';

export const EXPRESS = { 'express 4': express4, 'express 5': express5 } as const;
export const PASSPORT = { 'passport 0.6': Passport06, 'passport 0.7': Passport07 } as const;
export type ExpressName = keyof typeof EXPRESS;
export type PassportName = keyof typeof PASSPORT;

export interface TestApp {
  url: string;
  server: Server;
  strategy: JwtSsoStrategy;
  /** Every user object verify was asked about, in order. */
  verified: unknown[];
  /** Every error the app's error handler got: its message and its cause's. */
  errors: string[];
  /** A new browser: its own cookie jar. */
  browser(): request.Agent;
  close(): Promise<void>;
}

export interface AppOptions {
  express?: ExpressName;
  passport?: PassportName;
  strategy?: Partial<JwtSsoStrategyBaseOptions>;
  /** Given to the strategy as it is (its arity decides callback or promise style). */
  verify?: (claims: Record<string, unknown>, done: (err: unknown, user?: unknown, info?: object) => unknown) => unknown;
  authenticate?: JwtSsoAuthenticateOptions;
  trustProxy?: boolean | string;
  /** Mount session middleware (default true). */
  session?: boolean;
  /** The session store (default: express-session's MemoryStore), e.g. to count what is stored. */
  sessionStore?: session.Store;
  /** The session cookie's settings (default: `{ sameSite: 'lax' }`). */
  sessionCookie?: session.CookieOptions;
  /** Mount passport.session() (default: when there is session middleware). */
  passportSession?: boolean;
  /**
   * More routes, mounted before the catch-all: `authenticate(options)` is the strategy's
   * middleware with those options (a route of its own, e.g. one with `session: false`).
   */
  routes?: (app: express5.Express, authenticate: (options: JwtSsoAuthenticateOptions) => express5.RequestHandler) => void;
}

/**
 * A real Express app on a real loopback socket: express-session, Passport with the strategy,
 * `/protected` and `/api/me` behind it, `/logout`, and a `/whoami` that is not protected.
 */
export async function startApp(options: AppOptions = {}): Promise<TestApp> {
  const express = EXPRESS[options.express ?? 'express 5'] as typeof express5;
  const passport = new PASSPORT[options.passport ?? 'passport 0.7']();
  const verified: unknown[] = [];
  const errors: string[] = [];
  const verify =
    options.verify ??
    ((claims: Record<string, unknown>, done: (err: unknown, user?: unknown) => void) => {
      done(null, { id: claims.puavo_id, username: claims.username });
    });
  // The strategy gets verify as it is, seen through a Proxy that only records the call: same
  // `length` (a verify without `done` decides by its return value), same return value.
  const recorded = new Proxy(verify, {
    apply(target, thisArg, args: Parameters<typeof verify>) {
      verified.push(args[0]);
      return Reflect.apply(target, thisArg, args);
    },
  });
  const strategy = new JwtSsoStrategy(
    { authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, ...options.strategy, passReqToCallback: false },
    recorded as VerifyFunction,
  );
  passport.use(strategy);
  passport.serializeUser((user: unknown, done: (err: unknown, id?: string) => void) => done(null, JSON.stringify(user)));
  passport.deserializeUser((text: string, done: (err: unknown, user?: Express.User) => void) =>
    done(null, JSON.parse(text) as Express.User),
  );

  const app = express();
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  if (options.session !== false) {
    app.use(
      session({
        secret: 'cookie-signing-secret',
        resave: false,
        saveUninitialized: false,
        cookie: options.sessionCookie ?? { sameSite: 'lax' },
        ...(options.sessionStore === undefined ? {} : { store: options.sessionStore }),
      }),
    );
  }
  app.use(passport.initialize());
  if (options.session !== false && options.passportSession !== false) app.use(passport.session());
  const auth = passport.authenticate('jwtsso', options.authenticate ?? {});
  const show = (req: express5.Request, res: express5.Response) => {
    res.json({ user: req.user ?? null, sessionID: req.sessionID ?? null, url: req.originalUrl, authInfo: req.authInfo ?? null });
  };
  app.get('/protected', auth, show);
  app.get(/^\/protected\/.+/, auth, show);
  app.all('/protected', auth, show);
  app.get('/api/me', passport.authenticate('jwtsso', { redirect: false } as JwtSsoAuthenticateOptions), show);
  // A custom callback, so tests can read the failure's code and status.
  app.get('/checked', (req, res, next) => {
    const custom = passport.authenticate(
      'jwtsso',
      options.authenticate ?? {},
      (err: unknown, user: unknown, info: unknown, status: unknown) => {
        if (err) return next(err);
        const failure = info as { code?: string; message?: string } | undefined;
        if (!user)
          return res
            .status(typeof status === 'number' ? status : 401)
            .json({ code: failure?.code ?? null, message: failure?.message ?? null });
        req.logIn(user as Express.User, (e: unknown) => (e ? next(e) : res.json({ user })));
      },
    );
    custom(req, res, next);
  });
  // A custom callback that throws an HTTP error on a refusal, as apps using http-errors do (Express
  // 5 passes a synchronous throw to the error handler): the page the fuzz suite's throwing app guards.
  app.get('/throwing', (req, res, next) => {
    const custom = passport.authenticate(
      'jwtsso',
      options.authenticate ?? {},
      (err: unknown, user: unknown, _info: unknown, status: unknown) => {
        if (err) throw err;
        if (!user) throw Object.assign(new Error('Not signed in'), { status: typeof status === 'number' ? status : 401 });
        req.logIn(user as Express.User, (e: unknown) => (e ? next(e) : res.json({ user })));
      },
    );
    custom(req, res, next);
  });
  app.get('/whoami', show);
  options.routes?.(app, (routeOptions) => passport.authenticate('jwtsso', routeOptions) as express5.RequestHandler);
  app.get('/logout', (req, res, next) => {
    req.logout((err) => (err ? next(err) : res.json({ loggedOut: true })));
  });
  // Every other path is protected too, so odd paths (//evil.example/) reach the strategy.
  app.use(auth, (req: express5.Request, res: express5.Response) => {
    res.status(404).json({ notFound: req.originalUrl });
  });
  // Plain text errors, so tests can read what the strategy said.
  app.use(
    (err: Error & { code?: string; status?: number }, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
      errors.push(`${err.message} ${err.cause instanceof Error ? err.cause.message : ''}`);
      res.status(err.status ?? 500).json({ error: err.message, code: err.code ?? null });
    },
  );

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    strategy,
    verified,
    errors,
    browser: () => request.agent(url),
    // closeAllConnections: a request left hanging (a test that failed) must not hold the suite open.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
