// lib/form-body.ts on real requests: a raw Node server hands each request to formPairs, with or
// without a body already parsed, and answers what it made of it. Hostile bodies against controls.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import coBody from 'co-body';
import express from 'express';
import { parse as fastQuerystring } from 'fast-querystring';
import { JwtSsoErrorCode as Code } from '../lib/errors';
import { bodyLeftUnread, formPairs, MAX_FORM_BYTES } from '../lib/form-body';
import { viewOf } from './helpers/view';

// What the strategy reads from a form with the default names and the state in the return URL.
const READ = { read: ['jwt', 'return_to'] };

let server: Server;
let url: string;
// What the next request's handler puts on req.body first (as a body parser would), if anything.
let parsed: (() => unknown) | undefined;
// Whether the handler reads (consumes) the raw body first, as a parser that keeps nothing would.
let consumeFirst = false;
// A real body parser the next request goes through first, as the app would mount it.
let parser: ((req: IncomingMessage & { body?: unknown }, res: ServerResponse) => Promise<void>) | undefined;

beforeAll(async () => {
  server = createServer((req: IncomingMessage & { body?: unknown }, res) => {
    void (async () => {
      if (parser !== undefined) await parser(req, res);
      if (consumeFirst) for await (const _ of req);
      if (parsed !== undefined) req.body = parsed();
      try {
        const pairs = await formPairs(viewOf(req), READ);
        res.end(JSON.stringify({ pairs: pairs.map((p) => [p.key, p.value]) }));
      } catch (err) {
        if (bodyLeftUnread(viewOf(req))) res.setHeader('Connection', 'close');
        res.statusCode = (err as { status?: number }).status ?? 500;
        res.end(JSON.stringify({ error: (err as Error).message, code: (err as { code?: string }).code }));
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  parsed = undefined;
  consumeFirst = false;
  parser = undefined;
});

async function post(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }) {
  const res = await fetch(url, { method: 'POST', body, headers });
  return {
    status: res.status,
    body: (await res.json()) as { pairs?: string[][]; error?: string; code?: string },
    connection: res.headers.get('connection'),
  };
}

describe('a raw body (no parser ran)', () => {
  test.each([
    [
      'a token and a return URL',
      'jwt=a.b.c&return_to=https%3A%2F%2Fapp%2Fp%3Fx%3D1',
      [
        ['jwt', 'a.b.c'],
        ['return_to', 'https://app/p?x=1'],
      ],
    ],
    [
      "WSO2's encoding: + for spaces",
      'jwt=a.b.c&return_to=%2Fp%3Fq%3Da+b',
      [
        ['jwt', 'a.b.c'],
        ['return_to', '/p?q=a b'],
      ],
    ],
    [
      'a parameter twice stays twice (the token rule refuses it)',
      'jwt=a&jwt=b',
      [
        ['jwt', 'a'],
        ['jwt', 'b'],
      ],
    ],
    ['an empty body', '', []],
  ])('control: %s', async (_name, body, pairs) => {
    expect((await post(body)).body).toEqual({ pairs });
  });

  test.each([
    ['application/x-www-form-urlencoded; charset=UTF-8'],
    ['Application/X-WWW-Form-Urlencoded'],
    ['application/x-www-form-urlencoded;charset="utf-8"'],
  ])('control: content type %s', async (type) => {
    expect((await post('jwt=a.b.c', { 'content-type': type })).status).toBe(200);
  });

  test.each([
    ['no content type', {}],
    ['JSON', { 'content-type': 'application/json' }],
    ['text/plain (what a CORS-simple fetch sends)', { 'content-type': 'text/plain' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['another charset', { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }],
    ['a form type with more after it', { 'content-type': 'application/x-www-form-urlencoded, text/plain' }],
  ])('refused: %s', async (_name, headers) => {
    const res = await post('jwt=a.b.c', headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/not sent as application\/x-www-form-urlencoded/);
  });

  test('refused: bytes that are not UTF-8', async () => {
    const res = await post(Buffer.from([0x6a, 0x77, 0x74, 0x3d, 0xff, 0xfe]));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/not UTF-8/);
  });

  test(`a body of exactly ${MAX_FORM_BYTES} bytes is read; one byte more is refused, and the connection closed`, async () => {
    const fits = `jwt=${'a'.repeat(MAX_FORM_BYTES - 4)}`;
    expect((await post(fits)).status).toBe(200);
    const res = await post(fits + 'a');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(new RegExp(`larger than ${MAX_FORM_BYTES} bytes`));
    expect(res.connection).toBe('close');
  });

  test('a chunked body (no Content-Length) that grows past the bound is refused while it is sent', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } },
        (r) => {
          let body = '';
          r.on('data', (c: Buffer) => (body += c.toString()));
          r.on('end', () => resolve({ status: r.statusCode!, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 40; i++) req.write('a'.repeat(1024));
      req.end();
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/larger than/);
  });

  test('a Content-Length over the bound is refused before any byte is read', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '10000000000' } },
        (r) => {
          r.resume();
          resolve(r.statusCode!);
        },
      );
      req.on('error', reject);
      req.write('jwt=a.b.c');
    });
    expect(res).toBe(401);
  });
});

