// The cookie login state (the default), end to end through real Express apps: the cookies it
// sets, the hostile cookies it refuses, the bound on pending logins, no session for anonymous
// visits, two instances with no shared session store, and a token too large for a cookie.
import { createHash } from 'node:crypto';
import session from 'express-session';
import request from 'supertest';
import { JwtSsoErrorCode as Code, MemoryReplayStore } from '../../lib';
import {
  CookieLoginState,
  freshSecret,
  MAX_CLEARED_PER_RESPONSE,
  MAX_COOKIE_BYTES,
  MAX_KEPT_RETURN,
  MAX_PENDING_LOGINS,
  PARKED_COOKIE_BYTES,
  STATE_COOKIE_BYTES,
  stateOf,
} from '../../lib/login-state/cookie';
import type { LoginStateContext } from '../../lib/login-state';
import { decodeParked, decodeState, encodeParked, encodeState, mountTag, urlKey } from '../../lib/login-state/codec';
import { startApp, type TestApp } from '../helpers/app';
import { Browser, step, T0 } from './contract';
import { login, providerReturn, returnToOf } from '../helpers/flow';
import { mint, puavoClaims, SECRET } from '../helpers/tokens';

let apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});
async function app(options: Parameters<typeof startApp>[0] = {}): Promise<TestApp> {
  const started = await startApp(options);
  apps.push(started);
  return started;
}

const setCookies = (res: request.Response): string[] => {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : raw === undefined ? [] : [String(raw)];
};
const cookieNamed = (res: request.Response, prefix: string) => setCookies(res).filter((c) => c.startsWith(prefix));
// "name=value" of a Set-Cookie line.
const pairOf = (setCookie: string) => setCookie.split(';')[0]!;

/** A login started by a browser with no cookies: its state, return_to and state cookie. */
async function start(a: TestApp, path = '/protected') {
  const res = await request(a.url).get(path);
  expect(res.status).toBe(302);
  const returnTo = returnToOf(res.headers.location);
  const state = new URL(returnTo).searchParams.get('jwtsso_state')!;
  const [stateCookie] = cookieNamed(res, 'jwtsso-s-').concat(cookieNamed(res, '__Host-jwtsso-s-'));
  const pair = pairOf(stateCookie!);
  const name = pair.slice(0, pair.indexOf('='));
  return { res, returnTo, state, stateCookie: stateCookie!, pair, name, secret: decodeState(pair.slice(name.length + 1))!.secret };
}

/** A state cookie as someone other than the browser could make it: their own secret, or a guess. */
const forged = (expiry: number, secret = 'S'.repeat(32), kept: string | null = null) => encodeState({ expiry, secret, kept });
/** A fresh secret and the state it derives: what a planter who runs their own login has. */
function ownLogin(): { secret: string; state: string } {
  const secret = Buffer.from(Array.from({ length: 24 }, (_, i) => i * 7)).toString('base64url');
  return { secret, state: stateOf(secret) };
}

