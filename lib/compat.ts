/// <reference types="express-session" preserve="true" />
// (req.session, and its jwt declared below, come from express-session's types.)
// `passport-jwtsso/compat`: the jwtsso 1.x Express middleware's API on this package's checks,
// so that apps using the original move over by changing one require.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientIpOf, requestView, type RequestView, type SessionAccess } from './frameworks';
import type { JwtClaims } from './claims';
import { acceptedEvent, emit, failureEvent } from './events';
import { JwtSsoOptionError, sessionRequired } from './errors';
import { acceptToken, hasTokenParam, loginContext, loginRedirect, readReturn } from './login';
import { noStore } from './response';
import { resolveOptions, type JwtSsoStrategyBaseOptions, type ResolvedOptions } from './options';
import { splitTarget } from './urls';

// What the middleware adds, typed for TypeScript apps that use it: `res.requestJwt()` on Express's
// Response, and `req.session.jwt` on express-session's session data.
declare global {
  namespace Express {
    interface Response {
      /** `passport-jwtsso/compat`: sends the browser to the provider, to return to this URL or to `customPath`. */
      requestJwt(customPath?: string): void;
    }
  }
}
declare module 'express-session' {
  interface SessionData {
    /** `passport-jwtsso/compat`: the verified claims of the signed-in user (absent until a login). */
    jwt?: JwtClaims;
  }
}

type CompatRequest = IncomingMessage & {
  originalUrl?: string;
  session?: { regenerate?: (cb: (err?: unknown) => void) => void };
};
type CompatResponse = ServerResponse & { requestJwt?: (customPath?: string) => void };

// The original took a public base URL as mountPoint; the strategy's options take its parts.
function splitMountPoint(options: jwtsso.Options): Pick<JwtSsoStrategyBaseOptions, 'host' | 'scheme'> & { mountPoint?: string } {
  const { mountPoint } = options;
  // A path (or none) is the strategy's own option, read from the options as given.
  if (typeof mountPoint !== 'string' || !/^https?:\/\//i.test(mountPoint)) return {};
  let url: URL;
  try {
    url = new URL(mountPoint);
  } catch {
    throw new JwtSsoOptionError(
      'mountPoint',
      'jwtsso: option "mountPoint" must be a path such as "/app" or a base URL such as "https://app.example/app".',
    );
  }
  return {
    mountPoint: url.pathname,
    host: options.host ?? url.host,
    scheme: options.scheme ?? (url.protocol === 'https:' ? 'https' : 'http'),
  };
}

// The other providers' shapes: options compat refuses by name (see jwtsso below).
const SHAPE_OPTIONS = ['callbackPath', 'callbackParam', 'responseMode', 'stateIn', 'nonce', 'nonceParam', 'returnToParam'] as const;

/**
 * The jwtsso 1.x middleware, on this package's verification: `res.requestJwt([customPath])`
 * sends the browser to the provider; a returned `?jwt=` is verified (HS256, `iat` age, single
 * use, login state), its claims stored in `req.session.jwt`, `hook(claims, done)` called, and
 * the browser redirected to the same URL without the token. A refused token is `next(err)`
 * with a `JwtSsoError` (`err.status` 401, 403 or 500).
 *
 * @example
 * ```js
 * const jwtsso = require('passport-jwtsso/compat');
 * app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
 * app.use(jwtsso({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: 'secret', mountPoint: 'https://app.example', maxAge: 120 }));
 * app.use((req, res, next) => (req.session.jwt ? next() : res.requestJwt()));
 * ```
 */
function jwtsso(options: jwtsso.Options): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  if (options === null || typeof options !== 'object')
    throw new JwtSsoOptionError('options', 'jwtsso: options must be an object with "authEndpoint" and "sharedSecret".');
  const { hook, ...rest } = options;
  // The other providers' shapes need the strategy's callback handling, which 1.x never had.
  for (const key of SHAPE_OPTIONS) {
    if (key === 'returnToParam' ? rest[key] === false : rest[key] !== undefined) {
      throw new JwtSsoOptionError(
        key,
        `jwtsso: option "${key}" is not supported by passport-jwtsso/compat, which plays jwtsso 1.x (the token on the return URL, as Puavo sends it): use the JwtSsoStrategy for other providers' shapes.`,
      );
    }
  }
  if (hook !== undefined && typeof hook !== 'function')
    throw new JwtSsoOptionError('hook', 'jwtsso: option "hook" must be a function (claims, done).');
  const o: ResolvedOptions = resolveOptions({ ...rest, ...splitMountPoint(options) });

  async function receive(req: CompatRequest, res: CompatResponse, view: RequestView, session: SessionAccess): Promise<void> {
    const { target } = view;
    const ctx = loginContext(o, { req, view });
    const returned = readReturn(o, ctx, { pairs: splitTarget(target).pairs, target });
    const signedIn = session.get('jwt') !== undefined && session.get('jwt') !== null;
    const claims = await acceptToken(o, ctx, { token: returned.token, state: returned.state, signedIn });
    const redirect = () => found(res, o.mountPoint + returned.clean);
    const ip = clientIpOf(view);
    if (claims === null) {
      emit(o.onEvent, { type: 'token-dropped', ip });
      return redirect(); // a foreign token for a signed-in session
    }
    emit(o.onEvent, { ...acceptedEvent(claims), ip });
    await regenerate(req);
    // The claims go into the session only once the hook agreed: a refused login must leave
    // nothing there that signs anyone in (the session is saved even when next(err) is called).
    if (hook !== undefined) await runHook(hook, claims);
    // Stryker disable next-line OptionalChaining: req.session is an object here (the middleware answered before without one; regenerate replaces it with another)
    requestView(req).session?.set('jwt', claims); // the regenerated session
    redirect();
  }

  return function jwtssoMiddleware(request, response, next) {
    const req = request as CompatRequest;
    const res = response as CompatResponse;
    // The middleware's own response, whatever the framework's view would find.
    const view: RequestView = { ...requestView(req), response: () => res };
    const { target, session } = view;

    res.requestJwt = (customPath?: string) => {
      try {
        // The claims will live in req.session.jwt: without a session no login could last.
        if (session === undefined) throw sessionRequired();
        const ctx = loginContext(o, { req, view });
        const url = loginRedirect(o, ctx, { target, wanted: customPath, params: {} });
        noStore(res);
        emit(o.onEvent, { type: 'redirect', ip: clientIpOf(view) });
        found(res, url);
      } catch (err) {
        next(err);
      }
    };

    const { pairs } = splitTarget(target);
    if (!hasTokenParam(o, pairs)) return next();
    noStore(res);
    if (session === undefined) return next(sessionRequired());
    receive(req, res, view, session).catch((err: unknown) => {
      emit(o.onEvent, { ...failureEvent(err), ip: clientIpOf(view) });
      next(err);
    });
  };
}

