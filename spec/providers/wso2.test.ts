// WSO2 Identity Server's JWT SSO connector, played by the dev provider (shape 'wso2'), against
// the wso2 preset through a real Express app on loopback: a 302 to the fixed callback with
// `jwt` and `return_to` as form-encoded siblings, {"alg":"HS256"}, `exp = iat + 120`, a fixed
// logout redirect.
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { presets, type JwtSsoStrategyBaseOptions } from '../../lib';
import { createDevProvider, type DevProviderOptions } from '../../lib/dev-provider';
import {
  atProvider,
  decode,
  deliver,
  MOUNT,
  paramOf,
  returnUrlCase,
  returnUrlTable,
  signInThrough,
  startSite,
  withParam,
  type Site,
} from './shape-flow';

const SECRET = 'the relying party API key, as WSO2 keeps it';
const RP = 'demo-app';
const PATH = '/identity/jwtsso';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let site: Site | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

async function start(
  options: { dev?: Partial<DevProviderOptions>; strategy?: Partial<JwtSsoStrategyBaseOptions>; mountPoint?: string } = {},
): Promise<Site> {
  const mountPoint = options.mountPoint ?? '';
  site = await startSite({
    path: PATH,
    mountPoint,
    strategy: (server) => ({
      ...presets.wso2({ server, relyingParty: RP, sharedSecret: SECRET, callbackPath: '/sso/callback', mountPoint }),
      ...options.strategy,
    }),
    provider: (origin) =>
      createDevProvider({
        shape: 'wso2',
        sharedSecret: SECRET,
        callbackUrl: `${origin}${mountPoint}/sso/callback`,
        relyingParty: RP,
        ...options.dev,
      }),
  });
  return site;
}