describe('the cookies it sets', () => {
  test('http, no mountPoint: one HttpOnly, SameSite=Lax cookie named by the state, Path=/, Max-Age=stateMaxAge', async () => {
    const { stateCookie, state } = await start(await app());
    // Named by the state, the app's tag before it; the value: format, expiry, the login's secret (never in a URL).
    expect(stateCookie).toMatch(
      new RegExp(
        `^jwtsso-s-${mountTag('').replace('.', '\\.')}${state}=1~\\d{13}~[A-Za-z0-9_-]{32}~; Path=/; Max-Age=600; HttpOnly; SameSite=Lax$`,
      ),
    );
  });

  test('http below a mountPoint: Path is the mountPoint', async () => {
    const { stateCookie } = await start(await app({ strategy: { mountPoint: '/app' } }));
    expect(stateCookie).toMatch(/; Path=\/app; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  test('https: __Host- prefixed, Secure, Path=/, whatever the mountPoint', async () => {
    const { stateCookie, state } = await start(await app({ strategy: { mountPoint: '/app', scheme: 'https', host: 'app.example' } }));
    // Path=/ for every app of the host, so the name carries the mountPoint (hashed).
    expect(stateCookie).toMatch(
      new RegExp(
        `^__Host-jwtsso-s-[A-Za-z0-9_-]{8}\\.${state}=1~\\d{13}~[A-Za-z0-9_-]{32}~; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$`,
      ),
    );
  });

  test('the return parks the token in a cookie for 60 s; the clean URL takes it and clears both cookies', async () => {
    const a = await app();
    const { returnTo, pair, state, name } = await start(a);
    const back = await request(a.url)
      .get(providerReturn(returnTo, mint(puavoClaims())))
      .set('Cookie', pair);
    expect(back.status).toBe(303);
    const [tokenCookie] = cookieNamed(back, 'jwtsso-t-');
    expect(tokenCookie).toMatch(
      new RegExp(
        `^jwtsso-t-[A-Za-z0-9_-]{8}\\.${state}=1~\\d{13}~${state}~[A-Za-z0-9_-]{22}~[A-Za-z0-9_.-]+; Path=/; Max-Age=60; HttpOnly; SameSite=Lax$`,
      ),
    );
    const clean = await request(a.url)
      .get(back.headers.location!)
      .set('Cookie', `${pair}; ${pairOf(tokenCookie!)}`);
    expect(clean.status).toBe(200);
    expect(cookieNamed(clean, `${name}=;`)).toHaveLength(1);
    expect(cookieNamed(clean, 'jwtsso-t-').every((c) => /=; .*Max-Age=0/.test(c))).toBe(true);
    expect(cookieNamed(clean, 'jwtsso-t-')).toHaveLength(1);
  });
});

describe('hostile state cookies on the return are refused (403)', () => {
  const now = () => Date.now();
  type Started = { pair: string; state: string; name: string; secret: string };
  test.each<[string, (s: Started) => string | undefined, number]>([
    ['control: the cookie as issued', (s) => s.pair, 303],
    ['no cookie at all', () => undefined, 403],
    // A thief who read the callback URL knows the state (so the name), never the secret.
    ["a thief's cookie: the state's name, a made-up secret", (s) => `${s.name}=${forged(now() + 60_000)}`, 403],
    ["a thief's cookie: the state itself as the secret", (s) => `${s.name}=${forged(now() + 60_000, s.state)}`, 403],
    ["a thief's cookie: another login's secret (the thief's own)", (s) => `${s.name}=${forged(now() + 60_000, ownLogin().secret)}`, 403],
    ['the expiry alone (the format before secrets, or a previous deploy)', (s) => `${s.name}=${now() + 60_000}`, 403],
    ['a value of an unknown format version', (s) => `${s.name}=${s.pair.slice(s.name.length + 1).replace(/^1~/, '2~')}`, 403],
    ['a forged value', (s) => `${s.name}=forever`, 403],
    ['the right secret, expired', (s) => `${s.name}=${forged(now() - 1, s.secret)}`, 403],
    ['a negative value', (s) => `${s.name}=-1`, 403],
    ['an oversized value', (s) => `${s.name}=${'9'.repeat(3000)}`, 403],
    ['the name twice (one tossed in)', (s) => `${s.pair}; ${s.pair}`, 403],
    ['the name twice, one of them expired', (s) => `${s.pair}; ${s.name}=${forged(1, s.secret)}`, 403],
    ['a cookie for another state', (s) => `${s.name.replace(s.state, 'A'.repeat(32))}=${s.pair.slice(s.name.length + 1)}`, 403],
    ['the right state under another prefix', (s) => `x${s.pair}`, 403],
    ['the __Host- name over http', (s) => `__Host-${s.pair}`, 403],
  ])('%s', async (_name, cookie, status) => {
    const a = await app();
    const s = await start(a);
    const req = request(a.url).get(providerReturn(s.returnTo, mint(puavoClaims())));
    const res = cookie(s) === undefined ? await req : await req.set('Cookie', cookie(s)!);
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body.code ?? Code.STATE_MISMATCH).toBe(Code.STATE_MISMATCH);
  });

  test('under https a plain-named cookie (as a sibling subdomain over http could plant) is refused', async () => {
    const a = await app({ strategy: { scheme: 'https', host: 'app.example' } });
    const s = await start(a);
    const plain = s.pair.replace(/^__Host-/, '');
    const back = (cookie: string) =>
      request(a.url)
        .get(providerReturn(s.returnTo, mint(puavoClaims())).replace(/^https:\/\/app\.example/, ''))
        .set('Cookie', cookie);
    expect((await back(plain)).status).toBe(403);
    expect((await back(s.pair)).status).toBe(303); // control
  });

  test('a state cookie set for another path is not sent, so the return is refused', async () => {
    const a = await app();
    const s = await start(a);
    const browser = request.agent(a.url);
    browser.jar.setCookie(`${s.pair}; Path=/other`, '127.0.0.1', '/');
    expect((await browser.get(providerReturn(s.returnTo, mint(puavoClaims())))).status).toBe(403);
  });

  test('a used state cannot be used again: the login clears it, the same return is refused in a fresh browser', async () => {
    const a = await app();
    const browser = a.browser();
    const first = await login(browser);
    expect(first.final.status).toBe(200);
    const again = await a.browser().get(providerReturn(first.returnTo, mint(puavoClaims())));
    expect(again.status).toBe(403);
  });
});

describe('hostile parked-token cookies on the clean URL never sign in', () => {
  async function parked(a: TestApp) {
    const s = await start(a);
    const back = await request(a.url)
      .get(providerReturn(s.returnTo, mint(puavoClaims())))
      .set('Cookie', s.pair);
    const tokenCookie = pairOf(cookieNamed(back, 'jwtsso-t-')[0]!);
    return { ...s, clean: back.headers.location!, tokenCookie, tokenName: tokenCookie.split('=')[0]! };
  }
  test.each<[string, (p: Awaited<ReturnType<typeof parked>>) => string, number]>([
    ['control: the cookies as set', (p) => `${p.pair}; ${p.tokenCookie}`, 200],
    ['a malformed value: no token, back to the provider', (p) => `${p.pair}; ${p.tokenName}=garbage`, 302],
    [
      'an expired parked token',
      (p) =>
        `${p.pair}; ${p.tokenName}=${encodeParked({ expiry: Date.now() - 1, state: p.state, url: urlKey('/protected'), token: mint(puavoClaims()) })}`,
      302,
    ],
    ['the name twice', (p) => `${p.pair}; ${p.tokenCookie}; ${p.tokenCookie}`, 302],
    [
      "an attacker's token with the attacker's state, planted: 403",
      (p) =>
        `${p.pair}; ${p.tokenName}=${encodeParked({ expiry: Date.now() + 60_000, state: 'B'.repeat(32), url: urlKey('/protected'), token: mint(puavoClaims(undefined, { username: 'mallory' })) })}`,
      403,
    ],
    ["an attacker's token under the victim's state, but the state cookie gone: 403", (p) => p.tokenCookie, 403],
    // The thief of a callback URL plants the parked token and a state cookie of the state's name: no secret, no sign-in.
    [
      "the victim's parked token and a state cookie guessed from the URL: 403",
      (p) => `${p.name}=${forged(Date.now() + 60_000)}; ${p.tokenCookie}`,
      403,
    ],
    [
      'a token that is not a JWT',
      (p) =>
        `${p.pair}; ${p.tokenName}=${encodeParked({ expiry: Date.now() + 60_000, state: p.state, url: urlKey('/protected'), token: 'not-a-token' })}`,
      401,
    ],
  ])('%s', async (_name, cookie, status) => {
    const a = await app();
    const p = await parked(a);
    const res = await request(a.url).get(p.clean).set('Cookie', cookie(p));
    expect(res.status).toBe(status);
    if (status !== 200) expect(a.verified).toHaveLength(0);
  });
});

test('parked-token cookies planted without a live state cost no key lookup: each is dropped before it is verified (403); control: the live one is looked up once', async () => {
  let lookups = 0;
  const a = await app({
    strategy: {
      sharedSecret: undefined,
      secretOrKeyProvider: () => {
        lookups += 1;
        return SECRET;
      },
    },
  });
  const s = await start(a);
  const planted = Array.from({ length: 10 }, (_, i) => {
    const state = String(i).padStart(32, 'P');
    const value = encodeParked({
      expiry: Date.now() + 60_000,
      state,
      url: urlKey('/protected'),
      token: mint(puavoClaims(), 'a wrong key'),
    });
    return `jwtsso-t-${mountTag('')}${state}=${value}`;
  });
  const res = await request(a.url).get('/protected').set('Cookie', planted.join('; '));
  expect([res.status, lookups]).toEqual([403, 0]);
  const back = await request(a.url)
    .get(providerReturn(s.returnTo, mint(puavoClaims())))
    .set('Cookie', s.pair);
  const own = pairOf(cookieNamed(back, 'jwtsso-t-')[0]!);
  const page = await request(a.url)
    .get('/protected')
    .set('Cookie', [s.pair, own, ...planted].join('; '));
  expect([page.status, lookups]).toEqual([200, 1]);
});

test(`more pending logins than the bound: a browser holds at most ${MAX_PENDING_LOGINS} states, the oldest go first`, async () => {
  const a = await app();
  const browser = a.browser();
  const returns: string[] = [];
  for (let i = 0; i < MAX_PENDING_LOGINS + 2; i++) returns.push(returnToOf((await browser.get(`/protected/tab-${i}`)).headers.location));
  const held = browser.jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .filter((c) => c.name.startsWith('jwtsso-s-') && c.value !== ''); // cleared ones have no value
  expect(held).toHaveLength(MAX_PENDING_LOGINS);
  expect((await browser.get(providerReturn(returns[0]!, mint(puavoClaims())))).status).toBe(403);
  expect((await browser.get(providerReturn(returns[1]!, mint(puavoClaims())))).status).toBe(403);
  expect((await browser.get(providerReturn(returns[2]!, mint(puavoClaims())))).status).toBe(303);
  expect((await browser.get(providerReturn(returns.at(-1)!, mint(puavoClaims())))).status).toBe(303);
});

test(`kept return paths cannot grow a browser's state cookies past ${STATE_COOKIE_BYTES} bytes; the newest login always survives`, async () => {
  // A provider that carries no return URL: where the user was going is kept in the state cookie.
  const a = await app({ strategy: { callbackPath: '/cb', returnToParam: false, stateIn: 'param' } });
  const browser = a.browser();
  const held = () =>
    browser.jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .filter((c) => c.name.startsWith('jwtsso-s-') && c.value !== '');
  let newest = '';
  for (let i = 0; i < 12; i++) {
    const res = await browser.get(`/protected/${i}?q=${'x'.repeat(480)}`);
    newest = new URL(res.headers.location!).searchParams.get('jwtsso_state')!;
    const bytes = held().reduce((sum, c) => sum + c.name.length + c.value.length + 1, 0);
    expect(bytes).toBeLessThanOrEqual(STATE_COOKIE_BYTES);
    expect(held().map((c) => c.name)).toContain(`jwtsso-s-${mountTag('')}${newest}`);
  }
  // Each kept path is long, so fewer logins are pending than the count bound allows.
  expect(held().length).toBeLessThan(MAX_PENDING_LOGINS);
  expect(held().length).toBeGreaterThanOrEqual(2);
  // A path over MAX_KEPT_RETURN is not kept at all: the cookie holds only the expiry and the secret.
  await browser.get(`/protected/long?q=${'y'.repeat(MAX_KEPT_RETURN)}`);
  const last = held().sort((x, y) => y.value.length - x.value.length);
  expect(held().some((c) => /^1~[0-9]+~[A-Za-z0-9_-]{32}~$/.test(c.value))).toBe(true);
  // The kept path's field (base64url of at most MAX_KEPT_RETURN bytes) stays within what the codec reads back.
  expect(last[0]!.value.split('~')[3]!.length).toBeLessThanOrEqual(Math.ceil((MAX_KEPT_RETURN * 4) / 3));
});

describe('anonymous visits store no session', () => {
  async function sessionsAfterAnonymousGets(loginState: 'cookie' | 'session'): Promise<number> {
    const store = new session.MemoryStore();
    const a = await app({ strategy: { loginState }, sessionStore: store });
    for (let i = 0; i < 50; i++) expect((await request(a.url).get('/protected')).status).toBe(302);
    return new Promise((resolve, reject) => store.length((err, n) => (err ? reject(err as Error) : resolve(n ?? 0))));
  }
  test('50 anonymous GETs, each from a fresh browser, with the cookie login state: 0 sessions', async () => {
    expect(await sessionsAfterAnonymousGets('cookie')).toBe(0);
  });
  test('the same with loginState "session": 50 sessions (what 0.1 did)', async () => {
    expect(await sessionsAfterAnonymousGets('session')).toBe(50);
  });

  // A refusal's handling can write a session too: Passport's failureMessage pushes onto
  // req.session.messages. The README's custom callback answers without storing anything.
  const sessionsAfterJunkTokens = async (authenticate: NonNullable<Parameters<typeof startApp>[0]>['authenticate'], path: string) => {
    const store = new session.MemoryStore();
    const a = await app({ sessionStore: store, authenticate });
    for (let i = 0; i < 50; i++) expect([302, 403]).toContain((await request(a.url).get(`${path}?jwt=a.b.c${i}`)).status);
    return new Promise<number>((resolve, reject) => store.length((err, n) => (err ? reject(err as Error) : resolve(n ?? 0))));
  };
  test("50 anonymous requests with a junk ?jwt=, refused through a custom callback (the README's requireUser): 0 sessions", async () => {
    expect(await sessionsAfterJunkTokens({}, '/checked')).toBe(0);
  });
  test('the same refused with failureRedirect + failureMessage: 50 sessions (why the README does not recommend it)', async () => {
    expect(await sessionsAfterJunkTokens({ failureRedirect: '/whoami', failureMessage: true }, '/protected')).toBe(50);
  });
});

test('two instances with no shared session store: a login started on one and finished on the other works', async () => {
  const replayStore = new MemoryReplayStore();
  const a = await app({ strategy: { replayStore }, sessionStore: new session.MemoryStore() });
  const b = await app({ strategy: { replayStore }, sessionStore: new session.MemoryStore() });
  // One browser, one cookie jar for both: cookies are not kept apart by port, as one origin
  // behind a load balancer.
  const toA = request.agent(a.url);
  const toB = request.agent(b.url);
  toB.jar = toA.jar;
  const returnTo = returnToOf((await toA.get('/protected')).headers.location);
  const back = await toB.get(providerReturn(returnTo, mint(puavoClaims())));
  expect(back.status).toBe(303);
  const page = await toA.get(back.headers.location!);
  expect(page.status).toBe(200);
  expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
});

describe('a token too large for a cookie creates a session only once it verified and was recorded', () => {
  const sessions = (store: session.MemoryStore) =>
    new Promise<number>((resolve, reject) => store.length((err, n) => (err ? reject(err as Error) : resolve(n ?? 0))));

  test("junk of the right shape, sent 50 times with the sender's own live state: 0 sessions, each a 401", async () => {
    const store = new session.MemoryStore();
    const a = await app({ sessionStore: store });
    const attacker = a.browser();
    const returnTo = returnToOf((await attacker.get('/protected')).headers.location);
    const junk = `${'a'.repeat(100)}.${'b'.repeat(8000)}.c`;
    for (let i = 0; i < 50; i++) expect((await attacker.get(providerReturn(returnTo, junk))).status).toBe(401);
    expect(await sessions(store)).toBe(0);
  });

  test('one genuine large token sent again and again: one session, then TOKEN_REPLAYED, and no more sessions', async () => {
    const store = new session.MemoryStore();
    const codes: string[] = [];
    const a = await app({ sessionStore: store, strategy: { onEvent: (e) => e.code !== undefined && codes.push(e.code) } });
    const attacker = a.browser();
    const returnTo = returnToOf((await attacker.get('/protected')).headers.location);
    const big = mint(puavoClaims(undefined, { note: 'x'.repeat(5000) }));
    expect((await attacker.get(providerReturn(returnTo, big))).status).toBe(303);
    for (let i = 0; i < 10; i++) expect((await a.browser().get(providerReturn(returnTo, big))).status).toBe(403); // others: no state
    for (let i = 0; i < 10; i++) expect((await attacker.get(providerReturn(returnTo, big))).status).toBe(401);
    expect(codes.filter((c) => c === 'ERR_JWTSSO_TOKEN_REPLAYED')).toHaveLength(10);
    expect(await sessions(store)).toBe(1);
  });
});

test('a token too large for a cookie waits in the server session, and the login works', async () => {
  const a = await app();
  const browser = a.browser();
  const big = mint(puavoClaims(undefined, { note: 'x'.repeat(5000) }));
  expect(big.length).toBeGreaterThan(4000);
  const returnTo = returnToOf((await browser.get('/protected')).headers.location);
  const back = await browser.get(providerReturn(returnTo, big));
  expect(back.status).toBe(303);
  expect(cookieNamed(back, 'jwtsso-t-')).toEqual([]);
  expect((await browser.get(back.headers.location!)).status).toBe(200);
});

test('with session: false, the cookie login state needs no session at all', async () => {
  const a = await app({ session: false, authenticate: { session: false } });
  const { final } = await login(a.browser());
  expect(final.status).toBe(200);
  expect(final.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
});

describe('the cookie store keeps only a checked token, only under its own mountPoint and names, and clears a bounded number', () => {
  test.each<[string, string]>([
    ['cookie attributes after the token', `${mint(puavoClaims())}%3B%20Domain%3Dexample.org%3B%20Partitioned`],
    ['a space', 'not-a-jwt%20at%20all'],
    ['CR LF and a header', 'a.b.c%0D%0ASet-Cookie:%20x=1'],
    ['a NUL byte', 'a.b.c%00'],
    ['a character above U+00FF', 'a.b.c%C4%80'],
    ['a euro sign', 'a.b.c%E2%82%AC'],
    ['two dots only', '..'],
    ['four parts', 'a.b.c.d'],
  ])('a token parameter with %s is refused (401 malformed) before it is kept anywhere', async (_name, jwt) => {
    for (const loginState of ['cookie', 'session'] as const) {
      const a = await app({ strategy: { state: false, loginState } });
      const res = await request(a.url).get(`/checked?jwt=${jwt}`);
      expect([res.status, res.body.code]).toEqual([401, Code.TOKEN_MALFORMED]);
      expect(setCookies(res).filter((c) => c.includes('jwtsso'))).toEqual([]);
    }
  });

  test('two apps on one https host (mountPoint /a and /b): a token parked for one is never taken by the other', async () => {
    const https = { scheme: 'https', host: 'apps.example.org' } as const;
    const a = await app({ strategy: { ...https, mountPoint: '/a' } });
    const b = await app({ strategy: { ...https, mountPoint: '/b' } });
    const s = await start(a);
    const back = await request(a.url)
      .get(providerReturn(s.returnTo, mint(puavoClaims())).replace(/^\/a/, ''))
      .set('Cookie', s.pair);
    expect(back.status).toBe(303);
    // Path=/ under https: the browser sends app a's cookies to app b too.
    const cookies = `${s.pair}; ${pairOf(cookieNamed(back, '__Host-jwtsso-t-')[0]!)}`;
    const atB = await request(b.url).get('/protected').set('Cookie', cookies);
    expect(atB.status).toBe(302); // not signed in at b: sent to the provider
    expect(b.verified).toHaveLength(0);
    const atA = await request(a.url).get('/protected').set('Cookie', cookies);
    expect(atA.status).toBe(200); // control: app a takes its own
  });

  test('a name behind a no-break space is another name, not a __Host- cookie', async () => {
    const a = await app({ strategy: { scheme: 'https', host: 'app.example' } });
    const s = await start(a);
    const res = await request(a.url)
      .get(providerReturn(s.returnTo, mint(puavoClaims())).replace(/^https:\/\/app\.example/, ''))
      .set('Cookie', Buffer.from(`\u00a0${s.pair}`, 'latin1').toString('latin1'));
    expect(res.status).toBe(403);
  });

  test('cookie names the store did not issue are neither counted nor echoed back in Set-Cookie', async () => {
    const a = await app();
    const junk = ['jwtsso-s-a b"c', 'jwtsso-s-x,Path=/evil', 'jwtsso-s-short', `jwtsso-s-${'x'.repeat(33)}`];
    const res = await request(a.url)
      .get('/protected')
      .set('Cookie', junk.map((n) => `${n}=1`).join('; '));
    expect(res.status).toBe(302);
    const names = setCookies(res).map((c) => c.slice(0, c.indexOf('=')));
    for (const n of junk) expect(names).not.toContain(n);
    expect(names.filter((n) => n.startsWith('jwtsso-s-'))).toHaveLength(1); // the new state only
  });

  test('three hundred state cookies (as much as a 16 KiB header holds): one response clears at most 20', async () => {
    const a = await app();
    const many = Array.from({ length: 300 }, (_, i) => `jwtsso-s-${mountTag('')}${String(i).padStart(32, 'A')}=1`).join('; ');
    const res = await request(a.url).get('/protected').set('Cookie', many);
    expect(res.status).toBe(302);
    expect(setCookies(res).filter((c) => /Max-Age=0/.test(c))).toHaveLength(20);
  });

  // The app's setup (no session middleware) is a fault, named; junk of the same size stays a refusal.
  test.each<[string, string | undefined, number, string, RegExp]>([
    ['a genuine token: 500, the session required, naming the fix', undefined, 500, Code.SESSION_REQUIRED, /mount session middleware/],
    ['a forged token of the same size: refused (401), it costs no fault', 'not-the-secret', 401, Code.SIGNATURE_INVALID, /./],
  ])('a token too large for a cookie with session: false and no session, %s', async (_name, secret, status, code, message) => {
    const a = await app({ session: false, authenticate: { session: false } });
    const browser = a.browser();
    const returnTo = returnToOf((await browser.get('/checked')).headers.location);
    const token = mint(puavoClaims(undefined, { note: 'x'.repeat(5000) }), secret);
    const res = await browser.get(providerReturn(returnTo, token));
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    // A fault reaches the app's error handler ({ error }), a refusal the route's answer ({ message }).
    expect(res.body.error ?? res.body.message).toMatch(message);
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(String(res.headers['set-cookie'])).not.toMatch(/jwtsso-t-/);
  });
});

// A provider with no return URL (returnToParam: false): where the user was going waits in the
// state cookie, which a sibling subdomain over http can plant. Whatever it holds, the browser is
// only ever sent to a path of this app.
describe('a kept return path is only a path of this app, whatever the state cookie holds', () => {
  const shape = { callbackPath: '/cb', returnToParam: false as const, stateIn: 'param' as const };
  test.each<[string, string, string]>([
    ['control: the path it kept', '/deep/page?tab=2', '/deep/page?tab=2'],
    ['another host, protocol-relative', '//evil.example/x', '/evil.example/x'],
    ['another host, a backslash', '/\\evil.example/x', '/evil.example/x'],
    ['an absolute URL (a path of this origin after all)', 'https://evil.example/x', '/https://evil.example/x'],
    ['a CR LF header injection', '/x\r\nSet-Cookie: a=b', '/x%0D%0ASet-Cookie:%20a=b'],
    ['dot segments', '/a/../../x', '/x'],
  ])('%s', async (_name, kept, location) => {
    const a = await app({ strategy: shape });
    const res = await request(a.url).get('/protected');
    expect(res.status).toBe(302);
    // A sibling subdomain over http plants a whole login of its own: its secret, its state.
    const { secret, state } = ownLogin();
    const back = await request(a.url)
      .get(`/cb?jwtsso_state=${state}&jwt=${mint(puavoClaims())}`)
      .set('Cookie', `jwtsso-s-${mountTag('')}${state}=${forged(Date.now() + 60_000, secret, kept)}`);
    expect({ status: back.status, location: back.headers.location }).toEqual({ status: 303, location });
  });

  test(`a kept path longer than the cookie holds (${MAX_KEPT_RETURN} bytes) is not a live state: 403`, async () => {
    const a = await app({ strategy: shape });
    const res = await request(a.url).get('/protected');
    expect(res.status).toBe(302);
    const { secret, state } = ownLogin();
    const back = await request(a.url)
      .get(`/cb?jwtsso_state=${state}&jwt=${mint(puavoClaims())}`)
      .set('Cookie', `jwtsso-s-${mountTag('')}${state}=1~${Date.now() + 60_000}~${secret}~${'A'.repeat(701)}`);
    expect(back.status).toBe(403);
  });
});

// The one cookie a cross-site form POST parks its token in: whatever a site sends, a browser
// holds at most it, and it is taken only on its own URL, once.
describe('the posted-token cookie', () => {
  const formPost = { callbackPath: '/access/jwt', responseMode: 'form_post' as const };
  const value = (url: string, token: string, expiry = Date.now() + 60_000) =>
    encodeParked({ expiry, state: null, url: urlKey(url), token });
  const posted = `jwtsso-t-${mountTag('')}posted`;
  const clears = (res: request.Response) => cookieNamed(res, posted).some((c) => /Max-Age=0/.test(c));

  test.each<[string, (token: string) => string, boolean]>([
    ['for another URL: left for it, not taken, not cleared', (t) => `${posted}=${value('/other', t)}`, false],
    ['expired: cleared, not taken', (t) => `${posted}=${value('/protected', t, Date.now() - 1)}`, true],
    [
      'sent twice (one planted): cleared, not taken',
      (t) => `${posted}=${value('/protected', t)}; ${posted}=${value('/protected', t)}`,
      true,
    ],
    ['junk: cleared, not taken', () => `${posted}=a~b~c`, true],
  ])('a posted-token cookie %s', async (_name, cookie, cleared) => {
    const a = await app({ strategy: formPost });
    const res = await request(a.url)
      .get('/protected')
      .set('Cookie', cookie(mint(puavoClaims())));
    expect(res.status).toBe(302); // not signed in: sent to the provider
    expect(clears(res)).toBe(cleared);
    expect(a.verified).toHaveLength(0);
  });
});

describe('a login’s secret is drawn from a pool, every byte handed out once', () => {
  test('three pools’ worth of secrets: each 32 base64url characters (24 bytes), no two alike', () => {
    const secrets = Array.from({ length: 3 * 128 + 5 }, () => freshSecret());
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  test('the pool is refilled by the CSPRNG, not reused: after a refill the bytes differ from the last pool’s', () => {
    const first = Array.from({ length: 128 }, () => freshSecret());
    const next = Array.from({ length: 128 }, () => freshSecret());
    expect(next.filter((s) => first.includes(s))).toEqual([]);
  });
});

describe('the state is the labelled SHA-256 of the secret: its first 24 bytes, base64url', () => {
  test.each(['A'.repeat(32), 'abcdefghijklmnopqrstuvwxyz012345', 'é-non-ascii_secret', ''])('%j', (secret) => {
    const expected = createHash('sha256').update(`passport-jwtsso state\n${secret}`).digest().subarray(0, 24).toString('base64url');
    expect(stateOf(secret)).toBe(expected);
  });
});

describe('what the cookie store works out once per request is answered for the question asked', () => {
  const ctxWith = (cookie: string | undefined, res?: { lines: string[] }) =>
    ({
      req: { headers: cookie === undefined ? {} : { cookie } },
      res: res && { headersSent: false, setHeader: () => undefined, appendHeader: (_n: string, v: string) => res.lines.push(v) },
      session: undefined,
      now: 1_000_000,
      secure: false,
    }) as unknown as LoginStateContext;

  // Two logins issued by one store, their cookies as a browser sends them back.
  function twoLogins(): { store: CookieLoginState; cookie: string; a: string; b: string } {
    const store = new CookieLoginState({ mountPoint: '' });
    const res = { lines: [] as string[] };
    const a = store.issue(ctxWith(undefined, res), 600);
    const b = store.issue(ctxWith(undefined, res), 600);
    const cookie = res.lines.map((l) => l.split(';')[0]!).join('; ');
    return { store, cookie, a, b };
  }

  test('control: each state of the request is live, asked in turn on one context', () => {
    const { store, cookie, a, b } = twoLogins();
    const ctx = ctxWith(cookie);
    expect(store.isLive(ctx, a, { useUp: false })).toBe(true);
    expect(store.isLive(ctx, b, { useUp: false })).toBe(true);
    expect(store.isLive(ctx, a, { useUp: false })).toBe(true);
  });

  test('a state the request does not prove, asked after one it does, on the same context, is not live', () => {
    const { store, cookie, a } = twoLogins();
    const ctx = ctxWith(cookie);
    expect(store.isLive(ctx, a, { useUp: false })).toBe(true);
    expect(store.isLive(ctx, stateOf('another-secret-the-browser-never-had'), { useUp: false })).toBe(false);
  });

  test('the same context with another Cookie header is read anew', () => {
    const { store, cookie, a } = twoLogins();
    const ctx = ctxWith(cookie);
    expect(store.isLive(ctx, a, { useUp: false })).toBe(true);
    (ctx.req.headers as Record<string, string>).cookie = 'other=1';
    expect(store.isLive(ctx, a, { useUp: false })).toBe(false);
  });

  test('a token parked for another URL on the same request is parked under that URL', () => {
    const store = new CookieLoginState({ mountPoint: '' });
    const res = { lines: [] as string[] };
    const ctx = ctxWith(undefined, res);
    const pending = { token: mint(puavoClaims()), state: null };
    expect(store.spillsToSession(ctx, '/one', pending)).toBe(false);
    store.park(ctx, '/two', pending);
    const value = res.lines[0]!.split(';')[0]!.split('=')[1]!;
    expect(decodeParked(value)?.url).toBe(urlKey('/two'));
  });
});

// The bounds of the cookie store, to the byte and to the cookie, one request at a time (a
// "browser" of contract.ts: a cookie jar that applies each response's Set-Cookie, and a session).
describe('the state cookies a browser holds: which count toward the bound, and which go first', () => {
  const tag = mountTag('');
  const stateNames = (b: Browser) => [...b.cookies.keys()].filter((k) => k.includes('jwtsso-s-'));

  test.each<[string, boolean, (i: number) => string]>([
    [
      'control: names the store issues count (12 held, 3 cleared for the new one)',
      true,
      (i) => `jwtsso-s-${tag}${String(i).padStart(32, 'A')}`,
    ],
    ['a state one character too long', false, (i) => `jwtsso-s-${tag}${String(i).padStart(33, 'A')}`],
    ['a tag with no dot', false, (i) => `jwtsso-s-${tag.slice(0, -1)}x${String(i).padStart(32, 'A')}`],
  ])('over http, %s', (_name, counted, name) => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    for (let i = 0; i < 12; i++) browser.cookies.set(name(i), '1');
    step(browser, T0, (ctx) => store.issue(ctx, 600));
    expect(stateNames(browser)).toHaveLength(counted ? MAX_PENDING_LOGINS : 13);
  });

  test.each<[string, boolean, (i: number) => string]>([
    ['control: names the store issues count', true, (i) => `__Host-jwtsso-s-${tag}${String(i).padStart(32, 'A')}`],
    ['a character before the tag', false, (i) => `__Host-jwtsso-s-x${tag}${String(i).padStart(32, 'A')}`],
    ['a character after the state', false, (i) => `__Host-jwtsso-s-${tag}${String(i).padStart(32, 'A')}x`],
  ])('under https (the host-wide budget), %s', (_name, counted, name) => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    for (let i = 0; i < 12; i++) browser.cookies.set(name(i), '1');
    step(browser, T0, (ctx) => store.issue(ctx, 600), { secure: true });
    expect(stateNames(browser)).toHaveLength(counted ? MAX_PENDING_LOGINS : 13);
  });

  test.each<[string, boolean]>([
    ['in the order they were issued (control)', false],
    ['newest first', true],
  ])('the oldest login goes first, whatever the order the browser sends its cookies: %s', (_name, reversed) => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    const states = Array.from({ length: MAX_PENDING_LOGINS }, (_, i) => step(browser, T0 + i * 1000, (ctx) => store.issue(ctx, 600)));
    const sent = [...browser.cookies];
    if (reversed) sent.reverse();
    browser.cookies.clear();
    for (const [k, v] of sent) browser.cookies.set(k, v);
    step(browser, T0 + 20_000, (ctx) => store.issue(ctx, 600));
    const alive = states.map((s) => step(browser, T0 + 21_000, (ctx) => store.isLive(ctx, s, { useUp: false })));
    expect(alive).toEqual([false, ...Array(MAX_PENDING_LOGINS - 1).fill(true)]);
  });

  // What the new login's state cookie takes of the budget, and the name of an older one beside it.
  const newStateBytes = () =>
    `jwtsso-s-${tag}`.length + 32 + encodeState({ expiry: T0 + 600_000, secret: 'S'.repeat(32), kept: null }).length + 1;
  const olderState = () => `jwtsso-s-${tag}${'P'.repeat(32)}`;

  // One planted cookie of a store's name shape beside the new login: the two together at the bound stay, one byte more and it goes.
  test.each<[string, number, boolean]>([
    [`exactly ${STATE_COOKIE_BYTES} bytes: both kept`, STATE_COOKIE_BYTES, true],
    [`${STATE_COOKIE_BYTES + 1} bytes: the older cleared`, STATE_COOKIE_BYTES + 1, false],
  ])('a state cookie and the new one together at %s', (_name, total, kept) => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    const planted = olderState();
    browser.cookies.set(planted, 'x'.repeat(total - newStateBytes() - planted.length - 1));
    step(browser, T0, (ctx) => store.issue(ctx, 600));
    expect(browser.cookies.has(planted)).toBe(kept);
    expect(stateNames(browser)).toHaveLength(kept ? 2 : 1);
  });

  // A name the browser sends twice (the store's cookie and a planted copy of it) takes its bytes twice.
  test.each<[string, number, boolean]>([
    [`sent once, with the new one exactly ${STATE_COOKIE_BYTES} bytes: kept (control)`, 1, true],
    [`sent twice, the two copies with the new one ${STATE_COOKIE_BYTES + 1} bytes: cleared`, 2, false],
  ])('an older state cookie %s', (_name, copies, kept) => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    const older = olderState();
    // One copy takes `older.length + 1 + length` bytes; two copies take the budget's last byte and one more.
    const room = STATE_COOKIE_BYTES - newStateBytes();
    const length = copies === 1 ? room - older.length - 1 : Math.ceil((room + 1) / 2) - older.length - 1;
    browser.cookies.set(older, 'x'.repeat(length));
    if (copies === 2) browser.planted.push(`${older}=${'y'.repeat(room + 1 - 2 * (older.length + 1) - length)}`);
    step(browser, T0, (ctx) => store.issue(ctx, 600));
    expect(browser.cookies.has(older)).toBe(kept);
    expect(stateNames(browser)).toHaveLength(kept ? 2 : 1);
  });

  test.each<[string, string, boolean]>([
    [`a path of exactly ${MAX_KEPT_RETURN} bytes is kept (control)`, `/${'x'.repeat(MAX_KEPT_RETURN - 1)}`, true],
    [`a path of ${MAX_KEPT_RETURN + 1} bytes is not`, `/${'x'.repeat(MAX_KEPT_RETURN)}`, false],
    [`${MAX_KEPT_RETURN - 1} bytes of two-byte characters are kept`, `/${'ä'.repeat((MAX_KEPT_RETURN - 2) / 2)}`, true],
    [
      `${MAX_KEPT_RETURN + 1} bytes in fewer characters are not (bytes count, not characters)`,
      `/${'ä'.repeat(MAX_KEPT_RETURN / 2)}`,
      false,
    ],
  ])('%s', (_name, path, kept) => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue(ctx, 600, path));
    expect(step(browser, T0, (ctx) => store.returnTo(ctx, state))).toBe(kept ? path : null);
    expect(step(browser, T0, (ctx) => store.isLive(ctx, state, { useUp: false }))).toBe(true);
  });
});

