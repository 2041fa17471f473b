// lib/keys/public-key.ts: the `publicKey` option, one key or a list of them, each bound to the
// algorithm(s) of its type once, at construction.
import { generateKeyPairSync } from 'node:crypto';
import { JwtSsoErrorCode as Code, type JwtSsoStrategyBaseOptions } from '../../lib';
import { resolveOptions } from '../../lib/options';
import { publicKeySource } from '../../lib/keys/public-key';
import type { Algorithm } from '../../lib/keys';
import { errorOf } from '../helpers/errors';
import { staticKeys } from '../helpers/tokens';

const AUTH = 'https://sso.example/login';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
const ed = generateKeyPairSync('ed25519').publicKey;

const keysOf = (options: Partial<JwtSsoStrategyBaseOptions>) =>
  staticKeys(resolveOptions({ authEndpoint: AUTH, ...options } as JwtSsoStrategyBaseOptions).keySource).map(({ alg, key }) => ({
    alg,
    key,
  }));

describe('publicKey takes one key or a list of them, each with the algorithms of its type', () => {
  test.each<[string, Partial<JwtSsoStrategyBaseOptions>, { alg: Algorithm; key: unknown }[]]>([
    ['one RSA key', { publicKey: rsa }, [{ alg: 'RS256', key: rsa }]],
    ['a list of one key', { publicKey: [p256] }, [{ alg: 'ES256', key: p256 }]],
    [
      'a list of three keys of three types, in their order',
      { publicKey: [ed, rsa, p384] },
      [
        { alg: 'EdDSA', key: ed },
        { alg: 'RS256', key: rsa },
        { alg: 'ES384', key: p384 },
      ],
    ],
    [
      'an RSA key with algorithms [PS256, RS256]: both, bound to the one key',
      { publicKey: [rsa], algorithms: ['PS256', 'RS256'] },
      [
        { alg: 'RS256', key: rsa },
        { alg: 'PS256', key: rsa },
      ],
    ],
  ])('%s', (_name, options, expected) => {
    expect(keysOf(options)).toEqual(expected);
  });
});

describe('a publicKey the algorithms leave no use for is refused, naming the algorithms that were allowed', () => {
  test.each<[string, Partial<JwtSsoStrategyBaseOptions>, string]>([
    ['a P-384 key with algorithms [ES256]', { publicKey: p384, algorithms: ['ES256'] }, '(ES256)'],
    ['an RSA key with algorithms [ES256, EdDSA]', { publicKey: rsa, algorithms: ['ES256', 'EdDSA'] }, '(ES256, EdDSA)'],
    ['a second key of a list that fits none', { publicKey: [p256, p384], algorithms: ['ES256'] }, '(ES256)'],
  ])('%s', (_name, options, allowed) => {
    const err = errorOf(() => resolveOptions({ authEndpoint: AUTH, ...options } as JwtSsoStrategyBaseOptions));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe(Code.INVALID_OPTION);
    expect((err as unknown as { option: string }).option).toBe('publicKey');
    expect(err.message).toContain(`option "publicKey" has a key that fits none of the allowed algorithms ${allowed}:`);
    expect(err.message).toContain('RSA → RS256/PS256');
  });

  test('a P-521 key (no algorithm of this package) without "algorithms" is refused at construction, with no list to name', () => {
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey;
    const err = errorOf(() => resolveOptions({ authEndpoint: AUTH, publicKey: p521 }));
    expect(err.code).toBe(Code.INVALID_OPTION);
    expect(err.message).toContain('option "publicKey" has a key that fits none of the allowed algorithms: RSA → RS256/PS256');
  });

  test('control: without "algorithms" a key of any of the four types fits', () => {
    for (const key of [rsa, p256, p384, ed]) expect(keysOf({ publicKey: key })).toHaveLength(1);
  });
});

test.each<[string, unknown, RegExp]>([
  ['an empty list', [], /option "publicKey" must be a public key or a non-empty array of them/],
  ['undefined (through the factory itself)', undefined, /option "publicKey" must be a public key \(PEM, KeyObject or JWK\)/],
])('publicKey: %s is refused, naming the option and what it wants', (_name, publicKey, message) => {
  const err = errorOf(() => publicKeySource({ publicKey }, { algorithms: undefined, clock: Date.now }));
  expect(err).toBeInstanceOf(TypeError);
  expect(err.message).toMatch(message);
});
