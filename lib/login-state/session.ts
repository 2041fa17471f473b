// The login state in the server session (0.1's behaviour): states and parked tokens in
// req.session.jwtsso. Needs session middleware; every anonymous visit writes a session.
import type { SessionAccess } from '../frameworks/view';
import { JwtSsoError, JwtSsoErrorCode as Code, sessionRequired } from '../errors';
import { hasPending, hasState, issueState, keptReturn, stashToken, takeToken } from './session-state';
import type { LoginStateContext, LoginStateStore, PendingToken } from './store';

function sessionOf(ctx: LoginStateContext): SessionAccess {
  if (ctx.session === undefined) throw sessionRequired();
  return ctx.session;
}

/** Login state in `req.session` (`loginState: 'session'`). */
export class SessionLoginState implements LoginStateStore {
  issue(ctx: LoginStateContext, maxAgeSeconds: number, returnTo?: string): string {
    return issueState(sessionOf(ctx), ctx.now, maxAgeSeconds, returnTo);
  }

  returnTo(ctx: LoginStateContext, state: string): string | null {
    return ctx.session === undefined ? null : keptReturn(ctx.session, state, ctx.now);
  }

  isLive(ctx: LoginStateContext, state: string | null, options: { useUp: boolean }): boolean {
    return hasState(sessionOf(ctx), state, ctx.now, options.useUp);
  }

  park(ctx: LoginStateContext, url: string, pending: PendingToken, options?: { crossSite: boolean }): void {
    // A cross-site POST brings no session cookie: a session written now would be a new one,
    // whose cookie replaces the browser's own (signing a signed-in user out).
    if (options?.crossSite === true) throw crossSiteWithoutCookie();
    stashToken(sessionOf(ctx), url, pending.token, pending.state, ctx.now, { consumed: pending.consumed === true });
  }

  take(ctx: LoginStateContext, url: string): PendingToken[] {
    return ctx.session === undefined ? [] : takeToken(ctx.session, url, ctx.now);
  }

  mayHoldToken(ctx: LoginStateContext): boolean {
    return ctx.session !== undefined && hasPending(ctx.session);
  }

  // The session store writes the session for every login: what 0.1 did, and what it is for.
  spillsToSession(): boolean {
    return false;
  }
}

/** A token posted from another site that no cookie can hold: refused, never put in a session. */
export const crossSiteWithoutCookie = (): JwtSsoError =>
  new JwtSsoError(
    Code.TOKEN_MALFORMED,
    'The posted sign-in token (with its return URL) does not fit the cookie it waits in across the redirect (4,000 bytes, and 6,144 with the other sign-ins this browser has pending), and a form POST from the provider carries no session cookie to keep it in: ask the provider for a smaller token or a shorter return URL. (With Fastify, register passport-jwtsso/fastify, or no cookie can be set at all.)',
  );
