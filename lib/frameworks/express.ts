// Express, and NestJS on Express: the request is Node's, extended. `req.res` is the response,
// `req.originalUrl` the target before a router cut a mount path off, `req.app.get('trust proxy
// fn')` the trust-proxy setting, `req.ip` the client address it decided, `req.next` the error
// handler, `req.body` what express.urlencoded() (or NestJS's default parser) made of a form.
import {
  hasMethods,
  ipOf,
  isStream,
  methodOf,
  peerAddress,
  sessionAccess,
  targetOf,
  type AnyRequest,
  type Framework,
  type HeaderTarget,
  type RequestView,
} from './view';

type TrustFn = (address: string | undefined, hop: number) => boolean;

interface ExpressRequest extends AnyRequest {
  res?: unknown;
  app?: { get?: (setting: string) => unknown };
  next?: unknown;
}

/** True when Express's `trust proxy` setting trusts the peer (the request's `app`, absent outside Express: false). */
export function expressTrustsPeer(req: ExpressRequest): boolean {
  const trust = req.app?.get?.('trust proxy fn');
  return typeof trust === 'function' && (trust as TrustFn)(peerAddress(req), 0) === true;
}

function view(request: object): RequestView {
  const req = request as ExpressRequest;
  const next = req.next;
  return {
    target: targetOf(req),
    method: methodOf(req),
    headers: req.headers ?? {},
    session: sessionAccess(req.session),
    response: () => req.res as HeaderTarget,
    body: req.body,
    stream: isStream(request) ? request : undefined,
    encrypted: req.socket?.encrypted === true,
    trustsProxy: () => expressTrustsPeer(req),
    // `req.ip` where Express's `trust proxy` decided it, else the socket's. A function, not a
    // getter (a getter makes V8 build this literal the slow way: ~1.1 KB more a request), asked
    // only for an audit event: behind a trusted proxy req.ip costs about 11 µs.
    clientIp: () => ipOf(req),
    next: typeof next === 'function' ? (err) => (next as (e: Error) => void)(err) : undefined,
  };
}

/** Express (and NestJS on Express): the request whose `res` can set and append headers. */
export const express: Framework = {
  matches: (req) => hasMethods((req as ExpressRequest).res, 'setHeader', 'appendHeader'),
  view,
};
