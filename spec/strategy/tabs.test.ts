// Tabs of one page opened at once by a browser with no session yet (a browser restoring its
// session): a tab's first request can leave before the answers of the other tabs cleared their
// parked tokens from the cookie jar, so it carries only tokens those tabs already redeemed. That
// tab starts its own sign-in (it did not start one yet) instead of showing another tab's
// ERR_JWTSSO_TOKEN_REPLAYED. What tells a leftover from a replay is the replay store's record of
// the pair (state, token) that redeemed it: the same token with another state (a replay into a
// fresh login, or a provider that repeats a jti) is refused as ever, and every other refusal
// still stands. Deterministic: the "late" request is sent with a copy of the jar taken
// before the other tab's answer. A real Express app over a real socket, the default (cookie) store.
import request from 'supertest';
import { JwtSsoErrorCode as Code, MemoryReplayStore, type JwtSsoEvent, type ReplayStore } from '../../lib';
import { loginReplayId } from '../../lib/replay/key';
import { AUTH_ENDPOINT, startApp, type TestApp } from '../helpers/app';
import { providerReturn, returnToOf } from '../helpers/flow';
import { cookieHeader, keepCookies, type Jar } from '../helpers/jar';
import { mint, puavoClaims } from '../helpers/tokens';

let app: TestApp;
let events: JwtSsoEvent[];
let store: MemoryReplayStore;
beforeEach(async () => {
  events = [];
  store = new MemoryReplayStore();
  app = await startApp({ strategy: { onEvent: (e) => events.push(e), replayStore: store } });
});
afterEach(() => app.close());

/** The app again, with another replay store. */
async function restartWith(replayStore: ReplayStore): Promise<void> {
  await app.close();
  app = await startApp({ strategy: { onEvent: (e) => events.push(e), replayStore } });
}

/** One request with the cookies of `jar`, whose answer's cookies are then kept in `jar`. */
async function send(jar: Jar, path: string, method: 'get' | 'post' = 'get'): Promise<request.Response> {
  const cookie = cookieHeader(jar);
  const req = request(app.url)[method](path);
  const res = await (cookie === '' ? req : req.set('Cookie', cookie));
  return keepCookies(jar, res);
}

const toProvider = (res: request.Response): boolean => res.status === 302 && (res.headers.location ?? '').startsWith(AUTH_ENDPOINT);

/** A tab's trip: the page sends it to the provider, which sends it back with `token`; the token is parked. */
async function returnWith(jar: Jar, page: string, token: string): Promise<string> {
  const out = await send(jar, page);
  expect(toProvider(out)).toBe(true);
  const back = await send(jar, providerReturn(returnToOf(out.headers.location), token));
  expect(back.status).toBe(303);
  return back.headers.location!;
}

/**
 * Another tab of the same page: it comes back with its own token, parks it, and redeems it on the
 * clean URL. Returns the cookies as they were before that redeeming answer arrived: what a late
 * tab's first request carries.
 */
