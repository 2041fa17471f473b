// Calling the app's verify function, in either of its styles: `done(err, user, info)`, or a
// returned promise of the user (a verify that declares no `done` decides by its return value
// alone). Whatever it does, `answer` is called once; the adapter maps the answer to Passport.
import type { Request } from 'express';
import type { JwtClaims, JwtRegisteredClaims } from '../claims';

/** What `verify` hands back: an error, a user (`false` or `null`: refused), and optional info. */
export type VerifyDone<User = Express.User> = (err?: unknown, user?: User | false | null, info?: object) => void;

/**
 * Maps verified claims to the app's user. Call `done(null, user)`, `done(null, false, info)` to
 * refuse (401), or `done(err)` for a fault (500); or return a Promise of the user (`false`/`null`:
 * refused; rejection: fault).
 */
export type VerifyFunction<C extends JwtRegisteredClaims = JwtClaims, User = Express.User> = (
  claims: C,
  done: VerifyDone<User>,
) => void | Promise<User | false | null | undefined>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing

/** {@link VerifyFunction} with the request first, with `passReqToCallback: true`. */
export type VerifyFunctionWithRequest<C extends JwtRegisteredClaims = JwtClaims, User = Express.User> = (
  req: Request,
  claims: C,
  done: VerifyDone<User>,
) => void | Promise<User | false | null | undefined>; // eslint-disable-line @typescript-eslint/no-invalid-void-type -- callback style returns nothing

/** Either style, as stored. */
export type AnyVerify = (...args: unknown[]) => unknown;

/** What verify decided: a fault, a refusal (with its info), or a user (with its info). */
export type VerifyAnswer =
  | { readonly error: Error }
  | { readonly user: false; readonly info: unknown }
  | { readonly user: NonNullable<unknown>; readonly info: unknown };

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(String(x)));

/**
 * Calls `verify(...args, done)` and answers once. Returns the promise to settle when verify
 * returned one (what the app's handlers throw while it is answered must reach its error
 * handler), else undefined.
 */
export function runVerify(verify: AnyVerify, args: readonly unknown[], answer: (a: VerifyAnswer) => void): Promise<void> | undefined {
  let settled = false;
  const done: VerifyDone<unknown> = (err, user, info) => {
    if (settled) return;
    settled = true;
    if (err !== undefined && err !== null) return answer({ error: asError(err) });
    if (user === undefined || user === null) return answer({ user: false, info });
    // A user of false is a refusal as it is: { user: false, info }.
    answer({ user, info });
  };
  const all = [...args, done];
  // A verify that declares no `done` decides by its return value alone.
  const takesDone = verify.length >= all.length;
  let result: unknown;
  try {
    result = verify(...all);
  } catch (err) {
    done(err ?? new Error('verify threw'));
    return undefined;
  }
  if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
    return (result as Promise<unknown>).then(
      (user) => {
        if (user === undefined && takesDone) return; // it will call done
        done(null, user as false | null | undefined);
      },
      (err: unknown) => done(err ?? new Error('verify rejected')),
    );
  }
  if (!takesDone) done(null, result as false | null | undefined);
  return undefined;
}
