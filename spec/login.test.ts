// The rules of lib/login.ts: what a returned token and state must look like (at their length
// bounds), what each refusal names, that a response already sent is never touched, and which
// fault a failing key source or replay store is. Pure steps directly; faults through a real app.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtSsoErrorCode as Code, MemoryReplayStore, type ReplayStore } from '../lib';
import { sessionRequired, stateMismatch } from '../lib/errors';
import {
  acceptToken,
  formParams,
  isCallback,
  loginContext,
  loginRedirect,
  MAX_RETURN_PATH,
  readReturn,
  resolveParams,
  returnPath,
  isRedeemedLeftover,
  PAIR_LOOKUP_MS,
  verifyBeforeKeeping,
} from '../lib/login';
import { noStore } from '../lib/response';
import { resolveOptions } from '../lib/options';
import { MAX_TOKEN_LENGTH } from '../lib/token';
import { splitTarget } from '../lib/urls';
import { startApp, type TestApp } from './helpers/app';
import { login } from './helpers/flow';
import { mint, puavoClaims, SECRET } from './helpers/tokens';
import { contextArgs, expressView } from './helpers/view';
import { errorOf } from './helpers/errors';

const options = (extra: Record<string, unknown> = {}) =>
  resolveOptions({ authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, host: 'app.example', scheme: 'https', ...extra });
const returned = (target: string, extra: Record<string, unknown> = {}) => {
  const o = options(extra);
  const ctx = loginContext(o, contextArgs({ req: { headers: {} } as never, res: undefined, session: undefined, now: 0 }));
  return readReturn(o, ctx, { pairs: splitTarget(target).pairs, target });
};

describe('a returned state is ours only if it is 16 to 128 base64url characters, given once', () => {
  test.each([
    ['16 characters', 'a'.repeat(16), true],
    ['128 characters', 'b'.repeat(128), true],
    ['every base64url character', 'AZaz09_-'.repeat(2), true],
    ['15 characters', 'a'.repeat(15), false],
    ['129 characters', 'b'.repeat(129), false],
    ['a character outside base64url', `${'a'.repeat(16)}.`, false],
    ['a base64 character that is not base64url', `${'a'.repeat(16)}+`, false],
  ])('%s: %s', (_name, state, ours) => {
    expect(returned(`/p?jwt=a.b.c&jwtsso_state=${encodeURIComponent(state)}`).state).toBe(ours ? state : null);
  });

  test('a state given twice is not ours', () => {
    const state = 'c'.repeat(32);
    expect(returned(`/p?jwt=a.b.c&jwtsso_state=${state}&jwtsso_state=${state}`).state).toBeNull();
  });

  test('with state off, a state parameter is not read', () => {
    expect(returned(`/p?jwt=a.b.c&jwtsso_state=${'c'.repeat(32)}`, { state: false }).state).toBeNull();
  });
});

describe('the token parameter: exactly once, 1 to MAX_TOKEN_LENGTH characters', () => {
  test(`a token of exactly ${MAX_TOKEN_LENGTH} characters is read`, () => {
    const token = `a.${'t'.repeat(MAX_TOKEN_LENGTH - 4)}.c`;
    expect(returned(`/p?jwt=${token}&a=1`)).toEqual({ token, state: null, clean: '/p?a=1' });
  });

  test.each([
    ['missing', '/p?a=1', /"jwt" parameter was given 0 times/],
    ['given twice', '/p?jwt=a&jwt=b', /"jwt" parameter was given 2 times/],
    ['empty', '/p?jwt=', /empty or longer than 8192 characters/],
    [`${MAX_TOKEN_LENGTH + 1} characters`, `/p?jwt=${'t'.repeat(MAX_TOKEN_LENGTH + 1)}`, /empty or longer than 8192 characters/],
  ])('%s: TOKEN_MALFORMED, and the message says which', (_name, target, why) => {
    const err = errorOf(() => returned(target));
    expect(err.code).toBe(Code.TOKEN_MALFORMED);
    expect(err.message).toMatch(why);
  });

  test('the message names the configured parameter', () => {
    expect(errorOf(() => returned('/p?jwt=a', { tokenParam: 'token' })).message).toMatch(/"token" parameter was given 0 times/);
  });
});