async function siblingRedeems(jar: Jar, page: string, token = mint(puavoClaims())): Promise<Jar> {
  const clean = await returnWith(jar, page, token);
  const before = new Map(jar);
  const done = await send(jar, clean);
  expect(done.status).toBe(200);
  expect(done.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  return before;
}

const PAGE = '/protected?same=1';

describe('a tab whose first request carries only tokens other tabs redeemed starts its own sign-in', () => {
  test.each([1, 2, 3])('%i sibling tab(s) redeemed their tokens: the late tab goes to the provider, then signs in', async (siblings) => {
    const jar: Jar = new Map();
    // Each sibling redeems in a browser of its own cookies so far; the late tab's copy holds every
    // sibling's state and parked-token cookie, and no session cookie.
    const late: Jar = new Map();
    for (let i = 0; i < siblings; i++) {
      const own = new Map(jar);
      const before = await siblingRedeems(own, PAGE);
      for (const [n, v] of before) if (n.startsWith('jwtsso-')) late.set(n, v);
    }
    const parked = [...late.keys()].filter((n) => n.startsWith('jwtsso-t-'));
    expect(parked.length).toBeGreaterThanOrEqual(siblings);

    const first = await send(late, PAGE);
    expect(toProvider(first)).toBe(true);
    expect(events.filter((e) => e.type === 'refused')).toEqual([]);
    // Dropped, and said with its code: a token seen again, which an audit can count.
    expect(events.filter((e) => e.type === 'token-dropped')).toEqual([expect.objectContaining({ code: Code.TOKEN_REPLAYED })]);

    const back = await send(late, providerReturn(returnToOf(first.headers.location), mint(puavoClaims())));
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(PAGE);
    const page = await send(late, back.headers.location!);
    expect(page.status).toBe(200);
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
  });

  test("a provider that repeats a jti: the token with this login's fresh state is a replay, refused at once (no new trip, so no loop)", async () => {
    const repeated = puavoClaims(undefined, { jti: 'the-same-jti-every-time' });
    await siblingRedeems(new Map(), PAGE, mint(repeated));
    const jar: Jar = new Map();
    const clean = await returnWith(jar, PAGE, mint(repeated));
    const res = await send(jar, clean);
    expect(res.status).toBe(401);
    expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([Code.TOKEN_REPLAYED]);
    expect(events.map((e) => e.type)).not.toContain('token-dropped');
  });

  test('the same token replayed into a fresh login of the same browser (a live state of its own) is refused, not retried', async () => {
    const token = mint(puavoClaims());
    const jar: Jar = new Map();
    await siblingRedeems(jar, PAGE, token);
    await send(jar, '/logout');
    const clean = await returnWith(jar, PAGE, token);
    const res = await send(jar, clean);
    expect(res.status).toBe(401);
    expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([Code.TOKEN_REPLAYED]);
  });
});

describe('every other refusal of a parked token still stands: no new trip', () => {
  // A parked token of a login this browser started, beside a redeemed sibling's (or alone).
  const cases: [string, () => string, boolean, string][] = [
    ['a token with a bad signature', () => `${mint(puavoClaims()).slice(0, -4)}AAAA`, true, Code.SIGNATURE_INVALID],
    ['a token with a bad signature, alone', () => `${mint(puavoClaims()).slice(0, -4)}AAAA`, false, Code.SIGNATURE_INVALID],
    ['a token too old', () => mint(puavoClaims(Math.floor(Date.now() / 1000) - 3600)), true, Code.TOKEN_TOO_OLD],
  ];
  test.each(cases)('%s', async (_name, token, withSibling, code) => {
    const late: Jar = new Map();
    await returnWith(late, PAGE, token());
    if (withSibling) for (const [n, v] of await siblingRedeems(new Map(), PAGE)) late.set(n, v);
    const res = await send(late, PAGE);
    expect(res.status).toBe(401);
    expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([code]);
  });

  test('a parked token whose state this browser never had (a planted cookie) beside a redeemed one: 403', async () => {
    const late = await siblingRedeems(new Map(), PAGE);
    for (const name of [...late.keys()]) if (name.startsWith('jwtsso-s-')) late.delete(name);
    const res = await send(late, PAGE);
    expect(res.status).toBe(403);
  });

  test('where the request may not be sent to the provider (a POST), the refusal is the answer', async () => {
    const posted = await siblingRedeems(new Map(), PAGE);
    const post = await send(posted, PAGE, 'post');
    expect(post.status).toBe(401);
  });
});

describe('the replay store: only a sign-in writes the pair; a replayed token writes nothing', () => {
  test('a sign-in records its token, then the pair (its state, the token); the store holds two ids', async () => {
    const claims = puavoClaims();
    const jar: Jar = new Map();
    const out = await send(jar, PAGE);
    const state = new URL(returnToOf(out.headers.location)).searchParams.get('jwtsso_state')!;
    const back = await send(jar, providerReturn(returnToOf(out.headers.location), mint(claims)));
    expect((await send(jar, back.headers.location!)).status).toBe(200);
    expect(store.size).toBe(2);
    await expect(store.has(claims.jti as string)).resolves.toBe(true);
    await expect(store.has(loginReplayId(state, claims.jti as string))).resolves.toBe(true);
  });

  test('one redeemed token replayed with 30 fresh states of its own: 30 refusals, no id written', async () => {
    const token = mint(puavoClaims());
    await siblingRedeems(new Map(), PAGE, token);
    expect(store.size).toBe(2);
    for (let i = 0; i < 30; i++) {
      const jar: Jar = new Map();
      const res = await send(jar, await returnWith(jar, PAGE, token));
      expect(res.status).toBe(401);
    }
    expect(store.size).toBe(2);
    expect(events.filter((e) => e.type === 'refused')).toHaveLength(30);
  });

  test('a store without has (consume only): no pair written, and the late tab is refused as before (401)', async () => {
    const ids: string[] = [];
    const memory = new MemoryReplayStore();
    await restartWith({ consume: (id, ttl) => (ids.push(id), memory.consume(id, ttl)) });
    const late = await siblingRedeems(new Map(), PAGE);
    expect(ids).toHaveLength(1);
    expect((await send(late, PAGE)).status).toBe(401);
    expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([Code.TOKEN_REPLAYED]);
  });

  // The pair is a convenience: a store that fails at it costs no sign-in, and never a crash.
  const failing: [string, (id: string) => Promise<boolean>][] = [
    [
      'throws synchronously',
      () => {
        throw new Error('store down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('store down'))],
    // A store that stalls: the sign-in does not wait for the pair's write, and the refusal waits
    // PAIR_LOOKUP_MS for has, then is answered as a replay.
    ['never answers', () => new Promise<boolean>(() => undefined)],
  ];
  test.each(failing)(
    'a store whose pair write and has %s: the sign-in stands, the late tab is refused (401), no unhandled rejection',
    async (_name, fail) => {
      const memory = new MemoryReplayStore();
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        await restartWith({
          consume: (id, ttl) => (id.startsWith('token-sha256:login:') ? fail(id) : memory.consume(id, ttl)),
          has: fail,
        });
        const late = await siblingRedeems(new Map(), PAGE);
        // Answered (within the test's timeout: a has that never answers is given PAIR_LOOKUP_MS), as a replay.
        expect((await send(late, PAGE)).status).toBe(401);
        expect(events.filter((e) => e.type === 'refused').map((e) => e.code)).toEqual([Code.TOKEN_REPLAYED]);
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    },
  );
});
