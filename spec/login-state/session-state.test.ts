// What the strategy keeps in the session comes back from a store it does not control: every
// shape of junk must read as "nothing pending", never throw, never match. Every rule holds both
// for a plain-object session and for one that keeps only top-level assignments
// (@fastify/secure-session): the bag is never changed in place, only replaced.
import * as lib from '../../lib/login-state/session-state';
import {
  hasState,
  issueState,
  MAX_PENDING_STATES,
  MAX_PENDING_TOKENS,
  PENDING_TOKEN_TTL,
  SESSION_KEY,
  stashToken,
  takeToken,
} from '../../lib/login-state/session-state';
import { SESSION_KINDS, type Stored } from '../helpers/sessions';
import { sessionAccess } from '../../lib/frameworks/view';

const NOW = Date.UTC(2026, 0, 1);

describe.each(SESSION_KINDS)('%s', (_kind, kind) => {
  test.each<[string, unknown]>([
    ['null', null],
    ['a string', 'jwtsso'],
    ['an array', [{ value: 'x', expiresAt: NOW + 1000 }]],
    ['states as a string', { states: 'x', tokens: 'y' }],
    [
      'entries of the wrong types',
      { states: [{ value: 1, expiresAt: 'soon' }, null, 'x'], tokens: [{ url: 1, token: 2, state: 3, expiresAt: NOW + 1000 }, null] },
    ],
    [
      'entries without expiry',
      { states: [{ value: 'state-value-0000000000000000' }], tokens: [{ url: '/p', token: 'token', state: null }] },
    ],
    [
      'expired entries',
      {
        states: [{ value: 'state-value-0000000000000000', expiresAt: NOW - 1 }],
        tokens: [{ url: '/p', token: 'token', state: null, expiresAt: NOW - 1 }],
      },
    ],
  ])('a session bag of %s holds no state and no token', (_name, bag) => {
    const stored: Stored = { [SESSION_KEY]: bag };
    const session = kind(stored);
    expect(hasState(session, 'state-value-0000000000000000', NOW, false)).toBe(false);
    expect(hasState(session, null, NOW, true)).toBe(false);
    expect(takeToken(kind({ [SESSION_KEY]: bag }), '/p', NOW)).toEqual([]);
  });

  test('a state is issued, found, used once, and the bag is removed when empty', () => {
    const stored: Stored = {};
    const session = kind(stored);
    const state = issueState(session, NOW, 600);
    expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hasState(session, state, NOW, false)).toBe(true);
    expect(hasState(session, state, NOW, true)).toBe(true);
    expect(hasState(session, state, NOW, true)).toBe(false);
    expect(stored[SESSION_KEY]).toBeUndefined();
  });

  test('states expire and only the newest MAX_PENDING_STATES are kept', () => {
    const stored: Stored = {};
    const session = kind(stored);
    const states = Array.from({ length: MAX_PENDING_STATES + 1 }, () => issueState(session, NOW, 600));
    expect(hasState(session, states[0]!, NOW, false)).toBe(false);
    expect(hasState(session, states.at(-1)!, NOW, false)).toBe(true);
    expect(hasState(session, states.at(-1)!, NOW + 600_001, false)).toBe(false);
  });

  test('a parked token is taken once, only for its own clean URL', () => {
    const stored: Stored = {};
    const session = kind(stored);
    stashToken(session, '/a?x=1', 'token-a', 'state-a', NOW);
    expect(takeToken(session, '/a', NOW)).toEqual([]);
    expect(takeToken(session, '/a?x=1', NOW)).toEqual([{ token: 'token-a', state: 'state-a' }]);
    expect(takeToken(session, '/a?x=1', NOW)).toEqual([]);
  });

  describe('the rules of what a session keeps', () => {
    const bagOf = (stored: Stored) => stored[SESSION_KEY] as { states?: unknown[]; tokens?: unknown[] } | undefined;

    test('a state lives exactly its ttl: found 1 ms before it ends, not at its end', () => {
      const stored: Stored = {};
      const session = kind(stored);
      const state = issueState(session, NOW, 600);
      expect(hasState(session, state, NOW + 599_999, false)).toBe(true);
      expect(hasState(session, state, NOW + 600_000, false)).toBe(false);
    });

    test('exactly the newest MAX_PENDING_STATES states are kept: the oldest goes first', () => {
      const stored: Stored = {};
      const session = kind(stored);
      const states = Array.from({ length: MAX_PENDING_STATES + 1 }, () => issueState(session, NOW, 600));
      expect(bagOf(stored)?.states).toHaveLength(MAX_PENDING_STATES);
      expect(states.map((s) => hasState(session, s, NOW, false))).toEqual([false, ...states.slice(1).map(() => true)]);
    });

    test('using up an unknown state, or none, removes no other state', () => {
      const stored: Stored = {};
      const session = kind(stored);
      const a = issueState(session, NOW, 600);
      const b = issueState(session, NOW, 600);
      expect(hasState(session, 'not-a-state-of-this-session-000', NOW, true)).toBe(false);
      expect(hasState(session, null, NOW, true)).toBe(false);
      expect(hasState(session, a, NOW, false)).toBe(true);
      expect(hasState(session, b, NOW, false)).toBe(true);
    });

    test('a parked token waits exactly PENDING_TOKEN_TTL seconds for the browser to come back', () => {
      expect(PENDING_TOKEN_TTL).toBe(60); // the stripping redirect is followed at once; a minute is plenty
      const earlyData: Stored = {};
      const early = kind(earlyData);
      stashToken(early, '/a', 'token-a', null, NOW);
      expect(takeToken(early, '/a', NOW + PENDING_TOKEN_TTL * 1000 - 1)).toEqual([{ token: 'token-a', state: null }]);
      const lateData: Stored = {};
      const late = kind(lateData);
      stashToken(late, '/a', 'token-a', null, NOW);
      expect(takeToken(late, '/a', NOW + PENDING_TOKEN_TTL * 1000)).toEqual([]);
    });

    test('at most MAX_PENDING_TOKENS tokens are parked: the oldest goes first', () => {
      expect(MAX_PENDING_TOKENS).toBe(4); // a few tabs at once; each is a whole token in the session
      const stored: Stored = {};
      const session = kind(stored);
      const urls = Array.from({ length: MAX_PENDING_TOKENS + 1 }, (_, i) => `/tab/${i}`);
      for (const url of urls) stashToken(session, url, `token ${url}`, null, NOW);
      expect(bagOf(stored)?.tokens).toHaveLength(MAX_PENDING_TOKENS);
      expect(urls.map((url) => takeToken(session, url, NOW)[0]?.token ?? null)).toEqual([
        null,
        ...urls.slice(1).map((url) => `token ${url}`),
      ]);
    });

    test('tokens of two logins on one clean URL both wait (tabs of one page), the newest first; the same login again replaces its own', () => {
      const stored: Stored = {};
      const session = kind(stored);
      stashToken(session, '/a', 'first', 'state-1', NOW);
      stashToken(session, '/a', 'second', 'state-2', NOW + 1);
      stashToken(session, '/a', 'second again', 'state-2', NOW + 2);
      expect(bagOf(stored)?.tokens).toHaveLength(2);
      expect(takeToken(session, '/a', NOW + 3)).toEqual([
        { token: 'second again', state: 'state-2' },
        { token: 'first', state: 'state-1' },
      ]);
      expect(takeToken(session, '/a', NOW + 3)).toEqual([]);
    });

    test('a token parked beside a state: using one up leaves the other, and the bag goes only when both are gone', () => {
      const stored: Stored = {};
      const session = kind(stored);
      const state = issueState(session, NOW, 600);
      stashToken(session, '/a', 'token-a', state, NOW);
      expect(hasState(session, state, NOW, true)).toBe(true);
      expect(bagOf(stored)).toBeDefined();
      expect(takeToken(session, '/a', NOW)).toEqual([{ token: 'token-a', state }]);
      expect(bagOf(stored)).toBeUndefined();

      const otherData: Stored = {};
      const other = kind(otherData);
      const kept = issueState(other, NOW, 600);
      stashToken(other, '/b', 'token-b', null, NOW);
      expect(takeToken(other, '/b', NOW)).not.toEqual([]);
      expect(bagOf(otherData)).toBeDefined();
      expect(hasState(other, kept, NOW, true)).toBe(true);
      expect(bagOf(otherData)).toBeUndefined();
    });

    // Each field of a parked token is checked on its own: one bad field makes the entry junk.
    test.each<[string, Record<string, unknown>, boolean]>([
      ['control: a well-formed entry without state', { url: '/p', token: 'token', state: null, expiresAt: NOW + 1000 }, true],
      ['control: a well-formed entry with a state', { url: '/p', token: 'token', state: 'st', expiresAt: NOW + 1000 }, true],
      ['a numeric state', { url: '/p', token: 'token', state: 3, expiresAt: NOW + 1000 }, false],
      ['no state field', { url: '/p', token: 'token', expiresAt: NOW + 1000 }, false],
      ['a numeric token', { url: '/p', token: 2, state: null, expiresAt: NOW + 1000 }, false],
      ['a numeric clean URL', { url: 1, token: 'token', state: null, expiresAt: NOW + 1000 }, false],
      ['an expiry that is a string', { url: '/p', token: 'token', state: null, expiresAt: String(NOW + 1000) }, false],
      ['an expiry of now', { url: '/p', token: 'token', state: null, expiresAt: NOW }, false],
    ])('a parked token from the store: %s', (_name, entry, found) => {
      const stored: Stored = { [SESSION_KEY]: { tokens: [entry] } };
      const session = kind(stored);
      const taken = takeToken(session, '/p', NOW);
      expect(taken).toEqual(found ? [{ token: 'token', state: entry.state }] : []);
      // Junk is dropped on read, never written back: the bag is gone once nothing valid is left.
      expect(bagOf(stored)).toBeUndefined();
    });

    test.each<[string, unknown]>([
      ['a numeric value', { value: 1, expiresAt: NOW + 1000 }],
      ['no expiry', { value: 'state-value-0000000000000000' }],
      ['null', null],
      ['a string', 'state-value-0000000000000000'],
    ])('a stored state of %s is dropped on read, not written back', (_name, entry) => {
      const stored: Stored = { [SESSION_KEY]: { states: [entry] } };
      const session = kind(stored);
      expect(hasState(session, 'state-value-0000000000000000', NOW, false)).toBe(false);
      expect(bagOf(stored)).toBeUndefined();
    });

    test.each<[string, unknown]>([
      ['null', null],
      ['an array', []],
      ['a string', 'jwtsso'],
    ])('a session bag of %s is replaced by a working one', (_name, junk) => {
      const stored: Stored = { [SESSION_KEY]: junk };
      const session = kind(stored);
      const state = issueState(session, NOW, 600);
      expect(hasState(session, state, NOW, false)).toBe(true);
      stashToken(session, '/a', 'token-a', state, NOW);
      expect(takeToken(session, '/a', NOW)).toEqual([{ token: 'token-a', state }]);
    });

    test('taking a token from a session with nothing parked leaves the session as it was', () => {
      const stored: Stored = { other: 1 };
      const session = kind(stored);
      expect(takeToken(session, '/a', NOW)).toEqual([]);
      expect(stored).toEqual({ other: 1 });
    });
  });
});

