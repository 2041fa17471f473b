// lib/login-state/codec.ts: the one format of the cookie login state's values. A value the
// browser sends back is request input: anything but exactly what this version writes decodes to
// null (the login is refused and starts again), never to a half-read cookie or a throw.
import { createHash } from 'node:crypto';
import {
  COOKIE_FORMAT,
  decodeParked,
  decodeState,
  encodeParked,
  encodeState,
  mountTag,
  sha256url,
  urlKey,
} from '../../lib/login-state/codec';

// Every character class a base64url field may hold: upper, lower, digit, `_` and `-`.
const SECRET = 'AZaz09_-'.repeat(4);
const KEY = 'AZaz09_-'.repeat(2) + 'Bb1_-c';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.aZ0_-';

describe('a state cookie decodes to what was encoded', () => {
  test.each<[string, string | null]>([
    ['no kept path', null],
    ['a kept path', '/app/page?q=1'],
    ['a non-ASCII kept path', '/sivu/äö'],
    ['the empty kept path is kept as none', ''],
  ])('control: %s', (_what, kept) => {
    const value = encodeState({ expiry: 1_700_000_000_000, secret: SECRET, kept });
    expect(value.startsWith(`${COOKIE_FORMAT}~`)).toBe(true);
    expect(decodeState(value)).toEqual({ expiry: 1_700_000_000_000, secret: SECRET, kept: kept === '' ? null : kept });
  });

  test.each<[string, string]>([
    ['the shortest expiry (one digit)', `1~7~${SECRET}~`],
    ['the longest expiry (16 digits)', `1~${'9'.repeat(16)}~${SECRET}~`],
    ['the longest kept field (700 characters)', `1~7~${SECRET}~${'AZaz09_-'.repeat(87)}Aa0_`],
    ['a kept field of every base64url class', `1~7~${SECRET}~AZaz09_-`],
  ])('control: %s is read', (_what, value) => {
    expect(decodeState(value)).not.toBeNull();
  });
});

describe('a state cookie of any other shape is no state (null)', () => {
  test.each<[string, string]>([
    ['empty', ''],
    ['the version only', '1'],
    ['another version', `2~7~${SECRET}~`],
    ['no version', `~7~${SECRET}~`],
    ['a field missing', `1~7~${SECRET}`],
    ['a field too many', `1~7~${SECRET}~~x`],
    ['an empty expiry', `1~~${SECRET}~`],
    ['an expiry of 17 digits', `1~${'1'.repeat(17)}~${SECRET}~`],
    ['a negative expiry', `1~-7~${SECRET}~`],
    ['an expiry in exponent form', `1~1e3~${SECRET}~`],
    ['junk before the expiry', `1~x7~${SECRET}~`],
    ['junk after the expiry', `1~7x~${SECRET}~`],
    ['a secret of 31 characters', `1~7~${SECRET.slice(1)}~`],
    ['a secret of 33 characters', `1~7~${SECRET}A~`],
    ['a secret with junk before it', `1~7~!${SECRET}~`],
    ['a secret with junk after it', `1~7~${SECRET}!~`],
    ['a secret in base64, not base64url', `1~7~${'+/'.repeat(16)}~`],
    ['a kept field of 701 characters', `1~7~${SECRET}~${'A'.repeat(701)}`],
    ['a kept field with junk before it', `1~7~${SECRET}~!AAAA`],
    ['a kept field with junk after it', `1~7~${SECRET}~AAAA!`],
    ['a kept field in base64 padding', `1~7~${SECRET}~AA==`],
  ])('%s', (_what, value) => {
    expect(decodeState(value)).toBeNull();
  });
});

describe('a parked-token cookie decodes to what was encoded', () => {
  test.each<[string, string | null]>([
    ['with the state that came back', SECRET],
    ['with no state (state off)', null],
  ])('control: %s', (_what, state) => {
    const parked = { expiry: 1_700_000_000_000, state, url: KEY, token: TOKEN };
    expect(decodeParked(encodeParked(parked))).toEqual(parked);
  });

  test.each<[string, string]>([
    ['the longest state (128 characters)', `1~7~${'AZaz09_-'.repeat(16)}~${KEY}~${TOKEN}`],
    ['the longest expiry (16 digits)', `1~${'9'.repeat(16)}~~${KEY}~${TOKEN}`],
    ['a token of one character', `1~7~~${KEY}~.`],
  ])('control: %s is read', (_what, value) => {
    expect(decodeParked(value)).not.toBeNull();
  });
});

