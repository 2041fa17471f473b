import { systemClock } from './clock';
import type { KeyObject } from 'node:crypto';
import { JwksKeys } from './jwks';
import {
  ALGORITHMS,
  publicVerificationKeys,
  secretVerificationKey,
  toPublicKey,
  type Algorithm,
  type PublicKeyInput,
  type VerificationKey,
} from './keys';
import type { IncomingMessage } from 'node:http';
import { isValidHost } from './request-url';
import { isNormalisedMountPoint } from './urls';
import { MemoryReplayStore } from './replay/memory';
import type { ReplayStore } from './replay/store';
import type { JwtSsoEvent } from './events';

/** A shared secret: its bytes are the HMAC key as the provider has it (a string is UTF-8, not base64). */
export type SharedSecret = string | Uint8Array | KeyObject;

/** What a {@link JwtSsoStrategyBaseOptions.secretOrKeyProvider} may return for a token. */
export type ProvidedKey = SharedSecret | KeyObject | PublicKeyInput;

/** Picks verification key(s) per token from the request and the unverified header and payload. */
export type SecretOrKeyProvider = (
  req: IncomingMessage,
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
) => Promise<ProvidedKey | readonly ProvidedKey[]> | ProvidedKey | readonly ProvidedKey[];

/** Where the keys come from, after checking. */
export type KeySource =
  | { readonly kind: 'static'; readonly keys: readonly VerificationKey[] }
  | { readonly kind: 'jwks'; readonly jwks: JwksKeys }
  | { readonly kind: 'provider'; readonly provide: SecretOrKeyProvider; readonly algorithms: readonly Algorithm[] | undefined };

/** Extra query parameters for the provider, e.g. `{ organisation: 'example.opinsys.fi' }`. */
export type AuthParams = Readonly<Record<string, string>> | ((req: IncomingMessage) => Readonly<Record<string, string>>);

