import type { ServerResponse } from 'node:http';
import type { AuthenticateOptions } from 'passport';
import { Strategy } from 'passport-strategy';
import type { Request } from 'express';
import type { JwtClaims } from './claims';
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import {
  checkAuthParams,
  resolveOptions,
  type AuthParams,
  type JwtSsoStrategyOptions,
  type JwtSsoStrategyOptionsWithRequest,
  type ResolvedOptions,
} from './options';
import { requestOrigin } from './request-url';
import { hasState, issueState, SESSION_KEY, stashToken, takeToken, type SessionLike } from './session-state';
import { MAX_TOKEN_LENGTH, replayWindow, verifyToken } from './token';
import { appendParam, loginUrl, paramValues, sameOriginPath, splitTarget, stripParams } from './urls';

/** What `verify` hands back: an error, a user (`false` or `null`: refused), and optional info. */
export type VerifyDone<User = Express.User> = (err?: unknown, user?: User | false | null, info?: object) => void;

/**
 * Maps verified claims to the app's user. Call `done(null, user)`, `done(null, false, info)` to
 * refuse (401), or `done(err)` for a fault (500); or return a Promise of the user (`false`/`null`:
 * refused; rejection: fault).
 */
export type VerifyFunction<C extends JwtClaims = JwtClaims, User = Express.User> = (
  claims: C,
  done: VerifyDone<User>,
) => void | Promise<User | false | null | undefined>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing

/** {@link VerifyFunction} with the request first, with `passReqToCallback: true`. */
export type VerifyFunctionWithRequest<C extends JwtClaims = JwtClaims, User = Express.User> = (
  req: Request,
  claims: C,
  done: VerifyDone<User>,
) => void | Promise<User | false | null | undefined>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing

/** Options of `passport.authenticate('jwtsso', {...})`, besides Passport's own. */
export interface JwtSsoAuthenticateOptions extends AuthenticateOptions {
  /** Where the provider returns to: a path on this app (below `mountPoint`), or a function of the request. Default: this request's URL. */
  returnTo?: string | ((req: Request) => string);
  /** Extra query parameters for the provider on this route; merged over the strategy's. */
  authParams?: AuthParams;
  /** `false`: answer 401 instead of redirecting to the provider (API routes). Default `true`. */
  redirect?: boolean;
}

declare module 'passport' {
  // So that passport.authenticate('jwtsso', { redirect: false }) type-checks in apps.
  interface AuthenticateOptions {
    /** jwtsso: where the provider returns to, a path on this app or a function of the request. */
    returnTo?: string | ((req: Request) => string) | undefined;
    /** jwtsso: extra query parameters for the provider on this route. */
    authParams?: AuthParams | undefined;
    /** jwtsso: `false` answers 401 instead of redirecting to the provider. */
    redirect?: boolean | undefined;
  }
}

type AnyVerify = (...args: unknown[]) => unknown;

const REDIRECT_TO_PROVIDER = 302;
const REDIRECT_TO_CLEAN_URL = 303;
// A state value we issued is 32 base64url characters; anything else is not ours.
const STATE_VALUE = /^[A-Za-z0-9_-]{16,128}$/;

function isAuthenticated(req: Request): boolean {
  return typeof req.isAuthenticated === 'function' ? req.isAuthenticated() : req.user !== undefined;
}

function sessionOf(req: Request): SessionLike | undefined {
  const session = (req as { session?: unknown }).session;
  return session !== null && typeof session === 'object' ? (session as SessionLike) : undefined;
}

