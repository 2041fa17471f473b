// A refusal with no failure options (passport.authenticate('jwtsso') bare) says what happened
// and its code, in the format the request accepts; custom callbacks and failureRedirect answer
// exactly as before. A real Express app over a loopback socket.
import { once } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Passport, type PassportStatic } from 'passport';
import { Strategy } from 'passport-strategy';
import request from 'supertest';
import { JwtSsoStrategy } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { login } from '../helpers/flow';
import { OTHER_SECRET, mint, puavoClaims } from '../helpers/tokens';
import { providerReturn, returnToOf } from '../helpers/flow';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

// Signs in with a token signed with the wrong secret: the refusal is the clean URL's answer.
async function refused(t: TestApp, accept: string | undefined, path = '/protected') {
  const b = t.browser();
  const toProvider = await b.get(path);
  const token = mint(puavoClaims(), OTHER_SECRET);
  const callback = await b.get(providerReturn(returnToOf(toProvider.headers.location), token));
  const r = b.get(callback.headers.location!);
  return { res: await (accept === undefined ? r : r.set('Accept', accept)), token };
}

describe('bare passport.authenticate: the refusal page', () => {
  test.each<[string, string | undefined, RegExp, RegExp]>([
    ['a browser (text/html)', 'text/html,application/xhtml+xml,*/*;q=0.8', /^text\/html/, /<code>ERR_JWTSSO_SIGNATURE_INVALID<\/code>/],
    ['an API client (application/json)', 'application/json', /^application\/json/, /"code":"ERR_JWTSSO_SIGNATURE_INVALID"/],
    ['curl (*/*)', '*/*', /^text\/plain/, /^Not signed in \(ERR_JWTSSO_SIGNATURE_INVALID\): /],
    ['no Accept header', undefined, /^text\/plain/, /ERR_JWTSSO_SIGNATURE_INVALID/],
    [
      'a hostile Accept header (long, many commas)',
      ','.repeat(6_000) + 'x/y;' + ';'.repeat(6_000),
      /^text\/plain/,
      /ERR_JWTSSO_SIGNATURE_INVALID/,
    ],
  ])('%s: its status, code and message, no-store, never the token', async (_name, accept, type, body) => {
    const t = (app = await startApp());
    const { res, token } = await refused(t, accept);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toMatch(body);
    expect(res.text).toMatch(/signature/i);
    expect(res.text).not.toContain(token);
    expect(res.text).not.toContain(token.split('.')[2]!);
  });

  test('control: a sign-in that verifies still shows the page', async () => {
    const t = (app = await startApp());
    const { final } = await login(t.browser());
    expect(final.status).toBe(200);
    expect(final.body.user).not.toBeNull();
  });
});

// The page replaces only Passport's own bare answer, told by the stack's caller of res.end; where
// the stack cannot tell, Passport's answer stays as it is, and nothing throws.
describe("where the stack cannot tell who answers, Passport's own bare answer stays", () => {
  const saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
  afterEach(() => {
    Error.prepareStackTrace = saved.prepare;
    Error.stackTraceLimit = saved.limit;
  });

  test.each<[string, () => void, 'page' | 'bare']>([
    ['control: a stack as V8 writes it', () => undefined, 'page'],
    [
      "an app's Error.prepareStackTrace that gives no stack",
      () => {
        Error.prepareStackTrace = () => undefined;
      },
      'bare',
    ],
    [
      'Error.stackTraceLimit lowered to 2 (no frame of the caller)',
      () => {
        Error.stackTraceLimit = 2;
      },
      'bare',
    ],
    [
      'Error.stackTraceLimit of 0 (a stack of the message alone)',
      () => {
        Error.stackTraceLimit = 0;
      },
      'bare',
    ],
  ])('%s', async (_name, set, expected) => {
    const t = (app = await startApp());
    const b = t.browser();
    const toProvider = await b.get('/protected');
    const callback = await b.get(providerReturn(returnToOf(toProvider.headers.location), mint(puavoClaims(), OTHER_SECRET)));
    set();
    const res = await b.get(callback.headers.location!).set('Accept', 'application/json');
    Error.prepareStackTrace = saved.prepare;
    Error.stackTraceLimit = saved.limit;
    expect(res.status).toBe(401);
    if (expected === 'page') expect(res.body).toMatchObject({ code: 'ERR_JWTSSO_SIGNATURE_INVALID' });
    else expect(res.text).toBe(STATUS_CODES[401]);
  });
});

