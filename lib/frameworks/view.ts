// What the strategy needs of a request, whatever the framework: one interface, implemented once
// per framework (express.ts, koa.ts, fastify.ts, and node.ts for a bare Node request), chosen
// per request by index.ts. Nothing outside lib/frameworks/ reads a framework's request shape.
// A session is never changed in place: @fastify/secure-session persists only top-level
// assignments, so every write is an assignment of a whole value (or the session's `set`).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** Where the login steps write headers. Node's `ServerResponse` is one; an adapter makes one of a Koa context or a Fastify reply. */
export interface HeaderTarget {
  /** True once the response's headers went out: nothing more is written then. */
  readonly headersSent: boolean;
  /** Sets a header, replacing any value it had. */
  setHeader(name: string, value: string): unknown;
  /** Adds a header line, keeping those already set (Set-Cookie: the session's own cookie stays). */
  appendHeader(name: string, value: string): unknown;
}

/** A session as the login steps use it: read a top-level key, assign one (`undefined` removes it). */
export interface SessionAccess {
  /** The value of a top-level key, or undefined. */
  get(key: string): unknown;
  /** Assigns a top-level key a whole new value (`undefined` removes it); never changes a value in place. */
  set(key: string, value: unknown): void;
}

/**
 * What the strategy needs of a request, whatever the framework. `JwtSsoStrategy.requestView(req)`
 * makes one for each request; override it to serve a framework this package does not know.
 */
export interface RequestView {
  /** Path and query as the browser sent them (`originalUrl`, before a router cut a mount path off). */
  readonly target: string;
  /** The HTTP method (`GET`, `POST`…). */
  readonly method: string;
  /** The request's headers, as Node gives them (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** The session, or undefined when no session middleware ran. */
  readonly session: SessionAccess | undefined;
  /**
   * Where headers and cookies go. `undefined` where the framework has no response to give (a
   * test harness's bare request: the login state then waits in the session). Throws a
   * `JwtSsoError` fault (500) where the framework has one but setup left it out of reach
   * (Fastify without passport-jwtsso/fastify). Asked only when a response is written.
   */
  response(): HeaderTarget | undefined;
  /** What a body parser made of the body (an object, a string, bytes), or undefined. */
  readonly body: unknown;
  /** Node's request stream, from which a body no parser read can be read; undefined if none. */
  readonly stream: Readable | undefined;
  /** True when the connection itself is TLS (not what a proxy says). */
  readonly encrypted: boolean;
  /** True when the app's trust-proxy setting trusts the peer, so X-Forwarded-* count. */
  trustsProxy(): boolean;
  /**
   * The client's address, as the framework's trust-proxy setting decided it: the address, or a
   * function that returns it. Read only when an audit event is emitted (see `clientIpOf`): the
   * built-in views give a function, because working the address out can cost more than the rest
   * of a signed-in request (Express's `req.ip` behind a trusted proxy parses X-Forwarded-For:
   * about 11 µs, against 3 µs for everything else the strategy does there).
   */
  readonly clientIp: string | undefined | (() => string | undefined);
  /** Hands an error to the app's error handler, where the framework has one (Express: `req.next`). */
  readonly next?: ((err: Error) => void) | undefined;
}

/** One framework: a cheap test of whether a request is its, and the view of such a request. */
export interface Framework {
  /** Cheap: runs on every request, the signed-in ones included. */
  matches(req: object): boolean;
  view(req: object): RequestView;
}

/** A request as any of the frameworks may hand it over; each adapter reads only its own fields. */
export interface AnyRequest {
  originalUrl?: unknown;
  url?: unknown;
  method?: unknown;
  headers?: IncomingHttpHeaders;
  session?: unknown;
  body?: unknown;
  ip?: unknown;
  socket?: { remoteAddress?: string; encrypted?: boolean } | null;
  [key: string | symbol]: unknown;
}

export const isObject = (x: unknown): x is Record<string | symbol, unknown> => x !== null && typeof x === 'object';
// Two names, not a list: this runs on every request, the signed-in ones included.
export const hasMethods = (x: unknown, a: string, b: string): boolean =>
  isObject(x) && typeof x[a] === 'function' && typeof x[b] === 'function';

/** `originalUrl`, else `url`, else `/`. */
export function targetOf(req: AnyRequest): string {
  return typeof req.originalUrl === 'string' ? req.originalUrl : typeof req.url === 'string' ? req.url : '/';
}

/** The method as sent; empty when the request names none. */
export function methodOf(req: AnyRequest): string {
  return typeof req.method === 'string' ? req.method : '';
}

/** True when `x` is a readable stream (Node's request). */
export function isStream(x: unknown): x is Readable {
  return isObject(x) && typeof x.on === 'function';
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

/** The socket's address (the direct peer). */
export const peerAddress = (req: AnyRequest): string | undefined => req.socket?.remoteAddress ?? undefined;

/** `req.ip` where it is a string (read once: it may be a getter that works the address out), else the socket's. */
export function ipOf(req: AnyRequest): string | undefined {
  const ip = req.ip;
  return typeof ip === 'string' ? ip : peerAddress(req);
}

/** The client's address of a view, whichever form its `clientIp` takes. */
export function clientIpOf(view: Pick<RequestView, 'clientIp'>): string | undefined {
  const ip = view.clientIp;
  return typeof ip === 'function' ? ip() : ip;
}
