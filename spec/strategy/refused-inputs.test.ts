// Every rule of the strategy, end to end through a real Express app, with the inputs it stops.
import { loginReplayId } from '../../lib/replay/key';
import { JwtSsoErrorCode as Code, MemoryReplayStore, type ReplayStore } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { login, providerReturn, returnToOf } from '../helpers/flow';
import { startBare } from '../helpers/bare';
import { rawGet } from '../helpers/raw';
import { b64, mint, OTHER_SECRET, puavoClaims, raw } from '../helpers/tokens';

let app: TestApp;
afterEach(() => app?.close());

const nowS = () => Math.floor(Date.now() / 1000);

/** Starts a login on /checked in a fresh browser and returns it with its return_to. */
async function started(a: TestApp) {
  const browser = a.browser();
  const res = await browser.get('/checked');
  expect(res.status).toBe(302);
  return { browser, returnTo: returnToOf(res.headers.location) };
}

describe('tokens that are refused on the clean URL, verify never called', () => {
  test.each<[string, () => string, Code]>([
    ['forged alg none', () => `${b64({ alg: 'none' })}.${b64(puavoClaims())}.${b64('sig')}`, Code.ALGORITHM_NOT_ALLOWED],
    ['forged alg none, unsigned (header.payload.)', () => `${b64({ alg: 'none' })}.${b64(puavoClaims())}.`, Code.ALGORITHM_NOT_ALLOWED],
    ['forged alg NoNe, unsigned', () => `${b64({ alg: 'NoNe' })}.${b64(puavoClaims())}.`, Code.ALGORITHM_NOT_ALLOWED],
    ['HS512 under the right secret', () => raw({ alg: 'HS512' }, puavoClaims(), undefined, 'sha512'), Code.ALGORITHM_NOT_ALLOWED],
    [
      'a tampered payload',
      () => {
        const [h, , s] = mint(puavoClaims()).split('.');
        return `${h}.${b64(puavoClaims(nowS(), { puavo_id: 1 }))}.${s}`;
      },
      Code.SIGNATURE_INVALID,
    ],
    ['the wrong secret', () => mint(puavoClaims(), OTHER_SECRET), Code.SIGNATURE_INVALID],
    ['an old iat', () => mint(puavoClaims(nowS() - 3600)), Code.TOKEN_TOO_OLD],
    ['a future iat', () => mint(puavoClaims(nowS() + 3600)), Code.TOKEN_NOT_YET_VALID],
    ['no iat', () => raw({ alg: 'HS256' }, { ...puavoClaims(), iat: undefined }), Code.CLAIM_MISSING],
    ['a non-numeric string iat', () => raw({ alg: 'HS256' }, puavoClaims(nowS(), { iat: 'yesterday' })), Code.CLAIM_INVALID],
    ['no jti', () => raw({ alg: 'HS256' }, { ...puavoClaims(), jti: undefined }), Code.CLAIM_MISSING],
    ['an expired exp', () => mint(puavoClaims(nowS(), { exp: nowS() - 60 })), Code.TOKEN_EXPIRED],
  ])('%s', async (_name, token, code) => {
    app = await startApp();
    const { browser, returnTo } = await started(app);
    const callback = await browser.get(providerReturn(returnTo, token()));
    expect(callback.status).toBe(303);
    const res = await browser.get(callback.headers.location!);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(code);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(app.verified).toHaveLength(0);
    expect((await browser.get('/whoami')).body.user).toBeNull();
  });

  // Not the shape of a token at all: refused on arrival, before it is kept anywhere.
  test.each(['not-a-token', 'a.b', 'a.b.c.d', 'a b.c.d'])('%j is refused on arrival, not parked', async (token) => {
    app = await startApp();
    const { browser, returnTo } = await started(app);
    const callback = await browser.get(providerReturn(returnTo, token));
    expect([callback.status, callback.body.code]).toEqual([401, Code.TOKEN_MALFORMED]);
    expect(callback.body.message).toMatch(/not three dot-separated base64url parts/);
    expect(String(callback.headers['set-cookie'] ?? '')).not.toContain('jwtsso-t-');
    expect(app.verified).toHaveLength(0);
  });

  test('a legacy string iat from a fresh token is accepted', async () => {
    app = await startApp();
    const { browser, returnTo } = await started(app);
    const token = raw({ alg: 'HS256' }, puavoClaims(nowS(), { iat: String(nowS()) }));
    const callback = await browser.get(providerReturn(returnTo, token));
    const res = await browser.get(callback.headers.location!);
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('ada.lovelace');
  });
});

