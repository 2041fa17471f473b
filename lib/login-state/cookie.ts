// The login state in cookies (the default): one cookie per pending login, named by its state, so
// that tabs never overwrite each other; a returned token waits in a cookie of its own login too
// (same-URL tabs included). Nothing is written to the server session until a login succeeds, and
// any instance can finish a login another started: no shared secret, no shared memory.
//
// A state cookie holds the login's secret: 192 random bits that never travel in a URL. The state
// the URL carries (to the provider and back, beside the token) is derived from it (stateOf), so
// whoever reads a callback URL (a log, a proxy, an extension) knows the state but cannot make the
// cookie that claims it: a state is live only where a cookie of that name holds a secret whose
// derived state it is. A parked token is bound to its login the same way: it is taken only with
// a live state, which the secret proves.
//
// Under https every cookie is `__Host-` prefixed (Secure, Path=/, no Domain), so a sibling
// subdomain cannot plant one (cookie tossing); over http they are scoped to mountPoint and that
// protection does not exist (http has none to give). Every name carries a tag of the mountPoint
// and a `.` (never in a state), so apps on one host never read each other's cookies.
import { randomFillSync, timingSafeEqual } from 'node:crypto';
import { JwtSsoError, JwtSsoErrorCode as Code } from '../errors';
import { decodeParked, decodeState, encodeParked, encodeState, mountTag, sha256url, urlKey, type ParkedCookie } from './codec';
import { clearCookie, COOKIE_PREFIX, cookieHeader, cookieName, cookiesStartingWith, setCookie, type CookieScope } from './cookies';
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
/**
 * Most bytes (names and values) of one browser's parked-token cookies together, the new one
 * included: tabs returning at once each park a token, and every request carries them until they
 * are taken. A token past this waits in the server session, verified and recorded first.
 */
