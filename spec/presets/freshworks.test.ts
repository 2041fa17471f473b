// lib/presets/freshworks.ts: presets.freshworks is a Freshworks-style consumer's options, stated exactly;
// its login URL carries what Freshworks reads.
import { generateKeyPairSync } from 'node:crypto';
import { presets } from '../../lib';
import { currentApp, loginUrlOf } from './login-url';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('what the preset is', () => {
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
});

describe('the URLs the strategy builds with it', () => {
  test('freshworks: response_type, client_id, scope, state, nonce and redirect_uri; no return_to', async () => {
    const url = await loginUrlOf(
      presets.freshworks({ authEndpoint: 'https://idp.example/authorize', clientId: 'c1', callbackPath: '/sso/callback', publicKey }),
    );
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'nonce', 'redirect_uri', 'response_type', 'scope', 'state']);
    expect(url.searchParams.get('redirect_uri')).toBe(`${currentApp().url}/sso/callback`);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
  });
});

describe('the audience: clientId wherever a token has an aud, one the app names required, false none', () => {
  const base = { authEndpoint: 'https://idp.example/authorize', clientId: 'c1', callbackPath: '/sso/callback', publicKey };
  test.each<[string, string | readonly string[] | false | undefined, Record<string, unknown>]>([
    ['control: left out, aud = clientId judged where present', undefined, { audience: 'c1', audienceRequired: false }],
    ['one the app names is required in every token', 'api://c1', { audience: 'api://c1' }],
    ['a list the app names is required in every token', ['c1', 'c2'], { audience: ['c1', 'c2'] }],
    ['false: no aud check at all', false, {}],
  ])('%s', (_name, audience, expected) => {
    const options = presets.freshworks({ ...base, audience });
    expect({ audience: options.audience, audienceRequired: options.audienceRequired }).toEqual({
      audience: undefined,
      audienceRequired: undefined,
      ...expected,
    });
    expect('audience' in options).toBe(audience !== false);
  });

  test('scope: the one the app gives replaces "openid email"', () => {
    expect(presets.freshworks({ ...base, scope: 'openid' }).authParams).toEqual({
      response_type: 'id_token',
      client_id: 'c1',
      scope: 'openid',
    });
  });
});
