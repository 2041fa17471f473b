// A session that does not last (its cookie never set, or never sent back) is named, not looped
// through the provider: a real Express app with express-session over a loopback socket.
import request from 'supertest';
import { JwtSsoErrorCode } from '../../lib';
import { AUTH_ENDPOINT, startApp, type AppOptions, type TestApp } from '../helpers/app';
import { providerReturn, returnToOf } from '../helpers/flow';
import { mint, puavoClaims } from '../helpers/tokens';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/**
 * A browser with its own cookie jar, written out so that it can do what supertest's jar does not:
 * send Secure cookies on the hop from a TLS-terminating proxy (the browser spoke https to the
 * proxy), withhold a cookie (SameSite=Strict on a cross-site arrival), and send headers on every
 * request (the proxy's X-Forwarded-Proto). Counts its trips to the provider.
 */
function browser(url: string, opts: { headers?: Record<string, string>; withhold?: (name: string) => boolean } = {}) {
  const jar = new Map<string, string>();
  let trips = 0;
  const get = async (path: string): Promise<request.Response> => {
    const cookie = [...jar]
      .filter(([name]) => !(opts.withhold?.(name) ?? false))
      .map(([n, v]) => `${n}=${v}`)
      .join('; ');
    let r = request(url)
      .get(path)
      .set(opts.headers ?? {});
    if (cookie !== '') r = r.set('Cookie', cookie);
    const res = await r;
    for (const line of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, pair!.slice(eq + 1));
    }
    if (res.status === 302 && (res.headers.location ?? '').startsWith(AUTH_ENDPOINT)) trips++;
    return res;
  };
  return {
    get,
    jar,
    trips: () => trips,
    /** Protected page → provider → back with a token → the clean URL: the page after sign-in. */
    async signIn(path = '/protected'): Promise<request.Response> {
      const toProvider = await get(path);
      if (toProvider.status !== 302) return toProvider;
      const callback = await get(providerReturn(returnToOf(toProvider.headers.location), mint(puavoClaims())));
      return callback.status === 303 ? get(callback.headers.location!) : callback;
    },
  };
}

const setCookies = (res: request.Response): string[] => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];

const start = async (options: AppOptions) => (app = await startApp(options));

describe('a session cookie that cannot be set on this request is named before the trip to the provider', () => {
  test.each<[string, AppOptions, Record<string, string>, RegExp]>([
    ['cookie: { secure: true } over local http', { sessionCookie: { secure: true } }, {}, /Secure.*plain http.*https.*'auto'/s],
    [
      'a TLS-terminating proxy (X-Forwarded-Proto: https) without trust proxy',
      { sessionCookie: { secure: true } },
      { 'X-Forwarded-Proto': 'https' },
      /X-Forwarded-Proto: https.*trust proxy/s,
    ],
  ])('%s: a 500 naming the cause, no trip to the provider', async (_name, options, headers, cause) => {
    const { url, errors } = await start(options);
    const b = browser(url, { headers });
    const res = await b.signIn();
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(JwtSsoErrorCode.SESSION_LOST);
    expect(res.body.error).toMatch(cause);
    expect(b.trips()).toBe(0);
    // The next request says it again, and never goes to the provider either.
    expect((await b.get('/protected')).body.code).toBe(JwtSsoErrorCode.SESSION_LOST);
    expect(b.trips()).toBe(0);
    expect(errors).toHaveLength(2);
  });

  test('control: the same proxy WITH trust proxy signs in and stays signed in, with one trip', async () => {
    const { url } = await start({ sessionCookie: { secure: true }, trustProxy: 'loopback' });
    const b = browser(url, { headers: { 'X-Forwarded-Proto': 'https' } });
    const page = await b.signIn();
    expect(page.status).toBe(200);
    expect(page.body.user).toMatchObject({ username: expect.any(String) });
    expect(setCookies(page).join('\n')).toMatch(/connect\.sid=.*Secure/);
    for (let i = 0; i < 3; i++) expect((await b.get('/protected')).body.user).not.toBeNull();
    expect(b.trips()).toBe(1);
  });

  test("control: secure: 'auto' over local http signs in and stays signed in", async () => {
    const { url } = await start({ sessionCookie: { secure: 'auto' } });
    const b = browser(url);
    expect((await b.signIn()).status).toBe(200);
    expect((await b.get('/protected')).body.user).not.toBeNull();
    expect(b.trips()).toBe(1);
  });
});

