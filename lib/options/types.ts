// The public option types, in named groups composed into the constructor's options; the types of
// single values are values.ts's, the checked shape resolved.ts's.
import type { Algorithm, PublicKeyInput } from '../keys/material';
import type { ReplayStore } from '../replay/store';
import type { JwtSsoEvent } from '../events';
import type { AuthParams, ReplayKey, SecretOrKeyProvider, SharedSecret } from './values';

/** The provider: where users are sent to sign in. */
export interface ProviderOptions {
  /** The provider's SSO endpoint, an absolute http(s) URL; its own query is kept. Required. */
  authEndpoint: string;
}

/**
 * The four key sources, each documented; the options take exactly one of them
 * ({@link KeySourceOptions}). A key given as `undefined` (`sharedSecret: process.env.SSO_SECRET`
 * with the variable unset) compiles, and is a `TypeError` naming the option at construction.
 */
export interface KeySources {
  /**
   * The secret the provider signs with (HS256, or the one of HS384 / HS512 that `algorithms`
   * names: a secret is bound to one algorithm), or several (key rotation: any one may verify).
   * Exactly one key source is given: `sharedSecret`, `publicKey`, `jwksUri` or `secretOrKeyProvider`.
   */
  sharedSecret?: SharedSecret | readonly SharedSecret[] | undefined;
  /**
   * The provider's public key (PEM, `KeyObject` or JWK), or several. Its type alone decides the
   * algorithm: RSA → RS256 (PS256 only if `algorithms` lists it), EC P-256 → ES256, P-384 → ES384,
   * Ed25519 → EdDSA.
   */
  publicKey?: PublicKeyInput | readonly PublicKeyInput[] | undefined;
  /** A JWKS URL: keys fetched, cached and matched by `kid`, with the same algorithm-by-key-type rule. */
  jwksUri?: string | undefined;
  /**
   * Picks the key(s) per token, for multi-tenant apps: `(req, header, payload)` (unverified) →
   * a secret (string/Buffer: HS256, or the one HMAC algorithm `algorithms` names), a public key
   * (`KeyObject`, JWK, or PEM text), or an array.
   */
  secretOrKeyProvider?: SecretOrKeyProvider | undefined;
}

/** One key source `K` of {@link KeySources}, the other three left out (or `undefined`). */
export type OneKeySource<K extends keyof KeySources> = { [P in K]-?: KeySources[P] | undefined } & {
  [P in Exclude<keyof KeySources, K>]?: undefined;
};

/**
 * Exactly one of `sharedSecret`, `publicKey`, `jwksUri` or `secretOrKeyProvider`: two at once, or
 * none, do not compile (and are a `TypeError` at construction for JavaScript).
 *
 * @example
 * ```ts
 * const keys: KeySourceOptions = { jwksUri: 'https://idp.example/.well-known/jwks.json' };
 * ```
 */
export type KeySourceOptions =
  OneKeySource<'sharedSecret'> | OneKeySource<'publicKey'> | OneKeySource<'jwksUri'> | OneKeySource<'secretOrKeyProvider'>;

/** How the keys are used and fetched: the algorithms they may verify, and the JWKS limits. */
export interface KeyOptions {
  /**
   * Narrows, never widens, the algorithms the keys' types allow, e.g. `['ES256']` or `['RS256', 'PS256']`.
   * With a secret (`sharedSecret`, or one `secretOrKeyProvider` returns) it names at most one
   * HMAC algorithm, the one the provider signs with: `['HS384']`, `['HS512']` (HS256 is the default).
   */
  algorithms?: readonly Algorithm[] | undefined;
  /** Seconds a JWKS fetch may take. Default 5. */
  jwksTimeout?: number | undefined;
  /** Seconds between JWKS fetches for unknown `kid`s (however many arrive), and after a failed fetch. Default 30. */
  jwksCooldown?: number | undefined;
  /**
   * Seconds a fetched JWKS is used; then it is fetched again before the next token is checked,
   * so a key removed from the JWKS stops verifying within this time. Default 600 (10 minutes).
   */
  jwksCacheMaxAge?: number | undefined;
  /** Largest JWKS body read, in bytes. Default 65536. */
  jwksMaxBytes?: number | undefined;
}

