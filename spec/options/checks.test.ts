// lib/options/checks.ts: each option's check, stated at the values that decide it.
import { resolveOptions } from '../../lib/options';
import { SECRET, staticKeys } from '../helpers/tokens';

const AUTH = 'https://api.opinsys.fi/v3/sso';
const base = { authEndpoint: AUTH, sharedSecret: SECRET };
const resolve = (extra: Record<string, unknown>) => resolveOptions({ ...base, ...extra });
const refusal = (option: string, expected: string) => new TypeError(`JwtSsoStrategy: option "${option}" must be ${expected}.`);

describe('each option is checked by type and range, and a refusal names the option and what it wants', () => {
  test.each<[string, unknown, string]>([
    ['null', null, 'null'],
    ['an array', [], 'an array'],
    ['a negative number, which is no secret', -1, '-1'],
    ['Infinity', Infinity, 'Infinity'],
    ['NaN', NaN, 'NaN'],
    ['an empty string', '', 'an empty string'],
    ['a string, never its text', 'sixty', 'a string'],
    ['a boolean, by its type', true, 'a boolean'],
  ])('a refused value is described, never printed: %s', (_name, maxAge, shown) => {
    expect(() => resolve({ maxAge })).toThrow(refusal('maxAge', `a finite number of seconds, 0 or more, got ${shown}`));
  });

  test.each(['maxAge', 'clockTolerance', 'stateMaxAge'])(
    '%s is a number of seconds, 0 or more, and names itself when it is not',
    (option) => {
      expect(resolve({ [option]: 0 })[option as 'maxAge']).toBe(0);
      expect(resolve({ [option]: 7.5 })[option as 'maxAge']).toBe(7.5);
      expect(() => resolve({ [option]: -0.5 })).toThrow(refusal(option, 'a finite number of seconds, 0 or more, got -0.5'));
    },
  );

  test.each(['state', 'numericJti', 'passReqToCallback', 'nonce'])('%s is true or false, and names itself when it is not', (option) => {
    expect(() => resolve({ [option]: 'yes' })).toThrow(refusal(option, 'true or false, got a string'));
  });

  test.each(['issuer', 'audience', 'requiredClaims'])(
    '%s is a non-empty string or a non-empty array of them, kept as a frozen copy',
    (option) => {
      const key = option as 'issuer';
      expect(resolve({ [option]: 'a' })[key]).toEqual(['a']);
      const given = ['a', 'b'];
      const kept = resolve({ [option]: given })[key]!;
      expect(kept).toEqual(['a', 'b']);
      expect(kept).not.toBe(given);
      expect(Object.isFrozen(kept)).toBe(true);
      expect(resolve({})[key]).toBeUndefined();
      const expected = 'a non-empty string or a non-empty array of them';
      expect(() => resolve({ [option]: '' })).toThrow(refusal(option, `${expected}, got an empty string`));
      expect(() => resolve({ [option]: [] })).toThrow(refusal(option, `${expected}, got an array`));
      expect(() => resolve({ [option]: ['a', ''] })).toThrow(refusal(option, `${expected}, got an array`));
      expect(() => resolve({ [option]: ['a', 1] })).toThrow(refusal(option, `${expected}, got an array`));
      expect(() => resolve({ [option]: 5 })).toThrow(refusal(option, `${expected}, got 5`));
    },
  );

  test('algorithms is a non-empty array of the algorithms this package verifies, and only those are used', () => {
    expect(staticKeys(resolve({ sharedSecret: 'k'.repeat(64), algorithms: ['HS512'] }).keySource).map((k) => k.alg)).toEqual(['HS512']);
    const expected = 'a non-empty array of HS256, HS384, HS512, RS256, PS256, ES256, ES384, EdDSA';
    expect(() => resolve({ algorithms: [] })).toThrow(refusal('algorithms', `${expected}, got an array`));
    expect(() => resolve({ algorithms: ['HS256', 'none'] })).toThrow(refusal('algorithms', `${expected}, got an array`));
    expect(() => resolve({ algorithms: 'HS256' })).toThrow(refusal('algorithms', `${expected}, got a string`));
  });

  test('the JWKS sizes and times are more than 0', () => {
    const jwks = { authEndpoint: AUTH, jwksUri: 'https://id.example/jwks' };
    expect(() => resolveOptions({ ...jwks, jwksTimeout: 0 })).toThrow(refusal('jwksTimeout', 'more than 0, got 0'));
    expect(() => resolveOptions({ ...jwks, jwksMaxBytes: 0 })).toThrow(refusal('jwksMaxBytes', 'more than 0, got 0'));
    expect(() => resolveOptions({ ...jwks, jwksTimeout: 0.5, jwksMaxBytes: 1 })).not.toThrow();
  });

  test('an endpoint is an absolute http(s) URL without credentials; each refusal says why', () => {
    const ex = 'e.g. "https://api.opinsys.fi/v3/sso"';
    expect(() => resolve({ authEndpoint: '' })).toThrow(refusal('authEndpoint', `the provider's absolute URL, ${ex}, got an empty string`));
    expect(() => resolve({ authEndpoint: 5 })).toThrow(refusal('authEndpoint', `the provider's absolute URL, ${ex}, got 5`));
    expect(() => resolve({ authEndpoint: '/v3/sso' })).toThrow(refusal('authEndpoint', `an absolute http(s) URL, ${ex}`));
    expect(() => resolve({ authEndpoint: 'ftp://id.example/sso' })).toThrow(refusal('authEndpoint', 'an http: or https: URL'));
    const creds = 'a URL without a user name or password in it (they would be sent to browsers and written to logs)';
    expect(() => resolve({ authEndpoint: 'https://user@id.example/sso' })).toThrow(refusal('authEndpoint', creds));
    expect(() => resolve({ authEndpoint: 'https://:pw@id.example/sso' })).toThrow(refusal('authEndpoint', creds));
    expect(resolve({ authEndpoint: 'http://localhost:8080/sso' }).authEndpoint).toBe('http://localhost:8080/sso');
    const logoutEx = 'e.g. "https://api.opinsys.fi/v3/sso/logout"';
    expect(() => resolve({ logoutEndpoint: '/logout' })).toThrow(refusal('logoutEndpoint', `an absolute http(s) URL, ${logoutEx}`));
    expect(() => resolve({ logoutEndpoint: '' })).toThrow(
      refusal('logoutEndpoint', `the provider's absolute URL, ${logoutEx}, got an empty string`),
    );
  });

  test("the default logout endpoint is the SSO endpoint's path + /logout, without its query or fragment", () => {
    expect(resolve({ authEndpoint: 'https://id.example/sso//?org=x#top' }).logoutEndpoint).toBe('https://id.example/sso/logout');
    expect(resolve({ logoutEndpoint: 'https://id.example/bye' }).logoutEndpoint).toBe('https://id.example/bye');
  });

  test('a parameter name is 1 to 64 URL-safe characters; the refusal names the option', () => {
    const expected = 'a query parameter name of 1 to 64 letters, digits, ".", "_", "~" or "-"';
    expect(() => resolve({ tokenParam: 'a b' })).toThrow(refusal('tokenParam', `${expected}, got a string`));
    expect(() => resolve({ returnToParam: 'a b' })).toThrow(refusal('returnToParam', `${expected}, got a string`));
    expect(() => resolve({ logoutRedirectParam: '' })).toThrow(refusal('logoutRedirectParam', `${expected}, got an empty string`));
    expect(resolve({ logoutRedirectParam: false }).logoutRedirectParam).toBe(false);
  });

  test('authParams is an object of strings or a function of the request; anything else is refused by name', () => {
    const fn = () => ({});
    expect(resolve({ authParams: fn }).authParams).toBe(fn);
    expect(resolve({ authParams: { organisation: 'x' } }).authParams).toEqual({ organisation: 'x' });
    const expected = 'an object of string query parameters, or a function of the request returning one';
    expect(() => resolve({ authParams: null })).toThrow(refusal('authParams', `${expected}, got null`));
    expect(() => resolve({ authParams: [] })).toThrow(refusal('authParams', `${expected}, got an array`));
    expect(() => resolve({ authParams: 'x' })).toThrow(refusal('authParams', `${expected}, got a string`));
    expect(() => resolve({ authParams: { organisation: 5 } })).toThrow(refusal('authParams.organisation', 'a string, got 5'));
  });

  test('servicePathPrefix is a path', () => {
    expect(resolve({ servicePathPrefix: '/p' }).servicePathPrefix).toBe('/p');
    expect(resolve({}).servicePathPrefix).toBeUndefined();
    expect(() => resolve({ servicePathPrefix: 'p' })).toThrow(
      refusal('servicePathPrefix', 'a path such as "/" or "/prefix", got a string'),
    );
    expect(() => resolve({ servicePathPrefix: 5 })).toThrow(refusal('servicePathPrefix', 'a path such as "/" or "/prefix", got 5'));
  });

  test('mountPoint loses every trailing "/", and a path with "." segments is refused', () => {
    expect(resolve({ mountPoint: '/app//' }).mountPoint).toBe('/app');
    const msg =
      'a path such as "/app" (one leading "/", no "?", "#", "\\", spaces, control characters or "." and ".." segments; other characters %-encoded as a browser sends them), or ""';
    expect(() => resolve({ mountPoint: '/a/../b' })).toThrow(refusal('mountPoint', msg));
    expect(() => resolve({ mountPoint: 5 })).toThrow(refusal('mountPoint', 'a path such as "/app", or "", got 5'));
  });

  test('host is a host[:port] string; scheme is http or https', () => {
    const expected = 'the public "host" or "host:port" of the app, without scheme or path';
    expect(() => resolve({ host: 5 })).toThrow(refusal('host', `${expected}, got 5`));
    expect(() => resolve({ host: 'a/b' })).toThrow(refusal('host', `${expected}, got a string`));
    expect(resolve({ scheme: 'http' }).scheme).toBe('http');
    expect(resolve({ scheme: 'https' }).scheme).toBe('https');
    expect(() => resolve({ scheme: 'ftp' })).toThrow(refusal('scheme', '"http" or "https", got a string'));
  });

  test('name is a non-empty string', () => {
    expect(() => resolve({ name: '' })).toThrow(refusal('name', 'a non-empty string, got an empty string'));
    expect(() => resolve({ name: 5 })).toThrow(refusal('name', 'a non-empty string, got 5'));
  });

  test('clock and onEvent are functions: the given ones are used, anything else refused by name', () => {
    const clock = () => 1;
    const onEvent = () => undefined;
    const o = resolve({ clock, onEvent });
    expect(o.clock).toBe(clock);
    expect(o.onEvent).toBe(onEvent);
    expect(() => resolve({ clock: 5 })).toThrow(refusal('clock', 'a function returning milliseconds, got 5'));
    expect(() => resolve({ onEvent: 'log' })).toThrow(refusal('onEvent', 'a function (event), got a string'));
  });

  test('replayKey is "jti" or "jti-or-token-hash"', () => {
    expect(resolve({ replayKey: 'jti-or-token-hash' }).replayKey).toBe('jti-or-token-hash');
    expect(resolve({}).replayKey).toBe('jti');
    expect(() => resolve({ replayKey: 'hash' })).toThrow(refusal('replayKey', 'one of "jti", "jti-or-token-hash", got a string'));
  });

  test('stateIn and responseMode are one of their values, listed in the refusal', () => {
    expect(() => resolve({ stateIn: 'x' })).toThrow(refusal('stateIn', 'one of "returnTo", "param", got a string'));
    expect(() => resolve({ responseMode: 'x' })).toThrow(refusal('responseMode', 'one of "query", "form_post", got a string'));
  });

  test('callbackPath is a normalised path below mountPoint, without trailing "/"', () => {
    expect(resolve({ callbackPath: '/cb//' }).callbackPath).toBe('/cb');
    const expected =
      'a path below mountPoint such as "/sso/callback" (one leading "/", no query, "#", "\\", spaces, control characters or "." and ".." segments)';
    for (const bad of ['/', 'cb', '/a/../b', '/a?b'])
      expect(() => resolve({ callbackPath: bad })).toThrow(refusal('callbackPath', `${expected}, got a string`));
    expect(() => resolve({ callbackPath: 5 })).toThrow(refusal('callbackPath', `${expected}, got 5`));
  });
});

