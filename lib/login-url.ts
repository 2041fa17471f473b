// The URLs of a login: the provider's login URL for a request (with a fresh state, its nonce and
// the callback URL, as the options say), and the public URL of a path on this app.
import { checkAuthParams, type AuthParams, type ResolvedOptions } from './options';
import { requestOrigin, type OriginSource, type RequestLike } from './request-url';
import type { LoginContext } from './login';
import { nonceFor } from './nonce';
import { appendParam, loginUrl, pathWithin, sameOriginPath, strippedSplit, stripParams, type QueryPair } from './urls';

/**
 * Longest path (bytes) below mountPoint a login returns to; a longer one returns to
 * mountPoint's root (its %-encoded return URL would pass the 8 KiB header lines proxies accept).
 */
export const MAX_RETURN_PATH = 2048;

/**
 * A request target without the token and state parameters, as the path below `mountPoint` a
 * browser will request (`'/'` if it would leave `mountPoint`): the stripping redirect's target
 * and the key a parked token waits under.
 */
export function cleanTarget(o: ResolvedOptions, target: string): string {
  return pathWithin(o.mountPoint, stripParams(target, [o.tokenParam, o.stateParam]));
}

/** {@link cleanTarget} of a target already split by `splitTarget` (its query is not decoded again). */
export function cleanSplit(o: ResolvedOptions, split: { readonly path: string; readonly pairs: readonly QueryPair[] }): string {
  return pathWithin(o.mountPoint, strippedSplit(split, [o.tokenParam, o.stateParam]));
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
export function publicUrl(o: ResolvedOptions, req: OriginSource, path: string, from: { requestTarget: boolean }): string {
  return requestOrigin(req, o) + o.mountPoint + localTarget(o, path, from);
}

// The path below mountPoint that publicUrl makes public.
function localTarget(o: ResolvedOptions, path: string, from: { requestTarget: boolean }): string {
  // Stryker disable next-line StringLiteral: cleanTarget makes '' the local path '/' (localPath roots it), so '' and '/' are the same fallback
  return cleanTarget(o, from.requestTarget ? path : (sameOriginPath(path) ?? '/'));
}

/**
 * The provider's login URL for this request: `return_to` is the public URL of `wanted` (a
 * same-origin path, else `mountPoint + '/'`) or of this request's `target`; a fresh state from
 * the login-state store when on (in the return URL, or a parameter of its own), its nonce, and
 * the callback URL, as the options say.
 */
export function loginRedirect(
  o: ResolvedOptions,
  ctx: LoginContext,
  args: { target: string; wanted: string | undefined; params: Readonly<Record<string, string>> },
): string {
  const { wanted } = args;
  const app = ctx.origin + o.mountPoint;
  const asked = localTarget(o, wanted ?? args.target, { requestTarget: wanted === undefined });
  // A very long target would make a Location header proxies refuse (it travels %-encoded, about
  // three times its size): the user lands on mountPoint's root instead.
  const path = Buffer.byteLength(asked) <= MAX_RETURN_PATH ? asked : '/';
  let returnTo = app + path;
  // The parameters the login depends on are set after the app's, so nothing can override them.
  const fixed: Record<string, string> = {};
  if (o.state) {
    // With no return URL sent, where the user was going waits with the state.
    const state = o.loginState.issue(ctx, o.stateMaxAge, o.returnToParam === false ? path : undefined);
    if (o.stateIn === 'param') fixed[o.stateParam] = state;
    else returnTo = appendParam(returnTo, o.stateParam, state);
    if (o.nonce) fixed[o.nonceParam] = nonceFor(state);
  }
  if (o.callbackParam !== undefined) fixed[o.callbackParam] = app + o.callbackPath!;
  if (o.returnToParam !== false) fixed[o.returnToParam] = returnTo;
  return loginUrl(o.authEndpoint, { ...resolveParams(o.authParams, ctx.req, 'authParams'), ...args.params }, fixed);
}
