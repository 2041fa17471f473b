// A Freshworks-style provider, played by the dev provider (shape 'freshworks'), against the
// freshworks preset through a real Express app on loopback: OAuth-implicit shaped, a top-level
// state echoed beside the token in `id_token`, the nonce inside it, RS256 with the provider's
// own key pair (given to the app as publicKey, or fetched from its JWKS), no jti.
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { presets, type JwtSsoStrategyBaseOptions } from '../../lib';
import { createDevProvider, type DevProvider, type DevProviderOptions } from '../../lib/dev-provider';
import { atProvider, decode, deliver, signInThrough, startSite, type Delivery, type Site } from './shape-flow';

const CLIENT = 'demo-client';
const PATH = '/sso/authorize';
const MINERVA = { email: 'minerva.teacher@example.opinsys.fi' };

let site: Site | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

// Freshworks' payload table names no `aud`, so the app turns the preset's audience check off
// (`audience: false`, with a key of its own) unless a test says otherwise.
async function start(
  options: {
    dev?: Partial<DevProviderOptions>;
    strategy?: Partial<JwtSsoStrategyBaseOptions>;
    keys?: 'publicKey' | 'jwksUri';
    audience?: string | false | undefined;
  } = {},
): Promise<Site & { provider: DevProvider }> {
  const provider = createDevProvider({ shape: 'freshworks', clientId: CLIENT, ...options.dev });
  site = await startSite({
    path: PATH,
    strategy: (origin) => ({
      ...presets.freshworks({
        authEndpoint: `${origin}${PATH}`,
        clientId: CLIENT,
        callbackPath: '/sso/callback',
        audience: 'audience' in options ? options.audience : false,
        ...(options.keys === 'jwksUri' ? { jwksUri: `${origin}${PATH}/jwks.json` } : { publicKey: provider.publicKey! }),
      }),
      sharedSecret: undefined,
      ...options.strategy,
    }),
    provider: () => provider,
  });
  return { ...site, provider };
}

const tokenOf = (d: Delivery): string => {
  if (d.method !== 'GET') throw new Error('the Freshworks shape redirects');
  return d.url.searchParams.get('id_token')!;
};

