import { createServer, type IncomingMessage } from 'node:http';
import express from 'express';
import { JwtSsoErrorCode as Code } from '../lib/errors';
import { isValidHost, requestOrigin, type RequestLike } from '../lib/request-url';
import { expressView } from './helpers/view';

// A request as Express builds it, without a socket: headers, peer address, trust setting.
function req(headers: Record<string, string>, trustProxy?: unknown, remoteAddress = '127.0.0.1', encrypted = false): RequestLike {
  const app = express();
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, socket: { remoteAddress, encrypted }, app } as unknown as RequestLike;
}

describe('isValidHost', () => {
  test.each(['app.example', 'app.example:8080', 'localhost', '127.0.0.1:3000', '[::1]:3000', '[2001:db8::1]', 'my_app.internal', 'a.b.c.'])(
    'accepts %j',
    (h) => expect(isValidHost(h)).toBe(true),
  );
  test.each([
    '',
    'evil.example/path',
    'evil.example?x',
    'evil.example#x',
    'user@evil.example',
    'evil.example:99999',
    'evil.example:',
    'evil.example:-1',
    'evil example',
    'evil.example\r\nX: y',
    '-evil.example',
    'evil..example',
    '[::1',
    '[evil.example]',
    'evil.example\\@good',
    `${'a'.repeat(64)}.example`,
    'a.'.repeat(140),
  ])('refuses %j', (h) => expect(isValidHost(h)).toBe(false));
});

