// jwksUri against a JWKS server on loopback: rotation, a slow one, a huge one, one that
// redirects, an unknown-kid storm, and headers that name URLs (never requested).
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtSsoErrorCode as Code, type JwtSsoStrategyBaseOptions } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { b64, puavoClaims } from '../helpers/tokens';
import { JwksError, JwksKeys, keysOfJwks, type JwksOptions } from '../../lib/keys/jwks';

const keyA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (key: KeyObject, kid: string, extra: object = {}) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', ...extra });

function es256(privateKey: KeyObject, kid: string, claims = puavoClaims(), header: object = {}): string {
  const input = `${b64({ alg: 'ES256', kid, ...header })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
function rs256(privateKey: KeyObject, kid: string, claims = puavoClaims()): string {
  const input = `${b64({ alg: 'RS256', kid })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** A JWKS server whose answer the test sets; it records every request it gets. */
class JwksServer {
  requests: string[] = [];
  keys: object[] = [jwk(keyA.publicKey, 'a')];
  mode: 'ok' | 'slow' | 'huge' | 'redirect' | 'error' | 'notjson' | 'nokeys' = 'ok';
  server!: Server;
  url = '';
  async start() {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      if (this.mode === 'slow') return void setTimeout(() => res.end(JSON.stringify({ keys: this.keys })), 3000).unref();
      if (this.mode === 'redirect') return void res.writeHead(302, { Location: `${this.url}/elsewhere` }).end();
      if (this.mode === 'error') return void res.writeHead(500).end();
      if (this.mode === 'notjson') return void res.end('<html>maintenance</html>');
      if (this.mode === 'nokeys') return void res.end(JSON.stringify({ jwks: this.keys }));
      if (this.mode === 'huge') return void res.end(JSON.stringify({ keys: this.keys, pad: 'x'.repeat(200_000) }));
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: this.keys }));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

let jwks: JwksServer;
let app: TestApp;
let now: number;
beforeEach(async () => {
  jwks = new JwksServer();
  await jwks.start();
  now = Date.now();
});
afterEach(async () => {
  await app?.close();
  await jwks.close();
});

async function withJwks(extra: Partial<JwtSsoStrategyBaseOptions> = {}) {
  app = await startApp({
    strategy: { sharedSecret: undefined, jwksUri: `${jwks.url}/jwks.json`, jwksTimeout: 0.5, state: false, clock: () => now, ...extra },
  });
}

async function attempt(token: string): Promise<{ status: number; code: string | null }> {
  const browser = app.browser();
  const callback = await browser.get(`/checked?jwt=${token}`);
  // A token refused on arrival (too long) gets no redirect.
  const res = callback.status === 303 ? await browser.get(callback.headers.location!) : callback;
  return { status: res.status, code: res.body.code ?? null };
}

test('a token signed with a JWKS key is accepted; the JWKS is fetched once and cached', async () => {
  await withJwks();
  expect((await attempt(es256(keyA.privateKey, 'a'))).status).toBe(200);
  expect((await attempt(es256(keyA.privateKey, 'a'))).status).toBe(200);
  expect(jwks.requests).toEqual(['/jwks.json']);
});

test('key rotation: a new kid is fetched after the cool-down', async () => {
  await withJwks({ jwksCooldown: 30 });
  expect((await attempt(es256(keyA.privateKey, 'a'))).status).toBe(200);
  jwks.keys = [jwk(keyA.publicKey, 'a'), jwk(keyB.publicKey, 'b')];
  now += 31_000;
  expect((await attempt(rs256(keyB.privateKey, 'b', puavoClaims(Math.floor(now / 1000))))).status).toBe(200);
  expect(jwks.requests).toHaveLength(2);
});

test('an unknown-kid storm costs at most one fetch per cool-down, and each token is refused', async () => {
  await withJwks({ jwksCooldown: 30 });
  expect((await attempt(es256(keyA.privateKey, 'a'))).status).toBe(200);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(es256(keyA.privateKey, `unknown-${i}`))));
  expect(results.every((r) => r.status === 401 && r.code === Code.SIGNATURE_INVALID)).toBe(true);
  expect(jwks.requests).toHaveLength(1); // within the cool-down of the first fetch
  now += 30_000;
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => attempt(es256(keyA.privateKey, `later-${i}`, puavoClaims(Math.floor(now / 1000))))),
  );
  expect(jwks.requests).toHaveLength(2);
});

