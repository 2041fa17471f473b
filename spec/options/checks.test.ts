// Rules of the option checks, the key-material detector, compat, token and presets that the
// mutation runs of issue 15 found unstated (each test names the rule it states).
import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import jwtsso from '../../lib/compat';
import { isAsymmetricKeyMaterial } from '../../lib/keys/detector';
import { resolveOptions } from '../../lib/options';
import { mint, puavoClaims, SECRET, staticKeys } from '../helpers/tokens';

const AUTH = 'https://api.opinsys.fi/v3/sso';
const base = { authEndpoint: AUTH, sharedSecret: SECRET };
const resolve = (extra: Record<string, unknown>) => resolveOptions({ ...base, ...extra });
const refusal = (option: string, expected: string) => new TypeError(`JwtSsoStrategy: option "${option}" must be ${expected}.`);

describe('lib/options/checks.ts', () => {
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

describe('lib/options/resolve.ts', () => {
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
});

describe('lib/keys/detector.ts', () => {
  // The shortest public key there is: an Ed25519 SPKI, 44 bytes, 60 characters of base64
  // (shorter than a base64 run inside other text must be to count).
  const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  const edB64 = ed.toString('base64');
  const rsaDer = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });

  test.each<[string, string | Buffer]>([
    ['base64 after a UTF-8 byte-order mark', `\ufeff${edB64}`],
    ['base64 in UTF-16 after its byte-order mark', Buffer.from(`\ufeff${edB64}`, 'utf16le')],
    ['hex after a UTF-8 byte-order mark', `\ufeff${ed.toString('hex')}`],
    ['base64 in double quotes', `"${edB64}"`],
    ['base64 in single quotes', `'${edB64}'`],
    ['base64 in backquotes', `\`${edB64}\``],
    ['hex in double quotes', `"${ed.toString('hex')}"`],
    ['dash-separated hex', ed.toString('hex').replace(/(..)(?!$)/g, '$1-')],
    ['space-separated hex (xxd, hexdump)', ed.toString('hex').replace(/(..)(?!$)/g, '$1 ')],
    ['0x hex with colons', `0x${ed.toString('hex').replace(/(..)(?!$)/g, '$1:')}`],
    [
      'upper-case colon hex (openssl -c)',
      ed
        .toString('hex')
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1:'),
    ],
    ['base64 with every "/" JSON-escaped as "\\/" (PHP json_encode)', rsaDer.toString('base64').replace(/\//g, '\\/')],
    ['base64 lines joined by literal \\r\\n', rsaDer.toString('base64').replace(/(.{64})/g, '$1\\r\\n')],
    ['base64 lines joined by literal \\t', rsaDer.toString('base64').replace(/(.{64})/g, '$1\\t')],
    ['base64 with a \\u-escaped character', `${edB64.slice(0, 10)}\\u00${edB64.charCodeAt(10).toString(16)}${edB64.slice(11)}`],
    ['%-encoded base64', encodeURIComponent(rsaDer.toString('base64'))],
  ])('a public key is key material, never a secret: %s', (_name, material) => {
    expect(isAsymmetricKeyMaterial(material)).toBe(true);
  });

  test.each<[string, string]>([
    ['a quoted secret', '"the secret of the service"'],
    ['a quote at one end only', `"${edB64.slice(1)}`],
    ['mismatched quotes', `"${edB64}'`],
    ['a secret of hex pairs separated by two characters', ed.toString('hex').replace(/(..)(?!$)/g, '$1::')],
    ['a secret with escapes that are not of a key', 'the \\"secret\\" \\u0041nd \\n more'],
    ['a secret with a broken %-escape', 'the secret %zz of the service'],
  ])('control: %s is still a secret', (_name, secret) => {
    expect(isAsymmetricKeyMaterial(secret)).toBe(false);
  });
});

describe('lib/compat.ts', () => {
  const options = { authEndpoint: AUTH, sharedSecret: SECRET };

  test('a mountPoint that is not a string is refused, even one that reads as a base URL', () => {
    expect(() => jwtsso({ ...options, mountPoint: ['https://app.example'] as never })).toThrow(
      refusal('mountPoint', 'a path such as "/app", or "", got an array'),
    );
  });

  test('only a mountPoint that starts with http(s):// is a base URL: a path with one inside stays a path', () => {
    expect(() => jwtsso({ ...options, mountPoint: '/go/https://x' })).not.toThrow();
  });

  test('a hook that declares no done and returns null (not a promise) signs the user in', async () => {
    const app = express();
    app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
    app.use(jwtsso({ ...options, state: false, mountPoint: 'http://app.example', hook: () => null as never }));
    app.get('/p', (req, res) => res.json({ jwt: (req.session as { jwt?: unknown }).jwt ?? null }));
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
      res.status(500).json({ error: err.message }),
    );
    const browser = request.agent(app);
    const back = await browser.get(`/p?jwt=${mint(puavoClaims())}`);
    expect(back.status).toBe(302);
    expect((await browser.get('/p')).body.jwt).toMatchObject({ username: puavoClaims().username });
  });
});
