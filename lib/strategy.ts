import type { AuthenticateOptions } from 'passport';
import { Strategy } from 'passport-strategy';
import createDebug from 'debug';
import type { Request } from 'express';
import { adaptRequest } from './adapter';
import type { JwtClaims, JwtRegisteredClaims } from './claims';
import { hostMismatch, passportSessionMissing, stateMismatchHint } from './diagnose';
import { isRefusal, JwtSsoError, JwtSsoErrorCode as Code, sessionRequired, stateMismatch } from './errors';
import { bodyLeftUnread, formPairs } from './form-body';
import {
  acceptToken,
  cleanTarget,
  formParams,
  hasTokenParam,
  isCallback,
  loginContext,
  loginRedirect,
  publicUrl,
  readReturn,
  resolveParams,
  stateAccepted,
  verifyBeforeKeeping,
} from './login';
import type { LoginStateContext, PendingToken } from './login-state';
import { noStore } from './response';
import { clientIp } from './request-url';
import {
  resolveOptions,
  type AuthParams,
  type JwtSsoStrategyOptions,
  type JwtSsoStrategyOptionsWithRequest,
  type PresetResultOptions,
  type PresetResultOptionsWithRequest,
  type ResolvedOptions,
} from './options';
import { acceptedEvent, emit, failureEvent, listening, type JwtSsoEvent } from './events';
import { splitTarget, type QueryPair } from './urls';

/** What `verify` hands back: an error, a user (`false` or `null`: refused), and optional info. */
export type VerifyDone<User = Express.User> = (err?: unknown, user?: User | false | null, info?: object) => void;

/**
 * Maps verified claims to the app's user. Call `done(null, user)`, `done(null, false, info)` to
 * refuse (401), or `done(err)` for a fault (500); or return a Promise of the user (`false`/`null`:
 * refused; rejection: fault).
 */
export type VerifyFunction<C extends JwtRegisteredClaims = JwtClaims, User = Express.User> = (
  claims: C,
  done: VerifyDone<User>,
) => void | Promise<User | false | null | undefined>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing

/** {@link VerifyFunction} with the request first, with `passReqToCallback: true`. */
export type VerifyFunctionWithRequest<C extends JwtRegisteredClaims = JwtClaims, User = Express.User> = (
  req: Request,
  claims: C,
  done: VerifyDone<User>,
) => void | Promise<User | false | null | undefined>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing

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

type AnyVerify = (...args: unknown[]) => unknown;

const debug = createDebug('passport-jwtsso');

// A login Passport keeps in a session (its default) cannot last without one: say so before the
// browser makes the trip to the provider. With `session: false` the cookie login state needs none.
function requireSession(ctx: LoginStateContext, options: JwtSsoAuthenticateOptions): void {
  if (options.session !== false && ctx.session === undefined) throw sessionRequired();
}

const REDIRECT_TO_PROVIDER = 302;
const REDIRECT_TO_CLEAN_URL = 303;

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

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(String(x)));

// Where an error goes when Passport's own error path threw too (a custom callback that throws on
// every outcome): Express's `req.next`, the app's error handler; else it is logged.
function passOn(req: Request, err: Error): void {
  const next = (req as { next?: unknown }).next;
  try {
    if (typeof next === 'function') return (next as (e: Error) => void)(err);
  } catch {
    // the error handler threw too: logged below
  }
  debug('an error thrown by the app while answering a sign-in, with no error handler to pass it to: %s', err.message);
}

function isAuthenticated(req: Request): boolean {
  return typeof req.isAuthenticated === 'function' ? req.isAuthenticated() : req.user !== undefined;
}

/** Options of {@link JwtSsoStrategy.logoutUrl}. */
export interface LogoutUrlOptions {
  /** Where the provider sends the browser after logout: a path on this app (below `mountPoint`). Default `'/'`. */
  redirectTo?: string;
}