describe('token parameters refused at once, on the callback', () => {
  test.each<[string, (t: string) => string]>([
    ['a duplicated token', (t) => `/checked?jwt=${t}&jwt=${t}`],
    ['a duplicated token, one of them empty', (t) => `/checked?jwt=&jwt=${t}`],
    ['an empty token', () => '/checked?jwt='],
    ['a token over 8 KiB', () => `/checked?jwt=${'a'.repeat(8193)}`],
  ])('%s: 401 malformed, nothing kept in the session', async (_name, path) => {
    app = await startApp({ strategy: { state: false } });
    const browser = app.browser();
    const res = await browser.get(path(mint(puavoClaims())));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(Code.TOKEN_MALFORMED);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('login CSRF: the state must be one this browser session issued and has not used', () => {
  test.each<[string, (s: { returnTo: string; other: string }) => string]>([
    ['no state', ({ returnTo }) => returnTo.replace(/[?&]jwtsso_state=[^&]*/, '')],
    ['a made-up state', ({ returnTo }) => returnTo.replace(/jwtsso_state=[^&]*/, 'jwtsso_state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['a state issued to another browser', ({ other }) => other],
    ['a state given twice', ({ returnTo }) => `${returnTo}&jwtsso_state=${new URL(returnTo).searchParams.get('jwtsso_state')}&raw`],
    ['a state of hostile characters', ({ returnTo }) => returnTo.replace(/jwtsso_state=[^&]*/, 'jwtsso_state=%3Cscript%3E')],
  ])('%s: 403', async (_name, pick) => {
    app = await startApp();
    const victim = await started(app);
    const attacker = await started(app);
    const target = pick({ returnTo: victim.returnTo, other: attacker.returnTo });
    // "&raw": sent as is, with duplicates the provider itself would collapse.
    const token = mint(puavoClaims());
    const path = target.endsWith('&raw') ? `${target.slice(app.url.length, -4)}&jwt=${token}` : providerReturn(target, token);
    const res = await victim.browser.get(path);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe(Code.STATE_MISMATCH);
    expect(res.body.message).toMatch(/SameSite=Lax/);
    expect(app.verified).toHaveLength(0);
  });

  test('a state is used once: a second token with the same state is refused', async () => {
    app = await startApp();
    const { browser, returnTo } = await started(app);
    const first = await browser.get(providerReturn(returnTo, mint(puavoClaims())));
    expect((await browser.get(first.headers.location!)).status).toBe(200);
    await browser.get('/logout');
    const second = await browser.get(providerReturn(returnTo, mint(puavoClaims())));
    expect(second.status).toBe(403);
    expect(second.body.code).toBe(Code.STATE_MISMATCH);
  });

  test('a state expires after stateMaxAge', async () => {
    let now = Date.now();
    app = await startApp({ strategy: { clock: () => now, stateMaxAge: 600 } });
    const { browser, returnTo } = await started(app);
    now += 601_000;
    const res = await browser.get(providerReturn(returnTo, mint(puavoClaims(Math.floor(now / 1000)))));
    expect(res.status).toBe(403);
  });

  test('only the last 10 pending states of a session are kept', async () => {
    app = await startApp();
    const browser = app.browser();
    const returnTos: string[] = [];
    for (let i = 0; i < 11; i++) returnTos.push(returnToOf((await browser.get('/checked')).headers.location));
    expect((await browser.get(providerReturn(returnTos[0]!, mint(puavoClaims())))).status).toBe(403);
    const newest = await browser.get(providerReturn(returnTos[10]!, mint(puavoClaims())));
    expect(newest.status).toBe(303);
  });

  test('a foreign token reaching a signed-in session is dropped: the user stays who they are', async () => {
    app = await startApp();
    const browser = app.browser();
    await login(browser);
    const attacker = puavoClaims(nowS(), { puavo_id: 666, username: 'mallory' });
    const res = await browser.get(`/protected?jwt=${mint(attacker)}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/protected');
    const after = await browser.get('/protected');
    expect(after.body.user.username).toBe('ada.lovelace');
    expect(app.verified).toHaveLength(1);
  });

  test('state: false accepts a provider-started login', async () => {
    app = await startApp({ strategy: { state: false } });
    const browser = app.browser();
    const callback = await browser.get(`/checked?jwt=${mint(puavoClaims())}`);
    expect(callback.status).toBe(303);
    expect((await browser.get(callback.headers.location!)).body.user.username).toBe('ada.lovelace');
  });

  test('two tabs of one browser signing in at once both end signed in', async () => {
    app = await startApp();
    const browser = app.browser();
    const tabA = returnToOf((await browser.get('/protected?tab=a')).headers.location);
    const tabB = returnToOf((await browser.get('/protected?tab=b')).headers.location);
    const a = await browser.get(providerReturn(tabA, mint(puavoClaims())));
    expect((await browser.get(a.headers.location!)).body.user.username).toBe('ada.lovelace');
    // Tab A's login regenerated the session; tab B's token arrives after it.
    const b = await browser.get(providerReturn(tabB, mint(puavoClaims())));
    expect(b.status).toBe(303);
    const finalB = await browser.get(b.headers.location!);
    expect(finalB.status).toBe(200);
    expect(finalB.body.user.username).toBe('ada.lovelace');
    expect(finalB.body.url).toBe('/protected?tab=b');
  });
});

describe('replay', () => {
  test('a used token with a fresh, valid state is refused by the replay store', async () => {
    app = await startApp({ authenticate: {} });
    const browser = app.browser();
    const claims = puavoClaims();
    const first = await login(browser, '/checked', claims);
    expect(first.final.status).toBe(200);
    await browser.get('/logout');
    const { returnTo } = { returnTo: returnToOf((await browser.get('/checked')).headers.location) };
    const again = await browser.get(providerReturn(returnTo, first.token));
    const res = await browser.get(again.headers.location!);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(Code.TOKEN_REPLAYED);
    expect(app.verified).toHaveLength(1);
  });

  test('a replay store that fails refuses the login with a 500, never accepts it', async () => {
    const broken: ReplayStore = { consume: () => Promise.reject(new Error('connection refused')) };
    app = await startApp({ strategy: { state: false, replayStore: broken } });
    const browser = app.browser();
    const token = mint(puavoClaims());
    const callback = await browser.get(`/protected?jwt=${token}`);
    const res = await browser.get(callback.headers.location!);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.REPLAY_STORE_FAILED);
    expect(res.body.error).not.toContain(token);
    expect((await browser.get('/whoami')).body.user).toBeNull();
    expect(app.verified).toHaveLength(0);
  });

  test('a full memory store refuses the login with a 500', async () => {
    app = await startApp({ strategy: { state: false, replayStore: new MemoryReplayStore({ maxEntries: 1 }) } });
    const first = app.browser();
    await first.get(`/protected?jwt=${mint(puavoClaims())}`);
    expect((await first.get('/protected')).status).toBe(200);
    const second = app.browser();
    await second.get(`/protected?jwt=${mint(puavoClaims())}`);
    const res = await second.get('/protected');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.REPLAY_STORE_FAILED);
  });

  // The replay store hears of a token only after every other check passed, the state check
  // included: a token whose state was live when it arrived but expired before it is verified
  // must not be recorded. The control records the same kind of token when its state is live.
  test.each([
    ['the token is recorded only after every other check passed', 40, false],
    ['control: a token that passes every check is recorded', 20, true],
  ])('%s', async (_name, wait, accepted) => {
    let nowMs = Date.now();
    const seen: string[] = [];
    const store: ReplayStore = { consume: async (id) => (seen.push(id), true) };
    app = await startApp({ strategy: { replayStore: store, stateMaxAge: 30, clock: () => nowMs } });
    const clockS = () => Math.floor(nowMs / 1000);

    // Refused by a token check, and refused for want of a state: nothing recorded.
    const first = await started(app);
    const bad = await first.browser.get(providerReturn(first.returnTo, mint(puavoClaims(clockS() - 3600))));
    expect((await first.browser.get(bad.headers.location!)).body.code).toBe(Code.TOKEN_TOO_OLD);
    const stranger = await app.browser().get(`/checked?jwt=${mint(puavoClaims(clockS()))}`);
    expect(stranger.body.code).toBe(Code.STATE_MISMATCH);

    // The state is live when the token arrives (parked), then `wait` s pass (stateMaxAge 30).
    const { browser, returnTo } = await started(app);
    const claims = puavoClaims(clockS());
    nowMs += 10_000;
    const callback = await browser.get(providerReturn(returnTo, mint(claims)));
    expect(callback.status).toBe(303);
    nowMs += (wait - 10) * 1000; // the token stays within maxAge 60 + 5 either way
    const res = await browser.get(callback.headers.location!);
    if (accepted) {
      expect(res.status).toBe(200);
      // The token's id, and the pair (its login's state, that id): see isRedeemedLeftover.
      const state = new URL(returnTo).searchParams.get('jwtsso_state')!;
      expect(seen).toEqual([claims.jti, loginReplayId(state, claims.jti as string)]);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe(Code.STATE_MISMATCH);
      expect(seen).toEqual([]);
    }
  });
});

describe('verify outcomes', () => {
  const fresh = async (a: TestApp) => {
    const browser = a.browser();
    const callback = await browser.get(`/checked?jwt=${mint(puavoClaims())}`);
    return browser.get(callback.headers.location!);
  };

  test.each<[string, AppVerify, number, unknown]>([
    ['done(null, user)', (_c, done) => done(null, { id: 1 }), 200, { id: 1 }],
    [
      'done(null, false, info) -> 401 with the info',
      (_c, done) => done(null, false, { message: 'not allowed here', code: 'APP_DENIED' } as object),
      401,
      'APP_DENIED',
    ],
    ['done(null, null) -> 401', (_c, done) => done(null, null), 401, null],
    ['done(err) -> 500', (_c, done) => done(new Error('db down')), 500, 'db down'],
    [
      'a throw -> 500',
      () => {
        throw new Error('verify threw');
      },
      500,
      'verify threw',
    ],
    ['a Promise of the user', async () => ({ id: 2 }), 200, { id: 2 }],
    ['a Promise of false -> 401', async () => false, 401, null],
    [
      'a rejected Promise -> 500',
      async () => {
        throw new Error('async fault');
      },
      500,
      'async fault',
    ],
    [
      'an async function that calls done later',
      async (_c, done) => {
        setTimeout(() => done(null, { id: 3 }), 5);
      },
      200,
      { id: 3 },
    ],
    [
      'done called twice: the first call counts',
      (_c, done) => {
        done(null, { id: 4 });
        done(new Error('late'));
      },
      200,
      { id: 4 },
    ],
  ])('%s', async (_name, verify, status, expected) => {
    app = await startApp({ strategy: { state: false }, verify });
    const res = await fresh(app);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body.user).toEqual(expected);
    else if (status === 401) expect(res.body.code).toBe(expected);
    else expect(res.body.error).toBe(expected);
    expect(app.verified).toHaveLength(1);
  });

  // A verify that declares no `done` decides by what it returns: the strategy cannot wait for a
  // callback it never handed over. Each is given to the strategy as it is (one parameter or none).
  test.each<[string, (claims: Record<string, unknown>) => unknown, number, unknown]>([
    ['resolves the user -> 200', async (c) => ({ id: c.puavo_id }), 200, { id: 42 }],
    ['no parameter at all, resolves the user -> 200', async () => ({ id: 7 }), 200, { id: 7 }],
    ['resolves false -> 401', async () => false, 401, null],
    ['resolves null -> 401', async () => null, 401, null],
    ['resolves undefined -> 401, not a hang waiting for done', async () => undefined, 401, null],
    ['rejects -> 500', (c) => Promise.reject(new Error(`no user ${String(c.puavo_id)}`)), 500, 'no user 42'],
    ['rejects with nothing -> 500', () => Promise.reject(undefined), 500, 'verify rejected'],
    ['returns the user (no promise) -> 200', (c) => ({ id: c.puavo_id }), 200, { id: 42 }],
    ['returns false (no promise) -> 401', () => false, 401, null],
  ])('a verify without done, by its return value: %s', async (_name, verify, status, expected) => {
    expect(verify.length).toBeLessThan(2);
    app = await startApp({ strategy: { state: false }, verify });
    const res = await fresh(app);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body.user).toEqual(expected);
    else if (status === 401) expect(res.body.code).toBe(expected);
    else expect(res.body.error).toBe(expected);
    expect(app.verified).toHaveLength(1);
    if (status !== 200) expect((await app.browser().get('/whoami')).body.user).toBeNull();
  });

  test('without verify the claims are the user', async () => {
    const bare = await startBare();
    try {
      const browser = bare.browser();
      const claims = puavoClaims();
      const callback = await browser.get(`/?jwt=${mint(claims)}`);
      const res = await browser.get(callback.headers.location!);
      expect(res.body.user).toMatchObject({ jti: claims.jti, username: 'ada.lovelace', iat: claims.iat });
    } finally {
      await bare.close();
    }
  });

  test('passReqToCallback: verify(req, claims, done) gets the request', async () => {
    const bare = await startBare((req, claims, done) =>
      done(null, { host: req.headers.host, who: claims.username as string } as Express.User),
    );
    try {
      const browser = bare.browser();
      const callback = await browser.get(`/?jwt=${mint(puavoClaims())}`);
      const res = await browser.get(callback.headers.location!);
      expect(res.body.user).toEqual({ host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), who: 'ada.lovelace' });
    } finally {
      await bare.close();
    }
  });

  test('an unhandled rejection never happens', async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      app = await startApp({ strategy: { state: false }, verify: () => Promise.reject(new Error('x')) });
      expect((await fresh(app)).status).toBe(500);
      await new Promise((r) => setTimeout(r, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
type AppVerify = (claims: Record<string, unknown>, done: (err: unknown, user?: unknown, info?: object) => void) => unknown;

describe('redirecting to the provider', () => {
  test.each(['POST', 'PUT', 'DELETE'])('%s without a session user: 401, no redirect', async (method) => {
    app = await startApp();
    const res = await app.browser()[method.toLowerCase() as 'post']('/protected');
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  test('redirect: false answers 401 on GET, for API routes', async () => {
    app = await startApp();
    const res = await app.browser().get('/api/me');
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  test('HEAD redirects like GET', async () => {
    app = await startApp();
    const res = await app.browser().head('/protected');
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^https:\/\/sso\.example\.test\//);
  });

  test('a signed-in user passes without a redirect', async () => {
    app = await startApp();
    const browser = app.browser();
    await login(browser);
    const res = await browser.get('/api/me');
    expect(res.status).toBe(200);
  });

  test('the return_to drops a token or state already in the URL', async () => {
    app = await startApp();
    const res = await rawGet(app.url, '/protected?a=1&jwtsso_state=old&jwt&b=2');
    // A bare "jwt" with no value is the token parameter, given empty: refused at once.
    expect(res.status).toBe(401);
    const clean = await rawGet(app.url, '/protected?a=1&jwtsso_state=old&b=2');
    const returnTo = new URL(returnToOf(clean.headers.location as string));
    expect(returnTo.searchParams.getAll('jwtsso_state')).toHaveLength(1);
    expect(returnTo.searchParams.get('jwtsso_state')).not.toBe('old');
    expect(returnTo.searchParams.get('a')).toBe('1');
  });

  test('authParams from the strategy and the route reach the provider; return_to cannot be overridden', async () => {
    app = await startApp({
      strategy: { authParams: (req) => ({ organisation: 'example.opinsys.fi', locale: String(req.headers['accept-language'] ?? 'fi') }) },
      authenticate: { authParams: { username: 'ada', return_to: 'https://evil.example/' } } as never,
    });
    const res = await app.browser().get('/protected').set('Accept-Language', 'sv');
    const location = new URL(res.headers.location!);
    expect(location.searchParams.get('organisation')).toBe('example.opinsys.fi');
    expect(location.searchParams.get('locale')).toBe('sv');
    expect(location.searchParams.get('username')).toBe('ada');
    expect(location.searchParams.getAll('return_to')).toHaveLength(1);
    expect(location.searchParams.get('return_to')).toMatch(new RegExp(`^${app.url}/protected\\?jwtsso_state=`));
  });
});

describe('open redirects', () => {
  test.each(['//evil.example/', '//evil.example/path', '/\\evil.example/', '///evil.example/', '/\\/evil.example'])(
    'the stripping redirect of %j stays on this origin',
    async (path) => {
      app = await startApp({ strategy: { state: false } });
      const res = await rawGet(app.url, `${path}?jwt=${mint(puavoClaims())}`);
      expect(res.status).toBe(303);
      const location = res.headers.location as string;
      expect(location).toBe(`/${path.replace(/^[/\\]+/, '')}`);
      expect(location.startsWith('//')).toBe(false);
      expect(location).not.toContain('\\');
      expect(new URL(location, 'https://app.example').origin).toBe('https://app.example');
    },
  );

  test('the stripping redirect on a protected route under //', async () => {
    app = await startApp({ strategy: { state: false, mountPoint: '/app' } });
    const res = await rawGet(app.url, `//protected?jwt=${mint(puavoClaims())}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/app/protected');
  });

  test.each([
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(document.domain)',
    '/path\r\nLocation: https://evil.example',
    '\t//evil.example',
    'evil.example',
  ])('returnTo %j falls back to mountPoint + "/"', async (returnTo) => {
    app = await startApp({ strategy: { mountPoint: '/app', host: 'app.example', scheme: 'https' }, authenticate: { returnTo } as never });
    const res = await app.browser().get('/protected');
    const back = new URL(returnToOf(res.headers.location));
    expect(back.origin).toBe('https://app.example');
    expect(back.pathname).toBe('/app/');
  });

  test('a returnTo path and a returnTo function are used below mountPoint', async () => {
    app = await startApp({
      strategy: { mountPoint: '/app', host: 'app.example', scheme: 'https' },
      authenticate: { returnTo: '/custom/path?my=query&jwt=old' } as never,
    });
    const back = returnToOf((await app.browser().get('/protected')).headers.location);
    expect(back).toMatch(/^https:\/\/app\.example\/app\/custom\/path\?my=query&jwtsso_state=[A-Za-z0-9_-]{32}$/);
    await app.close();
    app = await startApp({
      strategy: { state: false, host: 'app.example' },
      authenticate: { returnTo: (req: { query: { next?: string } }) => `/next/${req.query.next ?? ''}` } as never,
    });
    expect(returnToOf((await app.browser().get('/protected?next=x')).headers.location)).toBe('http://app.example/next/x');
  });
});

describe('Host header', () => {
  test.each([
    [
      'a spoofed Host is ignored when the host option is set',
      { host: 'app.example', scheme: 'https' as const },
      undefined,
      { Host: 'evil.example' },
      'https://app.example/protected',
    ],
    [
      'X-Forwarded-Host is ignored without trust proxy',
      {},
      undefined,
      { Host: 'app.example', 'X-Forwarded-Host': 'evil.example' },
      'http://app.example/protected',
    ],
    [
      'X-Forwarded-* are used with trust proxy',
      {},
      'loopback',
      { Host: 'internal', 'X-Forwarded-Host': 'app.example', 'X-Forwarded-Proto': 'https' },
      'https://app.example/protected',
    ],
  ])('%s', async (_name, strategy, trustProxy, headers, expected) => {
    app = await startApp({ strategy: { ...strategy, state: false }, trustProxy });
    const res = await rawGet(app.url, '/protected', headers);
    expect(res.status).toBe(302);
    expect(returnToOf(res.headers.location as string)).toBe(expected);
  });

  test.each(['evil.example/path', 'user@evil.example', 'evil.example:99999', 'a b'])(
    'an invalid Host %j: 400, no redirect',
    async (host) => {
      app = await startApp({ strategy: { state: false } });
      const res = await rawGet(app.url, '/checked', { Host: host });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).code).toBe(Code.HOST_INVALID);
    },
  );
});

describe('without session middleware', () => {
  test.each([
    ['a token arrives', '/protected?jwt=x.y.z'],
    ['a login starts with state on', '/protected'],
  ])('%s: error SESSION_REQUIRED (500)', async (_name, path) => {
    app = await startApp({ session: false });
    const res = await app.browser().get(path);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.SESSION_REQUIRED);
  });
});