test.each<[string, JwksServer['mode'], RegExp]>([
  ['a slow JWKS times out', 'slow', /did not answer within 500 ms/],
  ['a huge JWKS is refused past the size limit', 'huge', /larger than 65536 bytes/],
  ['a redirecting JWKS is not followed', 'redirect', /answered 302 \(redirects are not followed\)/],
  ['a failing JWKS', 'error', /answered 500/],
  ['a JWKS that is not JSON', 'notjson', /not JSON/],
  ['a JWKS without a keys array', 'nokeys', /no "keys" array/],
])('%s: error() 500, never an acceptance', async (_name, mode, cause) => {
  jwks.mode = mode;
  app = await startApp({
    strategy: { sharedSecret: undefined, jwksUri: `${jwks.url}/jwks.json`, jwksTimeout: 0.5, state: false, clock: () => now },
  });
  const res = await attempt(es256(keyA.privateKey, 'a'));
  expect(res).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
  expect(app.verified).toHaveLength(0);
  expect(jwks.requests.filter((r) => r === '/elsewhere')).toEqual([]);
  expect(app.errors.at(-1)).toMatch(cause);
});

test.each<[string, object]>([
  ['jku', { jku: '/jku' }],
  ['x5u', { x5u: '/x5u' }],
  ['jwk', { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'x' } }],
])('a %s header is never followed or used: the loopback server records no request for it', async (_name, header) => {
  await withJwks();
  const withUrls = Object.fromEntries(Object.entries(header).map(([k, v]) => [k, typeof v === 'string' ? `${jwks.url}${v}` : v]));
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const res = await attempt(es256(attacker.privateKey, 'a', puavoClaims(), withUrls));
  expect(res.code).toBe(Code.SIGNATURE_INVALID);
  expect(jwks.requests.filter((r) => r !== '/jwks.json')).toEqual([]);
});

test.each<[string, string, Code]>([
  ['a path', '../../../etc/passwd', Code.SIGNATURE_INVALID],
  ['SQL', "a' OR '1'='1", Code.SIGNATURE_INVALID],
  ['a NUL byte', 'a\u0000b', Code.SIGNATURE_INVALID],
  ['a lookup string', '${jndi:ldap://127.0.0.1/x}', Code.SIGNATURE_INVALID],
  // 7,000 characters make the token longer than 8 KiB: refused before any key is looked up.
  ['7,000 characters', 'a'.repeat(7000), Code.TOKEN_MALFORMED],
])('a kid of %s matches no key and reaches nothing else', async (_name, kid, code) => {
  await withJwks();
  const res = await attempt(es256(keyA.privateKey, kid));
  expect(res.code).toBe(code);
  expect(jwks.requests.every((r) => r === '/jwks.json')).toBe(true);
});

