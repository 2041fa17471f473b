// The original jwtsso 1.0.1 test suite (node_modules/jwtsso/test/login_test.js), ported from
// mocha and Express 3 to Jest and Express 4 with only its session middleware changed
// (express.cookieParser + express.session -> express-session), run against passport-jwtsso/compat
// with the options the migration table (docs/migrating.md) names. Its requests, tokens and routes are the
// original's; where an assertion cannot pass (the error message texts), the port asserts the
// stable code instead, and the table below, which the migration table of docs/migrating.md must list, says why.
import assert from 'node:assert';
import url from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express4';
import session from 'express-session';
import request from 'supertest';
import puavo from 'passport-jwtsso/compat';
import { raw } from './helpers/tokens';

// What the migration table names for a jwtsso 1.x app and its tests: provider-started logins
// (no state in return_to), tokens without jti kept single-use by their hash, exp judged within a
// second. Not 0: the original's tests round iat to the nearest second (Math.round), so half the
// time it lies up to 0.5 s ahead, which 1.x never checked and this package refuses beyond the
// tolerance.
const MIGRATION_OPTIONS = { state: false, replayKey: 'jti-or-token-hash', clockTolerance: 1 } as const;

// jwt-simple's encode: HS256 with {"typ":"JWT","alg":"HS256"}.
const jwt = { encode: (claims: object, secret: string) => raw({ typ: 'JWT', alg: 'HS256' }, claims, secret) };

function now(): number {
  return Math.round(Date.now() / 1000);
}

// The original's message assertions, which no option makes pass: the messages now say what was
// wrong and what to do. The stable code is asserted in their place.
const CHANGED_MESSAGES = {
  'Signature verification failed': 'ERR_JWTSSO_SIGNATURE_INVALID',
  'token is too old': 'ERR_JWTSSO_TOKEN_TOO_OLD',
  'token has expired': 'ERR_JWTSSO_TOKEN_EXPIRED',
} as const;

type ErrorHandler = (err: Error & { code?: string }, req: express.Request, res: express.Response, next: express.NextFunction) => void;

