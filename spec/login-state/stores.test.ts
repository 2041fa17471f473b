// Both login-state stores pass the contract; then what sets them apart, shown side by side.
import {
  CookieLoginState,
  MAX_COOKIE_BYTES,
  MAX_PENDING_LOGINS,
  PARKED_COOKIE_BYTES,
  STATE_COOKIE_BYTES,
} from '../../lib/login-state/cookie';
import { SessionLoginState } from '../../lib/login-state/session';
import { resolveLoginState, type LoginStateContext } from '../../lib/login-state';
import { JwtSsoErrorCode as Code } from '../../lib';
import { Browser, loginStateContract, step, T0 } from './contract';

loginStateContract('cookie', () => new CookieLoginState({ mountPoint: '' }));
loginStateContract('cookie below a mountPoint', () => new CookieLoginState({ mountPoint: '/app' }));
loginStateContract('cookie under https', () => new CookieLoginState({ mountPoint: '/app' }), { secure: true });
loginStateContract('session', () => new SessionLoginState());

describe('tabs opened at the same moment by a browser with no cookie yet (tab restore)', () => {
  // Six requests leave the browser before any answer comes back: each sees the same (empty)
  // jar, and each answer's cookies are then applied, in order.
  function sixAtOnce(store: CookieLoginState | SessionLoginState, browser: Browser): string[] {
    const requests = Array.from({ length: 6 }, () => {
      // No session cookie yet: each request gets a session of its own.
      browser.session = {};
      return { ctx: browser.request(T0), session: browser.session };
    });
    const states = requests.map(({ ctx }) => store.issue(ctx, 600));
    for (const { ctx, session } of requests) {
      ctx.done();
      browser.session = session; // the last session cookie set is the one the browser keeps
    }
    return states;
  }
  test('cookie: all six states stay live', () => {
    const store = new CookieLoginState({ mountPoint: '' });
    const browser = new Browser();
    const states = sixAtOnce(store, browser);
    expect(states.map((s) => step(browser, T0 + 1000, (ctx) => store.isLive(ctx, s, { useUp: false })))).toEqual(Array(6).fill(true));
  });
  test('session: only the last survives (the others end on STATE_MISMATCH)', () => {
    const store = new SessionLoginState();
    const browser = new Browser();
    const states = sixAtOnce(store, browser);
    expect(states.map((s) => step(browser, T0 + 1000, (ctx) => store.isLive(ctx, s, { useUp: false })))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
  });
});

describe('cookie store rules', () => {
  const store = new CookieLoginState({ mountPoint: '/app' });

  test(`at most ${MAX_PENDING_LOGINS} states per browser: issuing more clears the oldest`, () => {
    const browser = new Browser();
    const states = Array.from({ length: MAX_PENDING_LOGINS + 3 }, (_, i) => step(browser, T0 + i, (ctx) => store.issue(ctx, 600)));
    expect([...browser.cookies.keys()].filter((k) => k.startsWith('jwtsso-s-'))).toHaveLength(MAX_PENDING_LOGINS);
    const alive = states.map((s) => step(browser, T0 + 100, (ctx) => store.isLive(ctx, s, { useUp: false })));
    expect(alive).toEqual([false, false, false, ...Array(MAX_PENDING_LOGINS).fill(true)]);
  });

  test('under https the cookies are __Host- prefixed, and plain names are not read', () => {
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue(ctx, 600), { secure: true });
    const [name] = [...browser.cookies.keys()];
    expect(name).toMatch(new RegExp(`^__Host-jwtsso-s-[A-Za-z0-9_-]{8}\\.${state}$`));
    expect(step(browser, T0, (ctx) => store.isLive(ctx, state, { useUp: false }), { secure: true })).toBe(true);
    const tossed = new Browser();
    // The very cookie, secret and all, under the plain name a sibling subdomain could set: not read.
    tossed.cookies.set(name!.replace(/^__Host-/, ''), browser.cookies.get(name!)!);
    expect(step(tossed, T0, (ctx) => store.isLive(ctx, state, { useUp: false }), { secure: true })).toBe(false);
  });

  test(`a token whose cookie would pass ${MAX_COOKIE_BYTES} bytes waits in the session; with no session it is refused (401, naming the fix)`, () => {
    const big = 'a.' + 'b'.repeat(MAX_COOKIE_BYTES) + '.c';
    const browser = new Browser();
    step(browser, T0, (ctx) => store.park(ctx, '/p', { token: big, state: null }));
    expect(browser.cookies.size).toBe(0);
    expect(step(browser, T0, (ctx) => store.take(ctx, '/p'))).toEqual([{ token: big, state: null }]);
    const noSession = new Browser();
    let code: string | undefined;
    try {
      step(noSession, T0, (ctx) => store.park({ ...ctx, session: undefined }, '/p', { token: big, state: null }));
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    expect(code).toBe(Code.TOKEN_MALFORMED);
  });

  test('where the framework gives no response, the state waits in the session, and is still checked', () => {
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue({ ...ctx, res: undefined }, 600));
    expect(browser.cookies.size).toBe(0);
    expect(step(browser, T0, (ctx) => store.isLive(ctx, state, { useUp: true }))).toBe(true);
    expect(step(browser, T0, (ctx) => store.isLive(ctx, state, { useUp: false }))).toBe(false);
  });

  test('a state checked from the session fallback does not write a session for an anonymous browser', () => {
    const browser = new Browser();
    expect(step(browser, T0, (ctx) => store.isLive(ctx, 'A'.repeat(32), { useUp: true }))).toBe(false);
    expect(browser.session).toEqual({});
  });
});