test('a session is only ever assigned whole values, and not written at all when nothing is pending', () => {
  const writes: [string, unknown][] = [];
  const stored: Stored = {};
  const session = {
    get: (key: string) => stored[key],
    set: (key: string, value: unknown) => {
      writes.push([key, value]);
      stored[key] = value;
    },
  };
  expect(takeToken(session, '/a', NOW)).toEqual([]);
  expect(hasState(session, 'state-value-0000000000000000', NOW, true)).toBe(false);
  expect(writes).toEqual([]); // an anonymous visit writes no session
  const state = issueState(session, NOW, 600);
  const issued = stored[SESSION_KEY];
  expect(hasState(session, state, NOW, true)).toBe(true);
  expect(issued).toEqual({ states: [{ value: state, expiresAt: NOW + 600_000 }] }); // replaced, not changed
  expect(writes.map(([key, value]) => [key, value === undefined])).toEqual([
    [SESSION_KEY, false],
    [SESSION_KEY, true], // the empty bag is removed by assigning undefined
  ]);
});

// Two session-state rules of a plain-object session that the tests above do not state
// for both session kinds: where the bag lives, and a store that hands back undefined entries.
describe('a plain-object session: where the bag lives, and a store that hands back undefined entries', () => {
  type SessionLike = Record<string, unknown>;
  const access = (session: SessionLike) => sessionAccess(session)!;
  const issueState = (s: SessionLike, now: number, ttl: number) => lib.issueState(access(s), now, ttl);
  const hasState = (s: SessionLike, value: string | null, now: number, consume: boolean) => lib.hasState(access(s), value, now, consume);
  const takeToken = (s: SessionLike, url: string, now: number) => lib.takeToken(access(s), url, now);

  const NOW = Date.UTC(2026, 0, 1);

  test('the bag lives under req.session.jwtsso: sessions saved by earlier versions stay readable', () => {
    expect(SESSION_KEY).toBe('jwtsso');
    const session: SessionLike = {};
    issueState(session, NOW, 600);
    expect(Object.keys(session)).toEqual(['jwtsso']);
  });

  test('an undefined entry (a store that is not JSON) is skipped, not a TypeError', () => {
    const session: SessionLike = { [SESSION_KEY]: { states: [undefined], tokens: [undefined] } };
    expect(hasState(session, 'state-value-0000000000000000', NOW, false)).toBe(false);
    expect(takeToken({ [SESSION_KEY]: { tokens: [undefined] } }, '/p', NOW)).toEqual([]);
  });
});

