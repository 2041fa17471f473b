// The steps of a login, shared by the Passport strategy and the jwtsso 1.x compatibility
// middleware: read what the provider returned, accept a token; the URLs are login-url.ts's (and
// re-exported here, so that a caller has one module of steps). Each step throws
// a JwtSsoError for what it refuses; callers map errors to their own actions (fail/error, or
// next(err)). Calls take named arguments: no step has a positional boolean.
import type { JwtClaims } from './claims';
import { JwtSsoError, JwtSsoErrorCode as Code, stateMismatch } from './errors';
import type { ResolvedOptions } from './options';
import { requestOrigin, type OriginSource, type RequestLike } from './request-url';
import type { HeaderTarget, RequestView, SessionAccess } from './frameworks';
import type { LoginStateContext } from './login-state';
import { loginReplayId, replayId } from './replay/key';
import { MAX_TOKEN_LENGTH, parseToken, replayWindow, tokenPolicy, verifyParsed, type ParsedToken } from './token';
import type { VerificationKey } from './keys/material';
import { checkNonce } from './nonce';
import { cleanSplit, cleanTarget } from './login-url';
import { localPath, paramValues, splitTarget, type QueryPair } from './urls';

// A state value we issue is 32 base64url characters (STATE_BYTES); 16 to 128 are read, so that a
// longer or shorter value chosen in a later version is still parsed, and anything else is not ours.
const STATE_VALUE = /^[A-Za-z0-9_-]{16,128}$/;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** True if the request brought the token parameter, however many times (checked later). */
export function hasTokenParam(o: ResolvedOptions, pairs: readonly QueryPair[]): boolean {
  return pairs.some((p) => p.key === o.tokenParam);
}

/** The token and state a provider's redirect brought, after the checks that need no key. */
export interface Returned {
  token: string;
  state: string | null;
  /** The same URL without the token and state parameters: the path below mountPoint to redirect to. */
  clean: string;
}

/**
 * Reads what came back: the token parameter (exactly once, 1 to 8 KiB, JWS compact shape), the
 * state, and the clean path below `mountPoint` to send the browser to. `pairs` are the request's
 * query, or its form body (`responseMode: 'form_post'`); `actionQuery` is the query of that form
 * POST's URL (the form's action), where a provider may put the parameters beside the token. On
 * the return URL itself (Puavo) the clean path is the request's own target; on a fixed callback
 * route it is the return URL passed back beside the token (same origin, below mountPoint, else
 * `'/'`), or the one kept with the state when no return URL travels.
 */
export function readReturn(
  o: ResolvedOptions,
  ctx: LoginContext,
  args: {
    pairs: readonly QueryPair[];
    target: string;
    actionQuery?: readonly QueryPair[] | undefined;
    /** `target` as `splitTarget` split it, where `pairs` are its query: the clean path is made of it, not of `target` decoded again. */
    split?: { readonly path: string; readonly pairs: readonly QueryPair[] } | undefined;
  },
): Returned {
  const token = readToken(o, args.pairs);
  if (o.callbackPath === undefined) {
    // Stryker disable next-line ConditionalExpression: cleanTarget(o, target) is cleanSplit(o, splitTarget(target)), and the split given is splitTarget(target): the same path, split once
    const clean = args.split === undefined ? cleanTarget(o, args.target) : cleanSplit(o, args.split);
    return { token, state: stateOf(o, args.pairs), clean };
  }
  // The token only from the body; what travels beside it from the body and the action URL's query
  // together (Zendesk's own examples post return_to in the action URL), so that one in each is as
  // ambiguous as two in one: a layer that reads only one of them (a proxy, a WAF, a log) never
  // judges a different return URL than the one followed.
  const beside = args.actionQuery === undefined ? args.pairs : [...args.pairs, ...args.actionQuery];
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: a shortcut: no parameter's key is false, so paramValues would find none either
  const back = o.returnToParam === false ? [] : paramValues(beside, o.returnToParam);
  // Given more than once, it is ambiguous: neither is followed (and a state inside is not read).
  const destination = back.length === 1 ? returnPath(o, ctx.view, back[0]!) : null;
  // Stryker disable next-line ArrayDeclaration: an array of anything but query pairs holds no state parameter either
  const carrier = o.stateIn === 'param' ? beside : destination === null ? [] : splitTarget(destination).pairs;
  const state = stateOf(o, carrier);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a destination wins over what is kept (destination ?? kept), and no store keeps a path for a null state (a state is 16 to 128 characters)
  const kept = destination === null && state !== null ? o.loginState.returnTo(ctx, state) : null;
  // Stryker disable next-line StringLiteral: the clean target of an empty path is the root, '/', as well
  return { token, state, clean: cleanTarget(o, destination ?? kept ?? '/') };
}