describe('refusals say what to do', () => {
  test('SESSION_REQUIRED names the session middleware and passport.session()', () => {
    const err = sessionRequired();
    expect(err.code).toBe(Code.SESSION_REQUIRED);
    expect(err.message).toMatch(/req\.session is missing/);
    expect(err.message).toMatch(/passport\.session\(\)/);
  });

  test('STATE_MISMATCH names the cookie setting that usually causes it', () => {
    const err = stateMismatch();
    expect(err.code).toBe(Code.STATE_MISMATCH);
    expect(err.message).toMatch(/SameSite=Lax/);
  });

  test('state on, the session login state and no session: loginRedirect refuses with SESSION_REQUIRED', () => {
    const o = options({ loginState: 'session' });
    const ctx = loginContext(
      o,
      contextArgs({ req: { headers: {}, socket: {} } as never, res: undefined, session: undefined, now: Date.now() }),
    );
    expect(errorOf(() => loginRedirect(o, ctx, { target: '/p', wanted: undefined, params: {} })).code).toBe(Code.SESSION_REQUIRED);
  });

  test('per-request provider parameters are checked under the option that gave them', () => {
    const req = { headers: { 'accept-language': 'fi' } } as never;
    expect(resolveParams((r) => ({ locale: String(r.headers['accept-language']) }), req, 'authParams')).toEqual({ locale: 'fi' });
    expect(() => resolveParams(() => ({ locale: 1 }) as never, req, 'authenticate option authParams')).toThrow(
      /"authenticate option authParams\.locale"/,
    );
    expect(resolveParams(undefined, req, 'authParams')).toEqual({});
  });
});

describe('noStore: a response that carries a token is never cached, and one already sent is left alone', () => {
  async function respond(handler: (res: ServerResponse) => void): Promise<{ headers: Record<string, unknown>; threw: unknown }> {
    let threw: unknown = null;
    const server = createServer((_req, res) => {
      try {
        handler(res);
      } catch (err) {
        threw = err;
      }
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await res.arrayBuffer();
      return { headers: Object.fromEntries(res.headers), threw };
    } finally {
      server.close();
    }
  }

  test('before the headers are sent: Cache-Control no-store and Referrer-Policy no-referrer', async () => {
    const { headers, threw } = await respond((res) => noStore(res));
    expect(threw).toBeNull();
    expect(headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  });

  test('after the headers are sent: nothing is set and nothing throws', async () => {
    const { headers, threw } = await respond((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      noStore(res);
    });
    expect(threw).toBeNull();
    expect(headers['cache-control']).toBeUndefined();
  });

  test('no response at all: nothing throws', () => {
    expect(() => noStore(undefined)).not.toThrow();
  });
});

describe('a failing key source or replay store is a fault that names its cause', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  async function callback(token: string): Promise<{ status: number; code: string | null }> {
    const browser = app.browser();
    const first = await browser.get(`/checked?jwt=${token}`);
    const res = first.status === 303 ? await browser.get(first.headers.location!) : first;
    return { status: res.status, code: (res.body as { code?: string }).code ?? null };
  }

  test('a secretOrKeyProvider that throws: KEY_SOURCE_FAILED, "secretOrKeyProvider failed"', async () => {
    app = await startApp({
      strategy: {
        sharedSecret: undefined,
        state: false,
        secretOrKeyProvider: () => {
          throw new Error('tenant database down');
        },
      },
    });
    expect(await callback(mint(puavoClaims()))).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
    expect(app.errors.at(-1)).toMatch(/\(secretOrKeyProvider failed\).*tenant database down/);
  });

  test('a replay store that throws: REPLAY_STORE_FAILED names the replay store and keeps the cause', async () => {
    const replayStore: ReplayStore = { consume: () => Promise.reject(new Error('redis unreachable')) };
    app = await startApp({ strategy: { state: false, replayStore } });
    expect(await callback(mint(puavoClaims()))).toEqual({ status: 500, code: Code.REPLAY_STORE_FAILED });
    expect(app.errors.at(-1)).toMatch(/replay store could not record the token id.*redis unreachable/);
  });

  test('a token used twice: TOKEN_REPLAYED says it was already used', async () => {
    app = await startApp({ strategy: { state: false } });
    const token = mint(puavoClaims());
    expect((await callback(token)).status).toBe(200);
    const browser = app.browser();
    const first = await browser.get(`/checked?jwt=${token}`);
    const again = await browser.get(first.headers.location!);
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: Code.TOKEN_REPLAYED, message: expect.stringMatching(/already used/) });
  });
});

