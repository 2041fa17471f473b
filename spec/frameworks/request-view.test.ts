// lib/frameworks/index.ts: which adapter claims a request, by a cheap test of its shape, and what
// each one's view writes to. Shapes that look almost like a framework's are claimed by the next
// (in the end the bare Node fallback, which has no response), never half-used.
import { PassThrough } from 'node:stream';
import { JwtSsoErrorCode as Code } from '../../lib/errors';
import { requestView } from '../../lib/frameworks';
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
    expect(requestView({ ip: '203.0.113.9', socket: { remoteAddress: '10.0.0.1' } }).clientIp).toBe('203.0.113.9');
    expect(requestView({ socket: { remoteAddress: '10.0.0.1' } }).clientIp).toBe('10.0.0.1');
    expect(requestView({ socket: null }).clientIp).toBeUndefined();
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
