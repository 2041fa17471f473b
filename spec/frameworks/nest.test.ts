// NestJS on Express with @nestjs/passport: the README's recipe, end to end, and what the plain
// AuthGuard gets wrong that JwtSsoGuard fixes.
import 'reflect-metadata';
import { Controller, Get, Injectable, Post, Module, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type * as NestPassport from '@nestjs/passport' with { 'resolution-mode': 'import' };
import session from 'express-session';
import passport from 'passport';
import type { Request } from 'express';
import { JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { JwtSsoGuard } from 'passport-jwtsso/nest';
import { formPostFlow, frameworkFlow, SECRET, type AppConfig, type RunningApp } from './flow';

// @nestjs/passport 12 is ES modules only: Node 20.19+ requires it as it is (Jest through the
// transform in jest.config.ts); TypeScript's node16 module mode wants it said this way.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AuthGuard, PassportModule, PassportSerializer, PassportStrategy } = require('@nestjs/passport') as typeof NestPassport;

async function startNest(config: AppConfig): Promise<RunningApp> {
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

  const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
  app.use(
    session({ secret: 'nest-cookie-signing-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax', httpOnly: true } }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  // --- end of the recipe ---

  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

frameworkFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
formPostFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
