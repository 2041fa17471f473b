import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import jws from 'jws';
import { JwtSsoError, JwtSsoErrorCode as Code } from '../lib/errors';
import { MAX_JTI_LENGTH, MAX_TOKEN_LENGTH, parseToken, replayWindow, unverifiedPayload, verifyToken, type TokenPolicy } from '../lib/token';
import { b64, mint, NOW, NOW_MS, OTHER_SECRET, puavoClaims, raw, SECRET } from './helpers/tokens';

const policy: TokenPolicy = { keys: [{ alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)) }], maxAge: 60, clockTolerance: 5 };
const claims = (extra: Record<string, unknown> = {}) => puavoClaims(NOW, extra);
const HS256 = { alg: 'HS256' };
const good = raw(HS256, claims()).split('.');

function failure(token: string, p: TokenPolicy = policy): JwtSsoError {
  try {
    verifyToken(token, p, NOW_MS);
  } catch (err) {
    expect(err).toBeInstanceOf(JwtSsoError);
    return err as JwtSsoError;
  }
  throw new Error('the token was accepted');
}

describe('verifyToken accepts', () => {
  test('a Puavo token and returns its claims', () => {
    const c = claims();
    expect(verifyToken(mint(c), policy, NOW_MS)).toEqual(c);
  });

  test.each([
    ['an older header with typ JWT', { alg: 'HS256', typ: 'JWT' }, claims()],
    ['a legacy string iat (Puavo before 2020), returned as a number', HS256, claims({ iat: String(NOW) })],
    ['an iat 65 s old (maxAge 60 + tolerance 5)', HS256, claims({ iat: NOW - 65 })],
    ['an iat 5 s in the future (tolerance)', HS256, claims({ iat: NOW + 5 })],
    ['an exp 4 s ago (tolerance)', HS256, claims({ exp: NOW - 4 })],
    ['an nbf 5 s ahead (tolerance)', HS256, claims({ nbf: NOW + 5 })],
    [
      'a kid, jku, x5u and jwk, which are ignored',
      { ...HS256, kid: '../../etc/passwd', jku: 'http://127.0.0.1:1/', x5u: 'http://127.0.0.1:1/', jwk: { kty: 'oct', k: 'AA' } },
      claims(),
    ],
    ['an email array (Puavo, briefly in 2023)', HS256, claims({ email: ['a@b', 'c@d'] })],
  ])('%s', (_name, header, payload) => {
    const verified = verifyToken(raw(header, payload), policy, NOW_MS);
    expect(verified.jti).toBe(payload.jti);
    expect(verified.iat).toBe(Number(payload.iat));
  });

  test('a token signed with any one of several secrets (rotation)', () => {
    const rotated = {
      ...policy,
      keys: [
        { alg: 'HS256' as const, key: createSecretKey(Buffer.from(OTHER_SECRET)) },
        { alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)) },
      ],
    };
    expect(verifyToken(mint(claims(), SECRET), rotated, NOW_MS).jti).toBeDefined();
    expect(verifyToken(mint(claims(), OTHER_SECRET), rotated, NOW_MS).jti).toBeDefined();
  });

  test('a token exactly MAX_TOKEN_LENGTH long', () => {
    const base = raw(HS256, claims({ pad: '' })).length;
    const token = raw(HS256, claims({ pad: 'x'.repeat(Math.floor(((MAX_TOKEN_LENGTH - base) * 3) / 4)) }));
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 4);
    expect(verifyToken(token, policy, NOW_MS).jti).toBeDefined();
  });
});

