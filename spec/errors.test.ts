// lib/errors.ts: the one error class and its stable codes. An app matches on `code` and answers with
// `status`, so each code's string and status are public API: a refusal (the client's doing) is a
// 4xx that Passport fails with, a fault of the setup or of a service is a 500 that ends in the
// app's error handler. The option error is a TypeError carrying the same kind of code.
import { JwtSsoError, JwtSsoErrorCode, JwtSsoOptionError } from '../lib';
import { isRefusal, sessionRequired, stateMismatch, thrownMessage } from '../lib/errors';

type SignInCode = Exclude<JwtSsoErrorCode, typeof JwtSsoErrorCode.INVALID_OPTION>;

// Every code of a sign-in, its string as apps match on it, and the status the strategy answers with.
const STATUSES: [keyof typeof JwtSsoErrorCode, string, number][] = [
  ['TOKEN_MALFORMED', 'ERR_JWTSSO_TOKEN_MALFORMED', 401],
  ['ALGORITHM_NOT_ALLOWED', 'ERR_JWTSSO_ALGORITHM_NOT_ALLOWED', 401],
  ['SIGNATURE_INVALID', 'ERR_JWTSSO_SIGNATURE_INVALID', 401],
  ['CLAIM_MISSING', 'ERR_JWTSSO_CLAIM_MISSING', 401],
  ['CLAIM_INVALID', 'ERR_JWTSSO_CLAIM_INVALID', 401],
  ['TOKEN_TOO_OLD', 'ERR_JWTSSO_TOKEN_TOO_OLD', 401],
  ['TOKEN_EXPIRED', 'ERR_JWTSSO_TOKEN_EXPIRED', 401],
  ['TOKEN_NOT_YET_VALID', 'ERR_JWTSSO_TOKEN_NOT_YET_VALID', 401],
  ['TOKEN_REPLAYED', 'ERR_JWTSSO_TOKEN_REPLAYED', 401],
  ['STATE_MISMATCH', 'ERR_JWTSSO_STATE_MISMATCH', 403],
  ['NONCE_MISMATCH', 'ERR_JWTSSO_NONCE_MISMATCH', 403],
  ['SESSION_REQUIRED', 'ERR_JWTSSO_SESSION_REQUIRED', 500],
  ['PASSPORT_SESSION_MISSING', 'ERR_JWTSSO_PASSPORT_SESSION_MISSING', 500],
  ['LOGIN_REQUIRED', 'ERR_JWTSSO_LOGIN_REQUIRED', 401],
  ['HOST_INVALID', 'ERR_JWTSSO_HOST_INVALID', 400],
  ['REPLAY_STORE_FAILED', 'ERR_JWTSSO_REPLAY_STORE_FAILED', 500],
  ['KEY_SOURCE_FAILED', 'ERR_JWTSSO_KEY_SOURCE_FAILED', 500],
  ['BODY_UNREADABLE', 'ERR_JWTSSO_BODY_UNREADABLE', 500],
  ['FASTIFY_PLUGIN_MISSING', 'ERR_JWTSSO_FASTIFY_PLUGIN_MISSING', 500],
  ['SESSION_LOST', 'ERR_JWTSSO_SESSION_LOST', 500],
];

describe('each code is a stable string with its status: a refusal 4xx, a fault 500', () => {
  test('control: the table names every code but the option error, once', () => {
    expect(STATUSES.map(([key]) => key).sort()).toEqual(
      Object.keys(JwtSsoErrorCode)
        .filter((k) => k !== 'INVALID_OPTION')
        .sort(),
    );
    expect(JwtSsoErrorCode.INVALID_OPTION).toBe('ERR_JWTSSO_INVALID_OPTION');
  });

  test.each(STATUSES)('%s is "%s", answered with %i', (key, code, status) => {
    expect(JwtSsoErrorCode[key]).toBe(code);
    const err = new JwtSsoError(code as SignInCode, 'what went wrong');
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
  });

  test.each(STATUSES)('%s is a refusal exactly when its status is below 500', (_key, code, status) => {
    expect(isRefusal(new JwtSsoError(code as SignInCode, 'x'))).toBe(status < 500);
  });

  test.each<[string, unknown]>([
    ['an Error with a 4xx status of its own', Object.assign(new Error('x'), { status: 401, code: 'ERR_JWTSSO_TOKEN_MALFORMED' })],
    ['a plain object shaped like a refusal', { name: 'JwtSsoError', code: 'ERR_JWTSSO_TOKEN_MALFORMED', status: 401 }],
    ['an option error (a TypeError with a code)', new JwtSsoOptionError('maxAge', 'x')],
    ['undefined', undefined],
    ['null', null],
  ])('only a JwtSsoError is a refusal, never a lookalike: %s is a fault', (_name, err) => {
    expect(isRefusal(err)).toBe(false);
  });
});

