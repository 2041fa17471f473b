// Fastify with @fastify/passport, with each session plugin: the README's recipe (./apps.ts), end to end.
import request from 'supertest';
import { secureSession, serverSession, startFastify } from './apps';
import { formPostFlow, frameworkFlow, startProvider } from './flow';

frameworkFlow('Fastify 5 + @fastify/passport 4 + @fastify/secure-session 8', startFastify(secureSession));
frameworkFlow('Fastify 5 + @fastify/passport 4 + @fastify/session 11', startFastify(serverSession));
formPostFlow('Fastify 5 + @fastify/passport 4 + @fastify/formbody 8 + @fastify/secure-session 8', startFastify(secureSession));
formPostFlow('Fastify 5 + @fastify/passport 4 + @fastify/formbody 8 + @fastify/session 11', startFastify(serverSession));

// Without the plugin the strategy cannot reach the reply: logins still work (the state waits in
// the session), but no response carries the no-store headers. Hence the plugin in the recipe.
test.each([
  ['@fastify/secure-session', secureSession],
  ['@fastify/session', serverSession],
])('without jwtssoFastify, with %s: the login works through the session, without the headers', async (_name, withSession) => {
  const idp = await startProvider();
  const app = await startFastify(withSession, { linkReply: false })({ authEndpoint: `${idp.url}/v3/sso`, loginState: 'cookie' });
  try {
    const browser = request.agent(app.url);
    const toProvider = await browser.get('/protected');
    expect(toProvider.status).toBe(302);
    expect(toProvider.headers['cache-control']).toBeUndefined();
    expect(String(toProvider.headers['set-cookie'])).not.toMatch(/jwtsso-s-/);
    const returnTo = new URL(toProvider.headers.location!).searchParams.get('return_to')!;
    const chosen = await request(idp.url).post('/v3/sso').type('form').send({ user: 'harry.student', return_to: returnTo });
    const back = new URL(chosen.headers.location!);
    const callback = await browser.get(`${back.pathname}${back.search}`);
    expect(callback.status).toBe(303);
    const page = await browser.get(callback.headers.location!);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ user: { username: 'harry.student' } });
  } finally {
    await app.close();
    await idp.close();
  }
});
