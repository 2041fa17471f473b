import type { ReplayStore } from './store';

/** Default `maxEntries`: room for about 1,400 sign-ins a second with the default 71 s window. */
export const DEFAULT_MAX_ENTRIES = 100_000;
const MS_PER_SECOND = 1000;
// Expired entries removed from the oldest end on each call, so memory is reclaimed without a timer.
const SWEEP_PER_CALL = 4;

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most ids held at once (default 100,000). When all are still live, `consume` rejects. */
  maxEntries?: number;
  /** Milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number;
}

/**
 * A replay store in this process's memory: the default.
 *
 * It protects **one process only**. An app with several processes or instances must share one
 * store between them (see `RedisReplayStore`), or a token used on one can be used again on
 * another. It never grows past `maxEntries`; when full of live ids it rejects (the login fails
 * with a 500) rather than forgetting an id that could then be replayed.
 *
 * @example
 * ```ts
 * new JwtSsoStrategy({ ..., replayStore: new MemoryReplayStore({ maxEntries: 10_000 }) });
 * ```
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #maxEntries: number;
  readonly #clock: () => number;
  // id -> expiry (ms). A Map iterates in insertion order, which is expiry order for one ttl.
  readonly #expiries = new Map<string, number>();

  constructor(options: MemoryReplayStoreOptions = {}) {
    const { maxEntries = DEFAULT_MAX_ENTRIES, clock = Date.now } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`MemoryReplayStore: "maxEntries" must be a positive integer, got ${String(maxEntries)}.`);
    }
    if (typeof clock !== 'function') {
      throw new TypeError('MemoryReplayStore: "clock" must be a function returning milliseconds since the epoch.');
    }
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** Ids held now, live or expired but not yet swept. */
  get size(): number {
    return this.#expiries.size;
  }

  consume(id: string, ttlSeconds: number): Promise<boolean> {
    try {
      return Promise.resolve(this.#consume(id, ttlSeconds));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  #consume(id: string, ttlSeconds: number): boolean {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('MemoryReplayStore: id must be a non-empty string.');
    if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) {
      throw new TypeError('MemoryReplayStore: ttlSeconds must be a positive number.');
    }
    const now = this.#clock();
    this.#sweep(now, SWEEP_PER_CALL);
    const expiry = this.#expiries.get(id);
    if (expiry !== undefined && expiry > now) return false;
    if (expiry !== undefined) this.#expiries.delete(id);
    if (this.#expiries.size >= this.#maxEntries) {
      this.#sweep(now, Infinity);
      if (this.#expiries.size >= this.#maxEntries) {
        throw new Error(
          `MemoryReplayStore is full: ${this.#maxEntries} token ids are still live. Raise "maxEntries", or use a shared store such as RedisReplayStore.`,
        );
      }
    }
    this.#expiries.set(id, now + ttlSeconds * MS_PER_SECOND);
    return true;
  }

  // Removes up to `limit` expired ids, oldest first; a full sweep (limit Infinity) also finds
  // expired ids behind live ones, which happens when ttls differ.
  #sweep(now: number, limit: number): void {
    let removed = 0;
    for (const [id, expiry] of this.#expiries) {
      if (removed >= limit) return;
      if (expiry > now) {
        if (limit !== Infinity) return;
        continue;
      }
      this.#expiries.delete(id);
      removed++;
    }
  }
}
