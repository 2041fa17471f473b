// Rules of lib/strategy.ts that its mutation run (narrowed to the strategy suites) showed no suite
// of that run stating: what the constructor refuses about verify, the logout URL of a provider
// with a fixed logout redirect, where what the app throws goes when no error handler takes it,
// and what a sign-in without verify gives.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import {
  JwtSsoError,
  JwtSsoErrorCode,
  JwtSsoOptionError,
  JwtSsoStrategy,
  type JwtSsoStrategyOptions,
  type RequestView,
  type VerifyFunction,
} from '../../lib';
import { debugLines } from '../helpers/debug';
import { unhandledRejections } from '../helpers/rejections';
import { mint, puavoClaims, SECRET } from '../helpers/tokens';

const base: JwtSsoStrategyOptions = { authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, host: 'app.example', scheme: 'https' };

const refusalOf = (make: () => unknown): JwtSsoOptionError => {
  try {
    make();
  } catch (err) {
    return err as JwtSsoOptionError;
  }
  throw new Error('not refused');
};

describe('verify: a function, and required with passReqToCallback', () => {
  test.each<[string, () => unknown, string, RegExp]>([
    ['a verify that is not a function', () => new JwtSsoStrategy(base, 'verify' as never), 'verify', /"verify" must be a function/],
    [
      'passReqToCallback without a verify',
      () => new JwtSsoStrategy({ ...base, passReqToCallback: true } as never),
      'passReqToCallback',
      /"passReqToCallback" is true, so a verify function \(req, claims, done\) is required/,
    ],
  ])('%s: refused, naming the option and what it must be', (_name, make, option, message) => {
    const err = refusalOf(make);
    expect(err).toBeInstanceOf(JwtSsoOptionError);
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
  });

  test('control: passReqToCallback with a verify (req, claims, done), and no verify without it', () => {
    expect(new JwtSsoStrategy({ ...base, passReqToCallback: true }, (_req, _claims, done) => done(null, false)).name).toBe('jwtsso');
    expect(new JwtSsoStrategy(base).name).toBe('jwtsso');
  });
});

describe('the logout URL of a provider with a fixed logout redirect (logoutRedirectParam: false) carries no return URL', () => {
  const req = { headers: { host: 'app.example' }, socket: {}, app: undefined } as never;
  test.each<[string, Partial<JwtSsoStrategyOptions>, string]>([
    ['control: the default parameter', {}, 'https://sso.example/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2F'],
    ['logoutRedirectParam: false', { logoutRedirectParam: false }, 'https://sso.example/sso/logout'],
  ])('%s', (_name, extra, url) => {
    expect(new JwtSsoStrategy({ ...base, ...extra } as JwtSsoStrategyOptions).logoutUrl(req, { redirectTo: '/' })).toBe(url);
  });
});

describe("logoutUrl: the return URL is the app's root by default, never the page asked from", () => {
  test.each<[string, string, string | undefined, string]>([
    ['no redirectTo, asked from a deep page', '/deep/page?x=1', undefined, 'https://app.example/'],
    ['control: a redirectTo', '/deep/page?x=1', '/bye', 'https://app.example/bye'],
  ])('%s', (_name, url, redirectTo, back) => {
    const req = { url, originalUrl: url, headers: { host: 'app.example' }, socket: {} } as never;
    const href = new JwtSsoStrategy(base).logoutUrl(req, redirectTo === undefined ? {} : { redirectTo });
    expect(new URL(href).searchParams.get('redirect_to')).toBe(back);
  });
});

