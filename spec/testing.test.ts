// passport-jwtsso/testing, used as an app's own tests would use it: a real app on Express 4 and
// 5, the dev provider on loopback, supertest's agent, one call to sign in.
import express5 from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { DEFAULT_DEV_USERS, mintToken, signIn, startDevProvider, type RunningDevProvider } from 'passport-jwtsso/testing';
import { verifyToken } from '../lib/token';
import { createSecretKey } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPRESS, type ExpressName } from './helpers/app';

const SECRET = 'testing-kit-secret';
let provider: RunningDevProvider;
beforeAll(async () => {
  provider = await startDevProvider({ sharedSecret: SECRET, allowedHosts: ['localhost', '127.0.0.1', 'app.example.test'] });
});
afterAll(() => provider.close());

interface AppUser {
  username: string;
}

function createApp(expressName: ExpressName, options: { host?: string; passportSession?: boolean; secret?: string } = {}) {
  const express = EXPRESS[expressName] as typeof express5;
  const passport = new Passport();
  passport.use(
    new JwtSsoStrategy<PuavoClaims, AppUser>(
      {
        authEndpoint: provider.url,
        sharedSecret: options.secret ?? SECRET,
        ...(options.host === undefined ? {} : { host: options.host, scheme: 'http' }),
      },
      (claims, done) => done(null, { username: claims.username }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  if (options.passportSession !== false) app.use(passport.session());
  app.get('/protected', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ user: req.user });
  });
  app.get('/api/me', passport.authenticate('jwtsso', { redirect: false }), (req, res) => {
    res.json({ user: req.user });
  });
  return app;
}

describe.each(Object.keys(EXPRESS) as ExpressName[])('%s', (expressName) => {
  test('signIn signs the first dev user in with one call; the agent stays signed in', async () => {
    const agent = request.agent(createApp(expressName));
    const page = await signIn(agent, { path: '/protected', provider });
    expect(page.status).toBe(200);
    const me = await agent.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ username: DEFAULT_DEV_USERS[0]!.username });
  });

  test('signIn as a chosen user, with the app on a configured public host', async () => {
    const agent = request.agent(createApp(expressName, { host: 'app.example.test' }));
    await signIn(agent, { path: '/protected', provider, user: 'harry.student' });
    expect((await agent.get('/api/me')).body.user).toEqual({ username: 'harry.student' });
  });

  test('control: without signIn the API answers 401', async () => {
    const agent = request.agent(createApp(expressName));
    const me = await agent.get('/api/me');
    expect(me.status).toBe(401);
  });
});

describe('signIn says which step went wrong', () => {
  test('an app with another secret than the provider: the code and what went wrong, not a bare "401: Unauthorized"', async () => {
    const failure = signIn(request.agent(createApp('express 5', { secret: 'not-the-providers-secret' })), { path: '/protected', provider });
    await expect(failure).rejects.toThrow(
      /refused the sign-in at \/protected: 401 \(ERR_JWTSSO_SIGNATURE_INVALID\): Not signed in \(ERR_JWTSSO_SIGNATURE_INVALID\): .*signature/i,
    );
    await expect(failure).rejects.not.toThrow(/not-the-providers-secret|testing-kit-secret/);
  });

  test.each<[string, () => Promise<unknown>, RegExp]>([
    [
      'a path that is not protected',
      () => signIn(request.agent(createApp('express 5')), { path: '/nowhere', provider }),
      /GET \/nowhere was not sent to the dev provider .* it answered 404: .*Cannot GET \/nowhere/,
    ],
    [
      'an unknown user',
      () => signIn(request.agent(createApp('express 5')), { path: '/protected', provider, user: 'nobody' }),
      /the dev provider answered 400: .*Cannot sign in No such demo user/,
    ],
    [
      'another provider than the app uses',
      () => signIn(request.agent(createApp('express 5')), { path: '/protected', provider: 'http://127.0.0.1:9/v3/sso' }),
      /not sent to the dev provider at http:\/\/127\.0\.0\.1:9\/v3\/sso .* it answered 302 to http:\/\/127\.0\.0\.1:\d+\/v3\/sso/,
    ],
    [
      'an app without passport.session(): its code',
      async () => {
        const agent = request.agent(createApp('express 5', { passportSession: false }));
        await signIn(agent, { path: '/protected', provider });
        return signIn(agent, { path: '/protected', provider });
      },
      /answered 500: .*mount app\.use\(passport\.session\(\)\)/,
    ],
  ])('%s', async (_name, act, message) => {
    await expect(act()).rejects.toThrow(message);
  });
});

