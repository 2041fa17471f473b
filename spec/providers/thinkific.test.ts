// A Thinkific-style provider, played by the dev provider (shape 'thinkific'), against the
// thinkific preset through a real Express app on loopback: a GET of the fixed callback with
// `jwt` and `return_to` (and `error_url`) beside it; claims first_name, last_name, email,
// external_id, iat, and no jti unless asked for (the preset remembers a used token by its hash).
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

const SECRET = 'thinkific-api-key';
const PATH = '/sso/jwt';
const CALLBACK = '/sso/thinkific';
const MINERVA = { email: 'minerva.teacher@example.opinsys.fi' };

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
    strategy: (origin) => ({
      ...presets.thinkific({ loginUrl: `${origin}${PATH}`, sharedSecret: SECRET, callbackPath: CALLBACK, mountPoint }),
      ...options.strategy,
    }),
    provider: (origin) =>
      createDevProvider({ shape: 'thinkific', sharedSecret: SECRET, callbackUrl: `${origin}${mountPoint}${CALLBACK}`, ...options.dev }),
  });
  return site;
}

describe('the wire format', () => {
  const mounted = (options: Partial<DevProviderOptions> = {}) =>
    createDevProvider({ shape: 'thinkific', sharedSecret: SECRET, callbackUrl: 'http://localhost:3000/sso/thinkific', ...options });

  test('a 302 to the fixed callback with jwt, return_to and error_url %-encoded (spaces as %20)', async () => {
    const returnTo = 'http://localhost:3000/courses?q=a b';
    const errorUrl = 'http://localhost:3000/sso-error';
    const res = await request(mounted())
      .post(`/?return_to=${encodeURIComponent(returnTo)}&error_url=${encodeURIComponent(errorUrl)}`)
      .type('form')
      .send({ user: 'minerva.teacher' });
    expect(res.status).toBe(302);
    const token = new URL(res.headers.location!).searchParams.get('jwt')!;
    expect(res.headers.location).toBe(
      `http://localhost:3000/sso/thinkific?jwt=${token}&return_to=${encodeURIComponent(returnTo)}&error_url=${encodeURIComponent(errorUrl)}`,
    );
    expect(res.headers.location).toContain('a%20b');
  });

  test('header with typ; claims first_name, last_name, email, external_id, iat, and no jti', async () => {
    const res = await request(mounted()).post('/').type('form').send({ user: 'minerva.teacher' });
    const token = new URL(res.headers.location!).searchParams.get('jwt')!;
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload).sort()).toEqual(['email', 'external_id', 'first_name', 'iat', 'last_name']);
    expect(payload).toMatchObject({ first_name: 'Minerva', last_name: 'Teacher', email: MINERVA.email, external_id: '1001' });
  });

  test('a jti when asked for', async () => {
    const res = await request(mounted({ jti: () => 'j-1' }))
      .post('/')
      .type('form')
      .send({ user: 'minerva.teacher' });
    expect(decode(new URL(res.headers.location!).searchParams.get('jwt')!).payload.jti).toBe('j-1');
  });

  test.each([
    ['a return_to on a host not allowed', `return_to=${encodeURIComponent('https://evil.example/')}`],
    ['an error_url on a host not allowed', `error_url=${encodeURIComponent('https://evil.example/')}`],
    ['error_url twice', `error_url=${encodeURIComponent('http://localhost/')}&error_url=${encodeURIComponent('http://localhost/x')}`],
  ])('refuses %s with a 400', async (_name, q) => {
    const res = await request(mounted()).post(`/?${q}`).type('form').send({ user: 'minerva.teacher' });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  test('control: no return_to or error_url at all', async () => {
    const res = await request(mounted()).post('/').type('form').send({ user: 'minerva.teacher' });
    expect(res.status).toBe(302);
    expect([...new URL(res.headers.location!).searchParams.keys()]).toEqual(['jwt']);
  });
});