describe('a parked-token cookie of any other shape is no token (null)', () => {
  test.each<[string, string]>([
    ['empty', ''],
    ['another version', `0~7~~${KEY}~${TOKEN}`],
    ['a field missing', `1~7~~${KEY}`],
    ['a field too many', `1~7~~${KEY}~${TOKEN}~x`],
    ['a state cookie’s value', encodeState({ expiry: 7, secret: SECRET, kept: null })],
    ['an empty expiry', `1~~~${KEY}~${TOKEN}`],
    ['an expiry of 17 digits', `1~${'1'.repeat(17)}~~${KEY}~${TOKEN}`],
    ['junk before the expiry', `1~x7~~${KEY}~${TOKEN}`],
    ['junk after the expiry', `1~7x~~${KEY}~${TOKEN}`],
    ['a state of 129 characters', `1~7~${'A'.repeat(129)}~${KEY}~${TOKEN}`],
    ['a state with junk before it', `1~7~!AAAA~${KEY}~${TOKEN}`],
    ['a state with junk after it', `1~7~AAAA!~${KEY}~${TOKEN}`],
    ['a URL key of 21 characters', `1~7~~${KEY.slice(1)}~${TOKEN}`],
    ['a URL key of 23 characters', `1~7~~${KEY}A~${TOKEN}`],
    ['a URL key with junk before it', `1~7~~!${KEY}~${TOKEN}`],
    ['a URL key with junk after it', `1~7~~${KEY}!~${TOKEN}`],
    ['an empty token', `1~7~~${KEY}~`],
    ['a token with junk before it', `1~7~~${KEY}~ ${TOKEN}`],
    ['a token with junk after it', `1~7~~${KEY}~${TOKEN};`],
    ['a token with a space in it', `1~7~~${KEY}~a b`],
  ])('%s', (_what, value) => {
    expect(decodeParked(value)).toBeNull();
  });
});

describe('the names it derives: a tag per mountPoint, a key per clean URL', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('base64url');

  test.each(['', '/a', '/a/', '/b', '/ä'])('mountTag(%j) is 8 characters of its SHA-256 and a dot', (mountPoint) => {
    expect(mountTag(mountPoint)).toBe(`${sha(mountPoint).slice(0, 8)}.`);
  });

  test('the root app and an app below it have different tags', () => {
    expect(new Set(['', '/', '/a', '/a/', '/b'].map(mountTag)).size).toBe(5);
  });

  test.each(['/', '/protected', '/protected?x=1', '/ä?ö'])('urlKey(%j) is 22 characters (128 bits) of its SHA-256', (url) => {
    expect(urlKey(url)).toBe(sha(url).slice(0, 22));
    expect(urlKey(url)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('sha256url is the SHA-256 of its UTF-8 text, base64url, on every supported Node', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['ASCII', 'abc'],
    ['non-ASCII', 'é-ü'],
    ['1,000 characters', 'x'.repeat(1000)],
  ];

  test.each(cases)('%s, with crypto.hash (Node 20.12+)', (_what, text) => {
    expect(sha256url(text)).toBe(createHash('sha256').update(text).digest('base64url'));
  });

  test.each(cases)('%s, without crypto.hash (earlier Node 20)', (_what, text) => {
    let fallback: (text: string) => string = () => '';
    let hashSeen: unknown = 'not read';
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => {
        const { hash: _hash, ...rest } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
        return rest;
      });
      // A fresh copy of the module that loads against the mocked crypto (no import can do that).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      hashSeen = (require('node:crypto') as { hash?: unknown }).hash;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fallback = (require('../../lib/login-state/codec') as typeof import('../../lib/login-state/codec')).sha256url;
    });
    jest.dontMock('node:crypto');
    expect(hashSeen).toBeUndefined();
    expect(fallback(text)).toBe(createHash('sha256').update(text).digest('base64url'));
  });
});
