// The README's recipe for testing the strategy (or a subclass of it) with chai-passport-strategy,
// Passport's own harness: a request with no socket and no response. The login takes three
// requests (start, return with ?jwt=, clean URL), with one session object carried across them:
// where no response is reachable, both login-state stores keep the state in the session.
import { randomUUID } from 'node:crypto';
import chaiPassportStrategy from 'chai-passport-strategy';
import jwt from 'jsonwebtoken';
import { JwtSsoError, JwtSsoStrategy, type JwtSsoStrategyBaseOptions } from 'passport-jwtsso';

const SECRET = 'chai-recipe-secret';
const chai: Parameters<typeof chaiPassportStrategy>[0] = {};
chaiPassportStrategy(chai); // with chai itself: chai.use(require('chai-passport-strategy'))

type Action = { action: 'success' | 'fail' | 'redirect' | 'pass' | 'error'; args: unknown[] };

// Which one of its five actions the strategy calls for a request.
function attempt(strategy: JwtSsoStrategy, prepare: (req: { url: string; headers: Record<string, string>; session?: object }) => void) {
  return new Promise<Action>((resolve) => {
    chai
      .passport!.use(strategy)
      .request(prepare)
      .success((...args) => resolve({ action: 'success', args }))
      .fail((...args) => resolve({ action: 'fail', args }))
      .redirect((...args) => resolve({ action: 'redirect', args }))
      .pass(() => resolve({ action: 'pass', args: [] }))
      .error((...args) => resolve({ action: 'error', args }))
      .authenticate();
  });
}

const strategyWith = (options: Partial<JwtSsoStrategyBaseOptions> = {}) =>
  new JwtSsoStrategy(
    { authEndpoint: 'https://sso.example/v3/sso', sharedSecret: SECRET, host: 'app.example', ...options },
    (claims, done) => done(null, { id: claims.sub }),
  );

describe.each([
  ['host and scheme set', { scheme: 'https' as const }],
  ['no scheme: a request without a socket is http, not a TypeError', {}],
])('chai-passport-strategy, %s', (_name, options) => {
  test.each(['cookie', 'session'] as const)('loginState %s: redirect, then 303 to the clean URL, then success', async (loginState) => {
    const strategy = strategyWith({ ...options, loginState });
    const session = {}; // the browser's session, carried from request to request

    // 1. No user: redirect to the provider, with the state in return_to.
    const start = await attempt(strategy, (req) => {
      req.url = '/page?x=1';
      req.session = session;
    });
    expect(start).toMatchObject({ action: 'redirect', args: [expect.stringMatching(/^https:\/\/sso\.example\/v3\/sso\?/), 302] });
    const returnTo = new URL(start.args[0] as string).searchParams.get('return_to')!;
    expect(returnTo).toMatch(/^https?:\/\/app\.example\/page\?x=1&jwtsso_state=/);

    // 2. The return with ?jwt=: the token is parked and the browser sent to the clean URL.
    const token = jwt.sign({ sub: 'user-1', jti: randomUUID() }, SECRET, { algorithm: 'HS256' });
    const back = new URL(returnTo);
    back.searchParams.set('jwt', token);
    const callback = await attempt(strategy, (req) => {
      req.url = back.pathname + back.search;
      req.session = session;
    });
    expect(callback).toEqual({ action: 'redirect', args: ['/page?x=1', 303] });

    // 3. The clean URL: the token is verified and the strategy calls success.
    const done = await attempt(strategy, (req) => {
      req.url = '/page?x=1';
      req.session = session;
    });
    expect(done).toMatchObject({ action: 'success', args: [{ id: 'user-1' }, { claims: { sub: 'user-1' } }] });
  });
});

test('a return with ?jwt= that this session did not start fails with 403 and the code', async () => {
  const token = jwt.sign({ sub: 'user-1', jti: randomUUID() }, SECRET, { algorithm: 'HS256' });
  const result = await attempt(strategyWith(), (req) => {
    req.url = `/page?jwt=${token}&jwtsso_state=${'A'.repeat(32)}`;
    req.session = {};
  });
  expect(result.action).toBe('fail');
  expect(result.args[1]).toBe(403);
  expect((result.args[0] as JwtSsoError).code).toBe('ERR_JWTSSO_STATE_MISMATCH');
});

test('with state: false, a token is verified on the clean URL after one redirect', async () => {
  const strategy = strategyWith({ state: false, scheme: 'https' });
  const session = {};
  const token = jwt.sign({ sub: 'user-2', jti: randomUUID() }, SECRET, { algorithm: 'HS256' });
  const callback = await attempt(strategy, (req) => {
    req.url = `/?jwt=${token}`;
    req.session = session;
  });
  expect(callback).toEqual({ action: 'redirect', args: ['/', 303] });
  const done = await attempt(strategy, (req) => {
    req.url = '/';
    req.session = session;
  });
  expect(done).toMatchObject({ action: 'success', args: [{ id: 'user-2' }, { claims: { sub: 'user-2' } }] });
});
