// Where a login's state waits between the redirect to the provider and the return, and where a
// returned token waits across the stripping redirect. Two stores implement it: cookie.ts (the
// default: one cookie per pending login, nothing in the server session) and session.ts.
import type { HeaderTarget, SessionAccess } from '../frameworks/view';
import type { RequestLike } from '../request-url';

/** What a store sees of one request. */
export interface LoginStateContext {
  readonly req: RequestLike;
  /** Where cookies are set (the framework adapter in lib/frameworks/ finds it); undefined where the framework does not give it to the strategy. */
  readonly res: HeaderTarget | undefined;
  readonly session: SessionAccess | undefined;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** True when the app's public URL is https: cookies are `Secure` and `__Host-` prefixed. */
  readonly secure: boolean;
}

/** A token that came back and waits for the browser on its clean URL. */
export interface PendingToken {
  readonly token: string;
  /** The returned state, or null when none came back (state off). */
  readonly state: string | null;
  /**
   * True when the token was already verified and recorded in the replay store as it was parked
   * (a token the cookie store had to keep in the session: see `spillsToSession`).
   */
  readonly consumed?: boolean;
}

/**
 * A login-state store: issue a state for this browser, check it, use it up, and hold a
 * returned token across the stripping redirect. Each passes spec/login-state/contract.ts.
 */
export interface LoginStateStore {
  /**
   * Issues a fresh state for this browser, live for `maxAgeSeconds`. `returnTo` (a path below
   * mountPoint) is kept with it when no return URL travels to the provider and back.
   */
  issue(ctx: LoginStateContext, maxAgeSeconds: number, returnTo?: string): string;
  /** The `returnTo` kept with a live `state` of this browser, or null; the state stays live. */
  returnTo(ctx: LoginStateContext, state: string): string | null;
  /** True if `state` is a live state this browser was issued; with `useUp` it is also ended. */
  isLive(ctx: LoginStateContext, state: string | null, options: { useUp: boolean }): boolean;
  /**
   * Keeps a returned token until the browser asks for `url` (the clean URL), briefly. With
   * `crossSite` (a form POST from the provider's site, which carries no `SameSite=Lax` cookie and
   * no session cookie) nothing is written to the session, and what is kept is bounded per
   * browser whoever sends it: another site can make a browser post as often as it likes.
   */
  park(ctx: LoginStateContext, url: string, pending: PendingToken, options?: { crossSite: boolean }): void;
  /**
   * True if parking this token would write a server session that the login would not otherwise
   * write (the cookie store, for a token too large for a cookie). The strategy then verifies the
   * token and records it in the replay store first, so that anonymous requests with junk (or one
   * token sent again and again) can never create sessions.
   */
  spillsToSession(ctx: LoginStateContext, url: string, pending: PendingToken): boolean;
  /**
   * Takes (removes and returns) the tokens waiting for `url`, the newest first: tabs of one URL
   * returning at once each park one, and a tab's own token is the newest its request carries.
   * The caller tries them in order until one is accepted.
   */
  take(ctx: LoginStateContext, url: string): PendingToken[];
  /** Cheap: false when this request cannot hold a parked token (the signed-in hot path). */
  mayHoldToken(ctx: LoginStateContext): boolean;
}
