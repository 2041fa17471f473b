// Reading the Cookie header and writing Set-Cookie, for the cookie login state only. Values are
// never decoded or trusted: a name is matched exactly, a value is checked by its reader.
import type { HeaderTarget } from '../adapter';
import type { RequestLike } from '../request-url';

const OWS = /^[ \t]+|[ \t]+$/g;

/** Every cookie of the request whose name starts with `prefix`, as name → values (a name may repeat). */
export function cookiesStartingWith(req: RequestLike, prefix: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const header = req.headers.cookie;
  if (header === undefined || !header.includes(prefix)) return found;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    // Only space and tab are whitespace here (RFC 6265): a name behind any other character is
    // another name, so "\u00a0__Host-…" can never pass for a __Host- cookie.
    const name = part.slice(0, eq).replace(OWS, '');
    if (!name.startsWith(prefix)) continue;
    const values = found.get(name) ?? [];
    values.push(part.slice(eq + 1).replace(OWS, ''));
    found.set(name, values);
  }
  return found;
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
