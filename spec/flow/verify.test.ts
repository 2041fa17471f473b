// The rules of lib/flow/verify.ts: however the app's verify answers (done, a returned value, a
// promise, a throw, or several of these at once), the strategy gets exactly one answer, and it is
// the right kind: a fault, a refusal with its info, or a user with its info. runVerify directly;
// the same rules through a real app are in spec/strategy/verify-and-audit.test.ts.
import { runVerify, type AnyVerify, type VerifyAnswer } from '../../lib/flow/verify';

const CLAIMS = { sub: 'u1' };

/** Runs verify, waits for a returned promise, and gives every answer it made. */
async function answersOf(verify: AnyVerify, args: readonly unknown[] = [CLAIMS]) {
  const answers: VerifyAnswer[] = [];
  const work = runVerify(verify, args, (a) => answers.push(a));
  await work;
  // Anything late (a done() called after the promise settled) has had its chance.
  await new Promise((resolve) => setImmediate(resolve));
  return { answers, returnedPromise: work !== undefined };
}

const errorMessage = (a: VerifyAnswer | undefined): string | undefined => (a !== undefined && 'error' in a ? a.error.message : undefined);

describe('done(err, user, info): a fault, a refusal or a user', () => {
  test.each<[string, unknown[], VerifyAnswer | 'error']>([
    ['a user (control)', [null, { id: 1 }], { user: { id: 1 }, info: undefined }],
    ['a user with info', [null, { id: 1 }, { scope: 't' }], { user: { id: 1 }, info: { scope: 't' } }],
    ['a user, with err undefined', [undefined, { id: 1 }], { user: { id: 1 }, info: undefined }],
    ['a user that is the number 0 (an app whose users are ids): still a user', [null, 0], { user: 0, info: undefined }],
    ['false: refused, with its info', [null, false, { message: 'no' }], { user: false, info: { message: 'no' } }],
    ['null: refused', [null, null], { user: false, info: undefined }],
    ['no user at all: refused', [null], { user: false, info: undefined }],
    ['nothing: refused', [], { user: false, info: undefined }],
    ['an Error: a fault, even beside a user', [new Error('db down'), { id: 1 }], 'error'],
    ['a string: a fault', ['db down', { id: 1 }], 'error'],
    ['false as the error: a fault (only null and undefined are no error)', [false, { id: 1 }], 'error'],
    ['0 as the error: a fault', [0, { id: 1 }], 'error'],
  ])('%s', async (_name, doneArgs, expected) => {
    const { answers, returnedPromise } = await answersOf((_claims, done) => (done as (...a: unknown[]) => void)(...doneArgs));
    expect(answers).toHaveLength(1);
    expect(returnedPromise).toBe(false);
    if (expected === 'error') {
      expect(answers[0]).toEqual({ error: expect.any(Error) });
    } else {
      expect(answers[0]).toEqual(expected);
    }
  });

  test('an error that is not an Error is made one, its message the value as text', async () => {
    const { answers } = await answersOf((_claims, done) => (done as (e: unknown) => void)('db down'));
    expect(errorMessage(answers[0])).toBe('db down');
    const original = new TypeError('kept');
    const kept = await answersOf((_claims, done) => (done as (e: unknown) => void)(original));
    expect(kept.answers[0]).toEqual({ error: original });
  });

  test('with the request first (passReqToCallback), done is still the last argument', async () => {
    const req = { url: '/' };
    const seen: unknown[] = [];
    const { answers } = await answersOf(
      (r, claims, done) => {
        seen.push(r, claims);
        (done as (e: unknown, u: unknown) => void)(null, { id: 2 });
      },
      [req, CLAIMS],
    );
    expect(seen).toEqual([req, CLAIMS]);
    expect(answers).toEqual([{ user: { id: 2 }, info: undefined }]);
  });
});

describe('exactly one answer, whatever verify does after the first', () => {
  test.each<[string, AnyVerify, VerifyAnswer | 'error']>([
    [
      'done twice: the first counts',
      (_c, done) => {
        (done as (e: unknown, u: unknown) => void)(null, { id: 1 });
        (done as (e: unknown, u: unknown) => void)(null, false);
      },
      { user: { id: 1 }, info: undefined },
    ],
    [
      'a refusal, then a user: still refused',
      (_c, done) => {
        (done as (e: unknown, u: unknown) => void)(null, false);
        (done as (e: unknown, u: unknown) => void)(null, { id: 1 });
      },
      { user: false, info: undefined },
    ],
    [
      'done, then a throw: the done counts',
      (_c, done) => {
        (done as (e: unknown, u: unknown) => void)(null, { id: 1 });
        throw new Error('after');
      },
      { user: { id: 1 }, info: undefined },
    ],
    [
      'done, then a promise of another user: the done counts',
      async (_c, done) => {
        (done as (e: unknown, u: unknown) => void)(null, { id: 1 });
        return Promise.resolve({ id: 2 });
      },
      { user: { id: 1 }, info: undefined },
    ],
    [
      'a promise of a user, then done later: the promise counts',
      (_c, done) => {
        setImmediate(() => (done as (e: unknown, u: unknown) => void)(null, false));
        return Promise.resolve({ id: 3 });
      },
      { user: { id: 3 }, info: undefined },
    ],
  ])('%s', async (_name, verify, expected) => {
    const { answers } = await answersOf(verify);
    expect(answers).toEqual([expected]);
  });
});

