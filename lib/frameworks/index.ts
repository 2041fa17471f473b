// The frameworks this package knows, tried in order by a cheap test of the request; the first
// that claims it makes its view. Adding one is one file here and one line in FRAMEWORKS.
import { express } from './express';
import { fastify } from './fastify';
import { koa } from './koa';
import { node } from './node';
import type { Framework, RequestView } from './view';

// Fastify first: its request may also carry what the others test for; node last: it claims all.
const FRAMEWORKS: readonly Framework[] = [fastify, koa, express, node];

/** The view of a request, by the first framework that claims it. */
export function requestView(req: object): RequestView {
  return FRAMEWORKS.find((f) => f.matches(req))!.view(req);
}

export { clientIpOf } from './view';
export type { Framework, HeaderTarget, RequestView, SessionAccess } from './view';
