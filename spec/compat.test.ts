// passport-jwtsso/compat: the original jwtsso README's example, unchanged but for
// express-session in place of express.cookieSession, and the original's API on the new checks.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import jwtsso from '../lib/compat';
import { JwtSsoErrorCode as Code, type JwtSsoEvent } from '../lib';
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

// The rules of passport-jwtsso/compat, through real Express apps on loopback: how a base-URL
// mountPoint becomes scheme, host and path; what each refusal names; how a hook decides; which
// session counts as signed in; and which events an audit log gets.
describe('compat at its boundaries: base-URL mountPoint, option refusals, hooks, sessions, audit events', () => {
  const AUTH = 'https://sso.example/v3/sso';
  type WithJwt = { jwt?: unknown };

  interface CompatApp {
    url: string;
    events: JwtSsoEvent[];
    browser(): request.Agent;
    close(): Promise<void>;
  }

  /**
   * An app with the middleware mounted at `mount`; a page that asks for a token when the session
   * has none, `/signout` that sets `req.session.jwt = null` as a jwtsso 1.x app would, and an
   * error handler that shows the code and message.
   */
  async function compatApp(
    options: Partial<jwtsso.Options> = {},
    { mount = '/', sessions = 'express-session' }: { mount?: string; sessions?: 'express-session' | 'plain' | 'failing' } = {},
  ): Promise<CompatApp> {
    const events: JwtSsoEvent[] = [];
    const app = express();
    if (sessions === 'express-session') app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
    const plain: Record<string, unknown> = {};
    if (sessions === 'plain') app.use((req, _res, next) => (((req as unknown as { session: object }).session = plain), next()));
    if (sessions === 'failing')
      app.use((req, _res, next) => {
        (req as unknown as { session: object }).session = { regenerate: (cb: (err: unknown) => void) => cb('store down') };
        next();
      });
    app.get('/signout', (req, res) => {
      (req.session as unknown as WithJwt).jwt = null;
      res.json({ signedOut: true });
    });
    app.use(
      mount,
      jwtsso({
        authEndpoint: AUTH,
        sharedSecret: SECRET,
        mountPoint: 'http://application.example',
        onEvent: (e) => events.push(e),
        ...options,
      }),
    );
    app.use((req, res, next) => {
      if (!(req.session as unknown as WithJwt).jwt) return (res as unknown as { requestJwt(p?: string): void }).requestJwt();
      next();
    });
    app.get(/.*/, (req, res) => res.json({ jwt: (req.session as unknown as WithJwt).jwt, url: req.originalUrl }));
    app.use(
      (err: Error & { status?: number; code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(err.status ?? 500).json({ code: err.code ?? null, message: err.message });
      },
    );
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      events,
      browser: () => request.agent(url),
      close: () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    };
  }

  let app: CompatApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const local = (returnTo: string) => new URL(returnTo).pathname + new URL(returnTo).search;
  /** Sends the browser to the provider from `path` and back with a token for `claims`. */
  async function signIn(browser: request.Agent, path = '/p', claims = puavoClaims()) {
    const returnTo = returnToOf((await browser.get(path)).headers.location);
    return browser.get(providerReturn(`http://127.0.0.1${local(returnTo)}`, mint(claims)));
  }

  describe('a base URL as mountPoint gives the scheme, host and path of every return_to', () => {
    test.each<[string, Partial<jwtsso.Options>, RegExp]>([
      ['https, any case of the scheme', { mountPoint: 'HTTPS://App.Example/app' }, /^https:\/\/app\.example\/app\/p\?/],
      ['http', { mountPoint: 'http://app.example/app' }, /^http:\/\/app\.example\/app\/p\?/],
      [
        'an explicit host wins over the URL',
        { mountPoint: 'https://app.example/app', host: 'www.example' },
        /^https:\/\/www\.example\/app\/p\?/,
      ],
      [
        'an explicit scheme wins over the URL',
        { mountPoint: 'https://app.example/app', scheme: 'http' },
        /^http:\/\/app\.example\/app\/p\?/,
      ],
      [
        'a path mountPoint with host and scheme',
        { mountPoint: '/app', host: 'app.example', scheme: 'https' },
        /^https:\/\/app\.example\/app\/p\?/,
      ],
    ])('%s', async (_name, options, expected) => {
      app = await compatApp(options);
      expect(returnToOf((await app.browser().get('/p')).headers.location)).toMatch(expected);
    });
  });

  describe('jwtsso() names what is wrong with its options', () => {
    test.each([null, 'secret', 42])('options %j: asks for an object with authEndpoint and sharedSecret', (options) => {
      expect(() => jwtsso(options as unknown as jwtsso.Options)).toThrow(
        /options must be an object with "authEndpoint" and "sharedSecret"/,
      );
    });

    test('a hook that is not a function: names "hook" and its signature', () => {
      expect(() => jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, hook: {} as never })).toThrow(
        /"hook" must be a function \(claims, done\)/,
      );
    });

    // 1.x had one shape, Puavo's: the others need the strategy's callback handling, which compat
    // does not run, so a login in them would skip their rules (a token taken on any route).
    test.each<[string, Partial<jwtsso.Options>]>([
      ['callbackPath', { callbackPath: '/cb' }],
      ['callbackParam', { callbackParam: 'redirect_uri' }],
      ['responseMode', { responseMode: 'form_post' }],
      ['stateIn', { stateIn: 'param' }],
      ['nonce', { nonce: true }],
      ['nonceParam', { nonceParam: 'n' }],
      ['returnToParam', { returnToParam: false }],
    ])('another provider shape (%s) is refused by name, pointing to the strategy', (option, extra) => {
      expect(() => jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, ...extra })).toThrow(
        new RegExp(`option "${option}" is not supported by passport-jwtsso/compat.*use the JwtSsoStrategy`),
      );
    });

    test('a returnToParam name of its own is still an option of compat', () => {
      expect(typeof jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, returnToParam: 'return' })).toBe('function');
    });

    test('a base URL that cannot be parsed: names "mountPoint" and both forms', () => {
      expect(() => jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, mountPoint: 'https://' })).toThrow(
        /"mountPoint" must be a path such as "\/app" or a base URL/,
      );
    });
  });

  describe('a hook decides by done() when it declares done, by its promise only when it does not', () => {
    test('a hook with done whose promise resolves but which then calls done(err) is refused', async () => {
      app = await compatApp({
        state: false,
        hook: async (_claims, done) => {
          setTimeout(() => done(new Error('not in the allowed group')), 20);
          return undefined;
        },
      });
      const browser = app.browser();
      const res = await browser.get(`/p?jwt=${mint(puavoClaims())}`);
      expect(res.status).toBe(500);
      expect(res.body.message).toBe('not in the allowed group');
      expect((await browser.get('/p')).status).toBe(302); // not signed in
    });

    test.each<[string, NonNullable<jwtsso.Options['hook']>, string]>([
      [
        'a throw of undefined',
        () => {
          throw undefined; // what a careless hook throws
        },
        'hook threw',
      ],
      [
        'a throw of a string',
        () => {
          throw 'no such school'; // a non-Error, as a careless hook throws
        },
        'no such school',
      ],
      ['a promise rejected with null', async () => Promise.reject(null), 'hook rejected'],
      ['done with a number', (_c, done) => done(403), '403'],
    ])('%s: refused, and the error says why', async (_name, hook, message) => {
      app = await compatApp({ state: false, hook });
      const res = await app.browser().get(`/p?jwt=${mint(puavoClaims())}`);
      expect(res.status).toBe(500);
      expect(res.body.message).toBe(message);
    });
  });

  describe('which session counts as signed in', () => {
    test('signed in: a token with an unknown state is dropped, the user stays, the event says token-dropped', async () => {
      app = await compatApp();
      const browser = app.browser();
      const first = puavoClaims();
      const back = await signIn(browser, '/p', first);
      expect(back.status).toBe(302);
      const dropped = await browser.get(
        `/q?x=1&jwt=${mint(puavoClaims(undefined, { username: 'mallory' }))}&jwtsso_state=${'s'.repeat(32)}`,
      );
      expect(dropped.status).toBe(302);
      expect(dropped.headers.location).toBe('/q?x=1');
      expect((await browser.get('/q')).body.jwt).toMatchObject({ jti: first.jti });
      expect(app.events.at(-1)).toEqual({ type: 'token-dropped', ip: expect.stringMatching(/127\.0\.0\.1$/) });
    });

    test('signed out with req.session.jwt = null: a token with an unknown state is refused, not dropped', async () => {
      app = await compatApp();
      const browser = app.browser();
      expect((await signIn(browser)).status).toBe(302);
      await browser.get('/signout');
      const res = await browser.get(`/q?jwt=${mint(puavoClaims())}&jwtsso_state=${'s'.repeat(32)}`);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe(Code.STATE_MISMATCH);
    });
  });

  describe('sessions without express-session', () => {
    test('a session with no regenerate(): the login still lands in req.session.jwt', async () => {
      app = await compatApp({ state: false }, { sessions: 'plain' });
      const claims = puavoClaims();
      const back = await app.browser().get(`/p?jwt=${mint(claims)}`);
      expect(back.status).toBe(302);
      expect((await app.browser().get('/p')).body.jwt).toMatchObject({ jti: claims.jti });
    });

    test('a regenerate() that fails with a non-Error: next(err) with what it gave, and no one signed in', async () => {
      app = await compatApp({ state: false }, { sessions: 'failing' });
      const res = await app.browser().get(`/p?jwt=${mint(puavoClaims())}`);
      expect(res.status).toBe(500);
      expect(res.body.message).toBe('store down');
    });
  });

  test('mounted under a sub-path, the stripping redirect keeps the whole path the browser asked for', async () => {
    app = await compatApp({ state: false }, { mount: '/sub' });
    const res = await app.browser().get(`/sub/page?a=1&jwt=${mint(puavoClaims())}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/sub/page?a=1');
  });

  describe('the audit events of compat logins, each with the client address', () => {
    const IP = expect.stringMatching(/127\.0\.0\.1$/);

    test('redirect, then accepted with the jti and user', async () => {
      app = await compatApp();
      const claims = puavoClaims();
      const start = await app.browser().get('/p');
      expect(start.headers['cache-control']).toBe('no-store'); // the redirect carries a fresh state
      expect(app.events).toEqual([{ type: 'redirect', ip: IP }]);
      const browser = app.browser();
      await signIn(browser, '/p', claims);
      expect(app.events.at(-1)).toEqual({ type: 'accepted', jti: claims.jti, sub: '42', ip: IP });
    });

    test('a refused token: refused with its code', async () => {
      app = await compatApp();
      await app.browser().get(`/p?jwt=${mint(puavoClaims())}`);
      expect(app.events.at(-1)).toEqual({
        type: 'refused',
        code: Code.STATE_MISMATCH,
        ip: IP,
        message: expect.stringMatching(/not started by this browser/),
      });
    });
  });
});

describe('compat: a mountPoint is a base URL only when it is a string starting with http(s)://, and a hook returning null signs in', () => {
  const AUTH = 'https://api.opinsys.fi/v3/sso';
  const refusal = (option: string, expected: string) => new TypeError(`JwtSsoStrategy: option "${option}" must be ${expected}.`);
  const options = { authEndpoint: AUTH, sharedSecret: SECRET };

  test('a mountPoint that is not a string is refused, even one that reads as a base URL', () => {
    expect(() => jwtsso({ ...options, mountPoint: ['https://app.example'] as never })).toThrow(
      refusal('mountPoint', 'a path such as "/app", or "", got an array'),
    );
  });

  test('only a mountPoint that starts with http(s):// is a base URL: a path with one inside stays a path', () => {
    expect(() => jwtsso({ ...options, mountPoint: '/go/https://x' })).not.toThrow();
  });

  test('a hook that declares no done and returns null (not a promise) signs the user in', async () => {
    const app = express();
    app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
    app.use(jwtsso({ ...options, state: false, mountPoint: 'http://app.example', hook: () => null as never }));
    app.get('/p', (req, res) => res.json({ jwt: (req.session as { jwt?: unknown }).jwt ?? null }));
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
      res.status(500).json({ error: err.message }),
    );
    const browser = request.agent(app);
    const back = await browser.get(`/p?jwt=${mint(puavoClaims())}`);
    expect(back.status).toBe(302);
    expect((await browser.get('/p')).body.jwt).toMatchObject({ username: puavoClaims().username });
  });
});

describe("a refused option of the middleware's own names the option (err.option), as the strategy's do", () => {
  const AUTH = 'https://api.opinsys.fi/v3/sso';
  test.each<[string, unknown, string]>([
    ['options that are not an object', null, 'options'],
    [
      'a mountPoint that looks like a URL and is not one',
      { authEndpoint: AUTH, sharedSecret: SECRET, mountPoint: 'https://' },
      'mountPoint',
    ],
    ['a hook that is not a function', { authEndpoint: AUTH, sharedSecret: SECRET, hook: 'yes' }, 'hook'],
  ])('%s', (_name, options, option) => {
    let thrown: unknown;
    try {
      jwtsso(options as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toMatchObject({ code: Code.INVALID_OPTION, option });
  });

  test('control: a base URL as mountPoint is taken', () => {
    expect(typeof jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, mountPoint: 'https://app.example/app' })).toBe('function');
  });
});

describe("the middleware answers on the response it was given, whatever the request's framework view finds", () => {
  test('a bare Node server (no req.res): res.requestJwt() redirects to the provider and sets the login-state cookie', async () => {
    const middleware = jwtsso({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: SECRET });
    const server = createServer((req, res) => {
      (req as { session?: object }).session = {};
      middleware(req, res, (err?: unknown) => {
        if (err !== undefined) return void res.writeHead(500).end(String((err as { code?: string }).code));
        (res as unknown as { requestJwt(): void }).requestJwt();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/page`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/^https:\/\/api\.opinsys\.fi\/v3\/sso\?/);
      expect(res.headers.get('set-cookie')).toMatch(/jwtsso-s-/);
    } finally {
      server.close();
    }
  });
});