describe('verifyToken refuses', () => {
  const sig = good[2]!;
  test.each<[string, string, Code]>([
    ['an empty string', '', Code.TOKEN_MALFORMED],
    ['two parts', `${good[0]}.${good[1]}`, Code.TOKEN_MALFORMED],
    ['four parts', `${good.join('.')}.x`, Code.TOKEN_MALFORMED],
    ['an empty signature (alg HS256)', `${good[0]}.${good[1]}.`, Code.TOKEN_MALFORMED],
    ['standard base64 characters', `${good[0]}.${good[1]}+/.${sig}`, Code.TOKEN_MALFORMED],
    ['padding', `${good[0]}=.${good[1]}.${sig}`, Code.TOKEN_MALFORMED],
    ['a part of impossible length', `${good[0]}.${good[1]}.${sig}a`.replace(/\.[^.]*$/, '.a'), Code.TOKEN_MALFORMED],
    ['whitespace', ` ${good.join('.')}`, Code.TOKEN_MALFORMED],
    ['a header that is not JSON', raw('not json', claims()), Code.TOKEN_MALFORMED],
    ['a header that is a JSON array', raw('["HS256"]', claims()), Code.TOKEN_MALFORMED],
    ['a header that is JSON null', raw('null', claims()), Code.TOKEN_MALFORMED],
    ['a header of invalid UTF-8', raw(Buffer.from([0x7b, 0xff, 0x7d]), claims()), Code.TOKEN_MALFORMED],
    ['a payload that is not JSON (signed)', raw(HS256, 'not json'), Code.TOKEN_MALFORMED],
    ['a payload that is a JSON string (signed)', raw(HS256, '"claims"'), Code.TOKEN_MALFORMED],
    ['a payload that is a JSON array (signed)', raw(HS256, '[1,2]'), Code.TOKEN_MALFORMED],
    ['a token longer than MAX_TOKEN_LENGTH', raw(HS256, claims({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) })), Code.TOKEN_MALFORMED],
    ['alg None', raw({ alg: 'None' }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['alg hs256 (case)', raw({ alg: 'hs256' }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['alg HS384, validly signed', raw({ alg: 'HS384' }, claims(), SECRET, 'sha384'), Code.ALGORITHM_NOT_ALLOWED],
    ['alg HS512, validly signed', raw({ alg: 'HS512' }, claims(), SECRET, 'sha512'), Code.ALGORITHM_NOT_ALLOWED],
    ['alg RS256', raw({ alg: 'RS256' }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['no alg', raw({ typ: 'JWT' }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['alg as an array', raw({ alg: ['HS256'] }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['a crit header', raw({ alg: 'HS256', crit: ['exp'] }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['an empty crit header', raw({ alg: 'HS256', crit: [] }, claims()), Code.ALGORITHM_NOT_ALLOWED],
    ['the wrong secret', mint(claims(), OTHER_SECRET), Code.SIGNATURE_INVALID],
    ['an empty secret', raw(HS256, claims(), ''), Code.SIGNATURE_INVALID],
    ['a tampered payload', `${good[0]}.${b64(claims({ puavo_id: 1 }))}.${sig}`, Code.SIGNATURE_INVALID],
    ['a tampered header', `${b64({ alg: 'HS256', typ: 'JWT' })}.${good[1]}.${sig}`, Code.SIGNATURE_INVALID],
    ['a truncated signature', `${good[0]}.${good[1]}.${sig.slice(0, -3)}`, Code.SIGNATURE_INVALID],
    ['a signature with an extra byte', `${good[0]}.${good[1]}.${sig}AAAA`, Code.SIGNATURE_INVALID],
    [
      'a non-canonical signature encoding',
      `${good[0]}.${good[1]}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
      Code.SIGNATURE_INVALID,
    ],
    ['no iat', raw(HS256, claims({ iat: undefined })), Code.CLAIM_MISSING],
    ['a null iat', raw(HS256, claims({ iat: null })), Code.CLAIM_MISSING],
    ['no jti', raw(HS256, claims({ jti: undefined })), Code.CLAIM_MISSING],
    ['an iat string with a sign', raw(HS256, claims({ iat: `+${NOW}` })), Code.CLAIM_INVALID],
    ['an iat string with a decimal point', raw(HS256, claims({ iat: `${NOW}.5` })), Code.CLAIM_INVALID],
    ['an iat string with spaces', raw(HS256, claims({ iat: ` ${NOW}` })), Code.CLAIM_INVALID],
    ['an empty iat string', raw(HS256, claims({ iat: '' })), Code.CLAIM_INVALID],
    ['an iat in hex', raw(HS256, claims({ iat: '0x69' })), Code.CLAIM_INVALID],
    ['an iat string of 16 digits', raw(HS256, claims({ iat: '1'.repeat(16) })), Code.CLAIM_INVALID],
    ['a negative iat', raw(HS256, claims({ iat: -1 })), Code.CLAIM_INVALID],
    ['an iat object', raw(HS256, claims({ iat: { valueOf: NOW } })), Code.CLAIM_INVALID],
    ['an iat true', raw(HS256, claims({ iat: true })), Code.CLAIM_INVALID],
    ['an exp string', raw(HS256, claims({ exp: String(NOW + 60) })), Code.CLAIM_INVALID],
    ['an exp null', raw(HS256, claims({ exp: null })), Code.CLAIM_INVALID],
    ['an nbf string', raw(HS256, claims({ nbf: String(NOW) })), Code.CLAIM_INVALID],
    ['an nbf array', raw(HS256, claims({ nbf: [NOW] })), Code.CLAIM_INVALID],
    ['an empty jti', raw(HS256, claims({ jti: '' })), Code.CLAIM_INVALID],
    ['a numeric jti', raw(HS256, claims({ jti: 12345 })), Code.CLAIM_INVALID],
    ['a jti object', raw(HS256, claims({ jti: { id: 'x' } })), Code.CLAIM_INVALID],
    ['a jti of 257 characters', raw(HS256, claims({ jti: 'j'.repeat(257) })), Code.CLAIM_INVALID],
    ['an iat 66 s old', raw(HS256, claims({ iat: NOW - 66 })), Code.TOKEN_TOO_OLD],
    ['an iat a year old', raw(HS256, claims({ iat: NOW - 365 * 86400 })), Code.TOKEN_TOO_OLD],
    ['an iat of 0', raw(HS256, claims({ iat: 0 })), Code.TOKEN_TOO_OLD],
    ['a legacy string iat that is old', raw(HS256, claims({ iat: String(NOW - 3600) })), Code.TOKEN_TOO_OLD],
    ['an iat 6 s in the future', raw(HS256, claims({ iat: NOW + 6 })), Code.TOKEN_NOT_YET_VALID],
    ['an iat a day in the future', raw(HS256, claims({ iat: NOW + 86400 })), Code.TOKEN_NOT_YET_VALID],
    ['an exp 5 s ago', raw(HS256, claims({ exp: NOW - 5 })), Code.TOKEN_EXPIRED],
    ['an nbf 6 s ahead', raw(HS256, claims({ nbf: NOW + 6 })), Code.TOKEN_NOT_YET_VALID],
  ])('%s', (_name, token, code) => {
    expect(failure(token).code).toBe(code);
  });

  test('a jws-library token signed with HS512 under the right secret', () => {
    const token = jws.sign({ header: { alg: 'HS512' }, payload: claims(), secret: SECRET });
    expect(failure(token).code).toBe(Code.ALGORITHM_NOT_ALLOWED);
  });

  test('HS256 signed with a different key even when the header names a kid of the right one', () => {
    const token = raw({ alg: 'HS256', kid: 'primary' }, claims(), OTHER_SECRET);
    expect(failure(token).code).toBe(Code.SIGNATURE_INVALID);
  });

  test('does not parse the payload of a token whose signature is bad', () => {
    // A payload that would be malformed: the signature error must come first.
    const token = `${b64(HS256)}.${b64('not json')}.${good[2]}`;
    expect(failure(token).code).toBe(Code.SIGNATURE_INVALID);
  });

  test('maxAge 0 still allows clockTolerance and nothing more', () => {
    const strict = { ...policy, maxAge: 0 };
    expect(verifyToken(raw(HS256, claims({ iat: NOW - 5 })), strict, NOW_MS).jti).toBeDefined();
    expect(failure(raw(HS256, claims({ iat: NOW - 6 })), strict).code).toBe(Code.TOKEN_TOO_OLD);
  });
});

describe('alg none (RFC 8725 2.1): refused as an algorithm, signed or unsigned, never as a parse error', () => {
  const payload = good[1]!;
  const sig = good[2]!;
  test.each<[string, Record<string, unknown>, string, Code, RegExp]>([
    ['none, unsigned', { alg: 'none' }, '', Code.ALGORITHM_NOT_ALLOWED, /unsigned \(algorithm "none"\)/],
    ['None, unsigned', { alg: 'None' }, '', Code.ALGORITHM_NOT_ALLOWED, /unsigned \(algorithm "None"\)/],
    ['NONE, unsigned', { alg: 'NONE' }, '', Code.ALGORITHM_NOT_ALLOWED, /unsigned \(algorithm "NONE"\)/],
    ['nOnE, unsigned', { alg: 'nOnE' }, '', Code.ALGORITHM_NOT_ALLOWED, /unsigned \(algorithm "nOnE"\)/],
    ['none, unsigned, with typ JWT', { alg: 'none', typ: 'JWT' }, '', Code.ALGORITHM_NOT_ALLOWED, /unsigned/],
    ['none, with a signature', { alg: 'none' }, sig, Code.ALGORITHM_NOT_ALLOWED, /algorithm "none" is not allowed: only HS256 is accepted/],
    ['None, with a signature', { alg: 'None' }, sig, Code.ALGORITHM_NOT_ALLOWED, /algorithm "None" is not allowed/],
    ['NONE, with a signature', { alg: 'NONE' }, sig, Code.ALGORITHM_NOT_ALLOWED, /algorithm "NONE" is not allowed/],
    ['nOnE, with a signature', { alg: 'nOnE' }, sig, Code.ALGORITHM_NOT_ALLOWED, /algorithm "nOnE" is not allowed/],
    // Every other unsigned token stays malformed: only the attack is named.
    ['no alg, unsigned', { typ: 'JWT' }, '', Code.TOKEN_MALFORMED, /malformed: its signature is empty/],
    ['no alg, with a signature', { typ: 'JWT' }, sig, Code.ALGORITHM_NOT_ALLOWED, /algorithm \(none given\) is not allowed/],
    ['HS256, unsigned', { alg: 'HS256' }, '', Code.TOKEN_MALFORMED, /malformed: its signature is empty/],
    ['"none " (a space), unsigned', { alg: 'none ' }, '', Code.TOKEN_MALFORMED, /malformed: its signature is empty/],
    ['["none"] (an array), unsigned', { alg: ['none'] }, '', Code.TOKEN_MALFORMED, /malformed: its signature is empty/],
  ])('%s', (_name, header, signature, code, message) => {
    const err = failure(`${b64(header)}.${payload}.${signature}`);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.status).toBe(401);
  });

  test.each<[string, string]>([
    ['an empty payload', `${b64({ alg: 'none' })}..`],
    ['a payload that is not base64url', `${b64({ alg: 'none' })}.${payload}+.`],
    ['a header that is not base64url', `${b64({ alg: 'none' })}=.${payload}.`],
    ['a header that is not JSON', `${b64('none')}.${payload}.`],
    ['one dot more', `${b64({ alg: 'none' })}.${payload}..`],
  ])('an unsigned none token that is also malformed is malformed: %s', (_name, token) => {
    expect(failure(token).code).toBe(Code.TOKEN_MALFORMED);
  });

  test('control: the same header and payload, signed with HS256, are accepted', () => {
    expect(verifyToken(`${good[0]}.${payload}.${sig}`, policy, NOW_MS).jti).toBe(
      JSON.parse(Buffer.from(payload, 'base64url').toString()).jti,
    );
  });
});

describe('error messages', () => {
  test('say how old the token was and what maxAge is', () => {
    const err = failure(raw(HS256, claims({ iat: NOW - 75 })));
    expect(err.message).toContain('issued 75 s ago, but maxAge is 60 s');
    expect(err.claim).toBe('iat');
    expect(err.status).toBe(401);
  });

  test.each([
    raw({ alg: 'HS256', kid: SECRET }, claims({ iat: NOW - 999 })),
    mint(claims(), OTHER_SECRET),
    raw({ alg: 'PS256-with-a-very-long-made-up-name' }, claims()),
    raw({ alg: `HS256\n${SECRET}` }, claims()),
    raw(HS256, claims({ jti: SECRET })).slice(0, -3),
  ])('never contain the token, its parts, or the secret (%#)', (token) => {
    const err = failure(token);
    for (const part of [token, ...token.split('.'), SECRET, OTHER_SECRET]) {
      if (part.length > 0) expect(err.message).not.toContain(part);
    }
    expect(err.message).not.toContain('\n');
  });
});

test('replayWindow covers the whole acceptance window of a token', () => {
  expect(replayWindow({ maxAge: 60, clockTolerance: 5 })).toBe(71);
  expect(replayWindow({ maxAge: 300, clockTolerance: 0.5 })).toBe(302);
  expect(replayWindow({ maxAge: 0, clockTolerance: 0 })).toBe(1);
});

// Every refusal names its cause: the code for programs, the claim when one is at fault, and a
// message an operator can act on (the meaningful part is matched, not the whole text).
describe('every refusal says what was wrong', () => {
  const sig = good[2]!;
  const keyed = (secret: string, kid?: string) => ({
    alg: 'HS256' as const,
    key: createSecretKey(Buffer.from(secret)),
    ...(kid === undefined ? {} : { kid }),
  });
  const rs = { alg: 'RS256' as const, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey };
  const payloadText = (extra: string) => JSON.stringify(claims()).replace(/}$/, `,${extra}}`);
  test.each<[string, string, Partial<TokenPolicy>, Code, string | undefined, RegExp]>([
    ['an empty string', '', {}, Code.TOKEN_MALFORMED, undefined, /^The sign-in token is malformed: it is empty\. Start the sign-in again/],
    [
      'a token too long',
      'a'.repeat(MAX_TOKEN_LENGTH + 1),
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: it is longer than 8192 characters/,
    ],
    ['two parts', `${good[0]}.${good[1]}`, {}, Code.TOKEN_MALFORMED, undefined, /malformed: it does not have three dot-separated parts/],
    [
      'a part that starts with non-base64url characters',
      `+/${good[0]}.${good[1]}.${sig}`,
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: a part is not base64url/,
    ],
    [
      'a header that is not JSON',
      raw('not json', claims()),
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: its header is not base64url-encoded UTF-8 JSON/,
    ],
    [
      'a header that is a JSON array',
      raw('["HS256"]', claims()),
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: its header is not a JSON object/,
    ],
    [
      'a header with invalid UTF-8 inside a string, signed',
      raw(Buffer.concat([Buffer.from('{"alg":"HS256","x":"'), Buffer.from([0xff]), Buffer.from('"}')]), claims()),
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: its header is not base64url-encoded UTF-8 JSON/,
    ],
    [
      'a payload with invalid UTF-8 inside a claim, signed',
      raw(HS256, Buffer.concat([Buffer.from(payloadText('"x":"').slice(0, -1)), Buffer.from([0xc3]), Buffer.from('"}')])),
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: its payload is not base64url-encoded UTF-8 JSON/,
    ],
    [
      'a payload that is a JSON array, signed',
      raw(HS256, '[1,2]'),
      {},
      Code.TOKEN_MALFORMED,
      undefined,
      /malformed: its payload is not a JSON object/,
    ],
    [
      'a crit header',
      raw({ alg: 'HS256', crit: ['exp'] }, claims()),
      {},
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /"crit" header: no critical extensions/,
    ],
    [
      'alg HS512',
      raw({ alg: 'HS512' }, claims(), SECRET, 'sha512'),
      {},
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /algorithm "HS512" is not allowed: only HS256 is accepted\./,
    ],
    ['alg of one character', raw({ alg: 'X' }, claims()), {}, Code.ALGORITHM_NOT_ALLOWED, undefined, /algorithm "X" is not allowed/],
    [
      'alg of 16 characters',
      raw({ alg: 'ABCDEFGHIJKLMNOP' }, claims()),
      {},
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /algorithm "ABCDEFGHIJKLMNOP" is not allowed/,
    ],
    [
      'alg of 17 characters',
      raw({ alg: 'ABCDEFGHIJKLMNOPQ' }, claims()),
      {},
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /algorithm \(not a name\) is not allowed/,
    ],
    [
      'alg with punctuation',
      raw({ alg: 'HS256;' }, claims()),
      {},
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /algorithm \(not a name\) is not allowed/,
    ],
    [
      'alg as an array',
      raw({ alg: ['HS256'] }, claims()),
      {},
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /algorithm \(not a name\) is not allowed/,
    ],
    ['no alg', raw({ typ: 'JWT' }, claims()), {}, Code.ALGORITHM_NOT_ALLOWED, undefined, /algorithm \(none given\) is not allowed/],
    [
      'alg HS512 where two algorithms are configured',
      raw({ alg: 'HS512' }, claims(), SECRET, 'sha512'),
      { keys: [keyed(SECRET), keyed(OTHER_SECRET), rs] },
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /only HS256, RS256 are accepted\./,
    ],
    [
      'any alg where no key is configured',
      mint(claims()),
      { keys: [] },
      Code.ALGORITHM_NOT_ALLOWED,
      undefined,
      /only none \(no key\) are accepted\./,
    ],
    [
      'the wrong secret',
      mint(claims(), OTHER_SECRET),
      {},
      Code.SIGNATURE_INVALID,
      undefined,
      /signature does not verify with the configured key\(s\)/,
    ],
    ['no iat', raw(HS256, claims({ iat: undefined })), {}, Code.CLAIM_MISSING, 'iat', /no "iat" claim, so its age cannot be judged/],
    [
      'an iat that is not a number',
      raw(HS256, claims({ iat: 'yesterday' })),
      {},
      Code.CLAIM_INVALID,
      'iat',
      /"iat" claim is not a number of seconds since the epoch/,
    ],
    [
      'an iat of 1e400 (Infinity in JSON)',
      raw(HS256, payloadText('"iat":1e400')),
      {},
      Code.CLAIM_INVALID,
      'iat',
      /"iat" claim is not a number/,
    ],
    ['an iat array of digits', raw(HS256, claims({ iat: [NOW] })), {}, Code.CLAIM_INVALID, 'iat', /"iat" claim is not a number/],
    [
      'an exp of 1e400 (Infinity in JSON)',
      raw(HS256, payloadText('"exp":1e400')),
      {},
      Code.CLAIM_INVALID,
      'exp',
      /"exp" claim is not a number of seconds since the epoch/,
    ],
    ['an nbf string', raw(HS256, claims({ nbf: String(NOW) })), {}, Code.CLAIM_INVALID, 'nbf', /"nbf" claim is not a number/],
    [
      'no jti',
      raw(HS256, claims({ jti: undefined })),
      {},
      Code.CLAIM_MISSING,
      'jti',
      /no "jti" claim, so a second use of it could not be refused/,
    ],
    ['a null jti', raw(HS256, claims({ jti: null })), {}, Code.CLAIM_MISSING, 'jti', /no "jti" claim/],
    [
      'a jti of 257 characters',
      raw(HS256, claims({ jti: 'j'.repeat(MAX_JTI_LENGTH + 1) })),
      {},
      Code.CLAIM_INVALID,
      'jti',
      /"jti" claim is not a string of 1 to 256 characters/,
    ],
    [
      'an iat an hour ahead',
      raw(HS256, claims({ iat: NOW + 3600 })),
      {},
      Code.TOKEN_NOT_YET_VALID,
      'iat',
      /issued 3600 s in the future \(clockTolerance is 5 s\)/,
    ],
    [
      'an iat 75 s old',
      raw(HS256, claims({ iat: NOW - 75 })),
      {},
      Code.TOKEN_TOO_OLD,
      'iat',
      /issued 75 s ago, but maxAge is 60 s \(clockTolerance 5 s\)/,
    ],
    ['an exp 30 s ago', raw(HS256, claims({ exp: NOW - 30 })), {}, Code.TOKEN_EXPIRED, 'exp', /expired 30 s ago \(clockTolerance is 5 s\)/],
    [
      'an nbf 30 s ahead',
      raw(HS256, claims({ nbf: NOW + 30 })),
      {},
      Code.TOKEN_NOT_YET_VALID,
      'nbf',
      /not valid for another 30 s \(clockTolerance is 5 s\)/,
    ],
    [
      'a required claim absent',
      raw(HS256, claims()),
      { requiredClaims: ['groups'] },
      Code.CLAIM_MISSING,
      'groups',
      /no "groups" claim, which requiredClaims demands/,
    ],
    [
      'a required claim null',
      raw(HS256, claims()),
      { requiredClaims: ['learner_id'] },
      Code.CLAIM_MISSING,
      'learner_id',
      /no "learner_id" claim/,
    ],
    [
      'no iss with an issuer configured',
      raw(HS256, claims()),
      { issuer: ['https://sso.example'] },
      Code.CLAIM_MISSING,
      'iss',
      /no "iss" claim, but an issuer is configured/,
    ],
    [
      'another iss',
      raw(HS256, claims({ iss: 'https://evil.example' })),
      { issuer: ['https://sso.example'] },
      Code.CLAIM_INVALID,
      'iss',
      /"iss" claim is not one of the configured issuers/,
    ],
    ['a numeric iss', raw(HS256, claims({ iss: 1 })), { issuer: ['1'] }, Code.CLAIM_INVALID, 'iss', /"iss" claim is not one of/],
    [
      'no aud with an audience configured',
      raw(HS256, claims()),
      { audience: ['app'] },
      Code.CLAIM_MISSING,
      'aud',
      /no "aud" claim, but an audience is configured/,
    ],
    [
      'another aud',
      raw(HS256, claims({ aud: 'other' })),
      { audience: ['app'] },
      Code.CLAIM_INVALID,
      'aud',
      /"aud" claim names none of the configured audiences/,
    ],
    ['a numeric aud', raw(HS256, claims({ aud: [1] })), { audience: ['1'] }, Code.CLAIM_INVALID, 'aud', /"aud" claim names none/],
    // audienceRequired false (RFC 7519 §4.1.3: judged when present): an aud that is there must still name the app.
    [
      'another aud, audienceRequired false',
      raw(HS256, claims({ aud: 'other' })),
      { audience: ['app'], audienceRequired: false },
      Code.CLAIM_INVALID,
      'aud',
      /"aud" claim names none/,
    ],
    [
      'an empty aud list, audienceRequired false',
      raw(HS256, claims({ aud: [] })),
      { audience: ['app'], audienceRequired: false },
      Code.CLAIM_INVALID,
      'aud',
      /names none/,
    ],
    [
      'a null aud, audienceRequired false',
      raw(HS256, claims({ aud: null })),
      { audience: ['app'], audienceRequired: false },
      Code.CLAIM_INVALID,
      'aud',
      /names none/,
    ],
    [
      'no external_service_path_prefix with servicePathPrefix configured',
      raw(HS256, claims({ external_service_path_prefix: undefined })),
      { servicePathPrefix: '/app' },
      Code.CLAIM_MISSING,
      'external_service_path_prefix',
      /no "external_service_path_prefix" claim, but servicePathPrefix is configured/,
    ],
    [
      'another external_service_path_prefix',
      raw(HS256, claims({ external_service_path_prefix: '/other' })),
      { servicePathPrefix: '/app' },
      Code.CLAIM_INVALID,
      'external_service_path_prefix',
      /"external_service_path_prefix" claim is not the configured servicePathPrefix: the token was minted for another service/,
    ],
  ])('%s', (_name, token, extra, code, claim, message) => {
    const err = failure(token, { ...policy, ...extra });
    expect(err.code).toBe(code);
    expect(err.claim).toBe(claim);
    expect(err.message).toMatch(message);
  });
});

describe('claim policies accept what they name', () => {
  test.each<[string, Record<string, unknown>, Partial<TokenPolicy>]>([
    ['a string aud naming the configured audience', { aud: 'app' }, { audience: ['app'] }],
    ['an aud list with the configured audience in it', { aud: ['other', 'app'] }, { audience: ['app'] }],
    ['no aud with audienceRequired false', {}, { audience: ['app'], audienceRequired: false }],
    ['the configured aud with audienceRequired false', { aud: 'app' }, { audience: ['app'], audienceRequired: false }],
    ['one of several configured issuers', { iss: 'https://b.example' }, { issuer: ['https://a.example', 'https://b.example'] }],
    ['a required claim present', { groups: [] }, { requiredClaims: ['groups'] }],
    ['the configured servicePathPrefix', { external_service_path_prefix: '/app' }, { servicePathPrefix: '/app' }],
    ['a jti of exactly MAX_JTI_LENGTH characters', { jti: 'j'.repeat(MAX_JTI_LENGTH) }, {}],
    ['a jti of one character', { jti: 'j' }, {}],
    ['an iat of exactly now', { iat: NOW }, {}],
  ])('%s', (_name, extra, extraPolicy) => {
    const payload = claims(extra);
    expect(verifyToken(raw(HS256, payload), { ...policy, ...extraPolicy }, NOW_MS).jti).toBe(payload.jti);
  });
});

describe('keys by kid', () => {
  const keys = [
    { alg: 'HS256' as const, key: createSecretKey(Buffer.from(OTHER_SECRET)), kid: 'a' },
    { alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)), kid: 'b' },
  ];
  test('a kid that names a key picks that key', () => {
    expect(verifyToken(raw({ alg: 'HS256', kid: 'b' }, claims()), { ...policy, keys }, NOW_MS).jti).toBeDefined();
    expect(failure(raw({ alg: 'HS256', kid: 'a' }, claims()), { ...policy, keys }).code).toBe(Code.SIGNATURE_INVALID);
  });

  test('a token without a kid, or with a kid that is not a string, is tried against every key', () => {
    expect(verifyToken(raw(HS256, claims()), { ...policy, keys }, NOW_MS).jti).toBeDefined();
    expect(verifyToken(raw({ alg: 'HS256', kid: 5 }, claims()), { ...policy, keys }, NOW_MS).jti).toBeDefined();
    const mixed = [{ alg: 'HS256' as const, key: createSecretKey(Buffer.from(OTHER_SECRET)) }, keys[1]!];
    expect(verifyToken(raw(HS256, claims()), { ...policy, keys: mixed }, NOW_MS).jti).toBeDefined();
  });

  test('a kid that names no key is tried against the keys without a kid only', () => {
    const mixed = [{ alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)) }, keys[0]!];
    expect(verifyToken(raw({ alg: 'HS256', kid: 'zz' }, claims()), { ...policy, keys: mixed }, NOW_MS).jti).toBeDefined();
    expect(failure(raw({ alg: 'HS256', kid: 'zz' }, claims()), { ...policy, keys }).code).toBe(Code.SIGNATURE_INVALID);
  });
});

test('a non-canonical encoding of a good signature (its unused low bits set) is refused', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sig = good[2]!;
  // 32 bytes are 43 characters: the last carries 4 bits and 2 unused ones, which a decoder ignores.
  const last = alphabet.indexOf(sig.at(-1)!);
  const twin = `${sig.slice(0, -1)}${alphabet[last ^ 1]}`;
  expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
  expect(failure(`${good[0]}.${good[1]}.${twin}`).code).toBe(Code.SIGNATURE_INVALID);
  expect(verifyToken(good.join('.'), policy, NOW_MS).jti).toBeDefined();
});

test('the unverified payload (for a key provider) is read like the verified one, and named when malformed', () => {
  const c = claims();
  expect(unverifiedPayload(parseToken(raw(HS256, c)))).toEqual(c);
  expect(() => unverifiedPayload(parseToken(`${good[0]}.${b64('not json')}.${good[2]}`))).toThrow(
    /malformed: its payload is not base64url-encoded UTF-8 JSON/,
  );
});

describe('the jti a replay check needs: a string; a finite number only with numericJti; none only with replayKey "jti-or-token-hash"', () => {
  const { jti: _jti, ...withoutJti } = claims();
  const numeric = { ...policy, numericJti: true };
  const byHash = { ...policy, replayKey: 'jti-or-token-hash' as const };

  test('controls: a string jti by default, a numeric one with numericJti, returned as sent', () => {
    expect(verifyToken(raw(HS256, claims({ jti: 'abc' })), policy, NOW_MS).jti).toBe('abc');
    expect(verifyToken(raw(HS256, claims({ jti: 12345 })), numeric, NOW_MS).jti).toBe(12345);
    expect(verifyToken(raw(HS256, claims({ jti: 'abc' })), numeric, NOW_MS).jti).toBe('abc');
  });

  test('with replayKey "jti-or-token-hash" a token without a jti is accepted, and has none', () => {
    const accepted = verifyToken(raw(HS256, withoutJti), byHash, NOW_MS);
    expect(accepted).not.toHaveProperty('jti');
    expect(accepted.iat).toBe(NOW);
  });

  test.each([
    ['no jti, by default', withoutJti, policy],
    ['no jti, with numericJti', withoutJti, numeric],
    ['a null jti, by default', claims({ jti: null }), policy],
    ['a null jti, even with replayKey "jti-or-token-hash" (only an absent one is allowed)', claims({ jti: null }), byHash],
  ])('%s is a missing jti', (_label, payload, p) => {
    const err = failure(raw(HS256, payload), p);
    expect(err.code).toBe(Code.CLAIM_MISSING);
    expect(err.claim).toBe('jti');
    expect(err.message).toContain("replayKey: 'jti-or-token-hash'");
  });

  test.each([
    [
      'a number without numericJti',
      raw(HS256, claims({ jti: 12345 })),
      policy,
      'is a number, not a string: set the option numericJti: true if the provider sends numeric token ids (Zendesk-style)',
    ],
    [
      'a number too large for a double (1e400 reads as Infinity), with numericJti',
      raw(HS256, `{"iat":${NOW},"jti":1e400}`),
      numeric,
      'is not a finite number (1e400 reads as Infinity): the provider must send a finite number or a string',
    ],
    ['a boolean, by default', raw(HS256, claims({ jti: true })), policy, `is not a string of 1 to ${MAX_JTI_LENGTH} characters`],
    [
      'a boolean, with numericJti (a number would do)',
      raw(HS256, claims({ jti: true })),
      numeric,
      `is not a string of 1 to ${MAX_JTI_LENGTH} characters, nor a number`,
    ],
    [
      'an empty string, with numericJti',
      raw(HS256, claims({ jti: '' })),
      numeric,
      `is not a string of 1 to ${MAX_JTI_LENGTH} characters, nor a number`,
    ],
  ])('%s is an invalid jti, and the message says what would do', (_label, token, p, why) => {
    const err = failure(token, p);
    expect(err.code).toBe(Code.CLAIM_INVALID);
    expect(err.claim).toBe('jti');
    expect(err.message).toBe(`The token's "jti" claim ${why}.`);
  });
});
