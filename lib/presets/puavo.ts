// Opinsys/Puavo SSO (the baseline): its options are the strategy's defaults, named.
import type { JwtSsoStrategyBaseOptions } from '../options';
import { type Rest, withParams } from './preset';

/** Options of `presets.puavo`. */
export interface PuavoPreset extends Rest<'authEndpoint'> {
  /** The SSO endpoint. Default `'https://api.opinsys.fi/v3/sso'`; an organisation's own host works too. */
  authEndpoint?: string;
  /** Pre-selects the organisation at the provider (`organisation=`), e.g. `'example.opinsys.fi'`. */
  organisation?: string;
}

/**
 * Opinsys/Puavo SSO: the token comes back appended to the page the user asked for (HS256,
 * `jti`, `return_to`); logout through `/v3/sso/logout?redirect_to=`. The defaults, named.
 */
export function puavo(options: PuavoPreset): JwtSsoStrategyBaseOptions {
  const { organisation, authEndpoint = 'https://api.opinsys.fi/v3/sso', ...rest } = options;
  return {
    ...rest,
    authEndpoint,
    ...(organisation === undefined ? {} : { authParams: withParams(rest.authParams, { organisation }) }),
  };
}
