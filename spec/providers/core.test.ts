// The provider shapes' core through a real Express app: a fixed callback route with the return
// URL beside the token (GET and form POST), a top-level state, and the nonce.
import { createHash, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { presets } from '../../lib';
import { mountTag } from '../../lib/login-state/codec';
import { startApp, type TestApp } from '../helpers/app';
import { mint, puavoClaims } from '../helpers/tokens';

let app: TestApp | undefined;
let codes: string[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  codes = [];
});
// What the strategy refused with, from its audit events.
const onEvent = (e: { code?: string }) => e.code !== undefined && codes.push(e.code);

const now = () => Math.floor(Date.now() / 1000);

// Starts a login on `path` and returns the provider URL the browser was sent to.
async function start(browser: ReturnType<TestApp['browser']>, path: string): Promise<URL> {
  const res = await browser.get(path).expect(302);
  return new URL(res.headers.location as string);
}

describe('fixed callback route, return URL beside the token (WSO2, Thinkific)', () => {
  test('the token at the callback is parked, the browser sent to the return URL, signed in there', async () => {
    app = await startApp({ strategy: { callbackPath: '/sso/callback', onEvent } });
    const browser = app.browser();
    const provider = await start(browser, '/protected?tab=2');
    const returnTo = provider.searchParams.get('return_to')!;
    expect(new URL(returnTo).pathname).toBe('/protected');
    const token = mint(puavoClaims(now()));
    const back = await browser.get(`/sso/callback?jwt=${token}&return_to=${encodeURIComponent(returnTo).replace(/%20/g, '+')}`).expect(303);
    expect(back.headers.location).toBe('/protected?tab=2');
    const page = await browser.get('/protected?tab=2').expect(200);
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test.each([
    ['another host', (r: string) => r.replace('127.0.0.1', 'evil.example')],
    ['a path-only URL of another host', () => '//evil.example/protected'],
    ['javascript:', () => 'javascript:alert(1)'],
  ])('a return URL of %s is never followed, and its state is not read', async (_name, hostile) => {
    app = await startApp({ strategy: { callbackPath: '/sso/callback', onEvent } });
    const browser = app.browser();
    const returnTo = (await start(browser, '/protected')).searchParams.get('return_to')!;
    const token = mint(puavoClaims(now()));
    const res = await browser.get(`/sso/callback?jwt=${token}&return_to=${encodeURIComponent(hostile(returnTo))}`);
    expect(res.status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
  });

  test('a token on another route than the callback is refused', async () => {
    app = await startApp({ strategy: { callbackPath: '/sso/callback', onEvent } });
    const res = await app.browser().get(`/protected?jwt=${mint(puavoClaims(now()))}`);
    expect(res.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
  });
});

describe('form POST to the callback (Zendesk since 2023)', () => {
  test('the posted token signs in on the return URL after a 303 to a GET', async () => {
    app = await startApp({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post', onEvent } });
    const browser = app.browser();
    const returnTo = (await start(browser, '/protected')).searchParams.get('return_to')!;
    const token = mint(puavoClaims(now()));
    const back = await browser.post('/access/jwt').type('form').send({ jwt: token, return_to: returnTo }).expect(303);
    expect(back.headers.location).toBe('/protected');
    const page = await browser.get('/protected').expect(200);
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test('a token in the query of a form_post callback is refused', async () => {
    app = await startApp({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post', onEvent } });
    const res = await app.browser().get(`/access/jwt?jwt=${mint(puavoClaims(now()))}`);
    expect(res.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
  });

  test('a token posted twice is refused', async () => {
    app = await startApp({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post', onEvent } });
    const token = mint(puavoClaims(now()));
    const res = await app.browser().post('/access/jwt').type('form').send(`jwt=${token}&jwt=${token}`);
    expect(res.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
  });
});

describe('top-level state and nonce (Freshworks)', () => {
  const shape = {
    callbackPath: '/sso/callback',
    callbackParam: 'redirect_uri',
    returnToParam: false as const,
    stateIn: 'param' as const,
    stateParam: 'state',
    tokenParam: 'id_token',
    nonce: true,
    replayKey: 'jti-or-token-hash' as const,
  };
  const nonceOf = (state: string) => createHash('sha256').update(`passport-jwtsso nonce\n${state}`).digest('base64url');

  test('state echoed beside the token, nonce in it: signed in on the page the user asked for', async () => {
    app = await startApp({ strategy: { ...shape, onEvent } });
    const browser = app.browser();
    const provider = await start(browser, '/protected?deep=1');
    expect(provider.searchParams.get('return_to')).toBeNull();
    expect(provider.searchParams.get('redirect_uri')).toBe(`${app.url}/sso/callback`);
    const state = provider.searchParams.get('state')!;
    const nonce = provider.searchParams.get('nonce')!;
    expect(nonce).toBe(nonceOf(state));
    const { jti: _none, ...claims } = puavoClaims(now(), { nonce });
    const back = await browser.get(`/sso/callback?state=${state}&id_token=${mint(claims)}`).expect(303);
    expect(back.headers.location).toBe('/protected?deep=1');
    const page = await browser.get('/protected?deep=1').expect(200);
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test.each([
    ['absent', undefined],
    ['of another login', 'x'.repeat(43)],
    ['not a string', 42],
  ])('a nonce %s is refused', async (_name, nonce) => {
    app = await startApp({ strategy: { ...shape, onEvent } });
    const browser = app.browser();
    const state = (await start(browser, '/protected')).searchParams.get('state')!;
    const claims = puavoClaims(now(), nonce === undefined ? {} : { nonce });
    const back = await browser.get(`/sso/callback?state=${state}&id_token=${mint(claims)}`).expect(303);
    const res = await browser.get(back.headers.location as string);
    expect(res.status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_NONCE_MISMATCH']);
  });
});

// What a hostile review of these shapes found, each stated as the rule that now holds.
describe('cross-site form POSTs cannot grow, replace or lock a browser out', () => {
  const formPost = { callbackPath: '/access/jwt', responseMode: 'form_post' as const };
  const cookieNames = (res: { headers: Record<string, unknown> }): string[] =>
    ([res.headers['set-cookie'] ?? []].flat() as string[]).map((line) => line.slice(0, line.indexOf('=')));

  test('however many POSTs, with whatever return URLs, one parked-token cookie of at most 4,000 bytes', async () => {
    app = await startApp({ strategy: { ...formPost, onEvent } });
    const victim = app.browser();
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const junk = `${'a'.repeat(20)}.${'b'.repeat(3000)}.${'c'.repeat(20)}`;
      const res = await victim
        .post('/access/jwt')
        .type('form')
        .send({ jwt: junk, return_to: `${app.url}/public?n=${i}` });
      expect(res.status).toBe(303);
      for (const name of cookieNames(res)) names.add(name);
    }
    expect([...names]).toEqual([`jwtsso-t-${mountTag('')}posted`]);
    // The jar holds that one cookie, the last one posted, and nothing grows.
    const jar = (victim as unknown as { jar: { getCookies(o: object): { name: string; value: string }[] } }).jar.getCookies({
      domain: '127.0.0.1',
      path: '/',
      secure: false,
      script: false,
    });
    expect(jar.map((c) => c.name)).toEqual([`jwtsso-t-${mountTag('')}posted`]);
    expect(jar[0]!.name.length + jar[0]!.value.length).toBeLessThanOrEqual(4000);
  });

  test('a posted token that fits no cookie is refused, and never written to a session (no Set-Cookie at all)', async () => {
    app = await startApp({ strategy: { ...formPost, onEvent } });
    const big = mint(puavoClaims(now(), { padding: 'x'.repeat(3500) }));
    const res = await app
      .browser()
      .post('/access/jwt')
      .type('form')
      .send({ jwt: big, return_to: `${app.url}/protected` });
    expect(res.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('a signed-in user stays signed in when another site posts a token too large for a cookie', async () => {
    app = await startApp({ strategy: { ...formPost, onEvent } });
    const alice = app.browser();
    const returnTo = (await start(alice, '/protected')).searchParams.get('return_to')!;
    await alice
      .post('/access/jwt')
      .type('form')
      .send({ jwt: mint(puavoClaims(now())), return_to: returnTo })
      .expect(303);
    const signedIn = await alice.get('/protected').expect(200);
    // The cross-site POST carries no cookie: played by a fresh client; its response is what Alice's browser would store.
    const big = mint(puavoClaims(now(), { padding: 'x'.repeat(3500) }));
    const posted = await app
      .browser()
      .post('/access/jwt')
      .type('form')
      .send({ jwt: big, return_to: `${app.url}/protected` });
    expect(cookieNames(posted)).toEqual([]);
    expect((await alice.get('/protected').expect(200)).body.sessionID).toBe(signedIn.body.sessionID);
  });

  test('a token in the URL of the form POST is refused, even with one in the body', async () => {
    app = await startApp({ strategy: { ...formPost, onEvent } });
    const token = mint(puavoClaims(now()));
    const res = await app
      .browser()
      .post(`/access/jwt?jwt=${token}`)
      .type('form')
      .send({ jwt: token, return_to: `${app.url}/protected` });
    expect(res.status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
  });

  test('a body over 32 KiB is refused unread, and the connection closed', async () => {
    app = await startApp({ strategy: { ...formPost, onEvent } });
    const res = await app
      .browser()
      .post('/access/jwt')
      .type('form')
      .send(`jwt=a.b.c&pad=${'x'.repeat(40_000)}`);
    expect(res.status).toBe(401);
    expect(res.headers.connection).toBe('close');
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
  });
});

describe('a token on another route than the callback', () => {
  test('for someone signed in: dropped, and the page shown without it', async () => {
    app = await startApp({ strategy: { callbackPath: '/sso/callback', onEvent } });
    const alice = app.browser();
    const returnTo = (await start(alice, '/protected')).searchParams.get('return_to')!;
    const back = await alice.get(`/sso/callback?jwt=${mint(puavoClaims(now()))}&return_to=${encodeURIComponent(returnTo)}`).expect(303);
    await alice.get(back.headers.location as string).expect(200);
    const link = await alice.get(`/protected?x=1&jwt=${mint(puavoClaims(now()))}`);
    expect({ status: link.status, location: link.headers.location }).toEqual({ status: 303, location: '/protected?x=1' });
    expect((await alice.get('/protected?x=1').expect(200)).body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });
});

describe('presets.freshworks binds a token to this app (a provider that serves several apps with one key)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = (claims: object) => jwt.sign(claims, privateKey, { algorithm: 'RS256' });

  // By default an aud is judged where the token has one (Freshworks' documented token has none);
  // an audience the app names is required in every token.
  test.each<[string, object, number, { audience?: string }]>([
    ['another app (a nonce that app let the attacker choose)', { aud: 'evil-app' }, 401, {}],
    ['no aud, as Freshworks documents it: accepted by default', {}, 200, {}],
    ['no aud, with an audience the app named: refused', {}, 401, { audience: 'c1' }],
    ['this app, the control', { aud: 'c1' }, 200, {}],
    ['this app, with an audience the app named, the control', { aud: 'c1' }, 200, { audience: 'c1' }],
  ])('a token issued to %s', async (_name, aud, status, named) => {
    app = await startApp({
      strategy: {
        sharedSecret: undefined,
        onEvent,
        ...presets.freshworks({
          authEndpoint: 'https://idp.example/authorize',
          clientId: 'c1',
          callbackPath: '/sso/callback',
          publicKey,
          ...named,
        }),
      },
    });
    const browser = app.browser();
    const provider = await start(browser, '/protected');
    const state = provider.searchParams.get('state')!;
    const token = sign({ sub: 'alice', email: 'alice@example.test', iat: now(), nonce: provider.searchParams.get('nonce'), ...aud });
    const back = await browser.get(`/sso/callback?state=${state}&id_token=${token}`).expect(303);
    expect((await browser.get(back.headers.location as string)).status).toBe(status);
    expect(codes).toEqual(status === 200 ? [] : [Object.keys(aud).length === 0 ? 'ERR_JWTSSO_CLAIM_MISSING' : 'ERR_JWTSSO_CLAIM_INVALID']);
  });
});

describe('an unset audience keeps its default, and a junk token posted into a signed-in browser is dropped unverified', () => {
  test('presets.freshworks: an audience left undefined (an unset environment variable) keeps aud = clientId (judged where present); false turns it off', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const base = { authEndpoint: 'https://idp.example/a', clientId: 'c1', callbackPath: '/cb', publicKey };
    expect(presets.freshworks({ ...base, audience: undefined }).audience).toBe('c1');
    expect(presets.freshworks({ ...base, audience: 'other' }).audience).toBe('other');
    expect('audience' in presets.freshworks({ ...base, audience: false })).toBe(false);
  });

  test('a junk token another site posts into a signed-in browser is dropped unverified: the page, not a 401', async () => {
    app = await startApp({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post', onEvent } });
    const alice = app.browser();
    const returnTo = (await start(alice, '/protected')).searchParams.get('return_to')!;
    await alice
      .post('/access/jwt')
      .type('form')
      .send({ jwt: mint(puavoClaims(now())), return_to: returnTo })
      .expect(303);
    await alice.get('/protected').expect(200);
    // The cross-site POST: Alice's browser sends it (her cookie jar stores its Set-Cookie).
    const posted = await alice
      .post('/access/jwt')
      .type('form')
      .send({ jwt: 'a.b.c', return_to: `${app.url}/account` });
    expect(posted.status).toBe(303);
    const page = await alice.get(posted.headers.location as string);
    expect(page.status).toBe(404); // the test app's page for /account: reached, signed in
    expect(page.body).toEqual({ notFound: '/account' });
    expect(codes).toEqual([]);
  });
});