describe('a parameter name is 1 to 64 of A-Z a-z 0-9 . _ ~ -, whole: nothing before, after or between', () => {
  const expected = 'a query parameter name of 1 to 64 letters, digits, ".", "_", "~" or "-"';
  test.each<[string, string]>([
    ['one character', 'j'],
    ['64 characters', 'p'.repeat(64)],
    ['every allowed kind', 'Az09._~-'],
    ['digits only', '0123456789'],
  ])('control: %s is taken', (_name, tokenParam) => {
    expect(resolve({ tokenParam }).tokenParam).toBe(tokenParam);
  });

  test.each<[string, string]>([
    ['empty', ''],
    ['65 characters', 'p'.repeat(65)],
    ['a bad character first', '&jwt'],
    ['a bad character last', 'jwt='],
    ['a space inside', 'j wt'],
    ['a "+" (a space in a query)', 'j+wt'],
    ['a "%" (an escape)', 'j%20'],
    ['a "[" (a parser makes an array of it)', 'jwt[]'],
    ['a "/"', 'a/b'],
    ['a newline last', 'jwt\n'],
    ['a letter that is not ASCII', 'jwtä'],
  ])('refused: %s', (_name, tokenParam) => {
    expect(() => resolve({ tokenParam })).toThrow(
      refusal('tokenParam', `${expected}, got ${tokenParam === '' ? 'an empty string' : 'a string'}`),
    );
  });
});

