// Sessions as the frameworks give them, for the unit tests of what the login state keeps.
import { sessionAccess, type SessionAccess } from '../../lib/frameworks/view';

/** What a session stores, as its store would serialise it. */
export type Stored = Record<string, unknown>;

/** A session that is a plain object (express-session, koa-session, cookie-session), through the adapter. */
export function plainSession(stored: Stored): SessionAccess {
  return sessionAccess(stored)!;
}

/**
 * A session that keeps only top-level assignments, like @fastify/secure-session: `get` hands
 * out a copy, so a change made in place to what it returned is lost, as it is when that session
 * is sealed into its cookie; `delete` of a property does nothing.
 */
export function topLevelOnly(stored: Stored): SessionAccess {
  const proxy = new Proxy(
    {
      get: (key: string) => structuredClone(stored[key]),
      set: (key: string, value: unknown) => {
        stored[key] = structuredClone(value);
      },
    },
    { deleteProperty: () => true },
  );
  return sessionAccess(proxy)!;
}

/** Both kinds, for `describe.each`. */
export const SESSION_KINDS: [string, (stored: Stored) => SessionAccess][] = [
  ['a plain-object session (express-session, koa-session)', plainSession],
  ['a session that keeps only top-level assignments (@fastify/secure-session)', topLevelOnly],
];
