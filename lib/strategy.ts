// The Passport adapter: asks the framework adapter for the request's view, hands it to the flow
// steps (lib/flow/), and maps what they decide to Passport's actions (redirect, pass, success,
// fail, error). Protocol work lives in lib/login.ts and lib/flow/; framework work in lib/frameworks/.
import { ServerResponse, STATUS_CODES } from 'node:http';
import { Strategy } from 'passport-strategy';
import createDebug from 'debug';
import type { Request } from 'express';
import type { JwtClaims, JwtRegisteredClaims } from './claims';
import { isRefusal, JwtSsoOptionError, thrownMessage, type JwtSsoError } from './errors';
import { failureEvent } from './events';
import { requestView, type RequestView } from './frameworks';
import { clearDoneMarker, dispatch, hasDoneMarker, setDoneMarker } from './flow/dispatch';
import { event, type JwtSsoAuthenticateOptions, type Outcome } from './flow/types';
import { runVerify, type AnyVerify, type VerifyAnswer, type VerifyFunction, type VerifyFunctionWithRequest } from './flow/verify';
import { loginContext, publicUrl, type LoginContext } from './login';
import { pageFormat, refusalPage } from './response';
import {
  resolveOptions,
  type JwtSsoStrategyOptions,
  type JwtSsoStrategyOptionsWithRequest,
  type PresetResultOptions,
  type PresetResultOptionsWithRequest,
  type ResolvedOptions,
} from './options';

export type { JwtSsoAuthenticateExtras, JwtSsoAuthenticateOptions } from './flow/types';
export type { VerifyDone, VerifyFunction, VerifyFunctionWithRequest } from './flow/verify';

const debug = createDebug('passport-jwtsso');

// True if the caller of res.end is Passport's own default answer to a refusal (allFailed in
// passport/lib/middleware/authenticate.js), not an app's handler: a custom callback, or the route
// of another strategy of the chain that Passport ran inside fail(). Where the stack cannot tell
// (Error.stackTraceLimit lowered), Passport's bare answer stays.
function calledByPassport(): boolean {
  // [0] "Error", [1] this function, [2] the res.end wrapper, [3] whoever called res.end. No
  // stack (an app's Error.prepareStackTrace) or a short one gives no caller: Passport's answer stays.
  const caller = new Error().stack?.split('\n')[3];
  // Stryker disable next-line StringLiteral: no caller: any text that is no frame of allFailed fails the pattern alike
  return PASSPORT_ALL_FAILED.test(caller ?? '');
}

// A V8 stack frame of Passport's allFailed, e.g. "    at allFailed (/app/node_modules/passport/lib/middleware/authenticate.js:110:18)".
const PASSPORT_ALL_FAILED = / at allFailed \(.*[\\/]passport[\\/]lib[\\/]middleware[\\/]authenticate\.js:/;

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(thrownMessage(x)));

