// A bare Node request, or anything else with a URL (chai-passport-strategy's, a test harness's):
// the fallback when no other framework claims the request. No response is reachable, so the
// login state waits in the session; the request itself is the body's stream when it is one.
import { ipOf, isStream, methodOf, sessionAccess, targetOf, type AnyRequest, type Framework, type RequestView } from './view';

function view(request: object): RequestView {
  const req = request as AnyRequest;
  return {
    target: targetOf(req),
    method: methodOf(req),
    headers: req.headers ?? {},
    session: sessionAccess(req.session),
    response: () => undefined,
    body: req.body ?? undefined,
    stream: isStream(req) ? req : undefined,
    encrypted: req.socket?.encrypted === true,
    trustsProxy: () => false,
    clientIp: () => ipOf(req),
  };
}

/** The fallback: claims every request. */
export const node: Framework = { matches: () => true, view };