/**
 * Passport strategy for JWT single sign-on (Opinsys/Puavo SSO and alike), registered as
 * `jwtsso`. It redirects to the provider when no one is signed in, takes the returned token
 * off the URL, verifies it strictly (the algorithm of a configured key, `iat` age, single use, login state), calls
 * `verify`, and lets Passport sign the user in.
 *
 * @example
 * ```ts
 * // Once per app: what req.user holds (Passport's Express.User is empty until an app fills it in).
 * declare global { namespace Express { interface User { id: number; username: string } } }
 * passport.use(new JwtSsoStrategy<PuavoClaims>({
 *   authEndpoint: 'https://api.opinsys.fi/v3/sso',
 *   sharedSecret: process.env.SSO_SECRET,
 *   host: 'app.example.org',
 *   scheme: 'https',
 * }, (claims, done) => done(null, { id: claims.puavo_id, username: claims.username })));
 * app.get('/', passport.authenticate('jwtsso'), (req, res) => res.send(`Hello ${req.user?.username}`));
 * ```
 */
export class JwtSsoStrategy<C extends JwtRegisteredClaims = JwtClaims, User = Express.User> extends Strategy {
  /** The name Passport knows it by: `jwtsso` unless the `name` option says otherwise. */
  name: string;
  // Not #private: Passport runs each request on Object.create(strategy), which private fields do not reach.
  private readonly _options: ResolvedOptions;
  private readonly _verify: AnyVerify | undefined;

  constructor(options: JwtSsoStrategyOptions, verify?: VerifyFunction<C, User>);
  constructor(options: JwtSsoStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest<C, User>);
  // Separate overloads, not unions: an object literal that names authEndpoint or a key source
  // beside a preset's spread is checked against the two above alone (exactly one key source).
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- see above
  constructor(options: PresetResultOptions, verify?: VerifyFunction<C, User>);
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- see above
  constructor(options: PresetResultOptionsWithRequest, verify: VerifyFunctionWithRequest<C, User>);
  constructor(
    options: JwtSsoStrategyOptions | JwtSsoStrategyOptionsWithRequest | PresetResultOptions | PresetResultOptionsWithRequest,
    verify?: VerifyFunction<C, User> | VerifyFunctionWithRequest<C, User>,
  ) {
    super();
    this._options = resolveOptions(options);
    if (verify !== undefined && typeof verify !== 'function') {
      throw new TypeError('JwtSsoStrategy: "verify" must be a function (claims, done) or (req, claims, done).');
    }
    if (this._options.passReqToCallback && verify === undefined) {
      throw new TypeError('JwtSsoStrategy: "passReqToCallback" is true, so a verify function (req, claims, done) is required.');
    }
    this._verify = verify as AnyVerify | undefined;
    this.name = this._options.name;
  }

  /** Called by Passport for each request; not called directly. */
  override authenticate(req: Request, options?: JwtSsoAuthenticateOptions): void {
    try {
      this.dispatch(req, options ?? {});
    } catch (err) {
      this.refuse(err, req);
    }
  }

  /**
   * The provider's logout URL (`logoutEndpoint?redirect_to=`), so that signing out ends the
   * provider's session too: otherwise the next visit signs the user straight back in.
   * `redirectTo` must be a same-origin path; anything else becomes `mountPoint + '/'`.
   *
   * @example
   * ```ts
   * app.post('/logout', (req, res, next) => {
   *   const url = strategy.logoutUrl(req, { redirectTo: '/' });
   *   req.logout((err) => (err ? next(err) : res.redirect(303, url)));
   * });
   * ```
   */
  logoutUrl(req: Request, options: LogoutUrlOptions = {}): string {
    const o = this._options;
    const url = new URL(o.logoutEndpoint);
    // A provider with a fixed, configured logout redirect (WSO2) takes no return parameter.
    if (o.logoutRedirectParam !== false) {
      url.searchParams.set(o.logoutRedirectParam, publicUrl(o, req, options.redirectTo ?? '/', { requestTarget: false }));
    }
    return url.href;
  }

  // Builds an event only when one would go anywhere: a login costs no audit work unasked.
  private event(req: Request, event: JwtSsoEvent | (() => JwtSsoEvent)): void {
    if (!listening(this._options.onEvent)) return;
    emit(this._options.onEvent, { ...(typeof event === 'function' ? event() : event), ip: clientIp(req) });
  }

  // A refusal is fail(err, status); a fault (no session, replay store down, a bug) is error().
  private refuse(err: unknown, req: Request): void {
    this.event(req, () => failureEvent(err));
    if (isRefusal(err)) return this.fail(err, err.status);
    this.error(err instanceof Error ? err : new Error(String(err)));
  }

