// The steps of a login, shared by the Passport strategy and the jwtsso 1.x compatibility
// middleware: read what the provider returned, accept a token, build the URLs. Each step throws
// a JwtSsoError for what it refuses; callers map errors to their own actions (fail/error, or
// next(err)). Calls take named arguments: no step has a positional boolean.
import type { JwtClaims } from './claims';
import { JwtSsoError, JwtSsoErrorCode as Code, stateMismatch } from './errors';
import { checkAuthParams, type AuthParams, type ResolvedOptions } from './options';
import { requestOrigin, type RequestLike } from './request-url';
import type { HeaderTarget, SessionAccess } from './adapter';
import type { LoginStateContext } from './login-state';
import { replayId } from './replay/key';
import { MAX_TOKEN_LENGTH, parseToken, replayWindow, verifyParsed } from './token';
import { appendParam, loginUrl, paramValues, pathWithin, sameOriginPath, stripParams, type QueryPair } from './urls';

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

/** Reads the token parameter (exactly once, 1 to 8 KiB) and the state of a request target. */
export function readReturn(o: ResolvedOptions, pairs: readonly QueryPair[], target: string): Returned {
  const tokens = paramValues(pairs, o.tokenParam);
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
  const states = paramValues(pairs, o.stateParam);
  const state = o.state && states.length === 1 && STATE_VALUE.test(states[0]!) ? states[0]! : null;
  return { token, state, clean: cleanTarget(o, target) };
}

/**
 * A request target without the token and state parameters, as the path below `mountPoint` a
 * browser will request (`'/'` if it would leave `mountPoint`): the stripping redirect's target
 * and the key a parked token waits under.
 */
export function cleanTarget(o: ResolvedOptions, target: string): string {
  return pathWithin(o.mountPoint, stripParams(target, [o.tokenParam, o.stateParam]));
}

/**
 * What the login-state store sees of this request. Whether the app's public URL is https is
 * worked out only when a store asks (never on the signed-in hot path).
 */
export function loginContext(
  o: ResolvedOptions,
  args: { req: RequestLike; res: HeaderTarget | undefined; session: SessionAccess | undefined; now: number },
): LoginStateContext {
  let secure: boolean | undefined;
  return {
    ...args,
    get secure() {
      return (secure ??= requestOrigin(args.req, o).startsWith('https:'));
    },
  };
}

/**
 * True if the login state is acceptable: state off, or a live state this browser was issued.
 * With `useUp` the state is also ended (a state is used once).
 */
export function stateAccepted(o: ResolvedOptions, ctx: LoginStateContext, args: { state: string | null; useUp: boolean }): boolean {
  return !o.state || o.loginState.isLive(ctx, args.state, { useUp: args.useUp });
}

/**
 * Verifies a returned token, uses up its state and records its jti, in that order: the replay
 * store records a token only once every other check passed. Resolves the claims, or `null`
 * when the state is unknown but someone is already signed in (the token is dropped).
 */
export async function acceptToken(
  o: ResolvedOptions,
  ctx: LoginStateContext,
  args: { token: string; state: string | null; signedIn: boolean },
): Promise<JwtClaims | null> {
  const parsed = parseToken(args.token);
  const keys = await o.keySource.keysFor(ctx.req, parsed);
  const claims = verifyParsed(parsed, { ...o, keys }, ctx.now);
  if (!stateAccepted(o, ctx, { state: args.state, useUp: true })) {
    if (args.signedIn) return null;
    throw stateMismatch();
  }
  let firstUse: boolean;
  try {
    firstUse = await o.replayStore.consume(replayId(o.replayKey, claims, args.token), replayWindow(o));
  } catch (cause) {
    throw new JwtSsoError(
      Code.REPLAY_STORE_FAILED,
      'The replay store could not record the token id, so the sign-in was refused: check the replay store (see the cause).',
      { cause },
    );
  }
  if (!firstUse) {
    throw new JwtSsoError(Code.TOKEN_REPLAYED, 'This sign-in token was already used: a token signs in once. Start the sign-in again.');
  }
  return claims;
}

/** Merges static or per-request provider parameters, checked. */
export function resolveParams(source: AuthParams | undefined, req: RequestLike, option: string): Readonly<Record<string, string>> {
  if (source === undefined) return {};
  return checkAuthParams(typeof source === 'function' ? source(req) : source, option);
}

/**
 * The public URL (`scheme://host` + `mountPoint` + path) of a path on this app, without the
 * token and state parameters. A path the app was asked to use (returnTo, redirectTo) must be
 * same-origin, else `mountPoint + '/'` is used; this request's own target is always made local.
 * Either way a path that a browser would resolve outside `mountPoint` becomes `mountPoint + '/'`.
 */
export function publicUrl(o: ResolvedOptions, req: RequestLike, path: string, from: { requestTarget: boolean }): string {
  const local = from.requestTarget ? path : (sameOriginPath(path) ?? '/');
  return requestOrigin(req, o) + o.mountPoint + cleanTarget(o, local);
}

/**
 * The provider's login URL for this request: `return_to` is the public URL of `wanted` (a
 * same-origin path, else `mountPoint + '/'`) or of this request's `target`, with a fresh state
 * from the login-state store when on.
 */
export function loginRedirect(
  o: ResolvedOptions,
  ctx: LoginStateContext,
  args: { target: string; wanted: string | undefined; params: Readonly<Record<string, string>> },
): string {
  const { wanted } = args;
  let returnTo = publicUrl(o, ctx.req, wanted ?? args.target, { requestTarget: wanted === undefined });
  if (o.state) returnTo = appendParam(returnTo, o.stateParam, o.loginState.issue(ctx, o.stateMaxAge));
  return loginUrl(o.authEndpoint, o.returnToParam, returnTo, { ...resolveParams(o.authParams, ctx.req, 'authParams'), ...args.params });
}
