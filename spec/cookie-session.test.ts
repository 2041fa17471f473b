// A jwtsso 1.x app on cookie-session (as the original's README had it): compat runs on it as it
// is; the Passport strategy needs the few lines docs/migrating.md gives (Passport 0.6+ calls
// req.session.regenerate and save, which cookie-session lacks). The lines are read from that guide,
// not copied here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookieSession from 'cookie-session';
import express from 'express4';
import { Passport } from 'passport';
import { Passport as Passport06 } from 'passport06';
import request from 'supertest';
import { JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import jwtsso from 'passport-jwtsso/compat';
import { signIn, startDevProvider, type RunningDevProvider } from 'passport-jwtsso/testing';

const SECRET = 'cookie-session-secret';
const guide = readFileSync(join(__dirname, '..', 'docs', 'migrating.md'), 'utf8');
const shimSource = /```js\n(\/\/ cookie-session keeps[\s\S]*?)```/.exec(guide)?.[1];

let provider: RunningDevProvider;
beforeAll(async () => {
  provider = await startDevProvider({ sharedSecret: SECRET });
});
afterAll(() => provider.close());

function strategyApp(passportVersion: 'passport 0.6' | 'passport 0.7', shim: boolean) {
  const passport = new (passportVersion === 'passport 0.6' ? Passport06 : Passport)();
  passport.use(
    new JwtSsoStrategy<PuavoClaims>({ authEndpoint: provider.url, sharedSecret: SECRET }, (claims, done) =>
      done(null, { username: claims.username }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(cookieSession({ name: 'session', keys: ['cookie-signing-key'], sameSite: 'lax' }));
  // The guide's own lines, run as a reader would paste them.
  if (shim) (new Function('app', shimSource!) as (a: unknown) => void)(app);
  app.use(passport.initialize());
  app.use(passport.session());
  app.get('/protected', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ user: req.user });
  });
  app.get('/api/me', passport.authenticate('jwtsso', { redirect: false }), (req, res) => {
    res.json({ user: req.user });
  });
  app.post('/logout', (req, res, next) => {
    req.logout((err) => (err ? next(err) : res.json({ loggedOut: true })));
  });
  return app;
}

test('docs/migrating.md has the lines', () => {
  expect(shimSource).toContain('cookieSessionForPassport');
});

describe.each(['passport 0.6', 'passport 0.7'] as const)('the strategy on cookie-session, %s', (passportVersion) => {
  test("with the guide's lines: signs in, stays signed in, the session cookie changes at login, logs out", async () => {
    const agent = request.agent(strategyApp(passportVersion, true));
    const first = await agent.get('/protected');
    const before = first.headers['set-cookie'];
    await signIn(agent, { path: '/protected', provider });
    const me = await agent.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ username: 'minerva.teacher' });
    expect(before).toBeDefined();
    const out = await agent.post('/logout');
    expect(out.status).toBe(200);
    expect((await agent.get('/api/me')).status).toBe(401);
  });

  test('control: without them, the login is a 500 naming regenerate', async () => {
    const agent = request.agent(strategyApp(passportVersion, false));
    await expect(signIn(agent, { path: '/protected', provider })).rejects.toThrow(/500.*regenerate/);
  });
});

test('compat on cookie-session works as it is (it cannot change a session id there is not)', async () => {
  const app = express();
  app.use(cookieSession({ name: 'session', keys: ['cookie-signing-key'] }));
  app.use(jwtsso({ authEndpoint: provider.url, sharedSecret: SECRET, mountPoint: '' }));
  app.get('/page', (req, res) => {
    const claims = (req.session as { jwt?: { username?: string } } | null)?.jwt;
    if (claims === undefined) return res.requestJwt();
    res.json({ username: claims.username });
  });
  const agent = request.agent(app);
  const toProvider = await agent.get('/page');
  expect(toProvider.status).toBe(302);
  const chosen = await fetch(toProvider.headers.location!, {
    method: 'POST',
    body: new URLSearchParams({ user: 'albus.admin' }),
    redirect: 'manual',
  });
  const back = new URL(chosen.headers.get('location')!);
  const clean = await agent.get(back.pathname + back.search);
  expect(clean.status).toBe(302);
  const page = await agent.get(clean.headers.location!);
  expect(page.body).toEqual({ username: 'albus.admin' });
});