describe('mintToken', () => {
  const key = createSecretKey(Buffer.from(SECRET));
  const check = (token: string) => verifyToken(token, { keys: [{ alg: 'HS256', key }], maxAge: 60, clockTolerance: 5 }, Date.now());

  test('mints what the strategy accepts: the named user, a fresh iat and jti', () => {
    const claims = check(mintToken({ sharedSecret: SECRET, user: 'albus.admin' }));
    expect(claims).toMatchObject({ username: 'albus.admin', jti: expect.any(String) });
  });

  test('a user of its own, signed as given', () => {
    const user = { ...DEFAULT_DEV_USERS[0]!, username: 'custom', organisation_domain: 'other.opinsys.fi' };
    expect(check(mintToken({ sharedSecret: SECRET, user }))).toMatchObject({ username: 'custom', organisation_domain: 'other.opinsys.fi' });
  });

  test.each<[string, Parameters<typeof mintToken>[0], string]>([
    ['a stale token', { sharedSecret: SECRET, iatOffset: -3600 }, Code.TOKEN_TOO_OLD],
    ['a token from the future', { sharedSecret: SECRET, iatOffset: 3600 }, Code.TOKEN_NOT_YET_VALID],
    ['another secret', { sharedSecret: 'other' }, Code.SIGNATURE_INVALID],
  ])('%s is refused by the strategy', (_name, options, code) => {
    expect(() => check(mintToken(options))).toThrow(expect.objectContaining({ code }));
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown username', { sharedSecret: SECRET, user: 'nobody' }, /"user" names no user/],
    ['no secret', { sharedSecret: undefined }, /"sharedSecret"/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => mintToken(options as never)).toThrow(message);
  });
});

test.each(['wso2', 'zendesk', 'thinkific'] as const)(
  'signIn with a dev provider in the %s shape: a TypeError saying it plays Puavo only, before any request',
  async (shape) => {
    const other = await startDevProvider({
      shape,
      sharedSecret: SECRET,
      callbackUrl: 'http://127.0.0.1:1/cb',
      ...(shape === 'wso2' ? { relyingParty: 'app' } : {}),
    });
    try {
      let asked = false;
      const agent = { get: () => ((asked = true), Promise.reject(new Error('no request expected'))) } as never;
      await expect(signIn(agent, { provider: other, path: '/' })).rejects.toThrow(
        new RegExp(`plays the "${shape}" shape, and signIn plays Puavo's only`),
      );
      expect(asked).toBe(false);
    } finally {
      await other.close();
    }
  },
);

