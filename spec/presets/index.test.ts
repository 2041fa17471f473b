// lib/presets/index.ts and what every preset shares (lib/presets/preset.ts): the strategy takes each
// preset as it is, and the app's own options win where a preset only has a default, never over what
// identifies the shape.
import { generateKeyPairSync } from 'node:crypto';
import { JwtSsoStrategy, presets } from '../../lib';
import { SECRET } from '../helpers/tokens';

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('every preset', () => {
  test('the table lists one preset per provider, each a function', () => {
    expect(Object.keys(presets)).toEqual(['puavo', 'wso2', 'zendesk', 'freshworks', 'thinkific']);
    for (const preset of Object.values(presets)) expect(typeof preset).toBe('function');
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
