// lib/keys/detector.ts: what counts as asymmetric key material, and what is still a shared secret.
import { generateKeyPairSync } from 'node:crypto';
import { isAsymmetricKeyMaterial } from '../../lib/keys/detector';

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
    ['mismatched quotes', `"${edB64}'`],
    ['a secret of hex pairs separated by two characters', ed.toString('hex').replace(/(..)(?!$)/g, '$1::')],
    ['a secret with escapes that are not of a key', 'the \\"secret\\" \\u0041nd \\n more'],
    ['a secret with a broken %-escape', 'the secret %zz of the service'],
  ])('control: %s is still a secret', (_name, secret) => {
    expect(isAsymmetricKeyMaterial(secret)).toBe(false);
  });
});
