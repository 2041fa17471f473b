// The provider presets: each is ordinary options (stated exactly), the strategy takes them, the
// app's own options win where a preset only has a default, and the login and logout URLs the
// strategy then builds are the provider's own (PROVIDERS.md).
import { generateKeyPairSync } from 'node:crypto';
import { JwtSsoStrategy, presets, type JwtSsoStrategyBaseOptions } from '../lib';
import { startApp, type TestApp } from './helpers/app';
import { SECRET } from './helpers/tokens';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

// The provider URL a first visit of /protected is sent to.
async function loginUrlOf(options: JwtSsoStrategyBaseOptions): Promise<URL> {
  app = await startApp({ strategy: { sharedSecret: undefined, ...options } });
  const res = await app.browser().get('/protected?x=1').expect(302);
  return new URL(res.headers.location as string);
}

describe('what each preset is', () => {
  test('puavo: the defaults, named; organisation pre-selected', () => {
    expect(presets.puavo({ sharedSecret: SECRET })).toEqual({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: SECRET });
    expect(presets.puavo({ sharedSecret: SECRET, organisation: 'example.opinsys.fi' })).toEqual({
      authEndpoint: 'https://api.opinsys.fi/v3/sso',
      sharedSecret: SECRET,
      authParams: { organisation: 'example.opinsys.fi' },
    });
  });

  test('wso2: /identity/jwtsso with jwtRP, a fixed callback, 120 s tokens, a fixed logout redirect', () => {
    expect(
      presets.wso2({ server: 'https://is.example.org/', relyingParty: 'my app', sharedSecret: SECRET, callbackPath: '/sso/callback' }),
    ).toEqual({
      authEndpoint: 'https://is.example.org/identity/jwtsso',
      authParams: { jwtRP: 'my app' },
      sharedSecret: SECRET,
      callbackPath: '/sso/callback',
      returnToParam: 'return_to',
      maxAge: 120,
      logoutEndpoint: 'https://is.example.org/identity/jwtsso/logout?jwtRP=my%20app',
      logoutRedirectParam: false,
    });
  });

  test('zendesk: a form POST to /access/jwt, iat within 3 minutes', () => {
    expect(presets.zendesk({ loginUrl: 'https://idp.example/login', sharedSecret: SECRET })).toEqual({
      authEndpoint: 'https://idp.example/login',
      sharedSecret: SECRET,
      callbackPath: '/access/jwt',
      responseMode: 'form_post',
      returnToParam: 'return_to',
      maxAge: 180,
      numericJti: true,
    });
  });

  test('freshworks: id_token, top-level state, nonce, redirect_uri, RS256, no jti', () => {
    expect(
      presets.freshworks({ authEndpoint: 'https://idp.example/authorize', clientId: 'c1', callbackPath: '/sso/callback', publicKey }),
    ).toEqual({
      authEndpoint: 'https://idp.example/authorize',
      publicKey,
      authParams: { response_type: 'id_token', client_id: 'c1', scope: 'openid email' },
      algorithms: ['RS256'],
      replayKey: 'jti-or-token-hash',
      audience: 'c1',
      audienceRequired: false, // Freshworks' documented token has no aud: one is judged where it is there
      callbackPath: '/sso/callback',
      callbackParam: 'redirect_uri',
      returnToParam: false,
      tokenParam: 'id_token',
      stateIn: 'param',
      stateParam: 'state',
      nonce: true,
      nonceParam: 'nonce',
    });
  });

  test('thinkific: a fixed callback with return_to beside the token, no jti needed', () => {
    expect(presets.thinkific({ loginUrl: 'https://idp.example/login', sharedSecret: SECRET, callbackPath: '/sso/jwt' })).toEqual({
      authEndpoint: 'https://idp.example/login',
      sharedSecret: SECRET,
      callbackPath: '/sso/jwt',
      returnToParam: 'return_to',
      replayKey: 'jti-or-token-hash',
    });
  });

  test('wso2: the server URL with any number of trailing slashes', () => {
    for (const server of ['https://is.example.org', 'https://is.example.org/', 'https://is.example.org//']) {
      const o = presets.wso2({ server, relyingParty: 'app', sharedSecret: SECRET, callbackPath: '/cb' });
      expect([o.authEndpoint, o.logoutEndpoint]).toEqual([
        'https://is.example.org/identity/jwtsso',
        'https://is.example.org/identity/jwtsso/logout?jwtRP=app',
      ]);
    }
  });

  test("the app's own options win over a preset's defaults, never over what identifies the shape", () => {
    const wso2 = presets.wso2({
      server: 'https://is.example.org',
      relyingParty: 'app',
      sharedSecret: SECRET,
      callbackPath: '/cb',
      maxAge: 300,
      authParams: { locale: 'fi' },
    });
    expect(wso2.maxAge).toBe(300);
    expect(wso2.authParams).toEqual({ locale: 'fi', jwtRP: 'app' });
    const overridden = presets.wso2({
      server: 'https://is.example.org',
      relyingParty: 'app',
      sharedSecret: SECRET,
      callbackPath: '/cb',
      authParams: { jwtRP: 'other' },
    });
    expect(overridden.authParams).toEqual({ jwtRP: 'app' });
    const perRequest = presets.freshworks({
      authEndpoint: 'https://idp.example/a',
      clientId: 'c1',
      callbackPath: '/cb',
      publicKey,
      authParams: () => ({ login_hint: 'x', client_id: 'evil' }),
    });
    expect(typeof perRequest.authParams).toBe('function');
    expect((perRequest.authParams as (req: unknown) => unknown)({})).toEqual({
      login_hint: 'x',
      client_id: 'c1',
      response_type: 'id_token',
      scope: 'openid email',
    });
  });

  test.each([
    ['puavo', presets.puavo({ sharedSecret: SECRET })],
    ['wso2', presets.wso2({ server: 'https://is.example.org', relyingParty: 'app', sharedSecret: SECRET, callbackPath: '/cb' })],
    ['zendesk', presets.zendesk({ loginUrl: 'https://idp.example/login', sharedSecret: SECRET })],
    ['freshworks', presets.freshworks({ authEndpoint: 'https://idp.example/a', clientId: 'c', callbackPath: '/cb', publicKey })],
    ['thinkific', presets.thinkific({ loginUrl: 'https://idp.example/login', sharedSecret: SECRET, callbackPath: '/cb' })],
  ])('the strategy takes %s as it is', (_name, options) => {
    expect(new JwtSsoStrategy(options).name).toBe('jwtsso');
  });
});

