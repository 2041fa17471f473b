/**
 * Remembers token ids (`jti`) so that each token signs someone in once.
 *
 * A sign-in with a state (the default) records two ids at once: the token's, and a
 * `login-sha256:` key of the pair (its login's state, the token). The second lets a refusal tell
 * another tab's leftover (the same token with the same state, which that tab just redeemed: the
 * request starts its own sign-in) from a token replayed into another login (refused).
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
}
