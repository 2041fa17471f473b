// lib/login-state/cookies.ts: reading the Cookie header (every value of a name, names exact) and
// writing Set-Cookie, the header split once per request.
import type { RequestLike } from '../../lib/request-url';
import { clearCookie, cookieHeader, cookieName, cookiesStartingWith, isOwnCookie, setCookie } from '../../lib/login-state/cookies';

const req = (cookie: string | undefined): RequestLike => ({ headers: cookie === undefined ? {} : { cookie } }) as RequestLike;
const found = (cookie: string | undefined, prefix: string) => Object.fromEntries(cookiesStartingWith(req(cookie), prefix));

describe('cookiesStartingWith', () => {
  test('control: the cookies of the prefix, every value of a repeated name, in order', () => {
    expect(found('a=1; jwtsso-s-x=2; jwtsso-s-y=3; jwtsso-s-x=4', 'jwtsso-s-')).toEqual({ 'jwtsso-s-x': ['2', '4'], 'jwtsso-s-y': ['3'] });
  });

  test.each([
    ['no header', undefined, {}],
    ['an empty header', '', {}],
    ['no cookie of the prefix', 'a=1; b=2', {}],
    ['the prefix only inside a value', 'a=jwtsso-s-x', {}],
    ['a part without =', 'jwtsso-s-x; jwtsso-s-y=1', { 'jwtsso-s-y': ['1'] }],
    ['spaces and tabs around names and values', ' \tjwtsso-s-x \t= \t1\t ;jwtsso-s-y=2', { 'jwtsso-s-x': ['1'], 'jwtsso-s-y': ['2'] }],
    ['a no-break space is not whitespace: another name', '\u00a0jwtsso-s-x=1', {}],
    ['an empty value', 'jwtsso-s-x=', { 'jwtsso-s-x': [''] }],
    ['= inside a value', 'jwtsso-s-x=a=b', { 'jwtsso-s-x': ['a=b'] }],
    ['empty parts', ';;jwtsso-s-x=1;;', { 'jwtsso-s-x': ['1'] }],
  ])('%s', (_what, header, expected) => {
    expect(found(header, 'jwtsso-s-')).toEqual(expected);
  });

  test('the header is split once per request, and read anew when the request holds another header', () => {
    const r = req('jwtsso-s-a=1');
    expect(Object.fromEntries(cookiesStartingWith(r, 'jwtsso-s-'))).toEqual({ 'jwtsso-s-a': ['1'] });
    expect(Object.fromEntries(cookiesStartingWith(r, 'jwtsso-'))).toEqual({ 'jwtsso-s-a': ['1'] });
    r.headers.cookie = 'jwtsso-s-b=2';
    expect(Object.fromEntries(cookiesStartingWith(r, 'jwtsso-s-'))).toEqual({ 'jwtsso-s-b': ['2'] });
    // Another request with the same header text has its own reading.
    expect(Object.fromEntries(cookiesStartingWith(req('jwtsso-s-a=1'), 'jwtsso-s-'))).toEqual({ 'jwtsso-s-a': ['1'] });
  });

  test('the empty prefix: every cookie of the request, and nothing else', () => {
    expect(found('a=1; b=2; a=3', '')).toEqual({ a: ['1', '3'], b: ['2'] });
    expect(found('', '')).toEqual({});
  });

  test('the Map handed out is the caller’s: changing it changes no later reading', () => {
    const r = req('jwtsso-s-a=1');
    cookiesStartingWith(r, 'jwtsso-s-').get('jwtsso-s-a')!.push('planted');
    expect(cookiesStartingWith(r, 'jwtsso-s-').get('jwtsso-s-a')).toEqual(['1']);
  });
});

