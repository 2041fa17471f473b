// The key a used token is remembered by in the replay store: its `jti`, or, where the replayKey
// option allows tokens without one, a hash of the token's signed part; beside it, the key of the
// pair (login state, token) that redeemed it. The four kinds of key never collide: a numeric jti
// and the hashes carry a prefix, and a string jti that begins with a
// prefix is escaped. Ordinary string jtis are kept as they are, so that keys stored by 0.1 (a
// rolling deploy, a shared Redis) still refuse the tokens they name.
import { createHash } from 'node:crypto';
import type { ReplayKey } from '../options/values';

/** Prefix of a hash key. */
export const TOKEN_HASH_PREFIX = 'token-sha256:';
/** Prefix of a numeric `jti`'s key (`numericJti: true`): `number:` + its canonical text. */
export const NUMERIC_JTI_PREFIX = 'number:';
/** Prefix of a string `jti` that begins with one of the prefixes (this one included). */
export const ESCAPED_JTI_PREFIX = 'string:';
/** Prefix of the key that remembers which login redeemed a token (see loginReplayId). */
export const LOGIN_PREFIX = 'login-sha256:';
const PREFIXES = [TOKEN_HASH_PREFIX, NUMERIC_JTI_PREFIX, ESCAPED_JTI_PREFIX, LOGIN_PREFIX];

/**
 * The replay-store key of an accepted token.
 * - A string `jti`: itself (`string:` + itself if it begins with a prefix of this list).
 * - A numeric `jti` (only let through with `numericJti: true`): `number:` + `String(n)`, the
 *   ECMAScript canonical text, so `1`, `1.0` and `1e0` are one id (one number), `-0` is `0`, and
 *   two integers beyond 2^53 that round to one double are one id (a false refusal, never a
 *   second sign-in); the string `"1"` is another id.
 * - No `jti` (only let through with `replayKey: 'jti-or-token-hash'`): the SHA-256 of
 *   `header.payload`: the signed part, not the whole token, because an ECDSA signature can be
 *   re-encoded into a second valid one (high S), and a key over the signature would let that
 *   second token in.
 * Anything else throws: a token that reached here without an id it can be remembered by must
 * not sign in unremembered.
 */
export function replayId(replayKey: ReplayKey, claims: { jti?: unknown }, token: string): string {
  const { jti } = claims;
  if (typeof jti === 'string') return PREFIXES.some((p) => jti.startsWith(p)) ? ESCAPED_JTI_PREFIX + jti : jti;
  // Number.isFinite is false for anything but a finite number (it does not coerce).
  if (Number.isFinite(jti)) return NUMERIC_JTI_PREFIX + String(jti);
  if (jti !== undefined || replayKey !== 'jti-or-token-hash') throw new Error('a token without a usable jti reached the replay store');
  const signed = token.slice(0, token.lastIndexOf('.'));
  return TOKEN_HASH_PREFIX + createHash('sha256').update(signed).digest('base64url');
}

/**
 * The replay-store key of the pair (the state of the login a token came back to, the token's
 * key): recorded beside the token's own key when it signs in, so that the same token seen again
 * *with the same state* (another tab's leftover, which that tab redeemed a moment ago) can be told
 * from the token replayed into another login (a fresh state), which stays a refusal. A hash: a
 * fixed length whatever the jti, and the state (a secret of the session login state) not stored.
 */
export function loginReplayId(state: string, tokenId: string): string {
  return LOGIN_PREFIX + createHash('sha256').update(`${state}\n${tokenId}`).digest('base64url');
}
