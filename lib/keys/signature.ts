// Checking a token's signature with a verification key, under the one algorithm the key is bound to.
import { constants, createHmac, timingSafeEqual, verify } from 'node:crypto';
import { HMAC, isHmac, type Algorithm, type VerificationKey } from './material';

/** The length in bytes of each fixed-length signature: anything else is refused before any check. */
// Stryker disable next-line ObjectLiteral: without the lengths a signature of another length is still false: timingSafeEqual throws on unequal lengths (caught below), and node:crypto refuses an ieee-p1363 or Ed25519 signature of another length; the check saves the work
const SIGNATURE_BYTES: Partial<Record<Algorithm, number>> = { HS256: 32, HS384: 48, HS512: 64, ES256: 64, ES384: 96, EdDSA: 64 };
const PS256_SALT_BYTES = 32;

/** True if `signature` over `input` verifies with `key` under its algorithm. Never throws for bad input. */
export function verifySignature(key: VerificationKey, input: string, signature: Buffer): boolean {
  const expected = SIGNATURE_BYTES[key.alg];
  if (expected !== undefined && signature.length !== expected) return false;
  try {
    // The length was checked above, so timingSafeEqual compares equal lengths and never throws.
    if (isHmac(key.alg)) return timingSafeEqual(createHmac(HMAC[key.alg].hash, key.key).update(input).digest(), signature);
    // Stryker disable next-line StringLiteral: input is a token's header.payload, which parseToken admits only as base64url (ASCII): latin1 and UTF-8 give the same bytes
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