  // The end of every asynchronous path: a rejection is refused (fail or error), and whatever the
  // app's own handlers throw while Passport answers (a custom callback that throws, a
  // failureRedirect after another middleware answered) ends in the app's error handler: never an
  // unhandled rejection, which would end the process.
  private settle(req: Request, work: Promise<void>): void {
    work
      .catch((err: unknown) => this.refuse(err, req))
      .catch((thrown: unknown) => {
        try {
          this.error(asError(thrown));
        } catch (again) {
          passOn(req, asError(again));
        }
      });
  }

  // Synchronous on every path but the verifying one, so a signed-in request costs no promise.
  private dispatch(req: Request, options: JwtSsoAuthenticateOptions): void {
    const o = this._options;
    // Express, Koa, Fastify and NestJS hand the request, session and response over differently.
    const { target, session, response } = adaptRequest(req);
    const { path, pairs } = splitTarget(target);
    const ctx = loginContext(o, { req, res: response, session, now: o.clock() });

    if (o.responseMode === 'form_post' && req.method === 'POST' && isCallback(o, path)) {
      requireSession(ctx, options);
      // A token in the URL of the POST too: refused like one in a GET (it reaches access logs).
      if (hasTokenParam(o, pairs)) wrongPlace(o, path, false);
      const received = formPairs(req, { read: formParams(o) }).then((posted) =>
        this.receive(req, ctx, { pairs: posted, target, posted: true }),
      );
      this.settle(
        req,
        received.catch((err: unknown) => {
          // A refused body (too large) is left unread: close the connection, do not keep the socket waiting.
          if (bodyLeftUnread(req) && ctx.res !== undefined && !ctx.res.headersSent) ctx.res.setHeader('Connection', 'close');
          throw err;
        }),
      );
      return;
    }
    if (hasTokenParam(o, pairs)) {
      requireSession(ctx, options);
      this.receive(req, ctx, { pairs, target, posted: false });
      return;
    }
    if (o.loginState.mayHoldToken(ctx)) {
      const pending = o.loginState.take(ctx, cleanTarget(o, target));
      if (pending.length > 0) {
        this.settle(req, this.verifyPending(req, ctx, pending));
        return;
      }
    }
    if (isAuthenticated(req)) {
      this.pass();
      return;
    }
    const misconfigured = passportSessionMissing(req);
    if (misconfigured !== null) throw misconfigured;
    this.challenge(req, ctx, options, target);
  }

  // The request that arrives from the provider with the token: park the token (login-state
  // store) and redirect to the clean URL (the same URL without it, or the return URL of a fixed
  // callback), so the page the user sees never carries it; the token is verified there.
  private receive(req: Request, ctx: LoginStateContext, from: { pairs: readonly QueryPair[]; target: string; posted: boolean }): void {
    const o = this._options;
    noStore(ctx.res);
    const { path, pairs: query } = splitTarget(from.target);
    // A link with a token to another route than the callback, for someone already signed in:
    // dropped, and they see the page without it (as a foreign token on Puavo's return is).
    if (o.callbackPath !== undefined && !isCallback(o, path) && isAuthenticated(req)) {
      this.event(req, { type: 'token-dropped' });
      return this.redirect(o.mountPoint + cleanTarget(o, from.target), REDIRECT_TO_CLEAN_URL);
    }
    wrongPlace(o, path, from.posted);
    // A form POST's own URL (the form's action) may carry the return URL: read beside the body.
    const returned = readReturn(o, ctx, { ...from, actionQuery: from.posted ? query : undefined });
    // Checked here too (without using it up) so a lost state ends in a 403, not a loop. Not on
    // a cross-site form POST, which carries no SameSite=Lax cookie: the GET it is sent on to
    // (a 303) carries them, and is where the state is checked and used up.
    if (!from.posted && !stateAccepted(o, ctx, { state: returned.state, useUp: false })) {
      // Someone already signed in: drop the foreign token rather than switch their account.
      if (isAuthenticated(req)) {
        this.event(req, { type: 'token-dropped' });
        return this.redirect(o.mountPoint + returned.clean, REDIRECT_TO_CLEAN_URL);
      }
      throw stateMismatch(stateMismatchHint(o, req));
    }
    const pending = { token: returned.token, state: returned.state };
    const parked = (consumed: boolean): void => {
      o.loginState.park(ctx, returned.clean, consumed ? { ...pending, consumed } : pending, { crossSite: from.posted });
      this.event(req, { type: 'token-received' });
      this.redirect(o.mountPoint + returned.clean, REDIRECT_TO_CLEAN_URL);
    };
    // A token too large for a cookie would be kept in a server session: only once it verified and
    // was recorded, so that no anonymous request can create sessions (a posted one is refused).
    if (!from.posted && o.loginState.spillsToSession(ctx, returned.clean, pending)) {
      this.settle(
        req,
        verifyBeforeKeeping(o, ctx, pending).then(() => parked(true)),
      );
      return;
    }
    parked(false);
  }