/**
 * The parameters {@link readReturn} reads from a posted form (`responseMode: 'form_post'`): the
 * token, the return URL, and the state when it travels as a parameter. Each must be one string.
 */
export function formParams(o: ResolvedOptions): string[] {
  const read = [o.tokenParam];
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: form_post requires a return URL parameter (options/checks), so under form_post returnToParam is never false: a check for the type only
  if (o.returnToParam !== false) read.push(o.returnToParam);
  if (o.state && o.stateIn === 'param') read.push(o.stateParam);
  return read;
}

function readToken(o: ResolvedOptions, pairs: readonly QueryPair[]): string {
  const tokens = paramValues(pairs, o.tokenParam);
  // Stryker disable next-line StringLiteral: with no token given, tokens.length !== 1 refuses before the fallback is read
  const token = tokens[0] ?? '';
  if (tokens.length !== 1 || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    const why =
      tokens.length !== 1
        ? `the "${o.tokenParam}" parameter was given ${tokens.length} times`
        : `it is empty or longer than ${MAX_TOKEN_LENGTH} characters`;
    throw new JwtSsoError(Code.TOKEN_MALFORMED, `The sign-in token is malformed: ${why}. Start the sign-in again.`);
  }
  // The JWS compact shape, checked before the token is kept anywhere (a cookie, a session):
  // nothing else from the query is ever written back, so no attribute or byte can ride along.
  if (!COMPACT_JWS.test(token)) {
    throw new JwtSsoError(
      Code.TOKEN_MALFORMED,
      'The sign-in token is malformed: it is not three dot-separated base64url parts. Start the sign-in again.',
    );
  }
  return token;
}

// The state among `pairs`: exactly one value of our shape, else none (state on) or null (off).
function stateOf(o: ResolvedOptions, pairs: readonly QueryPair[]): string | null {
  if (!o.state) return null;
  const states = paramValues(pairs, o.stateParam);
  return states.length === 1 && STATE_VALUE.test(states[0]!) ? states[0]! : null;
}

/**
 * A return URL passed back beside the token, as a target below `mountPoint`: an absolute URL of
 * this app's public origin, or a path on it, inside `mountPoint`. Anything else (another host,
 * another scheme, a sibling app's path, `javascript:`) is null: never followed.
 */
export function returnPath(o: ResolvedOptions, req: OriginSource, value: string): string | null {
  const origin = requestOrigin(req, o);
  let url: URL;
  try {
    // Stryker disable next-line StringLiteral: an origin has no path, so it and origin + '/' resolve every value alike
    url = new URL(value, origin + '/');
  } catch {
    return null;
  }
  if (url.origin !== origin || url.username !== '' || url.password !== '') return null;
  const { pathname } = url;
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut: with mountPoint '' every pathname starts with '/', so the checks after it pass too
  if (o.mountPoint !== '' && pathname !== o.mountPoint && !pathname.startsWith(o.mountPoint + '/')) return null;
  return localPath(pathname.slice(o.mountPoint.length)) + url.search;
}

/** True if `path` (a request target's path) is the fixed callback route. */
export function isCallback(o: ResolvedOptions, path: string): boolean {
  // Stryker disable next-line ConditionalExpression: without a callbackPath, path would be compared with undefined and "undefined/", and a request path always starts with '/'
  return o.callbackPath !== undefined && (path === o.callbackPath || path === o.callbackPath + '/');
}

/** What the login steps see of one request: what the login-state store sees, and the request's view. */
export interface LoginContext extends LoginStateContext {
  /** The request as its framework's adapter shows it (lib/frameworks/). */
  readonly view: RequestView;
  /** The app's public origin (`requestOrigin`), worked out once, when first asked. */
  readonly origin: string;
}

