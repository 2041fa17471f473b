// The key a used token is remembered by in the replay store: its `jti`, or, where the replayKey
// option allows tokens without one, a hash of the token's signed part. The three kinds of key
// never collide: a numeric jti and a hash carry a prefix, and a string jti that begins with a
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
const PREFIXES = [TOKEN_HASH_PREFIX, NUMERIC_JTI_PREFIX, ESCAPED_JTI_PREFIX];

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
