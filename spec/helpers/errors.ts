import type { JwtSsoError } from '../../lib';

// What `fn` throws, for asserting on its code and message; a call that does not throw fails the test.
export function errorOf<E extends Error = JwtSsoError>(fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a throw');
}