describe('what a session keeps of a parked token and a state, exactly', () => {
  const session = (stored: Stored) => sessionAccess(stored)!;

  test.each<[string, { consumed: boolean } | undefined, boolean]>([
    ['a token verified and recorded before it was parked comes back marked consumed', { consumed: true }, true],
    ['control: parked with consumed false', { consumed: false }, false],
    ['control: parked with no options', undefined, false],
  ])('%s', (_name, options, consumed) => {
    const stored: Stored = {};
    stashToken(session(stored), '/p', 'a.b.c', null, NOW, options);
    expect(takeToken(session(stored), '/p', NOW)).toStrictEqual([
      consumed ? { token: 'a.b.c', state: null, consumed: true } : { token: 'a.b.c', state: null },
    ]);
  });

  test.each<[string, unknown, number]>([
    ['consumed true (control)', true, 1],
    ['consumed absent (control)', undefined, 1],
    ['consumed not a boolean: the entry is junk', 'yes', 0],
  ])('a stored token with %s', (_name, consumed, count) => {
    const stored: Stored = { [SESSION_KEY]: { tokens: [{ url: '/p', token: 'a.b.c', state: null, expiresAt: NOW + 1000, consumed }] } };
    expect(takeToken(session(stored), '/p', NOW)).toHaveLength(count);
  });

  test.each<[string, unknown, boolean]>([
    ['a string return path (control)', '/deep', true],
    ['no return path (control)', undefined, true],
    ['a return path that is not a string: the entry is junk', 42, false],
  ])('a stored state with %s', (_name, returnTo, live) => {
    const stored: Stored = { [SESSION_KEY]: { states: [{ value: 'v'.repeat(32), expiresAt: NOW + 1000, returnTo }] } };
    expect(hasState(session(stored), 'v'.repeat(32), NOW, false)).toBe(live);
  });

  test('the bag holds no empty list: a parked token alone is stored as tokens only', () => {
    const stored: Stored = {};
    stashToken(session(stored), '/p', 'a.b.c', null, NOW);
    expect(Object.keys(stored[SESSION_KEY] as object)).toEqual(['tokens']);
  });
});
