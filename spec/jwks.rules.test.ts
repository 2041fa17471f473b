// The rules of lib/jwks.ts against a JWKS server on loopback, each at its boundary: the body size
// limit, which statuses are redirects, what each failure says, what the fetch asks for, and when
// a set is fetched again (lifetime, cool-down, unknown kid).
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksError, JwksKeys, keysOfJwks, type JwksOptions } from '../lib/keys/jwks';

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
