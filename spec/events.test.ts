import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import createDebug from 'debug';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type JwtSsoEvent, type ReplayStore, JwtSsoError } from '../lib';
import { logSafe, MAX_LOGGED_LENGTH, acceptedEvent, emit, failureEvent, listening } from '../lib/events';
import { startApp, type TestApp } from './helpers/app';
import { debugLines } from './helpers/debug';
import { login } from './helpers/flow';
import { mint, puavoClaims, SECRET } from './helpers/tokens';

let app: TestApp;
afterEach(() => app?.close());

describe('onEvent', () => {
  test('a login reports redirect, token-received and accepted (with jti, sub and ip), never a token', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ strategy: { onEvent: (e) => events.push(e) } });
    const claims = puavoClaims();
    const { final, token } = await login(app.browser(), '/protected', claims);
    expect(final.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['redirect', 'token-received', 'accepted']);
    expect(events[2]).toEqual({ type: 'accepted', jti: claims.jti, sub: '42', ip: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(JSON.stringify(events)).not.toContain(token);
  });

  type OnEvent = (e: JwtSsoEvent) => void;
  test.each<[string, (onEvent: OnEvent) => Promise<TestApp>, (a: TestApp) => Promise<void>, JwtSsoEvent['type'], Code]>([
    [
      'a state mismatch is refused',
      (onEvent) => startApp({ strategy: { onEvent } }),
      async (a) => void (await a.browser().get(`/checked?jwt=${mint(puavoClaims())}`)),
      'refused',
      Code.STATE_MISMATCH,
    ],
    [
      'a replay store fault is an error',
      (onEvent) =>
        startApp({ strategy: { onEvent, state: false, replayStore: { consume: () => Promise.reject(new Error('down')) } as ReplayStore } }),
      async (a) => {
        const b = a.browser();
        const cb = await b.get(`/checked?jwt=${mint(puavoClaims())}`);
        await b.get(cb.headers.location!);
      },
      'error',
      Code.REPLAY_STORE_FAILED,
    ],
  ])('%s', async (_name, make, act, type, code) => {
    const events: JwtSsoEvent[] = [];
    app = await make((e) => events.push(e));
    await act(app);
    expect(events.at(-1)).toMatchObject({ type, code });
  });

  test('an onEvent that throws cannot break a login', async () => {
    app = await startApp({
      strategy: {
        onEvent: () => {
          throw new Error('audit log down');
        },
      },
    });
    expect((await login(app.browser())).final.status).toBe(200);
  });
});

describe('logoutUrl', () => {
  const req = { headers: { host: 'evil.example' }, socket: {}, app: undefined } as never;
  test.each<[string, Record<string, unknown>, string | undefined, string]>([
    [
      "Puavo's default, beside the SSO endpoint",
      {},
      undefined,
      'https://api.opinsys.fi/v3/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2F',
    ],
    [
      'a path below mountPoint',
      { mountPoint: '/app' },
      '/bye?x=1',
      'https://api.opinsys.fi/v3/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2Fapp%2Fbye%3Fx%3D1',
    ],
    [
      'an explicit logoutEndpoint, its query kept',
      { logoutEndpoint: 'https://sso.example/out?lang=fi' },
      '/',
      'https://sso.example/out?lang=fi&redirect_to=https%3A%2F%2Fapp.example%2F',
    ],
    [
      'an open redirect attempt //evil',
      {},
      '//evil.example/',
      'https://api.opinsys.fi/v3/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2F',
    ],
    ['an absolute URL', {}, 'https://evil.example/', 'https://api.opinsys.fi/v3/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2F'],
    ['javascript:', {}, 'javascript:alert(1)', 'https://api.opinsys.fi/v3/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2F'],
  ])('%s', (_name, extra, redirectTo, expected) => {
    const strategy = new JwtSsoStrategy({
      authEndpoint: 'https://api.opinsys.fi/v3/sso?x=1',
      sharedSecret: SECRET,
      host: 'app.example',
      scheme: 'https',
      ...extra,
    });
    expect(strategy.logoutUrl(req, redirectTo === undefined ? {} : { redirectTo })).toBe(expected);
  });

  test('refuses a logoutEndpoint that is not an absolute http(s) URL', () => {
    expect(() => new JwtSsoStrategy({ authEndpoint: 'https://a.example/sso', sharedSecret: SECRET, logoutEndpoint: '/logout' })).toThrow(
      '"logoutEndpoint"',
    );
  });
});