describe('startDevProvider serves the shape at its own path only, and says where', () => {
  test.each<[string, string, boolean]>([
    ['the SSO endpoint', '', true],
    ['the SSO endpoint with a query', '?return_to=http%3A%2F%2Flocalhost%2Fp', true],
    ['a route below it', '/logout', true],
    ['another path', '/../other', false],
    ['a path that only starts like it', 'x', false],
    ['the root', '/..', false],
  ])('%s: served %s', async (_name, suffix, served) => {
    const res = await fetch(new URL(`${provider.url}${suffix}`).href, { redirect: 'manual' });
    expect(res.status === 404).toBe(!served);
    await res.arrayBuffer();
  });

  test('it listens on 127.0.0.1 only: not on the IPv6 loopback, nor any other address (it signs anyone in)', async () => {
    const { port } = new URL(provider.url);
    expect((await fetch(`http://127.0.0.1:${port}/v3/sso/logout`, { redirect: 'manual' })).status).not.toBe(404);
    await expect(fetch(`http://[::1]:${port}/v3/sso/logout`, { redirect: 'manual' })).rejects.toThrow();
  });

  test('Puavo: the SSO endpoint /v3/sso, logout beside it, no key or JWKS of its own', () => {
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3\/sso$/);
    expect(provider.logoutUrl).toBe(`${provider.url}/logout`);
    expect([provider.shape, provider.publicKey, provider.jwksUri]).toEqual(['puavo', undefined, undefined]);
  });

  test('Freshworks: its public key and the URL of its JWKS, which it serves', async () => {
    const fw = await startDevProvider({ shape: 'freshworks', callbackUrl: 'http://127.0.0.1:1/cb' });
    try {
      expect(fw.jwksUri).toBe(`${fw.url}/jwks.json`);
      expect(fw.publicKey?.asymmetricKeyType).toBe('rsa');
      const jwks = (await (await fetch(fw.jwksUri!)).json()) as { keys: unknown[] };
      expect(jwks.keys).toHaveLength(1);
    } finally {
      await fw.close();
    }
    await expect(fetch(fw.url)).rejects.toThrow();
  });
});

// An app played step by step: each GET of signIn answered by `steps` in turn; the dev provider is the real one.
function scriptedAgent(steps: ((path: string) => { status: number; headers?: Record<string, unknown>; text?: string })[]) {
  const asked: string[] = [];
  return {
    asked,
    get(path: string) {
      asked.push(path);
      const step = steps[asked.length - 1];
      if (step === undefined) return Promise.reject(new Error(`no step for GET ${path}`));
      return Promise.resolve({ headers: {}, ...step(path) });
    },
  };
}
const RETURN = 'http://app.example.test/protected?jwtsso_state=s1';
const toProvider = () => ({ status: 302, headers: { location: `${provider.url}?return_to=${encodeURIComponent(RETURN)}` } });
const toClean = () => ({ status: 303, headers: { location: '/protected' } });

