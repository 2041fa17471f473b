// One line per provider shape: each preset returns ordinary strategy options (nothing here the
// options cannot say), so an app can read, spread and override the result. The shapes, and the
// sources they were read from, are in the README's "Providers" section.
import type { JwtSsoStrategyBaseOptions } from './options';
import { withoutTrailingSlashes } from './urls';

/** Every option but the ones a preset sets itself. */
type Rest<K extends keyof JwtSsoStrategyBaseOptions> = Omit<JwtSsoStrategyBaseOptions, K>;

// authParams of the app's, with the preset's own set last (they identify the app to the provider).
function withParams(
  given: JwtSsoStrategyBaseOptions['authParams'],
  own: Readonly<Record<string, string>>,
): JwtSsoStrategyBaseOptions['authParams'] {
  if (typeof given === 'function') return (req) => ({ ...given(req), ...own });
  return { ...given, ...own };
}

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

/** The provider presets: each returns ordinary options (see each function). */
export const presets = {
  /** Opinsys/Puavo SSO: the token appended to the return URL. */
  puavo,
  /** WSO2 Identity Server's JWT SSO connector: a fixed callback, `return_to` beside the token. */
  wso2,
  /** A Zendesk-style consumer: the token in a form POST to `/access/jwt`. */
  zendesk,
  /** A Freshworks-style consumer: `id_token`, a top-level `state`, a `nonce`, RS256. */
  freshworks,
  /** A Thinkific-style consumer: a fixed callback, `return_to` beside the token, `jti` optional. */
  thinkific,
} as const;
