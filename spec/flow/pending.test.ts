// The rules of lib/flow/pending.ts, through a real Express app over a loopback socket: the
// request on the clean URL verifies the tokens waiting for it, and only tokens of a login this
// browser started; a refusal leaves the login's state for its own token; a fault of the replay
// store is a fault, not a refusal; what it accepts and what it drops is audited.
import chaiPassportStrategy from 'chai-passport-strategy';
import request from 'supertest';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, MemoryReplayStore, type JwtSsoEvent, type ReplayStore } from '../../lib';
import { AUTH_ENDPOINT, startApp, type AppOptions, type TestApp } from '../helpers/app';
import { providerReturn, returnToOf } from '../helpers/flow';
import { cookieHeader, keepCookies, type Jar } from '../helpers/jar';
import { mint, OTHER_SECRET, puavoClaims, SECRET } from '../helpers/tokens';

let app: TestApp | undefined;
let events: JwtSsoEvent[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  events = [];
});

const onEvent = (e: JwtSsoEvent) => void events.push(e);
const start = async (options: AppOptions = {}): Promise<TestApp> =>
  (app = await startApp({ ...options, strategy: { onEvent, ...options.strategy } }));

/** One request with the cookies of `jar`, whose answer's cookies are then kept in `jar`. */
async function send(jar: Jar, path: string): Promise<request.Response> {
  const cookie = cookieHeader(jar);
  const req = request(app!.url).get(path);
  const res = await (cookie === '' ? req : req.set('Cookie', cookie));
  return keepCookies(jar, res);
}

/** A trip to the provider and back with `token`: the token parked, the clean URL returned. */
async function returnWith(jar: Jar, page: string, token: string): Promise<string> {
  const out = await send(jar, page);
  expect(out.status).toBe(302);
  const back = await send(jar, providerReturn(returnToOf(out.headers.location), token));
  expect(back.status).toBe(303);
  return back.headers.location!;
}

const refusals = () => events.filter((e) => e.type === 'refused').map((e) => e.code);

describe('a waiting token is verified on the clean URL, in either login-state store', () => {
  test.each(['cookie', 'session'] as const)(
    'loginState %s: signed in, the acceptance audited with its jti and subject',
    async (loginState) => {
      await start({ strategy: { loginState } });
      const claims = puavoClaims();
      const jar: Jar = new Map();
      const page = await send(jar, await returnWith(jar, '/protected', mint(claims)));
      expect(page.status).toBe(200);
      expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
      expect(events.filter((e) => e.type === 'accepted')).toEqual([expect.objectContaining({ jti: claims.jti, sub: '42' })]);
    },
  );
});

describe('a waiting token of a login this browser did not start is dropped before it is verified', () => {
  // A key provider that counts its lookups: a planted token must cost none.
  let lookups = 0;
  const counted = () => {
    lookups += 1;
    return SECRET;
  };
  beforeEach(() => {
    lookups = 0;
  });

  test("another browser's parked-token cookie, planted: 403 STATE_MISMATCH, and no key looked up", async () => {
    await start({ strategy: { sharedSecret: undefined, secretOrKeyProvider: counted } });
    const victim: Jar = new Map();
    const clean = await returnWith(victim, '/protected', mint(puavoClaims()));
    const planted: Jar = new Map([...victim].filter(([name]) => name.startsWith('jwtsso-t-')));
    expect(planted.size).toBe(1);
    const res = await send(planted, clean);
    expect(res.status).toBe(403);
    expect(refusals()).toEqual([Code.STATE_MISMATCH]);
    expect(lookups).toBe(0);
  });

  test('control: in the browser that started the login, one key lookup, and signed in', async () => {
    await start({ strategy: { sharedSecret: undefined, secretOrKeyProvider: counted } });
    const jar: Jar = new Map();
    const page = await send(jar, await returnWith(jar, '/protected', mint(puavoClaims())));
    expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
    expect(lookups).toBe(1);
  });
});

