// lib/frameworks/index.ts: which adapter claims a request, by a cheap test of its shape, and what
// each one's view writes to. Shapes that look almost like a framework's are claimed by the next
// (in the end the bare Node fallback, which has no response), never half-used.
import { PassThrough } from 'node:stream';
import { JwtSsoErrorCode as Code } from '../../lib/errors';
import { clientIpOf, requestView } from '../../lib/frameworks';
import { REPLY_LINK } from '../../lib/frameworks/fastify';

type Call = [string, string, unknown];

// A recorder standing in for each framework's response object.
function recorder() {
  const calls: Call[] = [];
  const headers = new Map<string, unknown>();
  return {
    calls,
    express: {
      headersSent: false,
      setHeader: (n: string, v: string) => void calls.push(['set', n, v]),
      appendHeader: (n: string, v: string) => void calls.push(['append', n, v]),
    },
    koa: {
      headerSent: false,
      set: (n: string, v: string) => void calls.push(['set', n, v]),
      append: (n: string, v: string) => void calls.push(['append', n, v]),
    },
    fastify: {
      sent: false,
      header: (n: string, v: unknown) => void (calls.push(['header', n, v]), headers.set(n.toLowerCase(), v)),
      getHeader: (n: string) => headers.get(n.toLowerCase()),
    },
  };
}

describe('the adapter that claims each shape writes where that framework keeps its response', () => {
  test.each<[string, (r: ReturnType<typeof recorder>) => object, Call[]]>([
    [
      'Express: req.res',
      (r) => ({ url: '/p', res: r.express }),
      [
        ['set', 'X-A', '1'],
        ['append', 'Set-Cookie', 'c=1'],
      ],
    ],
    [
      'Koa (koa-passport): req.ctx',
      (r) => ({ url: '/p', ctx: r.koa }),
      [
        ['set', 'X-A', '1'],
        ['append', 'Set-Cookie', 'c=1'],
      ],
    ],
    [
      'Fastify: the linked reply (Set-Cookie added by the reply itself)',
      (r) => ({ url: '/p', raw: new PassThrough(), [REPLY_LINK]: r.fastify }),
      [
        ['header', 'X-A', '1'],
        ['header', 'Set-Cookie', 'c=1'],
      ],
    ],
    [
      'Fastify wins over a res beside it',
      (r) => ({ url: '/p', raw: {}, [REPLY_LINK]: r.fastify, res: r.express }),
      [
        ['header', 'X-A', '1'],
        ['header', 'Set-Cookie', 'c=1'],
      ],
    ],
    [
      'Koa wins over a res beside it (koa-passport gives a stand-in)',
      (r) => ({ url: '/p', ctx: r.koa, res: r.express }),
      [
        ['set', 'X-A', '1'],
        ['append', 'Set-Cookie', 'c=1'],
      ],
    ],
  ])('%s', (_name, shape, expected) => {
    const r = recorder();
    const response = requestView(shape(r)).response()!;
    response.setHeader('X-A', '1');
    response.appendHeader('Set-Cookie', 'c=1');
    expect(r.calls).toEqual(expected);
  });

  test('Fastify: another header appended is merged with the one set, not replaced', () => {
    const r = recorder();
    const response = requestView({ raw: {}, [REPLY_LINK]: r.fastify }).response()!;
    response.setHeader('Vary', 'Cookie');
    response.appendHeader('Vary', 'Origin');
    expect(r.calls.at(-1)).toEqual(['header', 'Vary', ['Cookie', 'Origin']]);
  });
});

describe('almost a framework: claimed by the fallback, which has no response', () => {
  test.each<[string, object]>([
    ['a res without appendHeader', { url: '/p', res: { setHeader: () => undefined } }],
    ['a res whose methods are not functions', { url: '/p', res: { setHeader: 1, appendHeader: 2 } }],
    ['a res with appendHeader but a setHeader that is not a function', { url: '/p', res: { setHeader: 1, appendHeader: () => undefined } }],
    ['a ctx without append', { url: '/p', ctx: { set: () => undefined } }],
    ['a null ctx', { url: '/p', ctx: null }],
    ['control: a bare request', { url: '/p' }],
  ])('%s', (_name, shape) => {
    expect(requestView(shape).response()).toBeUndefined();
  });
});

