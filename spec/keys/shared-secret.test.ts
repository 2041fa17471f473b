// HS384 and HS512 for shared secrets (WSO2 signs with either when so configured): only when
// "algorithms" names one, each secret bound to that one algorithm (RFC 8725 3.1), every key at
// least as long as its hash output (RFC 7518 3.2). HS256 stays the only default.
import { createHmac, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type JwtSsoStrategyBaseOptions, type SecretOrKeyProvider } from '../../lib';
import {
  hmacAlgorithm,
  isAsymmetricKeyMaterial,
  providedKeys,
  secretVerificationKey,
  verifySignature,
  type Algorithm,
} from '../../lib/keys';
import { resolveOptions } from '../../lib/options';
import { verifyToken, type TokenPolicy } from '../../lib/token';
import { startApp, type TestApp } from '../helpers/app';
import { b64, NOW, NOW_MS, puavoClaims, staticKeys } from '../helpers/tokens';
import { errorOf } from '../helpers/errors';

const AUTH = 'https://sso.example/login';
// 64 bytes: long enough for every HMAC algorithm.
const LONG = 'wso2-api-key-of-sixty-four-bytes-0123456789-abcdefghijklmnopqrst';
const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
type Hs = keyof typeof HASH;

/** A token signed with HMAC under `hash`, whatever its header says. */
function hmac(secret: string | Buffer, header: object, claims: object = puavoClaims(NOW), hash: string = 'sha256'): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}
const signed = (alg: Hs, secret: string | Buffer = LONG, claims?: object) => hmac(secret, { alg }, claims, HASH[alg]);

