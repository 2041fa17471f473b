// The steps of a login, shared by the Passport strategy and the jwtsso 1.x compatibility
// middleware. Each step throws a JwtSsoError for what it refuses; callers map errors to their
// own actions (fail/error, or next(err)).
import type { ServerResponse } from 'node:http';
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import { checkAuthParams, type AuthParams, type ResolvedOptions } from './options';
import { requestOrigin, type RequestLike } from './request-url';
import { hasState, issueState, type SessionLike } from './session-state';
import { JwksError } from './jwks';
import { providedKeys, type VerificationKey } from './keys';
import { MAX_TOKEN_LENGTH, parseToken, replayWindow, unverifiedPayload, verifyParsed, type ParsedToken } from './token';
import type { JwtClaims } from './claims';
import { appendParam, loginUrl, paramValues, pathWithin, sameOriginPath, stripParams, type QueryPair } from './urls';

// A state value we issue is 32 base64url characters (STATE_BYTES); 16 to 128 are read, so that a
// longer or shorter value chosen in a later version is still parsed, and anything else is not ours.
const STATE_VALUE = /^[A-Za-z0-9_-]{16,128}$/;

export const sessionRequired = (): JwtSsoError =>
  new JwtSsoError(
    Code.SESSION_REQUIRED,
    "req.session is missing: mount session middleware (e.g. express-session) before the strategy (and passport.session() before passport.authenticate('jwtsso')).",
  );

export const stateMismatch = (): JwtSsoError =>
  new JwtSsoError(
    Code.STATE_MISMATCH,
    'The sign-in was not started by this browser session, or its state was used or expired: start the sign-in again from the app. If it keeps failing, check that the session cookie survives the return from the provider (SameSite=Lax, not Strict; Secure only over https).',
  );

/** Responses that carry or consume a token: never cached, never leaked in a Referer. */
export function noStore(res: ServerResponse | undefined): void {
  if (res === undefined || res.headersSent) return;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** The token and state a provider's redirect brought, after the checks that need no key. */
export interface Returned {
  token: string;
  state: string | null;
  /** The same URL without the token and state parameters: a local path, the redirect target. */
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

/** True if the login state is acceptable: state off, or a live state of this session. */
export function stateKnown(o: ResolvedOptions, session: SessionLike, state: string | null, now: number, consume: boolean): boolean {
  return !o.state || hasState(session, state, now, consume);
}

/**
 * Verifies a returned token, uses up its state and records its jti, in that order: the replay
 * store records a token only once every other check passed. Resolves the claims, or `null`
 * when the state is unknown but someone is already signed in (the token is dropped).
 */
export async function acceptToken(
  o: ResolvedOptions,
  req: RequestLike,
  session: SessionLike,
  returned: { token: string; state: string | null },
  now: number,
  signedIn: boolean,
): Promise<JwtClaims | null> {
  const parsed = parseToken(returned.token);
  const keys = await keysFor(o, req, parsed);
  const claims = verifyParsed(parsed, { ...o, keys }, now);
  if (!stateKnown(o, session, returned.state, now, true)) {
    if (signedIn) return null;
    throw stateMismatch();
  }
  let firstUse: boolean;
  try {
    firstUse = await o.replayStore.consume(claims.jti, replayWindow(o));
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

/** The keys a token may be verified with, from the configured source. A failing source is a fault. */
async function keysFor(o: ResolvedOptions, req: RequestLike, parsed: ParsedToken): Promise<readonly VerificationKey[]> {
  const source = o.keySource;
  if (source.kind === 'static') return source.keys;
  try {
    if (source.kind === 'jwks') return await source.jwks.keysFor(typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined);
    return providedKeys(await source.provide(req, parsed.header, unverifiedPayload(parsed)), source.algorithms);
  } catch (cause) {
    if (cause instanceof JwtSsoError) throw cause; // an unverified payload that is not JSON: malformed
    const why = cause instanceof JwksError ? cause.message : 'secretOrKeyProvider failed';
    throw new JwtSsoError(
      Code.KEY_SOURCE_FAILED,
      `No key could be had for this token (${why}), so the sign-in was refused: check the key source.`,
      { cause },
    );
  }
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
 * same-origin path, else `mountPoint + '/'`) or of this request, with a fresh state when on.
 */
export function loginRedirect(
  o: ResolvedOptions,
  req: RequestLike,
  session: SessionLike | undefined,
  target: string,
  wanted: string | undefined,
  params: Readonly<Record<string, string>>,
  now: number,
): string {
  let returnTo = publicUrl(o, req, wanted ?? target, { requestTarget: wanted === undefined });
  if (o.state) {
    if (session === undefined) throw sessionRequired();
    returnTo = appendParam(returnTo, o.stateParam, issueState(session, now, o.stateMaxAge));
  }
  return loginUrl(o.authEndpoint, o.returnToParam, returnTo, { ...resolveParams(o.authParams, req, 'authParams'), ...params });
}