describe('connect-puavo', function () {
  describe('res.requestJwt()', function () {
    let app: express.Express;
    beforeEach(function () {
      app = express();
      app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
      app.use(
        puavo({
          authEndpoint: 'https://authserver.opinsys.net/v3/remote_auth',
          sharedSecret: 'secret',
          mountPoint: 'http://myapp.example.com',
          ...MIGRATION_OPTIONS,
        }),
      );
    });

    it('redirects to auth server when called from route', async function () {
      app.get('/foo', function (_req, res) {
        res.requestJwt();
      });
      const res = await request(app).get('/foo');
      assert(res.headers.location, 'got redirect');
      const redirUrl = url.parse(res.headers.location, true);
      assert.equal(redirUrl.host, 'authserver.opinsys.net');
      assert.equal(redirUrl.pathname, '/v3/remote_auth');
      assert.equal(redirUrl.query.return_to, 'http://myapp.example.com/foo');
    });

    it('can set custom path', async function () {
      app.get('/foo', function (_req, res) {
        res.requestJwt('/custom/path');
      });
      const res = await request(app).get('/foo');
      assert(res.headers.location, 'got redirect');
      const redirUrl = url.parse(res.headers.location, true);
      assert.equal(redirUrl.query.return_to, 'http://myapp.example.com/custom/path');
    });

    it('can set custom path with query string', async function () {
      app.get('/foo', function (_req, res) {
        res.requestJwt('/custom/path?my=query');
      });
      const res = await request(app).get('/foo');
      assert(res.headers.location, 'got redirect');
      const redirUrl = url.parse(res.headers.location, true);
      assert.equal(redirUrl.query.return_to, 'http://myapp.example.com/custom/path?my=query');
    });
  });

  describe('jwt', function () {
    let app: express.Express;
    let requestWithToken: (token: string) => Promise<request.Response>;
    beforeEach(function () {
      app = express();
      app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
      app.use(
        puavo({
          authEndpoint: 'https://authserver.opinsys.net/v3/remote_auth',
          sharedSecret: 'secret',
          mountPoint: 'http://myapp.example.com',
          ...MIGRATION_OPTIONS,
        }),
      );
      requestWithToken = (token) => request(app).get('/fooroute?foo=bar&jwt=' + token);
    });

    // The error handler the original's tests install, resolving with the error it got.
    const nextError = () =>
      new Promise<Error & { code?: string }>((resolve) => {
        // Four parameters, as the original's: Express knows an error handler by its arity.
        const handler: ErrorHandler = (err, _req, res, _next) => {
          res.status(500).end();
          resolve(err);
        };
        app.use(handler);
      });

    it('sets jwt token to session object', async function () {
      const seen = new Promise<void>((resolve, reject) => {
        app.get('/fooroute', function (req, res) {
          res.end('ok');
          try {
            assert(req.session.jwt, 'jwt is on session object');
            assert.equal(req.session.jwt.foo, 'bar');
            assert.equal(req.query.foo, 'bar', 'persist query values');
            resolve();
          } catch (err) {
            reject(err as Error);
          }
        });
      });
      const token = jwt.encode({ iat: now(), foo: 'bar' }, 'secret');
      const res = await requestWithToken(token);
      assert(res.headers.location, 'got redirect');
      await request(app).get(res.headers.location).set('cookie', res.headers['set-cookie']!);
      await seen;
    });

    it('emits error for invalid shared secret', async function () {
      const got = nextError();
      const token = jwt.encode({ iat: now(), foo: 'bar' }, 'invalid');
      await requestWithToken(token);
      const err = await got;
      assert(err);
      // was: assert.equal(err.message, "Signature verification failed");
      assert.equal(err.code, CHANGED_MESSAGES['Signature verification failed']);
    });

    it('emits error for too old token', async function () {
      const got = nextError();
      const token = jwt.encode({ iat: now() - 300, foo: 'bar' }, 'secret');
      await requestWithToken(token);
      const err = await got;
      assert(err);
      // was: assert.equal(err.message, "token is too old");
      assert.equal(err.code, CHANGED_MESSAGES['token is too old']);
    });

    it('emits error for expired tokens', async function () {
      const got = nextError();
      const token = jwt.encode({ iat: now() - 40, exp: now() - 3, foo: 'bar' }, 'secret');
      await requestWithToken(token);
      const err = await got;
      assert(err);
      // was: assert.equal(err.message, "token has expired");
      assert.equal(err.code, CHANGED_MESSAGES['token has expired']);
    });
  });
});

describe('what the port needed, and docs/migrating.md says', () => {
  const guide = readFileSync(join(__dirname, '..', 'docs', 'migrating.md'), 'utf8');
  const table = guide.slice(guide.indexOf('## What changed, and why'), guide.indexOf("## The original's own tests"));

  test.each(Object.entries(CHANGED_MESSAGES))('the migration table lists the changed message "%s" and its code %s', (message, code) => {
    expect(table).toContain(`"${message}"`);
    expect(table).toContain(code);
  });

  test.each(Object.entries(MIGRATION_OPTIONS))('the migration table names the option %s', (option, value) => {
    expect(table).toContain(`${option}: ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  });

  test('control: with compat defaults, a token without jti is refused before its age is judged', async () => {
    const app = express();
    app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
    app.use(puavo({ authEndpoint: 'https://authserver.opinsys.net/v3/remote_auth', sharedSecret: 'secret', state: false }));
    const got = new Promise<Error & { code?: string }>((resolve) => {
      app.use(((err, _req, res, _next) => {
        res.status(500).end();
        resolve(err);
      }) as ErrorHandler);
    });
    await request(app).get('/fooroute?jwt=' + jwt.encode({ iat: now() - 300 }, 'secret'));
    expect((await got).code).toBe('ERR_JWTSSO_CLAIM_MISSING');
  });

  test('control: with the default clockTolerance (5 s), a token 3 s past exp is accepted, which the original refused', async () => {
    const app = express();
    app.use(session({ secret: 'secret', resave: false, saveUninitialized: false }));
    app.use(puavo({ authEndpoint: 'https://a.example/', sharedSecret: 'secret', state: false, replayKey: 'jti-or-token-hash' }));
    const res = await request(app).get('/x?jwt=' + jwt.encode({ iat: now() - 40, exp: now() - 3 }, 'secret'));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/x');
  });
});
