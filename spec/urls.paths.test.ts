// Paths that leave mountPoint: an app at /app beside a sibling app at /other-app on one host.
// Every URL the package builds from a path (returnTo, logoutUrl's redirectTo, the request's own
// target, compat's requestJwt) must resolve below /app in a browser, or the provider would hand
// the token to the sibling. The provider here is the dev provider, followed as a browser would.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { JwtSsoStrategy, type JwtSsoAuthenticateOptions } from '../lib';
import jwtsso from '../lib/compat';
import { createDevProvider } from '../lib/dev-provider';
import { rawGet } from './helpers/raw';
import { returnToOf } from './helpers/flow';
import { SECRET } from './helpers/tokens';

const HOSTILE = [
  '/../other-app/steal',
  '/x/../../other-app/steal',
  '/%2e%2e/other-app/steal',
  '/.%2E/other-app/steal',
  '/..%2fother-app/steal',
  '/..%5cother-app/steal',
  '/..\\other-app/steal',
  '/%252e%252e/other-app/steal',
];

interface Site {
  url: string;
  strategy: JwtSsoStrategy;
  /** Every URL the sibling app at /other-app was asked for. */
  siblingSaw: string[];
  close(): Promise<void>;
}

async function site(): Promise<Site> {
  const siblingSaw: string[] = [];
  const provider = express();
  provider.use('/v3/sso', createDevProvider({ sharedSecret: SECRET, allowedHosts: ['127.0.0.1'] }));
  const providerServer = provider.listen(0, '127.0.0.1');
  await once(providerServer, 'listening');
  const providerUrl = `http://localhost:${(providerServer.address() as AddressInfo).port}/v3/sso`;

  const passport = new Passport();
  const strategy = new JwtSsoStrategy({ authEndpoint: providerUrl, sharedSecret: SECRET, mountPoint: '/app' }, (claims, done) =>
    done(null, { username: claims.username }),
  );
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, JSON.stringify(user)));
  passport.deserializeUser((text: string, done) => done(null, JSON.parse(text) as Express.User));
  const app = express();
  app.use(session({ secret: 'cookie-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  const next = (req: express.Request) => String(req.query.next ?? '/');
  app.get('/login', passport.authenticate('jwtsso', { returnTo: next } as JwtSsoAuthenticateOptions), (_req, res) => res.send('in'));
  app.get('/logout', (req, res) => res.json({ url: strategy.logoutUrl(req, { redirectTo: next(req) }) }));
  app.use(passport.authenticate('jwtsso'), (req, res) => res.json({ user: req.user, url: req.originalUrl }));
  // The host routes by path prefix and strips it, as a reverse proxy in front of two apps does.
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/app' || url.startsWith('/app/') || url.startsWith('/app?')) {
      req.url = url.slice('/app'.length) || '/';
      return app(req, res);
    }
    siblingSaw.push(url);
    res.end('sibling or nothing');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    strategy,
    siblingSaw,
    close: async () => {
      server.closeAllConnections();
      providerServer.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => providerServer.close(r))]);
    },
  };
}

let s: Site;
beforeAll(async () => {
  s = await site();
});
afterAll(() => s.close());

const within = (url: string) => new URL(url).pathname.startsWith('/app/');

describe('returnTo that leaves mountPoint falls back to mountPoint + "/"', () => {
  test.each(HOSTILE)('returnTo %j', async (path) => {
    const res = await rawGet(s.url, `/app/login?next=${encodeURIComponent(path)}`);
    expect(res.status).toBe(302);
    const returnTo = returnToOf(res.headers.location as string);
    expect(within(returnTo)).toBe(true);
    expect(new URL(returnTo).pathname).toBe('/app/');
  });

  test('control: a returnTo inside mountPoint is kept', async () => {
    const res = await rawGet(s.url, `/app/login?next=${encodeURIComponent('/reports/2026?term=autumn')}`);
    expect(returnToOf(res.headers.location as string)).toMatch(/\/app\/reports\/2026\?term=autumn&jwtsso_state=/);
  });

  test('end to end through the dev provider: the token reaches /app, never the sibling', async () => {
    const browser = request.agent(s.url);
    const toProvider = await browser.get(`/app/login?next=${encodeURIComponent('/../other-app/steal')}`);
    const provider = request.agent(new URL(toProvider.headers.location!).origin);
    const returnTo = returnToOf(toProvider.headers.location);
    const chosen = await provider
      .post(`${new URL(toProvider.headers.location!).pathname}?return_to=${encodeURIComponent(returnTo)}`)
      .type('form')
      .send({ user: 'minerva.teacher', return_to: returnTo });
    expect(chosen.status).toBe(303);
    const back = new URL(chosen.headers.location!);
    expect(back.pathname).toBe('/app/');
    const clean = await browser.get(back.pathname + back.search);
    expect(clean.status).toBe(303);
    const page = await browser.get(clean.headers.location!);
    expect(page.body.user).toEqual({ username: 'minerva.teacher' });
    expect(s.siblingSaw.filter((u) => u.includes('jwt='))).toEqual([]);
  });
});

describe("logoutUrl's redirectTo that leaves mountPoint falls back to mountPoint + '/'", () => {
  test.each(HOSTILE)('redirectTo %j', async (path) => {
    const res = await rawGet(s.url, `/app/logout?next=${encodeURIComponent(path)}`);
    const redirectTo = new URL(JSON.parse(res.body).url as string).searchParams.get('redirect_to')!;
    expect(new URL(redirectTo).pathname).toBe('/app/');
  });
  test('control: a redirectTo inside mountPoint is kept', async () => {
    const res = await rawGet(s.url, `/app/logout?next=${encodeURIComponent('/bye')}`);
    expect(new URL(JSON.parse(res.body).url as string).searchParams.get('redirect_to')).toMatch(/\/app\/bye$/);
  });
});

describe("the request's own target that leaves mountPoint", () => {
  // Sent raw: the path as the app receives it below /app (a client that does not normalise).
  test.each(HOSTILE)('return_to of a request for /app%s stays below /app', async (path) => {
    const res = await rawGet(s.url, `/app${path}`);
    expect(res.status).toBe(302);
    expect(new URL(returnToOf(res.headers.location as string)).pathname).toBe('/app/');
  });
  test.each(HOSTILE)('the stripping redirect of /app%s?jwt= stays below /app', async (path) => {
    const res = await rawGet(s.url, `/app${path}?jwt=x.y.z&jwtsso_state=${'s'.repeat(32)}`);
    // No state was issued to this browser: refused; what matters is that nothing points outside.
    const location = res.headers.location as string | undefined;
    if (location !== undefined) expect(new URL(location, s.url).pathname.startsWith('/app/')).toBe(true);
    expect(res.status).not.toBe(200);
  });
});

describe('compat: requestJwt(customPath) that leaves mountPoint', () => {
  test.each(HOSTILE)('customPath %j', async (path) => {
    const app = express();
    app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
    app.use(jwtsso({ authEndpoint: 'https://sso.example/v3/sso', sharedSecret: SECRET, mountPoint: 'https://host.example/app' }));
    app.get('/go', (_req, res) => (res as unknown as { requestJwt(p: string): void }).requestJwt(path));
    const res = await request(app).get('/go');
    expect(res.status).toBe(302);
    expect(returnToOf(res.headers.location)).toMatch(/^https:\/\/host\.example\/app\/\?jwtsso_state=/);
  });
});
