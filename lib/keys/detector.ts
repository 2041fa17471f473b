// What is never an HMAC secret: bytes that are, hold or encode an asymmetric key or certificate,
// in any of the wrappings config and env files put around them. Anyone holding a public key could
// sign with it, so such bytes are refused as a secret (material.ts) wherever a secret is taken.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';

// What node:crypto can read as a key in DER, public or private: never an HMAC secret either.
const DER_READERS: readonly ((key: Buffer) => unknown)[] = [
  (key) => createPublicKey({ key, format: 'der', type: 'spki' }),
  (key) => createPublicKey({ key, format: 'der', type: 'pkcs1' }),
  (key) => createPrivateKey({ key, format: 'der', type: 'pkcs8' }),
  // Stryker disable next-line StringLiteral,ObjectLiteral: the PKCS#1 reader above reads an RSA private key in PKCS#1 as well (createPublicKey derives its public key); this one stays for a Node that would not
  (key) => createPrivateKey({ key, format: 'der', type: 'pkcs1' }),
  (key) => createPrivateKey({ key, format: 'der', type: 'sec1' }),
];
/** The first byte of a DER key or certificate (an ASN.1 SEQUENCE). */
export const DER_SEQUENCE = 0x30;
// Text that marks key material wherever it stands: PEM or RFC 4716 armour in any case
// (`-----BEGIN`, `---- BEGIN SSH2`), an SSH key type name (also inside a base64-decoded OpenSSH
// blob), a JWK's "kty" member (a JWK, a JWKS, an array of keys, `jwk=` + JSON…).
const KEY_MARKER =
  /-{4,}\s*BEGIN\b|\b(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\b|"kty"\s*:/i;
const BASE64 = /^[A-Za-z0-9+/_-]{22,}={0,2}$/;
// How many encodings deep a secret is unwrapped (base64 of the base64 of a PEM is two).
const MAX_DECODINGS = 4;
// A run of base64 long enough to hold a key (the shortest, an Ed25519 or X25519 SPKI, is 44 bytes:
// 59 characters and a "="), inside other text: a stray character after it, a variable name before it.
const BASE64_RUN = /[A-Za-z0-9+/_-]{59,}={0,2}/g;
const QUOTED = /^(["'`])([\s\S]*)\1$/;
// A run of hex pairs, wherever it stands: plain, after `0x`, or separated by `:` or `-`
// (whitespace is gone from the text it is tried on, so space-separated hex and openssl's
// indented lines of `30:2a:…:` join up), the whole text or inside it (`KEY=302a…`, `302a… # the key`).
const HEX_RUN = /(?:0x)?((?:[0-9a-f]{2}[:-]?){16,})/gi;

function readsAsDerKey(bytes: Buffer): boolean {
  if (bytes[0] !== DER_SEQUENCE) return false;
  for (const read of DER_READERS) {
    try {
      read(bytes);
      return true;
    } catch {
      // not this format
    }
  }
  try {
    new X509Certificate(bytes);
  } catch {
    return false;
  }
  return true;
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

// What the text decodes to: runs of hex (plain, `0x`, `:` or `-` separated), base64 / base64url as
// a whole (whitespace and byte-order marks aside, a UTF-8 one read as single bytes included), and
// what the ways of keeping a value in config and env files wrap around it: quotes, JSON or shell
// escapes (`\n`, `\u006b`), %-encoding, and base64 runs inside other text. Found by a hostile
// review: each of these hid a public key.
function decodingsOf(text: string): Buffer[] {
  // \s takes U+FEFF (a byte-order mark, or a zero-width no-break space pasted in) wherever it
  // stands; \u00ef\u00bb\u00bf is the same character in UTF-8 read as single bytes.
  const compact = text.replace(/\u00ef\u00bb\u00bf|\s/g, '');
  // Stryker disable next-line ArrayDeclaration: a string in the list holds no key, so the mutant only adds a decoding that finds nothing
  const out: Buffer[] = [];
  for (const [, pairs] of compact.matchAll(HEX_RUN)) out.push(Buffer.from(pairs!.replace(/[:-]/g, ''), 'hex'));
  if (BASE64.test(compact)) {
    out.push(Buffer.from(compact, 'base64'));
  } else {
    // Stryker disable next-line ArrayDeclaration: with no run found, the mutant's one string is no run of a key either
    for (const run of compact.match(BASE64_RUN) ?? []) out.push(Buffer.from(run, 'base64'));
  }
  // A run after a word and a space (`the key MIIB…`, `KEY: MCow…`): the compact text joined the
  // word to it, so the run is looked for between the spaces too.
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: a shortcut (text without whitespace is its compact text, whose runs are taken above); with no run found, the mutant's one string is no run of a key either
  if (compact.length !== text.length) for (const run of text.match(BASE64_RUN) ?? []) out.push(Buffer.from(run, 'base64'));
  const quoted = QUOTED.exec(compact);
  if (quoted !== null) out.push(Buffer.from(quoted[2]!, 'latin1'));
  // Stryker disable next-line StringLiteral: includes('') is true, and a text without a backslash unescapes to itself: the same text again, one decoding deeper
  if (text.includes('\\')) out.push(Buffer.from(unescaped(text)));
  // Stryker disable next-line StringLiteral: includes('') is true, and a text without a "%" decodes to itself: the same text again, one decoding deeper
  if (text.includes('%')) {
    try {
      out.push(Buffer.from(decodeURIComponent(text)));
    } catch {
      // not %-encoded
    }
  }
  return out;
}

// JSON and shell escapes undone: `\n` `\r` `\t` `\/` `\"` and `\uXXXX`.
function unescaped(text: string): string {
  // One of the two groups matched: `char` is set whenever `code` is not.
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(.))/g, (_all, code: string | undefined, char: string) => {
    if (code !== undefined) return String.fromCharCode(parseInt(code, 16));
    return char === 'n' ? '\n' : char === 'r' ? '\r' : char === 't' ? '\t' : char;
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
  const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return holdsKey(bytes, 0);
}
