// lib/dev-provider/mint.ts: the dev provider mints with node:crypto, and what it mints is an ordinary
// JWS that an independent verifier (jsonwebtoken, a devDependency only) accepts, with the exact header
// each shape's provider sends, and the claims signed as they are.
import jwt from 'jsonwebtoken';
import { DEFAULT_DEV_USERS } from '../lib/dev-provider';
import { mint } from '../lib/dev-provider/mint';
import { resolve } from '../lib/dev-provider/options';
import type { DevProviderOptions } from '../lib/dev-provider';

const SECRET = 'a-dev-secret-of-sixty-four-bytes-so-that-hs512-takes-it-as-a-key!';
const CALLBACK = 'http://localhost:3000/cb';
const NOW_MS = 1_700_000_000_000;
const user = DEFAULT_DEV_USERS[0]!;

const parts = (token: string): [string, string, string] => token.split('.') as [string, string, string];
const headerText = (token: string): string => Buffer.from(parts(token)[0], 'base64url').toString('utf8');
const payloadOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString('utf8')) as Record<string, unknown>;

function minted(options: DevProviderOptions): { token: string; key: string | import('node:crypto').KeyObject } {
  const o = resolve({ clock: () => NOW_MS, ...options });
  return { token: mint(o, user), key: o.signing.publicKey ?? SECRET };
}

describe('the header each shape sends, byte for byte, and a signature jsonwebtoken verifies', () => {
  test.each<[string, DevProviderOptions, string, jwt.Algorithm]>([
    ['puavo', { sharedSecret: SECRET }, '{"alg":"HS256"}', 'HS256'],
    ['wso2', { shape: 'wso2', sharedSecret: SECRET, callbackUrl: CALLBACK }, '{"alg":"HS256"}', 'HS256'],
    ['wso2 set to HS384', { shape: 'wso2', sharedSecret: SECRET, callbackUrl: CALLBACK, algorithm: 'HS384' }, '{"alg":"HS384"}', 'HS384'],
    ['wso2 set to HS512', { shape: 'wso2', sharedSecret: SECRET, callbackUrl: CALLBACK, algorithm: 'HS512' }, '{"alg":"HS512"}', 'HS512'],
    ['zendesk', { shape: 'zendesk', sharedSecret: SECRET, callbackUrl: CALLBACK }, '{"alg":"HS256","typ":"JWT"}', 'HS256'],
    ['thinkific', { shape: 'thinkific', sharedSecret: SECRET, callbackUrl: CALLBACK }, '{"alg":"HS256","typ":"JWT"}', 'HS256'],
  ])('%s', (_name, options, header, alg) => {
    const { token, key } = minted(options);
    expect(headerText(token)).toBe(header);
    expect(jwt.verify(token, key, { algorithms: [alg], ignoreExpiration: true })).toMatchObject({ iat: NOW_MS / 1000 });
  });

  test('freshworks: RS256 with typ and the kid of its key pair, verified with its public key', () => {
    const o = resolve({ shape: 'freshworks', clock: () => NOW_MS });
    const token = mint(o, user);
    expect(headerText(token)).toBe(`{"alg":"RS256","typ":"JWT","kid":"${o.signing.kid!}"}`);
    expect(jwt.verify(token, o.signing.publicKey!, { algorithms: ['RS256'] })).toMatchObject({ sub: user.username });
  });

  test.each<[string, (token: string) => string]>([
    ['another secret', () => jwt.sign({ iat: 1 }, 'another secret', { algorithm: 'HS256' })],
    ['a changed payload', (token) => `${parts(token)[0]}.${Buffer.from('{"iat":1}').toString('base64url')}.${parts(token)[2]}`],
    ['a changed signature', (token) => `${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`],
  ])('and the same verifier refuses %s (so the check above can fail)', (_name, tamper) => {
    const { token } = minted({ sharedSecret: SECRET });
    expect(() => jwt.verify(tamper(token), SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).toThrow();
  });
});

describe('the claims are signed as they are', () => {
  test("a string iat, Puavo's before November 2020", () => {
    const { token } = minted({ sharedSecret: SECRET, legacyStringIat: true });
    expect(payloadOf(token).iat).toBe(String(NOW_MS / 1000));
    // jsonwebtoken would not sign it (its iat must be a number), but verifies the signature.
    expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).toMatchObject({ iat: String(NOW_MS / 1000) });
  });

  test('a token the claims hook took the iat off has none (no signer adds one back)', () => {
    const { token } = minted({ sharedSecret: SECRET, claims: ({ iat: _iat, ...rest }) => rest });
    expect(payloadOf(token)).not.toHaveProperty('iat');
    expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).not.toHaveProperty('iat');
  });

  test('text beyond ASCII as UTF-8, a numeric jti as a number', () => {
    const { token } = minted({
      shape: 'zendesk',
      sharedSecret: SECRET,
      callbackUrl: CALLBACK,
      jti: () => 8883362531196.326,
      claims: (c) => ({ ...c, name: 'Åsa Öberg 😀' }),
    });
    expect(payloadOf(token)).toMatchObject({ name: 'Åsa Öberg 😀', jti: 8883362531196.326 });
    expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).toMatchObject({ name: 'Åsa Öberg 😀' });
  });
});
