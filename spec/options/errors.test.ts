// Option errors (lib/errors.ts JwtSsoOptionError, thrown by lib/options, lib/keys,
// lib/login-state and lib/compat): every refusal of an option carries the code
// ERR_JWTSSO_INVALID_OPTION and the option's name, is still a TypeError, names the option in its
// message, and never prints the value it refused (which may be a secret).
import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { JwtSsoErrorCode, JwtSsoOptionError, JwtSsoStrategy, presets } from '../../lib';
import jwtsso from '../../lib/compat';

const AUTH = 'https://api.opinsys.fi/v3/sso';
const SECRET = 'a-shared-secret-of-32-bytes-or-more!!';
// Text that stands for a value the user gave: it must never appear in a message.
const MARK = 'MARKb7e1d2';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_JWK = ec.privateKey.export({ format: 'jwk' });
// The base64 body of a PEM: what would leak if a message printed the key.
const pemBody = (pem: string) => pem.split('\n')[1]!;

type Row = [label: string, options: Record<string, unknown>, option: string, hidden: string];

// Each row: the options beside authEndpoint (and a shared secret unless the row names a key
// source), the option the error must name, and the text of the refused value that must not show.
const withSecret = (extra: Record<string, unknown>) => ({ sharedSecret: SECRET, ...extra });
const REFUSALS: Row[] = [
  // lib/options/checks.ts
  ['maxAge not a number', withSecret({ maxAge: MARK }), 'maxAge', MARK],
  ['clockTolerance not a number', withSecret({ clockTolerance: MARK }), 'clockTolerance', MARK],
  ['stateMaxAge not a number', withSecret({ stateMaxAge: MARK }), 'stateMaxAge', MARK],
  ['state not a boolean', withSecret({ state: MARK }), 'state', MARK],
  ['numericJti not a boolean', withSecret({ numericJti: MARK }), 'numericJti', MARK],
  ['audienceRequired not a boolean', withSecret({ audienceRequired: MARK }), 'audienceRequired', MARK],
  ['passReqToCallback not a boolean', withSecret({ passReqToCallback: MARK }), 'passReqToCallback', MARK],
  ['nonce not a boolean', withSecret({ nonce: MARK }), 'nonce', MARK],
  ['issuer an empty list', withSecret({ issuer: [MARK, ''] }), 'issuer', MARK],
  ['audience not a string', withSecret({ audience: { [MARK]: MARK } }), 'audience', MARK],
  ['requiredClaims not strings', withSecret({ requiredClaims: [MARK, 5] }), 'requiredClaims', MARK],
  ['algorithms unknown', withSecret({ algorithms: [`${MARK}256`] }), 'algorithms', MARK],
  ['authEndpoint not a URL', { sharedSecret: SECRET, authEndpoint: `${MARK} not a url` }, 'authEndpoint', MARK],
  ['authEndpoint with a password', { sharedSecret: SECRET, authEndpoint: `https://user:${MARK}@idp.example/sso` }, 'authEndpoint', MARK],
  ['authEndpoint not http(s)', { sharedSecret: SECRET, authEndpoint: `ftp://idp.example/${MARK}` }, 'authEndpoint', MARK],
  ['logoutEndpoint with a password', withSecret({ logoutEndpoint: `https://u:${MARK}@idp.example/logout` }), 'logoutEndpoint', MARK],
  ['tokenParam not a parameter name', withSecret({ tokenParam: `${MARK}&x=1` }), 'tokenParam', MARK],
  ['stateParam not a parameter name', withSecret({ stateParam: `${MARK} x` }), 'stateParam', MARK],
  ['nonceParam not a parameter name', withSecret({ nonceParam: `${MARK}#` }), 'nonceParam', MARK],
  ['returnToParam not a parameter name', withSecret({ returnToParam: `${MARK}/` }), 'returnToParam', MARK],
  ['logoutRedirectParam true', withSecret({ logoutRedirectParam: true }), 'logoutRedirectParam', 'true'],
  ['authParams not an object', withSecret({ authParams: [MARK] }), 'authParams', MARK],
  ['authParams with a non-string value', withSecret({ authParams: { organisation: [MARK] } }), 'authParams.organisation', MARK],
  ['servicePathPrefix not a path', withSecret({ servicePathPrefix: MARK }), 'servicePathPrefix', MARK],
  ['mountPoint with a query', withSecret({ mountPoint: `/app?${MARK}` }), 'mountPoint', MARK],
  ['host with a path', withSecret({ host: `app.example/${MARK}` }), 'host', MARK],
  ['scheme unknown', withSecret({ scheme: MARK }), 'scheme', MARK],
  ['name empty', withSecret({ name: '' }), 'name', MARK],
  ['clock not a function', withSecret({ clock: MARK }), 'clock', MARK],
  ['onEvent not a function', withSecret({ onEvent: MARK }), 'onEvent', MARK],
  ['replayKey unknown', withSecret({ replayKey: MARK }), 'replayKey', MARK],
  ['stateIn unknown', withSecret({ stateIn: MARK }), 'stateIn', MARK],
  ['responseMode unknown', withSecret({ responseMode: MARK }), 'responseMode', MARK],
  ['callbackPath not a path', withSecret({ callbackPath: `${MARK}/cb` }), 'callbackPath', MARK],
  ['callbackParam not a parameter name', withSecret({ callbackPath: '/cb', callbackParam: `${MARK}?` }), 'callbackParam', MARK],
  // lib/options/resolve.ts
  ['an unknown option', withSecret({ maxage: MARK }), 'maxage', MARK],
  ['replayStore without consume()', withSecret({ replayStore: { [MARK]: MARK } }), 'replayStore', MARK],
  ['stateParam the same as tokenParam', withSecret({ tokenParam: 'jwt', stateParam: 'jwt' }), 'stateParam', MARK],
  ['responseMode form_post without callbackPath', withSecret({ responseMode: 'form_post' }), 'responseMode', MARK],
  ['callbackParam without callbackPath', withSecret({ callbackParam: 'redirect_uri' }), 'callbackParam', MARK],
  ['returnToParam false without callbackPath', withSecret({ returnToParam: false }), 'returnToParam', MARK],
  ['stateIn returnTo with returnToParam false', withSecret({ callbackPath: '/cb', returnToParam: false }), 'stateIn', MARK],
  [
    'form_post with returnToParam false',
    withSecret({ callbackPath: '/cb', returnToParam: false, stateIn: 'param', responseMode: 'form_post' }),
    'responseMode',
    MARK,
  ],
  [
    'form_post with the session login state',
    withSecret({ callbackPath: '/cb', responseMode: 'form_post', loginState: 'session' }),
    'loginState',
    MARK,
  ],
  ['nonce without state', withSecret({ nonce: true, state: false }), 'nonce', MARK],
  ['two parameters of one name', withSecret({ callbackPath: '/cb', callbackParam: 'jwt' }), 'tokenParam', MARK],
  // lib/login-state/index.ts
  ['loginState unknown', withSecret({ loginState: MARK }), 'loginState', MARK],
  // lib/keys: the key source
  ['two key sources', { sharedSecret: MARK, publicKey: PUBLIC_PEM }, 'sharedSecret, publicKey', MARK],
  ['no key source', {}, 'sharedSecret, publicKey, jwksUri, secretOrKeyProvider', MARK],
  ['sharedSecret from an unset variable', { sharedSecret: undefined }, 'sharedSecret', MARK],
  ['sharedSecret an empty list', { sharedSecret: [] }, 'sharedSecret', MARK],
  ['sharedSecret not a string', { sharedSecret: [SECRET, { [MARK]: MARK }] }, 'sharedSecret', SECRET],
  ['sharedSecret a public key PEM', { sharedSecret: PUBLIC_PEM }, 'sharedSecret', pemBody(PUBLIC_PEM)],
  ['sharedSecret a public KeyObject', { sharedSecret: rsa.publicKey }, 'sharedSecret', pemBody(PUBLIC_PEM)],
  ['sharedSecret too short for HS512', { sharedSecret: MARK, algorithms: ['HS512'] }, 'sharedSecret', MARK],
  ['algorithms naming two HMAC algorithms', { sharedSecret: MARK, algorithms: ['HS256', 'HS512'] }, 'algorithms', MARK],
  ['algorithms naming no HMAC algorithm for a secret', { sharedSecret: MARK, algorithms: ['RS256'] }, 'algorithms', MARK],
  ['publicKey an empty list', { publicKey: [] }, 'publicKey', MARK],
  ['publicKey unreadable', { publicKey: `-----BEGIN PUBLIC KEY-----\n${MARK}\n-----END PUBLIC KEY-----\n` }, 'publicKey', MARK],
  ['publicKey a private KeyObject', { publicKey: ec.privateKey }, 'publicKey', String(PRIVATE_JWK.d)],
  ['publicKey a private JWK', { publicKey: PRIVATE_JWK }, 'publicKey', String(PRIVATE_JWK.d)],
  ['publicKey outside algorithms', { publicKey: PUBLIC_PEM, algorithms: ['ES256'] }, 'publicKey', pemBody(PUBLIC_PEM)],
  ['jwksUri with a password', { jwksUri: `https://u:${MARK}@idp.example/jwks` }, 'jwksUri', MARK],
  ['jwksTimeout 0', { jwksUri: 'https://idp.example/jwks', jwksTimeout: 0 }, 'jwksTimeout', MARK],
  ['secretOrKeyProvider not a function', { secretOrKeyProvider: MARK }, 'secretOrKeyProvider', MARK],
  ['a secret KeyObject that is empty', { sharedSecret: createSecretKey(Buffer.alloc(0)) }, 'sharedSecret', MARK],
];