describe('apps that answer refusals themselves: exactly as before', () => {
  test('a custom callback gets the JwtSsoError and answers with its own JSON', async () => {
    const t = (app = await startApp());
    const { res } = await refused(t, 'text/html', '/checked');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ code: 'ERR_JWTSSO_SIGNATURE_INVALID', message: expect.stringMatching(/signature/i) });
  });

  test('failureRedirect redirects, with no page', async () => {
    const t = (app = await startApp({ authenticate: { failureRedirect: '/signin-failed' } }));
    const { res } = await refused(t, 'text/html');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/signin-failed');
  });

  test('failWithError hands the error to the app error handler', async () => {
    const t = (app = await startApp({ authenticate: { failWithError: true } }));
    const { res } = await refused(t, 'text/html');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Unauthorized', code: null });
  });
});

// Only Passport's own default answer is replaced: an app's handler that happens to end the
// response with the bare status text (a custom callback; the route of another strategy of the
// chain, which Passport runs inside this one's fail()) keeps its own answer.
describe("the refusal page never replaces the app's own answer", () => {
  async function serve(route: (passport: PassportStatic) => express.RequestHandler[]) {
    const passport = new Passport() as unknown as PassportStatic;
    passport.use(new JwtSsoStrategy({ authEndpoint: 'https://sso.example.test/v3/sso', sharedSecret: 's', state: false }));
    // A strategy that signs everyone in at once, as passport-http does with good credentials.
    class Always extends Strategy {
      override authenticate(): void {
        this.success({ id: 1 });
      }
    }
    passport.use('always', new Always());
    const server = express();
    server.use(passport.initialize());
    server.get('/x', ...route(passport));
    const listening = server.listen(0, '127.0.0.1');
    await once(listening, 'listening');
    const { port } = listening.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => listening.close(() => r())) };
  }
  // No one signed in and redirect: false: the strategy refuses at once (LOGIN_REQUIRED, 401).
  const send = (url: string) => request(url).get('/x');

  test("a chain ['jwtsso', 'always'] whose route answers 403 with the bare status text: the route's own answer", async () => {
    const s = await serve((passport) => [
      passport.authenticate(['jwtsso', 'always'], { session: false, redirect: false }),
      (_req, res) => void res.status(403).end('Forbidden'),
    ]);
    try {
      const res = await send(s.url);
      expect([res.status, res.text]).toEqual([403, 'Forbidden']);
    } finally {
      await s.close();
    }
  });

  test('a custom callback that ends the response with the status text: its own answer', async () => {
    const s = await serve((passport) => [
      (req, res, next) =>
        passport.authenticate(
          'jwtsso',
          { session: false, redirect: false },
          (_err: unknown, _user: unknown, _info: unknown, status?: number) => {
            res.statusCode = status ?? 401;
            res.end(STATUS_CODES[res.statusCode]);
          },
        )(req, res, next),
    ]);
    try {
      const res = await send(s.url);
      expect([res.status, res.text]).toEqual([401, 'Unauthorized']);
    } finally {
      await s.close();
    }
  });
});

describe('each failure option alone keeps Passport its own answer (no page)', () => {
  test.each<[string, object, (res: request.Response) => void]>([
    ['failureMessage: true', { failureMessage: true }, (res) => expect([res.status, res.text]).toEqual([401, 'Unauthorized'])],
    ['failureFlash: true', { failureFlash: true }, (res) => expect([res.status, res.text]).toEqual([401, 'Unauthorized'])],
    [
      'failureRedirect',
      { failureRedirect: '/signin-failed' },
      (res) => expect([res.status, res.headers.location]).toEqual([302, '/signin-failed']),
    ],
    ['failWithError: true', { failWithError: true }, (res) => expect(res.body).toEqual({ error: 'Unauthorized', code: null })],
    ['control: none (the page)', {}, (res) => expect(res.text).toMatch(/ERR_JWTSSO_SIGNATURE_INVALID/)],
  ])('%s', async (_name, authenticate, expected) => {
    const t = (app = await startApp({ authenticate }));
    // failureFlash needs req.flash (connect-flash): a stand-in that keeps the message.
    t.server.prependListener('request', (req: { flash?: unknown }) => {
      req.flash = () => undefined;
    });
    const { res } = await refused(t, 'text/html');
    expected(res);
  });
});

