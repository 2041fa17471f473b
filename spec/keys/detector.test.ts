// lib/keys/detector.ts: what counts as asymmetric key material, and what is still a shared secret.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { DER_SEQUENCE, isAsymmetricKeyMaterial } from '../../lib/keys/detector';

describe('public-key material is never taken for a shared secret', () => {
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
    ['a secret in mismatched quotes', `"the secret of the service'`],
    ['a secret of hex pairs separated by two characters', ed.toString('hex').replace(/(..)(?!$)/g, '$1::')],
    ['a secret with escapes that are not of a key', 'the \\"secret\\" \\u0041nd \\n more'],
    ['a secret with a broken %-escape', 'the secret %zz of the service'],
  ])('control: %s is still a secret', (_name, secret) => {
    expect(isAsymmetricKeyMaterial(secret)).toBe(false);
  });
});

// A fixed Ed25519 public key (SPKI DER, 44 bytes): its bytes are chosen so that its base64 holds
// "/" and "+", and no byte of it is whitespace when read as single bytes. A random key would make
// the rows below pass or fail by chance on a broken detector.
const FIXED_ED = Buffer.from('302a300506032b6570032100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff909192939495969798999a9b9c9d9e9f', 'hex');
const FIXED_ED_B64 = FIXED_ED.toString('base64'); // 59 characters and a "="
// A fixed P-256 public key (SPKI DER) with no byte that is whitespace when read as single bytes.
const FIXED_P256 = Buffer.from(
  '3059301306072a8648ce3d020106082a8648ce3d030107034200042d8c9b6121b26edd95a212ce8c82608cd37a878b8764de4f0528ee058c1e437e30f0fd9593136293a1334a6d1f834703c1a51998ebda2151645fca193d4c1f7c',
  'hex',
);
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const colonHex = (bytes: Buffer) => bytes.toString('hex').replace(/(..)(?!$)/g, '$1:');