describe('requestOrigin', () => {
  test.each<[string, Record<string, string>, unknown, { host?: string; scheme?: string }, string]>([
    ['Host header, no proxy trusted', { Host: 'app.example' }, undefined, {}, 'http://app.example'],
    [
      'X-Forwarded-Host ignored without trust proxy',
      { Host: 'app.example', 'X-Forwarded-Host': 'evil.example' },
      undefined,
      {},
      'http://app.example',
    ],
    [
      'X-Forwarded-Proto ignored without trust proxy',
      { Host: 'app.example', 'X-Forwarded-Proto': 'https' },
      undefined,
      {},
      'http://app.example',
    ],
    ['X-Scheme ignored without trust proxy', { Host: 'app.example', 'X-Scheme': 'https' }, undefined, {}, 'http://app.example'],
    [
      'proxy headers used with trust proxy',
      { Host: 'internal:3000', 'X-Forwarded-Host': 'app.example', 'X-Forwarded-Proto': 'https' },
      true,
      {},
      'https://app.example',
    ],
    [
      'first of a list of forwarded values',
      { Host: 'i', 'X-Forwarded-Host': 'app.example, evil.example', 'X-Forwarded-Proto': 'https, http' },
      true,
      {},
      'https://app.example',
    ],
    [
      'the original X-Scheme header behind a trusted proxy',
      { Host: 'app.example', 'X-Scheme': 'https' },
      'loopback',
      {},
      'https://app.example',
    ],
    [
      'proxy headers from an untrusted peer',
      { Host: 'app.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' },
      '10.0.0.1',
      {},
      'http://app.example',
    ],
    ['a proto that is not http(s) falls back', { Host: 'app.example', 'X-Forwarded-Proto': 'javascript' }, true, {}, 'http://app.example'],
    [
      'the host option wins over every header',
      { Host: 'evil.example', 'X-Forwarded-Host': 'evil2.example' },
      true,
      { host: 'app.example' },
      'http://app.example',
    ],
    [
      'the scheme option wins over every header',
      { Host: 'app.example', 'X-Forwarded-Proto': 'http' },
      true,
      { scheme: 'https' },
      'https://app.example',
    ],
    [
      'host and scheme options with a hostile Host header',
      { Host: 'evil.example/x?y' },
      undefined,
      { host: 'app.example:8443', scheme: 'https' },
      'https://app.example:8443',
    ],
    ['an upper-case Host is lowered', { Host: 'APP.Example' }, undefined, {}, 'http://app.example'],
  ])('%s', (_name, headers, trust, fixed, expected) => {
    expect(requestOrigin(expressView(req(headers, trust)), fixed)).toBe(expected);
  });

  test('https from a TLS socket', () => {
    expect(requestOrigin(expressView(req({ Host: 'app.example' }, undefined, '127.0.0.1', true)), {})).toBe('https://app.example');
  });

  test.each([
    ['no Host', {}, undefined],
    ['Host with a path', { Host: 'evil.example/path' }, undefined],
    ['Host with userinfo', { Host: 'user@evil.example' }, undefined],
    ['Host with a bad port', { Host: 'app.example:70000' }, undefined],
    ['a trusted X-Forwarded-Host with a path', { Host: 'app.example', 'X-Forwarded-Host': 'evil.example/x' }, true],
  ])('refuses %s', (_name, headers, trust) => {
    expect(() => requestOrigin(expressView(req(headers as Record<string, string>, trust)), {})).toThrow(
      expect.objectContaining({ code: Code.HOST_INVALID }),
    );
  });

  test('reads a real IncomingMessage without Express (no trust: proxy headers ignored)', async () => {
    const seen = await new Promise<string>((resolve, reject) => {
      const server = createServer((r: IncomingMessage, res) => {
        resolve(requestOrigin(expressView(r as RequestLike), {}));
        res.end();
        server.close();
        server.closeAllConnections();
      }).listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        fetch(`http://127.0.0.1:${port}/`, { headers: { 'X-Forwarded-Host': 'evil.example' } }).catch(reject);
      });
    });
    expect(seen).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('the rules of a public origin, at their edges', () => {
  test.each<[string, boolean]>([
    ['a.example:65535', true],
    ['a.example:65536', false],
    ['a.example:0', true],
    [`${Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.')}:65535`, true], // 261 characters: the longest
    [`${Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.')}.:65535`, false], // 262
    [`${'a'.repeat(63)}.example`, true],
  ])('isValidHost(%j) is %p', (host, valid) => {
    expect(isValidHost(host)).toBe(valid);
  });

  test.each<[string, Record<string, string | string[]>, unknown, { host?: string; scheme?: string }, string]>([
    ['an upper-case forwarded proto', { Host: 'app.example', 'X-Forwarded-Proto': 'HTTPS' }, true, {}, 'https://app.example'],
    ['a forwarded proto with spaces', { Host: 'app.example', 'X-Forwarded-Proto': '  https , http' }, true, {}, 'https://app.example'],
    [
      'an empty first forwarded proto falls to X-Scheme',
      { Host: 'app.example', 'X-Forwarded-Proto': ', http', 'X-Scheme': 'https' },
      true,
      {},
      'https://app.example',
    ],
    [
      'X-Forwarded-Proto before X-Scheme',
      { Host: 'app.example', 'X-Forwarded-Proto': 'https', 'X-Scheme': 'http' },
      true,
      {},
      'https://app.example',
    ],
    [
      'an empty first forwarded host falls to Host',
      { Host: 'app.example', 'X-Forwarded-Host': ', evil.example' },
      true,
      {},
      'http://app.example',
    ],
    [
      'a header given twice (an array): the first counts',
      { Host: 'app.example', 'X-Forwarded-Host': ['a.example', 'evil.example'] },
      true,
      {},
      'http://a.example',
    ],
    [
      'the host option and a trusted forwarded proto',
      { Host: 'evil.example', 'X-Forwarded-Proto': 'https' },
      true,
      { host: 'app.example' },
      'https://app.example',
    ],
    [
      'the scheme option and a trusted forwarded host',
      { Host: 'internal', 'X-Forwarded-Host': 'app.example', 'X-Forwarded-Proto': 'http' },
      true,
      { scheme: 'https' },
      'https://app.example',
    ],
  ])('%s', (_name, headers, trust, fixed, expected) => {
    expect(requestOrigin(expressView(req(headers as Record<string, string>, trust)), fixed)).toBe(expected);
  });

  test('a trusted proxy saying http is believed over a TLS socket', () => {
    const r = req({ Host: 'app.example', 'X-Forwarded-Proto': 'http' }, true, '127.0.0.1', true);
    expect(requestOrigin(expressView(r), {})).toBe('http://app.example');
  });

  test.each<[string, RequestLike['app']]>([
    ['an app without get()', {}],
    ['a trust setting that is not a function', { get: () => true }],
    ['a trust function that answers a truthy non-boolean', { get: () => () => 'yes' }],
  ])('proxy headers are ignored with %s', (_name, app) => {
    const r = { headers: { host: 'app.example', 'x-forwarded-host': 'evil.example' }, socket: { remoteAddress: '127.0.0.1' }, app };
    expect(requestOrigin(expressView(r as unknown as RequestLike), {})).toBe('http://app.example');
  });

  test('the trust function is asked about the peer address, as hop 0', () => {
    const asked: unknown[] = [];
    const app = { get: () => (address: string, hop: number) => (asked.push([address, hop]), true) };
    const r = { headers: { host: 'i', 'x-forwarded-host': 'app.example' }, socket: { remoteAddress: '10.1.2.3' }, app };
    expect(requestOrigin(expressView(r as unknown as RequestLike), {})).toBe('http://app.example');
    expect(asked).toEqual([['10.1.2.3', 0]]);
  });

  test('a bad Host is refused with a message that names the header and the "host" option', () => {
    expect(() => requestOrigin(expressView(req({ Host: 'evil.example/x' })), {})).toThrow(
      /Host header is missing or not a valid host\[:port\].*"host" option/,
    );
  });
});