/**
 * What the login steps and the login-state store see of this request. The response, and whether
 * the app's public URL is https, are worked out only when asked (never on the signed-in hot
 * path): asking for a response a framework's setup left out of reach throws its fault.
 */
export function loginContext(o: ResolvedOptions, args: { req: RequestLike; view: RequestView; now?: number }): LoginContext {
  return new RequestContext(o, args.req, args.view, args.now);
}

// One object a request, its lazy parts as getters of the class (no closures made per request).
class RequestContext implements LoginContext {
  readonly req: RequestLike;
  readonly session: SessionAccess | undefined;
  readonly #o: ResolvedOptions;
  #res: HeaderTarget | undefined;
  #resAsked = false;
  #origin: string | undefined;
  #now: number | undefined;

  constructor(
    o: ResolvedOptions,
    req: RequestLike,
    readonly view: RequestView,
    now: number | undefined,
  ) {
    this.#o = o;
    this.#now = now;
    // The login-state stores read the Cookie header off `req`: a request whose framework keeps its
    // headers elsewhere (a view made by an override of requestView) is seen with the view's.
    this.req = req.headers === view.headers ? req : (Object.create(req, { headers: { value: view.headers } }) as RequestLike);
    this.session = view.session;
  }

  get res(): HeaderTarget | undefined {
    // Stryker disable next-line ConditionalExpression: a memo: the view's response() gives the same target each time it is asked
    if (!this.#resAsked) {
      this.#res = this.view.response();
      // Stryker disable next-line BooleanLiteral: a memo: the view's response() gives the same target each time it is asked
      this.#resAsked = true;
    }
    return this.#res;
  }

