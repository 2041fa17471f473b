// A cookie jar a test copies and hands around (tabs that leave with the cookies of a moment
// ago): the Cookie header it sends, and what an answer's Set-Cookie lines do to it.
import type request from 'supertest';

export type Jar = Map<string, string>;

/** The answer's Set-Cookie lines, none as an empty list. */
export const setCookies = (res: request.Response): string[] => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

/** The Cookie header of the jar, '' when it is empty. */
export const cookieHeader = (jar: Jar): string => [...jar].map(([n, v]) => `${n}=${v}`).join('; ');

/** Keeps what the answer set in the jar (a cookie cleared with Max-Age=0 leaves it), and gives the answer back. */
export function keepCookies(jar: Jar, res: request.Response): request.Response {
  for (const line of setCookies(res)) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
    else jar.set(name, pair!.slice(eq + 1));
  }
  return res;
}
