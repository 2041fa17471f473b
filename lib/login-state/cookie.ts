// The login state in cookies (the default): one cookie per pending login, named by its state, so
// that tabs never overwrite each other; a returned token waits in a cookie named by its clean
// URL. Nothing is written to the server session until a login succeeds, and any instance can
// finish a login another started: no shared secret, no shared memory.
//
// Under https every cookie is `__Host-` prefixed (Secure, Path=/, no Domain), so a sibling
// subdomain cannot plant one (cookie tossing); over http they are scoped to mountPoint and that
// protection does not exist (http has none to give). A state cookie is checked by its name
// (192 random bits) and its expiry; its value is never trusted beyond that.
import { createHash } from 'node:crypto';
import { JwtSsoError, JwtSsoErrorCode as Code } from '../errors';
import { randomState } from '../session-state';
import { clearCookie, cookiesStartingWith, setCookie, type CookieScope } from './cookies';
import { crossSiteWithoutCookie, SessionLoginState } from './session';
import type { LoginStateContext, LoginStateStore, PendingToken } from './store';

/** Pending logins a browser may hold at once (tabs signing in together); the oldest go first. */
export const MAX_PENDING_LOGINS = 10;
/** Seconds a parked token waits for the browser to follow the stripping redirect. */
export const PARKED_TOKEN_SECONDS = 60;
/**
 * Largest cookie (name and value) written: browsers keep at least 4096 bytes per cookie, and
 * proxies limit header lines (nginx: 8 KiB by default). A token that does not fit waits in the
 * server session instead (Puavo's tokens, ~1.5 KiB, always fit).
 */
export const MAX_COOKIE_BYTES = 4000;
const MS_PER_SECOND = 1000;
const HOST_PREFIX = '__Host-';
const STATE_COOKIE = 'jwtsso-s-';
const TOKEN_COOKIE = 'jwtsso-t-';
// A state cookie's value: its expiry, and the return path kept with it (base64url), if any.
const STATE_VALUE = /^([0-9]{1,16})(?:\.([A-Za-z0-9_-]{1,700}))?$/;
/**
 * Longest return path (bytes) kept in a state cookie, for providers that carry no return URL; a
 * longer one is not kept (the user lands on mountPoint's root). Every request to the host carries
 * these cookies: they are kept small.
 */
export const MAX_KEPT_RETURN = 512;
/**
 * Most bytes (names and values) of one browser's state cookies together, the new one included:
 * with long return paths kept, fewer logins may be pending, so that a site cannot grow a
 * visitor's Cookie header past what servers accept (Node: 16 KiB; nginx: 8 KiB per line).
 */
export const STATE_COOKIE_BYTES = 2048;
// The part of a state cookie's name after its prefix: a state this store issued, nothing else.
const STATE_NAME = /^[A-Za-z0-9_-]{32}$/;
/** Most stale state cookies cleared by one response, however many a request carries. */
export const MAX_CLEARED_PER_RESPONSE = 2 * MAX_PENDING_LOGINS;
// What a parked-token cookie holds: expiry, state (empty when none), token; `~` never occurs in either.
const PARKED = /^([0-9]{1,16})~([A-Za-z0-9_-]{0,128})~([A-Za-z0-9_.-]+)$/;
// The one cookie a cross-site POST parks its token in (its name under TOKEN_COOKIE, never a
// URL's key, which is 22 characters): expiry, state, the clean URL (base64url), token.
const POSTED_ID = 'posted';
const POSTED = /^([0-9]{1,16})~([A-Za-z0-9_-]{0,128})~([A-Za-z0-9_-]+)~([A-Za-z0-9_.-]+)$/;

/** Options of {@link CookieLoginState}. */
export interface CookieLoginStateOptions {
  /** The app's public path prefix: over http, the cookies' Path. */
  readonly mountPoint: string;
}

/** Login state in cookies (`loginState: 'cookie'`, the default). */
export class CookieLoginState implements LoginStateStore {
  readonly #mountPoint: string;
  // Under https every app on the host shares Path=/: the names carry the mountPoint (hashed),
  // so that an app never reads another app's state or parked token.
  readonly #mountTag: string;
  // Where a token too large for a cookie waits, and the state where the response is out of reach.
  readonly #session = new SessionLoginState();

  constructor(options: CookieLoginStateOptions) {
    this.#mountPoint = options.mountPoint;
    this.#mountTag = options.mountPoint === '' ? '' : `${hash(options.mountPoint).slice(0, 8)}-`;
  }

