// JwtSsoGuard's rules, on a stand-in for @nestjs/passport's AuthGuard that behaves as it does:
// its callback (handleRequest) runs on success, fail and error, never on pass(), and whatever
// the callback returned (undefined on pass) is assigned to req[property].
import { HttpException } from '@nestjs/common';
import { JwtSsoError, JwtSsoErrorCode as Code } from '../lib';
import { JwtSsoGuard, type ExecutionContextLike } from '../lib/nest';

type Outcome =
  | { kind: 'pass' }
  | { kind: 'success'; user: unknown }
  | { kind: 'fail'; info: unknown; status?: number }
  | { kind: 'error'; err: unknown };

interface FakeRequest {
  user?: unknown;
  profile?: unknown;
  session?: object;
  logIn: jest.Mock;
}

function fakeAuthGuard(outcome: Outcome, property = 'user') {
  return class FakeAuthGuard {
    options = { property };
    async canActivate(context: ExecutionContextLike): Promise<boolean> {
      const req = context.switchToHttp().getRequest<Record<string, unknown>>();
      let user: unknown;
      if (outcome.kind === 'success') user = this.handleRequest(null, outcome.user, {}, context, undefined);
      if (outcome.kind === 'fail') user = this.handleRequest(null, false, outcome.info, context, outcome.status);
      if (outcome.kind === 'error') user = this.handleRequest(outcome.err, undefined, undefined, context, undefined);
      req[property] = user;
      return true;
    }
    handleRequest(err: unknown, user: unknown, _info: unknown, _context: ExecutionContextLike, _status?: unknown): unknown {
      if (err || !user) throw err ?? new Error('Unauthorized');
      return user;
    }
  };
}

function run(outcome: Outcome, req: FakeRequest, property?: string): Promise<boolean> {
  const Guard = JwtSsoGuard(fakeAuthGuard(outcome, property));
  const context: ExecutionContextLike = { switchToHttp: () => ({ getRequest: <T>() => req as T }) };
  return new Guard().canActivate(context) as Promise<boolean>;
}

const request = (user?: unknown): FakeRequest => ({
  user,
  session: {},
  logIn: jest.fn((_u: unknown, done: (e?: unknown) => void) => done()),
});

test('pass(): a signed-in request keeps its user, and is not logged in again', async () => {
  const req = request({ username: 'minerva' });
  await expect(run({ kind: 'pass' }, req)).resolves.toBe(true);
  expect(req.user).toEqual({ username: 'minerva' });
  expect(req.logIn).not.toHaveBeenCalled();
});

test('pass() with a custom user property keeps that property', async () => {
  const req: FakeRequest = { profile: { username: 'minerva' }, logIn: jest.fn() };
  await run({ kind: 'pass' }, req, 'profile');
  expect(req.profile).toEqual({ username: 'minerva' });
});

test('success: the user is kept in the session with req.logIn', async () => {
  const req = request();
  await expect(run({ kind: 'success', user: { username: 'harry' } }, req)).resolves.toBe(true);
  expect(req.user).toEqual({ username: 'harry' });
  expect(req.logIn).toHaveBeenCalledWith({ username: 'harry' }, expect.any(Function));
});

test('success, but the session cannot be saved: the error goes to Nest', async () => {
  const req = request();
  req.logIn.mockImplementation((_u: unknown, done: (e?: unknown) => void) => done(new Error('store down')));
  await expect(run({ kind: 'success', user: { username: 'harry' } }, req)).rejects.toThrow('store down');
});

test.each([
  [Code.STATE_MISMATCH, 403],
  [Code.TOKEN_REPLAYED, 401],
  [Code.HOST_INVALID, 400],
])('a refusal %s is an HttpException with status %i and the code in its body', async (code, status) => {
  const refusal = new JwtSsoError(code, 'why');
  const thrown = await run({ kind: 'fail', info: refusal, status: refusal.status }, request()).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(HttpException);
  const http = thrown as HttpException;
  expect(http.getStatus()).toBe(status);
  expect(http.getResponse()).toEqual({ statusCode: status, code, message: 'why' });
  expect(http.cause).toBe(refusal);
});

test("verify's refusal (no user, no JwtSsoError) is a 401 without a code", async () => {
  const thrown = (await run({ kind: 'fail', info: undefined, status: 401 }, request()).catch((e: unknown) => e)) as HttpException;
  expect(thrown.getStatus()).toBe(401);
  expect(thrown.getResponse()).toEqual({ statusCode: 401, message: 'Unauthorized' });
});

test('a fault of the strategy keeps its status and code; any other error goes to Nest as it is', async () => {
  const fault = new JwtSsoError(Code.REPLAY_STORE_FAILED, 'store down');
  const thrown = (await run({ kind: 'error', err: fault }, request()).catch((e: unknown) => e)) as HttpException;
  expect(thrown.getStatus()).toBe(500);
  expect(thrown.getResponse()).toMatchObject({ code: Code.REPLAY_STORE_FAILED });
  const bug = new TypeError('a bug');
  await expect(run({ kind: 'error', err: bug }, request())).rejects.toBe(bug);
});

