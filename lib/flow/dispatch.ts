// The steps of a sign-in as the strategy drives them, one request at a time: a token arriving
// (receive), no one signed in (challenge), and the choice between them (dispatch). Each returns
// an outcome, or a promise of one where it must wait (a form body, a verification); each throws
// what it refuses. Synchronous on every path but the waiting ones, so a signed-in request costs
// no promise.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  DONE_COOKIE,
  DONE_SECONDS,
  passportSessionMissing,
  redirectWarning,
  secureCookieOnHttp,
  sessionLost,
  stateMismatchHint,
} from '../diagnose';
import { JwtSsoError, JwtSsoErrorCode as Code, sessionRequired, stateMismatch } from '../errors';
import { bodyLeftUnread, formPairs } from '../form-body';
import {
  formParams,
  hasTokenParam,
  isCallback,
  loginRedirect,
  readReturn,
  resolveParams,
  stateAccepted,
  verifyBeforeKeeping,
} from '../login';
import type { HeaderTarget } from '../frameworks';
import type { ResolvedOptions } from '../options';
import { cookieHeader, cookieName, cookiesStartingWith, clearCookie, isOwnCookie, setCookie } from '../login-state/cookies';
import type { RequestLike } from '../request-url';
import { noStore } from '../response';
import { mayHaveParam, splitTarget, type QueryPair } from '../urls';
import { cleanSplit } from '../login-url';
import { sha256url } from '../login-state/codec';
import { verifyPending } from './pending';
import { event, isAuthenticated, PASS, redirect, REDIRECT_TO_CLEAN_URL, REDIRECT_TO_PROVIDER, type Flow, type Outcome } from './types';

// A login Passport keeps in a session (its default) cannot last without one: say so before the
// browser makes the trip to the provider. With `session: false` the cookie login state needs none.
function requireSession(flow: Flow): void {
  if (flow.options.session !== false && flow.ctx.session === undefined) throw sessionRequired();
}

// A verified token too large for a cookie, and no session to keep it in across the redirect: the
// app's setup (no session middleware), not the client's doing. Checked only once the token
// verified, so that junk never costs a fault.
function tokenNeedsSession(): JwtSsoError {
  return new JwtSsoError(
    Code.SESSION_REQUIRED,
    'The sign-in token is larger than a cookie can hold and there is no session to keep it in across the redirect: mount session middleware (e.g. express-session) before the strategy, or ask the provider for a smaller token.',
  );
}

// With a fixed callback route, a token is taken there and only in the way the options say: a
// token elsewhere (or in the query of a form_post callback, where it would reach logs) is refused.
function wrongPlace(o: ResolvedOptions, path: string, posted: boolean): void {
  if (o.callbackPath === undefined) return;
  if (!isCallback(o, path)) {
    throw new JwtSsoError(
      Code.TOKEN_MALFORMED,
      `A sign-in token arrived outside the callback route: this app takes tokens only at ${o.mountPoint}${o.callbackPath}. Start the sign-in again.`,
    );
  }
  if (o.responseMode === 'form_post' && !posted) {
    throw new JwtSsoError(
      Code.TOKEN_MALFORMED,
      `A sign-in token arrived in the URL, but this app takes it only from a form POST to ${o.mountPoint}${o.callbackPath} (responseMode "form_post"). Start the sign-in again.`,
    );
  }
}

