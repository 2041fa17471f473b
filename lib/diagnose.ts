// Misconfigurations the request itself shows, named: passport.session() missing, a request on
// another host than the `host` option, a return from the provider that brought no cookie. Each
// helper only reads the request; the strategy decides what to do with what it says.
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import type { SessionAccess } from './frameworks';
import { requestOrigin, type OriginSource } from './request-url';

/**
 * An error when the session holds a Passport user (`req.session.passport.user`) but `req.user`
 * is empty: `passport.session()` did not run before this route, and without it every request
 * would go back to the provider (a new token each time). `null` when all is well. Passport
 * itself removes the user from the session when `deserializeUser` finds none, so a stale user
 * never lands here.
 */
export function passportSessionMissing(req: { session: SessionAccess | undefined; user: unknown }): JwtSsoError | null {
  const passport = req.session?.get('passport') as { user?: unknown } | null | undefined;
  const stored = passport !== null && typeof passport === 'object' ? passport.user : undefined;
  if (stored === undefined || stored === null || req.user !== undefined) return null;
  return new JwtSsoError(
    Code.PASSPORT_SESSION_MISSING,
    'The session holds a signed-in Passport user, but req.user is empty: mount app.use(passport.session()) after the session middleware and before the routes (Passport 0.6+: also after passport.initialize() if you use it). Without it every request goes back to the provider.',
  );
}

// host[:port] as a browser compares it: lowercased, a default port dropped.
function comparable(origin: string): string {
  return new URL(origin).host;
}

/**
 * A warning when the `host` option is set and this request came to another host: the provider
 * will return the browser to the configured host, where the cookies of this one are not sent, so
 * the sign-in will end in `ERR_JWTSSO_STATE_MISMATCH`. Behind a proxy that does not pass the
 * public Host on, the warning is expected and harmless. `undefined` when the hosts agree.
 */
export function hostMismatch(o: { host: string | undefined; scheme: 'http' | 'https' | undefined }, req: OriginSource): string | undefined {
  if (o.host === undefined) return undefined;
  let seen: string;
  try {
    seen = requestOrigin(req, {});
  } catch {
    return undefined; // no valid Host: nothing to compare (the configured host is used anyway)
  }
  const configured = requestOrigin(req, o);
  if (comparable(seen) === comparable(configured)) return undefined;
  return `this request came to ${new URL(seen).host}, but the "host" option is ${o.host}: the provider will return the browser to ${configured}, where the cookies of ${new URL(seen).host} are not sent, so the sign-in will fail (ERR_JWTSSO_STATE_MISMATCH). Open the app at ${configured}/, or redirect other hosts there. Behind a proxy that does not pass the public Host on, this is expected.`;
}

/**
 * A sentence for `stateMismatch` when the return from the provider brought no cookie at all:
 * then no state can be found, and the usual causes are a sign-in started on another address
 * than the one the provider returns to, or a session cookie the browser withheld.
 */
export function stateMismatchHint(
  o: { host: string | undefined; scheme: 'http' | 'https' | undefined },
  req: OriginSource,
): string | undefined {
  if (req.headers.cookie !== undefined && req.headers.cookie !== '') return undefined;
  let here: string;
  try {
    here = requestOrigin(req, o);
  } catch {
    return undefined;
  }
  return `The browser sent no cookie with the return to ${here}: the sign-in was probably started at another address than ${here} (another host name for the same server, such as 127.0.0.1 for localhost), whose cookies are not sent here; open the app at ${here}/ and sign in again. Otherwise the session cookie was withheld: SameSite=Lax, not Strict; Secure only over https.`;
}

/** The cookie that marks a browser as signed in a moment ago (see {@link sessionLost}). */
export const DONE_COOKIE = 'jwtsso-done';
/** How long the marker lasts: the time within which a browser sent to the provider again is a lost session, not a new login. */
export const DONE_SECONDS = 120;

// The session cookie's settings where the session middleware shows them (express-session keeps
// them in `req.session.cookie`); undefined for others.
function sessionCookie(
  session: SessionAccess | undefined,
): { secure?: unknown; sameSite?: unknown; path?: unknown; domain?: unknown } | undefined {
  const cookie = session?.get('cookie');
  return cookie !== null && typeof cookie === 'object' ? (cookie as Record<string, unknown>) : undefined;
}

// The scheme of this request as the app's framework sees it (the socket, or X-Forwarded-Proto
// from a trusted proxy), whatever the `scheme` option says: what the session middleware decides by.
function seenScheme(req: OriginSource): string {
  return requestOrigin(req, { host: 'x' }).slice(0, -'://x'.length);
}

function proxyHint(req: OriginSource): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  if (proto === 'https' && !req.trustsProxy()) {
    return " The request came through a proxy that says X-Forwarded-Proto: https, but the app does not trust it: set app.set('trust proxy', 1) (Express; Fastify: trustProxy; Koa: app.proxy = true) so that the session middleware sees https and sets its cookie.";
  }
  return " Open the app over https, or set cookie.secure to 'auto' (or false) for local http.";
}

/**
 * An error when the session cookie is `secure` (express-session's `cookie: { secure: true }`)
 * and this request is not https as the app's framework sees it: the session middleware will not
 * set its cookie, so a login would last one page and every next request would go to the provider
 * again. `null` when all is well or the session middleware does not say.
 */
export function secureCookieOnHttp(req: OriginSource, session: SessionAccess | undefined): JwtSsoError | null {
  if (sessionCookie(session)?.secure !== true) return null;
  if (seenScheme(req) === 'https') return null;
  return new JwtSsoError(
    Code.SESSION_LOST,
    'The session cookie is set to Secure (cookie: { secure: true }) but this request is plain http as the app sees it, so the session middleware will not set its cookie: a sign-in would last one page, then every request would go back to the provider.' +
      proxyHint(req),
  );
}

/**
 * The error for a browser that completed a sign-in moments ago (it sends the `jwtsso-done`
 * marker) and comes back without its session: sending it to the provider again would loop.
 * Names the likely cause from what the request shows.
 */
export function sessionLost(req: OriginSource, session: SessionAccess | undefined): JwtSsoError {
  const cookie = sessionCookie(session);
  const causes: string[] = [];
  if (cookie?.secure === true && seenScheme(req) !== 'https')
    causes.push('the session cookie is Secure but this request is http as the app sees it.' + proxyHint(req));
  const sameSite = typeof cookie?.sameSite === 'string' ? cookie.sameSite.toLowerCase() : cookie?.sameSite;
  if (sameSite === 'strict' || sameSite === true) {
    causes.push(
      "the session cookie is SameSite=Strict, so the browser withholds it on the return from the provider (another site) and on the navigations that follow it: use sameSite: 'lax'.",
    );
  }
  if (typeof cookie?.path === 'string' && cookie.path !== '/')
    causes.push(`the session cookie's path is ${cookie.path}: it must cover every page behind the sign-in (use '/').`);
  if (typeof cookie?.domain === 'string')
    causes.push(`the session cookie's domain is ${cookie.domain}: it must cover the host the app is opened at.`);
  if (causes.length === 0) {
    causes.push(
      'the browser did not send the session cookie back: check that the session middleware sets it (Secure only over https, behind a TLS proxy with trust proxy set; SameSite=Lax, not Strict; a path and domain that cover every page) and that its store keeps sessions.',
    );
  }
  return new JwtSsoError(
    Code.SESSION_LOST,
    `This browser completed a sign-in moments ago but came back without its session, so it was not sent to the provider again (that would loop). Likely cause: ${causes.join(' Or: ')} Then reload the page to sign in again.`,
  );
}
