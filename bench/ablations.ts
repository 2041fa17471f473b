// Apps for measuring what each part of a login costs (bench/profile.ts with PROF_APPS=ablations.ts):
// the bench's strategy app and original app, and the strategy app without one piece each, and
// a floor: Passport and express-session doing the same three responses with no check at all.
import type { Request, Response, NextFunction } from 'express';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JwtSsoStrategy } from '../lib';
import { AUTH_ENDPOINT, SECRET, floorApp, originalApp, serve, strategyApp } from './apps';

type Piece = 'initialize' | 'regenerate';

// The bench's strategy app, with `without` left out: passport.initialize() (optional since
// Passport 0.6), or the session regeneration at login (a stub that keeps the session id).
function strategyWithout(without: Piece): express.Express {
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
    strategyWithState: await serve(strategyApp(true)),
    noInitialize: await serve(strategyWithout('initialize')),
    noRegenerate: await serve(strategyWithout('regenerate')),
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