// Asks the server to close the connection after this response (a body left unread on it).
function closeConnection(res: HeaderTarget): void {
  // Stryker disable next-line ConditionalExpression: no step writes a response before the form body is read, so its headers are never sent here; kept so that a framework that flushed them early still gets the refusal, not ERR_HTTP_HEADERS_SENT
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

/** What this request calls for: receive a token, verify a waiting one, pass a signed-in user, or send to the provider. */
export function dispatch(flow: Flow): Outcome | Promise<Outcome> {
  const { o, view, ctx } = flow;
  const { target } = view;
  // Split (and its query %-decoded) once where a form may be posted or a token be in it: the steps
  // below take the split, not the target again. A page whose URL cannot carry the token param
  // (most signed-in requests) is not split at all.
  let split = o.responseMode === 'form_post' && view.method === 'POST' ? splitTarget(target) : undefined;
  if (split !== undefined && isCallback(o, split.path)) {
    const form = split;
    const { path, pairs } = form;
    requireSession(flow);
    // A token in the URL of the POST too: refused like one in a GET (it reaches access logs).
    if (hasTokenParam(o, pairs)) wrongPlace(o, path, false);
    return formPairs(view, { read: formParams(o) })
      .then((posted) => receive(flow, { pairs: posted, target, split: form, posted: true }))
      .catch((err: unknown) => {
        // A refused body (too large) is left unread: close the connection, do not keep the socket waiting.
        if (bodyLeftUnread(view) && ctx.res !== undefined) closeConnection(ctx.res);
        throw err;
      });
  }
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut for the signed-in hot path: a target split again, or one that cannot carry the token param split at all, gives the same pairs and no token
  if (split === undefined && mayHaveParam(target, o.tokenParam)) split = splitTarget(target);
  if (split !== undefined && hasTokenParam(o, split.pairs)) {
    requireSession(flow);
    return receive(flow, { pairs: split.pairs, target, split, posted: false });
  }
  // Stryker disable next-line ConditionalExpression: a shortcut for the signed-in hot path: where no token can be waiting, take() finds none and clears nothing (the session store's take asks the same hasPending first)
  if (o.loginState.mayHoldToken(ctx)) {
    const pending = o.loginState.take(ctx, cleanSplit(o, split ?? splitTarget(target)));
    // A request that may go to the provider starts its own sign-in where it carried only tokens
    // other tabs already redeemed (see verifyPending).
    if (pending.length > 0) return verifyPending(flow, pending, mayRedirect(flow) ? () => challenge(flow) : undefined);
  }
  if (isAuthenticated(flow.req)) {
    // The session lasted: the marker of the sign-in has done its work.
    if (hasDoneMarker(view)) clearDoneMarker(flow);
    return PASS;
  }
  const misconfigured = passportSessionMissing({ session: ctx.session, user: flow.req.user });
  if (misconfigured !== null) throw misconfigured;
  // Signed in moments ago, and back without the session: another trip to the provider would
  // loop. Said once: the marker goes, so a reload starts a new sign-in.
  if (hasDoneMarker(view)) {
    // The browser's other cookies are as they were at the sign-in: the session cookie it was
    // given then never came back. Changed (a logout's new session, an expired one): a new sign-in.
    const lost = flow.options.session !== false && mayRedirect(flow) && doneMarkerHolds(flow);
    clearDoneMarker(flow);
    if (lost) throw sessionLost(view, ctx.session);
  }
  return challenge(flow);
}

// A request the strategy would answer by sending the browser to the provider.
const mayRedirect = (flow: Flow): boolean => flow.options.redirect !== false && (flow.view.method === 'GET' || flow.view.method === 'HEAD');

// Under https the marker is `__Host-` prefixed (Path=/, no Domain): a sibling subdomain or a
// plain-http response cannot plant one. Over http, Path is mountPoint.
const doneScope = (flow: Pick<Flow, 'o' | 'ctx'>) => ({
  path: flow.o.mountPoint === '' || flow.ctx.secure ? '/' : flow.o.mountPoint,
  secure: flow.ctx.secure,
});
const doneName = (flow: Pick<Flow, 'ctx'>): string => cookieName(flow.ctx.secure, DONE_COOKIE);

/** Cheap: whether the request may carry the `jwtsso-done` marker (the signed-in hot path). */
export function hasDoneMarker(view: Pick<Flow['view'], 'headers'>): boolean {
  return cookieHeader(view.headers)?.includes(DONE_COOKIE) === true;
}

// True if the request carries exactly one cookie of the marker's name (two: one was planted),
// and it holds.
function doneMarkerHolds(flow: Pick<Flow, 'ctx' | 'view'>): boolean {
  const name = doneName(flow);
  const values = cookiesStartingWith(flow.ctx.view as unknown as RequestLike, name).get(name);
  return values?.length === 1 && markerHolds(values[0]!, flow.view, flow.ctx.now);
}

// The marker is this process's own: `<issued, seconds>.<HMAC of issued and the fingerprint>`,
// keyed with a random key of this process, so that no one else can make one that holds (a
// marker another instance set is simply not one: that browser gets the usual sign-in).
const MARKER_KEY = randomBytes(32);
const MS_PER_SECOND = 1000;
const markerMac = (issued: string, fingerprint: string): string =>
  createHmac('sha256', MARKER_KEY).update(`${issued}.${fingerprint}`).digest('base64url').slice(0, 22);

// True if `marker` is one this process set within DONE_SECONDS for a browser whose other
// cookies are as they are now.
function markerHolds(marker: string, view: Pick<Flow['view'], 'headers'>, now: number): boolean {
  // `<issued, seconds>.<22 characters of MAC>`, and nothing around it (a pattern kept in the
  // function, not the module, so that the mutation runs test it anew: see TESTING.md).
  const parsed = /^([0-9]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(marker);
  if (parsed === null) return false;
  const age = now / MS_PER_SECOND - Number(parsed[1]);
  if (age < 0 || age > DONE_SECONDS) return false;
  const expected = Buffer.from(markerMac(parsed[1]!, cookieFingerprint(view)));
  const got = Buffer.from(parsed[2]!);
  // Stryker disable next-line ConditionalExpression: the pattern takes exactly 22 MAC characters, as many as markerMac gives, so the lengths always agree; kept so that timingSafeEqual cannot throw if either changes
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * A digest of the request's cookies other than this package's (isOwnCookie, under http and
 * https), in the order sent: what the browser held when it signed in, to compare with what it
 * sends next. Linear time (one split, one hash).
 */
export function cookieFingerprint(view: Pick<Flow['view'], 'headers'>): string {
  const header = cookieHeader(view.headers) ?? '';
  const foreign = header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '' && !isOwnCookie(pair));
  return sha256url(foreign.join(';'));
}

/**
 * Marks the browser as signed in a moment ago (a short-lived HttpOnly cookie, no server state):
 * if its next request comes back without the session, it is told why instead of being sent to
 * the provider again. Cleared by a signed-in request, by logoutUrl(), and when it is reported.
 */
export function setDoneMarker(flow: Pick<Flow, 'o' | 'ctx'>): void {
  const res = flow.ctx.res;
  if (res === undefined) return;
  const issued = String(Math.floor(flow.ctx.now / MS_PER_SECOND));
  setCookie(res, doneName(flow), `${issued}.${markerMac(issued, cookieFingerprint(flow.ctx.view))}`, DONE_SECONDS, doneScope(flow));
}

/** Drops the marker (a signed-in request, a logout, or the loss reported). */
export function clearDoneMarker(flow: Pick<Flow, 'o' | 'ctx'>): void {
  const res = flow.ctx.res;
  if (res !== undefined) clearCookie(res, doneName(flow), doneScope(flow));
}

// The request that arrives from the provider with the token: park the token (login-state
// store) and redirect to the clean URL (the same URL without it, or the return URL of a fixed
// callback), so the page the user sees never carries it; the token is verified there.
function receive(
  flow: Flow,
  from: { pairs: readonly QueryPair[]; target: string; split: ReturnType<typeof splitTarget>; posted: boolean },
): Outcome | Promise<Outcome> {
  const { o, ctx } = flow;
  noStore(ctx.res);
  const { path, pairs: query } = from.split;
  // A link with a token to another route than the callback, for someone already signed in:
  // dropped, and they see the page without it (as a foreign token on Puavo's return is).
  if (o.callbackPath !== undefined && !isCallback(o, path) && isAuthenticated(flow.req)) {
    event(flow, { type: 'token-dropped' });
    return redirect(o.mountPoint + cleanSplit(o, from.split), REDIRECT_TO_CLEAN_URL);
  }
  wrongPlace(o, path, from.posted);
  // A form POST's own URL (the form's action) may carry the return URL: read beside the body.
  // The pairs of a GET are the target's own query: its clean path is made of the split.
  const returned = from.posted
    ? readReturn(o, ctx, { pairs: from.pairs, target: from.target, actionQuery: query })
    : readReturn(o, ctx, { pairs: from.pairs, target: from.target, split: from.split });
  // Checked here too (without using it up) so a lost state ends in a 403, not a loop. Not on
  // a cross-site form POST, which carries no SameSite=Lax cookie: the GET it is sent on to
  // (a 303) carries them, and is where the state is checked and used up.
  if (!from.posted && !stateAccepted(o, ctx, { state: returned.state, useUp: false })) {
    // Someone already signed in: drop the foreign token rather than switch their account.
    if (isAuthenticated(flow.req)) {
      event(flow, { type: 'token-dropped' });
      return redirect(o.mountPoint + returned.clean, REDIRECT_TO_CLEAN_URL);
    }
    throw stateMismatch(stateMismatchHint(o, flow.view));
  }
  const pending = { token: returned.token, state: returned.state };
  const parked = (consumed: boolean): Outcome => {
    o.loginState.park(ctx, returned.clean, consumed ? { ...pending, consumed } : pending, { crossSite: from.posted });
    event(flow, { type: 'token-received' });
    return redirect(o.mountPoint + returned.clean, REDIRECT_TO_CLEAN_URL);
  };
  // A token too large for a cookie would be kept in a server session: only once it verified and
  // was recorded, so that no anonymous request can create sessions (a posted one is refused).
  if (!from.posted && o.loginState.spillsToSession(ctx, returned.clean, pending)) {
    return verifyBeforeKeeping(o, ctx, pending).then(() => {
      if (ctx.session === undefined) throw tokenNeedsSession();
      return parked(true);
    });
  }
  return parked(false);
}

// No token and no one signed in: send the browser to the provider, or answer 401.
function challenge(flow: Flow): Outcome {
  const { o, req, view, ctx, options } = flow;
  if (!mayRedirect(flow)) {
    throw new JwtSsoError(Code.LOGIN_REQUIRED, "Not signed in: sign in through the app's login page first.");
  }
  requireSession(flow);
  // A session cookie that cannot be set on this request: the sign-in would last one page.
  if (options.session !== false) {
    const lost = secureCookieOnHttp(view, ctx.session);
    if (lost !== null) throw lost;
  }
  const wanted = typeof options.returnTo === 'function' ? options.returnTo(req) : options.returnTo;
  const params = resolveParams(options.authParams, req, 'authenticate option authParams');
  const url = loginRedirect(o, ctx, { target: view.target, wanted, params });
  noStore(ctx.res);
  event(flow, () => ({ type: 'redirect', message: redirectWarning(o, view, url) }));
  return redirect(url, REDIRECT_TO_PROVIDER);
}