describe('Fastify without passport-jwtsso/fastify: the response is a fault, asked only when needed', () => {
  test.each<[string, object]>([
    ['no link', { url: '/p', raw: new PassThrough() }],
    ['a link to something that is not a reply', { url: '/p', raw: {}, [REPLY_LINK]: { header: () => undefined } }],
    ['the link declared but unset (null)', { url: '/p', raw: {}, [REPLY_LINK]: null }],
  ])('%s: 500 FASTIFY_PLUGIN_MISSING naming the plugin', (_name, shape) => {
    const view = requestView(shape); // making the view asks nothing: a signed-in request passes
    expect(view.target).toBe('/p');
    expect(() => view.response()).toThrow(
      expect.objectContaining({
        code: Code.FASTIFY_PLUGIN_MISSING,
        status: 500,
        message: expect.stringContaining('register passport-jwtsso/fastify'),
      }),
    );
  });
});

describe('the rest of the view', () => {
  test('the target is originalUrl (before a router cut the mount path), else url, else /', () => {
    expect(requestView({ originalUrl: '/app/p?x=1', url: '/p?x=1' }).target).toBe('/app/p?x=1');
    expect(requestView({ url: '/p?x=1' }).target).toBe('/p?x=1');
    expect(requestView({ originalUrl: 5, url: ['/p'] }).target).toBe('/');
  });

  test('the client address: the framework’s req.ip, else the socket’s', () => {
    expect(clientIpOf(requestView({ ip: '203.0.113.9', socket: { remoteAddress: '10.0.0.1' } }))).toBe('203.0.113.9');
    expect(clientIpOf(requestView({ socket: { remoteAddress: '10.0.0.1' } }))).toBe('10.0.0.1');
    expect(clientIpOf(requestView({ socket: null }))).toBeUndefined();
  });

  test('proxy headers are trusted only where Express’s trust proxy trusts the peer', () => {
    const r = recorder();
    const app = { get: (s: string) => (s === 'trust proxy fn' ? (a: string) => a === '10.0.0.1' : undefined) };
    expect(requestView({ res: r.express, app, socket: { remoteAddress: '10.0.0.1' } }).trustsProxy()).toBe(true);
    expect(requestView({ res: r.express, app, socket: { remoteAddress: '10.0.0.2' } }).trustsProxy()).toBe(false);
    // koa-passport's req.app answers 'trust proxy' (Koa's app.proxy), never 'trust proxy fn': not read.
    expect(requestView({ ctx: r.koa, app, socket: { remoteAddress: '10.0.0.1' } }).trustsProxy()).toBe(false);
    expect(requestView({ app, socket: { remoteAddress: '10.0.0.1' } }).trustsProxy()).toBe(false);
  });

  test('Koa: a body parser’s ctx.request.body when the request has none; Node’s request in ctx.req', () => {
    const r = recorder();
    const stream = new PassThrough();
    const view = requestView({ ctx: { ...r.koa, req: stream, request: { body: { jwt: 'a.b.c' } } } });
    expect(view.body).toEqual({ jwt: 'a.b.c' });
    expect(view.stream).toBe(stream);
  });

  test('a session with get/set is used through them; a plain object through its properties; none is undefined', () => {
    const stored = new Map<string, unknown>();
    const methods = requestView({
      session: { get: (k: string) => stored.get(k), set: (k: string, v: unknown) => void stored.set(k, v) },
    }).session!;
    methods.set('a', 1);
    expect(stored.get('a')).toBe(1);
    const plain: Record<string, unknown> = {};
    requestView({ session: plain }).session!.set('b', 2);
    expect(plain).toEqual({ b: 2 });
    expect(requestView({ session: 'text' }).session).toBeUndefined();
    expect(requestView({}).session).toBeUndefined();
  });
});

// Each adapter's shape, bare: what a test below adds to it is read the same way by all four.
const ADAPTERS: [string, (r: ReturnType<typeof recorder>) => Record<string | symbol, unknown>][] = [
  ['Express', (r) => ({ url: '/p', res: r.express })],
  ['Koa', (r) => ({ url: '/p', ctx: r.koa })],
  ['Fastify', (r) => ({ url: '/p', raw: new PassThrough(), [REPLY_LINK]: r.fastify })],
  ['a bare Node request', () => ({ url: '/p' })],
];

