// replayKey: providers that send no jti keep replay protection, keyed on a hash of the token's
// signed part; never silently none.
import { createSecretKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, MemoryReplayStore } from '../../lib';
import { loginReplayId, LOGIN_PREFIX, replayId, TOKEN_HASH_PREFIX, ESCAPED_JTI_PREFIX, NUMERIC_JTI_PREFIX } from '../../lib/replay/key';
import { verifyToken, type TokenPolicy } from '../../lib/token';
import { startApp, type TestApp } from '../helpers/app';
import { b64, mint, NOW, NOW_MS, puavoClaims, SECRET, raw } from '../helpers/tokens';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const withoutJti = (now = Math.floor(Date.now() / 1000)) => {
  const { jti: _jti, ...claims } = puavoClaims(now);
  return claims;
};

describe('the option', () => {
  test.each<[string, unknown]>([
    ['a misspelling', 'jti-or-hash'],
    ['another case', 'JTI'],
    ['a boolean', true],
    ['null', null],
    ['an empty string', ''],
  ])('refuses %s, naming replayKey', (_name, replayKey) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: 'https://sso.example/', sharedSecret: SECRET, replayKey } as never)).toThrow(
      /option "replayKey" must be one of "jti", "jti-or-token-hash"/,
    );
  });

  test.each(['jti', 'jti-or-token-hash'] as const)('control: accepts %s', (replayKey) => {
    expect(new JwtSsoStrategy({ authEndpoint: 'https://sso.example/', sharedSecret: SECRET, replayKey }).name).toBe('jwtsso');
  });
});

describe('token checks', () => {
  const policy = { keys: [], maxAge: 60, clockTolerance: 5 };
  const key = { alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)) };

  test("default 'jti': a token without jti is refused, and the message names the option", () => {
    expect(() => verifyToken(mint(withoutJti(NOW)), { ...policy, keys: [key] }, NOW_MS)).toThrow(
      expect.objectContaining({
        code: Code.CLAIM_MISSING,
        claim: 'jti',
        message: expect.stringContaining("replayKey: 'jti-or-token-hash'"),
      }),
    );
  });

  test("'jti-or-token-hash': a token without jti passes the checks, and still every time check", () => {
    const claims = verifyToken(mint(withoutJti(NOW)), { ...policy, keys: [key], replayKey: 'jti-or-token-hash' }, NOW_MS);
    expect(claims.jti).toBeUndefined();
    expect(() => verifyToken(mint(withoutJti(NOW - 300)), { ...policy, keys: [key], replayKey: 'jti-or-token-hash' }, NOW_MS)).toThrow(
      expect.objectContaining({ code: Code.TOKEN_TOO_OLD }),
    );
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['a number', 7],
    ['an empty string', ''],
  ])("'jti-or-token-hash' still refuses a jti that is %s", (_name, jti) => {
    expect(() =>
      verifyToken(mint({ ...withoutJti(NOW), jti }), { ...policy, keys: [key], replayKey: 'jti-or-token-hash' }, NOW_MS),
    ).toThrow(expect.objectContaining({ claim: 'jti' }));
  });
});

