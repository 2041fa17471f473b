// Apps for measuring what each part of a login costs (bench/profile.ts with PROF_APPS=ablations.ts):
// the bench's strategy app and original app, and the strategy app without one piece each, and
// a floor: Passport and express-session doing the same three responses with no check at all.
import type { Request, Response, NextFunction } from 'express';
import { randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
import { JwtSsoStrategy } from '../lib';
import { AUTH_ENDPOINT, SECRET, originalApp, serve, strategyApp } from './apps';

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

// No check at all: the page redirects to the provider, the return parks the token in a cookie
// and 303s to the clean URL, the clean URL logs in through Passport (regenerate, save).
// With `randomNames`, the page also sets a cookie whose name is new for every login (as the
// cookie login state's state cookie is), which the return and the clean URL carry.
class FloorStrategy extends Strategy {
  name = 'floor';
  constructor(private readonly randomNames: boolean) {
    super();
  }
  override authenticate(req: Request): void {
    const token = typeof req.query.jwt === 'string' ? req.query.jwt : undefined;
    const res = req.res!;
    if (token !== undefined) {
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

function floorApp(randomNames = false): express.Express {
  const passport = new Passport();
  passport.use(new FloorStrategy(randomNames));
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 'bench-cookie-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/protected', passport.authenticate('floor'), (req, res) => {
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
    floorRandomName: await serve(floorApp(true)),
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
