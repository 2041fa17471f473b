// The one encode/decode pair for every cookie value the cookie login state writes. Each value
// starts with its format version, so that a cookie written by another deploy is recognised: one
// of an unknown version decodes to null (no live state, no parked token: the login is refused and
// starts again), never a 500. Values are split on `~` (never in base64url, digits or a JWS) and
// each field is checked against a fixed character class: linear in the cookie's length.

import * as crypto from 'node:crypto';

/** The format this version writes and reads. */
export const COOKIE_FORMAT = '1';

/** A pending login: its expiry, its secret, and the return path kept with it. */
export interface StateCookie {
  /** Milliseconds since the epoch. */
  readonly expiry: number;
  /** The login's secret (base64url): the state in URLs is derived from it, it never travels in one. */
  readonly secret: string;
  /** A path below mountPoint, kept when no return URL travels to the provider and back. */
  readonly kept: string | null;
}

/** A returned token waiting for the browser on its clean URL. */
export interface ParkedCookie {
  /** Milliseconds since the epoch. */
  readonly expiry: number;
  /** The state that came back with the token, or null (state off). */
  readonly state: string | null;
  /** The clean URL's key (see `urlKey`). */
  readonly url: string;
  readonly token: string;
}

const EXPIRY = /^[0-9]{1,16}$/;
const SECRET = /^[A-Za-z0-9_-]{32}$/;
const KEPT = /^[A-Za-z0-9_-]{0,700}$/;
const STATE = /^[A-Za-z0-9_-]{0,128}$/;
const URL_KEY = /^[A-Za-z0-9_-]{22}$/;
const TOKEN = /^[A-Za-z0-9_.-]+$/;

// The fields of a value of this format with `count` fields after the version, else null.
function fields(value: string, count: number): string[] | null {
  const parts = value.split('~', count + 2);
  return parts.length === count + 1 && parts[0] === COOKIE_FORMAT ? parts.slice(1) : null;
}

export function encodeState(c: StateCookie): string {
  const kept = c.kept === null ? '' : Buffer.from(c.kept).toString('base64url');
  return [COOKIE_FORMAT, c.expiry, c.secret, kept].join('~');
}

export function decodeState(value: string): StateCookie | null {
  const f = fields(value, 3);
  if (f === null || !EXPIRY.test(f[0]!) || !SECRET.test(f[1]!) || !KEPT.test(f[2]!)) return null;
  return { expiry: Number(f[0]), secret: f[1]!, kept: f[2] === '' ? null : Buffer.from(f[2]!, 'base64url').toString('utf8') };
}

export function encodeParked(c: ParkedCookie): string {
  return [COOKIE_FORMAT, c.expiry, c.state ?? '', c.url, c.token].join('~');
}

export function decodeParked(value: string): ParkedCookie | null {
  const f = fields(value, 4);
  if (f === null || !EXPIRY.test(f[0]!) || !STATE.test(f[1]!) || !URL_KEY.test(f[2]!) || !TOKEN.test(f[3]!)) return null;
  return { expiry: Number(f[0]), state: f[1] === '' ? null : f[1]!, url: f[2]!, token: f[3]! };
}

/**
 * The tag in every cookie name of the app at `mountPoint`: 48 bits of its SHA-256 and a `.`
 * (never in a state), so that apps on one host, the root app's included, have disjoint names.
 */
export function mountTag(mountPoint: string): string {
  return `${hash(mountPoint).slice(0, 8)}.`;
}

/** A clean URL as a parked token's key: 128 bits of its SHA-256, base64url. */
export function urlKey(url: string): string {
  return hash(url).slice(0, 22);
}

const hash = (text: string): string => sha256url(text);

// Node's one-shot digest (20.12+, 21.7+) makes no Hash object: about half the CPU of
// createHash().update().digest() for a short input. The same bytes either way.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

/** The SHA-256 of `text` (UTF-8), base64url. */
export const sha256url: (text: string) => string =
  // Stryker disable next-line ConditionalExpression,StringLiteral: both digests give the same bytes (codec.test.ts checks each); which one runs is only speed
  typeof oneShot === 'function'
    ? (text) => oneShot('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');
