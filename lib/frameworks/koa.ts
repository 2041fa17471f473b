// Koa through koa-passport: the request is a stand-in over Koa's request, whose `ctx` is Koa's
// context. Headers go through the context (`ctx.set`, `ctx.append`), Node's request is `ctx.req`,
// and a parsed form is `ctx.request.body` (koa-bodyparser, @koa/bodyparser).
import {
  hasMethods,
  methodOf,
  ipOf,
  sessionAccess,
  targetOf,
  type AnyRequest,
  type Framework,
  type HeaderTarget,
  type RequestView,
} from './view';
import type { Readable } from 'node:stream';

interface KoaContext {
  readonly headerSent: boolean;
  readonly req?: Readable;
  readonly request?: { body?: unknown };
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

interface KoaRequest extends AnyRequest {
  ctx: KoaContext;
}

function headersOf(ctx: KoaContext): HeaderTarget {
  return {
    get headersSent() {
      return ctx.headerSent;
    },
    setHeader: (name, value) => ctx.set(name, value),
    appendHeader: (name, value) => ctx.append(name, value),
  };
}

function view(request: object): RequestView {
  const req = request as KoaRequest;
  const { ctx } = req;
  return {
    target: targetOf(req),
    method: methodOf(req),
    headers: req.headers ?? {},
    session: sessionAccess(req.session),
    response: () => headersOf(ctx),
    // A null body counts as none.
    body: req.body ?? ctx.request?.body ?? undefined,
    stream: ctx.req,
    encrypted: req.socket?.encrypted === true,
    // Koa's `app.proxy` is not read: behind a proxy, set the `host` and `scheme` options.
    trustsProxy: () => false,
    clientIp: () => ipOf(req),
  };
}

/** Koa with koa-passport: the request whose `ctx` can set and append headers. */
export const koa: Framework = {
  matches: (req) => hasMethods((req as Partial<KoaRequest>).ctx, 'set', 'append'),
  view,
};