describe('logoutUrl clears the sign-in marker (jwtsso-done) where the request carries one, and only there', () => {
  // A response that records the Set-Cookie lines written to it (Express's res, as far as the strategy uses it).
  const requestWith = (cookie: string | undefined) => {
    const lines: string[] = [];
    const res = {
      headersSent: false,
      setHeader: () => undefined,
      appendHeader: (name: string, value: string) => {
        if (name.toLowerCase() === 'set-cookie') lines.push(value);
      },
    };
    const req = {
      url: '/',
      originalUrl: '/',
      headers: { host: 'app.example', ...(cookie === undefined ? {} : { cookie }) },
      socket: {},
      res,
    };
    return { req: req as never, lines };
  };
  test.each<[string, string | undefined, boolean]>([
    ['the marker sent', '__Host-jwtsso-done=1.abc; theme=dark', true],
    ['control: no marker', 'theme=dark', false],
    ['control: no Cookie header', undefined, false],
  ])('%s', (_name, cookie, cleared) => {
    const { req, lines } = requestWith(cookie);
    new JwtSsoStrategy(base).logoutUrl(req);
    expect(lines.some((line) => /^__Host-jwtsso-done=; Path=\/; Max-Age=0/.test(line))).toBe(cleared);
    if (!cleared) expect(lines).toEqual([]);
  });
});

describe('a refusal thrown before the request could be viewed (a requestView override) is answered, with no audit event to build', () => {
  test('401, not a crash in the audit path', async () => {
    const events: unknown[] = [];
    class Refusing extends JwtSsoStrategy {
      override requestView(): never {
        throw new JwtSsoError(JwtSsoErrorCode.LOGIN_REQUIRED, 'not signed in');
      }
    }
    const strategy = new Refusing({ ...base, onEvent: (e) => events.push(e) });
    const outcome = await new Promise<string>((resolve) => {
      const s = Object.create(strategy) as JwtSsoStrategy;
      Object.assign(s, {
        fail: (_err: unknown, status: number) => resolve(`fail ${status}`),
        error: (err: Error) => resolve(`error ${err.message}`),
      });
      s.authenticate({ headers: {} } as never);
    });
    expect(outcome).toBe('fail 401');
    expect(events).toEqual([]);
  });
});

// A bare Node server: no framework, so no error handler for the strategy to hand an error to.
// Its request view is the built-in one plus the response (as an app for a framework the package
// does not know writes it). Its custom callback answers, then throws on every outcome, as a
// careless app's does.
const responses = new WeakMap<object, http.ServerResponse>();
class BareStrategy extends JwtSsoStrategy {
  override requestView(req: Parameters<JwtSsoStrategy['requestView']>[0]): RequestView {
    const res = responses.get(req);
    return { ...super.requestView(req), response: () => res };
  }
}