// Where an error goes when Passport's own error path threw too (a custom callback that throws on
// every outcome): the framework's error handler (Express's `req.next`); else it is logged.
function passOn(view: RequestView, err: Error): void {
  const next = view.next;
  if (next === undefined) {
    debug('an error thrown by the app while answering a sign-in, with no error handler to pass it to: %s', thrownMessage(err));
    return;
  }
  try {
    next(err);
  } catch (thrown) {
    debug(
      'the error handler threw (%s) on an error thrown by the app while answering a sign-in: %s',
      thrownMessage(thrown),
      thrownMessage(err),
    );
  }
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
      throw new JwtSsoOptionError('verify', 'JwtSsoStrategy: "verify" must be a function (claims, done) or (req, claims, done).');
    }
    if (this._options.passReqToCallback && verify === undefined) {
      throw new JwtSsoOptionError(
        'passReqToCallback',
        'JwtSsoStrategy: "passReqToCallback" is true, so a verify function (req, claims, done) is required.',
      );
    }
    this._verify = verify as AnyVerify | undefined;
    this.name = this._options.name;
  }

  /** Called by Passport for each request; not called directly. */
  override authenticate(req: Request, options?: JwtSsoAuthenticateOptions): void {
    let view: RequestView | undefined;
    const given = options ?? {};
    try {
      view = this.requestView(req);
      const ctx = loginContext(this._options, { req, view });
      const outcome = dispatch({ o: this._options, req, view, ctx, options: given });
      if (outcome instanceof Promise)
        this.settle(
          req,
          view,
          outcome.then((decided) => this.act(req, ctx, decided, given)),
          given,
        );
      else this.act(req, ctx, outcome, given);
    } catch (err) {
      this.refuse(err, req, view, given);
    }
  }

  /**
   * The request as the strategy sees it: its target, method and headers, its session, where its
   * response headers go, its body, and its client address and trust-proxy setting. The default
   * knows Express (and NestJS on Express), Koa (koa-passport), Fastify (@fastify/passport) and a
   * bare Node request. Override it to serve a framework this package does not know: return a
   * {@link RequestView} of the request your framework hands to Passport strategies.
   *
   * @example
   * ```ts
   * // A framework whose request keeps Node's request in `req.node`, its session in `req.store`
   * // (get/set) and its reply in `req.reply` (header/append).
   * class MyFrameworkStrategy extends JwtSsoStrategy {
   *   override requestView(req: Request): RequestView {
   *     const r = req as unknown as MyRequest;
   *     return {
   *       ...super.requestView(r.node as unknown as Request), // headers, body stream, socket
   *       target: r.path,
   *       session: { get: (key) => r.store.get(key), set: (key, value) => r.store.set(key, value) },
   *       response: () => ({
   *         get headersSent() { return r.reply.sent; },
   *         setHeader: (name, value) => r.reply.header(name, value),
   *         appendHeader: (name, value) => r.reply.append(name, value),
   *       }),
   *     };
   *   }
   * }
   * ```
   */
  requestView(req: Request): RequestView {
    return requestView(req);
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
    // Signing out is not a lost session: the next sign-in must go to the provider as usual.
    const view = this.requestView(req);
    if (hasDoneMarker(view)) clearDoneMarker({ o, ctx: loginContext(o, { req, view }) });
    // A provider with a fixed, configured logout redirect (WSO2) takes no return parameter.
    if (o.logoutRedirectParam !== false) {
      // Stryker disable next-line StringLiteral,ObjectLiteral: publicUrl roots '' as '/', and an absent requestTarget is false
      const back = publicUrl(o, view, options.redirectTo ?? '/', { requestTarget: false });
      url.searchParams.set(o.logoutRedirectParam, back);
    }
    return url.href;
  }

  // What a flow step decided, as Passport's action.
  private act(req: Request, ctx: LoginContext, outcome: Outcome, options: JwtSsoAuthenticateOptions): void {
    const { view } = ctx;
    if (outcome.type === 'redirect') return this.redirect(outcome.url, outcome.status);
    if (outcome.type === 'pass') return this.pass();
    const { claims } = outcome;
    // A sign-in that keeps a session is marked, so that losing that session is told, not looped;
    // a route with session: false keeps none, so there is nothing to lose.
    const signedIn = (): void => {
      if (options.session !== false) setDoneMarker({ o: this._options, ctx });
    };
    if (this._verify === undefined) {
      signedIn();
      return this.success(claims, { claims });
    }
    const args = this._options.passReqToCallback ? [req, claims] : [claims];
    // Passport's answer runs the app's handlers: what they throw is escalated here, or verify's
    // own try (a done() called inside verify) would swallow it and the request would hang.
    // The answer escalates whatever it throws, so the promise runVerify hands back for an async
    // verify cannot reject: there is nothing left to settle.
    void runVerify(this._verify, args, (answer) => {
      try {
        this.answer(answer, claims, signedIn);
      } catch (thrown) {
        this.escalate(view, thrown);
      }
    });
  }

  // What verify decided, as Passport's action (what Passport's logIn throws, e.g. cookie-session
  // without regenerate(), is escalated by the caller: a 500, not a hung request).
  private answer(a: VerifyAnswer, claims: JwtClaims, signedIn: () => void): void {
    if ('error' in a) return this.error(a.error);
    if (a.user === false) return this.fail(a.info, 401);
    signedIn();
    // (An info of null spreads as nothing: typeof null is 'object', and {...null} is {}.)
    const extra = typeof a.info === 'object' ? a.info : {};
    this.success(a.user, { ...extra, claims });
  }

  // A refusal is fail(err, status); a fault (no session, replay store down, a bug) is error().
  private refuse(err: unknown, req: Request, view: RequestView | undefined, options: JwtSsoAuthenticateOptions): void {
    if (view !== undefined) event({ o: this._options, view }, () => failureEvent(err));
    if (isRefusal(err)) return this.failVisibly(err, req, options);
    this.error(asError(err));
  }

  // Passport's own answer to a refusal, when the app gave it no failure options, is the bare
  // status text ("Forbidden"). Then, and only then, the page says what happened and its code: the
  // text Passport ends the response with (one string argument, the status text, no Content-Type
  // set) is replaced while fail() runs. A custom callback (it answers by res.json/res.send/… with
  // a Content-Type, or later) and every failure option reach Passport exactly as before.
  private failVisibly(err: JwtSsoError, req: Request, options: JwtSsoAuthenticateOptions): void {
    const res: unknown = (req as { res?: unknown }).res;
    // Stryker disable next-line ConditionalExpression,LogicalOperator: failureRedirect and failWithError never end the response with allFailed's bare status text, so the wrapper passes their answers through anyway: the check only spares the wrapping
    const answersElsewhere = Boolean(options.failureRedirect) || Boolean(options.failWithError);
    const quiet = !answersElsewhere && !options.failureMessage && !options.failureFlash;
    if (!quiet || !(res instanceof ServerResponse) || res.headersSent) return this.fail(err, err.status);
    const own = Object.prototype.hasOwnProperty.call(res, 'end');
    const end = res.end;
    const restore = (): void => {
      if (own) res.end = end;
      else delete (res as Partial<ServerResponse>).end;
    };
    const accept = req.headers.accept;
    res.end = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
      restore();
      if (
        args.length === 1 &&
        args[0] === STATUS_CODES[res.statusCode] &&
        res.getHeader('content-type') === undefined &&
        calledByPassport()
      ) {
        const page = refusalPage(err, pageFormat(Array.isArray(accept) ? accept.join(',') : accept));
        res.setHeader('Content-Type', page.type);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        return (end as (...a: unknown[]) => ServerResponse).call(res, page.body);
      }
      return (end as (...a: unknown[]) => ServerResponse).apply(res, args);
    } as ServerResponse['end'];
    try {
      this.fail(err, err.status);
    } finally {
      // Restored where fail() did not end the response (a custom callback that answers later);
      // where it did, the wrapper restored it already, and restoring twice changes nothing.
      restore();
    }
  }

  // The end of every asynchronous path: a rejection is refused (fail or error), and whatever the
  // app's own handlers throw while Passport answers (a custom callback that throws, a
  // failureRedirect after another middleware answered) ends in the app's error handler: never an
  // unhandled rejection, which would end the process.
  private settle(req: Request, view: RequestView, work: Promise<void>, options: JwtSsoAuthenticateOptions): void {
    work.catch((err: unknown) => this.refuse(err, req, view, options)).catch((thrown: unknown) => this.escalate(view, thrown));
  }

  // What the app's own handler threw while Passport answered: its error handler gets it (through
  // Passport's error(), or the framework's next where that throws too).
  private escalate(view: RequestView, thrown: unknown): void {
    try {
      this.error(asError(thrown));
    } catch (again) {
      passOn(view, asError(again));
    }
  }
}