/** Options of {@link JwtSsoStrategy} shared by both verify forms. Every number of seconds says so. */
export interface JwtSsoStrategyBaseOptions {
  /** The provider's SSO endpoint, an absolute http(s) URL; its own query is kept. Required. */
  authEndpoint: string;
  /**
   * The secret the provider signs with (HS256), or several (key rotation: any one may verify).
   * Exactly one key source is given: `sharedSecret`, `publicKey`, `jwksUri` or `secretOrKeyProvider`.
   */
  sharedSecret?: SharedSecret | readonly SharedSecret[];
  /**
   * The provider's public key (PEM, `KeyObject` or JWK), or several. Its type alone decides the
   * algorithm: RSA → RS256 (PS256 only if `algorithms` lists it), EC P-256 → ES256, P-384 → ES384,
   * Ed25519 → EdDSA.
   */
  publicKey?: PublicKeyInput | readonly PublicKeyInput[];
  /** A JWKS URL: keys fetched, cached and matched by `kid`, with the same algorithm-by-key-type rule. */
  jwksUri?: string;
  /** Seconds a JWKS fetch may take. Default 5. */
  jwksTimeout?: number;
  /** Seconds between JWKS fetches for unknown `kid`s (however many arrive), and after a failed fetch. Default 30. */
  jwksCooldown?: number;
  /**
   * Seconds a fetched JWKS is used; then it is fetched again before the next token is checked,
   * so a key removed from the JWKS stops verifying within this time. Default 600 (10 minutes).
   */
  jwksCacheMaxAge?: number;
  /** Largest JWKS body read, in bytes. Default 65536. */
  jwksMaxBytes?: number;
  /**
   * Picks the key(s) per token, for multi-tenant apps: `(req, header, payload)` (unverified) →
   * a secret (string/Buffer: HS256), a public key (`KeyObject`, JWK, or PEM text), or an array.
   */
  secretOrKeyProvider?: SecretOrKeyProvider;
  /** Narrows, never widens, the algorithms the keys' types allow, e.g. `['ES256']` or `['RS256', 'PS256']`. */
  algorithms?: readonly Algorithm[];
  /** Accepted `iss` value(s); when set, `iss` is required. */
  issuer?: string | readonly string[];
  /** Accepted `aud` value(s); one must appear in the token's `aud`. */
  audience?: string | readonly string[];
  /** Claims that must be present and not null, e.g. `['sub', 'email']`. */
  requiredClaims?: readonly string[];
  /** Puavo: the `external_service_path_prefix` tokens must be minted for (`'/'` or `'/prefix'`). */
  servicePathPrefix?: string;
  /** Name to register under with `passport.use`. Default `'jwtsso'`. */
  name?: string;
  /** Public path prefix of the app, which a proxy strips before the app sees the request. Default `''`. */
  mountPoint?: string;
  /** Public `host[:port]` of the app. Set it in production: then no header is ever trusted for it. */
  host?: string;
  /** Public scheme, `'https'` or `'http'`. Default: from the connection, or a trusted proxy's headers. */
  scheme?: 'http' | 'https';
  /** Seconds a token may be old, judged by `iat`. Default 60; Puavo with MFA needs about 300. */
  maxAge?: number;
  /** Seconds of clock skew allowed between provider and app in every time check. Default 5. */
  clockTolerance?: number;
  /** Bind each login to the browser session that started it (login CSRF protection). Default `true`. */
  state?: boolean;
  /** Seconds a login started by this app may take at the provider. Default 600. */
  stateMaxAge?: number;
  /** Where used token ids are remembered. Default: a new {@link MemoryReplayStore} (one process only). */
  replayStore?: ReplayStore;
  /** Query parameter the provider returns the token in. Default `'jwt'`. */
  tokenParam?: string;
  /** Query parameter that tells the provider where to return. Default `'return_to'`. */
  returnToParam?: string;
  /** Query parameter of `return_to` that carries the login state. Default `'jwtsso_state'`. */
  stateParam?: string;
  /** Extra query parameters for the provider, or a function of the request returning them. */
  authParams?: AuthParams;
  /** The current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number;
  /** Called with every decision (redirect, accepted, refused with its code…) for audit logs. */
  onEvent?: (event: JwtSsoEvent) => void;
  /** The provider's logout URL for `logoutUrl()`. Default: `authEndpoint` + `/logout` (Puavo's `/v3/sso/logout`). */
  logoutEndpoint?: string;
}

/** Options of {@link JwtSsoStrategy} with `verify(claims, done)`. */
export interface JwtSsoStrategyOptions extends JwtSsoStrategyBaseOptions {
  /** Call `verify(req, claims, done)` instead of `verify(claims, done)`. Default `false`. */
  passReqToCallback?: false;
}

/** Options of {@link JwtSsoStrategy} with `verify(req, claims, done)`. */
export interface JwtSsoStrategyOptionsWithRequest extends JwtSsoStrategyBaseOptions {
  /** Call `verify(req, claims, done)`. */
  passReqToCallback: true;
}

/** The options after checking: complete, frozen, secrets turned into keys once. */
export interface ResolvedOptions {
  readonly name: string;
  readonly authEndpoint: string;
  readonly keySource: KeySource;
  readonly issuer: readonly string[] | undefined;
  readonly audience: readonly string[] | undefined;
  readonly requiredClaims: readonly string[] | undefined;
  readonly servicePathPrefix: string | undefined;
  readonly mountPoint: string;
  readonly host: string | undefined;
  readonly scheme: 'http' | 'https' | undefined;
  readonly maxAge: number;
  readonly clockTolerance: number;
  readonly state: boolean;
  readonly stateMaxAge: number;
  readonly replayStore: ReplayStore;
  readonly tokenParam: string;
  readonly returnToParam: string;
  readonly stateParam: string;
  readonly authParams: AuthParams;
  readonly passReqToCallback: boolean;
  readonly clock: () => number;
  readonly onEvent: ((event: JwtSsoEvent) => void) | undefined;
  readonly logoutEndpoint: string;
}