function policyOf(options: Partial<JwtSsoStrategyBaseOptions>): TokenPolicy {
  const o = resolveOptions({ authEndpoint: AUTH, ...options });
  return { ...o, keys: staticKeys(o.keySource) };
}
const codeOf = (token: string, policy: TokenPolicy): string => {
  try {
    verifyToken(token, policy, NOW_MS);
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
};
const construct = (options: Partial<JwtSsoStrategyBaseOptions>) => () => new JwtSsoStrategy({ authEndpoint: AUTH, ...options } as never);

describe('which algorithm a shared secret verifies', () => {
  test.each<[string, readonly Algorithm[] | undefined, Hs]>([
    ['no "algorithms": HS256, the default', undefined, 'HS256'],
    ['["HS256"]', ['HS256'], 'HS256'],
    ['["HS384"]', ['HS384'], 'HS384'],
    ['["HS512"]', ['HS512'], 'HS512'],
    ['["HS512", "RS256"]: the public-key algorithm does not concern a secret', ['HS512', 'RS256'], 'HS512'],
    ['["HS512", "HS512"]: one algorithm named twice', ['HS512', 'HS512'], 'HS512'],
  ])('%s', (_name, algorithms, alg) => {
    const policy = policyOf({ sharedSecret: LONG, ...(algorithms ? { algorithms } : {}) });
    expect(policy.keys.map((k) => k.alg)).toEqual([alg]);
    // Control: a token under that algorithm signs in; one under any other HMAC algorithm, signed
    // with the very same secret, is refused before its signature is even looked at.
    for (const other of Object.keys(HASH) as Hs[]) {
      expect([other, codeOf(signed(other), policy)]).toEqual([other, other === alg ? 'accepted' : Code.ALGORITHM_NOT_ALLOWED]);
    }
  });

  test('every secret of a rotation is bound to the one algorithm', () => {
    const second = LONG.replace('wso2', 'next');
    const policy = policyOf({ sharedSecret: [LONG, second], algorithms: ['HS512'] });
    expect(policy.keys.map((k) => k.alg)).toEqual(['HS512', 'HS512']);
    expect(codeOf(signed('HS512', second), policy)).toBe('accepted');
    expect(codeOf(signed('HS256', second), policy)).toBe(Code.ALGORITHM_NOT_ALLOWED);
  });

  test('the refusal names the algorithm the token asked for and the one accepted, never the secret', () => {
    const err = errorOf(() => verifyToken(signed('HS256'), policyOf({ sharedSecret: LONG, algorithms: ['HS512'] }), NOW_MS));
    expect(err.message).toBe('The token\'s algorithm "HS256" is not allowed: only HS512 is accepted.');
  });
});

describe('"algorithms" with a secret names exactly one HMAC algorithm: a TypeError at construction', () => {
  test.each<[string, readonly string[], RegExp]>([
    ['HS256 and HS512', ['HS256', 'HS512'], /names HS256 and HS512 for "sharedSecret": a secret is bound to one algorithm/],
    ['HS384 and HS512', ['HS384', 'HS512'], /names HS384 and HS512/],
    [
      'all three: the example is the last named',
      ['HS256', 'HS384', 'HS512'],
      /names HS256 and HS384 and HS512 .* e\.g\. algorithms: \['HS512'\]\.$/,
    ],
    ['HS512 twice over RS256', ['HS256', 'RS256', 'HS512'], /names HS256 and HS512/],
    [
      'none: RS256 only',
      ['RS256'],
      /"algorithms" names no HMAC algorithm, but "sharedSecret" is an HMAC secret: name the one the provider signs with \("HS256", "HS384" or "HS512"\), or leave "algorithms" out for HS256\.$/,
    ],
    ['none: ES256 and EdDSA', ['ES256', 'EdDSA'], /"algorithms" names no HMAC algorithm/],
    ['a lower-case name', ['hs512'], /"algorithms" must be a non-empty array of HS256, HS384, HS512, RS256/],
    ['HS1 (no such algorithm)', ['HS1'], /"algorithms" must be a non-empty array/],
    ['RS512 (not verified here)', ['RS512'], /"algorithms" must be a non-empty array/],
  ])('%s', (_name, algorithms, message) => {
    const err = errorOf(construct({ sharedSecret: LONG, algorithms: algorithms as Algorithm[] }));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(LONG);
  });

  // The option to change is "algorithms", not the secret: an app that shows err.option points at the right one.
  test.each<[string, Record<string, unknown>]>([
    ['sharedSecret', { sharedSecret: LONG, algorithms: ['HS256', 'HS512'] }],
    [
      'secretOrKeyProvider',
      {
        secretOrKeyProvider: (_r: unknown, _t: unknown, done: (e: null, k: string) => void) => done(null, LONG),
        algorithms: ['HS384', 'HS512'],
      },
    ],
  ])('with %s, the refusal names the option "algorithms"', (_name, options) => {
    const err = errorOf(construct(options as never)) as Error & { code?: string; option?: string };
    expect(err.code).toBe('ERR_JWTSSO_INVALID_OPTION');
    expect(err.option).toBe('algorithms');
  });

  test('the message says what to do: name only the algorithm the provider signs with', () => {
    expect(errorOf(construct({ sharedSecret: LONG, algorithms: ['HS256', 'HS512'] })).message).toMatch(
      /so a token cannot choose how its secret is used\. Name only the algorithm the provider signs with, e\.g\. algorithms: \['HS512'\]\.$/,
    );
  });

  test('the same holds for secretOrKeyProvider: refused when constructed, not when a token comes', () => {
    const err = errorOf(construct({ secretOrKeyProvider: () => LONG, algorithms: ['HS256', 'HS384'] }));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/names HS256 and HS384 for "secretOrKeyProvider": a secret is bound to one algorithm/);
  });

  test('control: a public key under several asymmetric algorithms is not concerned', () => {
    expect(hmacAlgorithm(['RS256', 'PS256', 'ES256'], 'publicKey')).toBeUndefined();
    expect(hmacAlgorithm(undefined, 'sharedSecret')).toBe('HS256');
  });
});

