// Rules of the login flow that the mutation runs of lib/login.ts, lib/strategy.ts and the
// login-state stores showed no other test states: one describe per lib file, each test named by
// the rule it states.
import { JwtSsoError, JwtSsoErrorCode as Code } from '../lib';
import { acceptToken, isCallback, loginContext, loginRedirect, readReturn, returnPath } from '../lib/login';
import { resolveOptions } from '../lib/options';
import { splitTarget } from '../lib/urls';
import { mint, puavoClaims, SECRET } from './helpers/tokens';
import { contextArgs, expressView } from './helpers/view';
import { errorOf } from './helpers/errors';

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
