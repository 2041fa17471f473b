// Apps for measuring what each part of a login costs (bench/profile.ts with PROF_APPS=ablations.ts):
// the bench's strategy app and original app, and the strategy app without one piece each, and
// floors: Passport and express-session doing the same three responses with no check at all
// (parking the token as the strategy does, with a new cookie name per login too, or logging in
// on the provider's return as the original does).
import type { Request, Response, NextFunction } from 'express';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JwtSsoStrategy, MemoryReplayStore, type ReplayStore } from '../lib';
import { AUTH_ENDPOINT, NO_REPLAY_CHECK, SECRET, floorApp, originalApp, serve, strategyApp } from './apps';

// Each ablation of a check is the bench's own strategy app (the same factory as the default, so
// that nothing but the check differs), with `state: false` (no state cookie, no login-CSRF check,
// and no pair record, which needs a state), or one of these replay stores: NO_REPLAY_CHECK (every
// token is a first use: no jti record, no pair), or the memory store without `has` (the token's
// id recorded, the pair of its login's state and the token not, so same-URL tabs lose their
// leftover check). None is a set-up to run: each measures what one check costs.
function withoutPair(): ReplayStore {
  const memory = new MemoryReplayStore();
  return { consume: (id, ttl) => memory.consume(id, ttl) };
}
const strategy = (state: boolean, replayStore?: ReplayStore) =>
  strategyApp(state, 'cookie', 'express-session', JwtSsoStrategy, replayStore);

// The bench's strategy app, with one of Passport's pieces left out: passport.initialize()
// (optional since Passport 0.6), or the session regeneration at login (a stub that keeps the
// session id).
function strategyWithout(without: 'initialize' | 'regenerate'): express.Express {
  const passport = new Passport();
  passport.use(
    new JwtSsoStrategy({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, state: true }, (claims, done) =>
      done(null, { id: claims.jti }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 'bench-cookie-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  if (without === 'regenerate') {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      req.session.regenerate = function (this: typeof req.session, cb: (err?: unknown) => void) {
        cb();
        return this;
      };
      next();
    });
  }
  if (without !== 'initialize') app.use(passport.initialize());
  app.use(passport.session());
  app.get('/protected', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ user: req.user ?? null });
  });
  return app;
}

async function main(): Promise<void> {
  const ports = {
    strategyWithState: await serve(strategy(true)),
    noInitialize: await serve(strategyWithout('initialize')),
    noRegenerate: await serve(strategyWithout('regenerate')),
    noReplay: await serve(strategy(true, NO_REPLAY_CHECK)),
    noPair: await serve(strategy(true, withoutPair())),
    noState: await serve(strategy(false)),
    noStateNoReplay: await serve(strategy(false, NO_REPLAY_CHECK)),
    floor: await serve(floorApp()),
    floorRandomName: await serve(floorApp('express-session', true)),
    floorLoginOnReturn: await serve(floorApp('express-session', false, true)),
    original: await serve(originalApp()),
  };
  process.send?.({ ports });
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

void main();
