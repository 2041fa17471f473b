// The key a used token is remembered by in the replay store: its `jti`, or, where the replayKey
// option allows tokens without one, a hash of the token's signed part.
import { createHash } from 'node:crypto';
import type { ReplayKey } from '../options/types';

/** Prefix of a hash key, so it can never equal a provider's `jti`. */
export const TOKEN_HASH_PREFIX = 'token-sha256:';

/**
 * The replay-store key of an accepted token. Without a `jti` (only let through with
 * `replayKey: 'jti-or-token-hash'`), the SHA-256 of `header.payload`: the signed part, not the
 * whole token, because an ECDSA signature can be re-encoded into a second valid one (high S), and
 * a key over the signature would let that second token in.
 */
export function replayId(replayKey: ReplayKey, claims: { jti?: unknown }, token: string): string {
  if (typeof claims.jti === 'string') return claims.jti;
  if (replayKey !== 'jti-or-token-hash') throw new Error('a token without jti reached the replay store');
  const signed = token.slice(0, token.lastIndexOf('.'));
  return TOKEN_HASH_PREFIX + createHash('sha256').update(signed).digest('base64url');
}
