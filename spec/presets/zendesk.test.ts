// lib/presets/zendesk.ts: presets.zendesk is a Zendesk-style consumer's options, stated exactly.
import { presets } from '../../lib';
import { SECRET } from '../helpers/tokens';

describe('what the preset is', () => {
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
});
