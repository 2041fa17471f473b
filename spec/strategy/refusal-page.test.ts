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
