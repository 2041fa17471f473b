// passport-jwtsso/testing, used as an app's own tests would use it: a real app on Express 4 and
// 5, the dev provider on loopback, supertest's agent, one call to sign in.
import express5 from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { DEFAULT_DEV_USERS, mintToken, signIn, startDevProvider, type RunningDevProvider } from 'passport-jwtsso/testing';
import { verifyToken } from '../lib/token';
import { createSecretKey } from 'node:crypto';
import { EXPRESS, type ExpressName } from './helpers/app';

const SECRET = 'testing-kit-secret';
let provider: RunningDevProvider;
beforeAll(async () => {
  provider = await startDevProvider({ sharedSecret: SECRET, allowedHosts: ['localhost', '127.0.0.1', 'app.example.test'] });
});
afterAll(() => provider.close());

interface AppUser {
  username: string;
}

function createApp(expressName: ExpressName, options: { host?: string; passportSession?: boolean; secret?: string } = {}) {
  const express = EXPRESS[expressName] as typeof express5;
  const passport = new Passport();
  passport.use(
    new JwtSsoStrategy<PuavoClaims, AppUser>(
      {
        authEndpoint: provider.url,
        sharedSecret: options.secret ?? SECRET,
        ...(options.host === undefined ? {} : { host: options.host, scheme: 'http' }),
      },
      (claims, done) => done(null, { username: claims.username }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  if (options.passportSession !== false) app.use(passport.session());
  app.get('/protected', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ user: req.user });
  });
  app.get('/api/me', passport.authenticate('jwtsso', { redirect: false }), (req, res) => {
    res.json({ user: req.user });
  });
  return app;
}

describe.each(Object.keys(EXPRESS) as ExpressName[])('%s', (expressName) => {
  test('signIn signs the first dev user in with one call; the agent stays signed in', async () => {
    const agent = request.agent(createApp(expressName));
    const page = await signIn(agent, { path: '/protected', provider });
    expect(page.status).toBe(200);
    const me = await agent.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ username: DEFAULT_DEV_USERS[0]!.username });
  });

  test('signIn as a chosen user, with the app on a configured public host', async () => {
    const agent = request.agent(createApp(expressName, { host: 'app.example.test' }));
    await signIn(agent, { path: '/protected', provider, user: 'harry.student' });
    expect((await agent.get('/api/me')).body.user).toEqual({ username: 'harry.student' });
  });

  test('control: without signIn the API answers 401', async () => {
    const agent = request.agent(createApp(expressName));
    const me = await agent.get('/api/me');
    expect(me.status).toBe(401);
  });
});

describe('signIn says which step went wrong', () => {
  test('an app with another secret than the provider: the code and what went wrong, not a bare "401: Unauthorized"', async () => {
    const failure = signIn(request.agent(createApp('express 5', { secret: 'not-the-providers-secret' })), { path: '/protected', provider });
    await expect(failure).rejects.toThrow(
      /refused the sign-in at \/protected: 401 \(ERR_JWTSSO_SIGNATURE_INVALID\): Not signed in \(ERR_JWTSSO_SIGNATURE_INVALID\): .*signature/i,
    );
    await expect(failure).rejects.not.toThrow(/not-the-providers-secret|testing-kit-secret/);
  });

  test.each<[string, () => Promise<unknown>, RegExp]>([
    [
      'a path that is not protected',
      () => signIn(request.agent(createApp('express 5')), { path: '/nowhere', provider }),
      /GET \/nowhere was not sent to the dev provider .* it answered 404: .*Cannot GET \/nowhere/,
    ],
    [
      'an unknown user',
      () => signIn(request.agent(createApp('express 5')), { path: '/protected', provider, user: 'nobody' }),
      /the dev provider answered 400: .*Cannot sign in No such demo user/,
    ],
    [
      'another provider than the app uses',
      () => signIn(request.agent(createApp('express 5')), { path: '/protected', provider: 'http://127.0.0.1:9/v3/sso' }),
      /not sent to the dev provider at http:\/\/127\.0\.0\.1:9\/v3\/sso .* it answered 302 to http:\/\/127\.0\.0\.1:\d+\/v3\/sso/,
    ],
    [
      'an app without passport.session(): its code',
      async () => {
        const agent = request.agent(createApp('express 5', { passportSession: false }));
        await signIn(agent, { path: '/protected', provider });
        return signIn(agent, { path: '/protected', provider });
      },
      /answered 500: .*mount app\.use\(passport\.session\(\)\)/,
    ],
  ])('%s', async (_name, act, message) => {
    await expect(act()).rejects.toThrow(message);
  });
});

describe('mintToken', () => {
  const key = createSecretKey(Buffer.from(SECRET));
  const check = (token: string) => verifyToken(token, { keys: [{ alg: 'HS256', key }], maxAge: 60, clockTolerance: 5 }, Date.now());

  test('mints what the strategy accepts: the named user, a fresh iat and jti', () => {
    const claims = check(mintToken({ sharedSecret: SECRET, user: 'albus.admin' }));
    expect(claims).toMatchObject({ username: 'albus.admin', jti: expect.any(String) });
  });

  test('a user of its own, signed as given', () => {
    const user = { ...DEFAULT_DEV_USERS[0]!, username: 'custom', organisation_domain: 'other.opinsys.fi' };
    expect(check(mintToken({ sharedSecret: SECRET, user }))).toMatchObject({ username: 'custom', organisation_domain: 'other.opinsys.fi' });
  });

  test.each<[string, Parameters<typeof mintToken>[0], string]>([
    ['a stale token', { sharedSecret: SECRET, iatOffset: -3600 }, Code.TOKEN_TOO_OLD],
    ['a token from the future', { sharedSecret: SECRET, iatOffset: 3600 }, Code.TOKEN_NOT_YET_VALID],
    ['another secret', { sharedSecret: 'other' }, Code.SIGNATURE_INVALID],
  ])('%s is refused by the strategy', (_name, options, code) => {
    expect(() => check(mintToken(options))).toThrow(expect.objectContaining({ code }));
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown username', { sharedSecret: SECRET, user: 'nobody' }, /"user" names no user/],
    ['no secret', { sharedSecret: undefined }, /"sharedSecret"/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => mintToken(options as never)).toThrow(message);
  });
});

test.each(['wso2', 'zendesk', 'thinkific'] as const)(
  'signIn with a dev provider in the %s shape: a TypeError saying it plays Puavo only, before any request',
  async (shape) => {
    const other = await startDevProvider({
      shape,
      sharedSecret: SECRET,
      callbackUrl: 'http://127.0.0.1:1/cb',
      ...(shape === 'wso2' ? { relyingParty: 'app' } : {}),
    });
    try {
      let asked = false;
      const agent = { get: () => ((asked = true), Promise.reject(new Error('no request expected'))) } as never;
      await expect(signIn(agent, { provider: other, path: '/' })).rejects.toThrow(
        new RegExp(`plays the "${shape}" shape, and signIn plays Puavo's only`),
      );
      expect(asked).toBe(false);
    } finally {
      await other.close();
    }
  },
);