export const DEFAULTS = {
  name: 'jwtsso',
  mountPoint: '',
  maxAge: 60,
  clockTolerance: 5,
  state: true,
  stateMaxAge: 600,
  tokenParam: 'jwt',
  returnToParam: 'return_to',
  stateParam: 'jwtsso_state',
} as const;

const KNOWN = new Set<string>([
  'authEndpoint',
  'sharedSecret',
  'name',
  'mountPoint',
  'host',
  'scheme',
  'maxAge',
  'clockTolerance',
  'state',
  'stateMaxAge',
  'replayStore',
  'tokenParam',
  'returnToParam',
  'stateParam',
  'authParams',
  'passReqToCallback',
  'clock',
  'onEvent',
  'logoutEndpoint',
  'publicKey',
  'jwksUri',
  'jwksTimeout',
  'jwksCooldown',
  'jwksCacheMaxAge',
  'jwksMaxBytes',
  'secretOrKeyProvider',
  'algorithms',
  'issuer',
  'audience',
  'requiredClaims',
  'servicePathPrefix',
]);
const KEY_SOURCES = ['sharedSecret', 'publicKey', 'jwksUri', 'secretOrKeyProvider'] as const;
const MS_PER_SECOND = 1000;
const DEFAULT_JWKS_TIMEOUT = 5;
const DEFAULT_JWKS_COOLDOWN = 30;
const DEFAULT_JWKS_CACHE_MAX_AGE = 600;
const DEFAULT_JWKS_MAX_BYTES = 65_536;
const PARAM_NAME = /^[A-Za-z0-9._~-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const MOUNT_POINT = /^(?:\/[^/?#\\\x00-\x20\x7f][^?#\\\x00-\x20\x7f]*)?$/;

function problem(option: string, expected: string, got?: unknown): TypeError {
  const shown = got === undefined ? '' : `, got ${describe(got)}`;
  return new TypeError(`JwtSsoStrategy: option "${option}" must be ${expected}${shown}.`);
}

// Says what a bad value was without printing it: it may be a secret.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}

function seconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw problem(option, 'a finite number of seconds, 0 or more', value);
  }
  return value;
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw problem(option, 'true or false', value);
  return value;
}

function stringList(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw problem(option, 'a non-empty string or a non-empty array of them', value);
  }
  return Object.freeze([...(list as string[])]);
}

function algorithmList(value: unknown): readonly Algorithm[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => !ALGORITHMS.includes(a as Algorithm))) {
    throw problem('algorithms', `a non-empty array of ${ALGORITHMS.join(', ')}`, value);
  }
  return Object.freeze([...(value as Algorithm[])]);
}

