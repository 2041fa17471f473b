// The dev provider's default shape, Puavo's, named: `shape: 'puavo'` is the provider it always
// was (its own suite is spec/dev-provider.test.ts), against presets.puavo end to end; and what is
// common to every shape: the option checks, startDevProvider's paths, mintToken.
import request from 'supertest';
import { presets } from '../../lib';
import { createDevProvider, type DevProviderOptions, type DevProviderShape } from '../../lib/dev-provider';
import { mintToken, startDevProvider, type RunningDevProvider } from '../../lib/testing';
import { startApp, type TestApp } from '../helpers/app';
import { decode, signInThrough } from './shape-flow';

const SECRET = 'puavo-service-secret';

describe("shape 'puavo'", () => {
  test('is the default: the same 303 to return_to with jwt added, the same header and claims', async () => {
    const returnTo = 'http://localhost:3000/p?b=2&a=1';
    const answer = async (options: Partial<DevProviderOptions>) => {
      const res = await request(createDevProvider({ sharedSecret: SECRET, jti: () => 'same', clock: () => 1_700_000_000_000, ...options }))
        .post(`/?return_to=${encodeURIComponent(returnTo)}`)
        .type('form')
        .send({ user: 'minerva.teacher', return_to: returnTo });
      return { status: res.status, location: res.headers.location };
    };
    const named = await answer({ shape: 'puavo' });
    expect(named).toEqual(await answer({}));
    expect(named.status).toBe(303);
    const token = new URL(named.location!).searchParams.get('jwt')!;
    expect(named.location).toBe(`http://localhost:3000/p?a=1&b=2&jwt=${token}`);
    expect(decode(token).header).toEqual({ alg: 'HS256' });
    expect(decode(token).payload).toMatchObject({
      jti: 'same',
      iat: 1_700_000_000,
      username: 'minerva.teacher',
      external_service_path_prefix: '/',
    });
  });

  test.each<[string, Partial<DevProviderOptions>, RegExp]>([
    [
      'an unknown shape',
      { shape: 'saml' as DevProviderShape },
      /"shape" must be one of "puavo", "wso2", "zendesk", "freshworks", "thinkific"/,
    ],
    ['a callbackUrl (Puavo returns to return_to itself)', { callbackUrl: 'http://localhost/cb' }, /"callbackUrl" is not for shape "puavo"/],
    ['an algorithm (WSO2 only)', { algorithm: 'HS512' }, /"algorithm" is not for shape "puavo"/],
    ['a relyingParty (WSO2 only)', { relyingParty: 'rp' }, /"relyingParty" is not for shape "puavo"/],
    ['a returnToPattern (fixed-callback shapes only)', { returnToPattern: /.+/ }, /"returnToPattern" is not for shape "puavo"/],
    ['a jti that is not a function', { jti: 'x' as never }, /"jti" must be a function or false/],
    ['a claims hook that is not a function', { claims: {} as never }, /"claims" must be a function/],
  ])('createDevProvider refuses %s, naming the option', (_name, options, message) => {
    const make = () => createDevProvider({ sharedSecret: SECRET, ...options });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  test.each<[DevProviderShape, Partial<DevProviderOptions>]>([
    ['zendesk', { legacyStringIat: true }],
    ['thinkific', { servicePathPrefix: '/x' }],
  ])("Puavo's own options are refused for shape %s", (shape, options) => {
    expect(() => createDevProvider({ shape, sharedSecret: SECRET, callbackUrl: 'http://localhost/cb', ...options })).toThrow(
      /is not for shape/,
    );
  });

  test("jti: false mints Puavo's shape without a jti (for an app's test of its own refusal)", async () => {
    const res = await request(createDevProvider({ sharedSecret: SECRET, jti: false }))
      .post('/?return_to=http%3A%2F%2Flocalhost%2F')
      .type('form')
      .send({ user: 'minerva.teacher', return_to: 'http://localhost/' });
    expect(decode(new URL(res.headers.location!).searchParams.get('jwt')!).payload.jti).toBeUndefined();
  });
});

describe('end to end with presets.puavo', () => {
  let app: TestApp | undefined;
  let provider: RunningDevProvider | undefined;
  afterEach(async () => {
    await app?.close();
    await provider?.close();
  });

  test('login through the dev provider: the token on the return URL, the clean URL, signed in', async () => {
    provider = await startDevProvider({ sharedSecret: SECRET, shape: 'puavo' });
    app = await startApp({
      strategy: { ...presets.puavo({ authEndpoint: provider.url, sharedSecret: SECRET, organisation: 'example.opinsys.fi' }) },
    });
    const browser = app.browser();
    const { toProvider, delivery, callback, final } = await signInThrough(browser, '/protected?x=1');
    expect(new URL(toProvider.headers.location!).searchParams.get('organisation')).toBe('example.opinsys.fi');
    expect(delivery.method).toBe('GET');
    expect(delivery.url.pathname).toBe('/protected');
    expect(callback.headers.location).toBe('/protected?x=1');
    expect(final.body.user).toEqual({ id: 1001, username: 'minerva.teacher' });
  });
});

describe('startDevProvider serves each shape where that provider does', () => {
  const cases: Array<[DevProviderShape, Partial<DevProviderOptions>, string]> = [
    ['puavo', { sharedSecret: SECRET }, '/v3/sso'],
    ['wso2', { sharedSecret: SECRET, callbackUrl: 'http://localhost/cb' }, '/identity/jwtsso'],
    ['zendesk', { sharedSecret: SECRET, callbackUrl: 'http://localhost/access/jwt' }, '/sso/jwt'],
    ['freshworks', {}, '/sso/authorize'],
    ['thinkific', { sharedSecret: SECRET, callbackUrl: 'http://localhost/cb' }, '/sso/jwt'],
  ];
  test.each(cases)('%s at %s', async (shape, options, path) => {
    const running = await startDevProvider({ shape, ...options });
    try {
      expect(new URL(running.url).pathname).toBe(path);
      expect(running.logoutUrl).toBe(`${running.url}/logout`);
      expect(running.shape).toBe(shape);
      if (shape === 'freshworks') {
        expect(running.jwksUri).toBe(`${running.url}/jwks.json`);
        const jwks = (await (await fetch(running.jwksUri!)).json()) as { keys: Array<{ n: string }> };
        expect(jwks.keys[0]!.n).toBe(running.publicKey!.export({ format: 'jwk' }).n);
      } else {
        expect(running.jwksUri).toBeUndefined();
        expect(running.publicKey).toBeUndefined();
      }
    } finally {
      await running.close();
    }
  });
});

describe('mintToken mints the shape it is told', () => {
  test.each<[DevProviderShape, Partial<DevProviderOptions>, string[], Record<string, unknown>]>([
    [
      'wso2',
      { callbackUrl: 'http://localhost/cb', algorithm: 'HS384' },
      ['email', 'exp', 'family_name', 'given_name', 'iat', 'jti', 'sub'],
      { alg: 'HS384' },
    ],
    ['zendesk', { callbackUrl: 'http://localhost/cb' }, ['email', 'external_id', 'iat', 'jti', 'name'], { alg: 'HS256', typ: 'JWT' }],
    [
      'thinkific',
      { callbackUrl: 'http://localhost/cb' },
      ['email', 'external_id', 'first_name', 'iat', 'last_name'],
      { alg: 'HS256', typ: 'JWT' },
    ],
  ])('%s', (shape, options, claims, header) => {
    const token = mintToken({ shape, sharedSecret: SECRET, ...options, user: 'albus.admin' });
    expect(Object.keys(decode(token).payload).sort()).toEqual(claims);
    expect(decode(token).header).toEqual(header);
  });
});
