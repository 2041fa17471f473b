// The README's recipes for Fastify, Koa and NestJS as runnable apps, shared by the framework
// flow suites (spec/frameworks/*.test.ts) and the fuzz suite (spec/fuzz/): each app routes
// `GET /protected` and `FORM_CALLBACK` (GET and POST) through the strategy.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySecureSession from '@fastify/secure-session';
import fastifySession from '@fastify/session';
import fastifyFormbody from '@fastify/formbody';
import { Authenticator } from '@fastify/passport';
import Koa from 'koa';
import koaSession from 'koa-session';
import { KoaPassport } from 'koa-passport';
import { bodyParser } from '@koa/bodyparser';
import { Controller, Get, Injectable, Post, Module, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type * as NestPassport from '@nestjs/passport' with { 'resolution-mode': 'import' };
import expressSession from 'express-session';
import passport from 'passport';
import type { Request } from 'express';
import { JwtSsoError, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { jwtssoFastify } from 'passport-jwtsso/fastify';
import { JwtSsoGuard } from 'passport-jwtsso/nest';
import { closeServer, FORM_CALLBACK, listen, SECRET, userOf, type AppConfig, type RunningApp } from './flow';

// @nestjs/passport 12 is ES modules only: Node 20.19+ requires it as it is (Jest through the
// transform in jest.config.ts); TypeScript's node16 module mode wants it said this way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AuthGuard, PassportModule, PassportSerializer, PassportStrategy } = require('@nestjs/passport') as typeof NestPassport;

export type SessionPlugin = (app: FastifyInstance) => Promise<void>;

export const secureSession: SessionPlugin = async (app) => {
  await app.register(fastifySecureSession, { key: randomBytes(32), cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
};
export const serverSession: SessionPlugin = async (app) => {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: randomBytes(32).toString('hex'),
    saveUninitialized: false,
    cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax' },
  });
};

/** Fastify 5 with @fastify/passport and `withSession`: the README's recipe. */
/** `linkReply: false` leaves jwtssoFastify out (a setup fault); `drainBody` reads a form and keeps nothing (no parsed body). */
export function startFastify(withSession: SessionPlugin, options: { linkReply?: boolean; drainBody?: boolean } = {}) {
  return async (config: AppConfig): Promise<RunningApp> => {
    // --- the README's Fastify recipe ---
    const fastifyPassport = new Authenticator();
    fastifyPassport.use(
      'jwtsso',
      new JwtSsoStrategy<PuavoClaims>(
        { authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy },
        (claims, done) => {
          const user = userOf(config, claims);
          return user instanceof Error ? done(user) : done(null, user);
        },
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
    // A provider's fixed callback (a GET) or form-POST callback: Fastify parses no form itself, @fastify/formbody does.
    if (options.drainBody === true) {
      // A form parser that reads the body and keeps nothing: no parsed body, the raw stream read.
      app.addContentTypeParser('application/x-www-form-urlencoded', (_request, payload, done) => {
        payload.resume();
        payload.on('end', () => done(null, undefined));
      });
    } else await app.register(fastifyFormbody);
    app.get(FORM_CALLBACK, { preValidation: signedIn }, async (request) => ({ user: request.user }));
    app.post(FORM_CALLBACK, { preValidation: signedIn }, async (request) => ({ user: request.user }));
    // --- end of the recipe ---

    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  };
}

/**
 * Koa 3 with koa-passport and koa-session (and @koa/bodyparser when asked): the README's recipe.
 * `drainBody`: a middleware that reads the body and keeps nothing (a logger that drains it).
 */
export const startKoa =
  (options: { bodyParser?: boolean; drainBody?: boolean } = {}) =>
  async (config: AppConfig): Promise<RunningApp> => {
    // --- the README's Koa recipe ---
    const passport = new KoaPassport();
    passport.use(
      new JwtSsoStrategy<PuavoClaims>(
        { authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy },
        (claims, done) => {
          const user = userOf(config, claims);
          return user instanceof Error ? done(user) : done(null, user);
        },
      ),
    );
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user: Express.User, done) => done(null, user));

    const app = new Koa();
    app.keys = ['koa-cookie-signing-key'];
    app.use(koaSession({ sameSite: 'lax', httpOnly: true }, app));
    // Faults answered inside the session: Koa's default handler drops every header set before the
    // error (the strategy's cleared cookies) and koa-session saves nothing on a thrown error.
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const e = err as { status?: number; code?: string; message?: string };
        ctx.status = e.status ?? 500;
        ctx.body = { code: e.code ?? null, message: e.message ?? null };
        ctx.app.emit('error', err, ctx);
      }
    });
    if (options.drainBody === true) {
      app.use(async (ctx, next) => {
        for await (const _ of ctx.req);
        await next();
      });
    }
    if (options.bodyParser === true) app.use(bodyParser());
    app.use(passport.initialize());
    app.use(passport.session());

    // Signs in, passes a signed-in session through, and answers a refusal with its status and code.
    const signedIn: Koa.Middleware = (ctx, next) =>
      passport.authenticate('jwtsso', async (err: unknown, user: Express.User | false, info: unknown, status?: number) => {
        if (err) throw err;
        if (!user) {
          ctx.status = status ?? 401;
          ctx.body = { code: info instanceof JwtSsoError ? info.code : null };
          return;
        }
        await ctx.login(user);
        await next();
      })(ctx, next);

    app.use(async (ctx, next) => {
      if (ctx.path !== '/protected' && ctx.path !== FORM_CALLBACK) return next();
      await signedIn(ctx, async () => {
        ctx.body = { user: ctx.state.user };
      });
    });
    // --- end of the recipe ---

    const server = createServer(app.callback());
    const url = await listen(server);
    return { url, close: () => closeServer(server) };
  };