describe('every adapter reads the request the same way: headers, method, TLS, client address', () => {
  test.each(ADAPTERS)('%s: the request’s own headers, and none is an empty set', (_name, shape) => {
    const headers = { host: 'app.example', cookie: 'a=1' };
    expect(requestView({ ...shape(recorder()), headers }).headers).toBe(headers);
    expect(requestView(shape(recorder())).headers).toEqual({});
  });

  test.each(ADAPTERS)('%s: the method as sent, and empty when it is not a string', (_name, shape) => {
    expect(requestView({ ...shape(recorder()), method: 'POST' }).method).toBe('POST');
    expect(requestView({ ...shape(recorder()), method: 7 }).method).toBe('');
    expect(requestView(shape(recorder())).method).toBe('');
  });

  // A proxy's X-Forwarded-Proto is not TLS: only the socket's own flag counts.
  test.each<[string, unknown, boolean]>([
    ['control: a TLS socket', { encrypted: true }, true],
    ['a plain socket', { encrypted: false }, false],
    ['a socket whose flag is truthy but not true', { encrypted: 1 }, false],
    ['a socket without the flag', {}, false],
    ['no socket', null, false],
  ])('encrypted, %s', (_case, socket, expected) => {
    for (const [, shape] of ADAPTERS) {
      expect(requestView({ ...shape(recorder()), socket, headers: { 'x-forwarded-proto': 'https' } }).encrypted).toBe(expected);
    }
  });

  test.each<[string, object, string | undefined]>([
    ['control: the framework’s req.ip wins', { ip: '203.0.113.9', socket: { remoteAddress: '10.0.0.1' } }, '203.0.113.9'],
    ['no req.ip: the socket’s address', { socket: { remoteAddress: '10.0.0.1' } }, '10.0.0.1'],
    ['a req.ip that is not a string: the socket’s address', { ip: ['203.0.113.9'], socket: { remoteAddress: '10.0.0.1' } }, '10.0.0.1'],
    ['neither', { socket: null }, undefined],
  ])('the client address, %s', (_case, fields, expected) => {
    for (const [, shape] of ADAPTERS) {
      expect(clientIpOf(requestView({ ...shape(recorder()), ...fields }))).toBe(expected);
    }
  });

  test('the client address is worked out only when asked for, and req.ip is read once then', () => {
    for (const [, shape] of ADAPTERS) {
      let reads = 0;
      const req = {
        ...shape(recorder()),
        socket: { remoteAddress: '10.0.0.1' },
        get ip() {
          reads++;
          return '203.0.113.9';
        },
      };
      const view = requestView(req);
      expect(reads).toBe(0);
      expect(clientIpOf(view)).toBe('203.0.113.9');
      expect(reads).toBe(1);
    }
  });

  test('a view an app made (a requestView override) may give the address as a value', () => {
    expect(clientIpOf({ clientIp: '198.51.100.7' })).toBe('198.51.100.7');
    expect(clientIpOf({ clientIp: undefined })).toBeUndefined();
  });
});

describe('the body is what a parser made of it; the stream is Node’s request, only when it is one', () => {
  test.each(ADAPTERS)('%s: a parsed body is handed on; none (or null) is no body', (_name, shape) => {
    expect(requestView({ ...shape(recorder()), body: { jwt: 'a.b.c' } }).body).toEqual({ jwt: 'a.b.c' });
    expect(requestView({ ...shape(recorder()), body: null }).body ?? 'none').toBe('none');
  });

  test.each<[string, (r: ReturnType<typeof recorder>, stream: PassThrough) => object, boolean]>([
    ['control: Express, the request itself a stream', (r, stream) => Object.assign(stream, { url: '/p', res: r.express }), true],
    ['Express, a request that is no stream', (r) => ({ url: '/p', res: r.express }), false],
    ['control: a bare Node request that is a stream', (_r, stream) => Object.assign(stream, { url: '/p' }), true],
    ['a bare request whose `on` is not a function', () => ({ url: '/p', on: 'data' }), false],
    ['control: Fastify, raw a stream', (r, stream) => ({ url: '/p', raw: stream, [REPLY_LINK]: r.fastify }), true],
    ['Fastify, raw an object that is no stream', (r) => ({ url: '/p', raw: {}, [REPLY_LINK]: r.fastify }), false],
    ['Fastify, raw null (the reply linked)', (r) => ({ url: '/p', raw: null, [REPLY_LINK]: r.fastify }), false],
  ])('%s', (_name, shape, isTheStream) => {
    const stream = new PassThrough();
    const view = requestView(shape(recorder(), stream));
    if (isTheStream) expect(view.stream).toBe(stream);
    else expect(view.stream).toBeUndefined();
  });
});

