// Refusals that explain themselves, and misconfigurations named: the message in every debug line,
// passport.session() missing, a request on another host than the `host` option, a return that
// brought no cookie, an undefined sharedSecret.
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type JwtSsoEvent } from '../lib';
import { hostMismatch, passportSessionMissing, secureCookieOnHttp, sessionLost, stateMismatchHint } from '../lib/diagnose';
import { emit } from '../lib/events';
import { startApp, type TestApp } from './helpers/app';
import { debugLines } from './helpers/debug';
import { login, providerReturn, returnToOf } from './helpers/flow';
import { mint, puavoClaims, SECRET } from './helpers/tokens';
import { expressView } from './helpers/view';
import { sessionAccess } from '../lib/frameworks/view';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('debug lines carry the message of every refusal and fault', () => {
  test.each<[string, (a: TestApp) => Promise<void>, Record<string, unknown>, RegExp]>([
    [
      'a wrong secret',
      async (a) => {
        const b = a.browser();
        const start = await b.get('/protected');
        const cb = await b.get(providerReturn(returnToOf(start.headers.location), mint(puavoClaims(), 'not-the-secret')));
        await b.get(cb.headers.location!);
      },
      {},
      /refused ERR_JWTSSO_SIGNATURE_INVALID ip=\S+: The token's signature does not verify/,
    ],
    [
      'a stale token',
      async (a) => {
        const b = a.browser();
        const start = await b.get('/protected');
        const old = mint(puavoClaims(Math.floor(Date.now() / 1000) - 3600));
        const cb = await b.get(providerReturn(returnToOf(start.headers.location), old));
        await b.get(cb.headers.location!);
      },
      {},
      /refused ERR_JWTSSO_TOKEN_TOO_OLD ip=\S+: The token was issued 36\d\d s ago, but maxAge is 60 s/,
    ],
    [
      'a replay store that is down',
      async (a) => {
        const b = a.browser();
        const cb = await b.get(`/protected?jwt=${mint(puavoClaims())}`);
        await b.get(cb.headers.location!);
      },
      { state: false, replayStore: { consume: () => Promise.reject(new Error('down')) } },
      /error ERR_JWTSSO_REPLAY_STORE_FAILED ip=\S+: The replay store could not record the token id/,
    ],
  ])('%s', async (_name, act, strategy, expected) => {
    app = await startApp({ strategy });
    const a = app;
    const lines = await debugLines(() => act(a));
    expect(lines.join('\n')).toMatch(expected);
  });

  test('the message is escaped like every other value: one line, whatever the message holds', async () => {
    const events: JwtSsoEvent[] = [];
    const lines = await debugLines(() => {
      emit((e) => events.push(e), { type: 'refused', message: 'line one\nforged line\u202e' });
      return Promise.resolve();
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('line one\\u000aforged line\\u202e');
    expect(events[0]!.message).toBe('line one\\u000aforged line\\u202e');
  });

  test('a message is cut at 1024 characters, a value at 256', () => {
    const events: JwtSsoEvent[] = [];
    emit((e) => events.push(e), { type: 'refused', message: 'm'.repeat(2000), jti: 'j'.repeat(2000) });
    expect(events[0]!.message).toHaveLength(1025);
    expect(events[0]!.jti).toHaveLength(257);
  });
});

describe('passport.session() missing', () => {
  test('the second request is a 500 that names it, not a silent trip back to the provider', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ passportSession: false, strategy: { onEvent: (e) => events.push(e) } });
    const browser = app.browser();
    const { final } = await login(browser);
    expect(final.status).toBe(200); // the login request itself signs in
    const again = await browser.get('/protected');
    expect(again.status).toBe(500);
    expect(again.body.code).toBe(Code.PASSPORT_SESSION_MISSING);
    expect(again.body.error).toMatch(/passport\.session\(\)/);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: Code.PASSPORT_SESSION_MISSING });
  });

  test('control: with passport.session() the second request passes', async () => {
    app = await startApp();
    const browser = app.browser();
    await login(browser);
    const again = await browser.get('/protected');
    expect(again.status).toBe(200);
    expect(again.body.user).toMatchObject({ username: 'ada.lovelace' });
  });

  test.each<[string, unknown, unknown, boolean]>([
    ['a stored user, no req.user', { passport: { user: 'u' } }, undefined, true],
    ['a stored user 0 (a falsy id), no req.user', { passport: { user: 0 } }, undefined, true],
    ['control: a stored user and req.user', { passport: { user: 'u' } }, { id: 1 }, false],
    ['control: no passport key', {}, undefined, false],
    ['control: passport without user (logged out)', { passport: {} }, undefined, false],
    ['control: a null user', { passport: { user: null } }, undefined, false],
    ['control: a null passport', { passport: null }, undefined, false],
    ['control: no session', undefined, undefined, false],
    ['control: a session that is not an object', 'text', undefined, false],
  ])('%s', (_name, session, user, named) => {
    const err = passportSessionMissing({ session: sessionAccess(session), user });
    expect(err?.code ?? null).toBe(named ? Code.PASSPORT_SESSION_MISSING : null);
  });
});