describe("signIn plays the browser's steps, and an error says which step and what the app answered, never a token", () => {
  test('control: the steps, the token returned on the app path, the last page returned', async () => {
    const agent = scriptedAgent([toProvider, toClean, () => ({ status: 200, text: 'hello' })]);
    const page = await signIn(agent, { provider, path: '/protected' });
    expect(page).toMatchObject({ status: 200, text: 'hello' });
    expect(agent.asked[0]).toBe('/protected');
    const returned = new URL(agent.asked[1]!, 'http://app.example.test');
    expect(returned.pathname).toBe('/protected');
    expect(returned.searchParams.get('jwtsso_state')).toBe('s1');
    expect(returned.searchParams.get('jwt')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(agent.asked[2]).toBe('/protected');
  });

  test("the path defaults to '/', and the provider may be given by its URL", async () => {
    const agent = scriptedAgent([toProvider, toClean, () => ({ status: 200 })]);
    await signIn(agent, { provider: provider.url });
    expect(agent.asked[0]).toBe('/');
  });

  test('the first user of the login page, its name decoded from the HTML', async () => {
    const odd = { ...DEFAULT_DEV_USERS[0]!, username: `a&b"c'd<e>f` };
    const own = await startDevProvider({ sharedSecret: SECRET, users: [odd], allowedHosts: ['app.example.test'] });
    try {
      const agent = scriptedAgent([
        () => ({ status: 302, headers: { location: `${own.url}?return_to=${encodeURIComponent(RETURN)}` } }),
        toClean,
        () => ({ status: 200 }),
      ]);
      await signIn(agent, { provider: own });
      const token = new URLSearchParams(agent.asked[1]!.split('?')[1]).get('jwt')!;
      expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).username).toBe(odd.username);
    } finally {
      await own.close();
    }
  });

  test.each<[string, unknown]>([
    ['an empty URL', ''],
    ['an object without a url', { shape: 'puavo' }],
  ])('a provider that is %s: a TypeError before any request', async (_name, given) => {
    const agent = scriptedAgent([]);
    await expect(signIn(agent, { provider: given as never })).rejects.toThrow(
      new TypeError('signIn: option "provider" must be the dev provider or its URL.'),
    );
    expect(agent.asked).toEqual([]);
  });

  test.each<[string, number, string | undefined]>([
    ['a 200 with a Location to the provider', 200, 'PROVIDER?x=1'],
    ['a 400 with a Location to the provider', 400, 'PROVIDER?x=1'],
    ['a 302 without a Location', 302, undefined],
    ['a 302 to another site', 302, 'http://127.0.0.1:9/v3/sso?x=1'],
  ])('the first answer is %s, not a redirect to the provider: says so', async (_name, status, location) => {
    const headers = location === undefined ? {} : { location: location.replace('PROVIDER', provider.url) };
    const agent = scriptedAgent([() => ({ status, headers })]);
    await expect(signIn(agent, { provider, path: '/p' })).rejects.toThrow(/^signIn: GET \/p was not sent to the dev provider at /);
    expect(agent.asked).toEqual(['/p']);
  });

  test('a Location that is not one string (an array a client made of two headers) is no redirect to the provider', async () => {
    const agent = scriptedAgent([() => ({ status: 302, headers: { location: [`${provider.url}?x=1`] } })]);
    await expect(signIn(agent, { provider, path: '/p' })).rejects.toThrow(/^signIn: GET \/p was not sent to the dev provider at /);
  });

  test.each([300, 303, 307, 399])('control: the first answer a %i to the provider is followed', async (status) => {
    const agent = scriptedAgent([() => ({ ...toProvider(), status }), toClean, () => ({ status: 200 })]);
    await expect(signIn(agent, { provider })).resolves.toMatchObject({ status: 200 });
  });

  test('a login URL with the return URL under another of its names (return=) is followed too', async () => {
    const agent = scriptedAgent([
      () => ({ status: 302, headers: { location: `${provider.url}?return=${encodeURIComponent(RETURN)}` } }),
      toClean,
      () => ({ status: 200 }),
    ]);
    await expect(signIn(agent, { provider })).resolves.toMatchObject({ status: 200 });
    expect(new URL(agent.asked[1]!, 'http://app.example.test').searchParams.get('jwtsso_state')).toBe('s1');
  });

  test('the return from the provider not answered with the 303 to the clean URL: the status, the Location without its token', async () => {
    const agent = scriptedAgent([toProvider, () => ({ status: 302, headers: { location: '/next?jwt=SECRETTOKEN&a=1#f' } })]);
    const err = (await signIn(agent, { provider }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      'signIn: the app answered the return from the provider with 302 to /next?jwt=…&a=1#f, not the 303 to the clean URL.',
    );
  });

  test.each<[string, { status: number; headers?: Record<string, unknown> }]>([
    ['a 200', { status: 200 }],
    ['a 303 without a Location', { status: 303 }],
  ])('the return answered with %s: refused, naming the step', async (_name, answer) => {
    const agent = scriptedAgent([toProvider, () => answer]);
    await expect(signIn(agent, { provider })).rejects.toThrow(
      /^signIn: the app answered the return from the provider with \d{3}, not the 303/,
    );
  });

  test.each<[string, { status: number; headers?: Record<string, unknown>; text?: string }, string]>([
    ['a 400', { status: 400 }, 'signIn: the app refused the sign-in at /protected: 400.'],
    ['a redirect back to the provider', { status: 302, headers: { location: `${'PROVIDER'}?again=1` } }, 'PROVIDER'],
  ])('the clean URL answered with %s: the sign-in did not last', async (_name, answer, message) => {
    const fixed = { ...answer, headers: { location: String(answer.headers?.location ?? '').replace('PROVIDER', provider.url) } };
    if (answer.headers === undefined) delete (fixed as { headers?: unknown }).headers;
    const agent = scriptedAgent([toProvider, toClean, () => fixed]);
    await expect(signIn(agent, { provider })).rejects.toThrow(message.replace('PROVIDER', provider.url));
  });

  test.each<[string, { status: number; headers?: Record<string, unknown> }]>([
    ['a 399 (no error, no redirect)', { status: 399 }],
    ['a redirect elsewhere', { status: 302, headers: { location: '/home' } }],
    ['a redirect without a Location', { status: 302 }],
  ])('control: the clean URL answered with %s is a sign-in', async (_name, answer) => {
    const agent = scriptedAgent([toProvider, toClean, () => answer]);
    await expect(signIn(agent, { provider })).resolves.toMatchObject({ status: answer.status });
  });

  test("a page's text is quoted readable: no tags, styles or scripts, entities decoded, spaces collapsed, at most 300 characters", async () => {
    const html =
      '<html><head><style type="text/css">p { color: red }</style><SCRIPT>alert(1)</SCRIPT></head>\n<body>  <p>N<script>x()</script>ot &quot;signed&quot; in:\t&lt;ERR_JWTSSO_STATE_MISMATCH&gt; &amp; it&#39;s   over</p> ' +
      'x'.repeat(400) +
      '</body></html>';
    const agent = scriptedAgent([toProvider, toClean, () => ({ status: 403, text: html })]);
    const err = (await signIn(agent, { provider }).catch((e: unknown) => e)) as Error;
    const quoted = `N ot "signed" in: <ERR_JWTSSO_STATE_MISMATCH> & it's over ${'x'.repeat(400)}`.slice(0, 300);
    expect(err.message).toBe(`signIn: the app refused the sign-in at /protected: 403 (ERR_JWTSSO_STATE_MISMATCH): ${quoted}.`);
  });
});