function refusalOf(construct: () => unknown): JwtSsoOptionError {
  try {
    construct();
  } catch (err) {
    return err as JwtSsoOptionError;
  }
  throw new Error('constructed: nothing refused');
}

describe('every option refusal carries ERR_JWTSSO_INVALID_OPTION and names the option, not its value', () => {
  test.each(REFUSALS)('%s', (_label, options, option, hidden) => {
    const err = refusalOf(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...options } as never));
    expect(err).toBeInstanceOf(JwtSsoOptionError);
    expect(err).toBeInstanceOf(TypeError); // existing `instanceof TypeError` catches keep working
    expect(err.code).toBe(JwtSsoErrorCode.INVALID_OPTION);
    expect(err.code).toBe('ERR_JWTSSO_INVALID_OPTION');
    expect(err.option).toBe(option);
    expect(err.name).toBe('TypeError'); // logs read "TypeError: …" as before
    for (const name of option.split(', ')) expect(err.message).toContain(`"${name}"`);
    expect(err.message).not.toContain(hidden);
  });

  test('control: the same options, legitimate, construct', () => {
    const legitimate: Record<string, unknown>[] = [
      { sharedSecret: SECRET, maxAge: 300, state: true, issuer: ['https://idp.example'], mountPoint: '/app', host: 'app.example' },
      { publicKey: PUBLIC_PEM, algorithms: ['RS256', 'PS256'], authParams: { organisation: 'example.opinsys.fi' } },
      { jwksUri: 'https://idp.example/jwks', jwksTimeout: 1, callbackPath: '/cb', callbackParam: 'redirect_uri' },
      { secretOrKeyProvider: () => SECRET, callbackPath: '/cb', responseMode: 'form_post', loginState: 'cookie' },
      { sharedSecret: createSecretKey(Buffer.alloc(64, 1)), algorithms: ['HS512'], nonce: true, replayKey: 'jti-or-token-hash' },
    ];
    for (const options of legitimate) expect(new JwtSsoStrategy({ authEndpoint: AUTH, ...options } as never).name).toBe('jwtsso');
  });

  test('options that are not an object', () => {
    const err = refusalOf(() => new JwtSsoStrategy(null as never));
    expect(err).toMatchObject({ code: 'ERR_JWTSSO_INVALID_OPTION', option: 'options' });
    expect(err).toBeInstanceOf(TypeError);
  });

  test("a preset's options are refused the same way", () => {
    const err = refusalOf(() => new JwtSsoStrategy({ ...presets.puavo({ sharedSecret: SECRET }), host: `x/${MARK}` }));
    expect(err).toMatchObject({ code: 'ERR_JWTSSO_INVALID_OPTION', option: 'host' });
    expect(err.message).not.toContain(MARK);
  });
});

describe('passport-jwtsso/compat refuses its own options the same way', () => {
  test.each<[string, Record<string, unknown> | null, string]>([
    ['options not an object', null, 'options'],
    ['mountPoint neither a path nor a URL', { mountPoint: `${MARK} x` }, 'mountPoint'],
    ["another provider's option", { callbackPath: `/${MARK}` }, 'callbackPath'],
    ['hook not a function', { hook: MARK }, 'hook'],
    ['a strategy option, checked by the strategy', { maxAge: MARK }, 'maxAge'],
  ])('%s', (_label, options, option) => {
    const err = refusalOf(() =>
      jwtsso(options === null ? (null as never) : ({ authEndpoint: AUTH, sharedSecret: SECRET, ...options } as never)),
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ code: 'ERR_JWTSSO_INVALID_OPTION', option });
    expect(err.message).not.toContain(MARK);
  });

  test('control: the original options construct', () => {
    expect(typeof jwtsso({ authEndpoint: AUTH, sharedSecret: SECRET, mountPoint: 'https://app.example/app' })).toBe('function');
  });
});