describe('a JwtSsoError carries its code, status, claim and cause, and nothing it was not given', () => {
  test('name, message, code, status; no claim and no cause unless given', () => {
    const err = new JwtSsoError(JwtSsoErrorCode.TOKEN_EXPIRED, 'The token expired.');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('JwtSsoError');
    expect(err.message).toBe('The token expired.');
    expect(err.claim).toBeUndefined();
    expect('cause' in err).toBe(false);
  });

  test('a claim and a cause given are kept', () => {
    const cause = new Error('the store is down');
    const err = new JwtSsoError(JwtSsoErrorCode.CLAIM_INVALID, 'iat is not a number.', { claim: 'iat', cause });
    expect(err.claim).toBe('iat');
    expect(err.cause).toBe(cause);
  });

  test('options without a claim or a cause add neither', () => {
    const err = new JwtSsoError(JwtSsoErrorCode.CLAIM_INVALID, 'x', {});
    expect(err.claim).toBeUndefined();
    expect('cause' in err).toBe(false);
  });
});

describe('an option error is a TypeError with the code INVALID_OPTION and the option it names', () => {
  test('TypeError by class and by name, code, option, message', () => {
    const err = new JwtSsoOptionError('maxAge', 'JwtSsoStrategy: option "maxAge" must be a number.');
    expect(err).toBeInstanceOf(TypeError);
    expect(err).not.toBeInstanceOf(JwtSsoError);
    expect(err.name).toBe('TypeError');
    expect(err.code).toBe('ERR_JWTSSO_INVALID_OPTION');
    expect(err.option).toBe('maxAge');
    expect(err.message).toBe('JwtSsoStrategy: option "maxAge" must be a number.');
  });
});

describe('the shared errors say what to do', () => {
  test('SESSION_REQUIRED: a fault that names the session middleware and passport.session()', () => {
    const err = sessionRequired();
    expect([err.code, err.status]).toEqual([JwtSsoErrorCode.SESSION_REQUIRED, 500]);
    expect(err.message).toMatch(/^req\.session is missing: mount session middleware \(e\.g\. express-session\) before the strategy/);
    expect(err.message).toMatch(/passport\.session\(\) before passport\.authenticate\('jwtsso'\)/);
  });

  test('STATE_MISMATCH without a hint: says to start again, and names the cookies that usually cause it', () => {
    const err = stateMismatch();
    expect([err.code, err.status]).toEqual([JwtSsoErrorCode.STATE_MISMATCH, 403]);
    expect(err.message).toMatch(/^The sign-in was not started by this browser, or its state was used or expired: start the sign-in again/);
    expect(err.message).toMatch(/the jwtsso-s- state cookie/);
    expect(err.message).toMatch(/SameSite=Lax, not Strict/);
  });

  test('STATE_MISMATCH with a hint: the hint replaces the general advice', () => {
    const err = stateMismatch('The return brought no cookie at all.');
    expect(err.message).toMatch(/^The sign-in was not started by this browser.* The return brought no cookie at all\.$/);
    expect(err.message).not.toMatch(/SameSite/);
  });
});

describe('thrownMessage: what an app threw, for a log line: never a token, never a throw', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
  const unreadable = Object.defineProperty(new Error(), 'message', {
    get() {
      throw new Error('no');
    },
  });
  test.each<[string, unknown, string]>([
    ['a message quoting a URL with the token', new Error(`could not answer /p?jwt=${token}&x=1`), 'could not answer /p?jwt=[a token]&x=1'],
    [
      'a message with two tokens and no signature on one',
      new Error(`${token} then ${token.slice(0, token.lastIndexOf('.') + 1)}`),
      '[a token] then [a token]',
    ],
    ['a thrown string holding a token', `bad ${token}`, 'bad [a token]'],
    ['a token at the end of a sentence', new Error(`could not answer /p?jwt=${token}.`), 'could not answer /p?jwt=[a token].'],
    ['a token after a dotted word', new Error(`jwt.${token}`), 'jwt.[a token]'],
    ['a token with header and payload of 8 characters, the least a JSON object can be', new Error('12345678.abcdefgh.s'), '[a token]'],
    ['an Error whose message getter throws', unreadable, '(an error whose message cannot be read)'],
    [
      'a thrown object whose toString throws',
      {
        toString() {
          throw new Error('no');
        },
      },
      '(an error whose message cannot be read)',
    ],
  ])('hostile: %s', (_name, thrown, said) => {
    expect(thrownMessage(thrown)).toBe(said);
  });

  test.each<[string, unknown, string]>([
    ['a plain message', new Error('database down'), 'database down'],
    ['a version number and an address', new Error('redis 7.2.4 at 127.0.0.1:6379 refused'), 'redis 7.2.4 at 127.0.0.1:6379 refused'],
    ['a file name with two dots', new Error('cannot read config.local.json'), 'cannot read config.local.json'],
    ['two long parts and one dot (no signature part at all)', new Error('see accounts.example-school'), 'see accounts.example-school'],
    ['a long first part, then short ones', new Error('loaded passport-jwtsso.min.js'), 'loaded passport-jwtsso.min.js'],
    ['parts of 7 characters', new Error('1234567.abcdefg.s and 1234567.abcdefgh.s'), '1234567.abcdefg.s and 1234567.abcdefgh.s'],
    ['a thrown number', 42, '42'],
    ['null', null, 'null'],
  ])('control: %s is said as it is', (_name, thrown, said) => {
    expect(thrownMessage(thrown)).toBe(said);
  });
});
