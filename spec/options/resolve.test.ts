// lib/options/resolve.ts: the options resolved together, and the refusals of combinations that do not work.
import { resolveOptions } from '../../lib/options';
import { SECRET } from '../helpers/tokens';

const AUTH = 'https://api.opinsys.fi/v3/sso';
const base = { authEndpoint: AUTH, sharedSecret: SECRET };
const resolve = (extra: Record<string, unknown>) => resolveOptions({ ...base, ...extra });
const refusal = (option: string, expected: string) => new TypeError(`JwtSsoStrategy: option "${option}" must be ${expected}.`);

describe('options are resolved together: unknown ones refused, and the parameters, state and login state agree', () => {
  test.each([null, 5, 'options', undefined])('options that are not an object are refused: %p', (options) => {
    expect(() => resolveOptions(options)).toThrow(
      new TypeError('JwtSsoStrategy: options must be an object with "authEndpoint" and a key source such as "sharedSecret".'),
    );
  });

  test('an unknown option is refused, and the refusal lists the known ones', () => {
    expect(() => resolve({ sharedsecret: 'x' })).toThrow(
      /^JwtSsoStrategy: unknown option "sharedsecret"\. Known options: authEndpoint, name, mountPoint, host, scheme, .*, servicePathPrefix\.$/,
    );
  });

  test('the default replay store forgets a token id by the clock option', async () => {
    let now = Date.UTC(2026, 0, 1);
    const o = resolve({ clock: () => now });
    expect(await o.replayStore.consume('id-1', 10)).toBe(true);
    expect(await o.replayStore.consume('id-1', 10)).toBe(false);
    now += 3_600_000;
    expect(await o.replayStore.consume('id-1', 10)).toBe(true);
  });

  test('replayStore is an object with consume()', () => {
    const expected = 'an object with a consume(id, ttlSeconds) method (a ReplayStore)';
    expect(() => resolve({ replayStore: null })).toThrow(refusal('replayStore', `${expected}, got null`));
    expect(() => resolve({ replayStore: {} })).toThrow(refusal('replayStore', `${expected}, got a object`));
  });

  test('stateParam equal to tokenParam is refused as the state parameter, naming both', () => {
    expect(() => resolve({ stateParam: 'jwt' })).toThrow(refusal('stateParam', 'different from "tokenParam" (both are "jwt")'));
  });

  test('without callbackPath, the token comes back on the return URL: query only, no callbackParam, a returnToParam', () => {
    expect(() => resolve({ responseMode: 'form_post' })).toThrow(
      refusal('responseMode', '"query" unless "callbackPath" names the route the provider posts to'),
    );
    expect(() => resolve({ callbackParam: 'cb' })).toThrow(
      refusal('callbackParam', 'given only with "callbackPath" (the URL it sends is that route\'s)'),
    );
    expect(() => resolve({ returnToParam: false, stateIn: 'param' })).toThrow(
      refusal('returnToParam', 'a parameter name unless "callbackPath" is set (the token comes back on the return URL)'),
    );
  });

  test('with callbackPath, returnToParam false works with the state in a parameter and a query response', () => {
    const o = resolve({ callbackPath: '/cb', returnToParam: false, stateIn: 'param', callbackParam: 'redirect_uri' });
    expect(o).toMatchObject({
      callbackPath: '/cb',
      returnToParam: false,
      stateIn: 'param',
      responseMode: 'query',
      callbackParam: 'redirect_uri',
    });
  });

  test('the state travels in the return URL only when there is one', () => {
    expect(() => resolve({ callbackPath: '/cb', returnToParam: false })).toThrow(
      refusal('stateIn', '"param" when "returnToParam" is false (no return URL carries the state)'),
    );
    expect(resolve({ callbackPath: '/cb', returnToParam: false, state: false }).state).toBe(false);
  });

  test('a form POST needs the return URL posted back, and a login state kept in a cookie', () => {
    expect(() => resolve({ callbackPath: '/cb', returnToParam: false, stateIn: 'param', responseMode: 'form_post' })).toThrow(
      /^JwtSsoStrategy: option "responseMode" must be "query" when "returnToParam" is false: a cross-site form POST carries no cookie/,
    );
    expect(() => resolve({ callbackPath: '/cb', responseMode: 'form_post', loginState: 'session' })).toThrow(
      /^JwtSsoStrategy: option "loginState" must be "cookie" with responseMode "form_post": a cross-site form POST carries no session cookie/,
    );
    expect(resolve({ callbackPath: '/cb', responseMode: 'form_post' }).responseMode).toBe('form_post');
    expect(resolve({ callbackPath: '/cb', loginState: 'session' }).responseMode).toBe('query');
  });

  test('a nonce needs the login state', () => {
    expect(() => resolve({ nonce: true, state: false })).toThrow(
      refusal('nonce', 'false when "state" is false: the nonce is derived from the login state, which binds it to this browser'),
    );
  });

  test('two parameters of one name are refused, listing every name in use', () => {
    expect(() => resolve({ callbackPath: '/cb', callbackParam: 'jwt' })).toThrow(
      refusal(
        'tokenParam',
        'different from "stateParam", "returnToParam", "callbackParam" and "nonceParam" (got "jwt", "jwtsso_state", "return_to", "jwt")',
      ),
    );
  });

  const duplicate = (names: string) =>
    refusal('tokenParam', `different from "stateParam", "returnToParam", "callbackParam" and "nonceParam" (got ${names})`);
  test.each<[string, Record<string, unknown>, string]>([
    ['the nonce parameter named as the token parameter', { nonce: true, nonceParam: 'jwt' }, '"jwt", "jwtsso_state", "return_to", "jwt"'],
    [
      'the return parameter named as the nonce parameter',
      { nonce: true, returnToParam: 'nonce' },
      '"jwt", "jwtsso_state", "nonce", "nonce"',
    ],
    [
      'the callback parameter named as the return parameter',
      { callbackPath: '/cb', callbackParam: 'return_to' },
      '"jwt", "jwtsso_state", "return_to", "return_to"',
    ],
  ])('a name used twice is refused: %s', (_name, extra, names) => {
    expect(() => resolve(extra)).toThrow(duplicate(names));
  });

  test.each<[string, Record<string, unknown>]>([
    ['control: every parameter named apart', { nonce: true, callbackPath: '/cb', callbackParam: 'redirect_uri' }],
    ['without a nonce, its parameter name is free for another', { tokenParam: 'nonce' }],
    ['without a nonce, a returnToParam named as the nonce parameter', { returnToParam: 'nonce' }],
    ['a returnToParam of false and no callbackParam are no names', { callbackPath: '/cb', returnToParam: false, stateIn: 'param' }],
  ])('taken: %s', (_name, extra) => {
    expect(() => resolve(extra)).not.toThrow();
  });
});
