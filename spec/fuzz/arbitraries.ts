// Generators of hostile request parts (fast-check arbitraries). Header values stay within what
// Node's HTTP client sends at all (tab, printable ASCII, Latin-1 bytes): anything else never
// leaves the client, so it could not test the server.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { mountTag } from '../../lib/login-state/codec';
import { b64 } from '../helpers/tokens';
import { OTHER_SECRET, SECRET } from './surfaces';

const KIB = 1024;
/** Longest generated header: Node's server refuses a request whose headers pass 16 KiB (431). */
const MAX_HEADER_CHARS = 15 * KIB;

/** A character Node's HTTP client puts in a header value: tab, printable ASCII, Latin-1. */
const headerChar = fc
  .oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  )
  .map((c) => String.fromCharCode(c));
export const headerText = (maxLength = 64): fc.Arbitrary<string> => fc.string({ unit: headerChar, maxLength });

/** A long run of one separator or blank, up to nearly all a header may hold. */
export const run = (chars: readonly string[], max = MAX_HEADER_CHARS - 64): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...chars), fc.integer({ min: 1, max })).map(([c, n]) => c.repeat(n));

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const base64url = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...B64URL), minLength: min, maxLength: max });

/** Names of the login-state cookies and near misses of them. */
const cookieName = fc.oneof(
  // The names the cookie login state writes: a mountPoint's tag (the root app's, or any), a '.', a state or an id.
  fc.tuple(fc.constantFrom(mountTag(''), mountTag('/app')), base64url(32, 32)).map(([t, s]) => `jwtsso-s-${t}${s}`),
  fc.tuple(fc.constantFrom(mountTag(''), mountTag('/app')), base64url(32, 32)).map(([t, s]) => `jwtsso-t-${t}${s}`),
  fc.tuple(base64url(8, 8), base64url(32, 32)).map(([t, s]) => `__Host-jwtsso-s-${t}.${s}`),
  fc.constantFrom(`jwtsso-t-${mountTag('')}posted`, `__Host-jwtsso-t-${mountTag('')}posted`),
  base64url(32, 32).map((s) => `jwtsso-s-${s}`),
  base64url(22, 22).map((s) => `jwtsso-t-${s}`),
  base64url(32, 32).map((s) => `__Host-jwtsso-s-${s}`),
  base64url(22, 22).map((s) => `__Host-jwtsso-t-${s}`),
  fc.constantFrom('jwtsso-t-posted', '__Host-jwtsso-t-posted', 'jwtsso-s-', 'jwtsso-', '__Host-', 'connect.sid', 'koa.sess', 'session'),
  fc.tuple(run([' ', '\t']), fc.constantFrom('jwtsso-s-', '__Host-jwtsso-s-'), run([' ', '\t'])).map(([a, n, b]) => `${a}${n}${b}`),
  fc.tuple(fc.constantFrom('jwtsso-s-', 'a'), run([' ', '\t']), fc.constantFrom('x', 'jwtsso-s-')).map(([a, n, b]) => `${a}${n}${b}`),
  headerText(40),
);
const cookieValue = fc.oneof(
  // Values of the codec's shape: a version, an expiry, a secret or state, a URL key, a token.
  fc
    .tuple(
      fc.constantFrom('1', '2', '0', ''),
      fc.bigInt({ min: 0n, max: 10n ** 16n }),
      base64url(0, 40),
      base64url(0, 30),
      base64url(0, 60),
    )
    .map(([v, e, a, b, c]) => [v, String(e), a, b, c].join('~')),
  fc.tuple(fc.integer({ min: 0, max: 2 ** 53 }).map(String), base64url(0, 40)).map(([n, p]) => (p === '' ? n : `${n}.${p}`)),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), base64url(0, 128), base64url(1, 200)).map(([e, s, t]) => `${e}~${s}~${t}`),
  headerText(80),
  run([' ', '\t', '=', ';', '~'], 4 * KIB),
);
const cookie = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(cookieName, cookieValue).map(([n, v]) => `${n}=${v}`) },
  { weight: 1, arbitrary: cookieName },
  { weight: 1, arbitrary: run([' ', '\t', ';', '=']) },
);
/** A Cookie header of many and odd cookies: the login state's names among them, runs of blanks and separators. */
export const cookieHeader: fc.Arbitrary<string> = fc
  .tuple(fc.array(cookie, { minLength: 1, maxLength: 40 }), fc.constantFrom('; ', ';', ';;', ' ; ', '\t;'))
  .map(([cookies, sep]) => cookies.join(sep).slice(0, MAX_HEADER_CHARS));

const hostName = fc.oneof(
  fc.constantFrom('evil.example', 'localhost', '127.0.0.1', '[::1]', '[::1', 'a..b', '.', '', 'EXAMPLE.TEST.', 'xn--80ak6aa92e.com'),
  fc.tuple(fc.domain(), fc.option(fc.integer({ min: 0, max: 99999 }))).map(([d, p]) => (p === null ? d : `${d}:${p}`)),
  headerText(300),
  run(['a', '.', ':', '[', ' ']),
);
/** Host and the X-Forwarded-* headers a proxy (or an attacker) sets. */
export const forwardedHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    Host: hostName,
    'X-Forwarded-Host': fc.oneof(
      hostName,
      fc.array(hostName, { maxLength: 5 }).map((h) => h.join(', ')),
    ),
    'X-Forwarded-Proto': fc.oneof(fc.constantFrom('https', 'http', 'https, http', 'HTTPS', 'javascript', 'ftp', ''), headerText(20)),
    'X-Forwarded-For': fc.oneof(fc.ipV4(), fc.ipV6(), headerText(100)),
    'X-Forwarded-Prefix': fc.oneof(fc.constantFrom('/app', '//evil.example', '/..', '\\\\evil'), headerText(50)),
    'X-Forwarded-Port': fc.oneof(fc.integer({ min: -1, max: 70000 }).map(String), headerText(10)),
    Forwarded: headerText(100),
  },
  { requiredKeys: [] },
);

