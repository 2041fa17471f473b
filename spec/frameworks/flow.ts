// One login, as a user makes it, against an app on any framework: the development provider on
// its own loopback server, a cookie-jar client per browser (one jar for the app, one for the
// provider), and the same checks for every framework and both login-state stores.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { createDevProvider, DEFAULT_DEV_USERS } from 'passport-jwtsso/dev-provider';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { presets, type JwtSsoStrategyBaseOptions, type PuavoClaims } from 'passport-jwtsso';

export const SECRET = 'framework-tests-shared-secret';
export const LOGIN_STATES = ['cookie', 'session'] as const;
export type LoginStateName = (typeof LOGIN_STATES)[number];

/** What each framework's test app gets. */
export interface AppConfig {
  authEndpoint: string;
  loginState: LoginStateName;
  /** More strategy options, e.g. a provider shape's; the app routes `FORM_CALLBACK` (GET and POST) through the strategy too. */
  strategy?: Partial<JwtSsoStrategyBaseOptions>;
  /**
   * The user of the claims, or an error (a fault: the user directory is down, say). Default: the
   * recipes' own, `{ id: puavo_id, username }`.
   */
  user?: (claims: PuavoClaims) => Express.User | Error;
}

/** The recipes' user: `{ id, username }` of the claims, unless the test app decides otherwise. */
export function userOf(config: AppConfig, claims: PuavoClaims): Express.User | Error {
  return config.user === undefined ? { id: claims.puavo_id, username: claims.username } : config.user(claims);
}

/** The fixed route a form-POST provider (Zendesk-style) sends the token to. */
export const FORM_CALLBACK = '/access/jwt';