describe('the URLs the strategy builds with each preset', () => {
  test('wso2: login at /identity/jwtsso?jwtRP=…&return_to=<the page, with its state>; logout with jwtRP and no redirect_to', async () => {
    const url = await loginUrlOf(
      presets.wso2({ server: 'https://is.example.org', relyingParty: 'app', sharedSecret: SECRET, callbackPath: '/sso/callback' }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://is.example.org/identity/jwtsso');
    expect(url.searchParams.get('jwtRP')).toBe('app');
    expect(url.searchParams.get('return_to')).toMatch(new RegExp(`^${app!.url}/protected\\?x=1&jwtsso_state=[\\w-]{32}$`));
    const logout = new URL(app!.strategy.logoutUrl({ headers: { host: 'app.example' } } as never, { redirectTo: '/bye' }));
    expect(logout.href).toBe('https://is.example.org/identity/jwtsso/logout?jwtRP=app');
  });

  test('freshworks: response_type, client_id, scope, state, nonce and redirect_uri; no return_to', async () => {
    const url = await loginUrlOf(
      presets.freshworks({ authEndpoint: 'https://idp.example/authorize', clientId: 'c1', callbackPath: '/sso/callback', publicKey }),
    );
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'nonce', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(url.searchParams.get('redirect_uri')).toBe(`${app!.url}/sso/callback`);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
  });

  test('puavo: return_to with the state, organisation; logout with redirect_to', async () => {
    const url = await loginUrlOf({ ...presets.puavo({ sharedSecret: SECRET, organisation: 'example.opinsys.fi' }), sharedSecret: SECRET });
    expect(`${url.origin}${url.pathname}`).toBe('https://api.opinsys.fi/v3/sso');
    expect(url.searchParams.get('organisation')).toBe('example.opinsys.fi');
    expect(url.searchParams.get('return_to')).toMatch(/jwtsso_state=/);
    const logout = new URL(app!.strategy.logoutUrl({ headers: { host: 'app.example' } } as never, { redirectTo: '/bye' }));
    expect(logout.searchParams.get('redirect_to')).toBe('http://app.example/bye');
  });
});
