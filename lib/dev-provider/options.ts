// The dev provider's options: their type, their checks, and the production guard.
import { createSecretKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { systemClock } from '../clock';
import { SHAPES, type DevProviderShape } from './shapes';
import { DEFAULT_DEV_USERS, type DevUser } from './users';

export type { DevProviderShape } from './shapes';

const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
/** Bits of the RSA key a key-pair shape (Freshworks) generates. */
const RSA_MODULUS_BITS = 2048;

/** The HMAC algorithms WSO2's connector can be set to sign with. */
export type DevHmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** What a {@link DevProviderOptions.claims} hook is told about the token it changes. */
export interface DevClaimsContext {
  /** The user the token is for. */
  user: DevUser;
  /** The shape being played. */
  shape: DevProviderShape;
}

/** Options of {@link createDevProvider}. */
export interface DevProviderOptions {
  /** Which provider it plays. Default `'puavo'`. */
  shape?: DevProviderShape;
  /**
   * The secret tokens are signed with; the app's `sharedSecret`. Required for every shape but
   * `'freshworks'`, which signs RS256 with a key pair of its own (refused there).
   */
  sharedSecret?: string | Uint8Array;
  /**
   * The app's fixed callback URL, an absolute URL on an allowed host: where `'wso2'`,
   * `'zendesk'` and `'thinkific'` send the token (required for them). For `'freshworks'`, the
   * only `redirect_uri` it accepts (as a registered redirect URI); without it any `redirect_uri`
   * on an allowed host. Not for `'puavo'`.
   */
  callbackUrl?: string;
  /** `'wso2'` only: the algorithm its relying party is set to. Default `'HS256'`. */
  algorithm?: DevHmacAlgorithm;
  /** `'wso2'` only: the relying party name `jwtRP` must be. Default: any non-empty `jwtRP`. */
  relyingParty?: string;
  /** `'wso2'` only: the fixed, configured URL its logout redirects to (an allowed host). Default: a "Signed out" page. */
  logoutUrl?: string;
  /** `'freshworks'` only: the `client_id` it accepts. Default: any non-empty `client_id`. */
  clientId?: string;
  /**
   * Fixed-callback shapes (`'wso2'`, `'zendesk'`, `'thinkific'`): a pattern `return_to` and
   * `error_url` must match in full before they are passed on (WSO2's per-relying-party regex).
   * Default: an absolute http(s) URL on an allowed host, without credentials. A lax pattern
   * (`/.+/`) lets an app's tests send it hostile return URLs.
   */
  returnToPattern?: RegExp;
  /** Users on the login page. Default: a teacher, a student and an admin of one school ({@link DEFAULT_DEV_USERS}). */
  users?: readonly DevUser[];
  /**
   * Hosts `return_to` (and the logout `redirect_to`, `callbackUrl`, `redirect_uri`) may point
   * at, as `host` (any port) or `host:port`. Default: `localhost`, `127.0.0.1` and `[::1]` on any port.
   */
  allowedHosts?: readonly string[];
  /** Seconds added to `iat`: negative mints stale tokens, positive ones from the future. Default 0. */
  iatOffset?: number;
  /** `'puavo'` only: send `iat` as a string of digits, as Puavo did before November 2020. Default false. */
  legacyStringIat?: boolean;
  /**
   * Makes each token's `jti`: a constant one lets an app test its replay protection, a number
   * mints Zendesk's numeric sample shape (`() => 8883362531196.326`), `false` none. Default: a
   * random UUID for `'puavo'`, `'wso2'` and `'zendesk'`; none for `'freshworks'` and `'thinkific'`.
   */
  jti?: (() => string | number) | false;
  /**
   * Changes each token's claims just before it is signed, for tests of an app's own checks
   * (drop the `nonce`, put an object in `jti`…); the result is signed as it is. Default: none.
   */
  claims?: (claims: Record<string, unknown>, context: DevClaimsContext) => Record<string, unknown>;
  /** `'puavo'` only: `external_service_path_prefix` of the tokens. Default `'/'`. */
  servicePathPrefix?: string;
  /** The parameter the token is sent as. Default `'id_token'` for `'freshworks'`, else `'jwt'`. */
  tokenParam?: string;
  /** Remember the chosen user in a cookie and sign them straight in next time, as Puavo does. Default true. */
  remember?: boolean;
  /** Milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number;
}

// Any spelling of production: case, spaces, quotes kept by an env file, invisible characters,
// compatibility forms (`PRODUCTİON`), or `prod`: a typo must not turn the guard off.
const PRODUCTION = /^prod(?:uction)?$/;

// True if NODE_ENV, reduced to its ASCII letters, names production.
function isProductionEnv(value: string | undefined): boolean {
  if (value === undefined) return false;
  const letters = value
    .normalize('NFKD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
  return PRODUCTION.test(letters);
}

export function refuseInProduction(): void {
  if (isProductionEnv(process.env.NODE_ENV)) {
    throw new Error('createDevProvider: refusing to run with NODE_ENV=production: it signs anyone in as anyone. Use a real provider.');
  }
}

/** The key a shape signs with: an HMAC secret, or a generated RSA pair (Freshworks). */
export interface SigningKey {
  alg: 'HS256' | 'HS384' | 'HS512' | 'RS256';
  key: KeyObject;
  /** The public half and its `kid`, for an RSA pair. */
  publicKey?: KeyObject;
  kid?: string;
}

/** The options after checking. */
export interface Resolved {
  shape: DevProviderShape;
  signing: SigningKey;
  users: readonly DevUser[];
  allowed: readonly string[];
  callbackUrl: URL | undefined;
  relyingParty: string | undefined;
  logoutUrl: URL | undefined;
  clientId: string | undefined;
  returnToPattern: RegExp | undefined;
  iatOffset: number;
  legacyStringIat: boolean;
  jti: (() => string | number) | undefined;
  claims: ((claims: Record<string, unknown>, context: DevClaimsContext) => Record<string, unknown>) | undefined;
  servicePathPrefix: string;
  tokenParam: string;
  remember: boolean;
  clock: () => number;
}

/**
 * The options that only some shapes read: each shape lists those it reads (`Shape.reads`); given
 * to another shape, they would be silently ignored, so they are refused.
 */
export const SHAPE_OPTIONS = [
  'algorithm',
  'relyingParty',
  'logoutUrl',
  'clientId',
  'returnToPattern',
  'callbackUrl',
  'legacyStringIat',
  'servicePathPrefix',
] as const satisfies ReadonlyArray<keyof DevProviderOptions>;
export type ShapeOption = (typeof SHAPE_OPTIONS)[number];

const SHAPE_NAMES = Object.keys(SHAPES) as DevProviderShape[];
const ALGORITHMS: readonly DevHmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];

const problem = (message: string): TypeError => new TypeError(`createDevProvider: ${message}`);

function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  return allowed.includes(url.host.toLowerCase()) || allowed.includes(url.hostname.toLowerCase());
}

