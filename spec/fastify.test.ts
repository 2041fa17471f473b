// lib/fastify.ts: passport-jwtsso/fastify links each request to its reply, on every route of the app
// (not only inside the plugin's own context), whether the app registers it once or twice, and
// shows in Fastify's plugin tree under the package's name. The login through it: spec/frameworks/fastify.test.ts.
import Fastify, { type FastifyInstance } from 'fastify';
import { jwtssoFastify, linkReply } from '../lib/fastify';
import { REPLY_LINK } from '../lib/frameworks/fastify';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

// A route that answers whether its request holds its own reply, as the strategy reads it.
function linkedRoute(instance: FastifyInstance, path: string, routeOptions: object = {}): void {
  instance.get(path, routeOptions, async (request, reply) => ({
    linked: (request as unknown as Record<symbol, unknown>)[REPLY_LINK] === reply,
  }));
}

async function linked(path: string): Promise<boolean> {
  const res = await app!.inject({ method: 'GET', url: path });
  expect(res.statusCode).toBe(200);
  return (res.json() as { linked: boolean }).linked;
}

describe('jwtssoFastify links every request of the app to its reply', () => {
  test('a route of the app itself, registered after the plugin', async () => {
    app = Fastify();
    await app.register(jwtssoFastify);
    linkedRoute(app, '/');
    expect(await linked('/')).toBe(true);
  });

  test('a route in a sibling plugin: the hook is not encapsulated in the plugin', async () => {
    app = Fastify();
    await app.register(jwtssoFastify);
    await app.register(async (child) => linkedRoute(child, '/child'), { prefix: '/p' });
    expect(await linked('/p/child')).toBe(true);
  });

  test('control: without the plugin, no request is linked', async () => {
    app = Fastify();
    linkedRoute(app, '/');
    expect(await linked('/')).toBe(false);
  });

  test('the link is declared on the request once (one request shape), and registering the plugin twice is no error', async () => {
    app = Fastify();
    await app.register(jwtssoFastify);
    expect(app.hasRequestDecorator(REPLY_LINK)).toBe(true);
    await app.register(jwtssoFastify);
    linkedRoute(app, '/');
    expect(await linked('/')).toBe(true);
  });

  test('it is known to Fastify as passport-jwtsso (app.hasPlugin), for plugins that check for it', async () => {
    app = Fastify();
    expect(app.hasPlugin('passport-jwtsso')).toBe(false);
    await app.register(jwtssoFastify);
    expect(app.hasPlugin('passport-jwtsso')).toBe(true);
  });
});

describe('linkReply links the routes it is given, and only those', () => {
  test('a route with linkReply as its onRequest hook is linked; one without is not', async () => {
    app = Fastify();
    linkedRoute(app, '/with', { onRequest: linkReply });
    linkedRoute(app, '/without');
    expect(await linked('/with')).toBe(true);
    expect(await linked('/without')).toBe(false);
  });
});
