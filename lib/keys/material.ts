// Verification keys: each key is bound to exactly one algorithm, decided by its type when it is
// made, so that no token header can make a public key act as an HMAC secret.
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  KeyObject,
  timingSafeEqual,
  verify,
  X509Certificate,
} from 'node:crypto';
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
const HMAC: Readonly<Record<HmacAlgorithm, { hash: string; bytes: number }>> = {
  HS256: { hash: 'sha256', bytes: 32 },
  HS384: { hash: 'sha384', bytes: 48 },
  HS512: { hash: 'sha512', bytes: 64 },
};
const isHmac = (alg: string): alg is HmacAlgorithm => Object.hasOwn(HMAC, alg);

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

const SIGNATURE_BYTES: Partial<Record<Algorithm, number>> = { HS256: 32, HS384: 48, HS512: 64, ES256: 64, ES384: 96, EdDSA: 64 };
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

// What node:crypto can read as a key in DER, public or private: never an HMAC secret either.
const DER_FORMATS = [
  { kind: 'public', type: 'spki' },
  { kind: 'public', type: 'pkcs1' },
  { kind: 'private', type: 'pkcs8' },
  { kind: 'private', type: 'pkcs1' },
  { kind: 'private', type: 'sec1' },
] as const;
const DER_SEQUENCE = 0x30;
// Text that marks key material wherever it stands: PEM or RFC 4716 armour in any case
// (`-----BEGIN`, `---- BEGIN SSH2`), an SSH key type name (also inside a base64-decoded OpenSSH
// blob), a JWK's "kty" member (a JWK, a JWKS, an array of keys, `jwk=` + JSON…).
const KEY_MARKER =
  /-{4,}\s*BEGIN\b|\b(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\b|"kty"\s*:/i;
const HEX = /^(?:[0-9a-f]{2}){16,}$/i;
const BASE64 = /^[A-Za-z0-9+/_-]{22,}={0,2}$/;
// How many encodings deep a secret is unwrapped (base64 of the base64 of a PEM is two).
const MAX_DECODINGS = 4;
// A run of base64 long enough to hold a key (the shortest, a P-256 SPKI, is 124 characters),
// inside other text: a stray character after it, a variable name before it.
const BASE64_RUN = /[A-Za-z0-9+/_-]{64,}={0,2}/g;
const QUOTED = /^(["'`])([\s\S]*)\1$/;
const HEX_WITH_SEPARATORS = /^(?:0x)?(?:[0-9a-f]{2}[:\s-]?){16,}$/i;

function readsAsDerKey(bytes: Buffer): boolean {
  if (bytes[0] !== DER_SEQUENCE) return false;
  for (const { kind, type } of DER_FORMATS) {
    try {
      if (kind === 'public') createPublicKey({ key: bytes, format: 'der', type });
      else createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      // not this format
    }
  }
  try {
    new X509Certificate(bytes);
    return true;
  } catch {
    return false;
  }
}

// The texts the bytes may be: as single bytes (ASCII markers survive any 8-bit or UTF-8
// reading), and as UTF-16 in both byte orders when the bytes hold NULs.
function textsOf(bytes: Buffer): string[] {
  const texts = [bytes.toString('latin1')];
  if (bytes.includes(0) && bytes.length % 2 === 0) {
    texts.push(bytes.toString('utf16le'), Buffer.from(bytes).swap16().toString('utf16le'));
  }
  return texts;
}

// What the text decodes to: hex or base64 / base64url as a whole (whitespace and a byte-order
// mark aside), and what the ways of keeping a value in config and env files wrap around it:
// quotes, JSON or shell escapes (`\n`, `\u006b`), %-encoding, `0x` or `:`-separated hex, and
// base64 runs inside other text. Found by a hostile review: each of these hid a public key.
function decodingsOf(text: string): Buffer[] {
  const compact = text.replace(/^\ufeff|^\u00ef\u00bb\u00bf|\s+/g, '');
  const out: Buffer[] = [];
  if (HEX.test(compact)) out.push(Buffer.from(compact, 'hex'));
  if (BASE64.test(compact)) out.push(Buffer.from(compact, 'base64'));
  const quoted = QUOTED.exec(compact);
  if (quoted !== null) out.push(Buffer.from(quoted[2]!, 'latin1'));
  if (HEX_WITH_SEPARATORS.test(text.trim()) && !HEX.test(compact)) out.push(Buffer.from(text.trim().replace(/^0x|[:\s-]/gi, ''), 'hex'));
  if (text.includes('\\')) out.push(Buffer.from(unescaped(text), 'utf8'));
  if (text.includes('%')) {
    try {
      out.push(Buffer.from(decodeURIComponent(text), 'utf8'));
    } catch {
      // not %-encoded
    }
  }
  for (const run of compact.match(BASE64_RUN) ?? []) if (run !== compact) out.push(Buffer.from(run, 'base64'));
  return out;
}

// JSON and shell escapes undone: `\n` `\r` `\t` `\/` `\"` and `\uXXXX`.
function unescaped(text: string): string {
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(.))/g, (_all, code: string | undefined, char: string | undefined) => {
    if (code !== undefined) return String.fromCharCode(parseInt(code, 16));
    return char === 'n' ? '\n' : char === 'r' ? '\r' : char === 't' ? '\t' : (char ?? '');
  });
}

function holdsKey(bytes: Buffer, decodings: number): boolean {
  if (readsAsDerKey(bytes)) return true;
  for (const text of textsOf(bytes)) {
    if (KEY_MARKER.test(text)) return true;
    if (decodings < MAX_DECODINGS && decodingsOf(text).some((decoded) => holdsKey(decoded, decodings + 1))) return true;
  }
  return false;
}

/**
 * True if these bytes are, hold, or encode an asymmetric key or certificate: PEM anywhere in the
 * text (openssl's `Bag Attributes` preamble included, any case), DER (SPKI, PKCS#1, PKCS#8,
 * SEC1, X.509), JWK or JWKS JSON in any wrapping, OpenSSH and RFC 4716 keys, UTF-16 text of
 * any of these, and hex or base64 / base64url of any of these, quoted, JSON- or %-escaped, as
 * `0x` or `:`-separated hex, or as a base64 run inside other text (up to four wrappings deep).
 * Such bytes are public, so they are never usable as an HMAC secret: anyone holding the public
 * key could sign with it. A raw key without any structure (32 bytes of an Ed25519 public key)
 * cannot be told from a random secret.
 */
export function isAsymmetricKeyMaterial(value: string | Uint8Array): boolean {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return holdsKey(bytes, 0);
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

/** True if `signature` over `input` verifies with `key` under its algorithm. Never throws for bad input. */
export function verifySignature(key: VerificationKey, input: string, signature: Buffer): boolean {
  const expected = SIGNATURE_BYTES[key.alg];
  if (expected !== undefined && signature.length !== expected) return false;
  try {
    // The length was checked above, so timingSafeEqual compares equal lengths and never throws.
    if (isHmac(key.alg)) return timingSafeEqual(createHmac(HMAC[key.alg].hash, key.key).update(input).digest(), signature);
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
