// Apps for measuring what each part of a login costs (bench/profile.ts with PROF_APPS=ablations.ts):
// the bench's strategy app and original app, and the strategy app without one piece each, and
// a floor: Passport and express-session doing the same three responses with no check at all.
import type { Request, Response, NextFunction } from 'express';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JwtSsoStrategy, MemoryReplayStore, type ReplayStore } from '../lib';
import { AUTH_ENDPOINT, NO_REPLAY_CHECK, SECRET, floorApp, originalApp, serve, strategyApp } from './apps';

type Piece = 'initialize' | 'regenerate' | 'replay' | 'pair' | 'state';

// The replay store of each ablation: none at all ('replay': every token is a first use, so the
// replay check and its records are gone), or the memory store without `has` ('pair': the token's
// id is recorded, the pair of its login's state and the token is not, so same-URL tabs lose their
// leftover check). Neither is a set-up to run: each measures what one check costs.
function replayStoreWithout(without: readonly Piece[]): ReplayStore | undefined {
  if (without.includes('replay')) return NO_REPLAY_CHECK;
  if (without.includes('pair')) {
    const memory = new MemoryReplayStore();
    return { consume: (id, ttl) => memory.consume(id, ttl) };
  }
  return undefined;
}

// The bench's strategy app, with `without` left out: passport.initialize() (optional since
// Passport 0.6), the session regeneration at login (a stub that keeps the session id), the replay
// check, the (state, token) pair record, or the login's state (`state: false`: no state cookie,
// no login-CSRF check).
function strategyWithout(...without: Piece[]): express.Express {
  const passport = new Passport();
  const replayStore = replayStoreWithout(without);
  passport.use(
    new JwtSsoStrategy(
      {
        authEndpoint: AUTH_ENDPOINT,
        sharedSecret: SECRET,
        state: !without.includes('state'),
        ...(replayStore === undefined ? {} : { replayStore }),
      },
      (claims, done) => done(null, { id: claims.jti }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 'bench-cookie-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  if (without.includes('regenerate')) {
    app.use((req: Request, _res: Response, next: NextFunction) => {
      req.session.regenerate = function (this: typeof req.session, cb: (err?: unknown) => void) {
        cb();
        return this;
      };
      next();
    });
  }
  if (!without.includes('initialize')) app.use(passport.initialize());
  app.use(passport.session());
  app.get('/protected', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ user: req.user ?? null });
  });
  return app;
}

async function main(): Promise<void> {
  const ports = {
    strategyWithState: await serve(strategyApp(true)),
    noInitialize: await serve(strategyWithout('initialize')),
    noRegenerate: await serve(strategyWithout('regenerate')),
    noReplay: await serve(strategyWithout('replay')),
    noPair: await serve(strategyWithout('pair')),
    noState: await serve(strategyWithout('state')),
    noStateNoReplay: await serve(strategyWithout('state', 'replay')),
    floor: await serve(floorApp()),
    floorRandomName: await serve(floorApp('express-session', true)),
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
