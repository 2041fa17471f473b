// Reading the Cookie header and writing Set-Cookie, for the cookie login state only. Values are
// never decoded or trusted: a name is matched exactly, a value is checked by its reader.
import type { HeaderTarget } from '../frameworks/view';
import type { RequestLike } from '../request-url';

const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;

/** Every cookie of the request whose name starts with `prefix`, as name → values (a name may repeat). */
export function cookiesStartingWith(req: RequestLike, prefix: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const header = req.headers.cookie;
  if (header === undefined || !header.includes(prefix)) return found;
  // An index scan, not the `cookie` package: its parse keeps only the first value of a name, and a
  // second value of one name (a planted cookie) must be seen. Each character is looked at a bounded
  // number of times (no regex, no indexOf past the pair), so any header is read in linear time.
  for (let start = 0; start <= header.length;) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon === -1 ? header.length : semicolon;
    let eq = start;
    while (eq < end && header.charCodeAt(eq) !== EQUALS) eq++;
    if (eq < end) {
      const name = trimmed(header, start, eq);
      if (name.startsWith(prefix)) {
        const values = found.get(name) ?? [];
        values.push(trimmed(header, eq + 1, end));
        found.set(name, values);
      }
    }
    start = end + 1;
  }
  return found;
}

// Only space and tab are whitespace here (RFC 6265): a name behind any other character is
// another name, so "\u00a0__Host-…" can never pass for a __Host- cookie.
const isOws = (code: number): boolean => code === SPACE || code === TAB;

// text[from, to) without the spaces and tabs at either end.
function trimmed(text: string, from: number, to: number): string {
  let first = from;
  let last = to;
  while (first < last && isOws(text.charCodeAt(first))) first++;
  while (last > first && isOws(text.charCodeAt(last - 1))) last--;
  return text.slice(first, last);
}

/** The attributes every login-state cookie has. */
export interface CookieScope {
  readonly path: string;
  readonly secure: boolean;
}

/** Adds a Set-Cookie header (keeping the ones already set, e.g. the session's). */
export function setCookie(res: HeaderTarget, name: string, value: string, maxAgeSeconds: number, scope: CookieScope): void {
  if (res.headersSent) return;
  const attributes = [`Path=${scope.path}`, `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Lax'];
  if (scope.secure) attributes.push('Secure');
  res.appendHeader('Set-Cookie', `${name}=${value}; ${attributes.join('; ')}`);
}

/** Tells the browser to drop a cookie. */
export function clearCookie(res: HeaderTarget, name: string, scope: CookieScope): void {
  setCookie(res, name, '', 0, scope);
}
