// The rules of lib/events.ts, each at its boundary: which characters a log line never holds raw
// (the first and last of every escaped range, and their neighbours that stay), where a value is
// cut, what an event carries, and when a failure is a refusal rather than a fault.
import { format } from 'node:util';
import createDebug from 'debug';
import { JwtSsoError, JwtSsoErrorCode as Code, type JwtSsoEvent } from '../lib';
import { acceptedEvent, emit, failureEvent, logSafe, MAX_LOGGED_LENGTH } from '../lib/events';

describe('logSafe escapes the first and last character of every unsafe range as \\u and four hex digits', () => {
  test.each([
    ['\u0000', '\\u0000'],
    ['\u0001', '\\u0001'],
    ['\u001f', '\\u001f'],
    ['\u007f', '\\u007f'],
    ['\u009f', '\\u009f'],
    ['\u061c', '\\u061c'], // Arabic letter mark
    ['\u200e', '\\u200e'], // left-to-right mark
    ['\u200f', '\\u200f'], // right-to-left mark
    ['\u2028', '\\u2028'],
    ['\u2029', '\\u2029'],
    ['\u202a', '\\u202a'],
    ['\u202e', '\\u202e'],
    ['\u2066', '\\u2066'],
    ['\u2069', '\\u2069'],
  ])('%j -> %s', (c, escaped) => {
    expect(logSafe(`a${c}b`)).toBe(`a${escaped}b`);
  });

  test.each(['\u0020', '\u007e', '\u00a0', '\u061b', '\u061d', '\u2010', '\u2027', '\u202f'])(
    'control: the neighbour %j is kept as it is',
    (c) => {
      expect(logSafe(`a${c}b`)).toBe(`a${c}b`);
    },
  );

  test('every unsafe character is escaped, not only the first', () => {
    expect(logSafe('a\nb\nc\u2028d')).toBe('a\\u000ab\\u000ac\\u2028d');
  });
});

describe(`logSafe cuts at ${MAX_LOGGED_LENGTH} characters, not one before`, () => {
  test(`a value of exactly ${MAX_LOGGED_LENGTH} characters is kept whole`, () => {
    const value = 'x'.repeat(MAX_LOGGED_LENGTH);
    expect(logSafe(value)).toBe(value);
  });

  test(`a value of ${MAX_LOGGED_LENGTH + 1} characters is cut and marked`, () => {
    expect(logSafe('y'.repeat(MAX_LOGGED_LENGTH + 1))).toBe('y'.repeat(MAX_LOGGED_LENGTH) + '…');
  });
});

describe('emit: what an event carries', () => {
  test('fields that are undefined are left out; strings are escaped; the event goes to onEvent', () => {
    const events: JwtSsoEvent[] = [];
    emit((e) => events.push(e), { type: 'refused', code: Code.STATE_MISMATCH, jti: undefined, ip: '10.0.0.1\n' });
    expect(events).toEqual([{ type: 'refused', code: Code.STATE_MISMATCH, ip: '10.0.0.1\\u000a' }]);
    expect(Object.keys(events[0]!)).toEqual(['type', 'code', 'ip']);
  });

  test('no onEvent: nothing is called and nothing throws', () => {
    expect(() => emit(undefined, { type: 'redirect' })).not.toThrow();
  });

  describe('with DEBUG=passport-jwtsso', () => {
    let lines: string[];
    let savedLog: typeof createDebug.log;
    beforeEach(() => {
      lines = [];
      savedLog = createDebug.log;
      createDebug.enable('passport-jwtsso');
      createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
    });
    afterEach(() => {
      createDebug.disable();
      createDebug.log = savedLog;
    });

    test('one line: the type, then code, jti and ip where present', () => {
      emit(undefined, { type: 'refused', code: Code.TOKEN_REPLAYED, jti: 'j-1', ip: '10.0.0.1' });
      emit(undefined, { type: 'redirect' });
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/passport-jwtsso refused ERR_JWTSSO_TOKEN_REPLAYED jti=j-1 ip=10\.0\.0\.1/);
      expect(lines[1]).toMatch(/passport-jwtsso redirect(?! |\w)/);
      expect(lines[1]).not.toMatch(/jti=|ip=|undefined/);
    });

    test('an onEvent that throws is logged, escaped, with what it threw', () => {
      emit(
        () => {
          throw new Error('audit log down\nforged line');
        },
        { type: 'redirect' },
      );
      emit(
        () => {
          throw 'a plain string'; // a non-Error, as a careless onEvent throws
        },
        { type: 'redirect' },
      );
      expect(lines.some((l) => /onEvent threw: audit log down\\u000aforged line/.test(l))).toBe(true);
      expect(lines.some((l) => /onEvent threw: a plain string/.test(l))).toBe(true);
    });
  });
});

describe('acceptedEvent: the user is sub, else puavo_id, else id', () => {
  test.each([
    ['sub wins', { jti: 'j', sub: 'user-1', puavo_id: 42, id: 7 }, 'user-1'],
    ['puavo_id when there is no sub', { jti: 'j', puavo_id: 42, id: 7 }, '42'],
    ['id when there is neither', { jti: 'j', id: 7 }, '7'],
    ['a string id', { jti: 'j', id: 'u7' }, 'u7'],
  ])('%s', (_name, claims, sub) => {
    expect(acceptedEvent(claims)).toEqual({ type: 'accepted', jti: 'j', sub });
  });

  test.each([
    ['an object', { jti: 'j', sub: { name: 'x' } }],
    ['a boolean', { jti: 'j', sub: true }],
    ['none at all', { jti: 'j' }],
  ])('a user that is %s is left out', (_name, claims) => {
    expect(acceptedEvent(claims).sub).toBeUndefined();
  });
});

describe('failureEvent: a JwtSsoError below 500 is a refusal; 500 and anything else a fault', () => {
  test.each([
    [Code.SIGNATURE_INVALID, 'refused'], // 401
    [Code.STATE_MISMATCH, 'refused'], // 403
    [Code.KEY_SOURCE_FAILED, 'error'], // 500, the boundary
    [Code.REPLAY_STORE_FAILED, 'error'],
  ] as const)('%s is %s', (code, type) => {
    expect(failureEvent(new JwtSsoError(code, 'x'))).toMatchObject({ type, code });
  });

  test('a plain Error is a fault with no code', () => {
    expect(failureEvent(new Error('boom'))).toEqual({ type: 'error', code: undefined });
  });
});
