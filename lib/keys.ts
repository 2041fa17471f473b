// Verification keys: each key is bound to exactly one algorithm, decided by its type when it is
// made, so that no token header can make a public key act as an HMAC secret.
import { constants, createPublicKey, createSecretKey, KeyObject, verify, createHmac, timingSafeEqual, type JsonWebKey } from 'node:crypto';

/** Algorithms this package verifies. Which ones a key allows follows from its type alone. */
export type Algorithm = 'HS256' | 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';
export const ALGORITHMS: readonly Algorithm[] = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** A key and the one algorithm it verifies. */
export interface VerificationKey {
  readonly alg: Algorithm;
  readonly key: KeyObject;
  /** The JWKS `kid`, when the key came with one. */
  readonly kid?: string;
}

/** A public key as PEM (SPKI or PKCS#1), a public `KeyObject`, or a JWK object. */
export type PublicKeyInput = string | Uint8Array | KeyObject | JsonWebKey;

const SIGNATURE_BYTES: Partial<Record<Algorithm, number>> = { HS256: 32, ES256: 64, ES384: 96, EdDSA: 64 };
const PS256_SALT_BYTES = 32;

/** The algorithms a public key's type allows: RSA → RS256 (PS256 when asked for), P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA. */
export function algorithmsOfKey(key: KeyObject): Algorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'PS256'];
    case 'rsa-pss':
      return ['PS256'];
    case 'ec': {
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

/** Bytes that look like PEM: never usable as an HMAC secret (algorithm confusion). */
export function looksLikePem(value: string | Uint8Array): boolean {
  const text = typeof value === 'string' ? value : Buffer.from(value.subarray(0, 64)).toString('latin1');
  return /-----BEGIN [A-Z ]+-----/.test(text);
}

/** Makes a public KeyObject from PEM, a KeyObject or a JWK; throws a TypeError saying why not. */
export function toPublicKey(input: PublicKeyInput, option: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'public') return input;
    throw new TypeError(`JwtSsoStrategy: option "${option}" must be a public key; a ${input.type} KeyObject was given.`);
  }
  try {
    if (typeof input === 'string' || input instanceof Uint8Array)
      return createPublicKey(typeof input === 'string' ? input : Buffer.from(input));
    if (input !== null && typeof input === 'object' && typeof (input as JsonWebKey).kty === 'string') {
      if ((input as JsonWebKey).d !== undefined) throw new TypeError('a private JWK');
      return createPublicKey({ key: input as JsonWebKey, format: 'jwk' });
    }
  } catch (err) {
    const why = err instanceof TypeError && err.message === 'a private JWK' ? 'a private JWK was given' : 'it could not be read';
    throw new TypeError(`JwtSsoStrategy: option "${option}" must be a public key (PEM, KeyObject or JWK): ${why}.`);
  }
  throw new TypeError(`JwtSsoStrategy: option "${option}" must be a public key (PEM, KeyObject or JWK).`);
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

/** A secret's HS256 verification key. Refuses PEM text: a public key is never an HMAC secret. */
export function secretVerificationKey(secret: string | Uint8Array | KeyObject, option: string): VerificationKey {
  if (secret instanceof KeyObject) {
    if (secret.type === 'secret' && (secret.symmetricKeySize ?? 0) > 0) return { alg: 'HS256', key: secret };
    throw new TypeError(`JwtSsoStrategy: option "${option}" must be a non-empty secret KeyObject (createSecretKey).`);
  }
  if ((typeof secret === 'string' || secret instanceof Uint8Array) && secret.length > 0) {
    if (looksLikePem(secret)) {
      throw new TypeError(
        `JwtSsoStrategy: option "${option}" looks like a PEM key: a public key must never be an HMAC secret. Pass it as "publicKey".`,
      );
    }
    return { alg: 'HS256', key: createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)) };
  }
  throw new TypeError(`JwtSsoStrategy: option "${option}" must be a non-empty string or Buffer, or an array of them.`);
}

/** True if `signature` over `input` verifies with `key` under its algorithm. Never throws for bad input. */
export function verifySignature(key: VerificationKey, input: string, signature: Buffer): boolean {
  const expected = SIGNATURE_BYTES[key.alg];
  if (expected !== undefined && signature.length !== expected) return false;
  try {
    if (key.alg === 'HS256') return timingSafeEqual(createHmac('sha256', key.key).update(input).digest(), signature);
    const data = Buffer.from(input, 'latin1');
    switch (key.alg) {
      case 'RS256':
        return verify('sha256', data, key.key, signature);
      case 'PS256':
        return verify('sha256', data, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PS256_SALT_BYTES }, signature);
      case 'ES256':
        return verify('sha256', data, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'ES384':
        return verify('sha384', data, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
        return verify(null, data, key.key, signature);
    }
  } catch {
    return false;
  }
}

/** Turns what a key provider returned into verification keys, by the same rules as the options. */
export function providedKeys(provided: unknown, algorithms: readonly Algorithm[] | undefined): VerificationKey[] {
  const list = Array.isArray(provided) ? (provided as unknown[]) : [provided];
  const keys: VerificationKey[] = [];
  for (const item of list) {
    // PEM text is a public key, never an HMAC secret (algorithm confusion).
    const isSecret =
      ((typeof item === 'string' || item instanceof Uint8Array) && !looksLikePem(item)) ||
      (typeof item === 'object' && item !== null && (item as KeyObject).type === 'secret');
    if (isSecret) {
      if (algorithms === undefined || algorithms.includes('HS256'))
        keys.push(secretVerificationKey(item as string | Uint8Array | KeyObject, 'secretOrKeyProvider'));
    } else {
      keys.push(...publicVerificationKeys(toPublicKey(item as PublicKeyInput, 'secretOrKeyProvider'), algorithms));
    }
  }
  return keys;
}
