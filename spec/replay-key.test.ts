// replayKey: providers that send no jti keep replay protection, keyed on a hash of the token's
// signed part; never silently none.
import { createSecretKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, MemoryReplayStore } from '../lib';
import { replayId, TOKEN_HASH_PREFIX } from '../lib/replay/key';
import { verifyToken } from '../lib/token';
import { startApp, type TestApp } from './helpers/app';
import { b64, mint, NOW, NOW_MS, puavoClaims, SECRET } from './helpers/tokens';

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
