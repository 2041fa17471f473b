// The apps under load, in their own process (forked by bench/run.ts) so that the load
// generator and the server each have a core. Sends the ports back over IPC.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
// The original middleware, 1.0.1 from npm: a dev dependency of the bench only.
import jwtsso from 'jwtsso';
import { JwtSsoStrategy } from '../lib';

export const SECRET = 'benchmark-shared-secret';
export const AUTH_ENDPOINT = 'https://sso.example.test/v3/sso';

function withSession(app: express.Express): void {
  // Same session setup for every app: the in-memory store, one cookie.
  app.use(session({ secret: 'bench-cookie-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
}

/** This strategy (cookie or session login state): /plain has only passport.session(), /protected adds authenticate('jwtsso'). */
export function strategyApp(state: boolean, loginState: 'cookie' | 'session' = 'cookie'): express.Express {
  const passport = new Passport();
  passport.use(
    new JwtSsoStrategy({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, state, loginState }, (claims, done) =>
      done(null, { id: claims.jti }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  withSession(app);
  app.use(passport.initialize());
  app.use(passport.session());
  const show = (req: express.Request, res: express.Response) => {
    res.json({ user: req.user ?? null });
  };
  app.get('/plain', show);
  app.get('/protected', passport.authenticate('jwtsso'), show);
  return app;
}

/**
 * The original jwtsso 1.0.1 on the same app shape, used as its README says: the middleware, and a
 * page that asks the provider for a token (`res.requestJwt()`) when the session has none, so
 * that its login trip starts with the redirect to the provider, as this strategy's does.
 */
export function originalApp(): express.Express {
  const app = express();
  withSession(app);
  app.use(jwtsso({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, mountPoint: '', maxAge: 60 }));
  app.get('/protected', (req, res) => {
    const claims = (req.session as unknown as { jwt?: { jti: string } }).jwt;
    if (claims === undefined) return (res as unknown as { requestJwt(): void }).requestJwt();
    res.json({ user: { id: claims.jti } });
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

async function main(): Promise<void> {
  const ports = {
    strategy: await serve(strategyApp(false)),
    strategyWithState: await serve(strategyApp(true)),
    strategySession: await serve(strategyApp(false, 'session')),
    strategyWithStateSession: await serve(strategyApp(true, 'session')),
    original: await serve(originalApp()),
  };
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
