// The dev provider's options: their type, their checks, and the production guard.
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { systemClock } from '../clock';
import { DEFAULT_DEV_USERS, type DevUser } from './users';

const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Options of {@link createDevProvider}. */
export interface DevProviderOptions {
  /** The secret tokens are signed with (HS256); the app's `sharedSecret`. Required. */
  sharedSecret: string | Uint8Array;
  /** Users on the login page. Default: a teacher, a student and an admin of one school ({@link DEFAULT_DEV_USERS}). */
  users?: readonly DevUser[];
  /**
   * Hosts `return_to` (and the logout `redirect_to`) may point at, as `host` (any port) or
   * `host:port`. Default: `localhost`, `127.0.0.1` and `[::1]` on any port.
   */
  allowedHosts?: readonly string[];
  /** Seconds added to `iat`: negative mints stale tokens, positive ones from the future. Default 0. */
  iatOffset?: number;
  /** Send `iat` as a string of digits, as Puavo did before November 2020. Default false. */
  legacyStringIat?: boolean;
  /** Makes each token's `jti`; a constant one lets an app test its replay protection. Default: a random UUID. */
  jti?: () => string;
  /** `external_service_path_prefix` of the tokens. Default `'/'`. */
  servicePathPrefix?: string;
  /** The query parameter the token is added to `return_to` as. Default `'jwt'`. */
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

/** The options after checking. */
export interface Resolved {
  key: KeyObject;
  users: readonly DevUser[];
  allowed: readonly string[];
  iatOffset: number;
  legacyStringIat: boolean;
  jti: () => string;
  servicePathPrefix: string;
  tokenParam: string;
  remember: boolean;
  clock: () => number;
}

export function resolve(options: DevProviderOptions): Resolved {
  if (options === null || typeof options !== 'object')
    throw new TypeError('createDevProvider: options must be an object with "sharedSecret".');
  const { sharedSecret } = options;
  if (!((typeof sharedSecret === 'string' || sharedSecret instanceof Uint8Array) && sharedSecret.length > 0)) {
    throw new TypeError('createDevProvider: option "sharedSecret" must be a non-empty string or Buffer (the app\'s sharedSecret).');
  }
  const users = options.users ?? DEFAULT_DEV_USERS;
  if (!Array.isArray(users) || users.length === 0 || users.some((u) => typeof u?.username !== 'string' || typeof u.puavo_id !== 'number')) {
    throw new TypeError('createDevProvider: option "users" must be a non-empty array of Puavo-shaped users (username, puavo_id, …).');
  }
  const allowed = (options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS).map((h) => {
    if (typeof h !== 'string' || h === '')
      throw new TypeError('createDevProvider: option "allowedHosts" must be an array of "host" or "host:port" strings.');
    return h.toLowerCase();
  });
  const iatOffset = options.iatOffset ?? 0;
  if (typeof iatOffset !== 'number' || !Number.isFinite(iatOffset))
    throw new TypeError('createDevProvider: option "iatOffset" must be a finite number of seconds.');
  for (const fn of ['jti', 'clock'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function')
      throw new TypeError(`createDevProvider: option "${fn}" must be a function.`);
  }
  return {
    key: createSecretKey(typeof sharedSecret === 'string' ? Buffer.from(sharedSecret, 'utf8') : Buffer.from(sharedSecret)),
    users,
    allowed,
    iatOffset,
    legacyStringIat: options.legacyStringIat === true,
    jti: options.jti ?? randomUUID,
    servicePathPrefix: options.servicePathPrefix ?? '/',
    tokenParam: options.tokenParam ?? 'jwt',
    remember: options.remember !== false,
    clock: options.clock ?? systemClock,
  };
}
