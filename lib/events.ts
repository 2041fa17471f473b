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
   * `token-dropped`: a token was ignored (one for a signed-in session with an unknown state, or,
   * on a tab whose own sign-in then starts, tokens other tabs of the browser already redeemed);
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
  /**
   * What went wrong and what to do, for `refused` and `error`: the {@link JwtSsoError}'s message
   * (which never holds a token, a secret or a key); for `redirect`, a warning about the
   * configuration when there is one (the request's host is not the `host` option, the return URL
   * was built from an internal address, a proxy's path prefix is not `mountPoint`), with the
   * return URL built (without its state) and the headers it came from: once per strategy for each
   * distinct cause, not on every redirect.
   */
  message?: string;
}

// Controls (C0, C1, DEL), format characters (zero-width, bidi overrides and isolates, byte-order
// mark, soft hyphen, tag characters), line and paragraph separators, and unassigned or private
// use code points: none of them is left raw in a log, so a value can neither break a line nor
// reorder or hide what a reader sees.
const UNSAFE_IN_LOGS = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu;
/** Longest value from a token or a request put in an event; the rest is cut, marked with `…`. */
export const MAX_LOGGED_LENGTH = 256;
/** Longest `message` put in an event: messages are ours, and longer than a value. */
export const MAX_LOGGED_MESSAGE_LENGTH = 1024;

/**
 * A value that came from a token or a request, made safe to write to a line-based log: every
 * control, format (zero-width, bidi), separator, surrogate, private-use and unassigned character
 * becomes `\u` and four hex digits, or `\u{…}` above U+FFFF (so a forged `jti` of
 * `"x\nlogin ok"` prints as one line), and it is cut at {@link MAX_LOGGED_LENGTH}.
 */
export function logSafe(value: string, maxLength: number = MAX_LOGGED_LENGTH): string {
  const cut = value.length > maxLength ? value.slice(0, maxLength) + '…' : value;
  return cut.replace(UNSAFE_IN_LOGS, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : '\\u' + code.toString(16).padStart(4, '0');
  });
}

/** True if an event would go anywhere: `onEvent` is set, or `DEBUG` names this package. */
export function listening(onEvent: ((event: JwtSsoEvent) => void) | undefined): boolean {
  return onEvent !== undefined || debug.enabled;
}

/**
 * Reports an event to debug and to `onEvent`, without the fields that are undefined, its values
 * from the token or the request escaped ({@link logSafe}); a throwing `onEvent` cannot break a
 * login.
 */
export function emit(onEvent: ((event: JwtSsoEvent) => void) | undefined, event: JwtSsoEvent): void {
  // Stryker disable next-line ConditionalExpression: a shortcut only: debug and onEvent are each checked below, so nothing is written either way
  if (!listening(onEvent)) return;
  const clean = Object.fromEntries(
    Object.entries(event)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? logSafe(v, k === 'message' ? MAX_LOGGED_MESSAGE_LENGTH : MAX_LOGGED_LENGTH) : v]),
  ) as unknown as JwtSsoEvent;
  // Stryker disable next-line ConditionalExpression: a disabled debug writes nothing; the check only saves formatting the line
  if (debug.enabled) {
    debug(
      '%s%s%s%s%s',
      clean.type,
      clean.code ? ` ${clean.code}` : '',
      clean.jti ? ` jti=${clean.jti}` : '',
      clean.ip ? ` ip=${clean.ip}` : '',
      clean.message ? `: ${clean.message}` : '',
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
export function acceptedEvent(claims: object): JwtSsoEvent {
  const c = claims as Record<string, unknown>;
  const sub = c.sub ?? c.puavo_id ?? c.id;
  return {
    type: 'accepted',
    jti: typeof c.jti === 'string' || typeof c.jti === 'number' ? String(c.jti) : undefined, // numeric: numericJti
    sub: typeof sub === 'string' || typeof sub === 'number' ? String(sub) : undefined,
  };
}

/**
 * The event of a refusal (a JwtSsoError below 500) or a fault (anything else), with the
 * JwtSsoError's message. Other errors' messages are not ours to log (a verify's error may say
 * anything), so they are left out.
 */
export function failureEvent(err: unknown): JwtSsoEvent {
  const known = err instanceof JwtSsoError ? err : undefined;
  return { type: isRefusal(err) ? 'refused' : 'error', code: known?.code, message: known?.message };
}
