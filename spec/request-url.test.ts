import { createServer, type IncomingMessage } from 'node:http';
import express from 'express';
import { JwtSsoErrorCode as Code } from '../lib/errors';
import { isValidHost, requestOrigin, type RequestLike } from '../lib/request-url';

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
    expect(requestOrigin(req(headers, trust), fixed)).toBe(expected);
  });

  test('https from a TLS socket', () => {
    expect(requestOrigin(req({ Host: 'app.example' }, undefined, '127.0.0.1', true), {})).toBe('https://app.example');
  });

  test.each([
    ['no Host', {}, undefined],
    ['Host with a path', { Host: 'evil.example/path' }, undefined],
    ['Host with userinfo', { Host: 'user@evil.example' }, undefined],
    ['Host with a bad port', { Host: 'app.example:70000' }, undefined],
    ['a trusted X-Forwarded-Host with a path', { Host: 'app.example', 'X-Forwarded-Host': 'evil.example/x' }, true],
  ])('refuses %s', (_name, headers, trust) => {
    expect(() => requestOrigin(req(headers as Record<string, string>, trust), {})).toThrow(
      expect.objectContaining({ code: Code.HOST_INVALID }),
    );
  });

  test('reads a real IncomingMessage without Express (no trust: proxy headers ignored)', async () => {
    const seen = await new Promise<string>((resolve, reject) => {
      const server = createServer((r: IncomingMessage, res) => {
        resolve(requestOrigin(r as RequestLike, {}));
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