describe('what a response has sent is read from the framework’s own flag', () => {
  test('Koa: ctx.headerSent', () => {
    const r = recorder();
    const response = requestView({ url: '/p', ctx: r.koa }).response()!;
    expect(response.headersSent).toBe(false);
    r.koa.headerSent = true;
    expect(response.headersSent).toBe(true);
  });

  test.each<[string, { sent: boolean; raw?: { headersSent?: boolean } }, boolean]>([
    ['control: nothing sent', { sent: false, raw: { headersSent: false } }, false],
    ['the reply sent', { sent: true, raw: { headersSent: false } }, true],
    ['the raw response’s headers sent (a hijacked reply)', { sent: false, raw: { headersSent: true } }, true],
    ['no raw response', { sent: false }, false],
  ])('Fastify: %s', (_name, state, expected) => {
    const r = recorder();
    const response = requestView({ url: '/p', raw: {}, [REPLY_LINK]: Object.assign(r.fastify, state) }).response()!;
    expect(response.headersSent).toBe(expected);
  });
});

describe('Fastify: the reply is linked by a registered symbol, and Set-Cookie goes to it line by line', () => {
  test.each<[string, (r: ReturnType<typeof recorder>) => object]>([
    ['control: raw and the link', (r) => ({ url: '/p', raw: new PassThrough(), [REPLY_LINK]: r.fastify })],
    ['the link without raw', (r) => ({ url: '/p', [REPLY_LINK]: r.fastify })],
    // Another copy of the package (the plugin installed beside the strategy) links by the same name.
    ['linked by another copy of the package', (r) => ({ url: '/p', [Symbol.for('passport-jwtsso.fastify-reply')]: r.fastify })],
  ])('%s: claimed by Fastify, headers on the reply', (_name, shape) => {
    const r = recorder();
    requestView(shape(r)).response()!.setHeader('X-A', '1');
    expect(r.calls).toEqual([['header', 'X-A', '1']]);
  });

  // Fastify's reply.header adds Set-Cookie to those set: merging here would send the first one twice.
  test.each(['Set-Cookie', 'set-cookie'])('two cookies appended (%s) are handed over one by one, never merged', (name) => {
    const r = recorder();
    const response = requestView({ url: '/p', raw: {}, [REPLY_LINK]: r.fastify }).response()!;
    response.appendHeader(name, 'a=1');
    response.appendHeader(name, 'b=2');
    expect(r.calls).toEqual([
      ['header', name, 'a=1'],
      ['header', name, 'b=2'],
    ]);
  });

  test('Fastify’s trustProxy is not read: X-Forwarded-* never count', () => {
    const r = recorder();
    expect(requestView({ url: '/p', raw: {}, [REPLY_LINK]: r.fastify, socket: { remoteAddress: '127.0.0.1' } }).trustsProxy()).toBe(false);
  });
});

describe('Express: trust proxy only as its own setting says, and errors to its own handler', () => {
  test.each<[string, object]>([
    ['no app (a request made outside Express)', {}],
    ['an app without get', { app: {} }],
    ['trust proxy fn unset', { app: { get: () => undefined } }],
    ['trust proxy fn not a function', { app: { get: () => true } }],
    ['a trust function that answers truthy but not true', { app: { get: () => () => 1 } }],
  ])('%s: proxy headers are not trusted', (_name, fields) => {
    const r = recorder();
    expect(requestView({ url: '/p', res: r.express, socket: { remoteAddress: '10.0.0.1' }, ...fields }).trustsProxy()).toBe(false);
  });

  test('the trust function is asked about the direct peer, hop 0', () => {
    const r = recorder();
    const asked: unknown[] = [];
    const get = () => (address: string, hop: number) => (asked.push([address, hop]), true);
    expect(requestView({ url: '/p', res: r.express, app: { get }, socket: { remoteAddress: '10.0.0.1' } }).trustsProxy()).toBe(true);
    expect(asked).toEqual([['10.0.0.1', 0]]);
  });

  test('an error goes to req.next; without one there is no handler to give it to', () => {
    const r = recorder();
    const seen: Error[] = [];
    const error = new Error('boom');
    requestView({ url: '/p', res: r.express, next: (e: Error) => void seen.push(e) }).next!(error);
    expect(seen).toEqual([error]);
    expect(requestView({ url: '/p', res: r.express }).next).toBeUndefined();
    expect(requestView({ url: '/p', res: r.express, next: 'handler' }).next).toBeUndefined();
  });
});

describe('a session with get/set is read through its get', () => {
  test('what the session’s get answers is what the view reads', () => {
    const session = { get: (k: string) => (k === 'a' ? 'value' : undefined), set: () => undefined };
    expect(requestView({ session }).session!.get('a')).toBe('value');
    const plain = { b: 2 };
    expect(requestView({ session: plain }).session!.get('b')).toBe(2);
  });
});