describe('mountPoint and callbackPath: one leading "/", no query, fragment, backslash, space or control character', () => {
  const mountMsg =
    'a path such as "/app" (one leading "/", no "?", "#", "\\", spaces, control characters or "." and ".." segments; other characters %-encoded as a browser sends them), or ""';
  const callbackMsg =
    'a path below mountPoint such as "/sso/callback" (one leading "/", no query, "#", "\\", spaces, control characters or "." and ".." segments)';
  test.each<[string, string]>([
    ['one segment', '/app'],
    ['two segments', '/a/b'],
    ['a "!" (just above the space)', '/a!b'],
    ['a "~" (just below DEL)', '/a~'],
    ['a %-encoded character', '/%C3%A4pp'],
    ['a "." inside a segment', '/a.b'],
  ])('control: %s is taken by both', (_name, path) => {
    expect(resolve({ mountPoint: path }).mountPoint).toBe(path);
    expect(resolve({ callbackPath: path }).callbackPath).toBe(path);
  });

  test('control: mountPoint may be empty (the root), callbackPath not', () => {
    expect(resolve({ mountPoint: '' }).mountPoint).toBe('');
    expect(resolve({}).mountPoint).toBe('');
    expect(() => resolve({ callbackPath: '' })).toThrow(refusal('callbackPath', `${callbackMsg}, got an empty string`));
  });

  test.each<[string, string]>([
    ['no leading "/"', 'app'],
    ['two leading "/" (another host)', '//evil.example'],
    ['a query', '/a?b'],
    ['a fragment', '/a#b'],
    ['a backslash', '/a\\b'],
    ['a backslash first', '/\\evil.example'],
    ['a space', '/a b'],
    ['a space first', '/ a'],
    ['a NUL', '/a\x00'],
    ['a tab', '/a\tb'],
    ['a newline first', '/\nx'],
    ['a unit separator (0x1f)', '/a\x1fb'],
    ['DEL (0x7f)', '/a\x7f'],
    ['a ".." segment', '/a/../b'],
    ['a "." segment', '/a/./b'],
    ['a raw letter that is not ASCII', '/äpp'],
    ['a space before the "/" (the URL parser strips it)', ' /a'],
    ['a control character before the "/" (stripped too)', '\x01/a'],
    ['an encoded dot segment', '/a/%2e%2e/b'],
  ])('refused by both: %s', (_name, path) => {
    expect(() => resolve({ mountPoint: path })).toThrow(refusal('mountPoint', mountMsg));
    expect(() => resolve({ callbackPath: path })).toThrow(refusal('callbackPath', `${callbackMsg}, got a string`));
  });
});