describe('the wire format', () => {
  const provider = createDevProvider({ shape: 'freshworks', clientId: CLIENT });
  const good = {
    response_type: 'id_token',
    client_id: CLIENT,
    scope: 'openid email',
    state: 'st/te+1 &x',
    nonce: 'n-0S6_WzA2Mj',
    redirect_uri: 'http://localhost:3000/sso/callback',
  };
  const query = (params: Record<string, string | string[] | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of v === undefined ? [] : [v].flat()) q.append(k, one);
    return q.toString();
  };
  const choose = (params: Record<string, string | string[] | undefined>, p: DevProvider = provider) =>
    request(p)
      .post(`/?${query(params)}`)
      .type('form')
      .send({ user: 'minerva.teacher' });

  test('a 302 to `${redirect_uri}?state=${state}&id_token=${jwt}`: the state echoed at the top level', async () => {
    const page = await request(provider).get(`/?${query(good)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in to localhost:3000');
    const res = await choose(good);
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = new URL(res.headers.location!).searchParams.get('id_token')!;
    expect(res.headers.location).toBe(`http://localhost:3000/sso/callback?state=${encodeURIComponent(good.state)}&id_token=${token}`);
    expect(new URL(res.headers.location!).searchParams.get('state')).toBe(good.state);
  });

  test('a redirect_uri with a query of its own keeps it; no state sent, none echoed', async () => {
    const res = await choose({ ...good, state: undefined, redirect_uri: 'http://localhost:3000/cb?tenant=1' });
    const token = new URL(res.headers.location!).searchParams.get('id_token')!;
    expect(res.headers.location).toBe(`http://localhost:3000/cb?tenant=1&id_token=${token}`);
  });

  test("RS256 with typ and the kid of its JWKS; claims sub, email, iat, nonce and no jti or aud (Freshworks' payload table); verifies with its public key only", async () => {
    const token = new URL((await choose(good)).headers.location!).searchParams.get('id_token')!;
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: provider.jwks!.keys[0]!.kid });
    expect(Object.keys(payload).sort()).toEqual(['email', 'iat', 'nonce', 'sub']);
    expect(payload).toMatchObject({ sub: 'minerva.teacher', email: MINERVA.email, nonce: good.nonce });
    expect(jwt.verify(token, provider.publicKey!, { algorithms: ['RS256'] })).toMatchObject({ sub: 'minerva.teacher' });
    const other = createDevProvider({ shape: 'freshworks' });
    expect(() => jwt.verify(token, other.publicKey!, { algorithms: ['RS256'] })).toThrow(/invalid signature/);
  });

  test('no nonce sent, none in the token; a jti only when asked for', async () => {
    const token = new URL((await choose({ ...good, nonce: undefined })).headers.location!).searchParams.get('id_token')!;
    expect(decode(token).payload.nonce).toBeUndefined();
    const withJti = createDevProvider({ shape: 'freshworks', jti: () => 'id-1' });
    const t2 = new URL((await choose({ ...good, client_id: 'any' }, withJti)).headers.location!).searchParams.get('id_token')!;
    expect(decode(t2).payload.jti).toBe('id-1');
  });

  test('GET /jwks.json serves its public key (no private part), the one the handler exposes', async () => {
    const res = await request(provider).get('/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(provider.jwks);
    const [key] = res.body.keys as Array<Record<string, unknown>>;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key!.n).toBe(provider.publicKey!.export({ format: 'jwk' }).n);
  });

  test('control: an HMAC shape exposes no key and serves no JWKS', async () => {
    const puavo = createDevProvider({ sharedSecret: 'x' });
    expect(puavo.publicKey).toBeUndefined();
    expect(puavo.jwks).toBeUndefined();
    expect((await request(puavo).get('/jwks.json')).status).toBe(404);
  });

  test.each<[string, Record<string, string | string[] | undefined>]>([
    ['no response_type', { response_type: undefined }],
    ['response_type=code', { response_type: 'code' }],
    ['response_type twice', { response_type: ['id_token', 'id_token'] }],
    ['no client_id', { client_id: undefined }],
    ['another client_id', { client_id: 'other-client' }],
    ['no redirect_uri', { redirect_uri: undefined }],
    ['a redirect_uri on a host not allowed', { redirect_uri: 'https://evil.example/sso/callback' }],
    ['a relative redirect_uri', { redirect_uri: '/sso/callback' }],
    ['a redirect_uri with credentials', { redirect_uri: 'http://u:p@localhost:3000/sso/callback' }],
    ['redirect_uri twice', { redirect_uri: ['http://localhost:3000/a', 'http://localhost:3000/b'] }],
    ['state twice', { state: ['a', 'b'] }],
    ['nonce twice', { nonce: ['a', 'b'] }],
  ])('refuses %s with a 400, on the page and on the choice', async (_name, change) => {
    const params = { ...good, ...change };
    expect((await request(provider).get(`/?${query(params)}`)).status).toBe(400);
    const res = await choose(params);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  test('callbackUrl pins redirect_uri to the registered one; control: the registered one', async () => {
    const pinned = createDevProvider({ shape: 'freshworks', callbackUrl: 'http://localhost:3000/sso/callback' });
    expect((await choose({ ...good, redirect_uri: 'http://localhost:3000/sso/other' }, pinned)).status).toBe(400);
    expect((await choose(good, pinned)).status).toBe(302);
  });

  test.each<[string, Partial<DevProviderOptions>, RegExp]>([
    [
      'a sharedSecret (it signs RS256 with its own pair)',
      { sharedSecret: 'do-not-print-me' },
      /"sharedSecret" is not for shape "freshworks"/,
    ],
    ['an algorithm (WSO2 only)', { algorithm: 'HS512' }, /"algorithm" is not for shape "freshworks"/],
    ['a returnToPattern (no return_to here)', { returnToPattern: /.+/ }, /"returnToPattern" is not for shape "freshworks"/],
    ['an empty clientId', { clientId: '' }, /"clientId" must be a non-empty string/],
  ])('createDevProvider refuses %s, naming the option and never the secret', (_name, options, message) => {
    const make = () => createDevProvider({ shape: 'freshworks', ...options });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
    expect(make).not.toThrow(/do-not-print-me/);
  });
});