// A stand-in for the dev provider, given to signIn by its URL: its login page and its answer to the POST.
async function stubProvider(page: { status: number; html: string }, answer: { status: number; location?: string; text?: string }) {
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(page.status, page.status === 302 ? { Location: '/elsewhere' } : {}).end(page.html);
      return;
    }
    res.writeHead(answer.status, answer.location === undefined ? {} : { Location: answer.location }).end(answer.text ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/sso`;
  return { url, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe("signIn says what the provider answered when it is not the dev provider's 303 back to the app", () => {
  const USER_PAGE = { status: 200, html: '<form><button name="user" value="minerva.teacher">Minerva</button></form>' };
  const run = async (page: { status: number; html: string }, answer: { status: number; location?: string; text?: string }) => {
    const stub = await stubProvider(page, answer);
    try {
      const agent = scriptedAgent([() => ({ status: 302, headers: { location: `${stub.url}?return_to=${encodeURIComponent(RETURN)}` } })]);
      return (await signIn(agent, { provider: stub.url }).catch((e: unknown) => e)) as Error;
    } finally {
      await stub.close();
    }
  };

  test.each<[string, { status: number; location?: string }, RegExp]>([
    ['a 303 without a Location', { status: 303 }, /^signIn: the dev provider answered 303: /],
    ['a 302 with a Location', { status: 302, location: RETURN }, /^signIn: the dev provider answered 302: /],
    ['a 400', { status: 400 }, /^signIn: the dev provider answered 400: /],
  ])('%s', async (_name, answer, message) => {
    expect((await run(USER_PAGE, answer)).message).toMatch(message);
  });

  test('its page is quoted, at most 300 characters of it', async () => {
    const err = await run(USER_PAGE, { status: 400, text: `<p>${'y'.repeat(500)}</p>` });
    expect(err.message).toBe(`signIn: the dev provider answered 400: ${'y'.repeat(300)}`);
  });

  test.each<[string, { status: number; html: string }, string]>([
    [
      'a login page that lists no user',
      { status: 200, html: '<p>No users here</p>' },
      "signIn: the dev provider's login page (200) lists no user.",
    ],
    ['a login page that redirects: not followed', { status: 302, html: '' }, "signIn: the dev provider's login page (302) lists no user."],
  ])('%s', async (_name, page, message) => {
    expect((await run(page, { status: 303, location: RETURN })).message).toBe(message);
  });
});