describe('the refusal page leaves res.end as it found it', () => {
  const own = (res: object) => Object.prototype.hasOwnProperty.call(res, 'end');
  async function serve(handlers: express.RequestHandler[]) {
    const passport = new Passport() as unknown as PassportStatic;
    passport.use(new JwtSsoStrategy({ authEndpoint: 'https://sso.example.test/v3/sso', sharedSecret: 's', state: false }));
    const server = express();
    server.use(passport.initialize());
    const seen: { own?: boolean; end?: unknown; wrapper?: unknown } = {};
    server.get(
      '/x',
      (_req, res, next) => {
        res.on('finish', () => {
          seen.own = own(res);
          seen.end = res.end;
        });
        next();
      },
      ...handlers.map((h) => (h === WRAP ? wrap(seen) : h)),
      ...[passport.authenticate('jwtsso', { session: false, redirect: false }) as express.RequestHandler],
    );
    const listening = server.listen(0, '127.0.0.1');
    await once(listening, 'listening');
    const { port } = listening.address() as AddressInfo;
    const res = await request(`http://127.0.0.1:${port}`).get('/x');
    await new Promise<void>((r) => listening.close(() => r()));
    return { res, seen };
  }
  // An app middleware that wraps res.end (as compression does): an own property before the strategy.
  const WRAP: express.RequestHandler = () => undefined;
  const wrap =
    (seen: { wrapper?: unknown }): express.RequestHandler =>
    (_req, res, next) => {
      const end = res.end.bind(res);
      const wrapper = ((...args: unknown[]) => (end as (...a: unknown[]) => unknown)(...args)) as typeof res.end;
      res.end = wrapper;
      seen.wrapper = wrapper;
      next();
    };

  test("a bare refusal (the page): res.end is the prototype's again, no own property left", async () => {
    const { res, seen } = await serve([]);
    expect(res.status).toBe(401);
    expect(res.text).toMatch(/ERR_JWTSSO_LOGIN_REQUIRED/);
    expect(seen.own).toBe(false);
  });

  test("an app's own res.end wrapper (an own property) is put back, and the page goes through it", async () => {
    const { res, seen } = await serve([WRAP]);
    expect(res.text).toMatch(/ERR_JWTSSO_LOGIN_REQUIRED/);
    expect(seen.own).toBe(true);
    expect(seen.end).toBe(seen.wrapper);
  });
});

describe('a custom callback that answers later: res.end is restored as fail() returns, before the answer', () => {
  test("the answer is the app's own, and res.end has no own property left", async () => {
    const passport = new Passport() as unknown as PassportStatic;
    passport.use(new JwtSsoStrategy({ authEndpoint: 'https://sso.example.test/v3/sso', sharedSecret: 's', state: false }));
    const server = express();
    server.use(passport.initialize());
    let ownAtAnswer: boolean | undefined;
    server.get('/x', (req, res, next) =>
      passport.authenticate('jwtsso', { session: false, redirect: false }, (_err: unknown, _user: unknown, info: { code?: string }) => {
        setImmediate(() => {
          ownAtAnswer = Object.prototype.hasOwnProperty.call(res, 'end');
          res.status(401).end(STATUS_CODES[401]);
        });
        void info;
      })(req, res, next),
    );
    const listening = server.listen(0, '127.0.0.1');
    await once(listening, 'listening');
    const { port } = listening.address() as AddressInfo;
    try {
      const res = await request(`http://127.0.0.1:${port}`).get('/x');
      // The app's own bare text: the wrapper was gone before it answered, so nothing replaced it.
      expect([res.status, res.text]).toEqual([401, 'Unauthorized']);
      expect(ownAtAnswer).toBe(false);
    } finally {
      await new Promise<void>((r) => listening.close(() => r()));
    }
  });
});