// Under https every app of a host shares one Cookie header (Path=/): the bounds are the host's,
// so that many apps together cannot grow a visitor's header past what servers accept.
describe("under https the cookie budget is the host's, whichever app issued the cookies", () => {
  const https = { secure: true };
  const bytesOf = (browser: Browser, kind: string) =>
    [...browser.cookies].filter(([name]) => name.startsWith(`__Host-${kind}`)).reduce((sum, [n, v]) => sum + n.length + v.length + 1, 0);

  test(`state cookies of six apps on one host stay within ${STATE_COOKIE_BYTES} bytes; the newest login of each app survives`, () => {
    const apps = ['', '/a', '/b', '/c', '/d', '/e'].map((mountPoint) => new CookieLoginState({ mountPoint }));
    const browser = new Browser();
    for (let round = 0; round < 12; round++) {
      for (const store of apps) {
        const state = step(browser, T0 + round, (ctx) => store.issue(ctx, 600, `/deep/${'x'.repeat(200)}`), https);
        expect(bytesOf(browser, 'jwtsso-s-')).toBeLessThanOrEqual(STATE_COOKIE_BYTES);
        expect(step(browser, T0 + round, (ctx) => store.isLive(ctx, state, { useUp: false }), https)).toBe(true);
      }
    }
  });

  test('control: over http each app keeps its own bound (its cookies are scoped to its path)', () => {
    const a = new CookieLoginState({ mountPoint: '/a' });
    const b = new CookieLoginState({ mountPoint: '/b' });
    const browser = new Browser();
    for (let i = 0; i < MAX_PENDING_LOGINS; i++) for (const store of [a, b]) step(browser, T0 + i, (ctx) => store.issue(ctx, 600));
    expect([...browser.cookies.keys()].filter((n) => n.startsWith('jwtsso-s-'))).toHaveLength(2 * MAX_PENDING_LOGINS);
  });

  test(`parked tokens of several apps stay within ${PARKED_COOKIE_BYTES} bytes: past it a token waits in the session; a posted one past it is refused`, () => {
    const apps = ['/a', '/b', '/c'].map((mountPoint) => new CookieLoginState({ mountPoint }));
    const browser = new Browser();
    const token = `a.${'b'.repeat(1500)}.c`;
    apps.forEach((store, i) => step(browser, T0, (ctx) => store.park(ctx, `/p${i}`, { token, state: `${'S'.repeat(31)}${i}` }), https));
    apps.forEach((store, i) => step(browser, T0, (ctx) => store.park(ctx, `/q${i}`, { token, state: `${'Q'.repeat(31)}${i}` }), https));
    expect(bytesOf(browser, 'jwtsso-t-')).toBeLessThanOrEqual(PARKED_COOKIE_BYTES);
    expect(Object.keys(browser.session).length).toBeGreaterThan(0); // the ones past the budget wait in the session
    const posted = () => step(browser, T0, (ctx) => apps[0]!.park(ctx, '/z', { token, state: null }, { crossSite: true }), https);
    expect(posted).toThrow(/does not fit/);
    // Every parked token is still taken on its own URL (from a cookie or the session).
    apps.forEach((store, i) => expect(step(browser, T0, (ctx) => store.take(ctx, `/q${i}`), https).map((p) => p.token)).toEqual([token]));
  });
});

