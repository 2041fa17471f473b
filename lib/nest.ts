// `passport-jwtsso/nest`: @nestjs/passport's AuthGuard made to fit a login that spans requests.
// Nest is not a dependency: the guard is a mixin over the AuthGuard the app passes in, typed by
// the shapes it uses; @nestjs/common (an optional peer) is loaded only to render a refusal.
import { JwtSsoError, sessionRequired } from './errors';

/** What the guard uses of Nest's `ExecutionContext`. */
export interface ExecutionContextLike {
  /** The HTTP side of the context: the request (Express's, under NestJS on Express). */
  switchToHttp(): {
    /** The request being guarded. */
    getRequest<T = unknown>(): T;
  };
}

/** What the guard uses of an `AuthGuard('jwtsso')` instance from @nestjs/passport. */
export interface AuthGuardLike {
  /** Runs `passport.authenticate` with a callback that is {@link AuthGuardLike.handleRequest}; assigns its result to `req.user`. */
  canActivate(context: ExecutionContextLike): unknown;
  /** The callback: called on success, refusal and error (never on `pass()`); returns the user or throws. */
  handleRequest(err: unknown, user: unknown, info: unknown, context: ExecutionContextLike, status?: unknown): unknown;
}

/** A class such as `AuthGuard('jwtsso')`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base must take any arguments
export type AuthGuardClass = new (...args: any[]) => AuthGuardLike;

interface LoginRequest {
  logIn?: (user: unknown, done: (err?: unknown) => void) => void;
  [property: string]: unknown;
}

// Requests whose authentication ended in a user (success), as opposed to pass() or a redirect.
const succeeded = new WeakSet<object>();

/**
 * Makes `AuthGuard('jwtsso')` from @nestjs/passport work with this strategy:
 *
 * - a signed-in session passes through with its `req.user` (AuthGuard alone overwrites it with
 *   `undefined` when the strategy calls `pass()`, and the next `logIn` answers 500);
 * - a login is kept in the session (`req.logIn`), which AuthGuard's own callback never calls;
 * - a refusal keeps its status (403 for a state mismatch) and its `code`: it is thrown as
 *   Nest's `HttpException` with the body `{ statusCode, code, message }`, not a bare 401.
 *
 * Needs a session (express-session) and `passport.session()` before the routes.
 *
 * @example
 * ```ts
 * import { AuthGuard, PassportStrategy } from '@nestjs/passport';
 * import { JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
 * import { JwtSsoGuard } from 'passport-jwtsso/nest';
 *
 * @Injectable()
 * export class SsoStrategy extends PassportStrategy(JwtSsoStrategy, 'jwtsso') {
 *   constructor() {
 *     super({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: process.env.SSO_SECRET });
 *   }
 *   validate(claims: PuavoClaims) {
 *     return { id: claims.puavo_id, username: claims.username };
 *   }
 * }
 *
 * @Injectable()
 * export class SsoGuard extends JwtSsoGuard(AuthGuard('jwtsso')) {}
 *
 * // @UseGuards(SsoGuard) on every route that needs a signed-in user
 * ```
 */
export function JwtSsoGuard<TBase extends AuthGuardClass>(Base: TBase): TBase {
  class Guard extends Base {
    override async canActivate(context: ExecutionContextLike): Promise<boolean> {
      const req = context.switchToHttp().getRequest<LoginRequest>();
      const property = userProperty(this);
      const before = req[property];
      succeeded.delete(req);
      await super.canActivate(context);
      if (!succeeded.has(req)) {
        // pass(): signed in already (or a foreign token was dropped). Keep who it was.
        req[property] = before;
        return true;
      }
      // A login kept in no session is lost on the next request: the app's setup, said as a fault.
      if (req.session === null || typeof req.session !== 'object') throw httpException(sessionRequired(), SERVER_ERROR);
      await logIn(req, req[property]);
      return true;
    }

    override handleRequest(err: unknown, user: unknown, info: unknown, context: ExecutionContextLike, status?: unknown): unknown {
      if (err !== null && err !== undefined) throw err instanceof JwtSsoError ? httpException(err, err.status) : err;
      if (user === undefined || user === null || user === false) {
        throw httpException(info, typeof status === 'number' ? status : UNAUTHORIZED);
      }
      succeeded.add(context.switchToHttp().getRequest<object>());
      return user;
    }
  }
  return Guard;
}

const UNAUTHORIZED = 401;
const SERVER_ERROR = 500;

// AuthGuard's `property` option (PassportModule.register({ property })), else 'user'.
function userProperty(guard: object): string {
  const property = (guard as { options?: { property?: unknown } }).options?.property;
  return typeof property === 'string' ? property : 'user';
}

function logIn(req: LoginRequest, user: unknown): Promise<void> {
  const login = req.logIn;
  if (typeof login !== 'function')
    return Promise.reject(new Error('JwtSsoGuard: req.logIn is missing: use passport.initialize() (Passport 0.6+).'));
  return new Promise((resolve, reject) =>
    login.call(req, user, (err) =>
      err === undefined || err === null ? resolve() : reject(err instanceof Error ? err : new Error(String(err))),
    ),
  );
}

type HttpExceptionClass = new (response: object, status: number, options?: { cause?: unknown }) => Error;

// Nest renders only its own HttpException with a body of our choosing; it is loaded here, when a
// refusal happens, so that this module needs nothing from Nest to load.
function httpException(info: unknown, status: number): Error {
  const body =
    info instanceof JwtSsoError
      ? { statusCode: status, code: info.code, message: info.message }
      : { statusCode: status, message: status === UNAUTHORIZED ? 'Unauthorized' : 'Refused' };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, present wherever this guard runs
  const { HttpException } = require('@nestjs/common') as { HttpException: HttpExceptionClass };
  return new HttpException(body, status, { cause: info });
}