describe('where a returned token waits: a cookie within its budget to the byte, else the session', () => {
  const tag = mountTag('');
  const state = 'S'.repeat(32);
  const name = `jwtsso-t-${tag}${state}`;
  // A token whose parked cookie (name, `=`, value) is exactly `bytes` long.
  const tokenFor = (bytes: number) => {
    const base = name.length + encodeParked({ expiry: T0 + 60_000, state, url: urlKey('/p'), token: '' }).length + 1;
    return `a.${'b'.repeat(bytes - base - 4)}.c`;
  };
  const park = (browser: Browser, token: string) => step(browser, T0, (ctx) => store().park(ctx, '/p', { token, state }));
  const store = () => new CookieLoginState({ mountPoint: '' });

  test.each<[string, number, number, 'cookie' | 'session']>([
    [`a cookie of exactly ${MAX_COOKIE_BYTES} bytes (control)`, MAX_COOKIE_BYTES, 0, 'cookie'],
    [`a cookie of ${MAX_COOKIE_BYTES + 1} bytes`, MAX_COOKIE_BYTES + 1, 0, 'session'],
    [`with another app's, ${PARKED_COOKIE_BYTES} bytes together`, MAX_COOKIE_BYTES, PARKED_COOKIE_BYTES - MAX_COOKIE_BYTES, 'cookie'],
    [
      `with another app's, ${PARKED_COOKIE_BYTES + 1} bytes together`,
      MAX_COOKIE_BYTES,
      PARKED_COOKIE_BYTES - MAX_COOKIE_BYTES + 1,
      'session',
    ],
  ])('%s', (_name, bytes, other, where) => {
    const browser = new Browser();
    const otherName = `jwtsso-t-${tag}${'O'.repeat(32)}`;
    if (other > 0) browser.cookies.set(otherName, 'x'.repeat(other - otherName.length - 1));
    const token = tokenFor(bytes);
    park(browser, token);
    expect(browser.cookies.has(name)).toBe(where === 'cookie');
    expect(browser.cookies.get(name)?.length ?? bytes - name.length - 1).toBe(bytes - name.length - 1);
    expect(step(browser, T0, (ctx) => store().take(ctx, '/p')).map((p) => p.token)).toContain(token);
  });

  test.each<[string, number, 'cookie' | 'session']>([
    [`another app's sent once, ${PARKED_COOKIE_BYTES} bytes together (control)`, 1, 'cookie'],
    [`another app's sent twice (a planted copy), ${PARKED_COOKIE_BYTES + 1} bytes together`, 2, 'session'],
  ])('%s: each copy counts', (_name, copies, where) => {
    const browser = new Browser();
    const otherName = `jwtsso-t-${tag}${'O'.repeat(32)}`;
    const room = PARKED_COOKIE_BYTES - MAX_COOKIE_BYTES;
    if (copies === 1) browser.cookies.set(otherName, 'x'.repeat(room - otherName.length - 1));
    else {
      const first = Math.ceil((room + 1) / 2) - otherName.length - 1;
      browser.cookies.set(otherName, 'x'.repeat(first));
      browser.planted.push(`${otherName}=${'y'.repeat(room + 1 - 2 * (otherName.length + 1) - first)}`);
    }
    const token = tokenFor(MAX_COOKIE_BYTES);
    park(browser, token);
    expect(browser.cookies.has(name)).toBe(where === 'cookie');
    expect(step(browser, T0, (ctx) => store().take(ctx, '/p')).map((p) => p.token)).toContain(token);
  });

  test('a token parked again under its own name replaces it: the old one is not counted against the new', () => {
    const browser = new Browser();
    browser.cookies.set(name, 'x'.repeat(3000));
    const token = tokenFor(MAX_COOKIE_BYTES);
    park(browser, token);
    expect(decodeParked(browser.cookies.get(name)!)?.token).toBe(token);
  });

  test('where the framework gives no response, the token waits in the session (control: a response gets the cookie)', () => {
    const browser = new Browser();
    step(browser, T0, (ctx) => store().park({ ...ctx, res: undefined }, '/p', { token: 'a.b.c', state }));
    expect(browser.cookies.size).toBe(0);
    expect(step(browser, T0, (ctx) => store().take(ctx, '/p'))).toEqual([{ token: 'a.b.c', state }]);
    park(browser, 'a.b.c');
    expect(browser.cookies.has(name)).toBe(true);
  });

  test('a token asked about in one request and parked in another is worked out for the request that parks it', () => {
    const s = store();
    const browser = new Browser();
    const pending = { token: 'a.b.c', state: null };
    expect(s.spillsToSession({ ...browser.request(T0), res: undefined }, '/p', pending)).toBe(true);
    step(browser, T0, (ctx) => s.park({ ...ctx, session: undefined }, '/p', pending));
    expect([...browser.cookies.keys()].filter((k) => k.startsWith(`jwtsso-t-${tag}`))).toHaveLength(1);
  });

  test('too large for a cookie and no session: refused, naming the fix, never quoting the token', () => {
    const token = tokenFor(MAX_COOKIE_BYTES + 1);
    let error: { code?: string; message?: string } | undefined;
    try {
      step(new Browser(), T0, (ctx) => store().park({ ...ctx, session: undefined }, '/p', { token, state }));
    } catch (err) {
      error = err as typeof error;
    }
    expect(error?.code).toBe(Code.TOKEN_MALFORMED);
    expect(error?.message).toMatch(/mount session middleware/);
    expect(error?.message).not.toContain(token);
  });

  test.each<[string, (ctx: LoginStateContext) => LoginStateContext, string, boolean]>([
    ['control: a small token, a response: the one posted-token cookie', (ctx) => ctx, 'a.b.c', true],
    ['no response to set it on', (ctx) => ({ ...ctx, res: undefined }), 'a.b.c', false],
    [`a token past ${MAX_COOKIE_BYTES} bytes`, (ctx) => ctx, `a.${'b'.repeat(MAX_COOKIE_BYTES)}.c`, false],
  ])('a cross-site POST: %s', (_name, adjust, token, parks) => {
    const browser = new Browser();
    const post = () => step(browser, T0, (ctx) => store().park(adjust(ctx), '/p', { token, state: null }, { crossSite: true }));
    if (parks) {
      post();
      expect([...browser.cookies.keys()]).toEqual([`jwtsso-t-${tag}posted`]);
      expect(browser.session).toEqual({});
    } else {
      expect(post).toThrow(/does not fit the cookie/);
      expect(browser.cookies.size).toBe(0);
    }
  });
});