// An absolute http(s) URL on an allowed host, without credentials, or a TypeError naming the option.
function allowedUrl(option: string, value: unknown, allowed: readonly string[]): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    throw problem(`option "${option}" must be an absolute http(s) URL without credentials.`);
  }
  if (!hostAllowed(url, allowed)) throw problem(`option "${option}" names a host not in allowedHosts (${allowed.join(', ')}).`);
  return url;
}

function signingKey(shape: DevProviderShape, options: DevProviderOptions): SigningKey {
  const { sharedSecret } = options;
  if (SHAPES[shape].keyPair) {
    if (sharedSecret !== undefined)
      throw problem(
        `option "sharedSecret" is not for shape "${shape}": it signs RS256 with a key pair of its own (give the app provider.publicKey).`,
      );
    const pair = generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS });
    return { alg: 'RS256', key: pair.privateKey, publicKey: pair.publicKey, kid: randomUUID() };
  }
  if (!((typeof sharedSecret === 'string' || sharedSecret instanceof Uint8Array) && sharedSecret.length > 0)) {
    throw problem('option "sharedSecret" must be a non-empty string or Buffer (the app\'s sharedSecret).');
  }
  const alg = options.algorithm ?? 'HS256';
  if (!ALGORITHMS.includes(alg)) throw problem(`option "algorithm" must be one of ${ALGORITHMS.join(', ')}.`);
  return {
    alg,
    key: createSecretKey(typeof sharedSecret === 'string' ? Buffer.from(sharedSecret, 'utf8') : Buffer.from(sharedSecret)),
  };
}

