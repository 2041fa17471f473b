import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { JwtSsoStrategy, type JwtSsoStrategyOptionsWithRequest, type VerifyFunctionWithRequest } from '../../lib';
import { AUTH_ENDPOINT } from './app';
import { SECRET } from './tokens';

/**
 * The smallest app on the global passport: no verify function (claims become the user), or
 * one that takes the request.
 */
export async function startBare(withRequest?: VerifyFunctionWithRequest) {
  const base = { authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, state: false };
  passport.use(
    withRequest === undefined
      ? new JwtSsoStrategy(base)
      : new JwtSsoStrategy({ ...base, passReqToCallback: true } satisfies JwtSsoStrategyOptionsWithRequest, withRequest),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
  app.use(passport.session());
  app.get('/', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ user: req.user });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { browser: () => request.agent(url), close: () => new Promise<void>((r) => server.close(() => r())) };
}