describe('RFC 7518 3.2: an HS384 or HS512 key is at least as long as its hash output', () => {
  const bytes = (n: number) => 'k'.repeat(n);
  test.each<[string, Hs, string | Buffer | ReturnType<typeof createSecretKey>, boolean]>([
    ['HS384, 47 ASCII bytes', 'HS384', bytes(47), false],
    ['HS384, 48 ASCII bytes (control)', 'HS384', bytes(48), true],
    ['HS512, 63 ASCII bytes', 'HS512', bytes(63), false],
    ['HS512, 64 ASCII bytes (control)', 'HS512', bytes(64), true],
    ['HS512, 32 characters that are 64 UTF-8 bytes (control: bytes count, not characters)', 'HS512', 'é'.repeat(32), true],
    ['HS512, 63 characters of which one is 2 UTF-8 bytes', 'HS512', 'é' + bytes(61), false],
    ['HS512, a 63-byte Buffer', 'HS512', randomBytes(63), false],
    ['HS512, a 64-byte Buffer (control)', 'HS512', randomBytes(64), true],
    ['HS512, a 63-byte secret KeyObject', 'HS512', createSecretKey(randomBytes(63)), false],
    ['HS512, a 64-byte secret KeyObject (control)', 'HS512', createSecretKey(randomBytes(64)), true],
    ['HS384, a 1-byte secret', 'HS384', 'x', false],
    ["HS256 keeps 0.1's rule: a 1-byte secret (control)", 'HS256', 'x', true],
  ])('%s', (_name, alg, secret, ok) => {
    const make = () => secretVerificationKey(secret, 'sharedSecret', alg);
    if (ok) {
      expect(make().alg).toBe(alg);
      return;
    }
    const err = errorOf(make);
    expect(err).toBeInstanceOf(TypeError);
    const least = alg === 'HS384' ? 48 : 64;
    expect(err.message).toBe(
      `JwtSsoStrategy: option "sharedSecret" is shorter than ${least} bytes, too short for ${alg} (RFC 7518 3.2: an ${alg} key is at least as long as its hash output). Ask the provider for a secret of ${least} bytes or more, or name the algorithm it really signs with in "algorithms".`,
    );
  });

  test('a short secret in a rotation is refused at construction, by option name', () => {
    const err = errorOf(construct({ sharedSecret: [LONG, 'short'], algorithms: ['HS512'] }));
    expect(err.message).toMatch(/^JwtSsoStrategy: option "sharedSecret" is shorter than 64 bytes/);
    expect(err.message).not.toContain('short"');
  });
});

describe('public-key bytes are never an HMAC secret, under any HMAC algorithm', () => {
  // A PEM is far longer than 64 bytes, so the length rule would let it through: the key rule must not.
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  test.each(['HS256', 'HS384', 'HS512'] as const)('%s: a PEM as sharedSecret, as a secret KeyObject, from a provider', (alg) => {
    expect(isAsymmetricKeyMaterial(pem)).toBe(true);
    expect(errorOf(construct({ sharedSecret: pem, algorithms: [alg] })).message).toMatch(/"sharedSecret" holds an asymmetric key/);
    expect(() => secretVerificationKey(createSecretKey(Buffer.from(pem)), 'sharedSecret', alg)).toThrow(/holds an asymmetric key/);
    // From a provider, PEM text is the public key it is: ES256 here, never an HMAC key.
    expect(providedKeys(pem, [alg, 'ES256']).map((k) => k.alg)).toEqual(['ES256']);
    // A token signed with the PEM's bytes as an HMAC secret does not verify.
    expect(codeOf(hmac(pem, { alg }, puavoClaims(NOW), HASH[alg]), policyOf({ publicKey: pem }))).toBe(Code.ALGORITHM_NOT_ALLOWED);
  });
});

describe('secretOrKeyProvider: a returned secret is bound to the HMAC algorithm "algorithms" names', () => {
  test.each<[string, readonly Algorithm[] | undefined, readonly string[]]>([
    ['no "algorithms": HS256', undefined, ['HS256']],
    ['["HS512"]: HS512', ['HS512'], ['HS512']],
    ['["HS384", "RS256"]: HS384', ['HS384', 'RS256'], ['HS384']],
    ['["RS256"]: no HMAC algorithm, so the secret verifies nothing', ['RS256'], []],
  ])('%s', (_name, algorithms, algs) => {
    expect(providedKeys(LONG, algorithms).map((k) => k.alg)).toEqual(algs);
  });

  test('two HMAC algorithms are refused here too (a second line of defence behind construction)', () => {
    expect(() => providedKeys(LONG, ['HS256', 'HS512'])).toThrow(/a secret is bound to one algorithm/);
  });

  test('a returned secret too short for HS512 is a key-source fault (500), never an acceptance', async () => {
    let app: TestApp | undefined;
    try {
      const provide: SecretOrKeyProvider = () => 'short';
      app = await startApp({ strategy: { sharedSecret: undefined, secretOrKeyProvider: provide, algorithms: ['HS512'], state: false } });
      const browser = app.browser();
      const cb = await browser.get(`/checked?jwt=${signed('HS512', 'short', puavoClaims())}`);
      const final = await browser.get(cb.headers.location!);
      expect(final.status).toBe(500);
      expect(app.errors.join('\n')).toMatch(/secretOrKeyProvider failed.* is shorter than 64 bytes, too short for HS512/s);
      expect(app.verified).toEqual([]);
    } finally {
      await app?.close();
    }
  });

  test('control: a long enough secret from the provider signs in under HS512, and HS256 with it is refused', async () => {
    let app: TestApp | undefined;
    try {
      app = await startApp({ strategy: { sharedSecret: undefined, secretOrKeyProvider: () => LONG, algorithms: ['HS512'], state: false } });
      const ok = app.browser();
      const cb = await ok.get(`/checked?jwt=${signed('HS512', LONG, puavoClaims())}`);
      expect((await ok.get(cb.headers.location!)).status).toBe(200);
      const bad = app.browser();
      const cb2 = await bad.get(`/checked?jwt=${signed('HS256', LONG, puavoClaims())}`);
      const refused = await bad.get(cb2.headers.location!);
      expect([refused.status, refused.body.code]).toEqual([401, Code.ALGORITHM_NOT_ALLOWED]);
    } finally {
      await app?.close();
    }
  });
});

