// lib/presets/wso2.ts: presets.wso2 is WSO2's JWT SSO connector's options, stated exactly; its login and
// logout URLs are the connector's (PROVIDERS.md).
import { presets } from '../../lib';
import { SECRET } from '../helpers/tokens';
import { currentApp, loginUrlOf } from './login-url';

describe('what the preset is', () => {
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

  test('wso2: the server URL with any number of trailing slashes', () => {
    for (const server of ['https://is.example.org', 'https://is.example.org/', 'https://is.example.org//']) {
      const o = presets.wso2({ server, relyingParty: 'app', sharedSecret: SECRET, callbackPath: '/cb' });
      expect([o.authEndpoint, o.logoutEndpoint]).toEqual([
        'https://is.example.org/identity/jwtsso',
        'https://is.example.org/identity/jwtsso/logout?jwtRP=app',
      ]);
    }
  });
});

describe('the URLs the strategy builds with it', () => {
  test('wso2: login at /identity/jwtsso?jwtRP=…&return_to=<the page, with its state>; logout with jwtRP and no redirect_to', async () => {
    const url = await loginUrlOf(
      presets.wso2({ server: 'https://is.example.org', relyingParty: 'app', sharedSecret: SECRET, callbackPath: '/sso/callback' }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://is.example.org/identity/jwtsso');
    expect(url.searchParams.get('jwtRP')).toBe('app');
    expect(url.searchParams.get('return_to')).toMatch(new RegExp(`^${currentApp().url}/protected\\?x=1&jwtsso_state=[\\w-]{32}$`));
    const logout = new URL(currentApp().strategy.logoutUrl({ headers: { host: 'app.example' } } as never, { redirectTo: '/bye' }));
    expect(logout.href).toBe('https://is.example.org/identity/jwtsso/logout?jwtRP=app');
  });
});