// DEBUG=passport-jwtsso, not DEBUG=*: the test client (superagent) and Express's router log the
// URLs they handle, tokens included, which is theirs to print, not this package's.
test('the whole output of logins that succeed and fail, with DEBUG=passport-jwtsso, holds no token and no secret', () => {
  const list = join(mkdtempSync(join(tmpdir(), 'jwtsso-out-')), 'used.json');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'spec/support/noisy-flows.ts', list], {
    cwd: resolve(__dirname, '..'),
    env: { ...process.env, DEBUG: 'passport-jwtsso', TS_NODE_TRANSPILE_ONLY: 'true' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  const output = `${run.stdout}\n${run.stderr}`;
  // The run really printed decisions and refusals: otherwise this test would prove nothing.
  for (const expected of [
    'passport-jwtsso redirect',
    'accepted jti=',
    'ERR_JWTSSO_SIGNATURE_INVALID',
    'ERR_JWTSSO_TOKEN_REPLAYED',
    'ERR_JWTSSO_REPLAY_STORE_FAILED',
  ]) {
    expect(output).toContain(expected);
  }
  const used = JSON.parse(readFileSync(list, 'utf8')) as string[];
  expect(used.length).toBeGreaterThan(10);
  for (const secret of used) {
    expect(output).not.toContain(secret);
    for (const part of secret.split('.')) if (part.length > 20) expect(output).not.toContain(part);
  }
});

describe('log injection: values from a token or a request never forge a log line', () => {
  const HOSTILE: [string, string][] = [
    ['a newline and a forged line', 'abc\nforged: passport-jwtsso accepted jti=admin'],
    ['a carriage return', 'abc\rforged'],
    ['CRLF', 'abc\r\nforged'],
    ['an ANSI escape that clears the screen', 'abc\u001b[2J\u001b[Hforged'],
    ['a NUL byte', 'abc\u0000forged'],
    ['DEL and a C1 control (NEL)', 'abc\u007f\u0085forged'],
    ['the Unicode line separator', 'abc\u2028forged'],
    ['the paragraph separator', 'abc\u2029forged'],
    ['a right-to-left override', 'abc\u202eforged'],
    ['a bidi isolate', 'abc\u2066forged\u2069'],
    // Found by a hostile review: invisible characters that let a value pass for another.
    ['a zero-width space and joiner', 'abc\u200b\u200dforged'],
    ['a byte-order mark and a word joiner', 'abc\ufeff\u2060forged'],
    ['a tag character', 'abc\u{e0041}forged'],
    ['a soft hyphen', 'abc\u00adforged'],
    ['a lone surrogate', 'abc\ud800forged'],
    ['a private-use character', 'abc\ue000forged'],
  ];
  const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

  test.each(HOSTILE)('logSafe escapes %s', (_name, value) => {
    const safe = logSafe(value);
    expect(safe).not.toMatch(UNSAFE);
    expect(safe).toMatch(/^abc\\u/);
    expect(safe).toContain('forged');
  });

  test.each([
    ['a UUID', '3f1c7a52-9b1e-4d7e-8a51-2c9f0e6b7d10'],
    ['text with spaces and accents', 'Åsa Öberg-Niemi #1'],
    ['a backslash', 'a\\b'],
  ])('control: logSafe keeps %s as it is', (_name, value) => {
    expect(logSafe(value)).toBe(value);
  });

  test(`logSafe cuts a value at ${MAX_LOGGED_LENGTH} characters`, () => {
    expect(logSafe('x'.repeat(5000))).toBe('x'.repeat(MAX_LOGGED_LENGTH) + '…');
  });

  test.each(HOSTILE)('a signed jti and sub with %s: each debug line stays one line, onEvent gets it escaped', async (_name, value) => {
    const events: JwtSsoEvent[] = [];
    const lines = await debugLines(async () => {
      app = await startApp({ strategy: { state: false, onEvent: (e) => events.push(e) } });
      const browser = app.browser();
      const callback = await browser.get(`/checked?jwt=${mint(puavoClaims(undefined, { jti: value, sub: value }))}`);
      expect((await browser.get(callback.headers.location!)).status).toBe(200); // the token itself is fine
    });
    const accepted = events.find((e) => e.type === 'accepted')!;
    expect(accepted.jti).toBe(logSafe(value));
    expect(accepted.sub).toBe(logSafe(value));
    expect(lines.some((l) => l.includes('accepted jti=abc'))).toBe(true);
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
  });
});

// The rules of lib/events.ts, each at its boundary: which characters a log line never holds raw
// (the first and last of every escaped range, and their neighbours that stay), where a value is
// cut, what an event carries, and when a failure is a refusal rather than a fault.
describe('events at their boundaries: escaped ranges, the length cut, what an event carries, refusal or fault', () => {
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

    test('listening: only an onEvent (or DEBUG) makes an event worth building', () => {
      expect(listening(undefined)).toBe(false);
      expect(listening(() => undefined)).toBe(true);
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

      test("a refusal's message ends the line after a colon, escaped; no message, no colon", () => {
        emit(undefined, { type: 'refused', code: Code.STATE_MISMATCH, message: 'state gone\nforged' });
        emit(undefined, { type: 'refused', code: Code.STATE_MISMATCH });
        expect(lines[0]).toMatch(/refused ERR_JWTSSO_STATE_MISMATCH: state gone\\u000aforged$/);
        expect(lines[1]).toMatch(/refused ERR_JWTSSO_STATE_MISMATCH$/);
      });

      test('debug alone is listening: events are built for it without an onEvent', () => {
        expect(listening(undefined)).toBe(true);
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

  describe('logSafe writes a code point above U+FFFF as \\u{…}, one at or below as \\u and four hex digits', () => {
    test.each([
      ['U+FFFF (a noncharacter), the last of four digits', '\uffff', '\\uffff'],
      ['U+E0001 (a language tag, a format character)', '\u{e0001}', '\\u{e0001}'],
      ['U+F0000 (private use, plane 15)', '\u{f0000}', '\\u{f0000}'],
    ])('%s', (_name, value, logged) => {
      expect(logSafe(`a${value}b`)).toBe(`a${logged}b`);
    });

    test('control: an emoji (assigned, above U+FFFF) is kept as it is', () => {
      expect(logSafe('a\u{1f600}b')).toBe('a\u{1f600}b');
    });
  });

  describe('acceptedEvent: the jti, a string or a number (numericJti), as a string', () => {
    test.each<[string, unknown, string | undefined]>([
      ['a string', 'j-1', 'j-1'],
      ['a number', 42, '42'],
      ['absent', undefined, undefined],
      ['an object', { id: 1 }, undefined],
      ['a boolean', true, undefined],
    ])('%s', (_name, jti, logged) => {
      expect(acceptedEvent({ jti, sub: 'u' }).jti).toBe(logged);
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
});
