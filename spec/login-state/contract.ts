// The login-state store contract: every store passes it (cookie.test.ts and session.test.ts).
// A "browser" here is what the store's state lives in between requests: a cookie jar that
// applies each response's Set-Cookie, or a session object that the session cookie names.
import type { ServerResponse } from 'node:http';
import type { LoginStateContext, LoginStateStore } from '../../lib/login-state';
import { topLevelOnly, type Stored } from '../helpers/sessions';

export const T0 = Date.UTC(2026, 0, 1);

/** One browser: its cookies (name → value) and its session. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** What the session stores; each request sees it as a session that keeps only top-level assignments. */
  session: Stored = {};
  /** Cookies the jar does not hold but the browser sends too (`name=value`): a copy planted on a parent domain or another path. */
  readonly planted: string[] = [];

  /** A request from this browser at `now`; the response's Set-Cookie lines update the jar. */
  request(now: number, options: { secure?: boolean } = {}): LoginStateContext & { done(): void } {
    const set: string[] = [];
    const res = { headersSent: false, appendHeader: (_name: string, value: string) => void set.push(value) };
    const cookie = [...[...this.cookies].map(([k, v]) => `${k}=${v}`), ...this.planted].join('; ');
    return {
      req: { headers: cookie === '' ? {} : { cookie } } as LoginStateContext['req'],
      res: res as unknown as ServerResponse,
      session: topLevelOnly(this.session),
      now,
      secure: options.secure ?? false,
      done: () => {
        for (const line of set) {
          const [pair, ...attributes] = line.split('; ');
          const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
          if (attributes.includes('Max-Age=0')) this.cookies.delete(name);
          else this.cookies.set(name, value);
        }
      },
    };
  }
}

/** Runs `fn` as one request of `browser` and applies what it set. */
export function step<T>(browser: Browser, now: number, fn: (ctx: LoginStateContext) => T, options: { secure?: boolean } = {}): T {
  const ctx = browser.request(now, options);
  const out = fn(ctx);
  ctx.done();
  return out;
}

export function loginStateContract(name: string, make: () => LoginStateStore, options: { secure?: boolean } = {}): void {
  describe(`${name}: the login-state store contract`, () => {
    let store: LoginStateStore;
    let browser: Browser;
    beforeEach(() => {
      store = make();
      browser = new Browser();
    });
    const issue = (b = browser, now = T0) => step(b, now, (ctx) => store.issue(ctx, 600), options);
    const live = (state: string | null, useUp = false, b = browser, now = T0 + 1000) =>
      step(b, now, (ctx) => store.isLive(ctx, state, { useUp }), options);

    test('a state is issued as 32 base64url characters (192 bits), a new one each time', () => {
      const a = issue();
      const b = issue();
      expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(b).not.toBe(a);
    });

    test('a state issued to this browser is live; used up, it is not', () => {
      const state = issue();
      expect(live(state)).toBe(true);
      expect(live(state)).toBe(true); // checking does not use it up
      expect(live(state, true)).toBe(true);
      expect(live(state)).toBe(false);
      expect(live(state, true)).toBe(false);
    });

    test('a state issued to another browser, an unknown state and no state are not live', () => {
      const other = new Browser();
      const state = issue(other);
      expect(live(state)).toBe(false);
      expect(live('A'.repeat(32))).toBe(false);
      expect(live(null)).toBe(false);
    });

    test('a state expires after its max age', () => {
      const state = issue();
      expect(live(state, false, browser, T0 + 599_999)).toBe(true);
      expect(live(state, false, browser, T0 + 600_000)).toBe(false);
    });

    test('several logins of one browser, one after another, are all live (tabs)', () => {
      const states = Array.from({ length: 6 }, () => issue());
      expect(states.map((s) => live(s))).toEqual(Array(6).fill(true));
    });

    test('a parked token is taken once, on its URL only, with its state', () => {
      step(browser, T0, (ctx) => store.park(ctx, '/p?x=1', { token: 'a.b.c', state: 'S'.repeat(32) }), options);
      expect(step(browser, T0 + 1000, (ctx) => store.take(ctx, '/other'), options)).toEqual([]);
      expect(step(browser, T0 + 1000, (ctx) => store.mayHoldToken(ctx), options)).toBe(true);
      expect(step(browser, T0 + 1000, (ctx) => store.take(ctx, '/p?x=1'), options)).toEqual([{ token: 'a.b.c', state: 'S'.repeat(32) }]);
      expect(step(browser, T0 + 1000, (ctx) => store.take(ctx, '/p?x=1'), options)).toEqual([]);
    });

    test('a parked token without state comes back without state', () => {
      step(browser, T0, (ctx) => store.park(ctx, '/p', { token: 'a.b.c', state: null }), options);
      expect(step(browser, T0, (ctx) => store.take(ctx, '/p'), options)).toEqual([{ token: 'a.b.c', state: null }]);
    });

    test('a parked token waits 60 s, no longer', () => {
      step(browser, T0, (ctx) => store.park(ctx, '/p', { token: 'a.b.c', state: null }), options);
      expect(step(browser, T0 + 60_000, (ctx) => store.take(ctx, '/p'), options)).toEqual([]);
    });

    test("a token parked in one browser is not another browser's", () => {
      step(browser, T0, (ctx) => store.park(ctx, '/p', { token: 'a.b.c', state: null }), options);
      const other = new Browser();
      expect(step(other, T0, (ctx) => store.take(ctx, '/p'), options)).toEqual([]);
      expect(step(other, T0, (ctx) => store.mayHoldToken(ctx), options)).toBe(false);
    });

    test('a return path kept with a state comes back for that state only, while it lives, and stays after use', () => {
      const kept = step(browser, T0, (ctx) => store.issue(ctx, 600, '/deep/page?tab=2&q=ä'), options);
      const plain = issue();
      const returnTo = (state: string, now = T0 + 1000, b = browser) => step(b, now, (ctx) => store.returnTo(ctx, state), options);
      expect(returnTo(kept)).toBe('/deep/page?tab=2&q=ä');
      expect(returnTo(kept)).toBe('/deep/page?tab=2&q=ä'); // reading it does not use the state up
      expect(live(kept)).toBe(true);
      expect(returnTo(plain)).toBeNull();
      expect(returnTo('A'.repeat(32))).toBeNull();
      expect(returnTo(kept, T0 + 600_000)).toBeNull(); // expired with its state
      expect(returnTo(kept, T0 + 1000, new Browser())).toBeNull(); // another browser's
      live(kept, true);
      expect(returnTo(kept)).toBeNull(); // used up with its state
    });

    test('a browser that never started a login holds nothing (the signed-in hot path)', () => {
      expect(step(browser, T0, (ctx) => store.mayHoldToken(ctx), options)).toBe(false);
      expect(step(browser, T0, (ctx) => store.take(ctx, '/'), options)).toEqual([]);
    });
  });
}