  // The clock is read once, when first asked: a signed-in request never asks.
  get now(): number {
    return (this.#now ??= this.#o.clock());
  }

  get origin(): string {
    return (this.#origin ??= requestOrigin(this.view, this.#o));
  }

  get secure(): boolean {
    return this.origin.startsWith('https:');
  }
}

/**
 * True if the login state is acceptable: state off, or a live state this browser was issued.
 * With `useUp` the state is also ended (a state is used once).
 */
export function stateAccepted(o: ResolvedOptions, ctx: LoginStateContext, args: { state: string | null; useUp: boolean }): boolean {
  return !o.state || o.loginState.isLive(ctx, args.state, { useUp: args.useUp });
}

/**
 * Verifies a returned token's signature and claims, and its nonce against the state it came
 * back with (nothing used up, nothing recorded). Synchronous where the key source answers at
 * once (a shared secret, public keys): a promise only where it must wait (a JWKS fetch).
 */
function verifyReturned(
  o: ResolvedOptions,
  ctx: LoginStateContext,
  args: { token: string; state: string | null },
): JwtClaims | Promise<JwtClaims> {
  const parsed = parseToken(args.token);
  const keys = o.keySource.keysFor(ctx.req, parsed);
  // Stryker disable next-line ConditionalExpression: a shortcut: keys given at once, taken through a promise, verify alike, a microtask later
  if (Array.isArray(keys)) return verifiedWith(o, ctx.now, parsed, keys as readonly VerificationKey[], args.state);
  return Promise.resolve(keys).then((found) => verifiedWith(o, ctx.now, parsed, found, args.state));
}

function verifiedWith(
  o: ResolvedOptions,
  now: number,
  parsed: ParsedToken,
  keys: readonly VerificationKey[],
  state: string | null,
): JwtClaims {
  const claims = verifyParsed(parsed, tokenPolicy(o, keys), now);
  // Before the state is used up: a token from another login leaves this one's state.
  if (o.nonce && state !== null) checkNonce(claims.nonce, state);
  return claims;
}

// TOKEN_REPLAYED refusals of a token that the login of the same state redeemed (isRedeemedLeftover).
const LEFTOVERS = new WeakSet<object>();

/**
 * True if `err` refused a token as replayed that the login of the same state had itself redeemed
 * a moment before: the leftover of another tab of this browser (its request left before that
 * tab's answer cleared the token), not a replay into another login. Such a request starts its
 * own sign-in rather than show the refusal (verifyPending).
 */
// WeakSet.has answers false for anything that is not an object (null, a string): no guard is needed.
export const isRedeemedLeftover = (err: unknown): boolean => LEFTOVERS.has(err as object);

/**
 * Records the token in the replay store: a token signs in once. Where the store can look an id up
 * (`has`) and the login has a state, a sign-in also records the pair (state, token), and a
 * refusal looks its own pair up: found, the token is the leftover of a tab whose login of this
 * same state redeemed it (isRedeemedLeftover). Only a sign-in writes the pair (each needs a fresh
 * token), so a replayed token, sent with as many states as one likes, writes nothing. The pair is
 * a convenience for tabs: a store that fails to write or read it costs no sign-in, and no refusal.
 * Its write is not waited for (a store that stalls on it cannot hold a sign-in up; both built-in
 * stores take it before the next command: the memory store at once, Redis in order), and its look
 * up is bounded by PAIR_LOOKUP_MS (a store that stalls on it still gets its refusal answered).
 */
async function record(o: ResolvedOptions, claims: JwtClaims, token: string, state: string | null): Promise<void> {
  const store = o.replayStore;
  const id = replayId(o.replayKey, claims, token);
  const ttl = replayWindow(o);
  let firstUse: boolean;
  try {
    firstUse = await store.consume(id, ttl);
  } catch (cause) {
    throw new JwtSsoError(
      Code.REPLAY_STORE_FAILED,
      'The replay store could not record the token id, so the sign-in was refused: check the replay store (see the cause).',
      { cause },
    );
  }
  // A login's state is its own only with `state` on (with it off, a state param is anyone's).
  const pairs = o.state && state !== null && typeof store.has === 'function';
  if (firstUse) {
    if (pairs) void settled(() => store.consume(loginReplayId(state, id), ttl));
    return;
  }
  const replayed = new JwtSsoError(
    Code.TOKEN_REPLAYED,
    'This sign-in token was already used: a token signs in once. Start the sign-in again.',
  );
  if (pairs && (await settledWithin(() => store.has!(loginReplayId(state, id)), PAIR_LOOKUP_MS)) === true) LEFTOVERS.add(replayed);
  throw replayed;
}

/** Milliseconds a refusal waits for the store's `has` before it is answered as a replay. */
export const PAIR_LOOKUP_MS = 500;

// What a store call resolved, or undefined where it threw or rejected (synchronously too: `then`
// runs the call).
function settled<T>(call: () => Promise<T>): Promise<T | undefined> {
  return Promise.resolve()
    .then(call)
    .catch(() => undefined);
}

// settled(call), or undefined where the call did not answer within `limitMs`. A call that answers
// in time leaves no timer behind.
function settledWithin<T>(call: () => Promise<T>, limitMs: number): Promise<T | undefined> {
  const answer = settled(call);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, limitMs, undefined);
    timer.unref();
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/**
 * Verifies a token and records it in the replay store before it is kept in a server session (a
 * token too large for a cookie): junk, or one token sent again and again, never creates a
 * session. The state is checked again, and used up, on the clean URL.
 */
export async function verifyBeforeKeeping(
  o: ResolvedOptions,
  ctx: LoginStateContext,
  args: { token: string; state: string | null },
): Promise<void> {
  const verified = verifyReturned(o, ctx, args);
  await record(o, verified instanceof Promise ? await verified : verified, args.token, args.state);
}

/**
 * Verifies a returned token, uses up its state and records its jti, in that order: the replay
 * store records a token only once every other check passed (`consumed`: it was recorded when it
 * was parked). Resolves the claims, or `null` when the state is unknown but someone is already
 * signed in (the token is dropped).
 */
export async function acceptToken(
  o: ResolvedOptions,
  ctx: LoginStateContext,
  args: { token: string; state: string | null; signedIn: boolean; consumed?: boolean | undefined },
): Promise<JwtClaims | null> {
  const verified = verifyReturned(o, ctx, args);
  const claims = verified instanceof Promise ? await verified : verified;
  if (!stateAccepted(o, ctx, { state: args.state, useUp: true })) {
    if (args.signedIn) return null;
    throw stateMismatch();
  }
  if (args.consumed !== true) await record(o, claims, args.token, args.state);
  return claims;
}

export { cleanTarget, loginRedirect, MAX_RETURN_PATH, publicUrl, resolveParams } from './login-url';
