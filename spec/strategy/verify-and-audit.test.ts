// Rules of the strategy's own decisions (lib/strategy.ts) that the flow and refused-inputs suites do
// not state: what verify's info becomes, how odd verify failures are reported, and the audit
// trail of each step. A real Express app over a socket, as everywhere else.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import {
  JwtSsoErrorCode as Code,
  JwtSsoStrategy,
  type JwtSsoEvent,
  type JwtSsoStrategyBaseOptions,
  type ReplayStore,
  type VerifyFunction,
} from '../../lib';
import { startApp, type AppOptions, type TestApp } from '../helpers/app';
import { login } from '../helpers/flow';
import { unhandledRejections } from '../helpers/rejections';
import { mint, puavoClaims, SECRET } from '../helpers/tokens';

let app: TestApp;
afterEach(() => app?.close());

/** A stateless login on /protected: the token arrives, then the clean URL is fetched. */
async function signIn(options: AppOptions, claims = puavoClaims()) {
  app = await startApp({ ...options, strategy: { state: false, ...options.strategy } });
  const browser = app.browser();
  const callback = await browser.get(`/protected?jwt=${mint(claims)}`);
  expect(callback.status).toBe(303);
  return { browser, res: await browser.get(callback.headers.location!) };
}

describe("verify's info", () => {
  test('an info object is kept in authInfo beside the claims', async () => {
    const claims = puavoClaims();
    const { res } = await signIn({ verify: (_c, done) => done(null, { id: 1 }, { scope: 'teacher' }) }, claims);
    expect(res.status).toBe(200);
    expect(res.body.authInfo).toEqual({ scope: 'teacher', claims: expect.objectContaining({ jti: claims.jti }) });
  });

  test('an info that is not an object is dropped: authInfo holds the claims only', async () => {
    const { res } = await signIn({
      verify: (_c, done) => (done as (e: unknown, u: unknown, i: unknown) => void)(null, { id: 1 }, 'teacher'),
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.authInfo)).toEqual(['claims']);
  });

  test('claims named "claims" in info cannot replace the verified claims', async () => {
    const claims = puavoClaims();
    const { res } = await signIn({ verify: (_c, done) => done(null, { id: 1 }, { claims: { jti: 'forged' } }) }, claims);
    expect(res.body.authInfo.claims.jti).toBe(claims.jti);
  });
});

describe('odd verify failures are faults (500) with a message', () => {
  test.each<[string, AppOptions['verify'], string]>([
    [
      'a throw of undefined',
      () => {
        throw undefined; // what a careless verify may do
      },
      'verify threw',
    ],
    ['done with a string error', (_c, done) => done('database down'), 'database down'],
    ['done with an Error', (_c, done) => done(new Error('database down')), 'database down'],
  ])('%s', async (_name, verify, message) => {
    const { browser, res } = await signIn({ verify });
    expect(res.status).toBe(500);
    expect(res.body.error).toBe(message);
    expect((await browser.get('/whoami')).body.user).toBeNull();
  });

  test('done(undefined, user) and done(null, user) both sign in: only a real error is a fault', async () => {
    const { res } = await signIn({ verify: (_c, done) => done(undefined, { id: 5 }) });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 5 });
  });
});

describe('the audit trail (onEvent)', () => {
  test('a login reports redirect, token-received and accepted, with the jti, the user and the client address', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ strategy: { onEvent: (e) => events.push(e) } });
    const { token, final } = await login(app.browser(), '/protected', puavoClaims(undefined, { sub: 'user-7' }));
    expect(final.status).toBe(200);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    expect(events).toEqual([
      { type: 'redirect', ip: '127.0.0.1' },
      { type: 'token-received', ip: '127.0.0.1' },
      { type: 'accepted', jti, sub: 'user-7', ip: '127.0.0.1' },
    ]);
  });

  test('a refusal (401) is "refused" and a fault (500) is "error", each with its code', async () => {
    const events: JwtSsoEvent[] = [];
    const failing: ReplayStore = { consume: () => Promise.reject(new Error('store down')) };
    app = await startApp({ strategy: { state: false, replayStore: failing, onEvent: (e) => events.push(e) } });
    const browser = app.browser();
    const old = await browser.get(`/protected?jwt=${mint(puavoClaims(Math.floor(Date.now() / 1000) - 3600))}`);
    expect((await browser.get(old.headers.location!)).status).toBe(401);
    const fresh = await browser.get(`/protected?jwt=${mint(puavoClaims())}`);
    expect((await browser.get(fresh.headers.location!)).status).toBe(500);
    expect(events.filter((e) => e.type === 'refused' || e.type === 'error')).toEqual([
      {
        type: 'refused',
        code: Code.TOKEN_TOO_OLD,
        ip: '127.0.0.1',
        message: expect.stringMatching(/issued 360\d s ago, but maxAge is 60 s/),
      },
      { type: 'error', code: Code.REPLAY_STORE_FAILED, ip: '127.0.0.1', message: expect.stringMatching(/replay store could not record/) },
    ]);
  });

  test('an API route without a session user is refused as LOGIN_REQUIRED, and says so', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ strategy: { onEvent: (e) => events.push(e) } });
    expect((await app.browser().get('/api/me')).status).toBe(401);
    expect(events).toEqual([
      { type: 'refused', code: Code.LOGIN_REQUIRED, ip: '127.0.0.1', message: expect.stringMatching(/^Not signed in/) },
    ]);
  });
});