// Runs `hook(claims, done)`: resolves when it calls `done()` (or, declaring no `done`, when its
// promise resolves); rejects when it calls `done(err)`, throws, or its promise rejects.
function runHook(hook: NonNullable<jwtsso.Options['hook']>, claims: JwtClaims): Promise<void> {
  return new Promise((resolve, reject) => {
    // Stryker disable next-line StringLiteral: done rejects only with an err that is neither undefined nor null, so the fallback message is never used
    const done = (err?: unknown): void => (err !== undefined && err !== null ? reject(toError(err, 'hook refused')) : resolve());
    let result: unknown;
    try {
      result = hook(claims, done);
    } catch (err) {
      return reject(toError(err, 'hook threw'));
    }
    const thenable = result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function';
    // A hook that declares no done decides by returning: a value, or a promise of one.
    if (!thenable && hook.length < 2) return resolve();
    if (thenable) {
      (result as Promise<unknown>).then(
        () => {
          if (hook.length < 2) resolve(); // a hook that takes no done decides by its promise
        },
        (err: unknown) => reject(toError(err, 'hook rejected')),
      );
    }
  });
}

const toError = (err: unknown, fallback: string): Error =>
  err instanceof Error ? err : new Error(err === undefined || err === null ? fallback : String(err));

// A 302, as the original answered: to the provider, or to the URL without the token.
function found(res: ServerResponse, location: string): void {
  res.statusCode = 302;
  res.setHeader('Location', location);
  res.end();
}

// A new session id at login (session fixation), where the session middleware can (express-session).
function regenerate(req: CompatRequest): Promise<void> {
  const session = req.session;
  // Stryker disable next-line ConditionalExpression: the session is never undefined here (the middleware answered before without one)
  if (session === undefined || typeof session.regenerate !== 'function') return Promise.resolve();
  return new Promise((resolve, reject) =>
    session.regenerate!((err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())),
  );
}

const factory: (options: jwtsso.Options) => (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void = jwtsso;

// `require('passport-jwtsso/compat')` is the function itself, as `require('jwtsso')` was; it is
// also its own named export, for `import { jwtsso } from 'passport-jwtsso/compat'`.
namespace jwtsso {
  /** The same function, as a named export. */
  export const jwtsso = factory;
  /** Options of {@link jwtsso}: the original's, plus any of the strategy's. */
  export interface Options extends Omit<JwtSsoStrategyBaseOptions, 'mountPoint' | 'name'> {
    /**
     * The app's public path prefix (`'/app'`), or, as the original's README has it, its public
     * base URL (`'https://app.example/app'`): then its scheme and host are used too.
     */
    mountPoint?: string;
    /**
     * Called after a token is accepted, before `req.session.jwt` is set: `done()` signs the
     * user in; `done(err)`, a throw or a rejected promise refuses the login (`next(err)`), and
     * the session then holds no user. A hook that declares no `done` may return a promise.
     */
    hook?: (claims: JwtClaims, done: (err?: unknown) => void) => void | Promise<unknown>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing
  }
}
export = jwtsso;
// Node's ESM loader finds CommonJS named exports by scanning for this shape; the value it then
// reads is the namespace's, set on the function above (TypeScript emits `module.exports =` last).
module.exports.jwtsso = jwtsso;
