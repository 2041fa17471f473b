// Requests as the strategy sees them, for the unit tests of the modules that take a view
// (lib/frameworks/): by the framework that claims the request, or by Express's adapter.
import type { HeaderTarget, SessionAccess } from '../../lib/frameworks';
import { requestView, type RequestView } from '../../lib/frameworks';
import { express } from '../../lib/frameworks/express';
import type { RequestLike } from '../../lib/request-url';

/** The view the strategy would make of `req` (by the framework that claims it), with `extra` over it. */
export function viewOf(req: object, extra: Partial<RequestView> = {}): RequestView {
  return { ...requestView(req), ...extra };
}

/** The view Express's adapter makes of `req` (its `app` gives the trust-proxy setting). */
export const expressView = (req: object): RequestView => express.view(req);

/** loginContext's arguments for a request, with its response and session given directly. */
export function contextArgs(args: { req: object; res: HeaderTarget | undefined; session: SessionAccess | undefined; now: number }) {
  return { req: args.req as RequestLike, view: viewOf(args.req, { response: () => args.res, session: args.session }), now: args.now };
}
