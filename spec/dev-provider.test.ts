import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, request as httpRequest } from 'node:http';
import { createSecretKey } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { addTokenToReturnUrl, createDevProvider, DEFAULT_DEV_USERS, escapeHtml, type DevProviderOptions } from '../lib/dev-provider';
import { verifyToken } from '../lib/token';
import { JwtSsoErrorCode as Code } from '../lib';
import { SECRET } from './helpers/tokens';

const policy = { keys: [{ alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)) }], maxAge: 60, clockTolerance: 5 };

function mounted(options: Partial<DevProviderOptions> = {}) {
  const app = express();
  app.use('/v3/sso', createDevProvider({ sharedSecret: SECRET, ...options }));
  return app;
}

async function choose(app: express.Express, user: string, returnTo: string, agent = request.agent(app)) {
  return agent
    .post(`/v3/sso?return_to=${encodeURIComponent(returnTo)}`)
    .type('form')
    .send({ user, return_to: returnTo });
}

const tokenOf = (location: string) => new URL(location).searchParams.get('jwt')!;

describe('the login page', () => {
  test('lists the demo users for an allowed return_to', async () => {
    const res = await request(mounted()).get('/v3/sso?return_to=http%3A%2F%2Flocalhost%3A3000%2Fp');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    for (const u of DEFAULT_DEV_USERS) expect(res.text).toContain(`value="${u.username}"`);
    expect(res.text).toMatch(/teacher[\s\S]*student[\s\S]*admin/);
  });

  test.each(['return_to', 'return', 'redirect_uri'])('takes the return address as %s, as Puavo does', async (param) => {
    const res = await request(mounted()).get(`/v3/sso?${param}=http%3A%2F%2F127.0.0.1%3A3000%2F`);
    expect(res.status).toBe(200);
  });

  test.each([
    ['no return_to', ''],
    ['a host not allowed', '?return_to=https%3A%2F%2Fevil.example%2F'],
    ['a relative return_to', '?return_to=%2Fp'],
    ['a javascript: URL', '?return_to=javascript%3Aalert(1)'],
    ['credentials in the URL', '?return_to=http%3A%2F%2Fu%3Ap%40localhost%2F'],
    ['an allowed name as a subdomain of another', '?return_to=http%3A%2F%2Flocalhost.evil.example%2F'],
  ])('refuses %s with a 400 page', async (_name, query) => {
    const res = await request(mounted()).get(`/v3/sso${query}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Cannot sign in');
  });

  test('allowedHosts narrows to a host and port', async () => {
    const app = mounted({ allowedHosts: ['app.test:8080'] });
    expect((await request(app).get('/v3/sso?return_to=http%3A%2F%2Fapp.test%3A8080%2F')).status).toBe(200);
    expect((await request(app).get('/v3/sso?return_to=http%3A%2F%2Fapp.test%3A8081%2F')).status).toBe(400);
    expect((await request(app).get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2F')).status).toBe(400);
  });

  test('escapes everything it renders', async () => {
    const evil = '"><script>alert(1)</script>';
    const users = [{ ...DEFAULT_DEV_USERS[0]!, first_name: evil, username: `x${evil}` }];
    const returnTo = `http://localhost:3000/p?q=${encodeURIComponent(evil)}`;
    const res = await request(mounted({ users })).get(`/v3/sso?return_to=${encodeURIComponent(returnTo)}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('&quot;&gt;&lt;script&gt;');
    const bad = await request(mounted()).get(`/v3/sso?return_to=${encodeURIComponent(`https://e<script>.example/`)}`);
    expect(bad.text).not.toContain('<script>');
  });
});

describe('choosing a user', () => {
  test('redirects (303) to return_to with a token the strategy accepts', async () => {
    const res = await choose(mounted(), 'minerva.teacher', 'http://localhost:3000/protected?jwtsso_state=abc');
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!);
    expect(location.origin + location.pathname).toBe('http://localhost:3000/protected');
    expect(location.searchParams.get('jwtsso_state')).toBe('abc');
    const claims = verifyToken(tokenOf(res.headers.location!), policy, Date.now());
    expect(claims).toMatchObject({ username: 'minerva.teacher', puavo_id: 1001, external_service_path_prefix: '/' });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const header = JSON.parse(Buffer.from(tokenOf(res.headers.location!).split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256' });
  });

  test('every token has a fresh jti', async () => {
    const app = mounted();
    const a = await choose(app, 'harry.student', 'http://localhost/');
    const b = await choose(app, 'harry.student', 'http://localhost/');
    expect(verifyToken(tokenOf(a.headers.location!), policy, Date.now()).jti).not.toBe(
      verifyToken(tokenOf(b.headers.location!), policy, Date.now()).jti,
    );
  });

  test.each([
    ['an unknown user', 'nobody', 'http://localhost/'],
    ['a return_to on another host', 'minerva.teacher', 'https://evil.example/'],
  ])('refuses %s with a 400', async (_name, user, returnTo) => {
    expect((await choose(mounted(), user, returnTo)).status).toBe(400);
  });

  test('a form larger than 16 KiB is refused, not buffered', async () => {
    const server = createServer(createDevProvider({ sharedSecret: SECRET }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `user=minerva.teacher&return_to=http%3A%2F%2Flocalhost%2F&pad=${'x'.repeat(20_000)}`,
      });
      expect(res.status).toBe(413);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('a chunked form (no Content-Length) is cut off past 16 KiB', async () => {
    const server = createServer(createDevProvider({ sharedSecret: SECRET }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('user=minerva.teacher&return_to=http%3A%2F%2Flocalhost%2F&pad=');
        for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
        req.end();
      });
      expect(status).toBe(413);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test.each<[string, Partial<DevProviderOptions>, Code | null]>([
    ['iatOffset -3600 mints stale tokens', { iatOffset: -3600 }, Code.TOKEN_TOO_OLD],
    ['iatOffset +3600 mints tokens from the future', { iatOffset: 3600 }, Code.TOKEN_NOT_YET_VALID],
    ['legacyStringIat mints a string iat, which is accepted', { legacyStringIat: true }, null],
    ['another secret is refused', { sharedSecret: 'not-the-apps-secret' }, Code.SIGNATURE_INVALID],
  ])('%s', async (_name, options, code) => {
    const res = await choose(mounted(options), 'minerva.teacher', 'http://localhost/');
    const token = tokenOf(res.headers.location!);
    if (code === null) expect(verifyToken(token, policy, Date.now()).username).toBe('minerva.teacher');
    else expect(() => verifyToken(token, policy, Date.now())).toThrow(expect.objectContaining({ code }));
  });

  test('a constant jti lets an app test its replay protection', async () => {
    const app = mounted({ jti: () => 'always-the-same' });
    const a = await choose(app, 'minerva.teacher', 'http://localhost/');
    expect(verifyToken(tokenOf(a.headers.location!), policy, Date.now()).jti).toBe('always-the-same');
  });
});

describe("the provider's own session", () => {
  test('remembers the chosen user and signs them straight in, until logout', async () => {
    const app = mounted();
    const agent = request.agent(app);
    await choose(app, 'albus.admin', 'http://localhost/', agent);
    const again = await agent.get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2Fx');
    expect(again.status).toBe(303);
    expect(verifyToken(tokenOf(again.headers.location!), policy, Date.now()).username).toBe('albus.admin');
    expect((await agent.get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2Fx&prompt=login')).status).toBe(200);

    const out = await agent.get('/v3/sso/logout?redirect_to=http%3A%2F%2Flocalhost%3A3000%2F');
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('http://localhost:3000/');
    expect((await agent.get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2Fx')).status).toBe(200);
  });

  test('logout refuses a redirect_to on a host not allowed, and still signs out', async () => {
    const res = await request(mounted()).get('/v3/sso/logout?redirect_to=https%3A%2F%2Fevil.example%2F');
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=0');
  });

  test.each([
    ['a malformed %-escape', 'jwtsso_dev_user=%E0%A4%A'],
    ['a lone %', 'jwtsso_dev_user=%'],
    ['an unknown user', 'jwtsso_dev_user=nobody'],
    ['an empty value', 'jwtsso_dev_user='],
    ['a malformed cookie beside others', 'a=1; jwtsso_dev_user=%zz; b=2'],
  ])('a remember cookie it cannot read (%s) is ignored: the login page, not a 500', async (_name, cookie) => {
    const res = await request(mounted()).get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2F').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain('minerva.teacher');
  });

  test('control: a well-formed remember cookie signs the user straight in', async () => {
    const res = await request(mounted())
      .get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2F')
      .set('Cookie', 'x=%zz; jwtsso_dev_user=albus.admin');
    expect(res.status).toBe(303);
    expect(verifyToken(tokenOf(res.headers.location!), policy, Date.now()).username).toBe('albus.admin');
  });

  test('remember: false always shows the page', async () => {
    const app = mounted({ remember: false });
    const agent = request.agent(app);
    const res = await choose(app, 'albus.admin', 'http://localhost/', agent);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await agent.get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2F')).status).toBe(200);
  });
});

describe('addTokenToReturnUrl re-serialises the query as Puavo does', () => {
  test.each([
    ['http://a/p', 'http://a/p?jwt=T'],
    ['http://a/p?b=2&a=1', 'http://a/p?a=1&b=2&jwt=T'],
    ['http://a/p?a=1&a=2', 'http://a/p?a=2&jwt=T'],
    ['http://a/p?q=x+y', 'http://a/p?jwt=T&q=x%20y'],
    ['http://a/p?jwt=old&z=1', 'http://a/p?jwt=T&z=1'],
    ['http://a/p?x=1#frag', 'http://a/p?jwt=T&x=1#frag'],
  ])('%s -> %s', (input, expected) => {
    expect(addTokenToReturnUrl(new URL(input), 'jwt', 'T')).toBe(expected);
  });
});

describe('createDevProvider refuses', () => {
  const saved = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = saved;
  });

  const PRODUCTION_SPELLINGS = [
    'production',
    'Production',
    'PRODUCTION',
    ' production',
    'production\n',
    '\tProduction ',
    'prod',
    'PROD',
    // Found by a hostile review: quotes an env file keeps, an invisible character, a compatibility form.
    '"production"',
    "'production'",
    'production\u200b',
    'PRODUCT\u0130ON',
    '\uff50\uff52\uff4f\uff44',
  ];
  test.each(PRODUCTION_SPELLINGS)('to run with NODE_ENV=%j', (value) => {
    process.env.NODE_ENV = value;
    expect(() => createDevProvider({ sharedSecret: SECRET })).toThrow(/production/);
  });

  test.each(PRODUCTION_SPELLINGS)('to serve once NODE_ENV became %j', async (value) => {
    const app = mounted();
    process.env.NODE_ENV = value;
    expect((await request(app).get('/v3/sso?return_to=http%3A%2F%2Flocalhost%2F')).status).toBe(500);
  });

  test.each(['development', 'test', '', 'staging', 'productive-dev', 'preproduction'])('control: NODE_ENV=%j runs', (value) => {
    process.env.NODE_ENV = value;
    expect(() => createDevProvider({ sharedSecret: SECRET })).not.toThrow();
  });

  test.each<[string, unknown]>([
    ['no secret', {}],
    ['an empty secret', { sharedSecret: '' }],
    ['no users', { sharedSecret: SECRET, users: [] }],
    ['a user without username', { sharedSecret: SECRET, users: [{ puavo_id: 1 }] }],
    ['a non-numeric iatOffset', { sharedSecret: SECRET, iatOffset: '60' }],
    ['allowedHosts with an empty host', { sharedSecret: SECRET, allowedHosts: [''] }],
  ])('%s', (_name, options) => {
    expect(() => createDevProvider(options as DevProviderOptions)).toThrow(TypeError);
  });
});

test('escapeHtml escapes the five characters', () => {
  expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});