/** Pieces a hostile URL is made of: %-escapes, dot segments, backslashes, Unicode, NUL. */
const urlPiece = fc.oneof(
  fc.constantFrom(
    '%',
    '%2',
    '%zz',
    '%00',
    '%C0%AF',
    '%252e',
    '%2e%2e',
    '%2F',
    '%5C',
    '..',
    '.',
    '\\',
    '/',
    '//',
    '?',
    '&',
    '=',
    '#',
    '+',
    '%ff',
    '%e2%80%ae',
  ),
  fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  base64url(1, 12),
);
export const urlJunk: fc.Arbitrary<string> = fc.array(urlPiece, { maxLength: 24 }).map((p) => p.join(''));

/** A path to the app: its routes, and the same with dot segments, backslashes and escapes. */
export const hostilePath = (callback: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '/protected',
      callback,
      `${callback}/`,
      `/protected/..${callback}`,
      callback.replace(/\//g, '\\'),
      `//evil.example${callback}`,
    ),
    fc.constantFrom(`/%2e%2e${callback}`, `${callback}%2F..`, `/./protected`, `/protected/%2e%2e/`, `/PROTECTED`, `${callback};x=1`),
    urlJunk.map((j) => `/protected/${j}`.replace(/[?#]/g, '')),
  );

/** A large value for the 8 to 64 KiB query and body cases. */
export const padding: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 8 * KIB, max: 64 * KIB }), fc.constantFrom('a', '%', '%2e', '&', '=', ' ', 'jwt=x&', '\\'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** Random token-shaped and not-quite-token-shaped text: none is a token this app would accept. */
export const randomToken: fc.Arbitrary<string> = fc.oneof(
  fc.array(base64url(0, 60), { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
  base64url(0, 9000),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '.', '..', '...', 'null', 'undefined', '[object Object]', 'a.b.c', 'e30.e30.', 'e30.e30'),
);

const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, -0, 0.5, 1e-300),
  fc.double(),
  fc.integer(),
);
/** Claims no provider sends: huge numbers, wrong types, odd keys. */
export const hostileClaims: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    iat: fc.oneof(hugeNumber, fc.string(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
    exp: fc.oneof(hugeNumber, fc.string()),
    nbf: fc.oneof(hugeNumber, fc.string()),
    jti: fc.oneof(fc.string({ maxLength: 300 }), hugeNumber, fc.constant(null), fc.object({ maxDepth: 1 })),
    aud: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 }), hugeNumber),
    nonce: fc.oneof(fc.string(), hugeNumber),
    username: fc.oneof(fc.string({ maxLength: 200 }), fc.object({ maxDepth: 2 })),
    constructor: fc.string(),
    extra: fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown),
  },
  { requiredKeys: [] },
);

/** Payload texts JSON.stringify would never write: a __proto__ key, duplicate keys, not an object. */
export const oddPayloadText: fc.Arbitrary<string> = fc.constantFrom(
  '{"__proto__":{"admin":true},"iat":IAT,"jti":"a"}',
  '{"iat":IAT,"iat":"later","jti":"a","jti":"b"}',
  '[1,2,3]',
  '"a string"',
  'null',
  '{"iat":1e999,"jti":"x"}',
  '{"iat":IAT,"jti":"' + 'a'.repeat(5000) + '"}',
  '{',
);

/** Header fields no provider of an HMAC or RS256 key should be trusted for. */
export const hostileHeader: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    alg: fc.constantFrom('none', 'None', 'NONE', 'HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'PS256', '', 'hs256'),
    typ: fc.oneof(fc.constantFrom('JWT', 'JWE', 'at+jwt'), fc.string()),
    kid: fc.oneof(fc.constantFrom('../../../../dev/null', "' OR 1=1 --", ''), fc.string({ maxLength: 100 })),
    jku: fc.constantFrom('https://evil.example/jwks.json', 'file:///etc/passwd'),
    jwk: fc.constant({ kty: 'oct', k: b64(OTHER_SECRET) }),
    crit: fc.array(fc.string(), { maxLength: 3 }),
    b64: fc.boolean(),
    zip: fc.constant('DEF'),
    x5u: fc.constant('https://evil.example/cert.pem'),
  },
  { requiredKeys: ['alg'] },
);

/** A compact JWS with any header and payload, signed with HMAC-SHA256 by `key`, or unsigned. */
export function handMade(header: object, payload: object | string, signing: 'secret' | 'other-secret' | 'none' | 'garbage'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (signing === 'none') return `${input}.`;
  if (signing === 'garbage') return `${input}.${b64('not a signature at all')}`;
  return `${input}.${createHmac('sha256', signing === 'secret' ? SECRET : OTHER_SECRET)
    .update(input)
    .digest('base64url')}`;
}

/** Parameter names beside the token: none of the strategy's own. */
export const extraParamName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('utm_source', 'lang', 'tab', 'organisation', 'error_url', 'kid', 'session_state', 'iss', 'scope'),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_'), minLength: 1, maxLength: 12 }).map((s) => `x_${s}`),
);
export const extraParamValue: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 40 }), fc.webUrl(), base64url(0, 30));