describe('taking parked tokens: the newest first, a bounded number, whatever the request sends', () => {
  const tag = mountTag('');
  const store = new CookieLoginState({ mountPoint: '' });
  const parkedAt = (expiry: number, state: string) =>
    [`jwtsso-t-${tag}${state}`, encodeParked({ expiry, state, url: urlKey('/p'), token: `a.${state}.c` })] as const;

  test('three tokens for one URL, sent in no order: the newest first', () => {
    const browser = new Browser();
    for (const [offset, s] of [
      [1000, 'A'],
      [0, 'B'],
      [2000, 'C'],
      [500, 'D'],
    ] as const)
      browser.cookies.set(...parkedAt(T0 + offset, s.repeat(32)));
    const taken = step(browser, T0 - 1000, (ctx) => store.take(ctx, '/p'));
    expect(taken.map((p) => p.state?.[0])).toEqual(['C', 'A', 'D', 'B']);
  });

  test(`more than ${MAX_PENDING_LOGINS} for one URL: the ${MAX_PENDING_LOGINS} newest are taken (each costs a verification), every one is cleared`, () => {
    const browser = new Browser();
    for (let i = 0; i < MAX_PENDING_LOGINS + 2; i++) browser.cookies.set(...parkedAt(T0 + i, String(i).padStart(32, 'P')));
    const taken = step(browser, T0 - 1000, (ctx) => store.take(ctx, '/p'));
    expect(taken.map((p) => p.state)).toEqual(
      Array.from({ length: MAX_PENDING_LOGINS }, (_, i) => String(MAX_PENDING_LOGINS + 1 - i).padStart(32, 'P')),
    );
    expect(browser.cookies.size).toBe(0);
  });

  test(`junk parked-token cookies: one response clears at most ${MAX_CLEARED_PER_RESPONSE}`, () => {
    const browser = new Browser();
    for (let i = 0; i < MAX_CLEARED_PER_RESPONSE + 5; i++) browser.cookies.set(`jwtsso-t-${tag}${String(i).padStart(32, 'J')}`, 'junk');
    expect(step(browser, T0, (ctx) => store.take(ctx, '/p'))).toEqual([]);
    expect(browser.cookies.size).toBe(5);
  });

  test('no response to clear cookies on: junk is left, the live token still taken', () => {
    const browser = new Browser();
    browser.cookies.set(`jwtsso-t-${tag}${'J'.repeat(32)}`, 'junk');
    browser.cookies.set(...parkedAt(T0 + 1000, 'A'.repeat(32)));
    expect(step(browser, T0, (ctx) => store.take({ ...ctx, res: undefined }, '/p'))).toEqual([
      { token: `a.${'A'.repeat(32)}.c`, state: 'A'.repeat(32) },
    ]);
    expect(browser.cookies.size).toBe(2);
  });
});