// Responses that carry or consume a token: never cached, never leaked in a Referer.
function noStore(req: Request): void {
  const res = (req as { res?: ServerResponse }).res;
  if (res === undefined || res.headersSent) return;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

const sessionRequired = (): JwtSsoError =>
  new JwtSsoError(
    Code.SESSION_REQUIRED,
    'req.session is missing: mount session middleware (e.g. express-session) and passport.session() before passport.authenticate(\'jwtsso\').',
  );

const stateMismatch = (): JwtSsoError =>
  new JwtSsoError(
    Code.STATE_MISMATCH,
    'The sign-in was not started by this browser session, or its state was used or expired: start the sign-in again from the app. If it keeps failing, check that the session cookie survives the return from the provider (SameSite=Lax, not Strict; Secure only over https).',
  );

/**
 * Passport strategy for JWT single sign-on (Opinsys/Puavo SSO and alike), registered as
 * `jwtsso`. It redirects to the provider when no one is signed in, takes the returned token
 * off the URL, verifies it strictly (HS256 only, `iat` age, single use, login state), calls
 * `verify`, and lets Passport sign the user in.
 *
 * @example
 * ```ts
 * passport.use(new JwtSsoStrategy({
 *   authEndpoint: 'https://api.opinsys.fi/v3/sso',
 *   sharedSecret: process.env.SSO_SECRET!,
 *   host: 'app.example.org',
 *   scheme: 'https',
 * }, (claims, done) => done(null, { id: claims.puavo_id, username: claims.username })));
 * app.get('/', passport.authenticate('jwtsso'), (req, res) => res.send(`Hello ${req.user.username}`));
 * ```
 */
export class JwtSsoStrategy<C extends JwtClaims = JwtClaims> extends Strategy {
  /** The name Passport knows it by: `jwtsso` unless the `name` option says otherwise. */
  name: string;
  // Not #private: Passport runs each request on Object.create(strategy), which private fields do not reach.
  private readonly _options: ResolvedOptions;
  private readonly _verify: AnyVerify | undefined;

  constructor(options: JwtSsoStrategyOptions, verify?: VerifyFunction<C>);
  constructor(options: JwtSsoStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest<C>);
  constructor(options: JwtSsoStrategyOptions | JwtSsoStrategyOptionsWithRequest, verify?: VerifyFunction<C> | VerifyFunctionWithRequest<C>) {
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
      this.fault(err);
    }
  }

  private fault(err: unknown): void {
    this.error(err instanceof Error ? err : new Error(String(err)));
  }

  // Synchronous on every path but the verifying one, so a signed-in request costs no promise.
  private dispatch(req: Request, options: JwtSsoAuthenticateOptions): void {
    const o = this._options;
    const target = req.originalUrl ?? req.url ?? '/';
    const { pairs } = splitTarget(target);
    const tokens = paramValues(pairs, o.tokenParam);
    const session = sessionOf(req);
    const now = o.clock();

    if (tokens.length > 0) {
      this.receive(req, session, tokens, paramValues(pairs, o.stateParam), target, now);
      return;
    }
    if (session !== undefined && session[SESSION_KEY] !== undefined) {
      const pending = takeToken(session, stripParams(target, [o.tokenParam, o.stateParam]), now);
      if (pending !== null) {
        this.verifyPending(req, session, pending.token, pending.state, now).catch((err: unknown) => this.fault(err));
        return;
      }
    }
    if (isAuthenticated(req)) {
      this.pass();
      return;
    }
    this.challenge(req, session, options, target, now);
  }

  // The request that arrives from the provider with the token: keep the token in the session
  // and redirect to the same URL without it, so the page the user sees never carries it.
  private receive(req: Request, session: SessionLike | undefined, tokens: string[], states: string[], target: string, now: number): void {
    const o = this._options;
    noStore(req);
    if (session === undefined) return this.error(sessionRequired());
    const token = tokens[0]!;
    if (tokens.length !== 1 || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      const why = tokens.length !== 1 ? `the "${o.tokenParam}" parameter was given ${tokens.length} times` : `it is empty or longer than ${MAX_TOKEN_LENGTH} characters`;
      const err = new JwtSsoError(Code.TOKEN_MALFORMED, `The sign-in token is malformed: ${why}. Start the sign-in again.`);
      return this.fail(err, err.status);
    }
    const state = o.state && states.length === 1 && STATE_VALUE.test(states[0]!) ? states[0]! : null;
    const clean = stripParams(target, [o.tokenParam, o.stateParam]);
    // Checked here too (without using it up) so a lost session cookie ends in a 403, not a loop.
    if (o.state && !hasState(session, state, now, false)) {
      // Someone already signed in: drop the foreign token rather than switch their account.
      if (isAuthenticated(req)) return this.redirect(o.mountPoint + clean, REDIRECT_TO_CLEAN_URL);
      const err = stateMismatch();
      return this.fail(err, err.status);
    }
    stashToken(session, clean, token, state, now);
    this.redirect(o.mountPoint + clean, REDIRECT_TO_CLEAN_URL);
  }

  // The request on the clean URL: verify the waiting token, use up its state and its jti, call verify.
  private async verifyPending(req: Request, session: SessionLike, token: string, state: string | null, now: number): Promise<void> {
    const o = this._options;
    noStore(req);
    let claims: JwtClaims;
    try {
      claims = verifyToken(token, { keys: o.keys, maxAge: o.maxAge, clockTolerance: o.clockTolerance }, now);
    } catch (err) {
      if (err instanceof JwtSsoError) return this.fail(err, err.status);
      throw err;
    }
    if (o.state && !hasState(session, state, now, true)) {
      // Another tab's sign-in in this browser regenerated the session meanwhile: already signed in.
      if (isAuthenticated(req)) return this.pass();
      const err = stateMismatch();
      return this.fail(err, err.status);
    }
    let firstUse: boolean;
    try {
      firstUse = await o.replayStore.consume(claims.jti, replayWindow(o));
    } catch (cause) {
      return this.error(
        new JwtSsoError(
          Code.REPLAY_STORE_FAILED,
          'The replay store could not record the token id, so the sign-in was refused: check the replay store (see the cause).',
          { cause },
        ),
      );
    }
    if (!firstUse) {
      const err = new JwtSsoError(Code.TOKEN_REPLAYED, 'This sign-in token was already used: a token signs in once. Start the sign-in again.');
      return this.fail(err, err.status);
    }
    this.callVerify(req, claims as C);
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
      this.success(user, { ...extra, claims });
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
      (result as Promise<unknown>).then(
        (user) => {
          if (user === undefined && takesDone) return; // it will call done
          done(null, user as false | null | undefined);
        },
        (err: unknown) => done(err ?? new Error('verify rejected')),
      );
    } else if (!takesDone) {
      done(null, result as false | null | undefined);
    }
  }

  // No token and no one signed in: send the browser to the provider, or answer 401.
  private challenge(req: Request, session: SessionLike | undefined, options: JwtSsoAuthenticateOptions, target: string, now: number): void {
    const o = this._options;
    if (options.redirect === false || (req.method !== 'GET' && req.method !== 'HEAD')) {
      const err = new JwtSsoError(Code.LOGIN_REQUIRED, 'Not signed in: sign in through the app\'s login page first.');
      return this.fail(err, err.status);
    }
    let origin: string;
    try {
      origin = requestOrigin(req, o);
    } catch (err) {
      if (err instanceof JwtSsoError) return this.fail(err, err.status);
      throw err;
    }
    const wanted = typeof options.returnTo === 'function' ? options.returnTo(req) : options.returnTo;
    // This request's own URL is always made local; a returnTo that is not a same-origin path is replaced.
    const local = wanted === undefined ? target : (sameOriginPath(wanted) ?? '/');
    const path = stripParams(local, [o.tokenParam, o.stateParam]);
    let returnTo = origin + o.mountPoint + path;
    if (o.state) {
      if (session === undefined) return this.error(sessionRequired());
      returnTo = appendParam(returnTo, o.stateParam, issueState(session, now, o.stateMaxAge));
    }
    const params = { ...this.params(o.authParams, req, 'authParams'), ...this.params(options.authParams, req, 'authenticate option authParams') };
    noStore(req);
    this.redirect(loginUrl(o.authEndpoint, o.returnToParam, returnTo, params), REDIRECT_TO_PROVIDER);
  }

  private params(source: AuthParams | undefined, req: Request, option: string): Readonly<Record<string, string>> {
    if (source === undefined) return {};
    return checkAuthParams(typeof source === 'function' ? source(req) : source, option);
  }
}