describe('end to end with presets.thinkific', () => {
  test('login: the GET of the fixed callback, the clean return URL, signed in', async () => {
    const { origin, browser: newBrowser } = await start();
    const browser = newBrowser();
    const { delivery, callback, final } = await signInThrough(browser, '/protected?course=7');
    expect(delivery.method).toBe('GET');
    expect(delivery.url.origin + delivery.url.pathname).toBe(`${origin}${CALLBACK}`);
    expect(callback.headers.location).toBe('/protected?course=7');
    expect(final.body.user).toEqual(MINERVA);
  });

  test('the state is refused from another browser (403)', async () => {
    const { codes, browser: newBrowser } = await start();
    const delivery = await atProvider((await newBrowser().get('/protected').expect(302)).headers.location!);
    const mallory = newBrowser();
    expect((await deliver(mallory, delivery)).status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    expect((await mallory.get('/api/me')).status).toBe(401);
  });

  test('replay without a jti: the same token with a fresh state is refused by its hash (401 TOKEN_REPLAYED)', async () => {
    const { codes, browser: newBrowser } = await start();
    const first = await signInThrough(newBrowser(), '/protected');
    expect(decode(paramOf(first.delivery, 'jwt')!).payload.jti).toBeUndefined();
    expect(first.final.body.user).toEqual(MINERVA);
    const other = newBrowser();
    const ownReturnTo = new URL((await other.get('/protected').expect(302)).headers.location!).searchParams.get('return_to')!;
    const replay = await deliver(other, withParam(first.delivery, 'return_to', ownReturnTo)).expect(303);
    expect((await other.get(replay.headers.location!)).status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
    // Control: a token of its own signs that browser in (another user: see the next test).
    expect((await signInThrough(other, '/protected', { user: 'albus.admin' })).final.body.user).toEqual({
      email: 'albus.admin@example.opinsys.fi',
    });
  });

  // A limit of providers that send neither jti nor nonce, stated: two logins of one user within
  // one second of iat are one token, byte for byte (HMAC is deterministic), so the second is a
  // replay. The user sees a 401 and signs in again a second later.
  test('two logins of one user in the same second mint the same token: the second is refused as a replay', async () => {
    const second = Date.now();
    const { codes, browser: newBrowser } = await start({ dev: { clock: () => second } });
    const a = await signInThrough(newBrowser(), '/protected');
    expect(a.final.body.user).toEqual(MINERVA);
    const b = await signInThrough(newBrowser(), '/protected');
    expect(paramOf(b.delivery, 'jwt')).toBe(paramOf(a.delivery, 'jwt'));
    expect(b.final.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
    // Control: a second later, a new token.
    await site!.close();
    const { browser: later } = await start({ dev: { clock: () => second + 1000 } });
    expect((await signInThrough(later(), '/protected')).final.body.user).toEqual(MINERVA);
  });

  describe('hostile return URLs beside the token (a lax provider), app at /app', () => {
    test.each(returnUrlTable('APP.HOST', '?jwtsso_state=STATE'))('%s', async (_name, template, outcome) => {
      await returnUrlCase(await start({ mountPoint: MOUNT, dev: { returnToPattern: /[\s\S]+/ } }), { template, outcome });
    });
  });

  describe('jti policy', () => {
    test.each<[string, Partial<DevProviderOptions>, 'jti' | 'jti-or-token-hash', string | null]>([
      ['no jti under the preset\'s "jti-or-token-hash"', {}, 'jti-or-token-hash', null],
      ['no jti under "jti"', {}, 'jti', 'ERR_JWTSSO_CLAIM_MISSING'],
      ['control: a jti under "jti"', { jti: () => `j-${Math.random()}` }, 'jti', null],
      ['an object jti under "jti"', { claims: (c) => ({ ...c, jti: { a: 1 } }) }, 'jti', 'ERR_JWTSSO_CLAIM_INVALID'],
      [
        'an object jti under "jti-or-token-hash"',
        { claims: (c) => ({ ...c, jti: { a: 1 } }) },
        'jti-or-token-hash',
        'ERR_JWTSSO_CLAIM_INVALID',
      ],
    ])('%s', async (_name, dev, replayKey, code) => {
      const { codes, browser } = await start({ dev, strategy: { replayKey } });
      const { final } = await signInThrough(browser(), '/protected');
      if (code === null) {
        expect(final.body.user).toEqual(MINERVA);
        expect(codes).toEqual([]);
      } else {
        expect(final.status).toBe(401);
        expect(codes).toEqual([code]);
      }
    });
  });
});
