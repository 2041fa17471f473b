/**
 * Remembers token ids (`jti`) so that each token signs someone in once.
 *
 * A store that also has `has` (read-only) lets the strategy tell another tab's leftover from a
 * replay: a sign-in with a state (the default) then records, after the token's id, a
 * `token-sha256:login:` key of the pair (its login's state, the token), and a token refused as replayed
 * is looked up with its own state: found, it is the leftover of a tab of this browser that
 * redeemed it a moment ago (the request starts its own sign-in); not found, a replay (refused).
 * Only a sign-in writes: a refused token writes nothing, so a replayed token cannot fill the store.
 *
 * `consume` must be atomic: of any number of concurrent calls with one id, exactly one resolves
 * `true`. It rejects when it cannot answer (store down, full, timed out); the strategy then
 * refuses the login with `error()`, so a faulty store never lets a replayed token in.
 *
 * @example
 * ```ts
 * const store: ReplayStore = {
 *   async consume(id, ttlSeconds) {
 *     return (await redis.set(`jti:${id}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
 *   },
 * };
 * ```
 */
export interface ReplayStore {
  /**
   * Records `id` for at least `ttlSeconds` seconds. Resolves `true` if it was not recorded
   * (first use), `false` if it was (a replay).
   */
  consume(id: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Optional, read-only: resolves `true` if `id` is recorded and live (both built-in stores have
   * it; RedisReplayStore asks `EXISTS`). Without it, a tab of the same page whose request
   * carries only tokens other tabs redeemed is refused (`ERR_JWTSSO_TOKEN_REPLAYED`) rather than
   * sent to sign in itself. It must answer promptly
   * (a refusal waits for it at most 500 ms, then answers as a replay) and honestly: a `has` that
   * reports ids it never stored turns replays into redirects to the provider, counted by the
   * `token-dropped` event with `ERR_JWTSSO_TOKEN_REPLAYED` instead of `refused`.
   */
  has?(id: string): Promise<boolean>;
}
