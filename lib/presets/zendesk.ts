// A Zendesk-style consumer: the token in a browser form POST to /access/jwt.
import type { JwtSsoStrategyBaseOptions } from '../options';
import { type Rest } from './preset';

/** Options of `presets.zendesk`. */
export interface ZendeskPreset extends Rest<'authEndpoint'> {
  /** The identity provider's remote login URL, where users are sent to sign in. */
  loginUrl: string;
  /** The app's fixed JWT endpoint. Default `'/access/jwt'`. */
  callbackPath?: string;
}

/**
 * A Zendesk-style consumer: the identity provider signs HS256 and posts the token from a browser
 * form (`responseMode: 'form_post'`) to a fixed endpoint with `return_to` beside it; `iat` within
 * three minutes (`maxAge: 180`); a numeric `jti`, as Zendesk's own sample token has, accepted
 * (`numericJti`). `sharedSecret` is the shared secret both sides hold.
 */
export function zendesk(options: ZendeskPreset): JwtSsoStrategyBaseOptions {
  const { loginUrl, callbackPath = '/access/jwt', ...rest } = options;
  return {
    maxAge: 180,
    responseMode: 'form_post',
    numericJti: true,
    ...rest,
    authEndpoint: loginUrl,
    callbackPath,
    returnToParam: 'return_to',
  };
}