describe('session store rules', () => {
  const store = new SessionLoginState();
  const noSession = (browser: Browser) => ({ ...browser.request(T0), session: undefined }) as LoginStateContext;

  test("with no session middleware: issuing and checking a state is the app's fault, named (SESSION_REQUIRED)", () => {
    for (const call of [
      () => store.issue(noSession(new Browser()), 600),
      () => store.isLive(noSession(new Browser()), 'A'.repeat(32), { useUp: true }),
    ])
      expect(call).toThrow(expect.objectContaining({ code: Code.SESSION_REQUIRED }) as Error);
  });

  test('with no session: no return path, no parked token, nothing held (control: a session holds them)', () => {
    const browser = new Browser();
    const state = step(browser, T0, (ctx) => store.issue(ctx, 600, '/deep'));
    step(browser, T0, (ctx) => store.park(ctx, '/p', { token: 'a.b.c', state }));
    expect(store.returnTo(noSession(browser), state)).toBeNull();
    expect(store.take(noSession(browser), '/p')).toEqual([]);
    expect(store.mayHoldToken(noSession(browser))).toBe(false);
    expect(step(browser, T0, (ctx) => store.returnTo(ctx, state))).toBe('/deep');
    expect(step(browser, T0, (ctx) => store.mayHoldToken(ctx))).toBe(true);
    expect(step(browser, T0, (ctx) => store.take(ctx, '/p'))).toEqual([{ token: 'a.b.c', state }]);
  });

  test("a cross-site POST is refused, and writes no session (it would replace the browser's own)", () => {
    const browser = new Browser();
    expect(() => step(browser, T0, (ctx) => store.park(ctx, '/p', { token: 'a.b.c', state: null }, { crossSite: true }))).toThrow(
      expect.objectContaining({ code: Code.TOKEN_MALFORMED, message: expect.stringMatching(/does not fit the cookie/) as string }) as Error,
    );
    expect(browser.session).toEqual({});
  });

  test.each<[string, boolean | undefined]>([
    ['a token verified and recorded before it was parked comes back marked so', true],
    ['control: an unchecked one comes back unmarked', undefined],
  ])('%s', (_name, consumed) => {
    const browser = new Browser();
    step(browser, T0, (ctx) =>
      store.park(ctx, '/p', consumed === undefined ? { token: 'a.b.c', state: null } : { token: 'a.b.c', state: null, consumed }),
    );
    expect(step(browser, T0, (ctx) => store.take(ctx, '/p'))).toStrictEqual([
      consumed ? { token: 'a.b.c', state: null, consumed: true } : { token: 'a.b.c', state: null },
    ]);
  });

  test('nothing spills from the session store: it is the session', () => {
    expect(store.spillsToSession()).toBe(false);
  });
});

describe('resolveLoginState: the store the loginState option names', () => {
  test.each<[string, unknown, unknown]>([
    ['the default (no option): cookies', undefined, CookieLoginState],
    ['"cookie"', 'cookie', CookieLoginState],
    ['"session"', 'session', SessionLoginState],
  ])('%s', (_name, value, kind) => {
    expect(resolveLoginState(value, '')).toBeInstanceOf(kind);
  });

  test.each<[string, unknown]>([
    ['another name', 'redis'],
    ['the empty string', ''],
    ['a capitalised name', 'Cookie'],
  ])('%s: a TypeError naming the choices', (_name, value) => {
    expect(() => resolveLoginState(value, '')).toThrow(/option "loginState" must be "cookie" or "session"/);
  });
});