describe('the wire format', () => {
  const mounted = (options: Partial<DevProviderOptions> = {}) =>
    createDevProvider({ shape: 'wso2', sharedSecret: SECRET, callbackUrl: 'http://localhost:3000/sso/callback?app=1', ...options });

  async function choose(provider: ReturnType<typeof mounted>, query: string) {
    return request(provider).post(`/?${query}`).type('form').send({ user: 'minerva.teacher' });
  }

  test('a 302 to the fixed callback: jwt, then return_to and error_url form-encoded (spaces as +); jwtRP goes no further', async () => {
    const returnTo = 'http://localhost:3000/p?q=a b&x=~*';
    const errorUrl = 'http://localhost:3000/oops';
    const res = await choose(mounted(), `jwtRP=${RP}&return_to=${encodeURIComponent(returnTo)}&error_url=${encodeURIComponent(errorUrl)}`);
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const location = res.headers.location!;
    const token = new URL(location).searchParams.get('jwt')!;
    // Java's URLEncoder and the WHATWG form serialiser agree: ' ' → '+', '~' → %7E, '*' kept.
    expect(location).toBe(
      `http://localhost:3000/sso/callback?app=1&jwt=${token}&return_to=http%3A%2F%2Flocalhost%3A3000%2Fp%3Fq%3Da+b%26x%3D%7E*&error_url=http%3A%2F%2Flocalhost%3A3000%2Foops`,
    );
  });

  test('header {"alg":"HS256"} without typ; claims sub, a UUID jti, iat, exp = iat + 120, mapped attributes; no iss, no aud', async () => {
    const res = await choose(mounted(), `jwtRP=${RP}`);
    const token = new URL(res.headers.location!).searchParams.get('jwt')!;
    expect(token.split('.')[0]).toBe(Buffer.from('{"alg":"HS256"}').toString('base64url'));
    const { payload } = decode(token);
    expect(Object.keys(payload).sort()).toEqual(['email', 'exp', 'family_name', 'given_name', 'iat', 'jti', 'sub']);
    expect(payload).toMatchObject({ sub: 'minerva.teacher', email: 'minerva.teacher@example.opinsys.fi', given_name: 'Minerva' });
    expect(payload.jti).toMatch(UUID);
    expect(payload.exp).toBe((payload.iat as number) + 120);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    // The key is the API key string's bytes.
    const [h, p, sig] = token.split('.');
    expect(sig).toBe(createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(`${h}.${p}`).digest('base64url'));
  });

  test.each(['HS384', 'HS512'] as const)('algorithm %s: its header and its signature', async (alg) => {
    const res = await choose(mounted({ algorithm: alg }), `jwtRP=${RP}`);
    const token = new URL(res.headers.location!).searchParams.get('jwt')!;
    expect(decode(token).header).toEqual({ alg });
    expect(jwt.verify(token, SECRET, { algorithms: [alg] })).toMatchObject({ sub: 'minerva.teacher' });
    expect(() => jwt.verify(token, SECRET, { algorithms: ['HS256'] })).toThrow();
  });

  test('a user without an email gets username@organisation_domain', async () => {
    const res = await request(mounted()).post(`/?jwtRP=${RP}`).type('form').send({ user: 'harry.student' });
    expect(decode(new URL(res.headers.location!).searchParams.get('jwt')!).payload.email).toBe('harry.student@example.opinsys.fi');
  });

  test('the login page keeps jwtRP, return_to and error_url in hidden fields, escaped, and names the callback host', async () => {
    const returnTo = 'http://localhost:3000/p?q="><script>alert(1)</script>';
    const res = await request(mounted()).get(`/?jwtRP=${RP}&return_to=${encodeURIComponent(returnTo)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Sign in to localhost:3000');
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain(`<input type="hidden" name="jwtRP" value="${RP}">`);
    expect(res.text).toContain('value="http://localhost:3000/p?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  test.each([
    ['no jwtRP', ''],
    ['an empty jwtRP', 'jwtRP='],
    ['jwtRP twice', `jwtRP=${RP}&jwtRP=${RP}`],
    ['another relying party', 'jwtRP=other-app'],
    ['a return_to on a host not allowed', `jwtRP=${RP}&return_to=${encodeURIComponent('https://evil.example/')}`],
    ['a relative return_to', `jwtRP=${RP}&return_to=%2Fp`],
    ['a javascript: return_to', `jwtRP=${RP}&return_to=${encodeURIComponent('javascript:alert(1)')}`],
    ['a return_to with credentials', `jwtRP=${RP}&return_to=${encodeURIComponent('http://u@localhost/')}`],
    [
      'return_to twice',
      `jwtRP=${RP}&return_to=${encodeURIComponent('http://localhost/')}&return_to=${encodeURIComponent('http://localhost/x')}`,
    ],
    ['an error_url on a host not allowed', `jwtRP=${RP}&error_url=${encodeURIComponent('https://evil.example/')}`],
  ])('refuses %s with a 400 page, on the page and on the choice', async (_name, query) => {
    const provider = mounted({ relyingParty: RP });
    const page = await request(provider).get(`/?${query}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Cannot sign in');
    expect((await choose(provider, query)).status).toBe(400);
  });

  test('control: the same provider accepts its relying party with an allowed return_to', async () => {
    const provider = mounted({ relyingParty: RP });
    expect((await request(provider).get(`/?jwtRP=${RP}&return_to=${encodeURIComponent('http://localhost/x')}`)).status).toBe(200);
    expect((await choose(provider, `jwtRP=${RP}&return_to=${encodeURIComponent('http://localhost/x')}`)).status).toBe(302);
  });

  test('returnToPattern must match the whole return_to (WSO2 matches its regex in full)', async () => {
    const provider = mounted({ returnToPattern: /http:\/\/localhost:3000\/app\/.*/ });
    const ok = await choose(provider, `jwtRP=${RP}&return_to=${encodeURIComponent('http://localhost:3000/app/x')}`);
    expect(ok.status).toBe(302);
    const prefixOnly = await choose(
      provider,
      `jwtRP=${RP}&return_to=${encodeURIComponent('http://evil.example/?http://localhost:3000/app/x')}`,
    );
    expect(prefixOnly.status).toBe(400);
  });

  test('logout: a 302 to the fixed logoutUrl, whatever redirect_to says; without one, a "Signed out" page', async () => {
    const fixed = mounted({ logoutUrl: 'http://localhost:3000/signed-out' });
    const out = await request(fixed).get(`/logout?jwtRP=${RP}&redirect_to=${encodeURIComponent('http://localhost:3000/elsewhere')}`);
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('http://localhost:3000/signed-out');
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const page = await request(mounted()).get(`/logout?jwtRP=${RP}&redirect_to=${encodeURIComponent('http://localhost:3000/elsewhere')}`);
    expect(page.status).toBe(200);
    expect(page.headers.location).toBeUndefined();
    expect(page.text).toContain('Signed out');
  });

  test.each<[string, Partial<DevProviderOptions>, RegExp]>([
    ['no callbackUrl', { callbackUrl: undefined }, /"callbackUrl" is required/],
    [
      'a callbackUrl on a host not allowed',
      { callbackUrl: 'https://evil.example/sso/callback' },
      /"callbackUrl" names a host not in allowedHosts/,
    ],
    ['a relative callbackUrl', { callbackUrl: '/sso/callback' }, /"callbackUrl" must be an absolute/],
    ['an algorithm WSO2 does not have', { algorithm: 'RS256' as never }, /"algorithm" must be one of HS256, HS384, HS512/],
    ['a logoutUrl on a host not allowed', { logoutUrl: 'https://evil.example/' }, /"logoutUrl" names a host/],
    ['a clientId (Freshworks only)', { clientId: 'x' }, /"clientId" is not for shape "wso2"/],
    ['no sharedSecret', { sharedSecret: undefined }, /"sharedSecret" must be/],
  ])('createDevProvider refuses %s, naming the option', (_name, options, message) => {
    expect(() => mounted(options)).toThrow(message);
    expect(() => mounted(options)).toThrow(TypeError);
  });

  test('errors never carry the secret', () => {
    try {
      mounted({ algorithm: 'none' as never });
    } catch (err) {
      expect(String(err)).not.toContain(SECRET);
    }
    expect.assertions(1);
  });
});

describe('end to end with presets.wso2', () => {
  // WSO2 signs HS384/HS512 when the relying party is so set: the app names that one algorithm.
  const LONG = 'a relying party API key long enough for HS512: sixty-four bytes at least, here.';
  test.each([
    ['HS384', 'HS384', 200, []],
    ['HS512', 'HS512', 200, []],
    ['HS512', 'nothing (HS256, the default)', 401, ['ERR_JWTSSO_ALGORITHM_NOT_ALLOWED']],
    ['HS256', 'HS512', 401, ['ERR_JWTSSO_ALGORITHM_NOT_ALLOWED']],
  ] as const)('WSO2 signing %s, the app naming %s: %s', async (signs, named, status, refused) => {
    const names = named.startsWith('HS') ? (named as 'HS384' | 'HS512') : undefined;
    const { app, codes } = await start({
      dev: { sharedSecret: LONG, ...(signs === 'HS256' ? {} : { algorithm: signs }) },
      strategy: { sharedSecret: LONG, ...(names === undefined ? {} : { algorithms: [names] }) },
    });
    const { final } = await signInThrough(app.browser(), '/protected');
    expect(final.status).toBe(status);
    expect(codes).toEqual(refused);
  });

  test('login: the 302 to the fixed callback, then the clean return URL, signed in; no token in any URL the user keeps', async () => {
    const { app, server } = await start();
    const browser = app.browser();
    const { toProvider, delivery, callback, final } = await signInThrough(browser, '/protected?tab=2');
    const asked = new URL(toProvider.headers.location!);
    expect(asked.origin + asked.pathname).toBe(`${server.origin}${PATH}`);
    expect(asked.searchParams.get('jwtRP')).toBe(RP);
    expect(delivery.method).toBe('GET');
    expect(delivery.url.origin + delivery.url.pathname).toBe(`${app.url}/sso/callback`);
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/protected?tab=2');
    expect(final.status).toBe(200);
    expect(final.body.user).toEqual({ email: 'minerva.teacher@example.opinsys.fi' });
    expect(final.body.url).toBe('/protected?tab=2');
    expect((await browser.get('/api/me')).body.user).toEqual({ email: 'minerva.teacher@example.opinsys.fi' });
  });

  test('the state is refused from another browser (403), and the browser that started the login still signs in', async () => {
    const { app, codes } = await start();
    const alice = app.browser();
    const delivery = await atProvider((await alice.get('/protected').expect(302)).headers.location!);
    const mallory = app.browser();
    const stolen = await deliver(mallory, delivery);
    expect(stolen.status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    expect((await mallory.get('/api/me')).status).toBe(401);
    const back = await deliver(alice, delivery).expect(303);
    expect((await alice.get(back.headers.location!)).status).toBe(200);
  });

  test('replay: the same token with a fresh state of another browser is refused (401 TOKEN_REPLAYED); control: that browser signs in itself', async () => {
    const { app, codes } = await start();
    const first = await signInThrough(app.browser(), '/protected');
    expect(first.final.status).toBe(200);
    const other = app.browser();
    const ownReturnTo = new URL((await other.get('/protected').expect(302)).headers.location!).searchParams.get('return_to')!;
    const replay = await deliver(other, withParam(first.delivery, 'return_to', ownReturnTo)).expect(303);
    const res = await other.get(replay.headers.location!);
    expect(res.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
    expect((await signInThrough(other, '/protected')).final.status).toBe(200);
  });

  test('the dev provider refuses, by default, a return_to whose host is not allowed (400): the token never leaves it', async () => {
    const { app } = await start();
    const location = new URL((await app.browser().get('/protected').expect(302)).headers.location!);
    location.searchParams.set('return_to', 'https://evil.example/protected');
    const page = await fetch(location, { redirect: 'manual' });
    expect(page.status).toBe(400);
    const chosen = await fetch(location, { method: 'POST', body: new URLSearchParams({ user: 'minerva.teacher' }), redirect: 'manual' });
    expect(chosen.status).toBe(400);
    expect(chosen.headers.get('location')).toBeNull();
  });

  describe('hostile return URLs passed back beside the token by a lax provider (returnToPattern /.+/), app at /app', () => {
    test.each(returnUrlTable('APP.HOST', '?jwtsso_state=STATE'))('%s', async (_name, template, outcome) => {
      await returnUrlCase(await start({ mountPoint: MOUNT, dev: { returnToPattern: /[\s\S]+/ } }), { template, outcome });
    });

    test('return_to twice (the real one and another host): neither is followed', async () => {
      const { codes, browser: newBrowser } = await start({ mountPoint: MOUNT, dev: { returnToPattern: /[\s\S]+/ } });
      const browser = newBrowser();
      const delivery = await atProvider((await browser.get(`${MOUNT}/protected`).expect(302)).headers.location!);
      if (delivery.method !== 'GET') throw new Error('WSO2 delivers by GET');
      const url = new URL(delivery.url.href);
      url.searchParams.append('return_to', 'http://evil.example/');
      const res = await deliver(browser, { method: 'GET', url });
      expect(res.status).toBe(403);
      expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    });
  });

  describe('jti policy', () => {
    test.each<[string, ((c: Record<string, unknown>) => Record<string, unknown>) | undefined, 'jti' | 'jti-or-token-hash', string | null]>([
      ['control: a UUID jti under "jti"', undefined, 'jti', null],
      ['control: a UUID jti under "jti-or-token-hash"', undefined, 'jti-or-token-hash', null],
      ['no jti under "jti"', ({ jti: _jti, ...c }) => c, 'jti', 'ERR_JWTSSO_CLAIM_MISSING'],
      ['no jti under "jti-or-token-hash" (remembered by its hash)', ({ jti: _jti, ...c }) => c, 'jti-or-token-hash', null],
      ['an object jti under "jti"', (c) => ({ ...c, jti: { id: 'x' } }), 'jti', 'ERR_JWTSSO_CLAIM_INVALID'],
      ['an object jti under "jti-or-token-hash"', (c) => ({ ...c, jti: { id: 'x' } }), 'jti-or-token-hash', 'ERR_JWTSSO_CLAIM_INVALID'],
      ['a null jti under "jti-or-token-hash"', (c) => ({ ...c, jti: null }), 'jti-or-token-hash', 'ERR_JWTSSO_CLAIM_MISSING'],
    ])('%s', async (_name, claims, replayKey, code) => {
      const { app, codes } = await start({ dev: claims === undefined ? {} : { claims }, strategy: { replayKey } });
      const { final } = await signInThrough(app.browser(), '/protected');
      if (code === null) {
        expect(final.status).toBe(200);
        expect(codes).toEqual([]);
      } else {
        expect(final.status).toBe(401);
        expect(codes).toEqual([code]);
      }
    });

    test('without a jti, a replay is still refused: by the hash of the token', async () => {
      const { app, codes } = await start({ dev: { jti: false }, strategy: { replayKey: 'jti-or-token-hash' } });
      const first = await signInThrough(app.browser(), '/protected');
      expect(decode(paramOf(first.delivery, 'jwt')!).payload.jti).toBeUndefined();
      expect(first.final.status).toBe(200);
      const other = app.browser();
      const ownReturnTo = new URL((await other.get('/protected').expect(302)).headers.location!).searchParams.get('return_to')!;
      const replay = await deliver(other, withParam(first.delivery, 'return_to', ownReturnTo)).expect(303);
      expect((await other.get(replay.headers.location!)).status).toBe(401);
      expect(codes).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
    });
  });

  test('a token older than the preset maxAge (120 s, as WSO2 mints them) is refused', async () => {
    const { app, codes } = await start({ dev: { iatOffset: -200 } });
    const { final } = await signInThrough(app.browser(), '/protected');
    expect(final.status).toBe(401);
    expect(codes).toEqual([expect.stringMatching(/^ERR_JWTSSO_TOKEN_(TOO_OLD|EXPIRED)$/)]);
  });

  test("logout: the app's logoutUrl has no redirect parameter (logoutRedirectParam: false); WSO2 sends the browser to its fixed URL", async () => {
    const { app, server } = await start({ dev: { logoutUrl: 'http://127.0.0.1:1/signed-out' } });
    const url = app.strategy.logoutUrl({ headers: { host: new URL(app.url).host } } as never, { redirectTo: '/protected' });
    expect(url).toBe(`${server.origin}${PATH}/logout?jwtRP=${RP}`);
    const out = await fetch(url, { redirect: 'manual' });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('http://127.0.0.1:1/signed-out');
  });
});