describe('replayId', () => {
  test('a jti is the key as it is', () => {
    expect(replayId('jti-or-token-hash', { jti: 'abc' }, 'h.p.s')).toBe('abc');
  });

  test('without jti: a hash of header.payload, so a re-encoded ECDSA signature (high S) is the same token', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${b64({ alg: 'ES256' })}.${b64({ iat: NOW })}`;
    const sig = cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt('0x' + sig.subarray(32).toString('hex'));
    const highS = Buffer.concat([sig.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    const a = replayId('jti-or-token-hash', {}, `${input}.${sig.toString('base64url')}`);
    const b = replayId('jti-or-token-hash', {}, `${input}.${highS.toString('base64url')}`);
    expect(a).toBe(b);
    expect(a.startsWith(TOKEN_HASH_PREFIX)).toBe(true);
    expect(a).not.toContain(input); // a hash, not the token
  });

  test('control: different payloads, different keys', () => {
    expect(replayId('jti-or-token-hash', {}, 'h.p1.s')).not.toBe(replayId('jti-or-token-hash', {}, 'h.p2.s'));
  });

  test("with 'jti', a token without one never reaches the store", () => {
    expect(() => replayId('jti', {}, 'h.p.s')).toThrow();
  });
});

describe('through a real app', () => {
  test('a token without jti signs in once, and its replay is refused', async () => {
    const store = new MemoryReplayStore();
    app = await startApp({ strategy: { state: false, replayKey: 'jti-or-token-hash', replayStore: store } });
    const token = mint(withoutJti());
    for (const expected of [200, 401]) {
      const browser = app.browser();
      const cb = await browser.get(`/checked?jwt=${token}`);
      expect(cb.status).toBe(303);
      const final = await browser.get(cb.headers.location!);
      expect(final.status).toBe(expected);
      if (expected === 401) expect(final.body.code).toBe(Code.TOKEN_REPLAYED);
    }
  });

  test('control: the default refuses it', async () => {
    app = await startApp({ strategy: { state: false } });
    const browser = app.browser();
    const cb = await browser.get(`/checked?jwt=${mint(withoutJti())}`);
    const final = await browser.get(cb.headers.location!);
    expect(final.status).toBe(401);
    expect(final.body.code).toBe(Code.CLAIM_MISSING);
  });
});

// numericJti: a jti that is a finite JSON number (Zendesk's sample token: "jti": 8883362531196.326)
// is accepted only when asked for, and remembered by its canonical text in a key that no string
// jti can take; the same number written two ways is one id; never no replay protection.
describe('numericJti: a numeric jti only when asked for, keyed by its canonical text', () => {
  const HS256 = { alg: 'HS256' };
  const key = { alg: 'HS256' as const, key: createSecretKey(Buffer.from(SECRET)) };
  const policy: TokenPolicy = { keys: [key], maxAge: 60, clockTolerance: 5 };
  const numeric: TokenPolicy = { ...policy, numericJti: true };

  /** A payload whose jti is written exactly as `jtiText` (raw JSON: 1.0, -0, 1e400 survive as written). */
  const payloadText = (jtiText: string | undefined, iat = NOW) =>
    `{"iat":${iat},${jtiText === undefined ? '' : `"jti":${jtiText},`}"sub":"42","name":"Test User","email":"tuser@example.org"}`;
  const token = (jtiText: string | undefined, iat = NOW) => raw(HS256, payloadText(jtiText, iat));

  const outcome = (jtiText: string | undefined, p: TokenPolicy): { code: string; message?: string; key?: string } => {
    const t = token(jtiText);
    try {
      const claims = verifyToken(t, p, NOW_MS);
      return { code: 'accepted', key: replayId(p.replayKey ?? 'jti', claims, t) };
    } catch (err) {
      return { code: (err as { code: string }).code, message: (err as Error).message };
    }
  };

  describe('the option', () => {
    test.each<[string, unknown]>([
      ['a string "true"', 'true'],
      ['1', 1],
      ['null', null],
      ['"numeric"', 'numeric'],
    ])('refuses %s, naming numericJti', (_name, numericJti) => {
      expect(() => new JwtSsoStrategy({ authEndpoint: 'https://sso.example/', sharedSecret: SECRET, numericJti } as never)).toThrow(
        /^JwtSsoStrategy: option "numericJti" must be true or false/,
      );
    });

    test.each([true, false])('control: accepts %s', (numericJti) => {
      expect(new JwtSsoStrategy({ authEndpoint: 'https://sso.example/', sharedSecret: SECRET, numericJti }).name).toBe('jwtsso');
    });
  });

  describe('without numericJti (the default): a numeric jti is refused, and the message says which option accepts it', () => {
    test.each(['8883362531196.326', '1', '0', '-1', '1.5'])('%s', (jtiText) => {
      const got = outcome(jtiText, policy);
      expect(got.code).toBe(Code.CLAIM_INVALID);
      expect(got.message).toBe(
        'The token\'s "jti" claim is a number, not a string: set the option numericJti: true if the provider sends numeric token ids (Zendesk-style).',
      );
    });
  });

  describe('with numericJti: true', () => {
    // [what, the jti as JSON text, the replay key, or the refusal's code]
    test.each<[string, string | undefined, string]>([
      // Legitimate numeric ids (controls).
      ["Zendesk's sample", '8883362531196.326', 'number:8883362531196.326'],
      ['an integer', '1', 'number:1'],
      ['1.0: the same number as 1', '1.0', 'number:1'],
      ['1e0 and 10e-1: the same number as 1', '10e-1', 'number:1'],
      ['0', '0', 'number:0'],
      ['-0: the same number as 0 (String(-0) is "0")', '-0', 'number:0'],
      ['a negative number', '-5', 'number:-5'],
      ['an integer beyond 2^53, kept as its double', '12345678901234567890', 'number:12345678901234567000'],
      ['1e21: exponent form', '1e21', 'number:1e+21'],
      ['the smallest double', '5e-324', 'number:5e-324'],
      ['the largest double', '1.7976931348623157e308', 'number:1.7976931348623157e+308'],
      // Strings stay strings; one that looks like a number is another id than the number.
      ['the string "1": another id than the number 1', '"1"', '1'],
      ['the string "NaN"', '"NaN"', 'NaN'],
      ['a string that begins with the numeric prefix: escaped', '"number:1"', 'string:number:1'],
      ['a string that begins with the hash prefix: escaped', '"token-sha256:abc"', 'string:token-sha256:abc'],
      ['a string that begins with the escape prefix: escaped again', '"string:x"', 'string:string:x'],
      // Hostile: refused, never remembered by nothing.
      ['1e400 (JSON.parse: Infinity)', '1e400', Code.CLAIM_INVALID],
      ['-1e400 (-Infinity)', '-1e400', Code.CLAIM_INVALID],
      ['an object', '{"n":1}', Code.CLAIM_INVALID],
      ['an empty object', '{}', Code.CLAIM_INVALID],
      ['an array of a number', '[1]', Code.CLAIM_INVALID],
      ['an empty array', '[]', Code.CLAIM_INVALID],
      ['true', 'true', Code.CLAIM_INVALID],
      ['false', 'false', Code.CLAIM_INVALID],
      ['an empty string', '""', Code.CLAIM_INVALID],
      ['a string of 257 characters', JSON.stringify('j'.repeat(257)), Code.CLAIM_INVALID],
      ['a string of 100,000 characters', JSON.stringify('j'.repeat(100_000)), Code.TOKEN_MALFORMED],
      ['null', 'null', Code.CLAIM_MISSING],
      ['absent', undefined, Code.CLAIM_MISSING],
      ['NaN (not JSON)', 'NaN', Code.TOKEN_MALFORMED],
      ['Infinity (not JSON)', 'Infinity', Code.TOKEN_MALFORMED],
      ['a hex number (not JSON)', '0x10', Code.TOKEN_MALFORMED],
      ['a leading zero (not JSON)', '01', Code.TOKEN_MALFORMED],
      ['a leading plus (not JSON)', '+1', Code.TOKEN_MALFORMED],
    ])('%s', (_name, jtiText, expected) => {
      const got = outcome(jtiText, numeric);
      if (expected.startsWith('ERR_')) expect(got.code).toBe(expected);
      else expect(got).toEqual({ code: 'accepted', key: expected });
    });

    test('the claim reaches verify as the provider sent it: a number', () => {
      expect(verifyToken(token('8883362531196.326'), numeric, NOW_MS).jti).toBe(8883362531196.326);
      expect(Object.is(verifyToken(token('-0'), numeric, NOW_MS).jti, -0)).toBe(true);
    });

    test('a refused number says why, and what the provider must send', () => {
      expect(outcome('1e400', numeric).message).toBe(
        'The token\'s "jti" claim is not a finite number (1e400 reads as Infinity): the provider must send a finite number or a string.',
      );
      expect(outcome('true', numeric).message).toBe('The token\'s "jti" claim is not a string of 1 to 256 characters, nor a number.');
      expect(outcome('true', policy).message).toBe('The token\'s "jti" claim is not a string of 1 to 256 characters.');
    });

    test("with replayKey 'jti-or-token-hash': absent is hashed, a number is still a number, an object still refused", () => {
      const both: TokenPolicy = { ...numeric, replayKey: 'jti-or-token-hash' };
      expect(outcome(undefined, both).key!.startsWith(TOKEN_HASH_PREFIX)).toBe(true);
      expect(outcome('7', both)).toEqual({ code: 'accepted', key: 'number:7' });
      expect(outcome('{}', both).code).toBe(Code.CLAIM_INVALID);
      expect(outcome('null', both).code).toBe(Code.CLAIM_MISSING);
    });
  });

  describe('replayId: the four kinds of key never collide, and ordinary string ids are kept as 0.1 stored them', () => {
    test.each<[string, unknown, string]>([
      ['a UUID string', '0b4d7a4e-6f2c-4b8e-9d4e-1f2a3b4c5d6e', '0b4d7a4e-6f2c-4b8e-9d4e-1f2a3b4c5d6e'],
      ['"1"', '1', '1'],
      ['1', 1, 'number:1'],
      ['-0', -0, 'number:0'],
      ['0.1 + 0.2', 0.1 + 0.2, 'number:0.30000000000000004'],
      ['"number:1"', 'number:1', 'string:number:1'],
      ['"string:number:1"', 'string:number:1', 'string:string:number:1'],
      ['"token-sha256:x"', 'token-sha256:x', 'string:token-sha256:x'],
      ['"login-sha256:x"', 'login-sha256:x', 'string:login-sha256:x'],
      ['"Number:1" (another case: not a prefix)', 'Number:1', 'Number:1'],
      ['"xnumber:1" (not at the start)', 'xnumber:1', 'xnumber:1'],
    ])('%s', (_name, jti, expected) => {
      expect(replayId('jti', { jti }, 'h.p.s')).toBe(expected);
    });

    test('a hash key is the prefix and 43 base64url characters: the whole SHA-256, printable for any store or log', () => {
      const id = replayId('jti-or-token-hash', {}, `${b64({ alg: 'HS256' })}.${b64({ iat: NOW })}.sig`);
      expect(id).toMatch(/^token-sha256:[A-Za-z0-9_-]{43}$/);
    });

    test('the prefixes are what the keys begin with', () => {
      expect([NUMERIC_JTI_PREFIX, ESCAPED_JTI_PREFIX, TOKEN_HASH_PREFIX, LOGIN_PREFIX]).toEqual([
        'number:',
        'string:',
        'token-sha256:',
        'login-sha256:',
      ]);
    });

    test('the key of a (state, token) pair: the prefix and a whole SHA-256, one per pair, never a token key', () => {
      const pairs: [string, string][] = [
        ['stateA', 'jti-1'],
        ['stateB', 'jti-1'],
        ['stateA', 'jti-2'],
        // A state is base64url (checked live before a token is recorded): the separator cannot occur in it.
        ['stateAj', 'ti-1'],
      ];
      const keys = pairs.map(([state, id]) => loginReplayId(state, id));
      for (const key of keys) expect(key).toMatch(/^login-sha256:[A-Za-z0-9_-]{43}$/);
      expect(new Set(keys).size).toBe(pairs.length);
      expect(loginReplayId('stateA', 'jti-1')).toBe(keys[0]);
      // A jti that looks like a pair key is escaped: it cannot be mistaken for one.
      expect(replayId('jti', { jti: keys[0] }, 'h.p.s')).toBe(`string:${keys[0]}`);
    });

    test('no two of a set of look-alike ids share a key', () => {
      const ids: unknown[] = [1, '1', 'number:1', 'string:number:1', 'string:1', 'string:string:1', 0, '0', 'number:0', 'token-sha256:x'];
      const keys = ids.map((jti) => replayId('jti', { jti }, 'h.p.s'));
      expect(new Set(keys).size).toBe(ids.length);
      // Nor with the hash of a token that has no jti.
      expect(keys).not.toContain(replayId('jti-or-token-hash', {}, 'h.p.s'));
    });

    test.each<[string, unknown]>([
      ['Infinity', Infinity],
      ['NaN', NaN],
      ['an object', {}],
      ['an array', [1]],
      ['true', true],
      ['null', null],
      ['a bigint', 1n],
    ])('a jti that is %s never reaches the store, whatever replayKey says', (_name, jti) => {
      expect(() => replayId('jti', { jti }, 'h.p.s')).toThrow('a token without a usable jti reached the replay store');
      expect(() => replayId('jti-or-token-hash', { jti }, 'h.p.s')).toThrow('a token without a usable jti reached the replay store');
    });
  });

  describe('through a real app', () => {
    let app: TestApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    /** Signs in with a token whose jti is written as `jtiText`; the final status and refusal code. */
    async function signIn(jtiText: string, iat: number): Promise<[number, string | null]> {
      const browser = app!.browser();
      const cb = await browser.get(`/checked?jwt=${token(jtiText, iat)}`);
      expect(cb.status).toBe(303);
      const final = await browser.get(cb.headers.location!);
      return [final.status, final.body.code ?? null];
    }

    test('a numeric jti signs in once; the same number written 1.0, 1e0 or -0 for 0 is a replay; the string "1" is not', async () => {
      app = await startApp({
        strategy: { state: false, numericJti: true, replayStore: new MemoryReplayStore() },
        verify: (claims, done) => done(null, { sub: claims.sub, jti: claims.jti }),
      });
      const now = Math.floor(Date.now() / 1000);
      // Each token differs (its iat), so only the jti can make the second one a replay.
      expect(await signIn('1', now)).toEqual([200, null]);
      expect(await signIn('1.0', now - 1)).toEqual([401, Code.TOKEN_REPLAYED]);
      expect(await signIn('1e0', now - 2)).toEqual([401, Code.TOKEN_REPLAYED]);
      expect(await signIn('"1"', now - 3)).toEqual([200, null]);
      expect(await signIn('0', now - 4)).toEqual([200, null]);
      expect(await signIn('-0', now - 5)).toEqual([401, Code.TOKEN_REPLAYED]);
      expect(await signIn('8883362531196.326', now - 6)).toEqual([200, null]);
      expect(await signIn('8883362531196.3260', now - 7)).toEqual([401, Code.TOKEN_REPLAYED]);
      expect(app.verified.map((c) => (c as { jti: unknown }).jti)).toEqual([1, '1', 0, 8883362531196.326]);
    });

    test('the audit trail names a numeric jti by its text, like a string one', async () => {
      const events: { type: string; jti?: string }[] = [];
      app = await startApp({ strategy: { state: false, numericJti: true, onEvent: (e) => events.push(e) } });
      const now = Math.floor(Date.now() / 1000);
      expect(await signIn('8883362531196.326', now)).toEqual([200, null]);
      expect(await signIn('"abc"', now)).toEqual([200, null]);
      expect(events.filter((e) => e.type === 'accepted').map((e) => e.jti)).toEqual(['8883362531196.326', 'abc']);
    });

    test('control: the default refuses a numeric jti, with the code that names the claim', async () => {
      app = await startApp({ strategy: { state: false } });
      expect(await signIn('8883362531196.326', Math.floor(Date.now() / 1000))).toEqual([401, Code.CLAIM_INVALID]);
      expect(app.verified).toEqual([]);
    });

    test('the raw token text is what is signed: b64 of the payload keeps "1.0" as written', () => {
      // Guards the table above: were the payload re-serialised, 1.0 would read as 1 and prove nothing.
      expect(Buffer.from(token('1.0').split('.')[1]!, 'base64url').toString()).toContain('"jti":1.0,');
      expect(b64(payloadText('1.0'))).toBe(token('1.0').split('.')[1]);
    });
  });
});