describe('a body a parser already made', () => {
  test.each<[string, unknown, string[][]]>([
    [
      'an object of strings (express.urlencoded)',
      { jwt: 'a.b.c', return_to: '/p' },
      [
        ['jwt', 'a.b.c'],
        ['return_to', '/p'],
      ],
    ],
    [
      'a parameter the strategy does not read, as an array or an object: kept, arrays spread, objects empty',
      { jwt: 'a.b.c', brand: ['1', '2'], extra: { a: 'x' } },
      [
        ['jwt', 'a.b.c'],
        ['brand', '1'],
        ['brand', '2'],
        ['extra', ''],
      ],
    ],
    ['a string (a text parser)', 'jwt=a.b.c', [['jwt', 'a.b.c']]],
  ])('%s', async (_name, body, pairs) => {
    parsed = () => body;
    consumeFirst = true;
    expect((await post('ignored=1')).body).toEqual({ pairs });
  });

  test('a Buffer (a raw parser) is decoded as UTF-8, strictly', async () => {
    parsed = () => Buffer.from('jwt=a.b.c');
    consumeFirst = true;
    expect((await post('x')).body).toEqual({ pairs: [['jwt', 'a.b.c']] });
    parsed = () => Buffer.from([0xff]);
    expect((await post('x')).status).toBe(401);
  });

  test('an empty object left by a JSON parser, the body unread: the body is read here', async () => {
    parsed = () => ({});
    expect((await post('jwt=a.b.c')).body).toEqual({ pairs: [['jwt', 'a.b.c']] });
  });

  test('a body read by other middleware and not kept: a fault of the setup (500), naming the fix, never the token', async () => {
    consumeFirst = true;
    const res = await post('jwt=a.b.c');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe(Code.BODY_UNREADABLE);
    expect(res.body.error).toMatch(/read it without parsing it as a form\. Mount a form body parser/);
    expect(res.body.error).not.toContain('a.b.c');
  });
});

