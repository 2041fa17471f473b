// WSO2 Identity Server's JWT SSO connector: /identity/jwtsso?jwtRP=…, a fixed callback, 120 s tokens.
import type { JwtSsoStrategyBaseOptions } from '../options';
import { withoutTrailingSlashes } from '../urls';
import { type Rest, withParams } from './preset';

/** Options of `presets.wso2`. */
export interface Wso2Preset extends Rest<'authEndpoint' | 'callbackPath' | 'logoutEndpoint' | 'logoutRedirectParam'> {
  /** The Identity Server's base URL, e.g. `'https://is.example.org'`. */
  server: string;
  /** The relying party's name in WSO2 (`jwtRP`). */
  relyingParty: string;
  /** The app's route configured as the relying party's "Endpoint API", e.g. `'/sso/callback'`. */
  callbackPath: string;
}

/**
 * WSO2 Identity Server's JWT SSO connector: login at `<server>/identity/jwtsso?jwtRP=…`, the
 * token sent to a fixed callback route with `return_to` beside it; `exp` 120 s after `iat`;
 * logout at `…/jwtsso/logout?jwtRP=…`, which redirects where WSO2 is configured to. HS256 by
 * default; a relying party set to HS384 or HS512 needs `algorithms: ['HS512']` (one algorithm).
 * `sharedSecret` is the relying party's API key as configured in WSO2 (its UTF-8 bytes).
 */
export function wso2(options: Wso2Preset): JwtSsoStrategyBaseOptions {
  const { server, relyingParty, ...rest } = options;
  const base = withoutTrailingSlashes(server);
  const rp = encodeURIComponent(relyingParty);
  return {
    maxAge: 120,
    ...rest,
    authEndpoint: `${base}/identity/jwtsso`,
    authParams: withParams(rest.authParams, { jwtRP: relyingParty }),
    returnToParam: 'return_to',
    logoutEndpoint: `${base}/identity/jwtsso/logout?jwtRP=${rp}`,
    logoutRedirectParam: false,
  };
}
