// The rules of lib/flow/dispatch.ts, through a real Express app over a loopback socket: what a
// request calls for (a token arriving, a form POST to the callback, a waiting token, a signed-in
// user, a trip to the provider), the session a login needs, a token too large for a cookie, and
// the jwtsso-done marker that names a lost session instead of looping through the provider.
import { createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import chaiPassportStrategy from 'chai-passport-strategy';
import { Passport } from 'passport';
import request from 'supertest';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type JwtSsoEvent, type JwtSsoStrategyBaseOptions } from '../../lib';
import { cookieFingerprint } from '../../lib/flow/dispatch';
import { AUTH_ENDPOINT, startApp, type AppOptions, type TestApp } from '../helpers/app';
import { providerReturn, returnToOf } from '../helpers/flow';
import { keepCookies, setCookies } from '../helpers/jar';
import { mint, OTHER_SECRET, puavoClaims, SECRET } from '../helpers/tokens';
import { MOUNT, prefixProxy, type PrefixProxy } from '../providers/shape-flow';

let app: TestApp | undefined;
let proxy: PrefixProxy | undefined;
let events: JwtSsoEvent[] = [];
afterEach(async () => {
  await proxy?.close();
  await app?.close();
  app = undefined;
  proxy = undefined;
  events = [];
});

const onEvent = (e: JwtSsoEvent) => void events.push(e);
const start = async (options: AppOptions = {}): Promise<TestApp> =>
  (app = await startApp({ ...options, strategy: { onEvent, ...options.strategy } }));

const toProvider = (res: request.Response): boolean => res.status === 302 && (res.headers.location ?? '').startsWith(AUTH_ENDPOINT);
const now = () => Math.floor(Date.now() / 1000);

/**
 * A browser with a cookie jar of its own, written out so that it can do what supertest's jar does
 * not: send Secure cookies on the hop from a TLS-terminating proxy, withhold a cookie (the session
 * cookie that never comes back), send headers on every request, and be given cookies by hand.
 */
function browser(url: string, opts: { headers?: Record<string, string>; withhold?: (name: string) => boolean } = {}) {
  const jar = new Map<string, string>();
  const cookie = () =>
    [...jar]
      .filter(([name]) => !(opts.withhold?.(name) ?? false))
      .map(([n, v]) => `${n}=${v}`)
      .join('; ');
  const keep = (res: request.Response): request.Response => keepCookies(jar, res);
  const send = async (method: 'get' | 'post', path: string, extra: Record<string, string> = {}): Promise<request.Response> => {
    const agent = request(url);
    let r = (method === 'get' ? agent.get(path) : agent.post(path)).set({ ...opts.headers, ...extra });
    if (cookie() !== '') r = r.set('Cookie', cookie());
    return keep(await r);
  };
  return {
    jar,
    cookie,
    get: (path: string, extra?: Record<string, string>) => send('get', path, extra),
    post: (path: string, extra?: Record<string, string>) => send('post', path, extra),
    /** A form POST of `fields`. */
    postForm: async (path: string, fields: Record<string, string>): Promise<request.Response> => {
      let r = request(url)
        .post(path)
        .set(opts.headers ?? {})
        .type('form')
        .send(new URLSearchParams(fields).toString());
      if (cookie() !== '') r = r.set('Cookie', cookie());
      return keep(await r);
    },
    /** The page sends the browser to the provider, which sends it back with `token`: the callback's answer. */
    async returnWith(path: string, token: string): Promise<request.Response> {
      const out = await send('get', path);
      expect(toProvider(out)).toBe(true);
      return send('get', providerReturn(returnToOf(out.headers.location), token));
    },
    /** Protected page → provider → back with a token → the clean URL: the page after sign-in. */
    async signIn(path = '/protected', token = mint(puavoClaims())): Promise<request.Response> {
      const callback = await this.returnWith(path, token);
      return callback.status === 303 ? send('get', callback.headers.location!) : callback;
    },
  };
}

const withoutSessionCookie = { withhold: (name: string) => name === 'connect.sid' };
const markerOf = (res: request.Response): string | undefined =>
  /(?:^|\n)(?:__Host-)?jwtsso-done=([^;]+)/.exec(setCookies(res).join('\n'))?.[1];