/** How a NestJS test app departs from the recipe, to show a setup fault. */
export interface NestSetup {
  /** Mount express-session and passport.session() (default true). */
  session?: boolean;
  /** Nest's own body parsers off, and a middleware that reads the body and keeps nothing. */
  drainBody?: boolean;
}

/** NestJS 11 on Express with @nestjs/passport and JwtSsoGuard: the README's recipe. */
export async function startNest(config: AppConfig, setup: NestSetup = {}): Promise<RunningApp> {
  // --- the README's NestJS recipe ---
  @Injectable()
  class SsoStrategy extends PassportStrategy(JwtSsoStrategy, 'jwtsso') {
    constructor() {
      super({ authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy });
    }
    validate(claims: PuavoClaims) {
      const user = userOf(config, claims);
      if (user instanceof Error) throw user;
      return user;
    }
  }

  @Injectable()
  class SessionSerializer extends PassportSerializer {
    serializeUser(user: Express.User, done: (err: unknown, user: Express.User) => void) {
      done(null, user);
    }
    deserializeUser(user: Express.User, done: (err: unknown, user: Express.User) => void) {
      done(null, user);
    }
  }

  @Injectable()
  class SsoGuard extends JwtSsoGuard(AuthGuard('jwtsso')) {}

  @Controller()
  class PagesController {
    @Get('protected')
    @UseGuards(SsoGuard)
    page(@Req() req: Request) {
      return { user: req.user };
    }

    // A provider's fixed callback (a GET).
    @Get('access/jwt')
    @UseGuards(SsoGuard)
    fixedCallback(@Req() req: Request) {
      return { user: req.user };
    }

    // A form-POST provider's callback (Nest parses urlencoded bodies by default).
    @Post('access/jwt')
    @UseGuards(SsoGuard)
    callback(@Req() req: Request) {
      return { user: req.user };
    }
  }

  @Module({ imports: [PassportModule], controllers: [PagesController], providers: [SsoStrategy, SessionSerializer] })
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is its decorator
  class AppModule {}

  const app: INestApplication = await NestFactory.create(AppModule, { logger: false, bodyParser: setup.drainBody !== true });
  if (setup.session !== false) {
    app.use(
      expressSession({
        secret: 'nest-cookie-signing-secret',
        resave: false,
        saveUninitialized: false,
        cookie: { sameSite: 'lax', httpOnly: true },
      }),
    );
  }
  if (setup.drainBody === true) {
    app.use((req: Request, _res: unknown, next: () => void) => {
      req.resume();
      req.on('end', next);
    });
  }
  app.use(passport.initialize());
  if (setup.session !== false) app.use(passport.session()); // Passport's own refuses to run without a session
  // --- end of the recipe ---

  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