describe('a throw or a rejection is a fault, whatever was thrown', () => {
  test.each<[string, AnyVerify, string]>([
    [
      'a thrown Error keeps its message (control)',
      () => {
        throw new Error('boom');
      },
      'boom',
    ],
    [
      'a throw of undefined',
      () => {
        throw undefined;
      },
      'verify threw',
    ],
    [
      'a throw of null',
      () => {
        throw null;
      },
      'verify threw',
    ],
    ['a rejection with an Error keeps its message (control)', () => Promise.reject(new Error('nope')), 'nope'],
    ['a rejection with undefined', () => Promise.reject(undefined), 'verify rejected'],
    ['a rejection with null', () => Promise.reject(null), 'verify rejected'],
  ])('%s: one fault', async (_name, verify, message) => {
    const { answers } = await answersOf(verify);
    expect(answers).toHaveLength(1);
    expect(errorMessage(answers[0])).toBe(message);
  });
});

describe('a verify that declares no done decides by what it returns; one that declares done may still answer by a promise', () => {
  test.each<[string, AnyVerify, VerifyAnswer]>([
    ['(claims) returning a user (control)', (_c) => ({ id: 1 }), { user: { id: 1 }, info: undefined }],
    ['(claims) returning false: refused', (_c) => false, { user: false, info: undefined }],
    ['(claims) returning nothing: refused, not left hanging', (_c) => undefined, { user: false, info: undefined }],
    ['(claims) returning a promise of a user', async (_c) => Promise.resolve({ id: 1 }), { user: { id: 1 }, info: undefined }],
    [
      '(claims) returning a promise of nothing: refused, not left hanging',
      async (_c) => Promise.resolve(undefined),
      { user: false, info: undefined },
    ],
    ['(claims) returning a promise of null: refused', async (_c) => Promise.resolve(null), { user: false, info: undefined }],
    ['(claims, done) returning a promise of a user', async (_c, _done) => Promise.resolve({ id: 4 }), { user: { id: 4 }, info: undefined }],
    [
      '(claims, done) returning a promise of false: refused at once',
      async (_c, _done) => Promise.resolve(false),
      { user: false, info: undefined },
    ],
    [
      '(claims, done) returning a promise of nothing, then calling done: the done counts',
      (_c, done) => {
        setImmediate(() => (done as (e: unknown, u: unknown) => void)(null, { id: 5 }));
        return Promise.resolve(undefined);
      },
      { user: { id: 5 }, info: undefined },
    ],
  ])('%s', async (_name, verify, expected) => {
    const { answers } = await answersOf(verify);
    expect(answers).toEqual([expected]);
  });

  test('(claims, done) that returns nothing and calls done later is waited for, not refused', async () => {
    let callDone: ((e: unknown, u: unknown) => void) | undefined;
    const answers: VerifyAnswer[] = [];
    const work = runVerify(
      (_c, done) => {
        callDone = done as (e: unknown, u: unknown) => void;
      },
      [CLAIMS],
      (a) => answers.push(a),
    );
    expect(work).toBeUndefined();
    expect(answers).toEqual([]);
    callDone!(null, { id: 6 });
    expect(answers).toEqual([{ user: { id: 6 }, info: undefined }]);
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['a number', 7],
    ['an object without then', { then: 'not a function' }],
  ])('(claims) returning %s that is not a promise: answered at once, no promise to wait for', async (_name, value) => {
    const answers: VerifyAnswer[] = [];
    const work = runVerify(
      (_c) => value,
      [CLAIMS],
      (a) => answers.push(a),
    );
    expect(work).toBeUndefined();
    expect(answers).toHaveLength(1);
  });

  test('a returned promise is handed back, so that what the answer throws reaches the app', async () => {
    const work = runVerify(
      async (_c) => Promise.resolve({ id: 1 }),
      [CLAIMS],
      () => {
        throw new Error('handler threw');
      },
    );
    expect(work).toBeInstanceOf(Promise);
    await expect(work).rejects.toThrow('handler threw');
  });
});
