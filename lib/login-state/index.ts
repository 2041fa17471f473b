// Login-state stores: `loginState: 'cookie'` (default) or `'session'`, chosen once.
import { problem } from '../options/checks';
import { CookieLoginState } from './cookie';
import { SessionLoginState } from './session';
import type { LoginStateStore } from './store';

/** The login-state stores by the name the `loginState` option gives. */
export type LoginStateName = 'cookie' | 'session';

const STORES = {
  cookie: (mountPoint: string) => new CookieLoginState({ mountPoint }),
  session: () => new SessionLoginState(),
} as const satisfies Record<LoginStateName, (mountPoint: string) => LoginStateStore>;

/** The store the `loginState` option names; a TypeError for anything else. */
export function resolveLoginState(value: unknown, mountPoint: string): LoginStateStore {
  const name = value ?? 'cookie';
  if (name !== 'cookie' && name !== 'session') throw problem('loginState', '"cookie" or "session"', name);
  return STORES[name](mountPoint);
}

export type { LoginStateContext, LoginStateStore, PendingToken } from './store';