describe("a form POST's return URL: from the body or the action URL's query, exactly once across both", () => {
  const STATE = 'S'.repeat(32);
  const back = `https://app.example/protected?jwtsso_state=${STATE}`;
  const body = (pairs: string) => splitTarget(`/access/jwt?jwt=${mint(puavoClaims(0))}${pairs}`).pairs;
  const posted = (bodyPairs: string, query: string, extra: Record<string, unknown> = {}) => {
    const o = options({
      callbackPath: '/access/jwt',
      responseMode: 'form_post',
      returnToParam: 'return_to',
      loginState: 'cookie',
      ...extra,
    });
    const ctx = loginContext(o, contextArgs({ req: { headers: {} } as never, res: undefined, session: undefined, now: 0 }));
    const target = `/access/jwt${query}`;
    return readReturn(o, ctx, { pairs: body(bodyPairs), target, actionQuery: splitTarget(target).pairs });
  };
  const r = `return_to=${encodeURIComponent(back)}`;

  test.each([
    ['control: in the action URL query', '', `?${r}`, '/protected', STATE],
    ['control: in the body', `&${r}`, '', '/protected', STATE],
    [
      'control: in the query, spaces as + (Rails to_query)',
      '',
      `?brand_id=1&${r.replace('protected', 'a%20b').replace(/%20/g, '+')}`,
      '/a%20b',
      STATE,
    ],
    ['twice in the query', '', `?${r}&${r}`, '/', null],
    ['in both the body and the query', `&${r}`, `?${r}`, '/', null],
    ['another origin in the query', '', `?return_to=${encodeURIComponent(back.replace('app.example', 'evil.example'))}`, '/', null],
  ])('%s', (_name, bodyPairs, query, clean, state) => {
    const got = posted(bodyPairs, query);
    expect(got.clean.split('?')[0]).toBe(clean);
    expect(got.state).toBe(state);
  });

  test('a top-level state (stateIn "param") in both the body and the query is ambiguous too; control: in one', () => {
    const extra = { stateIn: 'param', stateParam: 'state' };
    expect(posted(`&state=${STATE}`, `?state=${STATE}`, extra).state).toBeNull();
    expect(posted('', `?state=${STATE}`, extra).state).toBe(STATE);
    expect(posted(`&state=${STATE}`, '', extra).state).toBe(STATE);
  });

  test('linear time: a 64 KiB action URL query of return_to pairs and empty pairs is read in well under a second', () => {
    const hostile = `?${'return_to=%2F&'.repeat(2341)}${'&'.repeat(32 * 1024)}`;
    expect(hostile.length).toBeGreaterThan(64 * 1024);
    const started = performance.now();
    const got = posted('', hostile);
    expect(performance.now() - started).toBeLessThan(500);
    expect(got.clean).toBe('/');
  });
});

describe(`a login returns to a path of at most MAX_RETURN_PATH bytes; a longer one to mountPoint's root`, () => {
  const o = () => options({ mountPoint: '/app' });
  const ctx = () =>
    loginContext(
      o(),
      contextArgs({
        req: { headers: { host: 'app.example' } },
        res: undefined,
        session: { get: () => undefined, set: () => undefined },
        now: Date.now(),
      }),
    );
  const returnToOf = (target: string) =>
    new URL(new URL(loginRedirect(o(), ctx(), { target, wanted: undefined, params: {} })).searchParams.get('return_to')!);
  test.each<[string, string, string]>([
    [
      'control: a path of exactly MAX_RETURN_PATH bytes is kept',
      `/${'a'.repeat(MAX_RETURN_PATH - 1)}`,
      `/app/${'a'.repeat(MAX_RETURN_PATH - 1)}`,
    ],
    ['one byte more: the root', `/${'a'.repeat(MAX_RETURN_PATH)}`, '/app/'],
    ['a 64 KiB run of slashes: the root', `/x${'/'.repeat(64 * 1024)}`, '/app/'],
    ['a long query: the root', `/p?q=${'%41'.repeat(1000)}`, '/app/'],
  ])('%s', (_name, target, pathname) => {
    expect(returnToOf(target).pathname).toBe(pathname);
  });
});

