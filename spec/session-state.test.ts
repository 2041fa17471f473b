// What the strategy keeps in the session comes back from a store it does not control: every
// shape of junk must read as "nothing pending", never throw, never match.
import { hasState, issueState, MAX_PENDING_STATES, SESSION_KEY, stashToken, takeToken, type SessionLike } from '../lib/session-state';

const NOW = Date.UTC(2026, 0, 1);

test.each<[string, unknown]>([
  ['null', null],
  ['a string', 'jwtsso'],
  ['an array', [{ v: 'x', e: NOW + 1000 }]],
  ['states as a string', { states: 'x', tokens: 'y' }],
  ['entries of the wrong types', { states: [{ v: 1, e: 'soon' }, null, 'x'], tokens: [{ k: 1, t: 2, s: 3, e: NOW + 1000 }, null] }],
  ['entries without expiry', { states: [{ v: 'state-value-0000000000000000' }], tokens: [{ k: '/p', t: 'token', s: null }] }],
  [
    'expired entries',
    { states: [{ v: 'state-value-0000000000000000', e: NOW - 1 }], tokens: [{ k: '/p', t: 'token', s: null, e: NOW - 1 }] },
  ],
])('a session bag of %s holds no state and no token', (_name, bag) => {
  const session: SessionLike = { [SESSION_KEY]: bag };
  expect(hasState(session, 'state-value-0000000000000000', NOW, false)).toBe(false);
  expect(hasState(session, null, NOW, true)).toBe(false);
  expect(takeToken({ [SESSION_KEY]: bag }, '/p', NOW)).toBeNull();
});

test('a state is issued, found, used once, and the bag is removed when empty', () => {
  const session: SessionLike = {};
  const state = issueState(session, NOW, 600);
  expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(hasState(session, state, NOW, false)).toBe(true);
  expect(hasState(session, state, NOW, true)).toBe(true);
  expect(hasState(session, state, NOW, true)).toBe(false);
  expect(session[SESSION_KEY]).toBeUndefined();
});

test('states expire and only the newest MAX_PENDING_STATES are kept', () => {
  const session: SessionLike = {};
  const states = Array.from({ length: MAX_PENDING_STATES + 1 }, () => issueState(session, NOW, 600));
  expect(hasState(session, states[0]!, NOW, false)).toBe(false);
  expect(hasState(session, states.at(-1)!, NOW, false)).toBe(true);
  expect(hasState(session, states.at(-1)!, NOW + 600_001, false)).toBe(false);
});

test('a parked token is taken once, only for its own clean URL', () => {
  const session: SessionLike = {};
  stashToken(session, '/a?x=1', 'token-a', 'state-a', NOW);
  expect(takeToken(session, '/a', NOW)).toBeNull();
  expect(takeToken(session, '/a?x=1', NOW)).toEqual({ token: 'token-a', state: 'state-a' });
  expect(takeToken(session, '/a?x=1', NOW)).toBeNull();
});