describe('end to end with presets.freshworks', () => {
  describe("the preset's audience check against a provider that follows Freshworks' payload table (no aud): judged where it is there", () => {
    test.each<[string, string | false | undefined, DevProviderOptions['claims'], string | null]>([
      ['the default, no aud sent (as Freshworks documents): signs in', undefined, undefined, null],
      ['the default, aud of another client: refused', undefined, (c) => ({ ...c, aud: 'another-client' }), 'ERR_JWTSSO_CLAIM_INVALID'],
      ['the default, aud a list naming no one of ours: refused', undefined, (c) => ({ ...c, aud: ['x', 'y'] }), 'ERR_JWTSSO_CLAIM_INVALID'],
      ['the default, aud not a string: refused', undefined, (c) => ({ ...c, aud: 42 }), 'ERR_JWTSSO_CLAIM_INVALID'],
      ['control: the default, a provider that sends aud = clientId', undefined, (c) => ({ ...c, aud: CLIENT }), null],
      ['an audience the app names is required: no aud sent, refused', CLIENT, undefined, 'ERR_JWTSSO_CLAIM_MISSING'],
      ['control: an audience the app names, sent', CLIENT, (c) => ({ ...c, aud: CLIENT }), null],
      ['control: audience false, no aud sent', false, undefined, null],
    ])('%s', async (_name, audience, claims, code) => {
      const { codes, browser } = await start({ audience, dev: claims === undefined ? {} : { claims } });
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

  test.each(['publicKey', 'jwksUri'] as const)(
    'login with the key as %s: state and nonce out, state echoed and nonce in, signed in on the page asked for',
    async (keys) => {
      const { app, browser: newBrowser } = await start({ keys });
      const browser = newBrowser();
      const { toProvider, delivery, callback, final } = await signInThrough(browser, '/protected?deep=1');
      const asked = new URL(toProvider.headers.location!);
      expect(Object.fromEntries(asked.searchParams)).toEqual({
        response_type: 'id_token',
        client_id: CLIENT,
        scope: 'openid email',
        state: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        redirect_uri: `${app.url}/sso/callback`,
      });
      if (delivery.method !== 'GET') throw new Error('redirect expected');
      expect(delivery.url.searchParams.get('state')).toBe(asked.searchParams.get('state'));
      expect(decode(tokenOf(delivery)).payload.nonce).toBe(asked.searchParams.get('nonce'));
      expect(callback.status).toBe(303);
      expect(callback.headers.location).toBe('/protected?deep=1');
      expect(final.body.user).toEqual(MINERVA);
    },
  );

  test('the state is refused from another browser (403 at the callback); the right browser still signs in', async () => {
    const { codes, browser: newBrowser } = await start();
    const alice = newBrowser();
    const delivery = await atProvider((await alice.get('/protected').expect(302)).headers.location!);
    const mallory = newBrowser();
    expect((await deliver(mallory, delivery)).status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    const back = await deliver(alice, delivery).expect(303);
    expect((await alice.get(back.headers.location!)).body.user).toEqual(MINERVA);
  });

  test('replay: the same callback again after signing out is refused (its state is used up)', async () => {
    const { codes, browser: newBrowser } = await start();
    const browser = newBrowser();
    const first = await signInThrough(browser, '/protected');
    expect(first.final.body.user).toEqual(MINERVA);
    await browser.get('/logout').expect(200);
    expect((await deliver(browser, first.delivery)).status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  describe('nonce', () => {
    // The token of one login brought back with the state of another.
    test("a token with the nonce of an earlier login, brought with a later login's state, is refused (403 NONCE_MISMATCH)", async () => {
      const { codes, browser: newBrowser } = await start();
      const browser = newBrowser();
      const first = await atProvider((await browser.get('/protected').expect(302)).headers.location!);
      const second = new URL((await browser.get('/protected').expect(302)).headers.location!);
      const reused = new URL(first.url.href);
      reused.searchParams.set('state', second.searchParams.get('state')!);
      const back = await deliver(browser, { method: 'GET', url: reused }).expect(303);
      expect((await browser.get(back.headers.location!)).status).toBe(403);
      expect(codes).toEqual(['ERR_JWTSSO_NONCE_MISMATCH']);
      // Control: each login's own token, with its own state, signs in.
      const ok = await deliver(browser, first).expect(303);
      expect((await browser.get(ok.headers.location!)).body.user).toEqual(MINERVA);
    });

    let earlierNonce: string | undefined;
    test.each<[string, (c: Record<string, unknown>) => Record<string, unknown>, string | null]>([
      ['control: the nonce sent', (c) => c, null],
      ['missing', ({ nonce: _n, ...c }) => c, 'ERR_JWTSSO_NONCE_MISMATCH'],
      ['wrong (another value of the same shape)', (c) => ({ ...c, nonce: 'A'.repeat(43) }), 'ERR_JWTSSO_NONCE_MISMATCH'],
      ['not a string', (c) => ({ ...c, nonce: 42 }), 'ERR_JWTSSO_NONCE_MISMATCH'],
      [
        'reused: the nonce of an earlier login, sent by the provider again',
        (c) => ({ ...c, nonce: earlierNonce }),
        'ERR_JWTSSO_NONCE_MISMATCH',
      ],
    ])('a nonce %s', async (_name, claims, code) => {
      const { codes, browser: newBrowser } = await start({ dev: { claims } });
      const before = newBrowser();
      earlierNonce = new URL((await before.get('/protected').expect(302)).headers.location!).searchParams.get('nonce')!;
      const { final } = await signInThrough(newBrowser(), '/protected');
      if (code === null) {
        expect(final.body.user).toEqual(MINERVA);
        expect(codes).toEqual([]);
      } else {
        expect(final.status).toBe(403);
        expect(codes).toEqual([code]);
      }
    });
  });

  describe('jti policy (Freshworks sends none)', () => {
    test.each<[string, ((c: Record<string, unknown>) => Record<string, unknown>) | undefined, 'jti' | 'jti-or-token-hash', string | null]>([
      ['no jti under the preset\'s "jti-or-token-hash"', undefined, 'jti-or-token-hash', null],
      ['no jti under "jti"', undefined, 'jti', 'ERR_JWTSSO_CLAIM_MISSING'],
      ['an object jti under "jti-or-token-hash"', (c) => ({ ...c, jti: { n: 1 } }), 'jti-or-token-hash', 'ERR_JWTSSO_CLAIM_INVALID'],
      ['an object jti under "jti"', (c) => ({ ...c, jti: { n: 1 } }), 'jti', 'ERR_JWTSSO_CLAIM_INVALID'],
      ['control: a string jti under "jti"', (c) => ({ ...c, jti: 'abc-1' }), 'jti', null],
    ])('%s', async (_name, claims, replayKey, code) => {
      const { codes, browser } = await start({ dev: claims === undefined ? {} : { claims }, strategy: { replayKey } });
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

  test("a token signed by another provider's key is refused (401 SIGNATURE_INVALID)", async () => {
    const impostor = createDevProvider({ shape: 'freshworks' });
    const { codes, browser: newBrowser, server } = await start();
    server.use(PATH, impostor); // the same URL, another key pair
    const { final } = await signInThrough(newBrowser(), '/protected');
    expect(final.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_SIGNATURE_INVALID']);
  });
});