// Rules of the login flow that the mutation runs of lib/login.ts, lib/strategy.ts and the
// login-state stores showed no other test states: one describe per lib file, each test named by
// the rule it states.
describe("the returned token's shape and the login URL's parameters", () => {
  const options = (extra: Record<string, unknown> = {}) =>
    resolveOptions({ authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, host: 'app.example', scheme: 'https', ...extra });
  const contextOf = (o: ReturnType<typeof options>) =>
    loginContext(o, contextArgs({ req: { headers: {} } as never, res: undefined, session: undefined, now: 0 }));
  const returned = (target: string, extra: Record<string, unknown> = {}) => {
    const o = options(extra);
    return readReturn(o, contextOf(o), { pairs: splitTarget(target).pairs, target });
  };

  describe('lib/login.ts', () => {
    describe('a returned token has the JWS compact shape: three dot-separated base64url parts, the first never empty', () => {
      const every = 'AZaz09_-';
      test.each([
        ['every base64url character in each part', `${every}.${every}.${every}`],
        ['an empty payload and signature (left to verification to refuse)', `${every}..`],
      ])('read: %s', (_name, token) => {
        expect(returned(`/p?jwt=${token}`).token).toBe(token);
      });

      test.each([
        ['an empty header', `.${every}.${every}`],
        ['a character before the header', `+${every}.${every}.${every}`],
        ['a character after the signature', `${every}.${every}.${every}=`],
        ['a base64 character in the header', `${every}+.${every}.${every}`],
        ['a base64 character in the payload', `${every}.${every}/.${every}`],
        ['a base64 character in the signature', `${every}.${every}.${every}+`],
        ['a fourth part', `${every}.${every}.${every}.${every}`],
        ['two parts', `${every}.${every}`],
        ['a dot replaced by another character', `${every}~${every}.${every}`],
      ])('refused as TOKEN_MALFORMED: %s', (_name, token) => {
        const err = errorOf(() => returned(`/p?jwt=${encodeURIComponent(token)}`));
        expect(err.code).toBe(Code.TOKEN_MALFORMED);
        expect(err.message).toMatch(/not three dot-separated base64url parts/);
      });
    });

    test('a return URL with a password but no user name is never followed', () => {
      const o = options({ callbackPath: '/cb' });
      expect(returnPath(o, expressView({ headers: {} }), 'https://:pw@app.example/p')).toBeNull();
      expect(returnPath(o, expressView({ headers: {} }), 'https://app.example/p')).toBe('/p');
    });

    test('the callback route is its path, with or without one trailing slash, and nothing else', () => {
      const o = options({ callbackPath: '/cb' });
      expect(['/cb', '/cb/', '/cb//', '/cbx', '/cb/x', '/'].map((path) => isCallback(o, path))).toEqual([
        true,
        true,
        false,
        false,
        false,
        false,
      ]);
      expect(isCallback(options(), '/cb')).toBe(false);
    });

    test('with the nonce on, a token that came back without a state is refused for its state (STATE_MISMATCH), not its nonce', async () => {
      const o = options({ nonce: true, loginState: 'session' });
      const now = Date.now();
      const ctx = loginContext(
        o,
        contextArgs({ req: { headers: {} } as never, res: undefined, session: { get: () => undefined, set: () => {} }, now }),
      );
      const token = mint(puavoClaims(Math.floor(now / 1000), { nonce: 'whatever' }));
      await expect(acceptToken(o, ctx, { token, state: null, signedIn: false })).rejects.toMatchObject({ code: Code.STATE_MISMATCH });
    });

    test('with the login state off, no kept return path is read: a login on a fixed callback with no return URL lands on the root, whatever cookies came', () => {
      const o = options({ state: false, callbackPath: '/cb', returnToParam: false });
      const kept = `9999999999999.${Buffer.from('/admin').toString('base64url')}`;
      const cookie = ['', '__Host-'].map((prefix) => `${prefix}jwtsso-s-null=${kept}`).join('; ');
      const ctx = loginContext(o, contextArgs({ req: { headers: { cookie } } as never, res: undefined, session: undefined, now: 0 }));
      expect(readReturn(o, ctx, { pairs: splitTarget('/cb?jwt=a.b.c').pairs, target: '/cb?jwt=a.b.c' })).toEqual({
        token: 'a.b.c',
        state: null,
        clean: '/',
      });
    });

    describe('the login URL carries exactly the parameters the options ask for, nothing more', () => {
      const keysOf = (extra: Record<string, unknown>) => {
        const o = options({ authEndpoint: 'https://sso.example/sso?client=demo', ...extra });
        const res = { headersSent: false, appendHeader: () => undefined };
        const ctx = loginContext(o, contextArgs({ req: { headers: {} } as never, res: res as never, session: undefined, now: Date.now() }));
        const url = new URL(loginRedirect(o, ctx, { target: '/p', wanted: undefined, params: {} }));
        const returnTo = new URL(url.searchParams.get('return_to')!);
        return [...url.searchParams.keys(), ...[...returnTo.searchParams.keys()].map((key) => `return_to.${key}`)].sort();
      };
      test.each([
        ['the defaults: the return URL, which carries the state', {}, ['client', 'return_to', 'return_to.jwtsso_state']],
        ['state off', { state: false }, ['client', 'return_to']],
        ['the state as a parameter of its own', { stateIn: 'param' }, ['client', 'jwtsso_state', 'return_to']],
        ['the nonce on', { nonce: true }, ['client', 'nonce', 'return_to', 'return_to.jwtsso_state']],
        ['a fixed callback without callbackParam', { callbackPath: '/cb' }, ['client', 'return_to', 'return_to.jwtsso_state']],
        [
          'a fixed callback with callbackParam',
          { callbackPath: '/cb', callbackParam: 'callback' },
          ['callback', 'client', 'return_to', 'return_to.jwtsso_state'],
        ],
      ])('%s', (_name, extra, keys) => {
        expect(keysOf(extra)).toEqual(keys);
      });
    });
  });
});

