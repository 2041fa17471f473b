// `passport-jwtsso/fastify`: gives the strategy a way to the reply. @fastify/passport hands a
// strategy Fastify's request only, and a Fastify request has no link to its reply; without one
// the strategy can write neither the no-store headers nor the login-state cookies. Fastify is
// not a dependency: the plugin is typed by the two methods it calls.
import { REPLY_LINK } from './frameworks/fastify';

/** What the plugin uses of a Fastify instance. */
export interface FastifyInstanceLike {
  /** Fastify's `hasRequestDecorator`: the link is declared once, however often the plugin is registered. */
  hasRequestDecorator(name: symbol): boolean;
  /** Fastify's `decorateRequest`: declares the link, so that every request has one shape. */
  decorateRequest(name: symbol, value: null): unknown;
  /** Fastify's `addHook`: {@link linkReply} runs on every request. */
  addHook(name: 'onRequest', hook: (request: object, reply: object, done: () => void) => void): unknown;
}

/** A Fastify plugin (callback style), as `app.register` takes it. */
export type FastifyPluginLike = (instance: FastifyInstanceLike, options: unknown, done: (err?: Error) => void) => void;

/**
 * An `onRequest` hook that links the request to its reply, for the strategy. Prefer
 * {@link jwtssoFastify}, which adds it to every route; this is for adding it to some routes only.
 *
 * @example
 * ```ts
 * app.get('/', { onRequest: linkReply, preValidation: fastifyPassport.authenticate('jwtsso') }, handler);
 * ```
 */
export function linkReply(request: object, reply: object, done: () => void): void {
  (request as Record<symbol, unknown>)[REPLY_LINK] = reply;
  done();
}

const plugin: FastifyPluginLike = (instance, _options, done) => {
  // Declared, so Fastify keeps one request shape.
  if (!instance.hasRequestDecorator(REPLY_LINK)) instance.decorateRequest(REPLY_LINK, null);
  instance.addHook('onRequest', linkReply);
  done();
};

/**
 * The Fastify plugin that lets the strategy write its headers (`Cache-Control: no-store`,
 * `Referrer-Policy: no-referrer`) and its login-state cookies on the reply. Register it before
 * the routes, beside @fastify/passport; it applies to the whole app (not encapsulated).
 *
 * @example
 * ```ts
 * import fastifyPassport from '@fastify/passport';
 * import { jwtssoFastify } from 'passport-jwtsso/fastify';
 *
 * await app.register(jwtssoFastify);
 * app.register(fastifyPassport.initialize());
 * app.register(fastifyPassport.secureSession());
 * ```
 */
export const jwtssoFastify: FastifyPluginLike = Object.assign(plugin, {
  // What fastify-plugin sets: the hook reaches every route, not only this plugin's children.
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'passport-jwtsso',
});