export function resolve(options: DevProviderOptions): Resolved {
  if (options === null || typeof options !== 'object')
    throw problem('options must be an object with "sharedSecret" (or "shape": "freshworks").');
  const shape = options.shape ?? 'puavo';
  if (!SHAPE_NAMES.includes(shape)) throw problem(`option "shape" must be one of ${SHAPE_NAMES.map((s) => `"${s}"`).join(', ')}.`);
  const played = SHAPES[shape];
  for (const option of SHAPE_OPTIONS) {
    if (options[option] !== undefined && !played.reads.includes(option)) {
      const readers = SHAPE_NAMES.filter((s) => SHAPES[s].reads.includes(option));
      throw problem(`option "${option}" is not for shape "${shape}" (only ${readers.map((s) => `"${s}"`).join(', ')}).`);
    }
  }
  const signing = signingKey(shape, options);
  const users = options.users ?? DEFAULT_DEV_USERS;
  if (!Array.isArray(users) || users.length === 0 || users.some((u) => typeof u?.username !== 'string' || typeof u.puavo_id !== 'number')) {
    throw problem('option "users" must be a non-empty array of Puavo-shaped users (username, puavo_id, …).');
  }
  const allowed = (options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS).map((h) => {
    if (typeof h !== 'string' || h === '') throw problem('option "allowedHosts" must be an array of "host" or "host:port" strings.');
    return h.toLowerCase();
  });
  if (played.fixedCallback && options.callbackUrl === undefined)
    throw problem(`option "callbackUrl" is required for shape "${shape}": the app's fixed callback URL.`);
  const callbackUrl = options.callbackUrl === undefined ? undefined : allowedUrl('callbackUrl', options.callbackUrl, allowed);
  const logoutUrl = options.logoutUrl === undefined ? undefined : allowedUrl('logoutUrl', options.logoutUrl, allowed);
  for (const name of ['relyingParty', 'clientId', 'servicePathPrefix', 'tokenParam'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw problem(`option "${name}" must be a non-empty string.`);
  }
  if (options.returnToPattern !== undefined && !(options.returnToPattern instanceof RegExp))
    throw problem('option "returnToPattern" must be a RegExp.');
  const iatOffset = options.iatOffset ?? 0;
  if (typeof iatOffset !== 'number' || !Number.isFinite(iatOffset)) throw problem('option "iatOffset" must be a finite number of seconds.');
  for (const fn of ['claims', 'clock'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') throw problem(`option "${fn}" must be a function.`);
  }
  if (options.jti !== undefined && options.jti !== false && typeof options.jti !== 'function')
    throw problem('option "jti" must be a function or false.');
  return {
    shape,
    signing,
    users,
    allowed,
    callbackUrl,
    relyingParty: options.relyingParty,
    logoutUrl,
    clientId: options.clientId,
    returnToPattern: options.returnToPattern,
    iatOffset,
    legacyStringIat: options.legacyStringIat === true,
    jti: options.jti === false ? undefined : (options.jti ?? (played.jtiByDefault ? randomUUID : undefined)),
    claims: options.claims,
    servicePathPrefix: options.servicePathPrefix ?? '/',
    tokenParam: options.tokenParam ?? played.tokenParam,
    remember: options.remember !== false,
    clock: options.clock ?? systemClock,
  };
}