async function bareServer(
  strategy: JwtSsoStrategy,
  thrown: (req: http.IncomingMessage) => unknown = () => new Error('the app callback threw'),
) {
  const passport = new Passport();
  passport.use(strategy);
  const server = http.createServer((req, res) => {
    responses.set(req, res);
    passport.authenticate('jwtsso', { session: false }, (err: unknown, user: unknown, info: unknown) => {
      if (!res.headersSent) res.end(JSON.stringify({ err: err instanceof Error ? err.message : null, user, info }));
      throw thrown(req);
    })(req, res, () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A stateless sign-in: the token is parked and the browser sent to the clean URL, where it is verified. */
async function signIn(url: string) {
  const agent = request.agent(url);
  const back = await agent.get(`/p?jwt=${mint(puavoClaims())}`);
  expect(back.status).toBe(303);
  return agent.get(back.headers.location!);
}

async function signInBare(strategy: JwtSsoStrategy, thrown?: (req: http.IncomingMessage) => unknown) {
  const { server, url } = await bareServer(strategy, thrown);
  try {
    const res = await signIn(url);
    // The second throw reaches the strategy after the answer: give it its turn.
    await new Promise((resolve) => setImmediate(resolve));
    return { res, stillAnswers: (await request(url).get('/p')).status };
  } finally {
    server.close();
  }
}

const bare = { authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, state: false } as const;

describe('what the app throws while a sign-in is answered, where the framework has no error handler to take it, is logged under DEBUG=passport-jwtsso, never thrown', () => {
  const rejections = unhandledRejections();

  test.each<[string, VerifyFunction]>([
    [
      'a verify that throws',
      () => {
        throw new Error('database down');
      },
    ],
    ['a verify whose promise rejects', (async () => Promise.reject(new Error('database down'))) as unknown as VerifyFunction],
  ])('%s: the answer stands, the server goes on, one debug line names what the app threw', async (_name, verify) => {
    let outcome: Awaited<ReturnType<typeof signInBare>> | undefined;
    const lines = await debugLines(async () => {
      outcome = await signInBare(new BareStrategy(bare, verify));
    });
    expect(JSON.parse(outcome!.res.text)).toMatchObject({ err: 'database down' });
    expect(outcome!.stillAnswers).toBe(302); // the next visitor is sent to the provider as ever
    expect(lines.filter((l) => /passport-jwtsso .*no error handler to pass it to: the app callback threw/.test(l))).toHaveLength(1);
    expect(rejections).toEqual([]);
  });

  // A GET token too large for a cookie is verified before it is kept: the URL still holds it when
  // the app's own message, built from req.url, reaches the log line.
  test.each<[string, (req: http.IncomingMessage) => unknown, RegExp]>([
    [
      'a message built from the URL, which holds the token',
      (req) => new Error(`could not answer ${req.url}`),
      /could not answer \/p\?jwt=\[a token\]/,
    ],
    [
      'an Error whose message cannot be read',
      () =>
        Object.defineProperty(new Error(), 'message', {
          get() {
            throw new Error('no message');
          },
        }),
      /\(an error whose message cannot be read\)/,
    ],
    ['a thrown string', () => 'plain words', /: plain words$/],
  ])('%s: logged as it can be, never the token, never a crash', async (_name, thrown, line) => {
    const big = mint({ ...puavoClaims(), exp: 1, pad: 'x'.repeat(4500) });
    let status = 0;
    const lines = await debugLines(async () => {
      const { server, url } = await bareServer(
        new BareStrategy(bare, () => {
          throw new Error('database down');
        }),
        thrown,
      );
      try {
        status = (await request(url).get(`/p?jwt=${big}`)).status;
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        server.close();
      }
    });
    const logged = lines.filter((l) => l.includes('no error handler to pass it to'));
    expect(status).toBe(200);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(line);
    expect(lines.join('\n')).not.toContain(big.split('.')[1]!);
    expect(rejections).toEqual([]);
  });

  test("an error handler of the app's own request view that throws too: both messages are logged", async () => {
    class WithThrowingHandler extends BareStrategy {
      override requestView(req: Parameters<JwtSsoStrategy['requestView']>[0]): RequestView {
        return {
          ...super.requestView(req),
          next: () => {
            throw new Error('the error handler threw');
          },
        };
      }
    }
    const lines = await debugLines(async () => {
      await signInBare(
        new WithThrowingHandler(bare, () => {
          throw new Error('database down');
        }),
      );
    });
    expect(
      lines.filter((l) => /passport-jwtsso .*the error handler threw \(the error handler threw\) .*: the app callback threw/.test(l)),
    ).toHaveLength(1);
    expect(rejections).toEqual([]);
  });

  test("control: where the framework has one (Express's req.next), the app's error handler gets it and nothing is logged", async () => {
    const passport = new Passport();
    passport.use(
      new JwtSsoStrategy(bare, () => {
        throw new Error('database down');
      }),
    );
    const handled: string[] = [];
    const app = express();
    app.get('/p', (req, res, next) => {
      passport.authenticate('jwtsso', { session: false }, () => {
        throw new Error('the app callback threw');
      })(req, res, next);
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      handled.push(err.message);
      res.status(500).send('handled');
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    let res: request.Response | undefined;
    const lines = await debugLines(async () => {
      res = await signIn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    server.close();
    expect(res!.text).toBe('handled');
    expect(handled).toEqual(['the app callback threw']);
    expect(lines.filter((l) => /no error handler|the error handler threw/.test(l))).toEqual([]);
  });
});

describe('without a verify, the claims are the user, and authInfo holds them too', () => {
  test('user and authInfo.claims are the verified claims', async () => {
    const { res } = await signInBare(new BareStrategy(bare));
    const claims = puavoClaims();
    const body = JSON.parse(res.text) as { user: Record<string, unknown>; info: { claims: Record<string, unknown> } };
    expect(body.user).toMatchObject({ id: claims.id, username: claims.username });
    expect(body.info).toEqual({ claims: body.user });
  });
});