export const PARKED_COOKIE_BYTES = 6144;
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
/** Most stale cookies cleared by one response, however many a request carries. */
export const MAX_CLEARED_PER_RESPONSE = 2 * MAX_PENDING_LOGINS;
/** Bytes of a login's secret: 192 bits, 32 base64url characters. */
export const SECRET_BYTES = 24;
// SECRET_BYTES bytes in base64url.
const STATE_CHARS = (SECRET_BYTES / 3) * 4;
const MS_PER_SECOND = 1000;
const STATE_COOKIE = `${COOKIE_PREFIX}s-`;
const TOKEN_COOKIE = `${COOKIE_PREFIX}t-`;
const STATE_LABEL = 'passport-jwtsso state\n';
// A state cookie's name after its kind's prefix: an app's tag and a state, nothing else. (A
// function, not a module-level regex: Stryker's incremental mode re-tests a mutant in it.)
const isTaggedState = (rest: string): boolean => /^[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{32}$/.test(rest);

/**
 * The state a login's secret shows in URLs: 192 bits of a labelled SHA-256 of the secret,
 * base64url. Knowing it gives nothing towards the secret.
 */
export function stateOf(secret: string): string {
  // The first SECRET_BYTES (24) bytes of the digest are its first 32 base64url characters: 24 is
  // a multiple of 3, so no character straddles the cut.
  return sha256url(STATE_LABEL + secret).slice(0, STATE_CHARS);
}

// Random bytes for secrets and ids, drawn from a pool filled by the CSPRNG many secrets at a
// time (one call into OpenSSL per POOL_SECRETS logins, not one per login). Every byte is handed
// out once: the offset only moves forward, and the pool is refilled before it runs out.
const POOL_SECRETS = 128;
const pool = Buffer.alloc(SECRET_BYTES * POOL_SECRETS);
let poolOffset = pool.length;

/** A fresh secret (or id): SECRET_BYTES bytes no other call was given, base64url. */
export function freshSecret(): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: refilling sooner (every call, or one secret early) draws fresh CSPRNG bytes all the same: no secret repeats, only more calls into OpenSSL
  if (poolOffset + SECRET_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const secret = pool.toString('base64url', poolOffset, poolOffset + SECRET_BYTES);
  poolOffset += SECRET_BYTES;
  return secret;
}

// A state's cookie in one request: its name, whether one was sent, whether it proves the state.
interface StateLookup {
  readonly name: string;
  readonly present: boolean;
  readonly proven: boolean;
  readonly kept: string | null;
}

// Where a returned token is parked, and whether the cookie fits.
interface ParkedPlace {
  readonly name: string;
  readonly value: string;
  readonly fits: boolean;
}

/** Options of {@link CookieLoginState}. */
export interface CookieLoginStateOptions {
  /** The app's public path prefix: over http, the cookies' Path; in every name, as a tag. */
  readonly mountPoint: string;
}

/** Login state in cookies (`loginState: 'cookie'`, the default). */
export class CookieLoginState implements LoginStateStore {
  readonly #mountPoint: string;
  // Disjoint names for every app on the host (the root app's too), whatever a URL's state holds.
  readonly #mountTag: string;
  // Where a token too large for a cookie waits, and the state where the response is out of reach.
  readonly #session = new SessionLoginState();

  constructor(options: CookieLoginStateOptions) {
    this.#mountPoint = options.mountPoint;
    this.#mountTag = mountTag(options.mountPoint);
  }

  #scope(ctx: LoginStateContext): CookieScope {
    return ctx.secure ? { path: '/', secure: true } : { path: this.#mountPoint === '' ? '/' : this.#mountPoint, secure: false };
  }

  #name(ctx: LoginStateContext, kind: string, id: string): string {
    return cookieName(ctx.secure, `${kind}${this.#mountTag}${id}`);
  }

  // The cookies of one kind that share this browser's budget: under https every app of the host
  // sends and may clear all of them (Path=/, no Domain), so the bound is the host's, whichever
  // app issued them (else several apps on one host would add up past what servers accept); over
  // http each app's own, scoped to its path.
  #budgeted(ctx: LoginStateContext, kind: string): Map<string, string[]> {
    return cookiesStartingWith(ctx.req, ctx.secure ? cookieName(true, kind) : this.#name(ctx, kind, ''));
  }

  issue(ctx: LoginStateContext, maxAgeSeconds: number, returnTo?: string): string {
    if (ctx.res === undefined) return this.#session.issue(ctx, maxAgeSeconds, returnTo);
    const scope = this.#scope(ctx);
    const prefix = this.#name(ctx, STATE_COOKIE, '');
    const kindLength = cookieName(ctx.secure, STATE_COOKIE).length;
    const secret = freshSecret();
    const state = stateOf(secret);
    const kept = returnTo !== undefined && Buffer.byteLength(returnTo) <= MAX_KEPT_RETURN ? returnTo : null;
    const value = encodeState({ expiry: ctx.now + maxAgeSeconds * MS_PER_SECOND, secret, kept });
    // The bounds: with the new one, at most MAX_PENDING_LOGINS state cookies and at most
    // STATE_COOKIE_BYTES of them (return paths make them larger); the oldest go first. Only
    // names a store could have issued count (others are never echoed back), and one response
    // clears at most MAX_CLEARED_PER_RESPONSE of them, however many were sent.
    const held = [...this.#budgeted(ctx, STATE_COOKIE)]
      .filter(([name]) => isTaggedState(name.slice(kindLength)))
      .map(([name, values]) => ({ name, expiry: stateCookie(values)?.expiry ?? 0, bytes: bytesHeld(name, values) }));
    held.sort((a, b) => a.expiry - b.expiry);
    const dropped = oldestOver(
      held,
      { count: MAX_PENDING_LOGINS, bytes: STATE_COOKIE_BYTES },
      prefix.length + state.length + value.length + 1,
    );
    for (const old of held.slice(0, Math.min(dropped, MAX_CLEARED_PER_RESPONSE))) clearCookie(ctx.res, old.name, scope);
    setCookie(ctx.res, prefix + state, value, maxAgeSeconds, scope);
    return state;
  }

  // The state cookie of `state` in this request, and whether it proves the state: exactly one
  // cookie of its name, unexpired, whose secret derives `state`. Two of one name mean one was
  // planted, and a value without the secret is a guess from a URL: neither proves anything.
  // Asked more than once in a request (the state is checked before the token is verified, then
  // used up after): the answer for this request's cookies is kept with the request's context.
  #lookup(ctx: LoginStateContext, state: string): StateLookup {
    const header = cookieHeader(ctx.req.headers);
    const known = this.#lookups.get(ctx);
    // Stryker disable next-line ConditionalExpression: a cache: never reusing the answer works it out again from the same cookies at the same moment, to the same answer
    const sameQuestion = known !== undefined && known.state === state && known.header === header && known.now === ctx.now;
    // Stryker disable next-line ConditionalExpression: a cache: working the answer out again from the same cookies at the same moment gives the same answer
    if (sameQuestion) return known.found;
    const found = this.#find(ctx, state);
    // Stryker disable next-line ObjectLiteral: a cache: an empty record is never reused, so every answer is worked out anew, the same
    this.#lookups.set(ctx, { state, header, now: ctx.now, found });
    return found;
  }

  readonly #lookups = new WeakMap<LoginStateContext, { state: string; header: string | undefined; now: number; found: StateLookup }>();

  #find(ctx: LoginStateContext, state: string): StateLookup {
    const name = this.#name(ctx, STATE_COOKIE, state);
    const values = cookiesStartingWith(ctx.req, name).get(name);
    const cookie = values === undefined ? null : stateCookie(values);
    const proven = cookie !== null && cookie.expiry > ctx.now && derives(cookie.secret, state);
    return { name, present: values !== undefined, proven, kept: proven ? cookie.kept : null };
  }

  returnTo(ctx: LoginStateContext, state: string): string | null {
    const found = this.#lookup(ctx, state);
    if (!found.present) return this.#session.mayHoldToken(ctx) ? this.#session.returnTo(ctx, state) : null;
    // Only ever used as a path below mountPoint (the caller judges it so).
    return found.kept;
  }

  isLive(ctx: LoginStateContext, state: string | null, options: { useUp: boolean }): boolean {
    if (state === null) return false;
    const found = this.#lookup(ctx, state);
    if (found.present && options.useUp && ctx.res !== undefined) clearCookie(ctx.res, found.name, this.#scope(ctx));
    if (found.proven) return true;
    // A state issued where the response was out of reach waits in the session (issue above).
    return this.#session.mayHoldToken(ctx) && this.#session.isLive(ctx, state, options);
  }

  // Where a token for `url` is parked: a cookie named by its state (each login its own, so tabs
  // on one URL never overwrite each other), or by a fresh random id when no state came back.
  // Worked out once per token: spillsToSession and park ask for the same one in one request.
  #parked(ctx: LoginStateContext, url: string, pending: PendingToken): ParkedPlace {
    const known = this.#places.get(pending);
    // Stryker disable next-line ConditionalExpression: a cache: never reusing the place works it out again, to the same cookie value and the same fits (a fresh id has the same length)
    const sameQuestion = known !== undefined && known.ctx === ctx && known.url === url;
    // Stryker disable next-line ConditionalExpression: a cache: working the place out again gives the same cookie value and the same fits (a fresh id has the same length)
    if (sameQuestion) return known.place;
    const place = this.#place(ctx, url, pending);
    // Stryker disable next-line ObjectLiteral: a cache: an empty record is never reused, so every place is worked out anew, the same
    this.#places.set(pending, { ctx, url, place });
    return place;
  }

  readonly #places = new WeakMap<PendingToken, { ctx: LoginStateContext; url: string; place: ParkedPlace }>();

  #place(ctx: LoginStateContext, url: string, pending: PendingToken): ParkedPlace {
    const id = pending.state ?? freshSecret();
    const name = this.#name(ctx, TOKEN_COOKIE, id);
    const value = parkedValue(ctx, url, pending);
    return { name, value, fits: ctx.res !== undefined && this.#fits(ctx, name, value) };
  }

  // True if a parked-token cookie fits: alone, and beside the others the browser holds.
  #fits(ctx: LoginStateContext, name: string, value: string): boolean {
    const bytes = name.length + value.length + 1;
    let held = 0;
    for (const [other, values] of this.#budgeted(ctx, TOKEN_COOKIE)) if (other !== name) held += bytesHeld(other, values);
    return bytes <= MAX_COOKIE_BYTES && held + bytes <= PARKED_COOKIE_BYTES;
  }

  spillsToSession(ctx: LoginStateContext, url: string, pending: PendingToken): boolean {
    return !this.#parked(ctx, url, pending).fits;
  }

  park(ctx: LoginStateContext, url: string, pending: PendingToken, options?: { crossSite: boolean }): void {
    if (options?.crossSite === true) return this.#parkPosted(ctx, url, pending);
    const { name, value, fits } = this.#parked(ctx, url, pending);
    if (!fits) {
      // Too large for a cookie, past the browser's budget, or no response to set it on: the session, where there is one.
      if (ctx.session === undefined) throw tooLargeWithoutSession();
      return this.#session.park(ctx, url, pending);
    }
    setCookie(ctx.res!, name, value, PARKED_TOKEN_SECONDS, this.#scope(ctx));
  }

  // A cross-site POST may come from any site, as often as it likes, and its cookies are set
  // before any state can be checked (it carries none): all of them share one cookie name, so a
  // browser holds at most one such cookie of at most MAX_COOKIE_BYTES, whoever posts. Never the
  // session: it would be a new one, replacing the browser's own session cookie.
  #parkPosted(ctx: LoginStateContext, url: string, pending: PendingToken): void {
    // The one cookie a cross-site POST parks its token in (never a state, which is 32 characters).
    const name = this.#name(ctx, TOKEN_COOKIE, 'posted');
    const value = parkedValue(ctx, url, pending);
    if (ctx.res === undefined || !this.#fits(ctx, name, value)) throw crossSiteWithoutCookie();
    setCookie(ctx.res, name, value, PARKED_TOKEN_SECONDS, this.#scope(ctx));
  }

  take(ctx: LoginStateContext, url: string): PendingToken[] {
    const key = urlKey(url);
    const scope = this.#scope(ctx);
    const found: ParkedCookie[] = [];
    let cleared = 0;
    for (const [name, values] of cookiesStartingWith(ctx.req, this.#name(ctx, TOKEN_COOKIE, ''))) {
      const parked = values.length === 1 ? decodeParked(values[0]!) : null;
      const live = parked !== null && parked.expiry > ctx.now;
      // Another URL's token waits on; this URL's is taken; junk, an expired one or a name sent twice is cleared.
      if (live && parked.url !== key) continue;
      if (ctx.res !== undefined && cleared < MAX_CLEARED_PER_RESPONSE) {
        clearCookie(ctx.res, name, scope);
        cleared += 1;
      }
      if (live) found.push(parked);
    }
    // The newest first: a tab's own token is the last one parked before its request left.
    found.sort((a, b) => b.expiry - a.expiry);
    const taken: PendingToken[] = found.slice(0, MAX_PENDING_LOGINS).map((p) => ({ token: p.token, state: p.state }));
    return this.#session.mayHoldToken(ctx) ? [...taken, ...this.#session.take(ctx, url)] : taken;
  }

  mayHoldToken(ctx: LoginStateContext): boolean {
    return cookieHeader(ctx.req.headers)?.includes(TOKEN_COOKIE) === true || this.#session.mayHoldToken(ctx);
  }
}

// A parked token's cookie value: it waits PARKED_TOKEN_SECONDS for the browser to come to `url`.
function parkedValue(ctx: LoginStateContext, url: string, pending: PendingToken): string {
  return encodeParked({
    expiry: ctx.now + PARKED_TOKEN_SECONDS * MS_PER_SECOND,
    state: pending.state,
    url: urlKey(url),
    token: pending.token,
  });
}

// What the cookies of one name take of the browser's budget: each `name=value` it holds, so a
// name sent twice (a planted copy beside the store's own) counts twice.
function bytesHeld(name: string, values: readonly string[]): number {
  let bytes = 0;
  for (const value of values) bytes += name.length + value.length + 1;
  return bytes;
}

// A state cookie's contents; null for anything else, including a name sent twice.
function stateCookie(values: readonly string[]): ReturnType<typeof decodeState> {
  return values.length === 1 ? decodeState(values[0]!) : null;
}

// True if `secret` derives `state` (compared in constant time).
function derives(secret: string, state: string): boolean {
  const expected = Buffer.from(stateOf(secret));
  const got = Buffer.from(state);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

// How many of `held` (oldest first) must go so that, with one more of `adding` bytes, the bounds hold.
function oldestOver(held: readonly { bytes: number }[], bound: { count: number; bytes: number }, adding: number): number {
  let bytes = held.reduce((sum, h) => sum + h.bytes, adding);
  let count = held.length + 1;
  let dropped = 0;
  for (const h of held) {
    if (count <= bound.count && bytes <= bound.bytes) break;
    bytes -= h.bytes;
    count -= 1;
    dropped += 1;
  }
  return dropped;
}

const tooLargeWithoutSession = (): JwtSsoError =>
  new JwtSsoError(
    Code.TOKEN_MALFORMED,
    `The sign-in token is larger than a cookie can hold (${MAX_COOKIE_BYTES} bytes) and there is no session to keep it in across the redirect: mount session middleware, or ask the provider for a smaller token.`,
  );