  #scope(ctx: LoginStateContext): CookieScope {
    return ctx.secure ? { path: '/', secure: true } : { path: this.#mountPoint === '' ? '/' : this.#mountPoint, secure: false };
  }

  #name(ctx: LoginStateContext, kind: string, id: string): string {
    return `${ctx.secure ? HOST_PREFIX : ''}${kind}${this.#mountTag}${id}`;
  }

  issue(ctx: LoginStateContext, maxAgeSeconds: number, returnTo?: string): string {
    if (ctx.res === undefined) return this.#session.issue(ctx, maxAgeSeconds, returnTo);
    const scope = this.#scope(ctx);
    const prefix = this.#name(ctx, STATE_COOKIE, '');
    const state = randomState();
    const kept =
      returnTo !== undefined && Buffer.byteLength(returnTo) <= MAX_KEPT_RETURN ? `.${Buffer.from(returnTo).toString('base64url')}` : '';
    const value = String(ctx.now + maxAgeSeconds * MS_PER_SECOND) + kept;
    // The bounds: with the new one, at most MAX_PENDING_LOGINS state cookies and at most
    // STATE_COOKIE_BYTES of them (return paths make them larger); the oldest go first. Only
    // names this store could have issued count (others are never echoed back), and one response
    // clears at most MAX_CLEARED_PER_RESPONSE of them, however many were sent.
    const held = [...cookiesStartingWith(ctx.req, prefix)]
      .filter(([name]) => STATE_NAME.test(name.slice(prefix.length)))
      .map(([name, values]) => ({ name, expiry: expiryOf(values), bytes: name.length + values.join('').length + 1 }));
    held.sort((a, b) => a.expiry - b.expiry);
    let bytes = held.reduce((sum, h) => sum + h.bytes, prefix.length + state.length + value.length + 1);
    let count = held.length + 1;
    let dropped = 0;
    while (dropped < held.length && (count > MAX_PENDING_LOGINS || bytes > STATE_COOKIE_BYTES)) {
      bytes -= held[dropped]!.bytes;
      count -= 1;
      dropped += 1;
    }
    for (const old of held.slice(0, Math.min(dropped, MAX_CLEARED_PER_RESPONSE))) clearCookie(ctx.res, old.name, scope);
    setCookie(ctx.res, prefix + state, value, maxAgeSeconds, scope);
    return state;
  }

  returnTo(ctx: LoginStateContext, state: string): string | null {
    const name = this.#name(ctx, STATE_COOKIE, state);
    const values = cookiesStartingWith(ctx.req, name).get(name);
    if (values === undefined) return this.#session.mayHoldToken(ctx) ? this.#session.returnTo(ctx, state) : null;
    const parsed = values.length === 1 ? STATE_VALUE.exec(values[0]!) : null;
    if (parsed === null || Number(parsed[1]) <= ctx.now || parsed[2] === undefined) return null;
    // Planted or not, it is only ever used as a path below mountPoint (the caller judges it so).
    return Buffer.from(parsed[2], 'base64url').toString('utf8');
  }

  isLive(ctx: LoginStateContext, state: string | null, options: { useUp: boolean }): boolean {
    if (state === null) return false;
    const name = this.#name(ctx, STATE_COOKIE, state);
    const values = cookiesStartingWith(ctx.req, name).get(name);
    // Exactly one cookie of that name, unexpired. Two of one name mean one was planted: refused.
    const live = values !== undefined && values.length === 1 && expiryOf(values) > ctx.now;
    if (values !== undefined && options.useUp && ctx.res !== undefined) clearCookie(ctx.res, name, this.#scope(ctx));
    if (live) return true;
    // A state issued where the response was out of reach waits in the session (issue above).
    return this.#session.mayHoldToken(ctx) && this.#session.isLive(ctx, state, options);
  }

  spillsToSession(ctx: LoginStateContext, url: string, pending: PendingToken): boolean {
    const { name, value } = this.#parked(ctx, url, pending);
    return ctx.res === undefined || name.length + value.length + 1 > MAX_COOKIE_BYTES;
  }

  #parked(ctx: LoginStateContext, url: string, pending: PendingToken): { name: string; value: string } {
    const name = this.#name(ctx, TOKEN_COOKIE, keyOf(url));
    return { name, value: `${ctx.now + PARKED_TOKEN_SECONDS * MS_PER_SECOND}~${pending.state ?? ''}~${pending.token}` };
  }

  park(ctx: LoginStateContext, url: string, pending: PendingToken, options?: { crossSite: boolean }): void {
    if (options?.crossSite === true) return this.#parkPosted(ctx, url, pending);
    const { name, value } = this.#parked(ctx, url, pending);
    if (ctx.res === undefined || name.length + value.length + 1 > MAX_COOKIE_BYTES) {
      // Too large for a cookie (or no response to set it on): the session, where there is one.
      if (ctx.session === undefined) throw tooLargeWithoutSession();
      return this.#session.park(ctx, url, pending);
    }
    setCookie(ctx.res, name, value, PARKED_TOKEN_SECONDS, this.#scope(ctx));
  }

  // A cross-site POST may come from any site, as often as it likes, and its cookies are set
  // before any state can be checked (it carries none): all of them share one cookie name, so a
  // browser holds at most one such cookie of at most MAX_COOKIE_BYTES, whoever posts. Never the
  // session: it would be a new one, replacing the browser's own session cookie.
  #parkPosted(ctx: LoginStateContext, url: string, pending: PendingToken): void {
    const name = this.#name(ctx, TOKEN_COOKIE, POSTED_ID);
    const where = Buffer.from(url).toString('base64url');
    const value = `${ctx.now + PARKED_TOKEN_SECONDS * MS_PER_SECOND}~${pending.state ?? ''}~${where}~${pending.token}`;
    if (ctx.res === undefined || name.length + value.length + 1 > MAX_COOKIE_BYTES) throw crossSiteWithoutCookie();
    setCookie(ctx.res, name, value, PARKED_TOKEN_SECONDS, this.#scope(ctx));
  }

  // The token a cross-site POST parked, if it waits for `url`; undefined when there is none.
  #takePosted(ctx: LoginStateContext, url: string): PendingToken | null | undefined {
    const name = this.#name(ctx, TOKEN_COOKIE, POSTED_ID);
    const values = cookiesStartingWith(ctx.req, name).get(name);
    if (values === undefined) return undefined;
    const parsed = values.length === 1 ? POSTED.exec(values[0]!) : null;
    const live = parsed !== null && Number(parsed[1]) > ctx.now;
    // Another URL's token waits on; junk, an expired one or a name sent twice is cleared.
    if (live && Buffer.from(parsed[3]!, 'base64url').toString('utf8') !== url) return undefined;
    if (ctx.res !== undefined) clearCookie(ctx.res, name, this.#scope(ctx));
    return live ? { token: parsed[4]!, state: parsed[2] === '' ? null : parsed[2]! } : null;
  }

  take(ctx: LoginStateContext, url: string): PendingToken | null {
    const name = this.#name(ctx, TOKEN_COOKIE, keyOf(url));
    const values = cookiesStartingWith(ctx.req, name).get(name);
    if (values === undefined) return this.#takePosted(ctx, url) ?? this.#session.take(ctx, url);
    if (ctx.res !== undefined) clearCookie(ctx.res, name, this.#scope(ctx));
    const parsed = values.length === 1 ? PARKED.exec(values[0]!) : null;
    if (parsed === null || Number(parsed[1]) <= ctx.now) return null;
    return { token: parsed[3]!, state: parsed[2] === '' ? null : parsed[2]! };
  }

  mayHoldToken(ctx: LoginStateContext): boolean {
    return ctx.req.headers.cookie?.includes(TOKEN_COOKIE) === true || this.#session.mayHoldToken(ctx);
  }
}

// A state cookie's expiry; 0 (expired) for anything else, including a name sent twice.
function expiryOf(values: readonly string[]): number {
  const parsed = values.length === 1 ? STATE_VALUE.exec(values[0]!) : null;
  return parsed === null ? 0 : Number(parsed[1]);
}

// A clean URL as a cookie name: 128 bits of its SHA-256, base64url.
function keyOf(url: string): string {
  return hash(url).slice(0, 22);
}

const hash = (text: string): string => createHash('sha256').update(text).digest('base64url');

const tooLargeWithoutSession = (): JwtSsoError =>
  new JwtSsoError(
    Code.TOKEN_MALFORMED,
    `The sign-in token is larger than a cookie can hold (${MAX_COOKIE_BYTES} bytes) and there is no session to keep it in across the redirect: mount session middleware, or ask the provider for a smaller token.`,
  );