describe('a state the request cannot prove is not live, never an error', () => {
  const tag = mountTag('');
  const store = new CookieLoginState({ mountPoint: '' });
  const secret = 'K'.repeat(32);
  const valid = encodeState({ expiry: T0 + 600_000, secret, kept: null });

  test.each<[string, string, string | null]>([
    ['no state, beside a cookie named "null"', `jwtsso-s-${tag}null`, null],
    ['a state of another length, beside a cookie of its name', `jwtsso-s-${tag}short`, 'short'],
    ['a state one character too long', `jwtsso-s-${tag}${stateOf(secret)}A`, `${stateOf(secret)}A`],
  ])('%s', (_name, cookieName, state) => {
    const browser = new Browser();
    browser.cookies.set(cookieName, valid);
    expect(step(browser, T0, (ctx) => store.isLive(ctx, state, { useUp: true }))).toBe(false);
  });

  test('control: the state that secret derives is live', () => {
    const browser = new Browser();
    browser.cookies.set(`jwtsso-s-${tag}${stateOf(secret)}`, valid);
    expect(step(browser, T0, (ctx) => store.isLive(ctx, stateOf(secret), { useUp: false }))).toBe(true);
  });

  test('used up where the framework gives no response: still live, nothing thrown', () => {
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue(ctx, 600));
    expect(step(browser, T0, (ctx) => store.isLive({ ...ctx, res: undefined }, state, { useUp: true }))).toBe(true);
  });

  test('a state issued where the response was out of reach keeps its return path in the session', () => {
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue({ ...ctx, res: undefined }, 600, '/deep/page'));
    expect(browser.cookies.size).toBe(0);
    expect(step(browser, T0, (ctx) => store.returnTo(ctx, state))).toBe('/deep/page');
  });

  test('the same request context asked again at a later moment: the state has expired', () => {
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue(ctx, 600));
    const ctx = browser.request(T0 + 1000) as { now: number } & LoginStateContext;
    expect(store.isLive(ctx, state, { useUp: false })).toBe(true);
    ctx.now = T0 + 600_000;
    expect(store.isLive(ctx, state, { useUp: false })).toBe(false);
  });
});
