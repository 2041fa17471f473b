// Fastify through @fastify/passport: the request is Fastify's, `raw` is Node's request, and the
// reply is reachable only through the link passport-jwtsso/fastify's onRequest hook sets (a
// Fastify request has none of its own). Headers go on the reply, never on the raw response,
// where the reply's own (the session plugins' Set-Cookie) would overwrite them.
import type { Readable } from 'node:stream';
import { JwtSsoError, JwtSsoErrorCode as Code } from '../errors';
import {
  hasMethods,
  isStream,
  methodOf,
  ipOf,
  sessionAccess,
  targetOf,
  type AnyRequest,
  type Framework,
  type HeaderTarget,
  type RequestView,
} from './view';

/**
 * The property of a Fastify request that holds its reply, set by passport-jwtsso/fastify's
 * onRequest hook. A registered symbol, so that two copies of this package agree on it.
 */
export const REPLY_LINK = Symbol.for('passport-jwtsso.fastify-reply');

interface FastifyReply {
  readonly sent: boolean;
  readonly raw?: { readonly headersSent?: boolean };
  header(name: string, value: unknown): unknown;
  getHeader(name: string): unknown;
}

interface FastifyRequest extends AnyRequest {
  raw?: unknown;
  [REPLY_LINK]?: unknown;
}

/** The fault of a Fastify app that did not register the plugin: the strategy cannot set its cookies and headers. */
export const fastifyPluginMissing = (): JwtSsoError =>
  new JwtSsoError(
    Code.FASTIFY_PLUGIN_MISSING,
    'This Fastify request has no link to its reply, so the strategy cannot set its cookies and headers: register passport-jwtsso/fastify before the routes (await app.register(jwtssoFastify), beside @fastify/passport).',
  );

function headersOf(reply: FastifyReply): HeaderTarget {
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

function view(request: object): RequestView {
  const req = request as FastifyRequest;
  return {
    target: targetOf(req),
    method: methodOf(req),
    headers: req.headers ?? {},
    session: sessionAccess(req.session),
    response: () => {
      const reply = req[REPLY_LINK];
      if (!hasMethods(reply, 'header', 'getHeader')) throw fastifyPluginMissing();
      return headersOf(reply as FastifyReply);
    },
    body: req.body ?? undefined,
    stream: isStream(req.raw) ? (req.raw as Readable) : undefined,
    encrypted: req.socket?.encrypted === true,
    // Fastify's `trustProxy` is not read: behind a proxy, set the `host` and `scheme` options.
    trustsProxy: () => false,
    clientIp: () => ipOf(req),
  };
}

/** Fastify with @fastify/passport: a request with Node's request as `raw`, or with a reply linked. */
export const fastify: Framework = {
  matches: (req) => (req as FastifyRequest).raw !== undefined || (req as FastifyRequest)[REPLY_LINK] !== undefined,
  view,
};