test('JWKS entries that are secrets, private keys or for encryption are ignored', async () => {
  jwks.keys = [
    { kty: 'oct', k: Buffer.from('secret').toString('base64url'), kid: 'a' },
    { ...keyA.privateKey.export({ format: 'jwk' }), kid: 'a' },
    { ...jwk(keyA.publicKey, 'a'), use: 'enc' },
  ];
  await withJwks();
  const input = `${b64({ alg: 'HS256', kid: 'a' })}.${b64(puavoClaims())}`;
  const hs = `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
  expect((await attempt(hs)).code).toBe(Code.ALGORITHM_NOT_ALLOWED);
  expect((await attempt(es256(keyA.privateKey, 'a'))).code).toBe(Code.ALGORITHM_NOT_ALLOWED);
});

describe('the cache: a lifetime, and a failed fetch is a fault that is tried again', () => {
  const nowS = () => Math.floor(now / 1000);
  function es256NoKid(privateKey: KeyObject, claims = puavoClaims(nowS())): string {
    const input = `${b64({ alg: 'ES256' })}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  test.each<[string, JwksServer['mode']]>([
    ['answers 500', 'error'],
    ['is not JSON', 'notjson'],
    ['has no keys array', 'nokeys'],
    ['redirects', 'redirect'],
  ])(
    'a first fetch that %s: tokens without kid are 500 KEY_SOURCE_FAILED, tried again after the cool-down for any token',
    async (_name, mode) => {
      jwks.mode = mode;
      await withJwks({ jwksCooldown: 30 });
      expect(await attempt(es256NoKid(keyA.privateKey))).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
      now += 29_000;
      expect(await attempt(es256NoKid(keyA.privateKey))).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
      expect(jwks.requests).toHaveLength(1); // within the cool-down: not hammered
      jwks.mode = 'ok';
      now += 1_000;
      expect(await attempt(es256NoKid(keyA.privateKey))).toEqual({ status: 200, code: null });
      expect(jwks.requests).toHaveLength(2);
      expect(app.verified).toHaveLength(1);
    },
  );

  test('a key removed from the JWKS stops verifying once the cache lifetime has passed', async () => {
    const keyC = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await withJwks({ jwksCacheMaxAge: 600 });
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    jwks.keys = [jwk(keyC.publicKey, 'c')]; // key a revoked
    now += 599_000;
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200); // still cached
    expect(jwks.requests).toHaveLength(1);
    now += 1_000;
    expect(await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).toEqual({ status: 401, code: Code.SIGNATURE_INVALID });
    expect(jwks.requests).toHaveLength(2);
    // control: the key that replaced it verifies
    expect((await attempt(es256(keyC.privateKey, 'c', puavoClaims(nowS())))).status).toBe(200);
  });

  test('the default lifetime is 10 minutes', async () => {
    await withJwks();
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    now += 599_999;
    await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())));
    expect(jwks.requests).toHaveLength(1);
    now += 1;
    await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())));
    expect(jwks.requests).toHaveLength(2);
  });

  test('an expired set whose refetch fails is not used (fail closed), and recovers after the cool-down', async () => {
    await withJwks({ jwksCacheMaxAge: 60, jwksCooldown: 30 });
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    jwks.mode = 'error';
    now += 60_000;
    expect(await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
    expect(app.errors.at(-1)).toMatch(/answered 500/);
    now += 10_000;
    expect(await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
    expect(jwks.requests).toHaveLength(2);
    jwks.mode = 'ok';
    now += 20_000;
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    expect(jwks.requests).toHaveLength(3);
  });

  test('a cache lifetime shorter than the cool-down still refetches after each lifetime while fetches succeed', async () => {
    await withJwks({ jwksCacheMaxAge: 5, jwksCooldown: 30 });
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    now += 5_000;
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    expect(jwks.requests).toHaveLength(2);
  });

  test('an unknown kid whose refetch fails is a fault, not a bad token; known kids keep working', async () => {
    await withJwks({ jwksCooldown: 30 });
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    jwks.mode = 'error';
    now += 30_000;
    expect(await attempt(es256(keyA.privateKey, 'new', puavoClaims(nowS())))).toEqual({ status: 500, code: Code.KEY_SOURCE_FAILED });
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
  });

  test('concurrent tokens on an expired set share one fetch', async () => {
    await withJwks({ jwksCacheMaxAge: 60 });
    expect((await attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))).status).toBe(200);
    now += 60_000;
    const results = await Promise.all(Array.from({ length: 10 }, () => attempt(es256(keyA.privateKey, 'a', puavoClaims(nowS())))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(jwks.requests).toHaveLength(2);
  });

  test.each([0, -1, 'x', Number.NaN, Infinity])('jwksCacheMaxAge %p is refused at construction', async (value) => {
    await expect(withJwks({ jwksCacheMaxAge: value as number })).rejects.toThrow(/"jwksCacheMaxAge"/);
  });
});