// The same rules on request objects as each framework hands them over, with streams of our own:
// which stream is read, when a parsed body wins, what is left listening afterwards.
describe("formPairs and bodyLeftUnread on each framework's request shape", () => {
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const streamOf = (text: string | undefined, options: { encoding?: BufferEncoding } = {}): PassThrough => {
    const s = new PassThrough();
    if (options.encoding !== undefined) s.setEncoding(options.encoding);
    if (text !== undefined) s.end(text);
    return s;
  };
  const pairs = async (req: object) => (await formPairs(viewOf(req), READ)).map((p) => [p.key, p.value]);
  // Koa's context as koa-passport links it: what the Koa adapter knows it by (set, append).
  const koaCtx = (extra: object) => ({ headerSent: false, set: () => undefined, append: () => undefined, ...extra });

  test('Koa (koa-passport): the body is read from ctx.req, Node’s request', async () => {
    expect(await pairs({ headers: FORM, ctx: koaCtx({ req: streamOf('jwt=k.o.a'), request: {} }) })).toEqual([['jwt', 'k.o.a']]);
  });

  test('Koa with a body parser: ctx.request.body', async () => {
    const read = streamOf('');
    read.resume();
    await once(read, 'end');
    expect(await pairs({ headers: FORM, ctx: koaCtx({ req: read, request: { body: { jwt: 'p.a.r' } } }) })).toEqual([['jwt', 'p.a.r']]);
  });

  test('Fastify: the parsed body, never the raw stream Fastify already read', async () => {
    const raw = streamOf('jwt=raw');
    raw.resume();
    await once(raw, 'end');
    expect(await pairs({ headers: FORM, raw, body: { jwt: 'f.a.s' } })).toEqual([['jwt', 'f.a.s']]);
  });

  test('a parsed body with parameters wins over an unread stream; an empty one does not', async () => {
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: { jwt: 'parsed' } }))).toEqual([['jwt', 'parsed']]);
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: {} }))).toEqual([['jwt', 'stream']]);
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: null }))).toEqual([['jwt', 'stream']]);
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: Buffer.from('jwt=buf') }))).toEqual([['jwt', 'buf']]);
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: [] }))).toEqual([['jwt', 'stream']]);
  });

  test('a string or bytes a parser made win over an unread stream, even empty', async () => {
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: '' }))).toEqual([]);
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: Buffer.alloc(0) }))).toEqual([]);
    expect(await pairs(Object.assign(streamOf('jwt=stream'), { headers: FORM, body: 'jwt=parsed' }))).toEqual([['jwt', 'parsed']]);
  });

  test('what is not a stream in the places a framework keeps one is passed over', async () => {
    expect(await pairs({ headers: FORM, raw: null, body: { jwt: 'a.b.c' } })).toEqual([['jwt', 'a.b.c']]);
    expect(await pairs({ headers: FORM, raw: { on: 'not a function' }, body: { jwt: 'a.b.c' } })).toEqual([['jwt', 'a.b.c']]);
    expect(await pairs({ headers: FORM, ctx: koaCtx({ req: {} }), body: { jwt: 'a.b.c' } })).toEqual([['jwt', 'a.b.c']]);
    // A context that is not Koa's: the request is Node's own, and its stream is read.
    expect(await pairs(Object.assign(streamOf('jwt=node'), { headers: FORM, ctx: { req: null } }))).toEqual([['jwt', 'node']]);
  });

  test('a stream read partly by someone else is not read again', async () => {
    const s = streamOf(undefined);
    s.write('jwt=a.b.c&x=');
    s.read();
    await expect(formPairs(viewOf(Object.assign(s, { headers: FORM })), READ)).rejects.toMatchObject({
      code: Code.BODY_UNREADABLE,
      status: 500,
      message: expect.stringMatching(/read it without parsing it as a form/),
    });
  });

  test('a body that is not an object, a string or bytes (a number from some parser) is refused', async () => {
    await expect(formPairs(viewOf({ headers: FORM, body: 5 }), READ)).rejects.toThrow(/its body is not a form/);
  });

  test('a stream in string mode is counted in bytes and read the same', async () => {
    expect(await pairs(Object.assign(streamOf('jwt=ä.b.c', { encoding: 'utf8' }), { headers: FORM }))).toEqual([['jwt', 'ä.b.c']]);
    const big = streamOf(`jwt=${'ä'.repeat(MAX_FORM_BYTES / 2)}`, { encoding: 'utf8' });
    await expect(formPairs(viewOf(Object.assign(big, { headers: FORM })), READ)).rejects.toThrow(/larger than/);
  });

  test('a stream that fails: refused, saying it could not be read', async () => {
    const s = streamOf(undefined);
    const read = formPairs(viewOf(Object.assign(s, { headers: FORM })), READ);
    s.destroy(new Error('socket hang up'));
    await expect(read).rejects.toThrow(/its body could not be read \(socket hang up\)/);
  });

  test.each([
    ['after a refused body', `jwt=${'a'.repeat(MAX_FORM_BYTES)}`],
    ['after a body read to its end', 'jwt=a.b.c'],
  ])('nothing is left listening to the stream %s', async (_name, body) => {
    const s = Object.assign(streamOf(body), { headers: FORM });
    await formPairs(viewOf(s), READ).catch(() => undefined);
    expect(['data', 'end', 'error'].map((e) => s.listenerCount(e))).toEqual([0, 0, 0]);
  });

  test.each<[string, string, boolean]>([
    ['spaces around "="', 'application/x-www-form-urlencoded; charset = utf-8', true],
    ['a space before ";"', 'application/x-www-form-urlencoded ; charset=utf-8', true],
    ['a trailing space', 'application/x-www-form-urlencoded; charset=utf-8 ', true],
    ['something before the type', 'xapplication/x-www-form-urlencoded', false],
    ['a longer type', 'application/x-www-form-urlencodedx', false],
    ['a charset that only starts with utf-8', 'application/x-www-form-urlencoded; charset=utf-8x', false],
    ['more after the charset', 'application/x-www-form-urlencoded; charset=utf-8; x=y', false],
  ])('content type with %s: accepted %s', async (_name, type, accepted) => {
    const result = formPairs(viewOf(Object.assign(streamOf('jwt=a.b.c'), { headers: { 'content-type': type } })), READ);
    if (accepted) await expect(result).resolves.toHaveLength(1);
    else await expect(result).rejects.toThrow(/not sent as application\/x-www-form-urlencoded/);
  });

  test('bodyLeftUnread: true while a body is unread or partly read, false once read or where there is no stream', async () => {
    const unread = streamOf('jwt=a');
    expect(bodyLeftUnread(viewOf(unread))).toBe(true);
    expect(bodyLeftUnread(viewOf({ ctx: koaCtx({ req: unread }) }))).toBe(true);
    unread.resume();
    await once(unread, 'end');
    expect(bodyLeftUnread(viewOf(unread))).toBe(false);
    expect(bodyLeftUnread(viewOf({ ctx: koaCtx({ req: unread }) }))).toBe(false);
    expect(bodyLeftUnread(viewOf({ raw: streamOf('x'), headers: {} }))).toBe(true);
    expect(bodyLeftUnread(viewOf({ headers: {} }))).toBe(false);
    expect(bodyLeftUnread(viewOf({ ctx: koaCtx({}) }))).toBe(false);
    expect(bodyLeftUnread(viewOf({ raw: null }))).toBe(false);
  });
});

