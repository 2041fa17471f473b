// Fastify with @fastify/passport, with each session plugin: the README's recipe, end to end.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySecureSession from '@fastify/secure-session';
import fastifySession from '@fastify/session';
import { Authenticator } from '@fastify/passport';
import { JwtSsoError, JwtSsoErrorCode as Code, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { jwtssoFastify } from 'passport-jwtsso/fastify';
import request from 'supertest';
import fastifyFormbody from '@fastify/formbody';
import { mint, puavoClaims } from '../helpers/tokens';
import {
  bodyUnreadableFault,
  FORM_CALLBACK,
  formPostFlow,
  frameworkFlow,
  SECRET,
  startProvider,
  type AppConfig,
  type RunningApp,
} from './flow';

type SessionPlugin = (app: FastifyInstance) => Promise<void>;

const secureSession: SessionPlugin = async (app) => {
  await app.register(fastifySecureSession, { key: randomBytes(32), cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
};
const serverSession: SessionPlugin = async (app) => {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: randomBytes(32).toString('hex'),
    saveUninitialized: false,
    cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax' },
  });
};

function startFastify(withSession: SessionPlugin, options: { linkReply?: boolean; drainBody?: boolean } = {}) {
  return async (config: AppConfig): Promise<RunningApp> => {
    // --- the README's Fastify recipe ---
    const fastifyPassport = new Authenticator();
    fastifyPassport.use(
      'jwtsso',
      new JwtSsoStrategy<PuavoClaims>(
        { authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy },
        (claims, done) => done(null, { id: claims.puavo_id, username: claims.username }),
      ),
    );
    fastifyPassport.registerUserSerializer(async (user: Express.User) => JSON.stringify(user));
    fastifyPassport.registerUserDeserializer(async (text: string) => JSON.parse(text) as Express.User);

    const app = Fastify();
    if (options.linkReply !== false) await app.register(jwtssoFastify); // lets the strategy write its headers and cookies on the reply
    await withSession(app); // @fastify/secure-session, or @fastify/cookie and @fastify/session
    await app.register(fastifyPassport.initialize());
    await app.register(fastifyPassport.secureSession());

    // Signs in, passes a signed-in session through, and answers a refusal with its status and code.
    const signedIn = fastifyPassport.authenticate('jwtsso', async (request, reply, err, user, info, status) => {
      if (err) throw err;
      if (!user) return reply.code(status ?? 401).send({ code: info instanceof JwtSsoError ? info.code : null });
      await request.logIn(user);
    });
    app.get('/protected', { preValidation: signedIn }, async (request) => ({ user: request.user }));
    // A form-POST provider's callback: Fastify parses no form itself, @fastify/formbody does.
    if (options.drainBody === true) {
      // A form parser that reads the body and keeps nothing: no parsed body, the raw stream read.
      app.addContentTypeParser('application/x-www-form-urlencoded', (_request, payload, done) => {
        payload.resume();
        payload.on('end', () => done(null, undefined));
      });
    } else await app.register(fastifyFormbody);
    app.post(FORM_CALLBACK, { preValidation: signedIn }, async (request) => ({ user: request.user }));
    // --- end of the recipe ---

    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  };
}

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