function keySource(o: Record<string, unknown>, algorithms: readonly Algorithm[] | undefined, clock: () => number): KeySource {
  const given = KEY_SOURCES.filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(
      `JwtSsoStrategy: give exactly one of the options ${KEY_SOURCES.map((k) => `"${k}"`).join(', ')}${given.length > 1 ? `, not ${given.map((k) => `"${k}"`).join(' and ')}` : ''}.`,
    );
  }
  switch (given[0]!) {
    case 'sharedSecret': {
      const secrets = Array.isArray(o.sharedSecret) ? (o.sharedSecret as unknown[]) : [o.sharedSecret];
      if (secrets.length === 0) throw problem('sharedSecret', 'a non-empty string or Buffer, or a non-empty array of them');
      if (algorithms !== undefined && !algorithms.includes('HS256')) throw problem('algorithms', 'to include HS256 with "sharedSecret"');
      return { kind: 'static', keys: Object.freeze(secrets.map((x) => secretVerificationKey(x as SharedSecret, 'sharedSecret'))) };
    }
    case 'publicKey': {
      const inputs = Array.isArray(o.publicKey) ? (o.publicKey as unknown[]) : [o.publicKey];
      if (inputs.length === 0) throw problem('publicKey', 'a public key or a non-empty array of them');
      const keys = inputs.flatMap((input) => {
        const made = publicVerificationKeys(toPublicKey(input as PublicKeyInput, 'publicKey'), algorithms);
        if (made.length === 0) {
          throw new TypeError(
            `JwtSsoStrategy: option "publicKey" has a key that fits none of the allowed algorithms${algorithms ? ` (${algorithms.join(', ')})` : ''}: RSA → RS256/PS256, EC P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA.`,
          );
        }
        return made;
      });
      return { kind: 'static', keys: Object.freeze(keys) };
    }
    case 'jwksUri':
      return {
        kind: 'jwks',
        jwks: new JwksKeys(endpoint('jwksUri', o.jwksUri, 'https://sso.example/.well-known/jwks.json'), {
          timeoutMs: positive('jwksTimeout', o.jwksTimeout, DEFAULT_JWKS_TIMEOUT) * MS_PER_SECOND,
          cooldownMs: seconds('jwksCooldown', o.jwksCooldown, DEFAULT_JWKS_COOLDOWN) * MS_PER_SECOND,
          cacheMaxAgeMs: positive('jwksCacheMaxAge', o.jwksCacheMaxAge, DEFAULT_JWKS_CACHE_MAX_AGE) * MS_PER_SECOND,
          maxBytes: positive('jwksMaxBytes', o.jwksMaxBytes, DEFAULT_JWKS_MAX_BYTES),
          algorithms,
          clock,
        }),
      };
    default:
      if (typeof o.secretOrKeyProvider !== 'function')
        throw problem('secretOrKeyProvider', 'a function (req, header, payload)', o.secretOrKeyProvider);
      return { kind: 'provider', provide: o.secretOrKeyProvider as SecretOrKeyProvider, algorithms };
  }
}

function positive(option: string, value: unknown, fallback: number): number {
  const n = seconds(option, value, fallback);
  if (n === 0) throw problem(option, 'more than 0', value);
  return n;
}

function endpoint(option: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || value === '') {
    throw problem(option, `the provider's absolute URL, e.g. "${example}"`, value);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem(option, `an absolute http(s) URL, e.g. "${example}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw problem(option, 'an http: or https: URL');
  }
  return url.href;
}

// Puavo's logout lives beside its SSO endpoint: /v3/sso -> /v3/sso/logout.
function defaultLogoutEndpoint(authEndpoint: string): string {
  const url = new URL(authEndpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/logout`;
  url.search = '';
  url.hash = '';
  return url.href;
}

function paramName(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !PARAM_NAME.test(value)) {
    throw problem(option, 'a query parameter name of 1 to 64 letters, digits, ".", "_", "~" or "-"', value);
  }
  return value;
}

function authParams(value: unknown): AuthParams {
  if (value === undefined) return Object.freeze({});
  if (typeof value === 'function') return value as AuthParams;
  return checkAuthParams(value, 'authParams');
}

/** Checks a plain object of string parameters (also used for per-request results). */
export function checkAuthParams(value: unknown, option: string): Readonly<Record<string, string>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw problem(option, 'an object of string query parameters, or a function of the request returning one', value);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw problem(`${option}.${key}`, 'a string', v);
    out[key] = v;
  }
  return Object.freeze(out);
}

function servicePathPrefix(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/')) throw problem('servicePathPrefix', 'a path such as "/" or "/prefix"', value);
  return value;
}