/** What a token must say to be accepted; every number of seconds says so. */
export interface TokenRuleOptions {
  /** Accepted `iss` value(s); when set, `iss` is required. */
  issuer?: string | readonly string[] | undefined;
  /** Accepted `aud` value(s); one must appear in the token's `aud`. */
  audience?: string | readonly string[] | undefined;
  /**
   * `false`: a token with no `aud` is accepted, while one that has an `aud` must still name one
   * of `audience` (RFC 7519 §4.1.3), for providers whose documented tokens carry none
   * (`presets.freshworks` sets it when `audience` is not given). Default `true`: with `audience`
   * set, `aud` is required.
   */
  audienceRequired?: boolean | undefined;
  /** Claims that must be present and not null, e.g. `['sub', 'email']`. */
  requiredClaims?: readonly string[] | undefined;
  /** Puavo: the `external_service_path_prefix` tokens must be minted for (`'/'` or `'/prefix'`). */
  servicePathPrefix?: string | undefined;
  /** Seconds a token may be old, judged by `iat`. Default 60; Puavo with MFA needs about 300. */
  maxAge?: number | undefined;
  /** Seconds of clock skew allowed between provider and app in every time check. Default 5. */
  clockTolerance?: number | undefined;
}

/** Replay protection: each token signs in once. */
export interface ReplayOptions {
  /** Where used token ids are remembered. Default: a new `MemoryReplayStore` (one process only). */
  replayStore?: ReplayStore | undefined;
  /**
   * What a used token is remembered by. `'jti'` (default): a token without `jti` is refused
   * (`ERR_JWTSSO_CLAIM_MISSING`). `'jti-or-token-hash'`: for providers that send no `jti`, a
   * token without one is remembered by a SHA-256 of its signed part (header and payload), so it
   * still signs in once; tokens with a `jti` are remembered by it as before. Never no replay
   * protection.
   */
  replayKey?: ReplayKey | undefined;
  /**
   * Accept a `jti` that is a JSON number (Zendesk's sample token sends `"jti": 8883362531196.326`).
   * Default `false`: a numeric `jti` is refused (`ERR_JWTSSO_CLAIM_INVALID`). When `true`, a finite
   * number is accepted and remembered by its canonical text (`String(n)`: `1.0` and `1` are the
   * same id, `-0` is `0`), in a key of its own that no string `jti` can take.
   */
  numericJti?: boolean | undefined;
}

/** The app: the name Passport knows the strategy by, and the app's public URL. */
export interface AppOptions {
  /** Name to register under with `passport.use`. Default `'jwtsso'`. */
  name?: string | undefined;
  /** Public path prefix of the app, which a proxy strips before the app sees the request. Default `''`. */
  mountPoint?: string | undefined;
  /** Public `host[:port]` of the app. Set it in production: then no header is ever trusted for it. */
  host?: string | undefined;
  /** Public scheme, `'https'` or `'http'`. Default: from the connection, or a trusted proxy's headers. */
  scheme?: 'http' | 'https' | undefined;
}

/** The login state: what binds a returning token to the browser that started the login. */
export interface LoginStateOptions {
  /** Bind each login to the browser session that started it (login CSRF protection). Default `true`. */
  state?: boolean | undefined;
  /** Seconds a login started by this app may take at the provider. Default 600. */
  stateMaxAge?: number | undefined;
  /**
   * Where a pending login's state and a returned token wait. `'cookie'` (default): one
   * `HttpOnly`, `SameSite=Lax` cookie per pending login (`__Host-` under https), nothing in the
   * server session until a login succeeds, tabs never overwrite each other, any instance can
   * finish a login. `'session'`: in `req.session`, as 0.1 did.
   */
  loginState?: 'cookie' | 'session' | undefined;
  /**
   * Send a fresh nonce with each login (in `nonceParam`) and require the token's `nonce` claim
   * to equal it: the token is then bound to the browser that started the login, and used once.
   * Needs `state` (the nonce is derived from the login state). Default `false`.
   */
  nonce?: boolean | undefined;
  /** Login-request parameter that carries the nonce. Default `'nonce'`. */
  nonceParam?: string | undefined;
}

/** The provider's shape: the parameters and routes the token and the state travel by. */
export interface ProviderShapeOptions {
  /** Query parameter the provider returns the token in. Default `'jwt'`. */
  tokenParam?: string | undefined;
  /**
   * Parameter that tells the provider where to return, and that a fixed callback reads the
   * return URL from (WSO2, Thinkific, Zendesk pass it back beside the token). Default
   * `'return_to'`; `false`: no return URL is sent (the provider returns to a fixed
   * `callbackParam` URL; where the user was going waits with the login state).
   */
  returnToParam?: string | false | undefined;
  /** Parameter that carries the login state (see `stateIn`). Default `'jwtsso_state'`. */
  stateParam?: string | undefined;
  /**
   * Where the login state travels. `'returnTo'` (default): a parameter of the return URL, which
   * the provider sends back unchanged (Puavo, WSO2). `'param'`: a parameter of its own in the
   * login request, which the provider echoes beside the token (Freshworks' `state`).
   */
  stateIn?: 'returnTo' | 'param' | undefined;
  /**
   * The app's fixed callback route, a path below `mountPoint` such as `'/sso/callback'`, for
   * providers that send the token there rather than to the page the user asked for (WSO2,
   * Zendesk, Thinkific, Freshworks). The route needs `passport.authenticate('jwtsso')`; the user
   * is sent on to the return URL (`returnToParam`, checked like `returnTo`), where the token is
   * verified and Passport's success handling runs. Default: none (the token comes back on the
   * return URL itself, as Puavo sends it).
   */
  callbackPath?: string | undefined;
  /**
   * Login-request parameter that carries the public URL of `callbackPath`, for providers that
   * are told where to send the token (Freshworks' `redirect_uri`). Default: none.
   */
  callbackParam?: string | undefined;
  /**
   * How the token reaches `callbackPath`: `'query'` (default, a GET) or `'form_post'` (an
   * `application/x-www-form-urlencoded` POST from the browser, as Zendesk sends it since 2023;
   * then a token in the query is refused). Needs `callbackPath`.
   */
  responseMode?: 'query' | 'form_post' | undefined;
  /** Extra query parameters for the provider, or a function of the request returning them. */
  authParams?: AuthParams | undefined;
}

