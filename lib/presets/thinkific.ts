// A Thinkific-style consumer: a fixed callback with return_to beside the token, jti optional.
import type { JwtSsoStrategyBaseOptions } from '../options';
import { type Rest } from './preset';

/** Options of `presets.thinkific`. */
export interface ThinkificPreset extends Rest<'authEndpoint' | 'callbackPath'> {
  /** Where users are sent to sign in. */
  loginUrl: string;
  /** The app's fixed JWT endpoint, e.g. `'/sso/jwt'`. */
  callbackPath: string;
}

/**
 * A Thinkific-style consumer: `GET <callback>?jwt=…&return_to=…` (HS256 with the API key as it
 * is); `jti` only sometimes, so a token without one is remembered by its hash. `sharedSecret`
 * is the API key.
 */
export function thinkific(options: ThinkificPreset): JwtSsoStrategyBaseOptions {
  const { loginUrl, ...rest } = options;
  return { replayKey: 'jti-or-token-hash', ...rest, authEndpoint: loginUrl, returnToParam: 'return_to' };
}