describe('a login needs a session only where Passport keeps the user in one', () => {
  test('no session middleware, a route with session: false: the cookie login state signs in without one', async () => {
    const { url } = await start({ session: false, authenticate: { session: false } });
    const b = browser(url);
    const page = await b.signIn();
    expect(page.status).toBe(200);
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test('control: no session middleware on a route that keeps the user in the session: named before the trip to the provider', async () => {
    const { url } = await start({ session: false });
    const res = await request(url).get('/protected');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.SESSION_REQUIRED);
  });
});

describe('a token too large for a cookie is verified and recorded before a session keeps it', () => {
  // About 6 KB once signed: more than one cookie holds (4,000 bytes), less than a token may be.
  const large = (secret?: string) => mint(puavoClaims(now(), { bio: 'x'.repeat(4500) }), secret);

  test('with a session: kept there across the redirect, and signed in on the clean URL', async () => {
    const { url } = await start();
    const page = await browser(url).signIn('/protected', large());
    expect(page.status).toBe(200);
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test('with a session: a junk one (another key) is refused at the callback, and creates no session', async () => {
    const { url } = await start();
    const b = browser(url);
    const callback = await b.returnWith('/protected', large(OTHER_SECRET));
    expect(callback.status).toBe(401);
    expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([Code.SIGNATURE_INVALID]);
    expect(setCookies(callback).join('\n')).not.toContain('connect.sid');
  });

  test('no session (a route with session: false and no session middleware): a 500 naming the fix, without the token', async () => {
    const { url, errors } = await start({ session: false, authenticate: { session: false } });
    const token = large();
    const callback = await browser(url).returnWith('/protected', token);
    expect(callback.status).toBe(500);
    expect(callback.body.code).toBe(Code.SESSION_REQUIRED);
    expect(callback.body.error).toMatch(/larger than a cookie can hold.*mount session middleware \(e\.g\. express-session\)/);
    expect(errors.join('\n')).not.toContain(token.split('.')[2]);
  });

  test('no session: a junk one is a refusal (401), never a fault', async () => {
    const { url } = await start({ session: false, authenticate: { session: false } });
    const callback = await browser(url).returnWith('/protected', large(OTHER_SECRET));
    expect(callback.status).toBe(401);
  });
});

describe('a token at a fixed callback is taken only in the way responseMode says', () => {
  test('query mode: a token posted in a form body to the callback is not taken (401, nothing parked)', async () => {
    const { url } = await start({ strategy: { callbackPath: '/sso/callback' } });
    const b = browser(url);
    const out = await b.get('/protected');
    const res = await b.postForm('/sso/callback', { jwt: mint(puavoClaims()), return_to: returnToOf(out.headers.location) });
    expect(res.status).toBe(401);
    expect(setCookies(res).join('\n')).not.toContain('jwtsso-t-');
    expect(events.map((e) => e.type)).not.toContain('token-received');
  });

  test('control: query mode, the token in the URL of the callback is parked', async () => {
    const { url } = await start({ strategy: { callbackPath: '/sso/callback' } });
    const b = browser(url);
    const out = await b.get('/protected');
    const res = await b.get(`/sso/callback?jwt=${mint(puavoClaims())}&return_to=${encodeURIComponent(returnToOf(out.headers.location))}`);
    expect(res.status).toBe(303);
    expect(events.map((e) => e.type)).toContain('token-received');
  });

  test('form_post: a GET of the callback with no token (a reload, a bookmark) starts a sign-in as any page does', async () => {
    const { url } = await start({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post' } });
    const res = await request(url).get('/access/jwt');
    expect(toProvider(res)).toBe(true);
  });

  test.each<[string, string, RegExp]>([
    [
      'in the URL of the callback: refused, naming the form POST',
      '/access/jwt',
      /in the URL, but this app takes it only from a form POST to \/access\/jwt/,
    ],
    [
      'on another route: refused, naming the callback route',
      '/protected',
      /outside the callback route: this app takes tokens only at \/access\/jwt/,
    ],
  ])('form_post: a token %s', async (_name, path, message) => {
    const { url } = await start({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post' } });
    const token = mint(puavoClaims());
    const res = await request(url).get(`${path}?jwt=${token}`);
    expect(res.status).toBe(401);
    const refused = events.filter((e) => e.type === 'refused');
    expect(refused).toEqual([expect.objectContaining({ code: Code.TOKEN_MALFORMED, message: expect.stringMatching(message) })]);
    expect(refused[0]!.message).not.toContain(token);
  });
});

describe('a form body refused unread (too large) closes the connection; a body read and refused keeps it', () => {
  // A raw request, so that the answer is read however the server ends the connection.
  function post(url: string, body: string): Promise<{ status: number; connection: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${url}/access/jwt`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  test.each<[string, string, number, string]>([
    ['a body over 32 KiB, refused unread', `jwt=${'a'.repeat(40 * 1024)}`, 401, 'close'],
    ['control: a small body with the token twice, read and refused', 'jwt=a.b.c&jwt=d.e.f', 401, 'keep-alive'],
  ])('%s', async (_name, body, status, connection) => {
    const { url } = await start({ strategy: { callbackPath: '/access/jwt', responseMode: 'form_post' } });
    const res = await post(url, body);
    expect(res.status).toBe(status);
    expect(res.connection).toBe(connection);
  });
});

describe('the marker is set and cleared only where it is: no cookie churn on the hot path', () => {
  test('a signed-in page clears the marker once; the next signed-in pages and a redirect to the provider set no marker cookie', async () => {
    const { url } = await start();
    const b = browser(url);
    expect(markerOf(await b.signIn())).toMatch(/^[0-9]+\.[\w-]{22}$/);
    expect(setCookies(await b.get('/protected')).join('\n')).toMatch(/jwtsso-done=; Path=\/; Max-Age=0/);
    const again = await b.get('/protected');
    expect(again.body.user).not.toBeNull();
    expect(setCookies(again).join('\n')).not.toContain('jwtsso-done');
    const anonymous = await request(url).get('/protected').set('Cookie', 'theme=dark');
    expect(toProvider(anonymous)).toBe(true);
    expect(setCookies(anonymous).join('\n')).not.toContain('jwtsso-done');
  });
});

describe('a lost session is named only where another trip to the provider would loop', () => {
  // Signed in on a session route, then back without the session cookie: where the route would
  // send the browser to the provider, that would loop; anywhere else the usual answer stands.
  const routes: AppOptions['routes'] = (express, authenticate) => {
    express.get('/stateless', authenticate({ session: false }), (req, res) => void res.json({ user: req.user ?? null }));
  };
  test.each<[string, 'get' | 'post', string, (res: request.Response) => void]>([
    ['control: a GET of a page that redirects: SESSION_LOST', 'get', '/protected', (res) => expect(res.body.code).toBe(Code.SESSION_LOST)],
    ['a POST (no redirect for it): 401, not SESSION_LOST', 'post', '/protected', (res) => expect(res.status).toBe(401)],
    ['an API route (redirect: false): 401', 'get', '/api/me', (res) => expect(res.status).toBe(401)],
    ['a route with session: false (it keeps none): a new sign-in', 'get', '/stateless', (res) => expect(toProvider(res)).toBe(true)],
  ])('%s', async (_name, method, path, expected) => {
    const { url } = await start({ routes });
    const b = browser(url, withoutSessionCookie);
    expect((await b.signIn()).body.user).not.toBeNull();
    const res = await b[method](path);
    expected(res);
    // Said once either way: the marker goes.
    expect(setCookies(res).join('\n')).toMatch(/jwtsso-done=; Path=\/; Max-Age=0/);
  });
});

describe("the marker's name and scope: no sibling app or plain-http response can plant or read one", () => {
  test('https (a TLS-terminating proxy, trusted): __Host-jwtsso-done, Path=/, Secure; back without the session, told why', async () => {
    const { url } = await start({ trustProxy: 'loopback', sessionCookie: { secure: true } });
    const b = browser(url, { headers: { 'X-Forwarded-Proto': 'https' }, ...withoutSessionCookie });
    const page = await b.signIn();
    expect(page.status).toBe(200);
    expect(setCookies(page).join('\n')).toMatch(
      /(^|\n)__Host-jwtsso-done=[0-9]+\.[\w-]{22}; Path=\/; Max-Age=120; HttpOnly; SameSite=Lax; Secure/,
    );
    // The browser's __Host- login cookies of the sign-in are this package's, as the plain ones are over http.
    const next = await b.get('/protected');
    expect(next.status).toBe(500);
    expect(next.body.code).toBe(Code.SESSION_LOST);
  });

  test('http under a mount point: jwtsso-done with Path=mountPoint, so the sibling apps of the host never get it', async () => {
    app = await startApp({ strategy: { onEvent, mountPoint: MOUNT } });
    proxy = await prefixProxy(app);
    const page = await browser(proxy.origin).signIn(`${MOUNT}/protected`);
    expect(page.status).toBe(200);
    expect(setCookies(page).join('\n')).toMatch(new RegExp(`(^|\\n)jwtsso-done=[0-9]+\\.[\\w-]{22}; Path=${MOUNT}; Max-Age=120`));
  });

  test.each<[string, (name: string, marker: string) => string]>([
    ['a plain jwtsso-done (an http response could set it) where the https name is expected', (_name, marker) => `jwtsso-done=${marker}`],
    ['the marker sent twice (one of them planted)', (name, marker) => `${name}=${marker}; ${name}=${marker}`],
    ['a cookie whose name only contains the marker name', (name, marker) => `x${name}=${marker}`],
  ])('over https, %s: no marker, the usual redirect', async (_name, cookie) => {
    const { url } = await start({ trustProxy: 'loopback', sessionCookie: { secure: true } });
    const headers = { 'X-Forwarded-Proto': 'https' };
    const page = await browser(url, { headers, ...withoutSessionCookie }).signIn();
    const marker = markerOf(page)!;
    // control: the marker itself, alone, is the browser's own (the lost session is named)
    const own = await request(url).get('/protected').set(headers).set('Cookie', `__Host-jwtsso-done=${marker}`);
    expect(own.body.code).toBe(Code.SESSION_LOST);
    const res = await request(url).get('/protected').set(headers).set('Cookie', cookie('__Host-jwtsso-done', marker));
    expect(toProvider(res)).toBe(true);
  });
});

describe("a marker holds only exactly as this process set it, for DONE_SECONDS (120 s) of this process's clock", () => {
  let clockMs = Date.now();
  const clock = () => clockMs;
  beforeEach(() => {
    clockMs = Date.now();
  });

  async function signedInMarker(): Promise<{ url: string; marker: string; issuedMs: number }> {
    const { url } = await start({ strategy: { clock } });
    const page = await browser(url, withoutSessionCookie).signIn();
    const marker = markerOf(page)!;
    return { url, marker, issuedMs: Number(marker.split('.')[0]) * 1000 };
  }
  const lost = async (url: string, marker: string): Promise<boolean> => {
    const res = await request(url).get('/protected').set('Cookie', `jwtsso-done=${marker}`);
    if (res.status === 500) expect(res.body.code).toBe(Code.SESSION_LOST);
    else expect(toProvider(res)).toBe(true);
    return res.status === 500;
  };

  test.each<[string, number, boolean]>([
    ['control: in the second it was issued', 0, true],
    ['control: 120 s after', 120_000, true],
    ['120.001 s after: expired', 120_001, false],
    ['an hour after', 3_600_000, false],
    ['1 ms before it was issued (a clock set back, or a marker from the future)', -1, false],
  ])('%s', async (_name, afterMs, holds) => {
    const { url, marker, issuedMs } = await signedInMarker();
    clockMs = issuedMs + afterMs;
    expect(await lost(url, marker)).toBe(holds);
  });

  test.each<[string, (marker: string) => string]>([
    ['a character before it', (m) => `x${m}`],
    ['a character after it', (m) => `${m}A`],
    ['another issued time with its MAC', (m) => `${Number(m.split('.')[0]) - 1}.${m.split('.')[1]}`],
  ])('%s: no marker', async (_name, tamper) => {
    const { url, marker } = await signedInMarker();
    expect(await lost(url, marker)).toBe(true); // control: untouched
    expect(await lost(url, tamper(marker))).toBe(false);
  });
});

describe("a browser's fingerprint is its other cookies: the same ones however sent, any change a new one", () => {
  const of = (cookie?: string) => cookieFingerprint({ headers: cookie === undefined ? {} : { cookie } });

  test.each<[string, string | undefined, string | undefined]>([
    ['no Cookie header, and only this package cookies', undefined, 'jwtsso-done=1; jwtsso-s-abc=2'],
    ["no Cookie header, and only this package's __Host- cookies (https)", undefined, '__Host-jwtsso-done=1; __Host-jwtsso-t-abc=2'],
    ['an empty header', '', undefined],
    ['without spaces', 'a=1; b=2', 'a=1;b=2'],
    ['with stray separators', 'a=1; b=2', 'a=1; ; b=2;'],
    ['with extra spaces', 'a=1; b=2', '  a=1 ;   b=2  '],
    ['with jwtsso-* cookies between', 'a=1; b=2', 'jwtsso-t-x=9; a=1; jwtsso-done=5; b=2'],
  ])('the same browser: %s', (_name, a, b) => {
    expect(of(a)).toBe(of(b));
  });

  test.each<[string, string | undefined, string]>([
    ['a cookie added', 'a=1', 'a=1; b=2'],
    ['a value changed (a new session)', 'connect.sid=s1', 'connect.sid=s2'],
    ['two cookies against one holding both', 'a=1; b=2', 'a=1b=2'],
    ['none against one', undefined, 'connect.sid=s1'],
    ["another app's __Host- cookie", undefined, '__Host-session=s1'],
  ])('another browser: %s', (_name, a, b) => {
    expect(of(a)).not.toBe(of(b));
  });
});

describe('a token for someone already signed in: dropped where it is a stray, its drop audited', () => {
  test('a link with a token to another route than the fixed callback: 303 to the page without it, still signed in', async () => {
    const { url } = await start({ strategy: { callbackPath: '/sso/callback' } });
    const agent = request.agent(url);
    const out = await agent.get('/protected').expect(302);
    const returnTo = returnToOf(out.headers.location);
    await agent.get(`/sso/callback?jwt=${mint(puavoClaims())}&return_to=${encodeURIComponent(returnTo)}`).expect(303);
    expect((await agent.get('/protected')).body.user).not.toBeNull();
    events = [];
    const stray = await agent.get(`/protected?tab=1&jwt=${mint(puavoClaims())}`);
    expect(stray.status).toBe(303);
    expect(stray.headers.location).toBe('/protected?tab=1');
    expect(events.map((e) => e.type)).toEqual(['token-dropped']);
    expect((await agent.get('/protected')).body.user).not.toBeNull();
  });

  test('control: two tabs logging in through the fixed callback: the second one, back when the first signed in, completes its own login', async () => {
    const { url } = await start({ strategy: { callbackPath: '/sso/callback' } });
    const agent = request.agent(url);
    const tabA = returnToOf((await agent.get('/protected?tab=a').expect(302)).headers.location);
    const tabB = returnToOf((await agent.get('/protected?tab=b').expect(302)).headers.location);
    const back = (returnTo: string) =>
      agent.get(`/sso/callback?jwt=${mint(puavoClaims())}&return_to=${encodeURIComponent(returnTo)}`).expect(303);
    expect((await agent.get((await back(tabA)).headers.location!)).body.user).not.toBeNull();
    events = [];
    const b = await back(tabB);
    expect(b.headers.location).toBe('/protected?tab=b');
    expect(events.map((e) => e.type)).toEqual(['token-received']);
    expect((await agent.get(b.headers.location!)).body.user).not.toBeNull();
    expect(events.map((e) => e.type)).toEqual(['token-received', 'accepted']);
  });

  test("a token of a login this browser did not start, on a page: dropped rather than switching the user's account", async () => {
    const { url } = await start();
    const agent = request.agent(url);
    const out = await agent.get('/protected').expect(302);
    const back = await agent.get(providerReturn(returnToOf(out.headers.location), mint(puavoClaims()))).expect(303);
    expect((await agent.get(back.headers.location!)).body.user).not.toBeNull();
    events = [];
    const foreign = await agent.get(`/protected?jwtsso_state=${'A'.repeat(32)}&jwt=${mint(puavoClaims(now(), { username: 'eve' }))}`);
    expect(foreign.status).toBe(303);
    expect(events.map((e) => e.type)).toEqual(['token-dropped']);
    expect((await agent.get('/protected')).body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test('control: not signed in, a foreign token is refused (403), not dropped', async () => {
    const { url } = await start();
    const res = await request(url).get(`/protected?jwtsso_state=${'A'.repeat(32)}&jwt=${mint(puavoClaims())}`);
    expect(res.status).toBe(403);
    expect(events.map((e) => e.type)).toEqual(['refused']);
  });
});

describe('a token signs in once, whichever login-state store kept it on the way', () => {
  test.each(['cookie', 'session'] as const)(
    'loginState %s: the token of a finished sign-in, brought back into a fresh login, is refused as replayed',
    async (loginState) => {
      const { url } = await start({ strategy: { loginState } });
      const token = mint(puavoClaims());
      const b = browser(url);
      expect((await b.signIn('/protected', token)).body.user).not.toBeNull();
      expect((await b.get('/logout')).body).toEqual({ loggedOut: true });
      const callback = await b.returnWith('/protected', token);
      expect(callback.status).toBe(303);
      const res = await b.get(callback.headers.location!);
      expect(res.status).toBe(401);
      expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([Code.TOKEN_REPLAYED]);
    },
  );
});

describe('no one signed in: the trip to the provider, audited, or the answer that replaces it', () => {
  test('a route that redirects: 302 to the provider, and a redirect event', async () => {
    const { url } = await start();
    expect(toProvider(await request(url).get('/protected'))).toBe(true);
    expect(events).toEqual([expect.objectContaining({ type: 'redirect' })]);
  });

  test('a route with redirect: false: 401 LOGIN_REQUIRED, saying to sign in first', async () => {
    const { url } = await start({ authenticate: { redirect: false } });
    const res = await request(url).get('/checked');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: Code.LOGIN_REQUIRED, message: expect.stringMatching(/Not signed in: sign in/) });
  });

  test("a route's authParams that are not strings: a TypeError naming the authenticate option", async () => {
    const { url } = await start({ authenticate: { authParams: { organisation: 42 as unknown as string } } });
    const res = await request(url).get('/protected');
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/authenticate option authParams/);
  });

  // A session cookie that is Secure cannot be set over http: named on a route that keeps the user
  // in the session; a route with session: false keeps none, and goes to the provider as usual.
  test.each<[string, string, (res: request.Response) => void]>([
    ['control: a session route', '/protected', (res) => expect(res.body.code).toBe(Code.SESSION_LOST)],
    ['a route with session: false', '/stateless', (res) => expect(toProvider(res)).toBe(true)],
  ])('a Secure session cookie over http, %s', async (_name, path, expected) => {
    const { url } = await start({
      sessionCookie: { secure: true },
      routes: (express, authenticate) => {
        express.get('/stateless', authenticate({ session: false }), (req, res) => void res.json({ user: req.user ?? null }));
      },
    });
    expected(await request(url).get(path));
  });
});

describe("a request with no response in reach (Passport's own harness, chai-passport-strategy)", () => {
  type Req = { url: string; method: string; headers: Record<string, string>; user?: unknown; session?: object };
  // Which one of its five actions the strategy calls for a request, and with what.
  function attempt(options: Partial<JwtSsoStrategyBaseOptions>, prepare: (req: Req) => void): Promise<{ action: string; args: unknown[] }> {
    const chai: Parameters<typeof chaiPassportStrategy>[0] = {};
    chaiPassportStrategy(chai);
    const strategy = new JwtSsoStrategy(
      { authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, host: 'app.example', ...options },
      (claims, done) => done(null, claims),
    );
    return new Promise((resolve) => {
      chai
        .passport!.use(strategy)
        .request(prepare)
        .pass(() => resolve({ action: 'pass', args: [] }))
        .error((...args: unknown[]) => resolve({ action: 'error', args }))
        .fail((...args: unknown[]) => resolve({ action: 'fail', args }))
        .redirect((...args: unknown[]) => resolve({ action: 'redirect', args }))
        .success((...args: unknown[]) => resolve({ action: 'success', args }))
        .authenticate();
    });
  }

  test('signed in and carrying a marker: passed, the marker left alone (there is nothing to clear it on)', async () => {
    const result = await attempt({}, (req) => {
      req.url = '/page';
      req.headers.cookie = 'jwtsso-done=1.AAAAAAAAAAAAAAAAAAAAAA';
      req.user = { id: 1 };
      req.session = {};
    });
    expect(result.action).toBe('pass');
  });

  // A bare Node server hands Passport a request with no req.res: the strategy has no response to
  // set headers on, and a refused body is still a refusal (the server answers 401), not a fault.
  test.each<[string, number, number]>([
    ['a form body over 32 KiB, refused unread', 40 * 1024, 401],
    ['control: a form body with the token twice, read and refused', 0, 401],
  ])('a bare Node server, form_post: %s', async (_name, padding, status) => {
    const passport = new Passport();
    passport.use(
      new JwtSsoStrategy(
        { authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, callbackPath: '/access/jwt', responseMode: 'form_post' },
        (claims, done) => done(null, claims),
      ),
    );
    const auth = passport.authenticate('jwtsso', { session: false }) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    const server = createServer((req, res) => auth(req, res, (err) => void res.writeHead(err === undefined ? 200 : 500).end()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const body = `jwt=a.b.c&jwt=d.e.f${'&x='.padEnd(padding, 'x')}`;
      const res = await request(server).post('/access/jwt').type('form').send(body);
      expect(res.status).toBe(status);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
