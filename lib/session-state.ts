// What the strategy keeps in the session: the login states it issued, and tokens that arrived
// and wait for the verifying request on the clean URL. Plain JSON, so any session store keeps it.
import { randomBytes } from 'node:crypto';

/** Key under `req.session`. */
export const SESSION_KEY = 'jwtsso';
/** Pending login states per session: several tabs may sign in at once; the oldest go first. */
export const MAX_PENDING_STATES = 10;
/** Pending tokens per session: one per clean URL, kept only across the stripping redirect. */
export const MAX_PENDING_TOKENS = 4;
/** Seconds a pending token waits for the browser to follow the stripping redirect. */
export const PENDING_TOKEN_TTL = 60;
/** Bytes of randomness in a state value: 192 bits, 32 base64url characters. */
export const STATE_BYTES = 24;
const MS_PER_SECOND = 1000;

interface Entry {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}
interface StateEntry extends Entry {
  value: string;
}
interface TokenEntry extends Entry {
  /** The clean URL the token waits for. */
  url: string;
  token: string;
  /** The returned state, or null when none came back. */
  state: string | null;
}
interface Bag {
  states?: StateEntry[];
  tokens?: TokenEntry[];
}

/** A session as express-session and its kin provide it: an object we may add a key to. */
export type SessionLike = Record<string, unknown>;

function bag(session: SessionLike): Bag {
  const existing = session[SESSION_KEY];
  if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) return existing as Bag;
  const fresh: Bag = {};
  session[SESSION_KEY] = fresh;
  return fresh;
}

// Live entries only, and only well-formed ones: a session store is not trusted to hand back
// exactly what was written.
function live<T extends Entry>(list: unknown, now: number, valid: (x: T) => boolean): T[] {
  if (!Array.isArray(list)) return [];
  return (list as T[]).filter(
    (x) => x !== null && typeof x === 'object' && typeof x.expiresAt === 'number' && x.expiresAt > now && valid(x),
  );
}

const isState = (x: StateEntry): boolean => typeof x.value === 'string';
const isToken = (x: TokenEntry): boolean =>
  typeof x.url === 'string' && typeof x.token === 'string' && (x.state === null || typeof x.state === 'string');

function tidy(session: SessionLike): void {
  const b = bag(session);
  if ((b.states?.length ?? 0) === 0 && (b.tokens?.length ?? 0) === 0) Reflect.deleteProperty(session, SESSION_KEY);
}

/** A fresh state value: STATE_BYTES random bytes, base64url. */
export const randomState = (): string => randomBytes(STATE_BYTES).toString('base64url');

/** Issues a fresh state value and remembers it for `ttlSeconds`. */
export function issueState(session: SessionLike, now: number, ttlSeconds: number): string {
  const value = randomState();
  const b = bag(session);
  const states = live<StateEntry>(b.states, now, isState);
  states.push({ value, expiresAt: now + ttlSeconds * MS_PER_SECOND });
  b.states = states.slice(-MAX_PENDING_STATES);
  return value;
}

/** True if `value` is a live state of this session; `consume` also removes it (one use). */
export function hasState(session: SessionLike, value: string | null, now: number, consume: boolean): boolean {
  const b = bag(session);
  const states = live<StateEntry>(b.states, now, isState);
  // null finds nothing: every state kept is a string.
  const index = states.findIndex((s) => s.value === value);
  if (consume && index !== -1) states.splice(index, 1);
  b.states = states;
  tidy(session);
  return index !== -1;
}

/** Keeps a token that arrived on `cleanUrl` until the browser comes back there. */
export function stashToken(session: SessionLike, cleanUrl: string, token: string, state: string | null, now: number): void {
  const b = bag(session);
  const tokens = live<TokenEntry>(b.tokens, now, isToken).filter((t) => t.url !== cleanUrl);
  tokens.push({ url: cleanUrl, token, state, expiresAt: now + PENDING_TOKEN_TTL * MS_PER_SECOND });
  b.tokens = tokens.slice(-MAX_PENDING_TOKENS);
}

/** Removes and returns the token waiting for `cleanUrl`, if any. */
export function takeToken(session: SessionLike, cleanUrl: string, now: number): { token: string; state: string | null } | null {
  // The signed-in hot path: nothing to do. Without it bag() would add an empty bag and tidy()
  // remove it again, so its mutants change nothing observable.
  // Stryker disable next-line ConditionalExpression: a shortcut, the same result without it
  if (session[SESSION_KEY] === undefined) return null;
  const b = bag(session);
  const tokens = live<TokenEntry>(b.tokens, now, isToken);
  const index = tokens.findIndex((t) => t.url === cleanUrl);
  const found = index === -1 ? null : tokens.splice(index, 1)[0]!;
  b.tokens = tokens;
  tidy(session);
  return found === null ? null : { token: found.token, state: found.state };
}
