// Fastify with @fastify/passport, with each session plugin: the README's recipe (./apps.ts), end to end.
import request from 'supertest';
import { JwtSsoErrorCode as Code } from 'passport-jwtsso';
import { mint, puavoClaims } from '../helpers/tokens';
import { secureSession, serverSession, startFastify } from './apps';
import { bodyUnreadableFault, formPostFlow, frameworkFlow, startProvider } from './flow';

frameworkFlow('Fastify 5 + @fastify/passport 4 + @fastify/secure-session 8', startFastify(secureSession));
frameworkFlow('Fastify 5 + @fastify/passport 4 + @fastify/session 11', startFastify(serverSession));
formPostFlow('Fastify 5 + @fastify/passport 4 + @fastify/formbody 8 + @fastify/secure-session 8', startFastify(secureSession));
formPostFlow('Fastify 5 + @fastify/passport 4 + @fastify/formbody 8 + @fastify/session 11', startFastify(serverSession));

bodyUnreadableFault('Fastify 5 + @fastify/passport 4 + @fastify/secure-session 8', startFastify(secureSession, { drainBody: true }));

// Without the plugin the strategy cannot reach the reply, so it can set neither its state cookies
// nor its no-store headers: a fault of the app's setup (500) whose message names the plugin, on
// the way to the provider and on a token's return alike. Never a refusal, never the token.
describe.each([
  ['@fastify/secure-session', secureSession],
  ['@fastify/session', serverSession],
])('without jwtssoFastify, with %s', (_name, withSession) => {
  test.each<[string, () => string]>([
    ['the redirect to the provider', () => '/protected'],
    ['a token returning', () => `/protected?jwt=${mint(puavoClaims())}`],
  ])('%s: 500, ERR_JWTSSO_FASTIFY_PLUGIN_MISSING, naming the plugin', async (_step, path) => {
    const idp = await startProvider();
    const app = await startFastify(withSession, { linkReply: false })({ authEndpoint: `${idp.url}/v3/sso`, loginState: 'cookie' });
    try {
      const target = path();
      const res = await request(app.url).get(target);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({
        code: Code.FASTIFY_PLUGIN_MISSING,
        message: expect.stringContaining('register passport-jwtsso/fastify'),
      });
      expect(JSON.stringify(res.body)).not.toContain(new URLSearchParams(target.split('?')[1] ?? '').get('jwt') ?? '\u0000');
      expect(String(res.headers['set-cookie'])).not.toMatch(/jwtsso-/);
    } finally {
      await app.close();
      await idp.close();
    }
  });
});
