import { systemClock } from '../clock';
import type { ReplayStore } from './store';

/**
 * Default `maxEntries`: room for about 700 sign-ins a second with the default 71 s window (each
 * sign-in records two ids: the token's, and the pair of its login's state and the token).
 */
export const DEFAULT_MAX_ENTRIES = 100_000;
const MS_PER_SECOND = 1000;

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
  // id -> expiry (ms)
  readonly #expiries = new Map<string, number>();
  // A binary min-heap of the same entries by expiry (two parallel arrays), so expired ids are
  // found at its top in O(log n), whatever their ttls. Iterating the Map from the front instead
  // would walk every deleted slot V8 keeps until it rehashes: O(n) per call.
  // Stryker disable next-line ArrayDeclaration: a stray first element is not a number, so `top > now` is false for it and the first consume's sweep pops it before anything reads the heap: nothing observable changes
  readonly #heapExpiry: number[] = [];
  readonly #heapId: string[] = [];

  constructor(options: MemoryReplayStoreOptions = {}) {
    const { maxEntries = DEFAULT_MAX_ENTRIES, clock = systemClock } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`MemoryReplayStore: "maxEntries" must be a positive integer, got ${String(maxEntries)}.`);
    }
    if (typeof clock !== 'function') {
      throw new TypeError('MemoryReplayStore: "clock" must be a function returning milliseconds since the epoch.');
    }
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** Ids held now: the live ones (expired ids are removed on every call). */
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
    this.#removeExpired(now);
    if (this.#expiries.has(id)) return false;
    if (this.#expiries.size >= this.#maxEntries) {
      throw new Error(
        `MemoryReplayStore is full: ${this.#maxEntries} token ids are still live. Raise "maxEntries", or use a shared store such as RedisReplayStore.`,
      );
    }
    const expiry = now + ttlSeconds * MS_PER_SECOND;
    this.#expiries.set(id, expiry);
    this.#push(expiry, id);
    return true;
  }

  #removeExpired(now: number): void {
    for (;;) {
      const top = this.#heapExpiry[0]; // undefined when the heap is empty
      if (top === undefined || top > now) return;
      this.#expiries.delete(this.#heapId[0]!);
      this.#pop();
    }
  }

  #push(expiry: number, id: string): void {
    const e = this.#heapExpiry;
    const ids = this.#heapId;
    let i = e.length;
    e.push(expiry);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      // Stryker disable next-line EqualityOperator: equal expiries may sit either way round in a heap
      if (e[parent]! <= expiry) break;
      e[i] = e[parent]!;
      ids[i] = ids[parent]!;
      i = parent;
    }
    e[i] = expiry;
    ids[i] = id;
  }

  #pop(): void {
    const e = this.#heapExpiry;
    const ids = this.#heapId;
    const lastExpiry = e.pop()!;
    const lastId = ids.pop()!;
    const n = e.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      // right === n reads undefined, and `undefined < x` is false: left either way; equal expiries either way round.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: see the line above
      const child = right < n && e[right]! < e[left]! ? right : left;
      // Stryker disable next-line EqualityOperator: equal expiries may sit either way round in a heap
      if (e[child]! >= lastExpiry) break;
      e[i] = e[child]!;
      ids[i] = ids[child]!;
      i = child;
    }
    e[i] = lastExpiry;
    ids[i] = lastId;
  }
}
