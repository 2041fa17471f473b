import createDebug from 'debug';
import { isRefusal, JwtSsoError, type JwtSsoErrorCode } from './errors';

/** `DEBUG=passport-jwtsso` prints a line for every decision; never a token or a secret. */
const debug = createDebug('passport-jwtsso');

/**
 * One decision of the strategy, for audit logs (`onEvent`). It never carries a token, a state
 * value or a secret; `jti` is the token's id, which links the events of one token. Its string
 * values (`jti`, `sub`, `ip`) come from the token or the request, so they are escaped before they
 * arrive: control and line-separator characters as `\uXXXX`, cut at 256 characters.
 */
export interface JwtSsoEvent {
  /**
   * `redirect`: sent to the provider; `token-received`: a token arrived and was parked;
   * `token-dropped`: a token for a signed-in session with an unknown state was ignored;
   * `accepted`: a token passed every check (verify comes next); `refused`: a check failed (401,
   * 403, 400); `error`: a fault (500), e.g. the replay store is down.
   */
  type: 'redirect' | 'token-received' | 'token-dropped' | 'accepted' | 'refused' | 'error';
  /** The JwtSsoError code, for `refused` and `error`. */
  code?: JwtSsoErrorCode;
  /** The token's `jti`, for `accepted`. */
  jti?: string;
  /** The user: `sub`, else Puavo's `puavo_id`, for `accepted`. */
  sub?: string;
  /** The client's address (`req.ip` with Express's `trust proxy`, else the socket's). */
  ip?: string;
}

// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
// overrides and isolates (which reorder what a terminal shows): none of them is left raw in a log.
// eslint-disable-next-line no-control-regex -- control characters are what it escapes
const UNSAFE_IN_LOGS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** Longest value from a token or a request put in an event; the rest is cut, marked with `…`. */
export const MAX_LOGGED_LENGTH = 256;

/**
 * A value that came from a token or a request, made safe to write to a line-based log: every
 * control, line-separator and bidi character becomes `\u` and four hex digits (so a forged
 * `jti` of `"x\nlogin ok"` prints as one line), and it is cut at {@link MAX_LOGGED_LENGTH}.
 */
export function logSafe(value: string): string {
  const cut = value.length > MAX_LOGGED_LENGTH ? value.slice(0, MAX_LOGGED_LENGTH) + '…' : value;
  return cut.replace(UNSAFE_IN_LOGS, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Reports an event to debug and to `onEvent`, without the fields that are undefined, its values
 * from the token or the request escaped ({@link logSafe}); a throwing `onEvent` cannot break a
 * login.
 */
export function emit(onEvent: ((event: JwtSsoEvent) => void) | undefined, event: JwtSsoEvent): void {
  const clean = Object.fromEntries(
    Object.entries(event)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? logSafe(v) : v]),
  ) as unknown as JwtSsoEvent;
  if (debug.enabled) {
    debug(
      '%s%s%s%s',
      clean.type,
      clean.code ? ` ${clean.code}` : '',
      clean.jti ? ` jti=${clean.jti}` : '',
      clean.ip ? ` ip=${clean.ip}` : '',
    );
  }
  if (onEvent === undefined) return;
  try {
    onEvent(clean);
  } catch (err) {
    debug('onEvent threw: %s', logSafe(err instanceof Error ? err.message : String(err)));
  }
}

/** The event of a token that passed every check: its jti, and its user (`sub`, else Puavo's `puavo_id`). */
export function acceptedEvent(claims: { jti: string } & Record<string, unknown>): JwtSsoEvent {
  const sub = claims.sub ?? claims.puavo_id ?? claims.id;
  return { type: 'accepted', jti: claims.jti, sub: typeof sub === 'string' || typeof sub === 'number' ? String(sub) : undefined };
}

/** The event of a refusal (a JwtSsoError below 500) or a fault (anything else). */
export function failureEvent(err: unknown): JwtSsoEvent {
  const code = err instanceof JwtSsoError ? err.code : undefined;
  return { type: isRefusal(err) ? 'refused' : 'error', code };
}
