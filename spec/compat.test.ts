// passport-jwtsso/compat: the original jwtsso README's example, unchanged but for
// express-session in place of express.cookieSession, and the original's API on the new checks.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import jwtsso from '../lib/compat';
import { JwtSsoErrorCode as Code } from '../lib';
import { providerReturn, returnToOf } from './helpers/flow';
import { rawGet } from './helpers/raw';
import { b64, mint, puavoClaims, raw, SECRET } from './helpers/tokens';

const AUTH = 'https://api.authprovider.example/sso';
const nowS = () => Math.floor(Date.now() / 1000);

async function readmeApp(options: Partial<jwtsso.Options> = {}) {
  const hooked: unknown[] = [];
  const app = express();
  // The README's app, express.cookieParser() and express.cookieSession() replaced by express-session:
  app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
  app.use(
    jwtsso({
      // Service endpoint that issues the jwt tokens
      authEndpoint: AUTH,
      // Shared secret string with the above service
      sharedSecret: SECRET,
      // Public mountpoint for this app
      mountPoint: 'http://application.example',
      // Set max age in seconds for the tokens
      maxAge: 120,
      ...options,
    }),
  );
  // "to ensure that JWT token is always present you can add following additional middleware"
  app.use(function (req, res, next) {
    if (!req.session.jwt) return (res as unknown as { requestJwt(p?: string): void }).requestJwt();
    next();
  });
  app.get(/.*/, (req, res) => {
    res.json({ jwt: req.session.jwt, sessionID: req.sessionID });
  });
  app.use((err: Error & { status?: number; code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.status ?? 500).json({ code: err.code ?? null, message: err.message });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hooked, browser: () => request.agent(url), close: () => new Promise<void>((r) => server.close(() => r())) };
}

let app: Awaited<ReturnType<typeof readmeApp>>;
afterEach(() => app?.close());

// The provider's return lands on the app's real address in tests; return_to names the public one.
const toLocal = (returnTo: string) => returnTo.replace('http://application.example', '');

test("the original README's example: requestJwt, return, claims in req.session.jwt, clean URL, new session id", async () => {
  app = await readmeApp();
  const browser = app.browser();
  const start = await browser.get('/current/path?x=1');
  expect(start.status).toBe(302);
  const returnTo = returnToOf(start.headers.location);
  expect(returnTo).toMatch(/^http:\/\/application\.example\/current\/path\?x=1&jwtsso_state=[A-Za-z0-9_-]{32}$/);
  expect(start.headers.location!.startsWith(`${AUTH}?return_to=`)).toBe(true);
  const sid = /connect\.sid=([^;]+)/.exec(String(start.headers['set-cookie']))?.[1];

  const claims = puavoClaims();
  const back = await browser.get(toLocal(providerReturn(returnTo, mint(claims))));
  expect(back.status).toBe(302);
  expect(back.headers.location).toBe('/current/path?x=1');
  expect(back.headers['cache-control']).toBe('no-store');
  const page = await browser.get(back.headers.location!);
  expect(page.status).toBe(200);
  expect(page.body.jwt).toMatchObject({ jti: claims.jti, username: 'ada.lovelace' });
  expect(/connect\.sid=([^;]+)/.exec(String(back.headers['set-cookie']))?.[1]).not.toBe(sid);
});

test('hook(claims, done) runs after login; done(err) fails it', async () => {
  const seen: unknown[] = [];
  app = await readmeApp({ hook: (claims, done) => (seen.push(claims.jti), done()) });
  const browser = app.browser();
  const returnTo = returnToOf((await browser.get('/')).headers.location);
  const claims = puavoClaims();
  expect((await browser.get(toLocal(providerReturn(returnTo, mint(claims))))).status).toBe(302);
  expect(seen).toEqual([claims.jti]);
  await app.close();
  app = await readmeApp({ hook: (_claims, done) => done(new Error('user not allowed')) });
  const b2 = app.browser();
  const r2 = returnToOf((await b2.get('/')).headers.location);
  const res = await b2.get(toLocal(providerReturn(r2, mint(puavoClaims()))));
  expect(res.status).toBe(500);
  expect(res.body.message).toBe('user not allowed');
});

describe('a refused hook leaves no one signed in (the session is saved even on next(err))', () => {
  type Hook = NonNullable<jwtsso.Options['hook']>;
  const later = (fn: () => void) => setTimeout(fn, 5);
  test.each<[string, Hook]>([
    ['done(err)', (_c, done) => done(new Error('user not allowed'))],
    ['done(err) later', (_c, done) => later(() => done(new Error('user not allowed')))],
    ['done with a non-Error value', (_c, done) => done('user not allowed')],
    [
      'a throw',
      () => {
        throw new Error('user not allowed');
      },
    ],
    ['a rejected promise (with done declared)', async (_c, _done) => Promise.reject(new Error('user not allowed'))],
    ['a rejected promise (no done)', async () => Promise.reject(new Error('user not allowed'))],
    [
      'an async function that throws',
      async (_claims) => {
        await Promise.resolve();
        throw new Error('user not allowed');
      },
    ],
  ])('%s: next(err), and the next request is sent to the provider', async (_name, hook) => {
    app = await readmeApp({ hook });
    const browser = app.browser();
    const returnTo = returnToOf((await browser.get('/')).headers.location);
    const refused = await browser.get(toLocal(providerReturn(returnTo, mint(puavoClaims()))));
    expect(refused.status).toBe(500);
    expect(refused.body.message).toBe('user not allowed');
    const next = await browser.get('/');
    expect(next.status).toBe(302);
    expect(next.headers.location!.startsWith(`${AUTH}?return_to=`)).toBe(true);
  });

  test.each<[string, Hook]>([
    ['done() later', (_c, done) => later(() => done())],
    ['done(null)', (_c, done) => done(null)],
    ['a promise that resolves, no done declared', async () => undefined],
    // Found by a hostile review: these hung the request.
    ['no done declared, returns nothing', (_claims: unknown) => undefined],
    ['no done declared, returns a value', () => true],
  ])('control: %s signs in', async (_name, hook) => {
    app = await readmeApp({ hook });
    const browser = app.browser();
    const returnTo = returnToOf((await browser.get('/')).headers.location);
    const claims = puavoClaims();
    const back = await browser.get(toLocal(providerReturn(returnTo, mint(claims))));
    expect(back.status).toBe(302);
    const page = await browser.get(back.headers.location!);
    expect(page.status).toBe(200);
    expect(page.body.jwt).toMatchObject({ jti: claims.jti });
  });

  test('a hook that declares done and resolves without calling it has not decided yet', async () => {
    let finish: () => void = () => undefined;
    app = await readmeApp({
      hook: async (_claims, done) => {
        finish = () => done();
        return undefined;
      },
    });
    const browser = app.browser();
    const returnTo = returnToOf((await browser.get('/')).headers.location);
    const pending = browser.get(toLocal(providerReturn(returnTo, mint(puavoClaims())))).then((r) => r.status);
    await new Promise((r) => setTimeout(r, 50));
    finish();
    expect(await pending).toBe(302);
  });
});

describe('keeps the new security where the original did not', () => {
  test.each<[string, () => string, number, Code]>([
    ['HS512 (the original took any HMAC)', () => raw({ alg: 'HS512' }, puavoClaims(), SECRET, 'sha512'), 401, Code.ALGORITHM_NOT_ALLOWED],
    ['alg none', () => `${b64({ alg: 'none' })}.${b64(puavoClaims())}.${b64('x')}`, 401, Code.ALGORITHM_NOT_ALLOWED],
    ['an iat from the future', () => mint(puavoClaims(nowS() + 3600)), 401, Code.TOKEN_NOT_YET_VALID],
    ['an iat older than maxAge', () => mint(puavoClaims(nowS() - 121 - 5)), 401, Code.TOKEN_TOO_OLD],
    ['no jti', () => raw({ alg: 'HS256' }, { ...puavoClaims(), jti: undefined }), 401, Code.CLAIM_MISSING],
  ])('%s', async (_name, token, status, code) => {
    app = await readmeApp();
    const browser = app.browser();
    const returnTo = returnToOf((await browser.get('/')).headers.location);
    const res = await browser.get(toLocal(providerReturn(returnTo, token())));
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  test('a token is used once (the original let it log in again and again)', async () => {
    app = await readmeApp({ state: false });
    const token = mint(puavoClaims());
    expect((await app.browser().get(`/?jwt=${token}`)).status).toBe(302);
    const again = await app.browser().get(`/?jwt=${token}`);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe(Code.TOKEN_REPLAYED);
  });

  test("login CSRF: a token without this session's state is refused", async () => {
    app = await readmeApp();
    const res = await app.browser().get(`/?jwt=${mint(puavoClaims())}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe(Code.STATE_MISMATCH);
  });

  test.each(['//evil.example/', '/\\evil.example/'])('the stripping redirect of %j stays on the origin', async (path) => {
    app = await readmeApp({ state: false });
    const res = await rawGet(app.url, `${path}?jwt=${mint(puavoClaims())}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/evil.example/');
  });

  test('the return URL comes from mountPoint, not from a spoofed Host', async () => {
    app = await readmeApp();
    const res = await rawGet(app.url, '/p', { Host: 'evil.example' });
    expect(returnToOf(res.headers.location as string)).toMatch(/^http:\/\/application\.example\/p\?jwtsso_state=/);
  });

  test('requestJwt(customPath) must be a same-origin path', async () => {
    const custom = express();
    custom.use(session({ secret: 's', resave: false, saveUninitialized: false }));
    custom.use(jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, mountPoint: '/app', host: 'app.example', scheme: 'https' }));
    custom.get('/ok', (_req, res) => (res as unknown as { requestJwt(p?: string): void }).requestJwt('/custom/path?my=query'));
    custom.get('/evil', (_req, res) => (res as unknown as { requestJwt(p?: string): void }).requestJwt('//evil.example/'));
    expect(returnToOf((await request(custom).get('/ok')).headers.location)).toMatch(
      /^https:\/\/app\.example\/app\/custom\/path\?my=query&jwtsso_state=/,
    );
    expect(returnToOf((await request(custom).get('/evil')).headers.location)).toMatch(/^https:\/\/app\.example\/app\/\?jwtsso_state=/);
  });

  test('requestJwt with state on and no session middleware: next(err) with SESSION_REQUIRED', async () => {
    const bare = express();
    bare.use(jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET }));
    bare.get('/', (_req, res) => (res as unknown as { requestJwt(): void }).requestJwt());
    bare.use(
      (err: Error & { code?: string; status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(err.status ?? 500).json({ code: err.code });
      },
    );
    const res = await request(bare).get('/');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.SESSION_REQUIRED);
  });

  test('no session middleware: next(err) with SESSION_REQUIRED', async () => {
    const bare = express();
    bare.use(jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, state: false }));
    bare.use(
      (err: Error & { code?: string; status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(err.status ?? 500).json({ code: err.code });
      },
    );
    const res = await request(bare).get('/?jwt=a.b.c');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.SESSION_REQUIRED);
  });
});

test.each<[string, unknown, string]>([
  ['no options', undefined, 'options'],
  ['a hook that is not a function', { authEndpoint: AUTH, sharedSecret: SECRET, hook: 'x' }, '"hook"'],
  ['no sharedSecret', { authEndpoint: AUTH }, '"sharedSecret"'],
  ['a bad base URL as mountPoint', { authEndpoint: AUTH, sharedSecret: SECRET, mountPoint: 'http://' }, '"mountPoint"'],
])('jwtsso() refuses %s', (_name, options, message) => {
  expect(() => jwtsso(options as jwtsso.Options)).toThrow(message);
});