  // The request on the clean URL: verify a waiting token, use up its state and its jti, call
  // verify. Tabs of one URL returning at once each parked a token, and each request carries all
  // that were parked when it left: the newest (its own, as a rule) is tried first, and where
  // another tab's request took that one first (replayed, its state used up), the next; each must
  // pass every check on its own. The first refusal is the answer when none is accepted.
  private async verifyPending(req: Request, ctx: LoginStateContext, candidates: readonly PendingToken[]): Promise<void> {
    noStore(ctx.res);
    const signedIn = isAuthenticated(req);
    let refusal: unknown;
    for (const pending of candidates) {
      // Someone signed in, and the token is not of a login this browser started (another site
      // posted it, say): dropped before it is even verified, so it cannot cost them the page.
      if (signedIn && !stateAccepted(this._options, ctx, { state: pending.state, useUp: false })) continue;
      let claims: JwtClaims | null;
      try {
        claims = await acceptToken(this._options, ctx, { ...pending, signedIn });
      } catch (err) {
        if (!isRefusal(err)) throw err; // a fault (replay store down) ends the request at once
        refusal ??= err;
        continue;
      }
      // Another tab's sign-in in this browser regenerated the session meanwhile: already signed in.
      if (claims === null) continue;
      this.event(req, () => acceptedEvent(claims));
      return this.callVerify(req, claims as unknown as C);
    }
    if (refusal !== undefined) throw refusal;
    this.event(req, { type: 'token-dropped' });
    this.pass();
  }

  private callVerify(req: Request, claims: C): void {
    const verify = this._verify;
    if (verify === undefined) return this.success(claims, { claims });
    let settled = false;
    const done: VerifyDone<unknown> = (err, user, info) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) return this.error(err instanceof Error ? err : new Error(String(err)));
      if (user === undefined || user === null || user === false) return this.fail(info, 401);
      const extra = info !== null && typeof info === 'object' ? info : {};
      // Passport's logIn can throw (cookie-session has no regenerate()): a 500, not a hung request.
      try {
        this.success(user, { ...extra, claims });
      } catch (failure) {
        this.error(failure instanceof Error ? failure : new Error(String(failure)));
      }
    };
    const args: unknown[] = this._options.passReqToCallback ? [req, claims, done] : [claims, done];
    // A verify that declares no `done` decides by its return value alone.
    const takesDone = verify.length >= args.length;
    let result: unknown;
    try {
      result = verify(...args);
    } catch (err) {
      return done(err ?? new Error('verify threw'));
    }
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
      this.settle(
        req,
        (result as Promise<unknown>).then(
          (user) => {
            if (user === undefined && takesDone) return; // it will call done
            done(null, user as false | null | undefined);
          },
          (err: unknown) => done(err ?? new Error('verify rejected')),
        ),
      );
    } else if (!takesDone) {
      done(null, result as false | null | undefined);
    }
  }

  // No token and no one signed in: send the browser to the provider, or answer 401.
  private challenge(req: Request, ctx: LoginStateContext, options: JwtSsoAuthenticateOptions, target: string): void {
    if (options.redirect === false || (req.method !== 'GET' && req.method !== 'HEAD')) {
      throw new JwtSsoError(Code.LOGIN_REQUIRED, "Not signed in: sign in through the app's login page first.");
    }
    requireSession(ctx, options);
    const wanted = typeof options.returnTo === 'function' ? options.returnTo(req) : options.returnTo;
    const params = resolveParams(options.authParams, req, 'authenticate option authParams');
    const url = loginRedirect(this._options, ctx, { target, wanted, params });
    noStore(ctx.res);
    this.event(req, () => ({ type: 'redirect', message: hostMismatch(this._options, req) }));
    this.redirect(url, REDIRECT_TO_PROVIDER);
  }
}
