// The login state in the server session (0.1's behaviour): states and parked tokens in
// req.session.jwtsso. Needs session middleware; every anonymous visit writes a session.
import type { SessionAccess } from '../adapter';
import { sessionRequired } from '../errors';
import { hasPending, hasState, issueState, keptReturn, stashToken, takeToken } from '../session-state';
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

  park(ctx: LoginStateContext, url: string, pending: PendingToken): void {
    stashToken(sessionOf(ctx), url, pending.token, pending.state, ctx.now);
  }

  take(ctx: LoginStateContext, url: string): PendingToken | null {
    return ctx.session === undefined ? null : takeToken(ctx.session, url, ctx.now);
  }

  mayHoldToken(ctx: LoginStateContext): boolean {
    return ctx.session !== undefined && hasPending(ctx.session);
  }
}