/**
 * A running app with `GET /protected`, guarded by the strategy: signed in, it answers 200 with
 * `{ user }`; refused, it answers the refusal's status with `{ code }`.
 */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<string> {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The development provider on its own loopback server, at `/v3/sso`. */
export async function startProvider(): Promise<RunningApp> {
  const idp = express();
  idp.use('/v3/sso', createDevProvider({ sharedSecret: SECRET }));
  const server = idp.listen(0, '127.0.0.1');
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

interface Browser {
  app: request.Agent;
  idp: request.Agent;
}

// Every response that carries or consumes a token, or starts a login, says so.
function expectHygiene(res: request.Response, step: string): void {
  expect({ step, cacheControl: res.headers['cache-control'], referrerPolicy: res.headers['referrer-policy'] }).toEqual({
    step,
    cacheControl: 'no-store',
    referrerPolicy: 'no-referrer',
  });
}

const TEACHER = DEFAULT_DEV_USERS[0]!;

/** The end-to-end login tests, for one framework, with each login-state store. */
export function frameworkFlow(name: string, start: (config: AppConfig) => Promise<RunningApp>): void {
  describe.each(LOGIN_STATES)(`${name}, loginState '%s'`, (loginState) => {
    let idp: RunningApp;
    let app: RunningApp;
    const browser = (): Browser => ({ app: request.agent(app.url), idp: request.agent(idp.url) });

    beforeAll(async () => {
      idp = await startProvider();
      app = await start({ authEndpoint: `${idp.url}/v3/sso`, loginState });
    });
    afterAll(async () => {
      await app?.close();
      await idp?.close();
    });

    test('sign in through the provider, reload, and the captured token URL is refused elsewhere and harmless here', async () => {
      const alice = browser();

      // 1. The protected page sends the browser to the provider.
      const toProvider = await alice.app.get('/protected?tab=1');
      expect(toProvider.status).toBe(302);
      expectHygiene(toProvider, 'redirect to the provider');
      const login = new URL(toProvider.headers.location!);
      expect(`${login.origin}${login.pathname}`).toBe(`${idp.url}/v3/sso`);
      const returnTo = login.searchParams.get('return_to')!;
      expect(returnTo).toMatch(new RegExp(`^${app.url}/protected\\?tab=1&jwtsso_state=[A-Za-z0-9_-]{32}$`));
      if (loginState === 'cookie') expect(String(toProvider.headers['set-cookie'])).toMatch(/jwtsso-s-/);

      // 2. The provider signs the teacher in and returns with ?jwt=.
      const chosen = await alice.idp.post('/v3/sso').type('form').send({ user: TEACHER.username, return_to: returnTo });
      expect(chosen.status).toBe(303);
      const back = new URL(chosen.headers.location!);
      expect(back.origin).toBe(app.url);
      expect(back.searchParams.get('jwt')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const captured = `${back.pathname}${back.search}`;

      // 3. The return parks the token and sends the browser to the clean URL.
      const callback = await alice.app.get(captured);
      expect(callback.status).toBe(303);
      expectHygiene(callback, 'the return with ?jwt=');
      expect(callback.headers.location).toBe('/protected?tab=1');

      // 4. The clean URL signs in.
      const page = await alice.app.get(callback.headers.location!);
      expect(page.status).toBe(200);
      expectHygiene(page, 'the clean URL that used the token');
      expect(page.body).toMatchObject({ user: { username: TEACHER.username } });

      // 5. A reload is still signed in, without the provider.
      const reload = await alice.app.get('/protected?tab=1');
      expect(reload.status).toBe(200);
      expect(reload.body).toMatchObject({ user: { username: TEACHER.username } });
      const other = await alice.app.get('/protected');
      expect(other.status).toBe(200);
      expect(other.body).toMatchObject({ user: { username: TEACHER.username } });

      // 6. The captured URL in a fresh browser: refused, with the status and the code.
      const mallory = browser();
      const stolen = await mallory.app.get(captured);
      expect({ status: stolen.status, code: (stolen.body as { code?: unknown }).code }).toEqual({
        status: 403,
        code: 'ERR_JWTSSO_STATE_MISMATCH',
      });
      expectHygiene(stolen, 'the captured URL refused');
      expect((await mallory.app.get('/protected')).status).toBe(302); // and mallory is not signed in

      // 7. The same URL in the signed-in browser: the token is dropped, the user stays.
      const again = await alice.app.get(captured);
      expect(again.status).toBe(303);
      expectHygiene(again, 'the captured URL, signed in');
      expect(again.headers.location).toBe('/protected?tab=1');
      const still = await alice.app.get(again.headers.location!);
      expect(still.status).toBe(200);
      expect(still.body).toMatchObject({ user: { username: TEACHER.username } });
    });
  });
}

/** A token as the form-POST provider signs it. */
export const formToken = (): string =>
  jwt.sign(
    { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), name: 'Ada', email: 'ada@example.test', puavo_id: 1, username: 'ada' },
    SECRET,
    { algorithm: 'HS256' },
  );

// The Zendesk-style shape every form-POST test uses.
const formShape = () =>
  presets.zendesk({ loginUrl: 'https://idp.example.test/remote-login', sharedSecret: SECRET, callbackPath: FORM_CALLBACK });

/**
 * The form POST callback on an app whose middleware read the body without parsing it (a logger
 * that drains it, a parser that keeps nothing): the app's setup, so a fault (500,
 * ERR_JWTSSO_BODY_UNREADABLE) whose message names the fix, never the token; never a refusal.
 * `start` must mount such a middleware in front of FORM_CALLBACK.
 */
export function bodyUnreadableFault(name: string, start: (config: AppConfig) => Promise<RunningApp>): void {
  test(`${name}, a form body read but not parsed: 500, ERR_JWTSSO_BODY_UNREADABLE, naming the body parser, never the token`, async () => {
    const shape = formShape();
    const app = await start({ authEndpoint: shape.authEndpoint, loginState: 'cookie', strategy: shape });
    try {
      const browser = request.agent(app.url);
      const returnTo = new URL((await browser.get('/protected')).headers.location!).searchParams.get('return_to')!;
      const one = formToken();
      const posted = await browser.post(FORM_CALLBACK).type('form').send({ jwt: one, return_to: returnTo });
      expect(posted.status).toBe(500);
      expect(posted.body).toMatchObject({ code: 'ERR_JWTSSO_BODY_UNREADABLE', message: expect.stringMatching(/Mount a form body parser/) });
      expect(JSON.stringify(posted.body)).not.toContain(one);
      expect((await browser.get('/protected')).status).toBe(302); // no one signed in
    } finally {
      await app.close();
    }
  });
}

/**
 * The Zendesk-style form POST login, for one framework: the identity provider (played here by
 * the test, signing with the shared secret) posts the token from a browser form to
 * FORM_CALLBACK with `return_to` beside it; the browser follows the 303 to the return URL and is
 * signed in there. A token posted twice is refused.
 */
export function formPostFlow(name: string, start: (config: AppConfig) => Promise<RunningApp>): void {
  // The cookie login state only: the session one is refused with form_post (a cross-site POST carries no session cookie).
  describe(`${name}, form POST callback`, () => {
    const loginState = 'cookie';
    let app: RunningApp;
    beforeAll(async () => {
      const shape = formShape();
      app = await start({ authEndpoint: shape.authEndpoint, loginState, strategy: shape });
    });
    afterAll(() => app?.close());

    const token = formToken;

    test('the posted token signs in on the return URL', async () => {
      const browser = request.agent(app.url);
      const toProvider = await browser.get('/protected?tab=3');
      expect(toProvider.status).toBe(302);
      const returnTo = new URL(toProvider.headers.location!).searchParams.get('return_to')!;
      const posted = await browser.post(FORM_CALLBACK).type('form').send({ jwt: token(), return_to: returnTo });
      expect({ status: posted.status, location: posted.headers.location }).toEqual({ status: 303, location: '/protected?tab=3' });
      const page = await browser.get('/protected?tab=3');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ user: { username: 'ada' } });
    });

    test("return_to in the form's action URL query, as Zendesk's own examples post it: signs in on the return URL", async () => {
      const browser = request.agent(app.url);
      const returnTo = new URL((await browser.get('/protected?tab=4')).headers.location!).searchParams.get('return_to')!;
      // Rails' to_query: CGI.escape'd (a space as +), keys sorted, beside what Zendesk sent.
      const query = `brand_id=7&return_to=${encodeURIComponent(returnTo).replace(/%20/g, '+')}&timestamp=1700000000`;
      const posted = await browser
        .post(`${FORM_CALLBACK}?${query}`)
        .type('form')
        .send({ authenticity_token: 'x'.repeat(86), jwt: token() });
      expect({ status: posted.status, location: posted.headers.location }).toEqual({ status: 303, location: '/protected?tab=4' });
      const page = await browser.get('/protected?tab=4');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ user: { username: 'ada' } });
    });

    test('return_to in both the action URL query and the body is ambiguous: not followed, no one signed in', async () => {
      const browser = request.agent(app.url);
      const returnTo = new URL((await browser.get('/protected')).headers.location!).searchParams.get('return_to')!;
      const posted = await browser
        .post(`${FORM_CALLBACK}?return_to=${encodeURIComponent(returnTo)}`)
        .type('form')
        .send({ jwt: token(), return_to: returnTo });
      expect({ status: posted.status, location: posted.headers.location }).toEqual({ status: 303, location: '/' });
      expect((await browser.get('/protected')).status).not.toBe(200);
    });

    test('a token posted twice is refused, and no one is signed in', async () => {
      const browser = request.agent(app.url);
      const returnTo = new URL((await browser.get('/protected')).headers.location!).searchParams.get('return_to')!;
      const one = token();
      const posted = await browser
        .post(FORM_CALLBACK)
        .type('form')
        .send(`jwt=${one}&jwt=${one}&return_to=${encodeURIComponent(returnTo)}`);
      expect({ status: posted.status, code: (posted.body as { code?: unknown }).code }).toEqual({
        status: 401,
        code: 'ERR_JWTSSO_TOKEN_MALFORMED',
      });
      expect((await browser.get('/protected')).status).toBe(302);
    });
  });
}