describe('a request on another host than the "host" option', () => {
  const req = (host: string | undefined) => ({ headers: host === undefined ? {} : { host }, socket: {} }) as never;
  test.each<[string, string | undefined, string | undefined, boolean]>([
    ['127.0.0.1 while host is localhost', 'localhost:3000', '127.0.0.1:3000', true],
    ['control: another port only (cookies do not depend on the port)', 'localhost:3000', 'localhost:3001', false],
    ["control: a proxy's Host without the public port (nginx's $host)", 'localhost:8080', 'localhost', false],
    ['another host on the same port', 'localhost:8080', 'app.internal:8080', true],
    ['a look-alike host', 'app.example.org', 'app.example.org.evil.example', true],
    ['control: the same host', 'localhost:3000', 'localhost:3000', false],
    ['control: the same host, other case', 'App.Example.org', 'app.example.ORG', false],
    ['control: the default port written out', 'app.example.org', 'app.example.org:80', false],
    ['control: no host option', undefined, '127.0.0.1:3000', false],
    ['control: no Host header', 'localhost:3000', undefined, false],
    ['control: an invalid Host header', 'localhost:3000', 'bad host', false],
  ])('%s', (_name, host, header, warned) => {
    const warning = hostMismatch({ host, scheme: 'http' }, expressView(req(header)));
    expect(warning !== undefined).toBe(warned);
    if (warned) expect(warning).toContain(`"host" option is ${host}`);
  });

  test('the redirect to the provider is logged with the warning, and the state mismatch on return names the address to use', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ strategy: { host: 'localhost:3999', scheme: 'http', onEvent: (e) => events.push(e) } });
    const browser = app.browser();
    const start = await browser.get('/checked');
    expect(start.status).toBe(302);
    expect(events[0]).toMatchObject({ type: 'redirect', message: expect.stringContaining('"host" option is localhost:3999') });
    // The provider returns to localhost:3999, where this browser's cookies are not sent: a fresh browser.
    const back = await app.browser().get(providerReturn(returnToOf(start.headers.location), mint(puavoClaims())));
    expect(back.status).toBe(403);
    expect(back.body.code).toBe(Code.STATE_MISMATCH);
    expect(back.body.message).toContain('sent no cookie with the return to http://localhost:3999');
  });

  test('control: on the configured host, no warning', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ strategy: { onEvent: (e) => events.push(e) } });
    await app.browser().get('/protected');
    expect(events).toEqual([{ type: 'redirect', ip: expect.any(String) }]);
  });

  test.each<[string, string | undefined, boolean]>([
    ['no Cookie header', undefined, true],
    ['an empty Cookie header', '', true],
    ['control: a cookie came back', 'connect.sid=x', false],
  ])('stateMismatchHint: %s', (_name, cookie, hinted) => {
    const r = { headers: cookie === undefined ? { host: 'a.example' } : { host: 'a.example', cookie }, socket: {} } as never;
    const hint = stateMismatchHint({ host: undefined, scheme: 'https' }, expressView(r));
    expect(hint !== undefined).toBe(hinted);
    if (hinted)
      expect(hint).toMatch(
        /^The browser sent no cookie with the return to https:\/\/a\.example: .* open the app at https:\/\/a\.example\/ and sign in again/,
      );
  });

  test.each<[string, Record<string, string>]>([
    ['no Host header', {}],
    ['an invalid Host header', { host: 'bad host' }],
  ])('stateMismatchHint: %s and no cookie: no address to name, no hint (and no throw)', (_name, headers) => {
    expect(stateMismatchHint({ host: undefined, scheme: 'https' }, expressView({ headers, socket: {} }))).toBeUndefined();
  });
});

