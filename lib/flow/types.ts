// What the flow steps (dispatch.ts, pending.ts) work on and hand back to the Passport adapter
// (lib/strategy.ts): one request's context in, an outcome out. A refusal or a fault is thrown
// (a JwtSsoError or any error), and the adapter maps it to `fail` or `error`.
import type { AuthenticateOptions } from 'passport';
import type { Request } from 'express';
import type { JwtClaims } from '../claims';
import { emit, listening, type JwtSsoEvent } from '../events';
import { clientIpOf, type RequestView } from '../frameworks';
import type { LoginContext } from '../login';
import type { AuthParams, ResolvedOptions } from '../options';

/**
 * What `passport.authenticate('jwtsso', {...})` takes besides Passport's own options, declared
 * once: {@link JwtSsoAuthenticateOptions} extends Passport's options with it, and Passport's
 * `AuthenticateOptions` is augmented with it so that an object literal type-checks in the call
 * itself (Passport types one options object for every strategy; other strategies ignore these).
 */
export interface JwtSsoAuthenticateExtras {
  /** Where the provider returns to: a path on this app (below `mountPoint`), or a function of the request. Default: this request's URL. */
  returnTo?: string | ((req: Request) => string) | undefined;
  /** Extra query parameters for the provider on this route; merged over the strategy's. */
  authParams?: AuthParams | undefined;
  /** `false`: answer 401 instead of redirecting to the provider (API routes). Default `true`. */
  redirect?: boolean | undefined;
}

/** Options of `passport.authenticate('jwtsso', {...})`: Passport's own and {@link JwtSsoAuthenticateExtras}. */
export interface JwtSsoAuthenticateOptions extends AuthenticateOptions, JwtSsoAuthenticateExtras {}

declare module 'passport' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a merge that only adds the extras
  interface AuthenticateOptions extends JwtSsoAuthenticateExtras {}
}

/** One request, as the flow steps see it. */
export interface Flow {
  readonly o: ResolvedOptions;
  /** The request as the app's framework handed it over: what `returnTo`, `authParams` and `verify` are given. */
  readonly req: Request;
  readonly view: RequestView;
  readonly ctx: LoginContext;
  readonly options: JwtSsoAuthenticateOptions;
}

/** What a step decided: the adapter answers with `redirect`, `pass`, or (after `verify`) `success`/`fail`/`error`. */
export type Outcome =
  | { readonly type: 'redirect'; readonly url: string; readonly status: number }
  | { readonly type: 'pass' }
  | { readonly type: 'verified'; readonly claims: JwtClaims };

export const REDIRECT_TO_PROVIDER = 302;
export const REDIRECT_TO_CLEAN_URL = 303;

export const redirect = (url: string, status: number): Outcome => ({ type: 'redirect', url, status });
export const PASS: Outcome = { type: 'pass' };

/** Passport's own answer, where the app's Passport gives one; else whether a user is set. */
export function isAuthenticated(req: Request): boolean {
  return typeof req.isAuthenticated === 'function' ? req.isAuthenticated() : req.user !== undefined;
}

/** Emits an audit event with the client's address; built only when one would go anywhere, so a login costs no audit work unasked. */
export function event(flow: Pick<Flow, 'o' | 'view'>, e: JwtSsoEvent | (() => JwtSsoEvent)): void {
  if (!listening(flow.o.onEvent)) return;
  emit(flow.o.onEvent, { ...(typeof e === 'function' ? e() : e), ip: clientIpOf(flow.view) });
}
