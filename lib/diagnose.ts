// Misconfigurations the request itself shows, named: passport.session() missing, a request on
// another host than the `host` option, a return URL built from an internal address or outside the
// proxy's path prefix, a return from the provider that brought no cookie. Each helper only reads
// the request; the strategy decides what to do with what it says.
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import { logSafe } from './events';
import type { SessionAccess } from './frameworks';
import { requestOrigin, type OriginSource } from './request-url';
import { splitTarget, withoutTrailingSlashes } from './urls';

/**
 * An error when the session holds a Passport user (`req.session.passport.user`) but `req.user`
 * is empty: `passport.session()` did not run before this route, and without it every request
 * would go back to the provider (a new token each time). `null` when all is well. Passport
 * itself removes the user from the session when `deserializeUser` finds none, so a stale user
 * never lands here.
 */
export function passportSessionMissing(req: { session: SessionAccess | undefined; user: unknown }): JwtSsoError | null {
  const passport = req.session?.get('passport') as { user?: unknown } | null | undefined;
  // Stryker disable next-line ConditionalExpression: a primitive has no user property, so reading one gives undefined as the typeof check does (null, which would throw, is checked on its own)
  const stored = passport !== null && typeof passport === 'object' ? passport.user : undefined;
  if (stored === undefined || stored === null || req.user !== undefined) return null;
  return new JwtSsoError(
    Code.PASSPORT_SESSION_MISSING,
    'The session holds a signed-in Passport user, but req.user is empty: mount app.use(passport.session()) after the session middleware and before the routes (Passport 0.6+: also after passport.initialize() if you use it). Without it every request goes back to the provider.',
  );
}

// The host name as a browser's cookies see it: lowercased, without the port. Cookies do not
// depend on the port (RFC 6265 §8.5), so a host option that differs only by its port (nginx's
// `$host` drops it) loses no cookie and is no reason to warn.
function comparable(origin: string): string {
  return new URL(origin).hostname;
}

/**
 * A warning when the `host` option is set and this request came to another host: the provider
 * will return the browser to the configured host, where the cookies of this one are not sent, so
 * the sign-in will end in `ERR_JWTSSO_STATE_MISMATCH`. Behind a proxy that does not pass the
 * public Host on, the warning is expected and harmless. `undefined` when the hosts agree.
 */
export function hostMismatch(o: { host: string | undefined; scheme: 'http' | 'https' | undefined }, req: OriginSource): string | undefined {
  // Stryker disable next-line ConditionalExpression: a shortcut: with no host option the configured origin is the one seen, which compares equal
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
  // Stryker disable next-line ConditionalExpression,LogicalOperator: every caller reads the result with ?., and null, undefined or a primitive has none of these properties
  return cookie !== null && typeof cookie === 'object' ? (cookie as Record<string, unknown>) : undefined;
}

// The scheme of this request as the app's framework sees it (the socket, or X-Forwarded-Proto
// from a trusted proxy), whatever the `scheme` option says: what the session middleware decides by.
function seenScheme(req: OriginSource): string {
  return requestOrigin(req, { host: 'x' }).slice(0, -'://x'.length);
}

function proxyHint(req: OriginSource): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]!.trim().toLowerCase(); // split always returns a part
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

/** Most distinct causes one strategy warns about; a client choosing its Host values cannot grow the record past it. */
export const MAX_WARNED_CAUSES = 32;
/** Longest header value quoted in a warning (a warning's whole message is cut at 1024). */
const QUOTED_HEADER = 100;
// The causes each strategy (its resolved options) has warned about: each is said once.
const warned = new WeakMap<object, Set<string>>();

/** What {@link redirectWarning} reads of the options. */
export interface WarningOptions {
  readonly host: string | undefined;
  readonly scheme: 'http' | 'https' | undefined;
  readonly mountPoint: string;
  readonly returnToParam: string | false;
  readonly stateParam: string;
  readonly tokenParam: string;
}

const PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix', 'forwarded', 'via', 'x-real-ip'];
const SHOWN_HEADERS: readonly [string, string][] = [
  ['host', 'Host'],
  ['x-forwarded-host', 'X-Forwarded-Host'],
  ['x-forwarded-proto', 'X-Forwarded-Proto'],
  ['x-forwarded-prefix', 'X-Forwarded-Prefix'],
];

function header(req: OriginSource, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text === undefined || text === '' ? undefined : text;
}

// Why a host the return URL was built from is one only this network reaches, or undefined.
function internalHost(hostPort: string): string | undefined {
  const { hostname } = new URL(`http://${hostPort}`);
  const name = hostname.toLowerCase().replace(/\.$/, '');
  // An IPv4-mapped IPv6 address (the URL parser writes [::ffff:10.0.0.1] as [::ffff:a00:1]) as IPv4.
  // Stryker disable next-line Regex: the URL parser writes an IPv6 host name as one bracketed address, so both anchors hold anyway
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(name);
  const hex = (h: string) => [parseInt(h, 16) >> 8, parseInt(h, 16) & 0xff].join('.');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(mapped === null ? name : `${hex(mapped[1]!)}.${hex(mapped[2]!)}`);
  if (v4 !== null) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 127) return 'a loopback address';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private (RFC 1918) address';
    if (a === 169 && b === 254) return 'a link-local address';
    return a === 0 ? 'an unspecified address' : undefined;
  }
  if (name.startsWith('[')) {
    if (name === '[::1]') return 'a loopback address';
    if (name === '[::]') return 'an unspecified address';
    // Stryker disable next-line Regex: the name starts with its only '[' here, so the anchor holds anyway
    if (/^\[fe[89ab]/.test(name)) return 'a link-local address';
    // Stryker disable next-line Regex: the name starts with its only '[' here, so the anchor holds anyway
    return /^\[f[cd]/.test(name) ? 'a unique local (private) address' : undefined;
  }
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback name';
  if (/\.(internal|local|lan|home\.arpa)$/.test(name)) return 'an internal name';
  return name.includes('.') ? undefined : 'a single-label name (a container or machine name)';
}

// The headers the URL was built from, quoted and escaped, and how the app's trust setting read them.
function shownHeaders(req: OriginSource): string {
  const shown = SHOWN_HEADERS.map(([name, label]) => {
    const value = header(req, name);
    return value === undefined ? undefined : `${label}: ${logSafe(value, QUOTED_HEADER)}`;
  }).filter((s) => s !== undefined);
  const trust = req.trustsProxy()
    ? 'the app trusts this peer as a proxy'
    : 'the app does not trust this peer as a proxy, so X-Forwarded-* are ignored';
  return `(from ${shown.length === 0 ? 'no Host header' : shown.join(', ')}; ${trust})`;
}

// The return URL as the login URL carries it, without the state; else the app's root.
function builtReturnUrl(o: WarningOptions, origin: string, loginUrl: string): string {
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: with returnToParam false the login URL carries no parameter named 'false' (get('false') is null too)
  const sent = o.returnToParam === false ? null : new URL(loginUrl).searchParams.get(o.returnToParam);
  if (sent === null) return origin + o.mountPoint + '/';
  const url = new URL(sent, origin);
  url.searchParams.delete(o.stateParam);
  url.searchParams.delete(o.tokenParam);
  return url.href;
}

// Each cause this request shows: a key that says it once per strategy, and what to say.
function causes(o: WarningOptions, req: OriginSource & { target: string }, origin: string): [string, string][] {
  const found: [string, string][] = [];
  const mismatch = hostMismatch(o, req);
  // Stryker disable next-line StringLiteral: a mismatch needs a valid Host header (hostMismatch says nothing without one), so the fallback is never used
  if (mismatch !== undefined) found.push([`host ${req.headers.host ?? ''}`, mismatch]);
  const proxied = PROXY_HEADERS.some((name) => header(req, name) !== undefined);
  const prefix = header(req, 'x-forwarded-prefix')?.split(',')[0]!.trim(); // split always returns a part
  const wanted = prefix === undefined ? undefined : withoutTrailingSlashes(prefix);
  if (prefix !== undefined && wanted !== o.mountPoint) {
    found.push([
      `prefix ${prefix}`,
      // Stryker disable next-line StringLiteral: wanted is undefined only when prefix is, and this branch has a prefix
      `the proxy says X-Forwarded-Prefix: ${logSafe(prefix, QUOTED_HEADER)}, but mountPoint is '${o.mountPoint}': the provider will return the browser outside the prefix, to the proxy's "not found" page with the token in the URL. Set mountPoint: '${logSafe(wanted ?? '', QUOTED_HEADER)}'.`,
    ]);
  }
  const path = splitTarget(req.target).path;
  if (o.mountPoint !== '' && (path === o.mountPoint || path.startsWith(o.mountPoint + '/'))) {
    found.push([
      // Stryker disable next-line StringLiteral: the key only says the cause once; no other cause's key is empty
      'doubled',
      `this request's path already starts with mountPoint '${o.mountPoint}', which the URL built adds again: mountPoint is the prefix a proxy strips before the app sees the request. If nothing strips it (the app is mounted at ${o.mountPoint} itself), leave mountPoint out.`,
    ]);
  }
  if (o.host === undefined) {
    const host = new URL(origin).host;
    const internal = internalHost(host);
    if (internal !== undefined && (proxied || !internal.startsWith('a loopback'))) {
      found.push([
        `internal ${host}`,
        `the return URL is built from ${internal}, ${host}, which a browser elsewhere cannot reach: the proxy does not pass the public Host on (nginx: proxy_set_header Host $host), or passes X-Forwarded-Host without trust proxy. Set the "host" option to the public host.`,
      ]);
    }
    const port = /:(\d+)$/.exec(host)?.[1];
    if (proxied && internal === undefined && port !== undefined) {
      found.push([
        `port ${host}`,
        `the return URL has port ${port} behind a proxy, probably the app's own port rather than the public one: set the "host" option to the public host (and "scheme").`,
      ]);
    }
  }
  return found;
}

/**
 * A warning for the redirect to the provider (the `redirect` event's message, so the debug
 * output shows it) when the return URL was built from what a misconfigured proxy or path would
 * give: a request on another host than the `host` option, an internal address (loopback behind a
 * proxy, RFC 1918, link-local, `.internal`/`.local`/single-label names, the app's own port), an
 * `X-Forwarded-Prefix` that is not `mountPoint`, a path that already starts with `mountPoint`.
 * It shows the URL built and the headers it came from (escaped, never the state or a token).
 * Each distinct cause is said once per strategy (up to {@link MAX_WARNED_CAUSES}); `undefined`
 * when there is nothing new to say. Called only when an event would go anywhere.
 */
export function redirectWarning(o: WarningOptions, req: OriginSource & { target: string }, loginUrl: string): string | undefined {
  let origin: string;
  let found: [string, string][];
  try {
    origin = requestOrigin(req, o);
    found = causes(o, req, origin);
  } catch {
    // No valid Host, or one the URL parser refuses (`a.1`): nothing to compare, and a warning
    // must never break the redirect it describes.
    return undefined;
  }
  let said = warned.get(o);
  if (said === undefined) warned.set(o, (said = new Set()));
  const seen = said;
  const fresh = found.filter(([key]) => {
    if (seen.has(key) || seen.size >= MAX_WARNED_CAUSES) return false;
    seen.add(key);
    return true;
  });
  if (fresh.length === 0) return undefined;
  const built = logSafe(builtReturnUrl(o, origin, loginUrl), QUOTED_HEADER * 2);
  return `Warning: ${fresh.map(([, text]) => text).join(' Also: ')} The return URL built: ${built} ${shownHeaders(req)}.`;
}