test('the fixed keys are keys node:crypto reads', () => {
  expect(createPublicKey({ key: FIXED_ED, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ed25519');
  expect(FIXED_ED_B64).toMatch(/^[^=]{59}=$/);
  expect(FIXED_ED_B64).toContain('/');
  expect(createPublicKey({ key: FIXED_P256, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
  expect(FIXED_P256.toString('latin1')).not.toMatch(/\s/);
});

describe('every DER form node:crypto reads as a key is key material; other DER is a secret', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  test.each<[string, Buffer]>([
    ['an RSA public key in SPKI', rsa.publicKey.export({ type: 'spki', format: 'der' })],
    ['an RSA public key in PKCS#1', rsa.publicKey.export({ type: 'pkcs1', format: 'der' })],
    ['an RSA private key in PKCS#1', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })],
    ['an Ed25519 private key in PKCS#8', ed.privateKey.export({ type: 'pkcs8', format: 'der' })],
    ['a P-256 private key in SEC1', p256.privateKey.export({ type: 'sec1', format: 'der' })],
    ['a P-256 public key in SPKI', p256.publicKey.export({ type: 'spki', format: 'der' })],
  ])('%s is key material', (_name, der) => {
    expect(isAsymmetricKeyMaterial(der)).toBe(true);
  });

  test.each<[string, Buffer]>([
    ['a DER SEQUENCE holding one INTEGER', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])],
    ['an SPKI cut one byte short', FIXED_ED.subarray(0, FIXED_ED.length - 1)],
    ['bytes that start like DER and go on at random', Buffer.concat([Buffer.from([0x30, 0x2a]), Buffer.alloc(42, 0x41)])],
  ])('control: %s is a secret', (_name, bytes) => {
    expect(isAsymmetricKeyMaterial(bytes)).toBe(false);
  });
});

describe('text is read as single bytes, and as UTF-16 in both byte orders when it holds NULs', () => {
  const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
  test.each<[string, Buffer]>([
    ['a PEM in UTF-16LE', Buffer.from('-----BEGIN PUBLIC KEY-----', 'utf16le')],
    ['a PEM in UTF-16BE', utf16be('-----BEGIN PUBLIC KEY-----')],
    ['base64 of a key in UTF-16BE after its byte-order mark', utf16be(`\ufeff${FIXED_ED_B64}`)],
    // A P-256 SPKI: its OID holds bytes above 0x7f, which any re-encoding of the quoted text would change.
    ['a DER key in double quotes, its bytes kept as they are', Buffer.concat([Buffer.from('"'), FIXED_P256, Buffer.from('"')])],
  ])('%s is key material', (_name, bytes) => {
    expect(isAsymmetricKeyMaterial(bytes)).toBe(true);
  });

  test.each<[string, Buffer]>([
    ['a secret in UTF-16LE', Buffer.from('the secret of the service', 'utf16le')],
    ['a secret in UTF-16BE', utf16be('the secret of the service')],
    ['an odd number of bytes holding a NUL (no UTF-16 reading)', Buffer.from('the secret\u0000 of the service!', 'latin1')],
  ])('control: %s is a secret', (_name, bytes) => {
    expect(Buffer.from(bytes).length % 2 === 1 || bytes.includes(0)).toBe(true);
    expect(isAsymmetricKeyMaterial(bytes)).toBe(false);
  });
});

describe('armour, a key type name or a JWK "kty" member marks key material in any spacing', () => {
  test.each<[string, string]>([
    ['RFC 4716 armour (ssh-keygen -e): a space between dashes and BEGIN', '---- BEGIN SSH2 PUBLIC KEY ----'],
    ['a lower-case PEM line', '-----begin public key-----'],
    ['a JWK written with a space before the colon', '{ "kty" : "OKP", "crv": "Ed25519" }'],
    ['a JWK with a line break before the colon', '{"kty"\n:"EC"}'],
    // No test named an ECDSA key type: a curve's number has several digits, and one is not the name.
    ['an OpenSSH ECDSA key type name (nistp256)', 'ecdsa-sha2-nistp256 AAAA'],
    ['an OpenSSH ECDSA key type name (nistp521)', 'ECDSA-SHA2-NISTP521 key of the host'],
  ])('%s is key material', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(true);
  });

  test.each<[string, string]>([
    ['three dashes before BEGIN', 'the ---BEGIN of the secret'],
    ['one dash before BEGIN', 'deploy-BEGIN-2026-secret-value'],
    ['text between the dashes and BEGIN', '-----x BEGIN of the secret'],
    ['"kty" not followed by a colon', 'the "kty" and "kid" of a secret'],
  ])('control: %s is a secret', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

describe('JSON and shell escapes are undone: each escaped character stands for itself', () => {
  test.each<[string, string]>([
    ['a JWK as a JSON string inside JSON (every quote escaped)', '{\\"kty\\":\\"OKP\\"}'],
    ['an OpenSSH key line after a JSON-escaped newline', 'from the host\\nssh-ed25519 AAAA'],
    ['an OpenSSH key line after a JSON-escaped carriage return', 'from the host\\rssh-ed25519 AAAA'],
    ['an OpenSSH key line after a JSON-escaped tab', 'from the host\\tssh-ed25519 AAAA'],
    ['base64 of a key with every "/" escaped as "\\/"', FIXED_ED_B64.replace(/\//g, '\\/')],
  ])('%s is key material', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(true);
  });

  test.each<[string, string]>([
    ['a key type name run into a word, escaped or not', 'from the hostnssh-ed25519 AAAA'],
    ['escaped quotes around a word', 'the \\"kty\\" of it'],
  ])('control: %s is a secret', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

describe('hex in the forms tools print it: 0x, colons or dashes, indented lines', () => {
  const opensslLines = (bytes: Buffer) => {
    const pairs = bytes.toString('hex').match(/../g)!;
    const lines: string[] = [];
    for (let i = 0; i < pairs.length; i += 15) lines.push(`    ${pairs.slice(i, i + 15).join(':')}`);
    return lines.join(':\n');
  };
  test.each<[string, string]>([
    ['0x and plain hex', `0x${FIXED_ED.toString('hex')}`],
    ['colon hex indented, as one line', `    ${colonHex(FIXED_ED)}`],
    ['colon hex in indented lines of 15 bytes (openssl pkey -text)', opensslLines(FIXED_ED)],
    ['colon hex after a UTF-8 byte-order mark', `\ufeff${colonHex(FIXED_ED)}`],
    ['hex after a variable name', `ED25519_PUBLIC_KEY_HEX=${FIXED_ED.toString('hex')}`],
    ['colon hex in quotes after a variable name', `KEY="${colonHex(FIXED_ED)}"`],
    ['hex before a comment', `${FIXED_ED.toString('hex')} # the provider's key`],
  ])('%s is key material', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(true);
  });

  test.each<[string, string]>([
    ['colon hex of a secret', colonHex(Buffer.from('the secret of the service'))],
    ['0x hex of a secret', `0x${Buffer.from('the secret of the service').toString('hex')}`],
    ['hex of a secret after a variable name', `SECRET=${Buffer.from('the secret of the service').toString('hex')}`],
  ])('control: %s is a secret', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

describe('a byte-order mark or a zero-width no-break space anywhere is whitespace', () => {
  const inside = (text: string, mark: string) => `${text.slice(0, 20)}${mark}${text.slice(20)}`;
  test.each<[string, string | Buffer]>([
    ['base64 of a key with U+FEFF pasted inside, in UTF-8', inside(FIXED_ED_B64, '\ufeff')],
    ['hex of a key with U+FEFF pasted inside, in UTF-8', inside(FIXED_ED.toString('hex'), '\ufeff')],
    ['base64 of a key with U+FEFF inside, in UTF-16LE', Buffer.from(inside(FIXED_ED_B64, '\ufeff'), 'utf16le')],
  ])('%s is key material', (_name, material) => {
    expect(isAsymmetricKeyMaterial(material)).toBe(true);
  });

  test('control: a secret with U+FEFF inside is a secret', () => {
    expect(isAsymmetricKeyMaterial(inside('the secret of the service', '\ufeff'))).toBe(false);
  });
});

describe('a base64 run as short as the shortest key is found inside other text', () => {
  const x25519 = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  test.each<[string, string]>([
    ['an Ed25519 key after a variable name', `ED25519_PUBLIC_KEY=${FIXED_ED_B64}`],
    // A name of 22 characters and more is itself a base64 run: the text is still no base64 as a whole.
    ['an Ed25519 key after a long variable name and a colon', `ED25519_PUBLIC_KEY_OF_THE_PROVIDER:${FIXED_ED_B64}`],
    ['an X25519 key after a long variable name and "!"', `${'A'.repeat(24)}!${x25519}`],
    ['an Ed25519 key in quotes after a variable name', `KEY="${FIXED_ED_B64}"`],
    ['an Ed25519 key before a comment', `${FIXED_ED_B64};# the provider's key`],
    ['an X25519 key after a variable name', `X25519=${x25519}`],
    ['an Ed25519 key after a word and a space', `the key ${FIXED_ED_B64}`],
    ['an Ed25519 key after a name, a colon and a space (YAML)', `provider_key: ${FIXED_ED_B64}`],
    ['an X25519 key between words, on a line of its own', `key of the provider\n${x25519}\nend`],
  ])('%s is key material', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(true);
  });

  test.each<[string, string]>([
    ['a random base64 secret after a variable name', `SECRET=${Buffer.alloc(44, 7).toString('base64')}`],
    ['a random base64url secret in quotes after a variable name', `KEY="${Buffer.alloc(60, 0xfb).toString('base64url')}"`],
    ['a random base64 secret after a word and a space', `the secret ${Buffer.alloc(60, 7).toString('base64')}`],
  ])('control: %s is a secret', (_name, text) => {
    expect(isAsymmetricKeyMaterial(text)).toBe(false);
  });
});

// The documented bound: up to four wrappings deep. Three base64 wrappings, then each wrapping the
// detector undoes as the fourth: the key it holds is found at the bound.
describe('four wrappings deep, whatever the innermost, is still key material', () => {
  const thrice = (inner: string) => b64(b64(b64(inner)));
  test.each<[string, string]>([
    ['colon hex', colonHex(FIXED_ED)],
    ['plain hex', FIXED_ED.toString('hex')],
    ['base64', FIXED_ED_B64],
    ['a base64 run after a variable name', `KEY=${FIXED_ED_B64}`],
    ['a base64 run after a word and a space', `the key ${FIXED_ED_B64}`],
    ['a JWK in JSON escapes', '{\\"kty\\":\\"OKP\\"}'],
    ['a JWK %-encoded', encodeURIComponent('{"kty":"OKP"}')],
  ])('three times base64 of %s', (_name, inner) => {
    expect(isAsymmetricKeyMaterial(thrice(inner))).toBe(true);
  });

  test('control: a secret wrapped four times is a secret', () => {
    expect(isAsymmetricKeyMaterial(b64(b64(b64(b64('the secret of the service')))))).toBe(false);
  });
});

// A provider's answer is checked too, so the value can be hostile: the unwrapping stops at the
// bound, and the worst 64 KiB values found cost milliseconds (a limit of 1 s leaves room for a
// loaded machine). Unbounded, 64 KiB of nested quotes is 32,768 levels deep: the stack overflows.
describe('the unwrapping stops at four wrappings: a hostile 64 KiB value is decided in bounded time', () => {
  const SIZE = 64 * 1024;
  test.each<[string, string | Buffer]>([
    ['64 KiB of nested quotes', '"'.repeat(SIZE)],
    ['quotes, %-escapes and backslashes over and over', '"%22\\\\'.repeat(SIZE / 4)],
    ['JSON \\u escapes of quotes', '\\u0022'.repeat(Math.floor(SIZE / 6))],
    ['base64 runs one character apart', `${'A'.repeat(59)}!`.repeat(Math.floor(SIZE / 60))],
    ['hex runs one pair short, over and over', `${'ab:'.repeat(15)}!`.repeat(Math.floor(SIZE / 46))],
    ['64 KiB of hex pairs and separators', 'a:b-'.repeat(SIZE / 4)],
    ['nested quotes in UTF-16LE', Buffer.from('"'.repeat(SIZE / 2), 'utf16le')],
    ['DER-looking bytes', Buffer.alloc(SIZE, DER_SEQUENCE)],
  ])('%s', (_name, value) => {
    const started = performance.now();
    expect(isAsymmetricKeyMaterial(value)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('control: a key in the same kind of value, at the bound (hex in three quotes), is found', () => {
    expect(isAsymmetricKeyMaterial(`"""${FIXED_ED.toString('hex')}"""`)).toBe(true);
  });
});
