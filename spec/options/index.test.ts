import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { JwtSsoStrategy, MemoryReplayStore, type JwtSsoStrategyOptions } from '../../lib';
import { resolveOptions } from '../../lib/options';
import { SECRET, staticKeys } from '../helpers/tokens';

const base: JwtSsoStrategyOptions = { authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: SECRET };
const make = (extra: Record<string, unknown>) => () => new JwtSsoStrategy({ ...base, ...extra } as JwtSsoStrategyOptions);

describe('JwtSsoStrategy options', () => {
  test('defaults', () => {
    const o = resolveOptions(base);
    expect(o).toMatchObject({
      name: 'jwtsso',
      authEndpoint: 'https://api.opinsys.fi/v3/sso',
      mountPoint: '',
      host: undefined,
      scheme: undefined,
      maxAge: 60,
      clockTolerance: 5,
      state: true,
      stateMaxAge: 600,
      tokenParam: 'jwt',
      returnToParam: 'return_to',
      stateParam: 'jwtsso_state',
      passReqToCallback: false,
    });
    expect(o.replayStore).toBeInstanceOf(MemoryReplayStore);
    expect(staticKeys(o.keySource)).toEqual([{ alg: 'HS256', key: expect.anything() }]);
    expect(Object.isFrozen(o)).toBe(true);
    expect(new JwtSsoStrategy(base).name).toBe('jwtsso');
  });

  test.each([
    ['a string', SECRET],
    ['a Buffer', Buffer.from(SECRET)],
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['a secret KeyObject', createSecretKey(Buffer.from(SECRET))],
    ['an array (rotation)', [SECRET, 'next-secret']],
    ['a one-character secret (the provider chooses)', 'x'],
  ])('accepts sharedSecret as %s', (_name, sharedSecret) => {
    const source = resolveOptions({ ...base, sharedSecret }).keySource;
    expect(staticKeys(source).every((k) => k.alg === 'HS256')).toBe(true);
  });

  test.each([
    ['mountPoint "/app/"', { mountPoint: '/app/' }, 'mountPoint', '/app'],
    ['mountPoint "/"', { mountPoint: '/' }, 'mountPoint', ''],
    ['host with port', { host: 'app.example:8443' }, 'host', 'app.example:8443'],
    ['maxAge 300 (Puavo with MFA)', { maxAge: 300 }, 'maxAge', 300],
    ['maxAge 0', { maxAge: 0 }, 'maxAge', 0],
    ['custom tokenParam', { tokenParam: 'token' }, 'tokenParam', 'token'],
    ['name', { name: 'school-a' }, 'name', 'school-a'],
  ])('normalises %s', (_name, extra, key, value) => {
    expect(resolveOptions({ ...base, ...extra })[key as 'name']).toBe(value);
  });

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  test.each<[string, Record<string, unknown>, string]>([
    ['no authEndpoint', { authEndpoint: undefined }, 'authEndpoint'],
    ['an empty authEndpoint', { authEndpoint: '' }, 'authEndpoint'],
    ['a relative authEndpoint', { authEndpoint: '/v3/sso' }, 'authEndpoint'],
    ['a host-only authEndpoint', { authEndpoint: 'api.opinsys.fi/v3/sso' }, 'authEndpoint'],
    ['a javascript: authEndpoint', { authEndpoint: 'javascript:alert(1)' }, 'authEndpoint'],
    ['an ftp authEndpoint', { authEndpoint: 'ftp://sso.example/' }, 'authEndpoint'],
    ['a URL object as authEndpoint', { authEndpoint: new URL('https://sso.example/') }, 'authEndpoint'],
    ['no sharedSecret', { sharedSecret: undefined }, 'sharedSecret'],
    ['an empty sharedSecret', { sharedSecret: '' }, 'sharedSecret'],
    ['an empty Buffer', { sharedSecret: Buffer.alloc(0) }, 'sharedSecret'],
    ['an empty array of secrets', { sharedSecret: [] }, 'sharedSecret'],
    ['an array with an empty secret', { sharedSecret: [SECRET, ''] }, 'sharedSecret'],
    ['a numeric secret', { sharedSecret: 12345 }, 'sharedSecret'],
    ['null as secret', { sharedSecret: null }, 'sharedSecret'],
    ['a private KeyObject as secret', { sharedSecret: privateKey }, 'sharedSecret'],
    ['a negative maxAge', { maxAge: -1 }, 'maxAge'],
    ['an infinite maxAge', { maxAge: Infinity }, 'maxAge'],
    ['a NaN maxAge', { maxAge: NaN }, 'maxAge'],
    ['a string maxAge', { maxAge: '60' }, 'maxAge'],
    ['a negative clockTolerance', { clockTolerance: -5 }, 'clockTolerance'],
    ['a string clockTolerance', { clockTolerance: '5s' }, 'clockTolerance'],
    ['a non-boolean state', { state: 'yes' }, 'state'],
    ['a negative stateMaxAge', { stateMaxAge: -1 }, 'stateMaxAge'],
    ['a mountPoint without a leading slash', { mountPoint: 'app' }, 'mountPoint'],
    ['a protocol-relative mountPoint', { mountPoint: '//evil.example' }, 'mountPoint'],
    ['a mountPoint with a query', { mountPoint: '/app?x=1' }, 'mountPoint'],
    ['a mountPoint with a backslash', { mountPoint: '/\\evil' }, 'mountPoint'],
    ['a mountPoint with a newline', { mountPoint: '/app\n' }, 'mountPoint'],
    ['a numeric mountPoint', { mountPoint: 1 }, 'mountPoint'],
    ['a host with a scheme', { host: 'https://app.example' }, 'host'],
    ['a host with a path', { host: 'app.example/app' }, 'host'],
    ['an empty host', { host: '' }, 'host'],
    ['a scheme with a colon', { scheme: 'https:' }, 'scheme'],
    ['scheme ftp', { scheme: 'ftp' }, 'scheme'],
    ['a replayStore without consume', { replayStore: {} }, 'replayStore'],
    ['null replayStore', { replayStore: null }, 'replayStore'],
    ['an empty tokenParam', { tokenParam: '' }, 'tokenParam'],
    ['a tokenParam with "="', { tokenParam: 'a=b' }, 'tokenParam'],
    ['a stateParam with "&"', { stateParam: 'a&b' }, 'stateParam'],
    ['a returnToParam with a space', { returnToParam: 'return to' }, 'returnToParam'],
    ['stateParam equal to tokenParam', { stateParam: 'jwt' }, 'stateParam'],
    ['authParams as a string', { authParams: 'organisation=x' }, 'authParams'],
    ['authParams with a number value', { authParams: { organisation: 1 } }, 'authParams.organisation'],
    ['a non-boolean passReqToCallback', { passReqToCallback: 1 }, 'passReqToCallback'],
    ['a non-function clock', { clock: 5 }, 'clock'],
    ['an empty name', { name: '' }, 'name'],
    ['a misspelt option', { maxage: 300 }, 'maxage'],
    ['a relative callbackPath', { callbackPath: 'sso/callback' }, 'callbackPath'],
    ['callbackPath "/" (every route)', { callbackPath: '/' }, 'callbackPath'],
    ['a callbackPath with a query', { callbackPath: '/cb?x=1' }, 'callbackPath'],
    ['a protocol-relative callbackPath', { callbackPath: '//evil.example/cb' }, 'callbackPath'],
    ['a callbackPath with a dot segment', { callbackPath: '/a/../cb' }, 'callbackPath'],
    ['a callbackPath with a backslash', { callbackPath: '/\\cb' }, 'callbackPath'],
    ['a numeric callbackPath', { callbackPath: 1 }, 'callbackPath'],
    ['responseMode form_post without callbackPath', { responseMode: 'form_post' }, 'responseMode'],
    ['an unknown responseMode', { callbackPath: '/cb', responseMode: 'fragment' }, 'responseMode'],
    ['callbackParam without callbackPath', { callbackParam: 'redirect_uri' }, 'callbackParam'],
    ['a callbackParam with a space', { callbackPath: '/cb', callbackParam: 'redirect uri' }, 'callbackParam'],
    ['returnToParam false without callbackPath', { returnToParam: false }, 'returnToParam'],
    ['returnToParam true', { returnToParam: true }, 'returnToParam'],
    ['returnToParam false with the state in it', { callbackPath: '/cb', returnToParam: false }, 'stateIn'],
    [
      'returnToParam false with form_post',
      { callbackPath: '/cb', responseMode: 'form_post', returnToParam: false, stateIn: 'param' },
      'responseMode',
    ],
    ['an unknown stateIn', { stateIn: 'cookie' }, 'stateIn'],
    ['form_post with the session login state', { callbackPath: '/cb', responseMode: 'form_post', loginState: 'session' }, 'loginState'],
    ['nonce without state', { nonce: true, state: false }, 'nonce'],
    ['a non-boolean nonce', { nonce: 'yes' }, 'nonce'],
    ['a nonceParam with "="', { nonce: true, nonceParam: 'a=b' }, 'nonceParam'],
    ['returnToParam equal to tokenParam', { returnToParam: 'jwt' }, 'tokenParam'],
    ['nonceParam equal to stateParam', { nonce: true, nonceParam: 'jwtsso_state' }, 'tokenParam'],
    ['callbackParam equal to returnToParam', { callbackPath: '/cb', callbackParam: 'return_to' }, 'tokenParam'],
    ['logoutRedirectParam true', { logoutRedirectParam: true }, 'logoutRedirectParam'],
    ['an empty logoutRedirectParam', { logoutRedirectParam: '' }, 'logoutRedirectParam'],
    ['an option of a different library', { secretOrKey: SECRET }, 'secretOrKey'],
  ])('throws a TypeError naming the option for %s', (_name, extra, option) => {
    expect(make(extra)).toThrow(TypeError);
    expect(make(extra)).toThrow(`"${option}"`);
  });

  // A refused option names the option and what it expected, never the value: it may be a secret.
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  test.each<[string, Record<string, unknown>, string]>([
    ['a rotation array with a number in it', { sharedSecret: [SECRET, 42] }, 'sharedSecret'],
    ['a rotation array with an empty secret', { sharedSecret: [SECRET, ''] }, 'sharedSecret'],
    ['a rotation array with null in it', { sharedSecret: [null, SECRET] }, 'sharedSecret'],
    ['a secret beside a publicKey', { sharedSecret: SECRET, publicKey }, 'sharedSecret'],
    ['a secret with algorithms that exclude HS256', { sharedSecret: SECRET, algorithms: ['RS256'] }, 'algorithms'],
    ['a secret with a misspelt option', { sharedSecret: SECRET, maxage: SECRET }, 'maxage'],
  ])('an option error never prints a secret: %s', (_name, extra, option) => {
    let thrown: unknown;
    try {
      new JwtSsoStrategy({ ...base, ...extra } as JwtSsoStrategyOptions);
    } catch (err) {
      thrown = err;
    }
    // The options must be refused, or there is no message to read.
    expect(thrown).toBeInstanceOf(TypeError);
    const { message } = thrown as TypeError;
    expect(message).toContain(`"${option}"`);
    expect(message).not.toContain(SECRET);
  });

  test.each([
    ['null options', null],
    ['a string', 'https://api.opinsys.fi/v3/sso'],
  ])('refuses %s', (_name, options) => {
    expect(() => new JwtSsoStrategy(options as unknown as JwtSsoStrategyOptions)).toThrow(TypeError);
  });

  test('a verify that is not a function, or missing with passReqToCallback', () => {
    expect(() => new JwtSsoStrategy(base, 'verify' as never)).toThrow('"verify"');
    expect(() => new JwtSsoStrategy({ ...base, passReqToCallback: true } as never)).toThrow('"passReqToCallback"');
  });
});
