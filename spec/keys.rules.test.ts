// The rules of lib/keys.ts, each at the input that decides it: every key type and the one
// algorithm it gets, every form of key material that is never a secret (and the look-alikes that
// still are), every refusal naming the option and its cause.
import { createSecretKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { JwtSsoError, JwtSsoErrorCode, JwtSsoStrategy } from '../lib';
import { providerSource } from '../lib/keys/provider';
import { parseToken } from '../lib/token';
import {
  isAsymmetricKeyMaterial,
  providedKeys,
  publicVerificationKeys,
  secretVerificationKey,
  toPublicKey,
  verifySignature,
} from '../lib/keys';
import { SECRET } from './helpers/tokens';
import { errorOf } from './helpers/errors';

const AUTH = 'https://sso.example/login';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed25519 = generateKeyPairSync('ed25519');
const ed448 = generateKeyPairSync('ed448');
const x25519 = generateKeyPairSync('x25519');

// A self-signed P-256 certificate (CN=sso.example), as `openssl req -x509` writes it.
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBhDCCASmgAwIBAgIUVizCygXtE/GRzGbO22e339By808wCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLc3NvLmV4YW1wbGUwIBcNMjYxMTI5MjMxNzQ1WhgPMjEyNjEx
MDUyMzE3NDVaMBYxFDASBgNVBAMMC3Nzby5leGFtcGxlMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAE+l6HODp4lZnS0Onl9fbsk5de2hTsvOYroMUDbjqyi+C80D7/
ldeB3goBUUvT9dePaX8BQZLs9d7haMdsGh0gf6NTMFEwHQYDVR0OBBYEFOor8Hrp
17FLr+kFn663A9F8HuDQMB8GA1UdIwQYMBaAFOor8Hrp17FLr+kFn663A9F8HuDQ
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPK3fWXuancGt0e9
ISYSyTRnPGe2jc7IdXO7xeaaAXh5AiEAxd+ZNIZkMlGfFqPV5HG5Id4j0U/T9nSV
v+xmFWSfocw=
-----END CERTIFICATE-----
`;
const cert = new X509Certificate(CERT_PEM);

const algs = (keys: readonly { alg: string }[]) => keys.map((k) => k.alg);

describe('each key type gets the algorithms of its type, and no other', () => {
  test.each([
    ['RSA', rsa.publicKey, ['RS256']],
    ['RSA-PSS', rsaPss.publicKey, ['PS256']],
    ['EC P-256', p256.publicKey, ['ES256']],
    ['EC P-384', p384.publicKey, ['ES384']],
    ['EC P-521 (no algorithm here)', p521.publicKey, []],
    ['Ed25519', ed25519.publicKey, ['EdDSA']],
    ['Ed448 (no algorithm here)', ed448.publicKey, []],
    ['X25519 (not a signing key)', x25519.publicKey, []],
  ])('%s', (_name, key, expected) => {
    expect(algs(publicVerificationKeys(key, undefined))).toEqual(expected);
  });

  test('an RSA key verifies PS256 only when algorithms lists it', () => {
    expect(algs(publicVerificationKeys(rsa.publicKey, ['RS256', 'PS256']))).toEqual(['RS256', 'PS256']);
    expect(algs(publicVerificationKeys(rsa.publicKey, ['PS256']))).toEqual(['PS256']);
  });

  test('algorithms narrows, never widens: a P-256 key under ["RS256"] has no algorithm', () => {
    expect(publicVerificationKeys(p256.publicKey, ['RS256'])).toEqual([]);
  });

  test('a kid given with the key is kept on each of its keys; none given, none made up', () => {
    expect(publicVerificationKeys(rsa.publicKey, ['RS256', 'PS256'], 'k1').map((k) => k.kid)).toEqual(['k1', 'k1']);
    expect(publicVerificationKeys(rsa.publicKey, undefined)[0]).not.toHaveProperty('kid');
  });
});

describe('a certificate or a key in any DER form node:crypto reads is key material', () => {
  test.each([
    ['an RSA private key in PKCS#1 DER', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })],
    ['an X.509 certificate in DER', cert.raw],
    ['the base64 body of a certificate PEM', CERT_PEM.replace(/-----[^-]+-----/g, '')],
  ])('%s is never a secret', (_name, material) => {
    expect(isAsymmetricKeyMaterial(material)).toBe(true);
    expect(() => secretVerificationKey(material, 'sharedSecret')).toThrow(/"sharedSecret" holds an asymmetric key/);
  });

  test('a certificate in DER is read as its public key, by its type', () => {
    const keys = providedKeys(cert.raw, undefined);
    expect(algs(keys)).toEqual(['ES256']);
    expect(keys[0]!.key.equals(cert.publicKey)).toBe(true);
    expect(toPublicKey(cert.raw, 'publicKey').equals(cert.publicKey)).toBe(true);
  });

  test('a Uint8Array view into a larger buffer is judged by its own bytes', () => {
    const der = rsa.publicKey.export({ type: 'spki', format: 'der' });
    const backing = Buffer.concat([Buffer.from('secret-secret-secret'), der, Buffer.from('tail')]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 20, der.length);
    expect(isAsymmetricKeyMaterial(view)).toBe(true);
    // control: a view onto only the secret part of the same buffer is a secret
    expect(isAsymmetricKeyMaterial(new Uint8Array(backing.buffer, backing.byteOffset, 20))).toBe(false);
  });
});

describe('OpenSSH public keys of every type are key material (a key type name anywhere counts: fail closed)', () => {
  const body = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  test.each([
    `ssh-rsa ${body}`,
    `ssh-dss ${body}`,
    `ssh-ed25519 ${body}`,
    `ecdsa-sha2-nistp256 ${body}`,
    `ecdsa-sha2-nistp384 ${body}`,
    `sk-ssh-ed25519@openssh.com ${body}`,
    `sk-ecdsa-sha2-nistp256@openssh.com ${body}`,
    `  \n ssh-ed25519 ${body} sso@example`,
    `ssh-rsa\t\t${body}`,
  ])('%j', (line) => {
    expect(isAsymmetricKeyMaterial(line)).toBe(true);
  });

  test.each([
    `ssh-rsa${body}`, // no space: not a key line
  ])('control: %j is a secret', (text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

describe('PEM and RFC 4716 armour anywhere in the text is key material (fail closed)', () => {
  test.each([
    ['a one-character label', '-----BEGIN X-----'],
    ['a 64-character label', `-----BEGIN ${'K'.repeat(64)}-----`],
  ])('%s is key material', (_name, text) => {
    expect(isAsymmetricKeyMaterial(`x ${text} y`)).toBe(true);
  });

  test.each([
    ['dashes without BEGIN', '----- not armour -----'],
    ['BEGIN without dashes', 'BEGIN PUBLIC KEY'],
  ])('control: %s is not armour', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

describe('JWK text is key material once it parses as an object with "kty" or "keys"', () => {
  test.each(['  \n{"kty":"oct","k":"c2VjcmV0"}', '{"keys":[{"kty":"EC"}]}', '{"kty": broken', 'prefix {"kty":"RSA"}'])('%j', (text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(true);
  });
  test.each(['{"kid":"x"}', '["kty"]', '{"keys":[]}'])('control: %j is a secret', (text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

describe('a refused key names the option and why', () => {
  test('a private KeyObject as a public key: the option and "private"', () => {
    const err = errorOf(() => toPublicKey(rsa.privateKey, 'publicKey'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/"publicKey" must be a public key; a private KeyObject/);
  });

  test('a secret KeyObject as a public key: the option and "secret"', () => {
    expect(errorOf(() => toPublicKey(createSecretKey(Buffer.from(SECRET)), 'secretOrKeyProvider')).message).toMatch(
      /"secretOrKeyProvider" must be a public key; a secret KeyObject/,
    );
  });

  test('a private JWK: says a private JWK was given', () => {
    const err = errorOf(() => toPublicKey(rsa.privateKey.export({ format: 'jwk' }), 'publicKey'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/"publicKey".*a private JWK was given/);
  });

  test.each([
    ['PEM text that is not a key', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
    ['a JWK with bad coordinates', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }],
    ['DER bytes that are no key', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])],
  ])('%s: says it could not be read', (_name, input) => {
    const err = errorOf(() => toPublicKey(input, 'publicKey'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/"publicKey".*it could not be read/);
  });

  test('a JWK that throws a TypeError of its own while read: "could not be read", never "a private JWK"', () => {
    const hostile = {
      kty: 'RSA',
      get d(): never {
        throw new TypeError('not readable');
      },
    };
    expect(errorOf(() => toPublicKey(hostile as never, 'publicKey')).message).toMatch(/"publicKey".*it could not be read\.$/);
  });

  test.each([
    ['a number', 42],
    ['null', null],
    ['an object with no kty', { n: 'x', e: 'AQAB' }],
  ])('%s: names the forms a public key may take', (_name, input) => {
    const err = errorOf(() => toPublicKey(input as never, 'publicKey'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/"publicKey" must be a public key \(PEM, KeyObject or JWK\)\.$/);
  });

  test.each([
    ['a public KeyObject', rsa.publicKey],
    ['an empty secret KeyObject', createSecretKey(Buffer.alloc(0))],
  ])('%s as a secret: asks for a non-empty secret KeyObject', (_name, key) => {
    const err = errorOf(() => secretVerificationKey(key, 'sharedSecret'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/"sharedSecret" must be a non-empty secret KeyObject/);
  });

  test.each([
    ['an empty string', ''],
    ['an empty Buffer', Buffer.alloc(0)],
    ['a number', 42],
  ])('%s as a secret: asks for a non-empty string or Buffer', (_name, secret) => {
    const err = errorOf(() => secretVerificationKey(secret as never, 'sharedSecret'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/"sharedSecret" must be a non-empty string or Buffer/);
  });

  test('key material as a secret: names the option and where a public key goes', () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const err = errorOf(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: pem }));
    expect(err.message).toMatch(/"sharedSecret" holds an asymmetric key/);
    expect(err.message).toMatch(/"publicKey"/);
  });

  test('control: a non-empty secret KeyObject is an HS256 key', () => {
    const key = createSecretKey(Buffer.from(SECRET));
    expect(secretVerificationKey(key, 'sharedSecret')).toEqual({ alg: 'HS256', key });
  });
});

describe('what a provider returns: secrets only where HS256 is allowed', () => {
  test('a secret under algorithms without HS256 gives no key; with HS256 it does', () => {
    expect(providedKeys(SECRET, ['RS256'])).toEqual([]);
    expect(algs(providedKeys(SECRET, ['HS256']))).toEqual(['HS256']);
    expect(algs(providedKeys([SECRET, rsa.publicKey], ['RS256']))).toEqual(['RS256']);
  });

  test('a secret KeyObject from a provider is a secret; a public one a public key', () => {
    expect(algs(providedKeys([createSecretKey(Buffer.from(SECRET)), ed25519.publicKey], undefined))).toEqual(['HS256', 'EdDSA']);
  });

  test('a provider error names the option "secretOrKeyProvider"', () => {
    expect(() => providedKeys(rsa.privateKey, undefined)).toThrow(/"secretOrKeyProvider"/);
    expect(() => providedKeys('', undefined)).toThrow(/"secretOrKeyProvider" must be a non-empty string/);
    expect(() => providedKeys(undefined, undefined)).toThrow(/"secretOrKeyProvider" must be a public key \(PEM, KeyObject or JWK\)\.$/);
    expect(() => providedKeys(null, undefined)).toThrow(/"secretOrKeyProvider" must be a public key \(PEM, KeyObject or JWK\)\.$/);
  });
});

describe('verifySignature: a signature of the wrong length for its algorithm is false, never a throw', () => {
  test.each([
    ['HS256', () => secretVerificationKey(SECRET, 'sharedSecret'), 31],
    ['ES256', () => publicVerificationKeys(p256.publicKey, undefined)[0]!, 63],
    ['ES384', () => publicVerificationKeys(p384.publicKey, undefined)[0]!, 95],
    ['EdDSA', () => publicVerificationKeys(ed25519.publicKey, undefined)[0]!, 65],
    ['RS256', () => publicVerificationKeys(rsa.publicKey, undefined)[0]!, 255],
  ])('%s', (_name, key, length) => {
    expect(verifySignature(key(), 'a.b', Buffer.alloc(length))).toBe(false);
  });
});

test('a key that cannot verify under its algorithm is false, never a throw', () => {
  // Keys are bound to their algorithm when made; this is the guard should one ever be made wrong.
  expect(verifySignature({ alg: 'RS256', key: createSecretKey(Buffer.from(SECRET)) }, 'a.b', Buffer.alloc(256))).toBe(false);
});

describe('every algorithm this package verifies may be listed in "algorithms"', () => {
  test.each([
    ['PS256', { publicKey: rsa.publicKey }],
    ['ES384', { publicKey: p384.publicKey }],
    ['EdDSA', { publicKey: ed25519.publicKey }],
  ] as const)('%s', (alg, source) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...source, algorithms: [alg] })).not.toThrow();
  });

  test('an algorithm it does not verify is refused, and the message lists all eight', () => {
    const err = errorOf(() => new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: SECRET, algorithms: ['RS512' as never] }));
    expect(err.message).toMatch(/"algorithms"/);
    for (const alg of ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) expect(err.message).toContain(alg);
  });
});

describe('what the key options say when they are wrong (each message names the option and what it wants)', () => {
  test.each<[string, object, RegExp]>([
    [
      'sharedSecret: []',
      { sharedSecret: [] },
      /^JwtSsoStrategy: option "sharedSecret" must be a non-empty string or Buffer, or a non-empty array of them\.$/,
    ],
    [
      "sharedSecret: '' (an unset variable read with ?? '')",
      { sharedSecret: '' },
      /"sharedSecret" must be a non-empty string or Buffer, or an array of them \(it is empty: is the environment variable it is read from, e\.g\. SSO_SECRET, set\?\)\.$/,
    ],
    [
      'sharedSecret: [secret, undefined] (a rotation whose second variable is unset)',
      { sharedSecret: [SECRET, undefined] },
      /"sharedSecret" must be a non-empty string or Buffer, or an array of them \(it is empty: is the environment variable/,
    ],
    [
      'sharedSecret: 5 (not empty: no hint about variables)',
      { sharedSecret: 5 },
      /"sharedSecret" must be a non-empty string or Buffer, or an array of them\.$/,
    ],
    [
      'secretOrKeyProvider: a string',
      { secretOrKeyProvider: 'secret' },
      /^JwtSsoStrategy: option "secretOrKeyProvider" must be a function \(req, header, payload\), got a string\.$/,
    ],
  ])('%s', (_name, options, message) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...options } as never)).toThrow(message);
  });

  test('a public KeyObject where a secret is wanted is named as not a secret KeyObject', () => {
    expect(() => secretVerificationKey(rsa.publicKey, 'sharedSecret')).toThrow(
      /^JwtSsoStrategy: option "sharedSecret" must be a non-empty secret KeyObject \(createSecretKey\)\.$/,
    );
  });

  test("a provider that returns two HMAC algorithms' worth of algorithms names the option", () => {
    expect(() => providedKeys(SECRET, ['HS256', 'HS384', 'HS512'])).toThrow(
      /for "secretOrKeyProvider": .* Name only the algorithm the provider signs with, e\.g\. algorithms: \['HS512'\]\.$/,
    );
  });
});

test("a JwtSsoError a key provider throws is the refusal itself, not wrapped as the key source's fault", async () => {
  const own = new JwtSsoError(JwtSsoErrorCode.SIGNATURE_INVALID, 'no key for this tenant');
  const source = providerSource({ secretOrKeyProvider: () => Promise.reject(own) }, { algorithms: undefined, clock: Date.now });
  const token = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`;
  await expect(source.keysFor({} as never, parseToken(token))).rejects.toBe(own);
  // Control: any other error is the key source's fault, with the error as its cause.
  const failing = providerSource(
    { secretOrKeyProvider: () => Promise.reject(new Error('db down')) },
    { algorithms: undefined, clock: Date.now },
  );
  await expect(failing.keysFor({} as never, parseToken(token))).rejects.toMatchObject({ code: JwtSsoErrorCode.KEY_SOURCE_FAILED });
});
