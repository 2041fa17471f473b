// A Freshworks-style consumer (OAuth-implicit shaped): id_token, a top-level state, a nonce, RS256.
import type { JwtSsoStrategyBaseOptions } from '../options';
import { type Rest, withParams } from './preset';

/** Options of `presets.freshworks`. */
export interface FreshworksPreset extends Rest<'authEndpoint' | 'callbackPath' | 'audience'> {
  /** The identity provider's authorization URL. */
  authEndpoint: string;
  /** The app's client id at the provider (`client_id`). */
  clientId: string;
  /** The app's registered redirect route, e.g. `'/sso/callback'`; its public URL is sent as `redirect_uri`. */
  callbackPath: string;
  /** `scope`. Default `'openid email'`. */
  scope?: string;
  /**
   * The `aud` tokens must carry. Default: `clientId` wherever a token has an `aud` (a provider
   * that serves several apps with one key and names the app in `aud` cannot let another app's
   * token in), and none required, as Freshworks' documented token has none; with no `aud` only
   * a key of this app's own keeps another app's token out. A value given here is required in
   * every token. `false` turns the check off; `undefined` keeps the default.
   */
  audience?: string | readonly string[] | false;
}

/**
 * A Freshworks-style consumer (OAuth-implicit shaped): `response_type=id_token`, a top-level
 * `state` echoed beside the token, a `nonce` the token must carry, the token in `id_token` at the
 * registered `redirect_uri`; RS256; no `jti` (a used token is remembered by its hash); an `aud`
 * must be `clientId` where the token has one (`audience` to require one, `false` for no check;
 * give `issuer` too where the provider sends `iss`).
 */
export function freshworks(options: FreshworksPreset): JwtSsoStrategyBaseOptions {
  const { clientId, scope = 'openid email', audience, ...rest } = options;
  return {
    algorithms: ['RS256'],
    replayKey: 'jti-or-token-hash',
    ...rest,
    // The token must be issued to this app: a provider that serves several apps with one key
    // would otherwise let another app's token (with a nonce that app let anyone choose) in. Set
    // after the app's options, so that `audience: process.env.X` unset cannot turn it off.
    // Freshworks' documented token has no aud: by default one is judged only where it is there
    // (a provider that sends aud names this app or is refused); an audience the app names is required.
    ...(audience === false ? {} : audience === undefined ? { audience: clientId, audienceRequired: false } : { audience }),
    authParams: withParams(rest.authParams, { response_type: 'id_token', client_id: clientId, scope }),
    tokenParam: 'id_token',
    returnToParam: false,
    callbackParam: 'redirect_uri',
    stateIn: 'param',
    stateParam: 'state',
    nonce: true,
    nonceParam: 'nonce',
  };
}
