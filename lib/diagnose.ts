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