// The rules of lib/jwks.ts against a JWKS server on loopback, each at its boundary: the body size
// limit, which statuses are redirects, what each failure says, what the fetch asks for, and when
// a set is fetched again (lifetime, cool-down, unknown kid).
describe('jwksUri at its boundaries: body size, statuses, what a fetch asks for, when a set is fetched again', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwkOf = (extra: object = {}) => ({ ...ec.publicKey.export({ format: 'jwk' }), kid: 'a', ...extra });

  /** A JWKS server whose status and body the test sets; it records each request's headers. */
  let server: Server;
  let url: string;
  let status: number;
  let body: string;
  let requests: IncomingHttpHeaders[];
  beforeEach(async () => {
    status = 200;
    body = JSON.stringify({ keys: [jwkOf()] });
    requests = [];
    server = createServer((req, res) => {
      requests.push(req.headers);
      res.writeHead(status, status >= 300 && status < 400 ? { Location: '/elsewhere' } : {});
      res.end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  let now: number;
  const jwks = (options: Partial<JwksOptions> = {}, uri = url) =>
    new JwksKeys(uri, {
      timeoutMs: 1000,
      cooldownMs: 30_000,
      cacheMaxAgeMs: 600_000,
      maxBytes: 65_536,
      algorithms: undefined,
      clock: () => now,
      ...options,
    });
  beforeEach(() => {
    now = 1_000_000;
  });
  const failureOf = async (keys: JwksKeys, kid?: string): Promise<JwksError> => {
    try {
      await keys.keysFor(kid);
    } catch (err) {
      return err as JwksError;
    }
    throw new Error('expected a failure');
  };

  describe('the body size limit: a body of exactly maxBytes is read, one byte more is refused', () => {
    test('exactly maxBytes', async () => {
      const keys = await jwks({ maxBytes: Buffer.byteLength(body) }).keysFor('a');
      expect(keys.map((k) => k.kid)).toEqual(['a']);
    });

    test('one byte more: a JwksError that names the limit', async () => {
      const err = await failureOf(jwks({ maxBytes: Buffer.byteLength(body) - 1 }));
      expect(err).toBeInstanceOf(JwksError);
      expect(err.message).toMatch(new RegExp(`larger than ${Buffer.byteLength(body) - 1} bytes`));
    });
  });

  describe('a status other than 200 is a failure that names it; only 3xx says redirects are not followed', () => {
    test.each([
      [201, false],
      [204, false],
      [300, true],
      [301, true],
      [399, true],
      [400, false],
      [404, false],
      [503, false],
    ])('%i', async (code, redirect) => {
      status = code;
      const err = await failureOf(jwks());
      expect(err).toBeInstanceOf(JwksError);
      expect(err.message).toMatch(new RegExp(`answered ${code}\\b`));
      expect(err.message.includes('redirects are not followed')).toBe(redirect);
    });
  });

  describe('what a fetch asks for and what its failures say', () => {
    test('it asks for JSON', async () => {
      await jwks().keysFor('a');
      expect(requests).toHaveLength(1);
      expect(requests[0]!.accept).toBe('application/json');
    });

    test('an endpoint nothing listens on: could not be reached', async () => {
      const closed = url.replace(/:\d+\//, ':1/');
      const err = await failureOf(jwks({}, closed));
      expect(err).toBeInstanceOf(JwksError);
      expect(err.message).toBe('the JWKS endpoint could not be reached');
      expect((err.cause as { message?: string }).message).toBe('fetch failed'); // the cause is kept
    });

    test("a failure of the fetch's own making (here the app's clock) is a JwksError too, the original as its cause", async () => {
      let calls = 0;
      const failing = new Error('the clock broke');
      const clock = (): number => {
        calls += 1;
        if (calls === 2) throw failing; // the attempt's own reading, after keysFor's
        return now;
      };
      const err = await failureOf(jwks({ clock }));
      expect(err).toBeInstanceOf(JwksError);
      expect(err.message).toBe('the JWKS could not be read');
      expect(err.cause).toBe(failing);
    });

    test('a body that is not JSON: says so', async () => {
      body = '{"keys": [';
      expect((await failureOf(jwks())).message).toMatch(/not JSON/);
    });
  });

  describe('when a set is fetched again', () => {
    test('a token without kid on a fresh set fetches nothing more', async () => {
      const keys = jwks();
      await keys.keysFor(undefined);
      now += 29_999;
      await keys.keysFor(undefined);
      now += 60_000;
      await keys.keysFor(undefined);
      expect(requests).toHaveLength(1);
    });

    test('a known kid never fetches again within the lifetime, even past the cool-down', async () => {
      const keys = jwks();
      await keys.keysFor('a');
      now += 300_000;
      await keys.keysFor('a');
      expect(requests).toHaveLength(1);
    });

    test.each<[string, string, number]>([
      ['the first key', 'a', 1],
      ['the second key', 'b', 1],
      ['control: a kid of neither fetches again', 'c', 2],
    ])('a kid of any key of a set of several never fetches again: %s', async (_name, kid, fetches) => {
      body = JSON.stringify({ keys: [jwkOf(), jwkOf({ kid: 'b' })] });
      const keys = jwks();
      await keys.keysFor('a');
      now += 300_000; // past the cool-down, within the lifetime
      expect((await keys.keysFor(kid)).map((k) => k.kid)).toEqual(['a', 'b']);
      expect(requests).toHaveLength(fetches);
    });

    test('an unknown kid fetches again only once the cool-down has passed, at its exact end', async () => {
      const keys = jwks({ cooldownMs: 30_000 });
      await keys.keysFor('a');
      now += 29_999;
      await keys.keysFor('b');
      expect(requests).toHaveLength(1);
      now += 1;
      await keys.keysFor('b');
      expect(requests).toHaveLength(2);
    });

    test('the lifetime ends at its exact end: one millisecond before, the set is used', async () => {
      const keys = jwks({ cacheMaxAgeMs: 60_000 });
      await keys.keysFor('a');
      now += 59_999;
      await keys.keysFor('a');
      expect(requests).toHaveLength(1);
      now += 1;
      await keys.keysFor('a');
      expect(requests).toHaveLength(2);
    });

    test('a recovery clears the failure: a later expired set is fetched again, even within the cool-down', async () => {
      status = 500;
      const keys = jwks({ cacheMaxAgeMs: 5_000, cooldownMs: 30_000 });
      await failureOf(keys);
      now += 30_000;
      status = 200;
      expect((await keys.keysFor('a')).map((k) => k.kid)).toEqual(['a']);
      now += 5_000; // expired again, 5 s into the cool-down of the last attempt
      expect((await keys.keysFor('a')).map((k) => k.kid)).toEqual(['a']);
      expect(requests).toHaveLength(3);
    });

    test('tokens that arrive while the first attempt after a failure is in flight share it and its success', async () => {
      status = 500;
      const keys = jwks({ cooldownMs: 30_000 });
      await failureOf(keys);
      now += 30_000;
      status = 200;
      const results = await Promise.all([keys.keysFor(undefined), keys.keysFor(undefined)]);
      expect(results.map((r) => r.map((k) => k.kid))).toEqual([['a'], ['a']]);
      expect(requests).toHaveLength(2);
    });

    test('tokens with a new kid that arrive while its fetch is in flight share it and see the new key', async () => {
      const keys = jwks({ cooldownMs: 30_000 });
      await keys.keysFor('a');
      body = JSON.stringify({ keys: [jwkOf(), jwkOf({ kid: 'b' })] });
      now += 30_000;
      const results = await Promise.all([keys.keysFor('b'), keys.keysFor('b')]);
      expect(results.map((r) => r.map((k) => k.kid))).toEqual([
        ['a', 'b'],
        ['a', 'b'],
      ]);
      expect(requests).toHaveLength(2);
    });

    test('after a failure the next token within the cool-down gets the same failure, with no fetch', async () => {
      status = 500;
      const keys = jwks({ cooldownMs: 30_000 });
      const first = await failureOf(keys);
      now += 29_999;
      expect(await failureOf(keys)).toBe(first);
      expect(requests).toHaveLength(1);
    });
  });

  describe('keysOfJwks: what a JWK may contribute', () => {
    test('a key marked for signatures is used; one with another use is not', () => {
      expect(keysOfJwks({ keys: [jwkOf({ use: 'sig' }), jwkOf({ kid: 'e', use: 'enc' })] }, undefined).map((k) => k.kid)).toEqual(['a']);
    });

    // Hostile entries of a remote JWKS: each is passed over, never read as a key, and never stops
    // the usable key beside it (a null read as an object would throw before the key was reached).
    test.each([
      ['null', null],
      ['undefined (not from JSON, but keysOfJwks is asked of any value)', undefined],
      ['a string', 'a'],
      ['a number', 7],
      ['a boolean', true],
      ['an array', [jwkOf({ kid: 'x' })]],
      ['a private key (its "d")', { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'p' }],
      ['a secret (kty "oct")', { kty: 'oct', k: Buffer.from('secret').toString('base64url'), kid: 'o' }],
    ])('an entry that is %s is passed over; the key beside it is used', (_name, entry) => {
      expect(keysOfJwks({ keys: [entry, jwkOf()] }, undefined).map((k) => k.kid)).toEqual(['a']);
    });

    test('a hole in the keys array is passed over; the key beside it is used', () => {
      // eslint-disable-next-line no-sparse-arrays -- the hole is the input
      expect(keysOfJwks({ keys: [, jwkOf()] }, undefined).map((k) => k.kid)).toEqual(['a']);
    });

    test('a kid that is not a string is not a kid', () => {
      const [key] = keysOfJwks({ keys: [jwkOf({ kid: 7 })] }, undefined);
      expect(key).toBeDefined();
      expect(key).not.toHaveProperty('kid');
    });

    test("a JWK's alg narrows what its type allows: an RSA key marked PS256 under RS256 and PS256 gives PS256 only", () => {
      const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r', alg: 'PS256' };
      expect(keysOfJwks({ keys: [rsaJwk] }, ['RS256', 'PS256']).map((k) => k.alg)).toEqual(['PS256']);
    });

    test.each([null, 'keys', { keys: 'x' }, {}])('a document %j with no keys array is a JwksError', (document) => {
      expect(() => keysOfJwks(document, undefined)).toThrow(/no "keys" array/);
    });
  });
});