describe('a browser that signed in moments ago and comes back without its session is told why, not sent round again', () => {
  test.each<[string, AppOptions, RegExp]>([
    [
      "SameSite 'strict' (the session cookie withheld on the arrival from the provider and its reloads)",
      { sessionCookie: { sameSite: 'strict' } },
      /SameSite=Strict/,
    ],
    [
      "a cookie domain the browser refuses ('other.example')",
      { sessionCookie: { sameSite: 'lax', domain: 'other.example' } },
      /domain is other\.example/,
    ],
    ['a session cookie withheld for no reason the request shows', {}, /did not send the session cookie back/],
  ])('%s', async (_name, options, cause) => {
    const { url } = await start(options);
    // The browser never sends the session cookie back (connect.sid), as it would not in each case.
    const b = browser(url, { withhold: (name) => name === 'connect.sid' });
    const page = await b.signIn();
    expect(page.status).toBe(200);
    expect(page.body.user).not.toBeNull();
    expect(setCookies(page).join('\n')).toMatch(/jwtsso-done=[0-9]+\.[\w-]{22}; Path=\/; Max-Age=120; HttpOnly; SameSite=Lax/);
    const next = await b.get('/protected');
    expect(next.status).toBe(500);
    expect(next.body.code).toBe(JwtSsoErrorCode.SESSION_LOST);
    expect(next.body.error).toMatch(cause);
    expect(next.body.error).not.toContain(b.jar.get('connect.sid') ?? '(none)');
    expect(b.trips()).toBe(1); // the sign-in's own, and no second
    // Said once: the marker is gone, so a reload starts a new sign-in (a person chose to).
    expect(setCookies(next).join('\n')).toMatch(/jwtsso-done=; Path=\/; Max-Age=0/);
    expect((await b.get('/protected')).status).toBe(302);
  });

  test('control: logout straight after the sign-in, then sign in again: no lost-session error', async () => {
    const { url } = await start({});
    const b = browser(url);
    expect((await b.signIn()).body.user).not.toBeNull();
    expect((await b.get('/logout')).body).toEqual({ loggedOut: true });
    const again = await b.signIn();
    expect(again.status).toBe(200);
    expect(again.body.user).not.toBeNull();
    expect(b.trips()).toBe(2);
  });

  test('control: a signed-in page clears the marker; logout, then sign in again', async () => {
    const { url } = await start({});
    const b = browser(url);
    await b.signIn();
    const signedIn = await b.get('/protected');
    expect(signedIn.body.user).not.toBeNull();
    expect(setCookies(signedIn).join('\n')).toMatch(/jwtsso-done=; Path=\/; Max-Age=0/);
    expect(b.jar.has('jwtsso-done')).toBe(false);
    await b.get('/logout');
    expect((await b.signIn()).body.user).not.toBeNull();
  });
});

// The marker can only be this process's own: anyone else's (a sibling subdomain over http, a
// copy of a fingerprint, a marker made up, expired or of another process) is no marker, and the
// browser gets the usual sign-in, never a 500.
describe('a planted jwtsso-done marker is no marker: the usual redirect to the provider', () => {
  const emptyJarFingerprint = '47DEQpj8HBSa-_TImW-5JC'; // SHA-256 of no cookies: a public constant
  test.each<[string, () => string]>([
    ['the fingerprint of an empty jar (the unkeyed value of before)', () => emptyJarFingerprint],
    ['a made-up issued time and MAC', () => `${Math.floor(Date.now() / 1000)}.${'A'.repeat(22)}`],
    ['a marker with the fingerprint as its MAC', () => `${Math.floor(Date.now() / 1000)}.${emptyJarFingerprint}`],
    ['junk', () => 'x'],
  ])('%s', async (_name, value) => {
    const { url } = await start({});
    const res = await request(url).get('/protected').set('Cookie', `jwtsso-done=${value()}`);
    expect(res.status).toBe(302);
    expect(res.headers.location!.startsWith(AUTH_ENDPOINT)).toBe(true);
  });

  test("another browser's real marker, copied (same other cookies: none): still only this process's own within 120 s", async () => {
    const { url } = await start({});
    const b = browser(url, { withhold: (name) => name === 'connect.sid' });
    const page = await b.signIn();
    const marker = /jwtsso-done=([^;]*)/.exec(setCookies(page).join('\n'))![1]!;
    // A copy in a browser with the same (no) other cookies is indistinguishable: it is told why
    // once (an attacker learns nothing), and is then cleared; a made-up one above is not.
    const copied = await request(url).get('/protected').set('Cookie', `jwtsso-done=${marker}`);
    expect(copied.status).toBe(500);
    expect(String(copied.headers['set-cookie'])).toMatch(/jwtsso-done=; Path=\/; Max-Age=0/);
  });

  test('a route with session: false keeps no session, so it sets no marker (the next session route signs in)', async () => {
    const { url } = await start({ authenticate: { session: false } });
    const b = browser(url);
    const page = await b.signIn('/checked');
    expect(page.status).toBe(200);
    expect(setCookies(page).join('\n')).not.toMatch(/jwtsso-done=[0-9]/);
  });
});

describe('a signed-in request that still carries the cookies of the login it finished passes', () => {
  test('a client that kept the cleared state and parked-token cookies (curl, a second tab): the page, not TOKEN_REPLAYED', async () => {
    const { url } = await start({});
    const agent = request.agent(url);
    const toProvider = await agent.get('/protected');
    const callback = await agent.get(providerReturn(returnToOf(toProvider.headers.location), mint(puavoClaims())));
    const kept = (callback.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const state = (toProvider.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const page = await agent.get(callback.headers.location!);
    expect(page.body.user).not.toBeNull();
    const session = (page.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('connect.sid'))!.split(';')[0]!;
    const again = await request(url).get('/protected').set('Cookie', `${session}; ${state}; ${kept}`);
    expect(again.status).toBe(200);
    expect(again.body.user).not.toBeNull();
  });
});