describe("a refused token does not end its login: the state stays for the login's own token", () => {
  test.each(['cookie', 'session'] as const)(
    'loginState %s: a junk token (another key) refused, then the same login returns with its own and signs in',
    async (loginState) => {
      await start({ strategy: { loginState } });
      const jar: Jar = new Map();
      const out = await send(jar, '/protected');
      const returnTo = returnToOf(out.headers.location);
      const junk = await send(jar, providerReturn(returnTo, mint(puavoClaims(), OTHER_SECRET)));
      expect(junk.status).toBe(303);
      expect((await send(jar, junk.headers.location!)).status).toBe(401);
      expect(refusals()).toEqual([Code.SIGNATURE_INVALID]);
      const own = await send(jar, providerReturn(returnTo, mint(puavoClaims())));
      expect(own.status).toBe(303);
      const page = await send(jar, own.headers.location!);
      expect(page.status).toBe(200);
      expect(page.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
    },
  );
});

describe('a fault of the replay store ends the request as a fault (500), never as a refusal', () => {
  const failing: ReplayStore = {
    consume: () => Promise.reject(new Error('connection refused')),
  };
  test.each<[string, ReplayStore, number]>([
    ['a store that cannot record', failing, 500],
    ['control: a working store', new MemoryReplayStore(), 200],
  ])('%s', async (_name, replayStore, status) => {
    await start({ strategy: { replayStore } });
    const jar: Jar = new Map();
    const res = await send(jar, await returnWith(jar, '/protected', mint(puavoClaims())));
    expect(res.status).toBe(status);
    if (status === 500) {
      expect(res.body.code).toBe(Code.REPLAY_STORE_FAILED);
      expect(refusals()).toEqual([]);
    }
  });

  // Two tabs start a login each; the first signs in; the store then goes down; the second tab's
  // token comes back to a signed-in browser. A refusal would be dropped there (the page served):
  // a fault must not be, or an outage would pass unseen.
  test.each<[string, boolean, number]>([
    ['the store down after the first sign-in: 500, not a dropped token', true, 500],
    ['control: the store up: the second tab signs in too', false, 200],
  ])('signed in already, %s', async (_name, goesDown, status) => {
    let calls = 0;
    const memory = new MemoryReplayStore();
    const replayStore: ReplayStore = {
      consume: (id, ttl) => (goesDown && (calls += 1) > 1 ? Promise.reject(new Error('connection refused')) : memory.consume(id, ttl)),
    };
    await start({ strategy: { replayStore } });
    const jar: Jar = new Map();
    const tabA = returnToOf((await send(jar, '/protected?tab=a')).headers.location);
    const tabB = returnToOf((await send(jar, '/protected?tab=b')).headers.location);
    const a = await send(jar, providerReturn(tabA, mint(puavoClaims())));
    expect((await send(jar, a.headers.location!)).body.user).not.toBeNull();
    const b = await send(jar, providerReturn(tabB, mint(puavoClaims())));
    expect(b.status).toBe(303);
    const res = await send(jar, b.headers.location!);
    expect(res.status).toBe(status);
    if (status === 500) expect(res.body.code).toBe(Code.REPLAY_STORE_FAILED);
    else expect(events.filter((e) => e.type === 'accepted')).toHaveLength(2);
  });
});

describe('a signed-in request drops the tokens still waiting for it, audited', () => {
  test('a client that kept the parked-token cookie of the login it finished: the page, and one token-dropped (no code)', async () => {
    await start();
    const jar: Jar = new Map();
    const clean = await returnWith(jar, '/protected', mint(puavoClaims()));
    const kept = new Map(jar);
    expect((await send(jar, clean)).body.user).not.toBeNull();
    // The session cookie of the sign-in, with the cookies of the login as they were before its answer.
    for (const [name, value] of jar) if (!name.startsWith('jwtsso-')) kept.set(name, value);
    events = [];
    const again = await send(kept, clean);
    expect(again.status).toBe(200);
    expect(again.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
    expect(events).toEqual([expect.objectContaining({ type: 'token-dropped' })]);
    expect(events[0]!.code).toBeUndefined();
  });
});

// Passport's own harness (chai-passport-strategy) carries one session object from request to
// request, as a browser's session is shared by its tabs: two requests of one signed-in browser,
// each with a token of the same login, verified at once. The first uses the login's state up;
// the second finds it gone once its token verified, and is served as the signed-in request it
// is, not signed in a second time.
describe('a signed-in request whose login another request finished meanwhile passes, its token dropped', () => {
  test('two requests of one session, one login: the first signs in, the second passes', async () => {
    const chai: Parameters<typeof chaiPassportStrategy>[0] = {};
    chaiPassportStrategy(chai);
    // Keys handed out only when the test says, per token (by jti): both requests wait, verified.
    const asked = new Map<string, () => void>();
    const waiting = new Map<string, Promise<void>>();
    const gate = (jti: string) => {
      if (!waiting.has(jti)) waiting.set(jti, new Promise<void>((release) => asked.set(jti, release)));
      return waiting.get(jti)!;
    };
    const strategy = new JwtSsoStrategy(
      {
        authEndpoint: AUTH_ENDPOINT,
        secretOrKeyProvider: async (_req, _header, payload) => {
          await gate(String(payload.jti));
          return SECRET;
        },
        host: 'app.example',
        loginState: 'session',
        onEvent,
      },
      (claims, done) => done(null, claims === null ? null : { id: claims.puavo_id }),
    );
    const session = {};
    type Req = { url: string; headers: Record<string, string>; session?: object; user?: unknown };
    const attempt = (url: string, user?: unknown) =>
      new Promise<{ action: string; args: unknown[] }>((resolve) => {
        chai
          .passport!.use(strategy)
          .request((req: Req) => {
            req.url = url;
            req.session = session;
            if (user !== undefined) req.user = user;
          })
          .success((...args: unknown[]) => resolve({ action: 'success', args }))
          .fail((...args: unknown[]) => resolve({ action: 'fail', args }))
          .redirect((...args: unknown[]) => resolve({ action: 'redirect', args }))
          .pass(() => resolve({ action: 'pass', args: [] }))
          .error((...args: unknown[]) => resolve({ action: 'error', args }))
          .authenticate();
      });

    const start = await attempt('/a');
    expect(start.action).toBe('redirect');
    const state = new URL(new URL(start.args[0] as string).searchParams.get('return_to')!).searchParams.get('jwtsso_state')!;
    const first = puavoClaims();
    const second = puavoClaims();
    // The same login returns on two URLs (two tabs), each token parked for its own URL.
    expect(await attempt(`/a?jwtsso_state=${state}&jwt=${mint(first)}`)).toEqual({ action: 'redirect', args: ['/a', 303] });
    expect(await attempt(`/b?jwtsso_state=${state}&jwt=${mint(second)}`)).toEqual({ action: 'redirect', args: ['/b', 303] });

    const signedIn = { id: 42 };
    const a = attempt('/a', signedIn);
    const b = attempt('/b', signedIn);
    // Both verified up to their keys, past the check of the state, before either goes on.
    while (asked.size < 2) await new Promise((r) => setImmediate(r));
    asked.get(String(first.jti))!();
    const signedInAgain = await a;
    expect(signedInAgain.action).toBe('success');
    expect(signedInAgain.args[0]).toEqual({ id: 42 });
    asked.get(String(second.jti))!();
    expect(await b).toEqual({ action: 'pass', args: [] });
    expect(events.map((e) => e.type)).toEqual(['redirect', 'token-received', 'token-received', 'accepted', 'token-dropped']);
  });
});
