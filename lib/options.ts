import { createSecretKey, KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isValidHost } from './request-url';
import { MemoryReplayStore } from './replay/memory';
import type { ReplayStore } from './replay/store';
import type { JwtSsoEvent } from './events';

/** A shared secret: its bytes are the HMAC key as the provider has it (a string is UTF-8, not base64). */
export type SharedSecret = string | Uint8Array | KeyObject;

/** Extra query parameters for the provider, e.g. `{ organisation: 'example.opinsys.fi' }`. */
export type AuthParams = Readonly<Record<string, string>> | ((req: IncomingMessage) => Readonly<Record<string, string>>);

/** Options of {@link JwtSsoStrategy} shared by both verify forms. Every number of seconds says so. */
export interface JwtSsoStrategyBaseOptions {
  /** The provider's SSO endpoint, an absolute http(s) URL; its own query is kept. Required. */
  authEndpoint: string;
  /** The secret the provider signs with, or several (key rotation: any one may verify). Required. */
  sharedSecret: SharedSecret | readonly SharedSecret[];
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
  readonly keys: readonly KeyObject[];
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
]);
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

function toKey(secret: unknown): KeyObject {
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret' || (secret.symmetricKeySize ?? 0) === 0) {
      throw problem('sharedSecret', 'a non-empty secret KeyObject (createSecretKey)');
    }
    return secret;
  }
  if (typeof secret === 'string' && secret.length > 0) return createSecretKey(Buffer.from(secret, 'utf8'));
  if (secret instanceof Uint8Array && secret.length > 0) return createSecretKey(Buffer.from(secret));
  throw problem('sharedSecret', 'a non-empty string or Buffer, or an array of them', secret);
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

/** Checks every option once and returns the frozen result; a bad option throws a TypeError naming it. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('JwtSsoStrategy: options must be an object with at least "authEndpoint" and "sharedSecret".');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new TypeError(`JwtSsoStrategy: unknown option "${key}". Known options: ${[...KNOWN].join(', ')}.`);
  }

  const authEndpoint = endpoint('authEndpoint', o.authEndpoint, 'https://api.opinsys.fi/v3/sso');
  const secrets = Array.isArray(o.sharedSecret) ? (o.sharedSecret as unknown[]) : [o.sharedSecret];
  if (secrets.length === 0) throw problem('sharedSecret', 'a non-empty string or Buffer, or a non-empty array of them');
  const keys = Object.freeze(secrets.map(toKey));

  let mountPoint = o.mountPoint ?? DEFAULTS.mountPoint;
  if (typeof mountPoint !== 'string') throw problem('mountPoint', 'a path such as "/app", or ""', mountPoint);
  mountPoint = mountPoint.replace(/\/+$/, '');
  if (!MOUNT_POINT.test(mountPoint as string)) {
    throw problem('mountPoint', 'a path such as "/app" (one leading "/", no "?", "#", "\\", spaces or control characters), or ""');
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
  const clock = (o.clock as (() => number) | undefined) ?? Date.now;
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
    keys,
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