/** Signing out at the provider (`logoutUrl()`). */
export interface LogoutOptions {
  /** The provider's logout URL for `logoutUrl()`; its own query is kept. Default: `authEndpoint` + `/logout` (Puavo's `/v3/sso/logout`). */
  logoutEndpoint?: string | undefined;
  /**
   * Parameter of `logoutEndpoint` that says where to return after logout. Default
   * `'redirect_to'` (Puavo); `false` for providers with a fixed, configured logout redirect (WSO2:
   * `logoutEndpoint: 'https://is.example.org/identity/jwtsso/logout?jwtRP=app'`).
   */
  logoutRedirectParam?: string | false | undefined;
}

/** Hooks: the clock, and the audit events. */
export interface HookOptions {
  /** The current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: (() => number) | undefined;
  /** Called with every decision (redirect, accepted, refused with its code…) for audit logs. */
  onEvent?: ((event: JwtSsoEvent) => void) | undefined;
}

/** Every option but the key source and `passReqToCallback`: the named groups, composed. */
export interface JwtSsoStrategyCommonOptions
  extends
    ProviderOptions,
    KeyOptions,
    TokenRuleOptions,
    ReplayOptions,
    AppOptions,
    LoginStateOptions,
    ProviderShapeOptions,
    LogoutOptions,
    HookOptions {}

/**
 * Every option shared by both verify forms, with the key sources each optional (what the
 * presets take and return). The constructor takes {@link JwtSsoStrategyOptions}, which also
 * requires exactly one key source.
 */
export interface JwtSsoStrategyBaseOptions extends JwtSsoStrategyCommonOptions, KeySources {}

/** The verify form `verify(claims, done)`. */
export interface WithoutRequestOptions {
  /** Call `verify(req, claims, done)` instead of `verify(claims, done)`. Default `false`. */
  passReqToCallback?: false | undefined;
}

/** The verify form `verify(req, claims, done)`. */
export interface WithRequestOptions {
  /** Call `verify(req, claims, done)`. */
  passReqToCallback: true;
}

/**
 * Options of {@link JwtSsoStrategy} with `verify(claims, done)`: the groups, exactly one key
 * source, and `passReqToCallback` false or left out.
 *
 * @example
 * ```ts
 * const options: JwtSsoStrategyOptions = {
 *   authEndpoint: 'https://api.opinsys.fi/v3/sso',
 *   sharedSecret: process.env.SSO_SECRET, // unset: a TypeError at construction names it
 *   host: 'app.example.org',
 * };
 * ```
 */
export type JwtSsoStrategyOptions = JwtSsoStrategyCommonOptions & KeySourceOptions & WithoutRequestOptions;

/** Options of {@link JwtSsoStrategy} with `verify(req, claims, done)`. */
export type JwtSsoStrategyOptionsWithRequest = JwtSsoStrategyCommonOptions & KeySourceOptions & WithRequestOptions;

/**
 * What a preset returned ({@link JwtSsoStrategyBaseOptions}), passed to the constructor as it is
 * or spread with other options. The key source and `authEndpoint` come from the preset: written
 * in the object literal (after the spread), they are refused by the compiler here, so that such
 * a literal is checked against {@link JwtSsoStrategyOptions}, which requires exactly one key
 * source. A bridge until the presets return {@link JwtSsoStrategyOptions}: while it stands, an
 * object naming neither `authEndpoint` nor a key source (`{ maxAge: 5 }`) compiles, and is
 * refused at construction as before.
 */
export type PresetResultOptions = Omit<JwtSsoStrategyBaseOptions, 'authEndpoint' | keyof KeySources> & WithoutRequestOptions;

/** {@link PresetResultOptions} with `passReqToCallback: true`. */
export type PresetResultOptionsWithRequest = Omit<JwtSsoStrategyBaseOptions, 'authEndpoint' | keyof KeySources> & WithRequestOptions;