describe('an undefined sharedSecret', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    [
      'given as undefined (an unset environment variable)',
      { sharedSecret: undefined },
      /"sharedSecret" is undefined: is the environment variable .*SSO_SECRET.* set\?/,
    ],
    [
      'given as an empty string (an empty environment variable)',
      { sharedSecret: '' },
      /"sharedSecret" must be .*it is empty: is the environment variable/,
    ],
    ['control: not given at all', {}, /give exactly one of the options/],
  ])('%s', (_name, extra, message) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: 'https://sso.example/v3/sso', ...extra } as never)).toThrow(message);
  });

  test('control: a set secret constructs', () => {
    expect(new JwtSsoStrategy({ authEndpoint: 'https://sso.example/v3/sso', sharedSecret: SECRET }).name).toBe('jwtsso');
  });
});

// A request as Express's adapter sees it: over TLS or not, through a proxy it trusts or not.
function viewOver(args: { tls?: boolean; trusted?: boolean; headers?: Record<string, string | string[]> } = {}) {
  const app = { get: (s: string) => (s === 'trust proxy fn' ? () => args.trusted === true : undefined) };
  return expressView({ headers: { host: 'app.example', ...args.headers }, socket: { encrypted: args.tls === true }, app });
}
const withCookie = (cookie: unknown) => sessionAccess({ cookie });
const HTTPS_HINT = /Open the app over https, or set cookie\.secure to 'auto'/;
const TRUST_HINT = /X-Forwarded-Proto: https, but the app does not trust it: set app\.set\('trust proxy', 1\)/;

describe('a Secure session cookie on a request the app sees as http is named, with what to set', () => {
  test.each<[string, Parameters<typeof viewOver>[0], RegExp]>([
    ['local http', {}, HTTPS_HINT],
    ['a proxy that says https, not trusted', { headers: { 'x-forwarded-proto': 'https' } }, TRUST_HINT],
    [
      'a proxy that says HTTPS, http (the first counts, any case), not trusted',
      { headers: { 'x-forwarded-proto': ' HTTPS , http' } },
      TRUST_HINT,
    ],
    ['a proxy header given twice, the first https, not trusted', { headers: { 'x-forwarded-proto': ['https', 'http'] } }, TRUST_HINT],
    ['a proxy that says http, not trusted: no proxy to trust, https is the fix', { headers: { 'x-forwarded-proto': 'http' } }, HTTPS_HINT],
    ['a proxy that says http, trusted', { trusted: true, headers: { 'x-forwarded-proto': 'http' } }, HTTPS_HINT],
  ])('%s: SESSION_LOST, and the hint that fits', (_name, request, hint) => {
    const err = secureCookieOnHttp(viewOver(request), withCookie({ secure: true }));
    expect(err?.code).toBe(Code.SESSION_LOST);
    expect(err?.message).toMatch(/set to Secure .* plain http as the app sees it/);
    expect(err?.message).toMatch(hint);
    expect(err?.message).not.toMatch(hint === HTTPS_HINT ? TRUST_HINT : HTTPS_HINT);
  });

  test.each<[string, Parameters<typeof viewOver>[0], unknown]>([
    ['control: a TLS socket', { tls: true }, { secure: true }],
    ['control: a trusted proxy that says https', { trusted: true, headers: { 'x-forwarded-proto': 'https' } }, { secure: true }],
    ["control: secure: 'auto' over http", {}, { secure: 'auto' }],
    ['control: secure false over http', {}, { secure: false }],
    ['control: a truthy secure that is not true', {}, { secure: 1 }],
    ['control: no cookie settings shown (another session middleware)', {}, undefined],
    ['control: cookie settings that are null', {}, null],
  ])('%s: nothing to say', (_name, request, cookie) => {
    expect(secureCookieOnHttp(viewOver(request), withCookie(cookie))).toBeNull();
  });

  test('control: no session at all', () => {
    expect(secureCookieOnHttp(viewOver(), undefined)).toBeNull();
  });
});