// No input and no app handler can turn into an unhandled rejection (which ends a Node process):
// on every asynchronous path (the clean URL's verification, a form POST's body, verify's
// promise, a large token verified before it is kept) whatever the app's own refusal handling
// throws ends in its error handler, and the server goes on answering.
describe('what the app throws while a refusal is answered asynchronously ends in its error handler', () => {
  const rejections = unhandledRejections();

  async function serve(strategy: Partial<JwtSsoStrategyBaseOptions>, verify?: VerifyFunction) {
    const passport = new Passport();
    passport.use(
      new JwtSsoStrategy({ authEndpoint: 'https://sso.example.test/v3/sso', sharedSecret: SECRET, state: false, ...strategy }, verify),
    );
    const handled: string[] = [];
    const server = express();
    server.use(express.urlencoded({ extended: false }));
    server.use(passport.initialize());
    // A custom callback that throws on every outcome, as a careless app's does.
    server.all('/throws', (req, res, next) => {
      passport.authenticate('jwtsso', { session: false }, () => {
        throw new Error('the app callback threw');
      })(req, res, next);
    });
    // A timeout middleware answered first; Passport's failureRedirect then writes to a sent response.
    // (Only on requests that ask for it: the provider's return before it is answered normally.)
    const timeout = (req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (req.get('x-timed-out') !== undefined) res.status(503).end('timed out');
      next();
    };
    server.all('/late', timeout, passport.authenticate('jwtsso', { session: false, failureRedirect: '/failed' }));
    server.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      handled.push(err.message);
      if (!res.headersSent) res.status(500).send('handled');
    });
    const listening = server.listen(0, '127.0.0.1');
    await once(listening, 'listening');
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    return { url, handled, close: () => new Promise<void>((r) => listening.close(() => r())) };
  }

  // Waits until the app's error handler saw `count` errors (the asynchronous paths answer later).
  async function handledBy(s: { handled: string[] }, count: number): Promise<string[]> {
    for (let i = 0; i < 200 && s.handled.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setImmediate(r));
    return s.handled;
  }

  const wrongKey = () => mint(puavoClaims(), 'not the secret');
  test.each<[string, Partial<JwtSsoStrategyBaseOptions>, (url: string, path: string) => Promise<unknown>, VerifyFunction | undefined]>([
    [
      'the clean URL: a parked token that fails verification',
      {},
      async (url, path) => {
        const agent = request.agent(url);
        const back = await agent.get(`${path}?jwt=${wrongKey()}`);
        return agent.get(back.headers.location!).set('x-timed-out', '1');
      },
      undefined,
    ],
    [
      'a form POST whose body is refused',
      { callbackPath: '/throws', responseMode: 'form_post', stateIn: 'param', returnToParam: 'return_to' },
      (url, path) => request(url).post(path).set('x-timed-out', '1').type('form').send('jwt[]=x'),
      undefined,
    ],
    [
      "verify's promise that refuses",
      {},
      async (url, path) => {
        const agent = request.agent(url);
        const back = await agent.get(`${path}?jwt=${mint(puavoClaims())}`);
        return agent.get(back.headers.location!).set('x-timed-out', '1');
      },
      (async () => false) as unknown as VerifyFunction,
    ],
  ])('%s, with a callback that throws and with failureRedirect after the response was sent', async (_name, options, send, verify) => {
    for (const path of ['/throws', '/late']) {
      const s = await serve(
        path === '/late' && options.callbackPath !== undefined ? { ...options, callbackPath: '/late' } : options,
        verify,
      );
      try {
        await send(s.url, path);
        const handled = await handledBy(s, 1);
        expect({ path, handled: handled.length > 0 }).toEqual({ path, handled: true });
        // The server still answers.
        expect((await request(s.url).get('/nowhere')).status).toBe(404);
      } finally {
        await s.close();
      }
    }
    expect(rejections).toEqual([]);
  });
});
