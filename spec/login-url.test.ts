// lib/login-url.ts: the provider's login URL for a request (its return URL, state, nonce, callback
// URL and the app's parameters) and the public URL of a path on this app.
import { loginContext } from '../lib/login';
import { loginRedirect, publicUrl } from '../lib/login-url';
import { resolveOptions } from '../lib/options';
import { errorOf } from './helpers/errors';
import { SECRET } from './helpers/tokens';
import { contextArgs, expressView } from './helpers/view';

const options = (extra: Record<string, unknown> = {}) =>
  resolveOptions({
    authEndpoint: 'https://sso.example/sso',
    sharedSecret: SECRET,
    host: 'app.example',
    scheme: 'https',
    mountPoint: '/app',
    ...extra,
  });

// A login started for `target` (or `wanted`): the login URL and the Set-Cookie lines it wrote.
function started(extra: Record<string, unknown>, args: { target: string; wanted?: string; params?: Record<string, string> }) {
  const o = options(extra);
  const cookies: string[] = [];
  const res = { headersSent: false, setHeader: () => undefined, appendHeader: (_name: string, value: string) => cookies.push(value) };
  const req = { headers: { host: 'app.example' } };
  const ctx = loginContext(o, contextArgs({ req, res: res as never, session: undefined, now: Date.now() }));
  const url = new URL(loginRedirect(o, ctx, { target: args.target, wanted: args.wanted, params: args.params ?? {} }));
  return { url, cookies };
}
const returnPathOf = (url: URL) => new URL(url.searchParams.get('return_to')!).pathname;

describe('publicUrl: scheme://host + mountPoint + a local path; a path the app was asked to use must be same-origin', () => {
  const o = options();
  const view = expressView({ headers: { host: 'app.example' } });
  test.each<[string, string, { requestTarget: boolean }, string]>([
    ['control: a path the app asked for', '/done?x=1', { requestTarget: false }, 'https://app.example/app/done?x=1'],
    ['control: the request target', '/done?x=1', { requestTarget: true }, 'https://app.example/app/done?x=1'],
    ['an absolute URL the app was asked to use: the root', 'https://evil.example/x', { requestTarget: false }, 'https://app.example/app/'],
    [
      'a protocol-relative path the app was asked to use: the root',
      '//evil.example/x',
      { requestTarget: false },
      'https://app.example/app/',
    ],
    ['a path with a space the app was asked to use: the root', '/a b', { requestTarget: false }, 'https://app.example/app/'],
    ['a request target with a space: made local, %-encoded', '/a b', { requestTarget: true }, 'https://app.example/app/a%20b'],
    ['a request target that starts //: made local', '//evil.example/x', { requestTarget: true }, 'https://app.example/app/evil.example/x'],
    [
      'the token and state parameters are never in it',
      '/p?jwt=a.b.c&jwtsso_state=s&k=v',
      { requestTarget: true },
      'https://app.example/app/p?k=v',
    ],
  ])('%s', (_name, path, from, url) => {
    expect(publicUrl(o, view, path, from)).toBe(url);
  });
});

describe('loginRedirect: the return URL is the wanted path if same-origin, else the request target made local', () => {
  test.each<[string, { target: string; wanted?: string }, string]>([
    ['control: the request target', { target: '/page' }, '/app/page'],
    ['control: a same-origin wanted path wins over the target', { target: '/page', wanted: '/elsewhere' }, '/app/elsewhere'],
    ['a request target with a space is kept, %-encoded', { target: '/a b' }, '/app/a%20b'],
    ['a wanted path with a space is not same-origin: the root', { target: '/page', wanted: '/a b' }, '/app/'],
    ['a wanted absolute URL: the root', { target: '/page', wanted: 'https://evil.example/' }, '/app/'],
  ])('%s', (_name, args, path) => {
    expect(returnPathOf(started({}, args).url)).toBe(path);
  });
});

describe('the state cookie keeps the return path only when no return URL carries it', () => {
  const stateCookie = (extra: Record<string, unknown>, target: string) => {
    const line = started(extra, { target }).cookies.find((c) => /jwtsso-s-/.test(c));
    expect(line).toBeDefined();
    return line!.split(';', 1)[0]!;
  };
  // Below MAX_KEPT_RETURN (512 bytes), the longest path a cookie keeps.
  const long = `/${'a'.repeat(300)}`;

  test('with a return URL (the default), the cookie does not repeat the path: its size does not depend on it', () => {
    expect(stateCookie({}, long).length).toBe(stateCookie({}, '/a').length);
  });

  test('without one (returnToParam: false), the path waits in the cookie', () => {
    const extra = { returnToParam: false, callbackPath: '/cb', stateIn: 'param' };
    expect(stateCookie(extra, long).length).toBeGreaterThan(stateCookie(extra, '/a').length + 250);
  });
});

describe("the login URL's fixed parameters: the callback URL and the return URL, as the options name them", () => {
  test('the callback URL is the public URL of callbackPath', () => {
    const { url } = started({ callbackPath: '/cb', callbackParam: 'redirect_uri' }, { target: '/p' });
    expect(url.searchParams.get('redirect_uri')).toBe('https://app.example/app/cb');
  });

  test('returnToParam: false sends no return URL, under any name', () => {
    const { url } = started({ returnToParam: false, callbackPath: '/cb', stateIn: 'param' }, { target: '/p' });
    expect([...url.searchParams.keys()].sort()).toEqual(['jwtsso_state']);
  });

  test('control: the return URL under the name returnToParam gives', () => {
    const { url } = started({ returnToParam: 'next' }, { target: '/p' });
    expect(new URL(url.searchParams.get('next')!).pathname).toBe('/app/p');
  });
});

describe("the app's provider parameters: authParams (static or per request) and the call's own, checked", () => {
  test.each<[string, Record<string, unknown>, Record<string, string>, Record<string, string>]>([
    ['static authParams', { authParams: { lang: 'fi' } }, {}, { lang: 'fi' }],
    [
      'authParams of the request',
      { authParams: (req: { headers: { host?: string } }) => ({ host: req.headers.host ?? '' }) },
      {},
      { host: 'app.example' },
    ],
    ["the call's own", {}, { prompt: 'login' }, { prompt: 'login' }],
    ["the call's own over authParams", { authParams: { lang: 'fi', a: '1' } }, { lang: 'sv' }, { lang: 'sv', a: '1' }],
  ])('%s are sent', (_name, extra, params, sent) => {
    const { url } = started(extra, { target: '/p', params });
    for (const [key, value] of Object.entries(sent)) expect(url.searchParams.get(key)).toBe(value);
  });

  test('authParams of the request that are not strings: a TypeError naming authParams', () => {
    const err = errorOf(() => started({ authParams: () => ({ lang: 42 }) }, { target: '/p' }));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/authParams\.lang/);
  });
});
