// The one place that knows how each framework hands a request to a Passport strategy: where its
// target is, how its session is read and written, and where its response headers go. Express
// (and NestJS on Express) give `req.res`; koa-passport gives a request whose `ctx` is Koa's
// context; @fastify/passport gives Fastify's request, whose reply only passport-jwtsso/fastify
// links to it; chai-passport-strategy gives a bare object. The login rules see only what this
// returns. A session is never changed in place: @fastify/secure-session persists only top-level
// assignments, so every write is an assignment of a whole value (or the session's `set`).
import createDebug from 'debug';

const debug = createDebug('passport-jwtsso');

/** Where the login steps write headers. Node's `ServerResponse` is one; the adapter makes one of a Koa context or a Fastify reply. */
export interface HeaderTarget {
  readonly headersSent: boolean;
  /** Sets a header, replacing any value it had. */
  setHeader(name: string, value: string): unknown;
  /** Adds a header line, keeping those already set (Set-Cookie: the session's own cookie stays). */
  appendHeader(name: string, value: string): unknown;
}

/** A session as the login steps use it: read a top-level key, assign one (`undefined` removes it). */
export interface SessionAccess {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** What the strategy needs of a request, whatever the framework. */
export interface RequestView {
  /** Path and query as the browser sent them (`originalUrl`, before a router cut a mount path off). */
  readonly target: string;
  readonly session: SessionAccess | undefined;
  /** Where headers go; undefined where nothing reachable holds the response (Fastify without the hook, a bare test request). */
  readonly response: HeaderTarget | undefined;
}

/**
 * The property of a Fastify request that holds its reply, set by passport-jwtsso/fastify's
 * onRequest hook. A registered symbol, so that two copies of this package agree on it.
 */
export const REPLY_LINK = Symbol.for('passport-jwtsso.fastify-reply');

interface FrameworkRequest {
  originalUrl?: unknown;
  url?: unknown;
  session?: unknown;
  /** Express: the ServerResponse. koa-passport: a stand-in without appendHeader. */
  res?: unknown;
  /** koa-passport: Koa's context. */
  ctx?: unknown;
  /** Fastify: Node's request. */
  raw?: unknown;
  [REPLY_LINK]?: unknown;
}

interface KoaContext {
  readonly headerSent: boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

interface FastifyReply {
  readonly sent: boolean;
  readonly raw?: { readonly headersSent?: boolean };
  header(name: string, value: unknown): unknown;
  getHeader(name: string): unknown;
}

const isObject = (x: unknown): x is Record<string | symbol, unknown> => x !== null && typeof x === 'object';
// Two names, not a list: this runs on every request, the signed-in ones included.
const hasMethods = (x: unknown, a: string, b: string): boolean => isObject(x) && typeof x[a] === 'function' && typeof x[b] === 'function';

/** The request as the login steps see it. */
export function adaptRequest(request: object): RequestView {
  const req = request as FrameworkRequest;
  const target = typeof req.originalUrl === 'string' ? req.originalUrl : typeof req.url === 'string' ? req.url : '/';
  return { target, session: sessionAccess(req.session), response: responseOf(req) };
}

/**
 * A session's reads and writes: its own `get`/`set` where it has them (@fastify/secure-session,
 * @fastify/session), else its properties (express-session, koa-session, cookie-session).
 * Undefined when there is no session object.
 */
export function sessionAccess(session: unknown): SessionAccess | undefined {
  if (!isObject(session)) return undefined;
  if (hasMethods(session, 'get', 'set')) {
    const methods = session as unknown as SessionAccess;
    return { get: (key) => methods.get(key), set: (key, value) => methods.set(key, value) };
  }
  return {
    get: (key) => session[key],
    set: (key, value) => {
      session[key] = value;
    },
  };
}

let warnedFastify = false;

function responseOf(req: FrameworkRequest): HeaderTarget | undefined {
  const reply = req[REPLY_LINK];
  if (hasMethods(reply, 'header', 'getHeader')) return fastifyHeaders(reply as unknown as FastifyReply);
  if (hasMethods(req.ctx, 'set', 'append')) return koaHeaders(req.ctx as KoaContext);
  if (hasMethods(req.res, 'setHeader', 'appendHeader')) return req.res as HeaderTarget;
  if (req.raw !== undefined && !warnedFastify) {
    warnedFastify = true;
    debug('a Fastify request without its reply: register passport-jwtsso/fastify, or no-store headers and state cookies are not written');
  }
  return undefined;
}

function koaHeaders(ctx: KoaContext): HeaderTarget {
  return {
    get headersSent() {
      return ctx.headerSent;
    },
    setHeader: (name, value) => ctx.set(name, value),
    appendHeader: (name, value) => ctx.append(name, value),
  };
}

// Fastify keeps headers on the reply until it sends: written to the raw response they would be
// overwritten by the reply's own (Set-Cookie of the session plugins included).
function fastifyHeaders(reply: FastifyReply): HeaderTarget {
  return {
    get headersSent() {
      return reply.sent || reply.raw?.headersSent === true;
    },
    setHeader: (name, value) => reply.header(name, value),
    appendHeader: (name, value) => {
      // reply.header adds to Set-Cookie rather than replacing it; any other header is merged here.
      const before = name.toLowerCase() === 'set-cookie' ? undefined : reply.getHeader(name);
      reply.header(name, before === undefined ? value : [before, value].flat());
    },
  };
}