/** Checks every option once and returns the frozen result; a bad option throws a TypeError naming it. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('JwtSsoStrategy: options must be an object with "authEndpoint" and a key source such as "sharedSecret".');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new TypeError(`JwtSsoStrategy: unknown option "${key}". Known options: ${[...KNOWN].join(', ')}.`);
  }

  const authEndpoint = endpoint('authEndpoint', o.authEndpoint, 'https://api.opinsys.fi/v3/sso');

  let mountPoint = o.mountPoint ?? DEFAULTS.mountPoint;
  if (typeof mountPoint !== 'string') throw problem('mountPoint', 'a path such as "/app", or ""', mountPoint);
  mountPoint = mountPoint.replace(/\/+$/, '');
  if (!MOUNT_POINT.test(mountPoint as string) || !isNormalisedMountPoint(mountPoint as string)) {
    throw problem(
      'mountPoint',
      'a path such as "/app" (one leading "/", no "?", "#", "\\", spaces, control characters or "." and ".." segments; other characters %-encoded as a browser sends them), or ""',
    );
  }

  if (o.host !== undefined && (typeof o.host !== 'string' || !isValidHost(o.host))) {
    throw problem('host', 'the public "host" or "host:port" of the app, without scheme or path', o.host);
  }
  if (o.scheme !== undefined && o.scheme !== 'http' && o.scheme !== 'https') {
    throw problem('scheme', '"http" or "https"', o.scheme);
  }

  const name = o.name ?? DEFAULTS.name;
  if (typeof name !== 'string' || name === '') throw problem('name', 'a non-empty string', name);

  if (o.clock !== undefined && typeof o.clock !== 'function') throw problem('clock', 'a function returning milliseconds', o.clock);
  const clock = (o.clock as (() => number) | undefined) ?? systemClock;
  const replayStore = o.replayStore === undefined ? new MemoryReplayStore({ clock }) : o.replayStore;
  if (replayStore === null || typeof (replayStore as ReplayStore).consume !== 'function') {
    throw problem('replayStore', 'an object with a consume(id, ttlSeconds) method (a ReplayStore)', replayStore);
  }

  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') throw problem('onEvent', 'a function (event)', o.onEvent);
  const tokenParam = paramName('tokenParam', o.tokenParam, DEFAULTS.tokenParam);
  const stateParam = paramName('stateParam', o.stateParam, DEFAULTS.stateParam);
  const returnToParam = paramName('returnToParam', o.returnToParam, DEFAULTS.returnToParam);
  if (tokenParam === stateParam) throw problem('stateParam', `different from "tokenParam" (both are "${tokenParam}")`);

  return Object.freeze({
    name,
    authEndpoint,
    keySource: keySource(o, algorithmList(o.algorithms), clock),
    issuer: stringList('issuer', o.issuer),
    audience: stringList('audience', o.audience),
    requiredClaims: o.requiredClaims === undefined ? undefined : stringList('requiredClaims', o.requiredClaims),
    servicePathPrefix: servicePathPrefix(o.servicePathPrefix),
    mountPoint: mountPoint as string,
    host: o.host as string | undefined,
    scheme: o.scheme as 'http' | 'https' | undefined,
    maxAge: seconds('maxAge', o.maxAge, DEFAULTS.maxAge),
    clockTolerance: seconds('clockTolerance', o.clockTolerance, DEFAULTS.clockTolerance),
    state: bool('state', o.state, DEFAULTS.state),
    stateMaxAge: seconds('stateMaxAge', o.stateMaxAge, DEFAULTS.stateMaxAge),
    replayStore: replayStore as ReplayStore,
    tokenParam,
    returnToParam,
    stateParam,
    authParams: authParams(o.authParams),
    passReqToCallback: bool('passReqToCallback', o.passReqToCallback, false),
    clock,
    onEvent: o.onEvent as ((event: JwtSsoEvent) => void) | undefined,
    logoutEndpoint:
      o.logoutEndpoint === undefined
        ? defaultLogoutEndpoint(authEndpoint)
        : endpoint('logoutEndpoint', o.logoutEndpoint, 'https://api.opinsys.fi/v3/sso/logout'),
  });
}