describe('success with no session to keep the login in: a fault of the setup, never a login that is lost', () => {
  test.each<[string, unknown, boolean]>([
    ['no session', undefined, false],
    ['a null session', null, false],
    ['a session that is not an object', 'text', false],
    ['control: a session', {}, true],
  ])('%s', async (_name, session, signsIn) => {
    const req = { ...request(), session } as FakeRequest;
    const result = await run({ kind: 'success', user: { username: 'harry' } }, req).catch((e: unknown) => e);
    if (signsIn) {
      expect(result).toBe(true);
      expect(req.logIn).toHaveBeenCalled();
    } else {
      expect(result).toBeInstanceOf(HttpException);
      expect((result as HttpException).getStatus()).toBe(500);
      expect((result as HttpException).getResponse()).toMatchObject({
        code: Code.SESSION_REQUIRED,
        message: expect.stringMatching(/mount session middleware/),
      });
      expect(req.logIn).not.toHaveBeenCalled();
    }
  });
});

describe("a refusal without a JwtSsoError: no user is undefined, null or false, and the status is Passport's or 401", () => {
  const guard = () => {
    const Guard = JwtSsoGuard(fakeAuthGuard({ kind: 'pass' }));
    return new Guard();
  };
  const context: ExecutionContextLike = { switchToHttp: () => ({ getRequest: <T>() => request() as T }) };
  const thrown = (fn: () => unknown): HttpException => {
    try {
      fn();
    } catch (err) {
      return err as HttpException;
    }
    throw new Error('expected a throw');
  };

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['false', false],
  ])('no user (%s): a 401 HttpException', (_name, user) => {
    const http = thrown(() => guard().handleRequest(null, user, undefined, context, 401));
    expect(http).toBeInstanceOf(HttpException);
    expect(http.getStatus()).toBe(401);
    expect(http.getResponse()).toEqual({ statusCode: 401, message: 'Unauthorized' });
  });

  test('control: a user is returned as it is', () => {
    const user = { username: 'harry' };
    expect(guard().handleRequest(null, user, undefined, context, undefined)).toBe(user);
    expect(guard().handleRequest(undefined, user, undefined, context, undefined)).toBe(user);
  });

  test.each<[string, unknown, number, string]>([
    ['no status from Passport: 401', undefined, 401, 'Unauthorized'],
    ['a status that is not a number: 401', '403', 401, 'Unauthorized'],
    ["Passport's 403: kept, and not called Unauthorized", 403, 403, 'Refused'],
  ])('%s', (_name, status, expected, message) => {
    const http = thrown(() => guard().handleRequest(null, false, undefined, context, status));
    expect(http.getStatus()).toBe(expected);
    expect(http.getResponse()).toEqual({ statusCode: expected, message });
  });
});

describe('logging the user in needs req.logIn, and its failure reaches Nest as an Error', () => {
  test('no req.logIn (passport.initialize() missing): rejected, naming it', async () => {
    const req = { session: {} } as unknown as FakeRequest;
    await expect(run({ kind: 'success', user: { username: 'harry' } }, req)).rejects.toThrow(
      'JwtSsoGuard: req.logIn is missing: use passport.initialize() (Passport 0.6+).',
    );
  });

  test.each<[string, unknown, string | undefined]>([
    ['an Error, as it is', new Error('store down'), 'store down'],
    ['a string, made an Error', 'store down', 'store down'],
    ['control: null is success', null, undefined],
    ['control: undefined is success', undefined, undefined],
  ])('req.logIn calls back with %s', async (_name, err, message) => {
    const req = request();
    req.logIn.mockImplementation((_u: unknown, done: (e?: unknown) => void) => done(err));
    const result = await run({ kind: 'success', user: { username: 'harry' } }, req).catch((e: unknown) => e);
    if (message === undefined) expect(result).toBe(true);
    else {
      expect(result).toBeInstanceOf(Error);
      expect((result as Error).message).toBe(message);
    }
  });

  test('req.logIn is called on the request (Passport reads this)', async () => {
    const req = request();
    await run({ kind: 'success', user: { username: 'harry' } }, req);
    expect(req.logIn.mock.contexts[0]).toBe(req);
  });
});

describe("the user property is AuthGuard's `property` option where it is a string, else 'user'", () => {
  // A guard whose options are `options` (AuthGuard's, from PassportModule.register()), passing.
  function runWithOptions(options: unknown, req: Record<string, unknown>): Promise<boolean> {
    const Base = fakeAuthGuard({ kind: 'pass' });
    class WithOptions extends Base {
      constructor() {
        super();
        if (options === 'none') delete (this as { options?: unknown }).options;
        else (this as { options?: unknown }).options = options;
      }
    }
    const Guard = JwtSsoGuard(WithOptions);
    const context: ExecutionContextLike = { switchToHttp: () => ({ getRequest: <T>() => req as T }) };
    return new Guard().canActivate(context) as Promise<boolean>;
  }

  test.each<[string, unknown]>([
    ['no options at all', 'none'],
    ['options without property', {}],
    ['a property that is not a string', { property: 5 }],
  ])('%s: req.user is kept on pass()', async (_name, options) => {
    const req: Record<string, unknown> = { user: { username: 'minerva' }, session: {} };
    await expect(runWithOptions(options, req)).resolves.toBe(true);
    expect(req.user).toEqual({ username: 'minerva' });
  });

  test('control: a string property is the one kept', async () => {
    const req: Record<string, unknown> = { profile: { username: 'minerva' }, session: {} };
    await runWithOptions({ property: 'profile' }, req);
    expect(req.profile).toEqual({ username: 'minerva' });
  });
});