describe('loginContext: the clock option is read at most once a request, and not at all on a signed-in page', () => {
  let app: TestApp | undefined;
  afterEach(() => app?.close());

  test('a sign-in trip reads it once in each of its three requests; five signed-in pages, never', async () => {
    let calls = 0;
    // A store with its own clock: the strategy's reads alone are counted (the default store shares the option).
    app = await startApp({ strategy: { clock: () => (calls++, Date.now()), replayStore: new MemoryReplayStore() } });
    const browser = app.browser();
    expect((await login(browser, '/protected?tab=1')).final.status).toBe(200);
    expect(calls).toBe(3);
    for (let i = 0; i < 5; i++) expect((await browser.get(`/protected?tab=${i}`)).status).toBe(200);
    expect(calls).toBe(3);
  });
});

// Rules the mutation run of lib/login.ts (narrowed to the login, strategy and core provider
// suites) found no test stating: each stated directly on the step, with a control.
describe('lib/login.ts: the steps stated directly', () => {
  const options = (extra: Record<string, unknown> = {}) =>
    resolveOptions({ authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, host: 'app.example', scheme: 'https', ...extra });
  const contextOf = (o: ReturnType<typeof options>, now = Date.now()) =>
    loginContext(o, contextArgs({ req: { headers: {} } as never, res: undefined, session: undefined, now }));

  describe('a posted form is read for exactly the token, the return URL and a top-level state', () => {
    test.each<[string, Record<string, unknown>, string[]]>([
      ['the defaults: the token and the return URL (the state rides inside it)', {}, ['jwt', 'return_to']],
      ['the state as a parameter of its own: read too', { stateIn: 'param', stateParam: 'state' }, ['jwt', 'return_to', 'state']],
      ['the state as a parameter, but state off: not read', { state: false, stateIn: 'param', stateParam: 'state' }, ['jwt', 'return_to']],
      ['renamed parameters', { tokenParam: 'token', returnToParam: 'return_to_url' }, ['token', 'return_to_url']],
    ])('%s', (_name, extra, read) => {
      const o = options({ callbackPath: '/cb', responseMode: 'form_post', ...extra });
      expect(formParams(o)).toEqual(read);
    });
  });

  test.each([
    ['https', true],
    ['http', false],
  ])("the login context is secure exactly when the app's public URL is %s", (scheme, secure) => {
    expect(contextOf(options({ scheme })).secure).toBe(secure);
  });

  test("a view whose headers are not the request's (an overridden requestView): the login-state stores read the view's", () => {
    const o = options();
    const req = { headers: { cookie: 'seen=request' } };
    const view = expressView({ headers: { cookie: 'seen=view' } });
    const ctx = loginContext(o, { req: req as never, view, now: 0 });
    expect(ctx.req.headers.cookie).toBe('seen=view');
    // Control: the request's own headers are the view's.
    const same = loginContext(o, { req: req as never, view: expressView(req), now: 0 });
    expect(same.req.headers.cookie).toBe('seen=request');
  });

  test('an unknown state with someone signed in: the token is dropped (null); with no one signed in: STATE_MISMATCH', async () => {
    const o = options();
    const token = mint(puavoClaims());
    const state = 'u'.repeat(32);
    await expect(acceptToken(o, contextOf(o), { token, state, signedIn: true })).resolves.toBeNull();
    await expect(acceptToken(o, contextOf(o), { token, state, signedIn: false })).rejects.toMatchObject({ code: Code.STATE_MISMATCH });
  });

  describe('a token kept in a server session was recorded before it was kept, and is accepted once from there', () => {
    test('verifyBeforeKeeping records it: the same token again is TOKEN_REPLAYED', async () => {
      const o = options({ state: false });
      const token = mint(puavoClaims());
      await expect(verifyBeforeKeeping(o, contextOf(o), { token, state: null })).resolves.toBeUndefined();
      await expect(verifyBeforeKeeping(o, contextOf(o), { token, state: null })).rejects.toMatchObject({ code: Code.TOKEN_REPLAYED });
    });

    test('verifyBeforeKeeping verifies: a token with a bad signature is refused and not recorded', async () => {
      const o = options({ state: false });
      const claims = puavoClaims();
      const forged = mint(claims, 'another secret of at least thirty-two bytes');
      await expect(verifyBeforeKeeping(o, contextOf(o), { token: forged, state: null })).rejects.toMatchObject({
        code: Code.SIGNATURE_INVALID,
      });
      await expect(verifyBeforeKeeping(o, contextOf(o), { token: mint(claims), state: null })).resolves.toBeUndefined();
    });

    test('on the clean URL, the recorded token (consumed) is accepted; control: one not marked consumed is a replay', async () => {
      const o = options({ state: false });
      const token = mint(puavoClaims());
      await verifyBeforeKeeping(o, contextOf(o), { token, state: null });
      await expect(acceptToken(o, contextOf(o), { token, state: null, signedIn: false })).rejects.toMatchObject({
        code: Code.TOKEN_REPLAYED,
      });
      await expect(acceptToken(o, contextOf(o), { token, state: null, signedIn: false, consumed: true })).resolves.toMatchObject({
        jti: expect.any(String),
      });
    });
  });

  describe("a replay is another tab's leftover only when the login of the same state redeemed the token", () => {
    const S1 = 'a'.repeat(32);
    const S2 = 'b'.repeat(32);
    const replayOf = async (first: string | null, second: string | null) => {
      const o = options();
      const token = mint(puavoClaims());
      await verifyBeforeKeeping(o, contextOf(o), { token, state: first });
      return verifyBeforeKeeping(o, contextOf(o), { token, state: second }).then(
        () => undefined,
        (err: unknown) => err as { code?: string },
      );
    };
    test.each<[string, string | null, string | null, boolean]>([
      ['the same token with the same state: a leftover', S1, S1, true],
      ['the same token with another state (a replay into a fresh login): not a leftover', S1, S2, false],
      ['with no state the second time: not a leftover', S1, null, false],
      ['with no state either time: not a leftover', null, null, false],
    ])('%s', async (_name, first, second, leftover) => {
      const err = await replayOf(first, second);
      expect(err?.code).toBe(Code.TOKEN_REPLAYED);
      expect(isRedeemedLeftover(err)).toBe(leftover);
    });

    test.each<[string, unknown]>([
      ['another refusal', stateMismatch()],
      ['a plain error', new Error('x')],
      ['null', null],
      ['a string', 'TOKEN_REPLAYED'],
    ])('%s is never a leftover', (_name, value) => {
      expect(isRedeemedLeftover(value)).toBe(false);
    });

    test.each<[string, () => Promise<boolean>]>([
      ['rejects', () => Promise.reject(new Error('down'))],
      ['never answers', () => new Promise<boolean>(() => undefined)],
    ])(
      'a replay store whose pair write %s: the sign-in stands (the pair is not waited for), the token is recorded',
      async (_name, fail) => {
        const ids: string[] = [];
        const replayStore: ReplayStore = {
          consume: (id) => (ids.push(id), ids.length === 2 ? fail() : Promise.resolve(true)),
          has: () => Promise.resolve(false),
        };
        const o = options({ replayStore });
        await expect(verifyBeforeKeeping(o, contextOf(o), { token: mint(puavoClaims()), state: S1 })).resolves.toBeUndefined();
        expect(ids).toHaveLength(2);
        expect(ids[1]).toMatch(/^token-sha256:login:/);
      },
    );

    // A flood of replayed tokens must not leave one PAIR_LOOKUP_MS timer per refusal behind it.
    describe('a refusal whose pair lookup has settled leaves no timer running', () => {
      beforeEach(() => jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'queueMicrotask', 'setImmediate'] }));
      afterEach(() => jest.useRealTimers());
      const refusalWith = async (has: () => Promise<boolean>) => {
        // Records as a store does (the memory store sets no timer); only has is the one under test.
        const recorded = new MemoryReplayStore();
        const replayStore: ReplayStore = { consume: (id, ttl) => recorded.consume(id, ttl), has };
        const o = options({ replayStore });
        const token = mint(puavoClaims());
        await verifyBeforeKeeping(o, contextOf(o), { token, state: S1 });
        return verifyBeforeKeeping(o, contextOf(o), { token, state: S1 }).catch((err: unknown) => err as { code?: string });
      };

      test.each<[string, () => Promise<boolean>, boolean]>([
        ['has answers true (a leftover)', () => Promise.resolve(true), true],
        ['has answers false', () => Promise.resolve(false), false],
        ['has rejects', () => Promise.reject(new Error('down')), false],
        [
          'has throws at once',
          () => {
            throw new Error('down');
          },
          false,
        ],
      ])('%s: refused, and no timer is left', async (_name, has, leftover) => {
        const err = await refusalWith(has);
        expect(err?.code).toBe(Code.TOKEN_REPLAYED);
        expect(isRedeemedLeftover(err)).toBe(leftover);
        expect(jest.getTimerCount()).toBe(0);
      });

      test(`control: has never answers: the refusal waits PAIR_LOOKUP_MS (${PAIR_LOOKUP_MS} ms), then its timer is gone too`, async () => {
        const pending = refusalWith(() => new Promise<boolean>(() => undefined));
        await jest.advanceTimersByTimeAsync(PAIR_LOOKUP_MS - 1);
        expect(jest.getTimerCount()).toBe(1);
        await jest.advanceTimersByTimeAsync(1);
        const err = await pending;
        expect(err?.code).toBe(Code.TOKEN_REPLAYED);
        expect(isRedeemedLeftover(err)).toBe(false);
        expect(jest.getTimerCount()).toBe(0);
      });
    });

    test('a replay store without has: no pair written, one id a sign-in', async () => {
      const ids: string[] = [];
      const o = options({ replayStore: { consume: (id: string) => (ids.push(id), Promise.resolve(true)) } });
      await verifyBeforeKeeping(o, contextOf(o), { token: mint(puavoClaims()), state: S1 });
      expect(ids).toHaveLength(1);
    });
  });

  // passport-jwt hands its secretOrKeyProvider the request; an app may note there which tenant's key was used.
  test("a secretOrKeyProvider is handed the app's own request: what it sets on it, the app sees after", async () => {
    const req = { headers: { host: 'app.example' } } as Record<string, unknown> & { headers: Record<string, string> };
    const secretOrKeyProvider = (r: Record<string, unknown>) => ((r.keyTenant = 'tenant-a'), SECRET);
    const o = options({ sharedSecret: undefined, secretOrKeyProvider, state: false });
    const ctx = loginContext(o, { req: req as never, view: expressView(req), now: Date.now() });
    await expect(acceptToken(o, ctx, { token: mint(puavoClaims()), state: null, signedIn: false })).resolves.toMatchObject({
      jti: expect.any(String),
    });
    expect(req.keyTenant).toBe('tenant-a');
  });

  test.each([
    ['a key given at once (control)', () => SECRET],
    ['a key given by a promise', async () => Promise.resolve(SECRET)],
  ])('a key source that answers with %s: the claims of the token', async (_name, secretOrKeyProvider) => {
    const o = options({ sharedSecret: undefined, secretOrKeyProvider, state: false });
    const claims = puavoClaims();
    await expect(acceptToken(o, contextOf(o), { token: mint(claims), state: null, signedIn: false })).resolves.toMatchObject({
      jti: claims.jti,
      username: claims.username,
    });
  });
});