// Connect-style middleware (body-parser) as a promise, on the raw Node request.
const middleware =
  (mw: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void) => (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => mw(req, res, (err) => (err === undefined ? resolve() : reject(err as Error))));
const textOf = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

// The parsers an app puts ahead of the callback route, each the real one: what they make of
// `jwt[]=…` differs (an array, an object, a key kept as it was), the refusal does not.
const PARSERS = {
  'no parser (read here)': undefined,
  'express.urlencoded({ extended: true }) (NestJS default; qs)': middleware(express.urlencoded({ extended: true })),
  'express.urlencoded({ extended: false })': middleware(express.urlencoded({ extended: false })),
  '@fastify/formbody (fast-querystring)': async (req: IncomingMessage & { body?: unknown }) => {
    req.body = fastQuerystring(await textOf(req));
  },
  'koa bodyparser (co-body: qs, allowDots)': async (req: IncomingMessage & { body?: unknown }) => {
    req.body = await coBody.form(req);
  },
} as const;
type ParserName = keyof typeof PARSERS;

// A value shaped like a token, to show none is ever echoed.
const T = 'eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJ4In0.c2lnbmF0dXJl';
const R = '/app/page';

describe('a parameter the strategy reads is one string, whatever parser made the body', () => {
  const parsers = Object.keys(PARSERS) as ParserName[];

  test.each(parsers)('control (%s): jwt=T&return_to=R, with unread bracketed and lookalike keys, is read', async (name) => {
    parser = PARSERS[name];
    const res = await post(`jwt=${T}&return_to=${encodeURIComponent(R)}&brand[]=1&jwtx[]=2`);
    expect(res.status).toBe(200);
    const pairs = res.body.pairs!;
    expect(pairs.filter(([k]) => k === 'jwt')).toEqual([['jwt', T]]);
    expect(pairs.filter(([k]) => k === 'return_to')).toEqual([['return_to', R]]);
  });

  const HOSTILE: Array<[string, string, string]> = [
    ['jwt[]=T', `jwt[]=${T}`, 'jwt'],
    ['jwt[0]=T', `jwt[0]=${T}`, 'jwt'],
    ['jwt[a]=T', `jwt[a]=${T}`, 'jwt'],
    ['jwt[a][b]=T', `jwt[a][b]=${T}`, 'jwt'],
    ['jwt[]=T&jwt[]=T', `jwt[]=${T}&jwt[]=${T}`, 'jwt'],
    ['jwt%5B%5D=T (the brackets %-encoded)', `jwt%5B%5D=${T}`, 'jwt'],
    ['jwt=T&jwt[]=T', `jwt=${T}&jwt[]=${T}`, 'jwt'],
    ['jwt[]=T&jwt=T', `jwt[]=${T}&jwt=${T}`, 'jwt'],
    ['return_to[]=R beside a good token', `jwt=${T}&return_to[]=${encodeURIComponent(R)}`, 'return_to'],
    ['return_to[x]=R beside a good token', `jwt=${T}&return_to[x]=${encodeURIComponent(R)}`, 'return_to'],
  ];
  const rows = parsers.flatMap((name) => HOSTILE.map(([what, body, param]) => [name, what, body, param] as const));

  test.each(rows)('%s: %s is refused, naming the parameter, never the value', async (name, _what, body, param) => {
    parser = PARSERS[name];
    const res = await post(body);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ERR_JWTSSO_TOKEN_MALFORMED');
    expect(res.body.error).toContain(`the "${param}" parameter is not one string`);
    expect(res.body.error).not.toContain(T);
    expect(res.body.error).not.toContain(R);
  });

  // What a JSON parser (or any other) can leave for a read parameter: nothing but a string is read.
  test.each<[string, unknown, string]>([
    ['a one-element array', { jwt: [T] }, 'jwt'],
    ['a two-element array', { jwt: [T, T] }, 'jwt'],
    ['an object', { jwt: { a: T } }, 'jwt'],
    ['a number', { jwt: 5 }, 'jwt'],
    ['true', { jwt: true }, 'jwt'],
    ['null', { jwt: null }, 'jwt'],
    ['an empty array', { jwt: [] }, 'jwt'],
    ['return_to as an array', { jwt: T, return_to: [R] }, 'return_to'],
    ['return_to as an object', { jwt: T, return_to: { toString: R } }, 'return_to'],
  ])('a JSON parser (express.json, any type): %s is refused', async (_what, json, param) => {
    parser = middleware(express.json({ type: () => true }));
    const res = await post(JSON.stringify(json));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('ERR_JWTSSO_TOKEN_MALFORMED');
    expect(res.body.error).toContain(`the "${param}" parameter is not one string`);
    expect(res.body.error).not.toContain(T);
  });

  test('control: a JSON parser that made strings of the read parameters', async () => {
    parser = middleware(express.json({ type: () => true }));
    const res = await post(JSON.stringify({ jwt: T, return_to: R, extra: [1] }));
    expect(res.body.pairs).toEqual([
      ['jwt', T],
      ['return_to', R],
      ['extra', ''],
    ]);
  });

  test('the state is read only when it travels as a parameter: then state[]=… is refused too; control: otherwise it is left alone', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = { jwt: T, jwtsso_state: ['s'] };
    await expect(formPairs(viewOf({ headers: form, body }), { read: ['jwt', 'jwtsso_state'] })).rejects.toMatchObject({
      code: 'ERR_JWTSSO_TOKEN_MALFORMED',
      message: expect.stringContaining('the "jwtsso_state" parameter is not one string') as string,
    });
    await expect(formPairs(viewOf({ headers: form, body }), { read: ['jwt'] })).resolves.toHaveLength(2);
    await expect(
      formPairs(viewOf({ headers: form, body: `jwt=${T}&jwtsso_state[]=s` }), { read: ['jwt', 'jwtsso_state'] }),
    ).rejects.toThrow(/"jwtsso_state" parameter/);
  });
});
