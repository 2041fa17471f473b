// Two session-state rules of a plain-object session that session-state.test.ts does not state
// for both session kinds: where the bag lives, and a store that hands back undefined entries.
import { sessionAccess } from '../../lib/frameworks/view';
import * as lib from '../../lib/login-state/session-state';
import { SESSION_KEY } from '../../lib/login-state/session-state';

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
