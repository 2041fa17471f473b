// lib/presets/puavo.ts: presets.puavo is the strategy's defaults, named; its login and logout URLs are Puavo's.
import { presets } from '../../lib';
import { SECRET } from '../helpers/tokens';
import { currentApp, loginUrlOf } from './login-url';

describe('what the preset is', () => {
  test('puavo: the defaults, named; organisation pre-selected', () => {
    expect(presets.puavo({ sharedSecret: SECRET })).toEqual({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: SECRET });
    expect(presets.puavo({ sharedSecret: SECRET, organisation: 'example.opinsys.fi' })).toEqual({
      authEndpoint: 'https://api.opinsys.fi/v3/sso',
      sharedSecret: SECRET,
      authParams: { organisation: 'example.opinsys.fi' },
    });
  });
});

describe('the URLs the strategy builds with it', () => {
  test('puavo: return_to with the state, organisation; logout with redirect_to', async () => {
    const url = await loginUrlOf({ ...presets.puavo({ sharedSecret: SECRET, organisation: 'example.opinsys.fi' }), sharedSecret: SECRET });
    expect(`${url.origin}${url.pathname}`).toBe('https://api.opinsys.fi/v3/sso');
    expect(url.searchParams.get('organisation')).toBe('example.opinsys.fi');
    expect(url.searchParams.get('return_to')).toMatch(/jwtsso_state=/);
    const logout = new URL(currentApp().strategy.logoutUrl({ headers: { host: 'app.example' } } as never, { redirectTo: '/bye' }));
    expect(logout.searchParams.get('redirect_to')).toBe('http://app.example/bye');
  });
});
