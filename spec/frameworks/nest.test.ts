// NestJS on Express with @nestjs/passport: the README's recipe, end to end, and what the plain
// AuthGuard gets wrong that JwtSsoGuard fixes.
import 'reflect-metadata';
import { Controller, Get, Injectable, Post, Module, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type * as NestPassport from '@nestjs/passport' with { 'resolution-mode': 'import' };
import session from 'express-session';
import passport from 'passport';
import type { Request } from 'express';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { JwtSsoGuard } from 'passport-jwtsso/nest';
import request from 'supertest';
import { providerReturn, returnToOf } from '../helpers/flow';
import { bodyUnreadableFault, formPostFlow, formToken, frameworkFlow, SECRET, type AppConfig, type RunningApp } from './flow';

// @nestjs/passport 12 is ES modules only: Node 20.19+ requires it as it is (Jest through the
// transform in jest.config.ts); TypeScript's node16 module mode wants it said this way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AuthGuard, PassportModule, PassportSerializer, PassportStrategy } = require('@nestjs/passport') as typeof NestPassport;

interface NestSetup {
  /** Mount express-session and passport.session() (default true). */
  session?: boolean;
  /** Nest's own body parsers off, and a middleware that reads the body and keeps nothing. */
  drainBody?: boolean;
}

const startNest = (config: AppConfig): Promise<RunningApp> => startNestWith(config, {});

async function startNestWith(config: AppConfig, setup: NestSetup): Promise<RunningApp> {
  // --- the README's NestJS recipe ---
  @Injectable()
  class SsoStrategy extends PassportStrategy(JwtSsoStrategy, 'jwtsso') {
    constructor() {
      super({ authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy });
    }
    validate(claims: PuavoClaims) {
      return { id: claims.puavo_id, username: claims.username };
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

  const app: INestApplication = await NestFactory.create(AppModule, {
    logger: process.env.NEST_LOG ? ['error'] : false,
    bodyParser: setup.drainBody !== true,
  });
  if (setup.session !== false) {
    app.use(
      session({
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

frameworkFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
formPostFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
bodyUnreadableFault('NestJS 11 + @nestjs/passport 12 on Express', (config) => startNestWith(config, { drainBody: true }));

// No session middleware: the sign-in verifies, but JwtSsoGuard has no session to keep it in (it
// would be lost on the next request). A fault of the setup: a 500 with its code, naming the fix.
test('NestJS without express-session: the sign-in ends in 500, ERR_JWTSSO_SESSION_REQUIRED, naming the session middleware', async () => {
  const app = await startNestWith({ authEndpoint: 'https://sso.example.test/v3/sso', loginState: 'cookie' }, { session: false });
  try {
    const browser = request.agent(app.url);
    const start = await browser.get('/protected');
    expect(start.status).toBe(302);
    const token = formToken();
    const callback = await browser.get(providerReturn(returnToOf(start.headers.location), token));
    expect(callback.status).toBe(303);
    const res = await browser.get(callback.headers.location!);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: Code.SESSION_REQUIRED, message: expect.stringMatching(/mount session middleware/) });
    expect(JSON.stringify(res.body)).not.toContain(token);
  } finally {
    await app.close();
  }
});
