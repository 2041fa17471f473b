// Verification keys: each key is bound to exactly one algorithm, decided by its type when it is
// made, so that no token header can make a public key act as an HMAC secret. What is never a
// secret is detector.ts's; checking a signature with a key is signature.ts's.
import { createPublicKey, createSecretKey, KeyObject, X509Certificate } from 'node:crypto';
import { DER_SEQUENCE, isAsymmetricKeyMaterial } from './detector';
import { JwtSsoOptionError } from '../errors';

/**
 * Algorithms this package verifies. Which ones a key allows follows from its type alone; a
 * secret verifies HS256, or the one HMAC algorithm `algorithms` names (HS384 or HS512).
 */
export type Algorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';
export const ALGORITHMS: readonly Algorithm[] = ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** The HMAC algorithms: a secret is bound to exactly one of them. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
// The hash of each, and its output size in bytes: the length of the signature, and (RFC 7518
// 3.2) the least length of a key for HS384 and HS512.
export const HMAC: Readonly<Record<HmacAlgorithm, { hash: string; bytes: number }>> = {
  HS256: { hash: 'sha256', bytes: 32 },
  HS384: { hash: 'sha384', bytes: 48 },
  HS512: { hash: 'sha512', bytes: 64 },
};
export const isHmac = (alg: string): alg is HmacAlgorithm => Object.hasOwn(HMAC, alg);

/** A key and the one algorithm it verifies. */
export interface VerificationKey {
  readonly alg: Algorithm;
  readonly key: KeyObject;
  /** The JWKS `kid`, when the key came with one. */
  readonly kid?: string;
}

/** A public key as PEM (SPKI or PKCS#1), a public `KeyObject`, or a JWK object. */
export type PublicKeyInput = string | Uint8Array | KeyObject | Jwk;

/**
 * A JSON Web Key (RFC 7517) as an object: `kty` and the members of its type. Declared here
 * rather than taken from `node:crypto`, whose exported name differs between `@types/node`
 * versions, so that the package's types compile whatever version an app has.
 */
export interface Jwk {
  /** The key type: `RSA`, `EC` or `OKP` for a public key (`oct`, a secret, is never used). */
  kty?: string | undefined;
  /** The members of its type (`n`, `e`; `crv`, `x`, `y`), and `kid`, `alg`, `use`. */
  [member: string]: unknown;
}

/** The algorithms a public key's type allows: RSA → RS256 (PS256 when asked for), P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA. */
export function algorithmsOfKey(key: KeyObject): Algorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'PS256'];
    case 'rsa-pss':
      return ['PS256'];
    case 'ec': {
      // Stryker disable next-line OptionalChaining: Node (>= 15.7; engines >= 20) sets asymmetricKeyDetails on every EC KeyObject: the ?. is for the type, never taken
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return ['ES256'];
      if (curve === 'secp384r1') return ['ES384'];
      return [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

// PEM bytes, or a public key or certificate in DER.
function publicKeyOfBytes(bytes: Buffer): KeyObject {
  if (bytes[0] !== DER_SEQUENCE) return createPublicKey(bytes);
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return createPublicKey({ key: bytes, format: 'der', type });
    } catch {
      // not this format
    }
  }
  return new X509Certificate(bytes).publicKey;
}

/** Makes a public KeyObject from PEM, a KeyObject or a JWK; throws a TypeError saying why not. */
export function toPublicKey(input: PublicKeyInput, option: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'public') return input;
    throw new JwtSsoOptionError(option, `JwtSsoStrategy: option "${option}" must be a public key; a ${input.type} KeyObject was given.`);
  }
  try {
    if (typeof input === 'string') return createPublicKey(input);
    if (input instanceof Uint8Array) return publicKeyOfBytes(Buffer.from(input));
    if (input !== null && typeof input === 'object' && typeof (input as Jwk).kty === 'string') {
      if ((input as Jwk).d !== undefined) throw new TypeError('a private JWK');
      return createPublicKey({ key: input, format: 'jwk' } as Parameters<typeof createPublicKey>[0]);
    }
  } catch (err) {
    const why = err instanceof TypeError && err.message === 'a private JWK' ? 'a private JWK was given' : 'it could not be read';
    throw new JwtSsoOptionError(option, `JwtSsoStrategy: option "${option}" must be a public key (PEM, KeyObject or JWK): ${why}.`);
  }
  throw new JwtSsoOptionError(option, `JwtSsoStrategy: option "${option}" must be a public key (PEM, KeyObject or JWK).`);
}

/**
 * The verification keys of a public key: its type's algorithms, narrowed by `algorithms` when
 * given (never widened). PS256 is allowed for an RSA key only when `algorithms` lists it.
 */
export function publicVerificationKeys(key: KeyObject, algorithms: readonly Algorithm[] | undefined, kid?: string): VerificationKey[] {
  const byType = algorithmsOfKey(key).filter((alg) =>
    algorithms === undefined ? alg !== 'PS256' || key.asymmetricKeyType === 'rsa-pss' : algorithms.includes(alg),
  );
  return byType.map((alg) => (kid === undefined ? { alg, key } : { alg, key, kid }));
}

