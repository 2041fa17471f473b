// Reading the Cookie header and writing Set-Cookie, for the cookie login state only. Values are
// never decoded or trusted: a name is matched exactly, a value is checked by its reader.
import type { HeaderTarget } from '../frameworks/view';
import type { RequestLike } from '../request-url';

/** Every cookie this package sets has a name that starts with this, behind HOST_PREFIX under https. */
export const COOKIE_PREFIX = 'jwtsso-';
/** In front of a cookie's name under https: the browser keeps it only Secure, `Path=/`, no Domain, so no other host can set it. */
export const HOST_PREFIX = '__Host-';

/** A cookie's name as it is set and sent back: HOST_PREFIX in front under https. */
export const cookieName = (secure: boolean, name: string): string => (secure ? HOST_PREFIX + name : name);

/** True if a Cookie header's `name=value` pair is one of this package's cookies, under http or https. */
export const isOwnCookie = (pair: string): boolean => pair.startsWith(COOKIE_PREFIX) || pair.startsWith(HOST_PREFIX + COOKIE_PREFIX);

const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;

/**
 * The request's Cookie header as one string, or undefined. Node hands it over as one string (it
 * joins repeated Cookie lines with `; `), but an app's middleware may have put an array or
 * anything else there: an array of strings is read as Node would have joined it, anything else
 * as no header, never as a reason to throw.
 */
export function cookieHeader(headers: { readonly cookie?: unknown }): string | undefined {
  const header = headers.cookie;
  if (typeof header === 'string') return header;
  return Array.isArray(header) && header.every((line) => typeof line === 'string') ? header.join('; ') : undefined;
}

/** Every cookie of the request whose name starts with `prefix`, as name → values (a name may repeat). */
export function cookiesStartingWith(req: RequestLike, prefix: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const header = cookieHeader(req.headers);
  if (header === undefined || !header.includes(prefix)) return found;
  for (const [name, value] of cookiePairs(req, header)) {
    if (!name.startsWith(prefix)) continue;
    const values = found.get(name);
    if (values === undefined) found.set(name, [value]);
    else values.push(value);
  }
  return found;
}

// The pairs of a request's Cookie header, split once per request (a login's steps read it for
// several names) and again only if the header is another string by then.
const split = new WeakMap<object, { header: string; pairs: readonly (readonly [string, string])[] }>();

function cookiePairs(req: object, header: string): readonly (readonly [string, string])[] {
  const kept = split.get(req);
  // Stryker disable next-line ConditionalExpression: a cache: never reusing the pairs splits the same header again, to the same pairs
  const sameHeader = kept !== undefined && kept.header === header;
  // Stryker disable next-line ConditionalExpression: a cache: splitting the same header again gives the same pairs
  if (sameHeader) return kept.pairs;
  const pairs = splitCookieHeader(header);
  // Stryker disable next-line ObjectLiteral: a cache: an empty record is never reused, so the header is split anew, to the same pairs
  split.set(req, { header, pairs });
  return pairs;
}

// Every `name=value` pair of a Cookie header, in order, names and values trimmed; a part without
// `=` is skipped. An index scan, not the `cookie` package: its parse keeps only the first value of
// a name, and a second value of one name (a planted cookie) must be seen. Each character is looked
// at a bounded number of times (no regex, no indexOf past the pair), so any header is read in
// linear time.
function splitCookieHeader(header: string): (readonly [string, string])[] {
  const pairs: (readonly [string, string])[] = [];
  // Stryker disable next-line EqualityOperator: the part that starts at the header's end is empty (a header that is '' or ends in ';'), and an empty part holds no pair
  for (let start = 0; start <= header.length;) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon === -1 ? header.length : semicolon;
    let eq = start;
    // Stryker disable next-line EqualityOperator: the character at `end` is the ';' that ends the part (or none, past the header), never '=', so the scan stops there without the bound too
    while (eq < end && header.charCodeAt(eq) !== EQUALS) eq++;
    if (eq < end) pairs.push([trimmed(header, start, eq), trimmed(header, eq + 1, end)]);
    start = end + 1;
  }
  return pairs;
}

// Only space and tab are whitespace here (RFC 6265): a name behind any other character is
// another name, so "\u00a0__Host-…" can never pass for a __Host- cookie.
const isOws = (code: number): boolean => code === SPACE || code === TAB;

// text[from, to) without the spaces and tabs at either end.
function trimmed(text: string, from: number, to: number): string {
  let first = from;
  let last = to;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the character at `to` ('=', ';' or none, past the header) is never a space or tab, so the scan stops at `to` without the bound too
  while (first < last && isOws(text.charCodeAt(first))) first++;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: past `first` the scan only meets the spaces already skipped and stops at '=' or ';' (or before the header), and slice gives '' once last is before first
  while (last > first && isOws(text.charCodeAt(last - 1))) last--;
  return text.slice(first, last);
}

/** The attributes every login-state cookie has. */
export interface CookieScope {
  readonly path: string;
  readonly secure: boolean;
}

// The attributes after Max-Age, written once: every login-state cookie has them.
const AFTER_MAX_AGE = '; HttpOnly; SameSite=Lax';
const SECURE = '; Secure';

/** Adds a Set-Cookie header (keeping the ones already set, e.g. the session's). */
export function setCookie(res: HeaderTarget, name: string, value: string, maxAgeSeconds: number, scope: CookieScope): void {
  if (res.headersSent) return;
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  res.appendHeader('Set-Cookie', `${name}=${value}; Path=${scope.path}; Max-Age=${maxAge}${AFTER_MAX_AGE}${scope.secure ? SECURE : ''}`);
}

/** Tells the browser to drop a cookie. */
export function clearCookie(res: HeaderTarget, name: string, scope: CookieScope): void {
  setCookie(res, name, '', 0, scope);
}
