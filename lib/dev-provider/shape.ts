// What a provider shape is to the dev provider: every fact of its wire shape (where it is served,
// which options it reads, how it signs, how it reads a login request, what its tokens say, how it
// sends the browser back with one, where its logout goes), and what shapes share. Each shape has a
// file of its own; shapes.ts lists them.
import type { ServerResponse } from 'node:http';
import type { Resolved, ShapeOption } from './options';
import type { DevUser } from './users';

/** A login request, read and checked: where the token will go and what travels with it. */
export interface Login {
  /** Where the token goes: the login page names its host. */
  destination: URL;
  /** The login request's parameters to pass on, in order: the login page's hidden fields, and what the delivery sends back. */
  kept: ReadonlyArray<readonly [string, string]>;
  /** The `nonce` the login request sent, for the token (Freshworks). */
  nonce?: string;
}

/** Headers the delivery must send (no-store, no-referrer, the remember cookie). */
export type DeliveryHeaders = Record<string, string | string[]>;

/** One provider shape: everything the dev provider, its options and the testing kit know of it. */
export interface Shape {
  /** The path its provider serves it under, where `startDevProvider` mounts it (e.g. Puavo's `/v3/sso`). */
  path: string;
  /** The options only some shapes read (see `SHAPE_OPTIONS`) that this one reads; the others are refused for it. */
  reads: readonly ShapeOption[];
  /** True if the token goes to the app's fixed callback: `callbackUrl` is then required. */
  fixedCallback: boolean;
  /** True if it signs RS256 with a key pair of its own (`sharedSecret` refused); else HMAC with the shared secret. */
  keyPair: boolean;
  /** True if its tokens carry a random `jti` unless the `jti` option says otherwise. */
  jtiByDefault: boolean;
  /** The parameter it sends the token as unless `tokenParam` says otherwise. */
  tokenParam: string;
  /**
   * Where its logout sends the browser (`GET <mount>/logout`); a string says why nowhere, shown
   * on its "Signed out" page. Default: `redirect_to`, on an allowed host, as Puavo's.
   */
  logout?(o: Resolved, query: URLSearchParams): URL | string;
  /** Reads and checks a login request's parameters (`posted`: from the login page's form); a string says why it is refused (400). */
  accept(o: Resolved, params: URLSearchParams, from: { posted: boolean }): Login | string;
  /** Whether the token's header carries `typ: "JWT"` besides `alg` (Puavo and WSO2 send none). */
  typ: boolean;
  /** The token's claims for `u`, before `o.claims` changes them; `login` is absent when a token is minted outside a login. */
  claims(o: Resolved, u: DevUser, args: { iat: number; login: Login | undefined }): Record<string, unknown>;
  /** Sends the browser on with the token. */
  deliver(o: Resolved, res: ServerResponse, args: { login: Login; token: string; headers: DeliveryHeaders }): void;
}

function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowed.includes(host) || allowed.includes(hostname);
}

/** An absolute http(s) URL on an allowed host, or the reason it is not. */
export function checkReturnUrl(value: string | null, allowed: readonly string[]): URL | string {
  if (value === null || value === '') return 'No return address was given (return_to).';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'The return address is not an absolute URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The return address is not an http(s) URL.';
  if (url.username !== '' || url.password !== '') return 'The return address carries credentials.';
  if (!hostAllowed(url, allowed)) return `The host ${url.host} is not allowed to receive tokens. Allowed: ${allowed.join(', ')}.`;
  return url;
}

/**
 * A `return_to` or `error_url` a fixed-callback shape passes on: a string says why it is
 * refused. With `returnToPattern`, the value must match it in full (WSO2's regex); else it must
 * be an absolute http(s) URL on an allowed host, without credentials.
 */
export function passOn(o: Resolved, name: string, value: string): string | undefined {
  if (o.returnToPattern !== undefined) {
    const whole = new RegExp(`^(?:${o.returnToPattern.source})$`, o.returnToPattern.flags.replace(/[gy]/g, ''));
    return whole.test(value) ? undefined : `The ${name} does not match the configured pattern.`;
  }
  const checked = checkReturnUrl(value, o.allowed);
  return typeof checked === 'string' ? `${name}: ${checked}` : undefined;
}

/**
 * The named parameters given once each, checked by `passOn`, as pairs to keep; a string says
 * why one is refused. A parameter given twice is refused: which one would be passed on is ambiguous.
 */
export function keepPassedOn(o: Resolved, params: URLSearchParams, names: readonly string[]): Array<[string, string]> | string {
  const kept: Array<[string, string]> = [];
  for (const name of names) {
    const values = params.getAll(name);
    if (values.length === 0) continue;
    if (values.length > 1) return `The ${name} was given more than once.`;
    const why = passOn(o, name, values[0]!);
    if (why !== undefined) return why;
    kept.push([name, values[0]!]);
  }
  return kept;
}

/** A user's email for shapes that require one: a user without one gets `username@organisation_domain`. */
export function emailOf(u: DevUser): string {
  const email = Array.isArray(u.email) ? u.email[0] : u.email;
  return typeof email === 'string' && email !== '' ? email : `${u.username}@${u.organisation_domain}`;
}

/** `base` with `query` added (after its own query, if any), the fragment dropped. */
export function withQuery(base: URL, query: string): string {
  const url = new URL(base.href);
  url.hash = '';
  return url.search === '' ? `${url.href}?${query}` : `${url.href}&${query}`;
}

/** Answers with a redirect that carries a token: never cached, never sent on as a Referer. */
export function redirect(res: ServerResponse, status: 302 | 303, location: string, headers: DeliveryHeaders): void {
  res.writeHead(status, { ...headers, Location: location });
  res.end();
}