describe('signatures: the length of each algorithm, a timing-safe compare, and no throw', () => {
  const key = (alg: Hs) => secretVerificationKey(LONG, 'sharedSecret', alg);
  const input = `${b64({ alg: 'HS512' })}.${b64({ iat: NOW })}`;
  test.each<[Hs, number]>([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ])('%s: %i bytes; one more or less is false', (alg, length) => {
    const good = createHmac(HASH[alg], LONG).update(input).digest();
    expect(good).toHaveLength(length);
    expect(verifySignature(key(alg), input, good)).toBe(true);
    expect(verifySignature(key(alg), input, good.subarray(0, length - 1))).toBe(false);
    expect(verifySignature(key(alg), input, Buffer.concat([good, Buffer.alloc(1)]))).toBe(false);
    expect(verifySignature(key(alg), input, Buffer.alloc(0))).toBe(false);
    // A truncated HS512 (its first 32 bytes) is not an HS256 signature, nor the other way round.
    const flipped = Buffer.from(good);
    flipped[length - 1]! ^= 1;
    expect(verifySignature(key(alg), input, flipped)).toBe(false);
  });

  test('an HS512 signature cut to 32 or 48 bytes verifies under no algorithm', () => {
    const full = createHmac('sha512', LONG).update(input).digest();
    for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
      expect(verifySignature(key(alg), input, full.subarray(0, 32))).toBe(false);
      expect(verifySignature(key(alg), input, full.subarray(0, 48))).toBe(false);
    }
  });

  test('through verifyToken: a token signed under HS512 with the wrong secret is SIGNATURE_INVALID', () => {
    const policy = policyOf({ sharedSecret: LONG, algorithms: ['HS512'] });
    expect(codeOf(signed('HS512', LONG.toUpperCase()), policy)).toBe(Code.SIGNATURE_INVALID);
    expect(codeOf(signed('HS512'), policy)).toBe('accepted');
  });

  test('a header alg that only looks like HS512 is refused as an algorithm', () => {
    const policy = policyOf({ sharedSecret: LONG, algorithms: ['HS512'] });
    for (const alg of ['hs512', 'HS512 ', 'HS-512', 'HMAC-SHA512', ['HS512'], { alg: 'HS512' }, 512, null]) {
      expect([alg, codeOf(hmac(LONG, { alg }, puavoClaims(NOW), 'sha512'), policy)]).toEqual([alg, Code.ALGORITHM_NOT_ALLOWED]);
    }
  });
});

describe('end to end: an app configured for HS512 over a real socket', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('an HS512 token signs in once; its replay and an HS256 token with the same secret are refused', async () => {
    app = await startApp({ strategy: { sharedSecret: LONG, algorithms: ['HS512'], state: false } });
    const token = signed('HS512', LONG, puavoClaims());
    const outcomes: unknown[] = [];
    for (const t of [token, token, signed('HS256', LONG, puavoClaims())]) {
      const browser = app.browser();
      const cb = await browser.get(`/checked?jwt=${t}`);
      const final = await browser.get(cb.headers.location!);
      outcomes.push([final.status, final.body.code ?? null]);
    }
    expect(outcomes).toEqual([
      [200, null],
      [401, Code.TOKEN_REPLAYED],
      [401, Code.ALGORITHM_NOT_ALLOWED],
    ]);
  });
});
