// lib/keys/jwks-uri.ts: the `jwksUri` key source, its options, and what it makes of a token's kid
// and of a failure. The fetcher and its cache are jwks.ts's (spec/keys/jwks.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtSsoErrorCode as Code, JwtSsoStrategy } from '../../lib';
import { jwksUriSource } from '../../lib/keys/jwks-uri';
import { parseToken } from '../../lib/token';
import { errorOf } from '../helpers/errors';
import { b64 } from '../helpers/tokens';

const AUTH = 'https://sso.example/login';
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const tokenWithKid = (kid: unknown) => parseToken(`${b64({ alg: 'ES256', ...(kid === undefined ? {} : { kid }) })}.${b64({})}.c2ln`);

let server: Server;
let url = '';
let requests = 0;
let status = 200;
beforeEach(async () => {
  requests = 0;
  status = 200;
  server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: [{ ...key.export({ format: 'jwk' }), kid: 'a' }] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a kid that is not a string is no kid: it never makes the JWKS be fetched again', () => {
  // Past the cool-down (30 s by default) and within the cache's lifetime (600 s): only an unknown
  // kid makes the source fetch again now.
  test.each<[string, unknown, number]>([
    ['a number', 7, 1],
    ['an object', { kid: 'b' }, 1],
    ['an array', ['b'], 1],
    ['null', null, 1],
    ['control: an unknown string kid fetches the set again', 'b', 2],
    ['control: the known string kid does not', 'a', 1],
  ])('%s', async (_name, kid, fetches) => {
    let now = 1_000_000;
    const source = jwksUriSource({ jwksUri: url }, { algorithms: undefined, clock: () => now });
    await source.keysFor({} as never, tokenWithKid(undefined));
    now += 31_000;
    const keys = await source.keysFor({} as never, tokenWithKid(kid));
    expect(keys.map((k) => [k.alg, k.kid])).toEqual([['ES256', 'a']]);
    expect(requests).toBe(fetches);
  });
});

describe("a failure is the key source's fault (500), saying why without repeating what it does not know to be safe", () => {
  test("the JWKS's own reason is given", async () => {
    status = 503;
    const source = jwksUriSource({ jwksUri: url }, { algorithms: undefined, clock: Date.now });
    await expect(source.keysFor({} as never, tokenWithKid('a'))).rejects.toMatchObject({
      code: Code.KEY_SOURCE_FAILED,
      message: expect.stringContaining('(the JWKS endpoint answered 503)') as string,
    });
  });

  test("any other failure (here the app's clock) is named generically; its message stays in the cause", async () => {
    const clock = (): number => {
      throw new Error('clock says S3cr3t');
    };
    const source = jwksUriSource({ jwksUri: url }, { algorithms: undefined, clock });
    const err = (await Promise.resolve()
      .then(() => source.keysFor({} as never, tokenWithKid('a')))
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as Error & { code: string; cause: Error };
    expect(err.code).toBe(Code.KEY_SOURCE_FAILED);
    expect(err.message).toContain('(the JWKS could not be used)');
    expect(err.message).not.toContain('S3cr3t');
    expect(err.cause.message).toBe('clock says S3cr3t');
  });
});

describe('jwksUri must be an absolute URL, and the refusal shows one', () => {
  test.each<[string, unknown]>([
    ['a path', '/jwks.json'],
    ['a host without a scheme', 'sso.example/jwks.json'],
    ['not a string', 42],
  ])('%s', (_name, jwksUri) => {
    const err = errorOf(() => new JwtSsoStrategy({ authEndpoint: AUTH, jwksUri } as never));
    expect(err.code).toBe(Code.INVALID_OPTION);
    expect(err.message).toMatch(/option "jwksUri" must be .*e\.g\. "https:\/\/sso\.example\/\.well-known\/jwks\.json"/);
  });

  test('control: an https URL constructs', () => {
    expect(new JwtSsoStrategy({ authEndpoint: AUTH, jwksUri: 'https://sso.example/.well-known/jwks.json' }).name).toBe('jwtsso');
  });
});
