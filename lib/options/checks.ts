// Checks of single option values: each throws a JwtSsoOptionError (a TypeError with a code) that
// names the option and what it expected, and never prints the value itself when it may be a secret.
import { JwtSsoOptionError } from '../errors';
import { ALGORITHMS, type Algorithm } from '../keys/material';
import { isValidHost } from '../request-url';
import { isNormalisedMountPoint, withoutTrailingSlashes } from '../urls';
import type { AuthParams, ReplayKey } from './values';

const PARAM_NAME = /^[A-Za-z0-9._~-]{1,64}$/;

export function problem(option: string, expected: string, got?: unknown): JwtSsoOptionError {
  const shown = got === undefined ? '' : `, got ${describe(got)}`;
  return new JwtSsoOptionError(option, `JwtSsoStrategy: option "${option}" must be ${expected}${shown}.`);
}

// Says what a bad value was without printing it: it may be a secret.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}

export function seconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  // Number.isFinite is false for anything but a finite number (no coercion): no typeof check needed.
  if (!Number.isFinite(value) || (value as number) < 0) {
    throw problem(option, 'a finite number of seconds, 0 or more', value);
  }
  return value as number;
}

export function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw problem(option, 'true or false', value);
  return value;
}

export function stringList(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw problem(option, 'a non-empty string or a non-empty array of them', value);
  }
  return Object.freeze([...(list as string[])]);
}

export function algorithmList(value: unknown): readonly Algorithm[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => !ALGORITHMS.includes(a as Algorithm))) {
    throw problem('algorithms', `a non-empty array of ${ALGORITHMS.join(', ')}`, value);
  }
  return Object.freeze([...(value as Algorithm[])]);
}

export function positive(option: string, value: unknown, fallback: number): number {
  const n = seconds(option, value, fallback);
  if (n === 0) throw problem(option, 'more than 0', value);
  return n;
}

export function endpoint(option: string, value: unknown, example: string): string {
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
  // Credentials in a URL end up in Location headers, browser histories and error causes.
  if (url.username !== '' || url.password !== '') {
    throw problem(option, 'a URL without a user name or password in it (they would be sent to browsers and written to logs)');
  }
  return url.href;
}

// Puavo's logout lives beside its SSO endpoint: /v3/sso -> /v3/sso/logout.
export function defaultLogoutEndpoint(authEndpoint: string): string {
  const url = new URL(authEndpoint);
  url.pathname = `${withoutTrailingSlashes(url.pathname)}/logout`;
  url.search = '';
  url.hash = '';
  return url.href;
}

export function paramName(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !PARAM_NAME.test(value)) {
    throw problem(option, 'a query parameter name of 1 to 64 letters, digits, ".", "_", "~" or "-"', value);
  }
  return value;
}

export function authParams(value: unknown): AuthParams {
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

export function servicePathPrefix(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/')) throw problem('servicePathPrefix', 'a path such as "/" or "/prefix"', value);
  return value;
}

export function mountPoint(value: unknown, fallback: string): string {
  const given = value ?? fallback;
  if (typeof given !== 'string') throw problem('mountPoint', 'a path such as "/app", or ""', given);
  const trimmed = withoutTrailingSlashes(given);
  if (!isNormalisedMountPoint(trimmed)) {
    throw problem(
      'mountPoint',
      'a path such as "/app" (one leading "/", no "?", "#", "\\", spaces, control characters or "." and ".." segments; other characters %-encoded as a browser sends them), or ""',
    );
  }
  return trimmed;
}

export function host(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !isValidHost(value))) {
    throw problem('host', 'the public "host" or "host:port" of the app, without scheme or path', value);
  }
  return value;
}

export function scheme(value: unknown): 'http' | 'https' | undefined {
  if (value !== undefined && value !== 'http' && value !== 'https') throw problem('scheme', '"http" or "https"', value);
  return value;
}

export function nonEmptyString(option: string, value: unknown, fallback: string): string {
  const given = value ?? fallback;
  if (typeof given !== 'string' || given === '') throw problem(option, 'a non-empty string', given);
  return given;
}

export function optionalFunction<F>(option: string, value: unknown, expected: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw problem(option, expected, value);
  return value as F | undefined;
}

const REPLAY_KEYS: readonly ReplayKey[] = ['jti', 'jti-or-token-hash'];

export function replayKey(value: unknown, fallback: ReplayKey): ReplayKey {
  if (value === undefined) return fallback;
  if (!REPLAY_KEYS.includes(value as ReplayKey)) throw problem('replayKey', `one of ${REPLAY_KEYS.map((k) => `"${k}"`).join(', ')}`, value);
  return value as ReplayKey;
}

/** A parameter name, or `false` where the option allows leaving the parameter out. */
export function paramNameOrFalse(option: string, value: unknown, fallback: string | false): string | false {
  if (value === false) return false;
  if (value === undefined) return fallback;
  // Stryker disable next-line StringLiteral: the fallback '' is never returned, undefined is handled above
  return paramName(option, value, '');
}

/** One of a few string values. */
export function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw problem(option, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return value as T;
}

/** A route below mountPoint such as `/sso/callback`: the same rules as mountPoint, and not empty. */
export function callbackPath(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const expected =
    'a path below mountPoint such as "/sso/callback" (one leading "/", no query, "#", "\\", spaces, control characters or "." and ".." segments)';
  if (typeof value !== 'string' || value === '/' || !value.startsWith('/')) throw problem('callbackPath', expected, value);
  const path = withoutTrailingSlashes(value);
  if (!isNormalisedMountPoint(path)) throw problem('callbackPath', expected, value);
  return path;
}