describe('a session lost moments after a sign-in names every cause the session cookie shows', () => {
  const GENERIC = /did not send the session cookie back/;
  test.each<[string, Parameters<typeof viewOver>[0], unknown, RegExp[], RegExp[]]>([
    ['Secure over http', {}, { secure: true }, [/Secure but this request is http as the app sees it\. Open the app over https/], [GENERIC]],
    [
      'Secure behind an untrusted https proxy',
      { headers: { 'x-forwarded-proto': 'https' } },
      { secure: true },
      [/Secure but .*http.*trust proxy/],
      [GENERIC],
    ],
    ['control: Secure over TLS is no cause', { tls: true }, { secure: true }, [GENERIC], [/is Secure/]],
    ["SameSite 'strict'", { tls: true }, { sameSite: 'strict' }, [/SameSite=Strict/], [GENERIC]],
    ["SameSite 'Strict' (any case)", {}, { sameSite: 'Strict' }, [/SameSite=Strict/], [GENERIC]],
    ['SameSite true (express-session: Strict)', {}, { sameSite: true }, [/SameSite=Strict/], [GENERIC]],
    ["control: SameSite 'lax'", {}, { sameSite: 'lax' }, [GENERIC], [/SameSite=Strict/]],
    ['control: SameSite false', {}, { sameSite: false }, [GENERIC], [/SameSite=Strict/]],
    ["a path other than '/'", {}, { path: '/app' }, [/path is \/app: it must cover every page/], [GENERIC]],
    ["control: the path '/'", {}, { path: '/' }, [GENERIC], [/path is/]],
    ['control: a path that is not a string', {}, { path: 5 }, [GENERIC], [/path is/]],
    ['a domain', {}, { domain: 'other.example' }, [/domain is other\.example: it must cover the host/], [GENERIC]],
    ['control: no domain', {}, { domain: undefined }, [GENERIC], [/domain is/]],
    [
      'every cause at once, each said',
      {},
      { secure: true, sameSite: 'strict', path: '/app', domain: 'other.example' },
      [
        /Likely cause: the session cookie is Secure.* Or: the session cookie is SameSite=Strict.* Or: .*path is \/app.* Or: .*domain is other\.example/s,
      ],
      [GENERIC],
    ],
    [
      'nothing shown (another session middleware)',
      {},
      undefined,
      [/Likely cause: the browser did not send the session cookie back/],
      [/ Or: /],
    ],
  ])('%s', (_name, request, cookie, said, unsaid) => {
    const err = sessionLost(viewOver(request), withCookie(cookie));
    expect(err.code).toBe(Code.SESSION_LOST);
    expect(err.message).toMatch(/^This browser completed a sign-in moments ago but came back without its session/);
    expect(err.message).toMatch(/Then reload the page to sign in again\.$/);
    for (const re of said) expect(err.message).toMatch(re);
    for (const re of unsaid) expect(err.message).not.toMatch(re);
  });
});