// Node always hands the Cookie header over as one string, but an app's middleware may replace it:
// whatever it holds, the strategy reads what a browser could have sent, and never throws.
describe('cookieHeader: what a Cookie header a middleware replaced reads as', () => {
  test('control: the string Node gives', () => {
    expect(cookieHeader({ cookie: 'a=1; jwtsso-s-x=2' })).toBe('a=1; jwtsso-s-x=2');
  });

  test.each([
    ['an array of lines: joined as Node joins repeated lines', ['a=1', 'jwtsso-s-x=2'], 'a=1; jwtsso-s-x=2'],
    ['an array holding only the prefix itself', ['jwtsso-s-'], 'jwtsso-s-'],
    ['an empty array', [], ''],
    ['an array with a non-string in it: no header', ['a=1', 7], undefined],
    ['a number: no header', 7, undefined],
    ['an object: no header', { toString: () => 'jwtsso-s-x=1' }, undefined],
    ['null: no header', null, undefined],
    ['absent', undefined, undefined],
  ])('%s', (_what, cookie, expected) => {
    expect(cookieHeader({ cookie })).toEqual(expected);
  });

  test.each([
    ['an array', ['a=1', 'jwtsso-s-x=2'], { 'jwtsso-s-x': ['2'] }],
    ['an array holding the prefix itself (threw a TypeError before)', ['jwtsso-s-'], {}],
    ['an object', { includes: () => true }, {}],
  ])('cookiesStartingWith reads %s without throwing', (_what, cookie, expected) => {
    const r = { headers: { cookie } } as unknown as RequestLike;
    expect(Object.fromEntries(cookiesStartingWith(r, 'jwtsso-s-'))).toEqual(expected);
  });
});

describe('setCookie and clearCookie write these exact lines', () => {
  // Each line written, as `Header-Name: value`.
  const lines = (write: (res: { headersSent: boolean; setHeader(): void; appendHeader(n: string, v: string): void }) => void) => {
    const out: string[] = [];
    write({ headersSent: false, setHeader: () => undefined, appendHeader: (n, v) => out.push(`${n}: ${v}`) });
    return out;
  };

  test.each([
    [{ path: '/app', secure: false }, 600, 'n=v; Path=/app; Max-Age=600; HttpOnly; SameSite=Lax'],
    [{ path: '/', secure: true }, 600, 'n=v; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure'],
    [{ path: '/', secure: false }, 59.9, 'n=v; Path=/; Max-Age=59; HttpOnly; SameSite=Lax'],
    [{ path: '/', secure: false }, -5, 'n=v; Path=/; Max-Age=0; HttpOnly; SameSite=Lax'],
  ])('%j, %d s', (scope, seconds, line) => {
    expect(lines((res) => setCookie(res, 'n', 'v', seconds, scope))).toEqual([`Set-Cookie: ${line}`]);
  });

  test('clearCookie: an empty value, Max-Age=0, the same scope', () => {
    expect(lines((res) => clearCookie(res, '__Host-n', { path: '/', secure: true }))).toEqual([
      'Set-Cookie: __Host-n=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    ]);
  });

  test('nothing once the headers went out', () => {
    const out: string[] = [];
    setCookie({ headersSent: true, setHeader: () => undefined, appendHeader: (_n, v) => out.push(v) }, 'n', 'v', 1, {
      path: '/',
      secure: false,
    });
    expect(out).toEqual([]);
  });
});

// The names of this package's cookies, in one place: what a name is under http and https, and
// which cookies of a request are the package's own (the lost-session marker leaves them out of
// the browser's fingerprint).
describe("this package's cookie names: jwtsso-, behind __Host- under https", () => {
  test.each<[boolean, string]>([
    [false, 'jwtsso-done'],
    [true, '__Host-jwtsso-done'],
  ])('secure %p: the name is %s', (secure, name) => {
    expect(cookieName(secure, 'jwtsso-done')).toBe(name);
  });

  test.each<[string, string]>([
    ['http state cookie', 'jwtsso-s-abcdefgh.x=1'],
    ['https state cookie', '__Host-jwtsso-s-abcdefgh.x=1'],
    ['https marker', '__Host-jwtsso-done=1.x'],
    ['the bare prefix', 'jwtsso-=1'],
  ])('its own: %s', (_name, pair) => {
    expect(isOwnCookie(pair)).toBe(true);
  });

  test.each<[string, string]>([
    ['the session cookie', 'connect.sid=s%3Aabc'],
    ['a __Host- cookie of the app', '__Host-session=1'],
    ['a name that only contains the prefix', 'my-jwtsso-s-x=1'],
    ['__Secure- in front (not a prefix the package uses)', '__Secure-jwtsso-done=1'],
    ['the prefix in the value', 'theme=jwtsso-dark'],
    ['an empty pair', ''],
  ])('not its own (control): %s', (_name, pair) => {
    expect(isOwnCookie(pair)).toBe(false);
  });
});