/**
 * The one HMAC algorithm a secret is bound to: HS256 when `algorithms` is not given, else the one
 * HMAC algorithm it names (its other, public-key algorithms do not concern a secret). Undefined
 * when `algorithms` names none; a TypeError when it names more than one: RFC 8725 3.1, each key
 * is used with exactly one algorithm, so that a token can never pick how its secret is used.
 */
export function hmacAlgorithm(algorithms: readonly Algorithm[] | undefined, option: string): HmacAlgorithm | undefined {
  if (algorithms === undefined) return 'HS256';
  const named = [...new Set(algorithms.filter(isHmac))]; // ['HS512', 'HS512'] names one
  if (named.length > 1) {
    throw new JwtSsoOptionError(
      'algorithms',
      `JwtSsoStrategy: option "algorithms" names ${named.join(' and ')} for "${option}": a secret is bound to one algorithm (RFC 8725 3.1), so a token cannot choose how its secret is used. Name only the algorithm the provider signs with, e.g. algorithms: ['${named.at(-1)!}'].`,
    );
  }
  return named[0];
}

/**
 * A secret's verification key under `alg` (default HS256). Refuses anything `node:crypto` can
 * read as an asymmetric key (see {@link isAsymmetricKeyMaterial}), including inside a secret
 * KeyObject, and, for HS384 and HS512, a secret shorter than the hash output (RFC 7518 3.2; the
 * provider's own signer, nimbus-jose-jwt for WSO2, refuses to sign with one too).
 */
export function secretVerificationKey(
  secret: string | Uint8Array | KeyObject,
  option: string,
  alg: HmacAlgorithm = 'HS256',
): VerificationKey {
  let key: KeyObject;
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret' || (secret.symmetricKeySize ?? 0) === 0)
      throw new JwtSsoOptionError(option, `JwtSsoStrategy: option "${option}" must be a non-empty secret KeyObject (createSecretKey).`);
    if (isAsymmetricKeyMaterial(secret.export())) throw keyAsSecret(option);
    key = secret;
  } else if ((typeof secret === 'string' || secret instanceof Uint8Array) && secret.length > 0) {
    if (isAsymmetricKeyMaterial(secret)) throw keyAsSecret(option);
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: Buffer.from reads a string as UTF-8 and ignores an encoding for bytes: both branches give the same bytes
    key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret));
  } else {
    const hint =
      secret === '' || secret === undefined ? ' (it is empty: is the environment variable it is read from, e.g. SSO_SECRET, set?)' : '';
    throw new JwtSsoOptionError(
      option,
      `JwtSsoStrategy: option "${option}" must be a non-empty string or Buffer, or an array of them${hint}.`,
    );
  }
  // HS256 keeps 0.1's rule (any non-empty secret): providers hand out the secrets, and some are short.
  if (alg !== 'HS256' && key.symmetricKeySize! < HMAC[alg].bytes) {
    throw new JwtSsoOptionError(
      option,
      `JwtSsoStrategy: option "${option}" is shorter than ${HMAC[alg].bytes} bytes, too short for ${alg} (RFC 7518 3.2: an ${alg} key is at least as long as its hash output). Ask the provider for a secret of ${HMAC[alg].bytes} bytes or more, or name the algorithm it really signs with in "algorithms".`,
    );
  }
  return { alg, key };
}

const keyAsSecret = (option: string): JwtSsoOptionError =>
  new JwtSsoOptionError(
    option,
    `JwtSsoStrategy: option "${option}" holds an asymmetric key or certificate (PEM, DER, JWK or OpenSSH): a public key must never be an HMAC secret. Pass a public key as "publicKey", or give the shared secret itself.`,
  );

/** Turns what a key provider returned into verification keys, by the same rules as the options. */
export function providedKeys(provided: unknown, algorithms: readonly Algorithm[] | undefined): VerificationKey[] {
  const list = Array.isArray(provided) ? (provided as unknown[]) : [provided];
  const hmac = hmacAlgorithm(algorithms, 'secretOrKeyProvider');
  const keys: VerificationKey[] = [];
  for (const item of list) {
    // Key material is a public key, never an HMAC secret (algorithm confusion); a private key
    // or a secret KeyObject holding key material is refused below.
    const isSecret =
      ((typeof item === 'string' || item instanceof Uint8Array) && !isAsymmetricKeyMaterial(item)) ||
      (typeof item === 'object' && item !== null && (item as KeyObject).type === 'secret');
    if (isSecret) {
      // A secret where `algorithms` names no HMAC algorithm verifies nothing.
      if (hmac !== undefined) keys.push(secretVerificationKey(item as string | Uint8Array | KeyObject, 'secretOrKeyProvider', hmac));
    } else {
      keys.push(...publicVerificationKeys(toPublicKey(item as PublicKeyInput, 'secretOrKeyProvider'), algorithms));
    }
  }
  return keys;
}
