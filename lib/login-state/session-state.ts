// What the strategy keeps in the session: the login states it issued, and tokens that arrived
// and wait for the verifying request on the clean URL. Plain JSON, so any session store keeps it;
// written only by assigning a whole new bag (the framework adapter in lib/frameworks/ reads and assigns it).
import { randomBytes } from 'node:crypto';
import type { SessionAccess } from '../frameworks/view';

/** Key under `req.session`. */
export const SESSION_KEY = 'jwtsso';
/** Pending login states per session: several tabs may sign in at once; the oldest go first. */
export const MAX_PENDING_STATES = 10;
/** Pending tokens per session, kept only across the stripping redirect: one per login; each is a whole token in the session. */
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
  /** Where the user was going, kept when no return URL travels with the login. */
  returnTo?: string;
}
interface TokenEntry extends Entry {
  /** The clean URL the token waits for. */
  url: string;
  token: string;
  /** The returned state, or null when none came back. */
  state: string | null;
  /** Already verified and recorded in the replay store when it was parked (a token too large for a cookie). */
  consumed?: boolean;
}
interface Bag {
  states?: StateEntry[];
  tokens?: TokenEntry[];
}

// What was read of the bag: its live, well-formed entries, and whether a bag was there at all.
interface Read {
  present: boolean;
  states: StateEntry[];
  tokens: TokenEntry[];
}

// Live entries only, and only well-formed ones: a session store is not trusted to hand back
// exactly what was written.
function live<T extends Entry>(list: unknown, now: number, valid: (x: T) => boolean): T[] {
  if (!Array.isArray(list)) return [];
  return (list as T[]).filter(
    (x) => x !== null && typeof x === 'object' && typeof x.expiresAt === 'number' && x.expiresAt > now && valid(x),
  );
}

const isState = (x: StateEntry): boolean => typeof x.value === 'string' && (x.returnTo === undefined || typeof x.returnTo === 'string');
const isToken = (x: TokenEntry): boolean =>
  typeof x.url === 'string' &&
  typeof x.token === 'string' &&
  (x.state === null || typeof x.state === 'string') &&
  (x.consumed === undefined || typeof x.consumed === 'boolean');

// Reads copies: the stored bag is never changed in place (a session that persists only
// top-level assignments would lose the change), only replaced by write().
function read(session: SessionAccess, now: number): Read {
  const stored = session.get(SESSION_KEY);
  const bag: Bag = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Bag) : {};
  return {
    present: stored !== undefined,
    states: live<StateEntry>(bag.states, now, isState),
    tokens: live<TokenEntry>(bag.tokens, now, isToken),
  };
}

// Assigns a new bag, or undefined once nothing is pending: junk and expired entries are never written back.
function write(session: SessionAccess, states: StateEntry[], tokens: TokenEntry[]): void {
  const bag: Bag = {};
  if (states.length > 0) bag.states = states;
  if (tokens.length > 0) bag.tokens = tokens;
  session.set(SESSION_KEY, states.length === 0 && tokens.length === 0 ? undefined : bag);
}

/** A fresh state value: STATE_BYTES random bytes, base64url. */
export const randomState = (): string => randomBytes(STATE_BYTES).toString('base64url');

/** Issues a fresh state value and remembers it for `ttlSeconds`. */
export function issueState(session: SessionAccess, now: number, ttlSeconds: number, returnTo?: string): string {
  const value = randomState();
  const { states, tokens } = read(session, now);
  const entry: StateEntry = { value, expiresAt: now + ttlSeconds * MS_PER_SECOND };
  // Stryker disable next-line ConditionalExpression: a returnTo of undefined reads as none everywhere (isState, keptReturn), and a JSON store drops it
  if (returnTo !== undefined) entry.returnTo = returnTo;
  states.push(entry);
  write(session, states.slice(-MAX_PENDING_STATES), tokens);
  return value;
}

/** True if `value` is a live state of this session; `consume` also removes it (one use). */
export function hasState(session: SessionAccess, value: string | null, now: number, consume: boolean): boolean {
  const { present, states, tokens } = read(session, now);
  // Stryker disable next-line ConditionalExpression: a kept state's value is always a string (isState), so searching for null finds none either way
  const index = value === null ? -1 : states.findIndex((s) => s.value === value);
  if (consume && index !== -1) states.splice(index, 1);
  if (present) write(session, states, tokens);
  return index !== -1;
}

/** The return path kept with a live state of this session, or null; the state stays. */
export function keptReturn(session: SessionAccess, value: string, now: number): string | null {
  return read(session, now).states.find((s) => s.value === value)?.returnTo ?? null;
}

/** Keeps a token that arrived on `cleanUrl` until the browser comes back there (one per URL and state: tabs of one URL each keep theirs). */
export function stashToken(
  session: SessionAccess,
  cleanUrl: string,
  token: string,
  state: string | null,
  now: number,
  options: { consumed?: boolean } = {},
): void {
  const pending = read(session, now);
  const tokens = pending.tokens.filter((t) => t.url !== cleanUrl || t.state !== state);
  const entry: TokenEntry = { url: cleanUrl, token, state, expiresAt: now + PENDING_TOKEN_TTL * MS_PER_SECOND };
  if (options.consumed === true) entry.consumed = true;
  tokens.push(entry);
  write(session, pending.states, tokens.slice(-MAX_PENDING_TOKENS));
}

/** Removes and returns the tokens waiting for `cleanUrl`, the newest first. */
export function takeToken(
  session: SessionAccess,
  cleanUrl: string,
  now: number,
): { token: string; state: string | null; consumed?: boolean }[] {
  if (!hasPending(session)) return []; // the signed-in hot path: nothing to do
  const { states, tokens } = read(session, now);
  write(
    session,
    states,
    tokens.filter((t) => t.url !== cleanUrl),
  );
  return tokens
    .filter((t) => t.url === cleanUrl)
    .sort((a, b) => b.expiresAt - a.expiresAt)
    .map((t) => (t.consumed === true ? { token: t.token, state: t.state, consumed: true } : { token: t.token, state: t.state }));
}

/** True if the session holds a bag at all: cheap, for the signed-in hot path. */
export const hasPending = (session: SessionAccess): boolean => session.get(SESSION_KEY) !== undefined;
