// lib/presets/thinkific.ts: presets.thinkific is a Thinkific-style consumer's options, stated exactly.
import { presets } from '../../lib';
import { SECRET } from '../helpers/tokens';

describe('what the preset is', () => {
  test('thinkific: a fixed callback with return_to beside the token, no jti needed', () => {
    expect(presets.thinkific({ loginUrl: 'https://idp.example/login', sharedSecret: SECRET, callbackPath: '/sso/jwt' })).toEqual({
      authEndpoint: 'https://idp.example/login',
      sharedSecret: SECRET,
      callbackPath: '/sso/jwt',
      returnToParam: 'return_to',
      replayKey: 'jti-or-token-hash',
    });
  });
});
