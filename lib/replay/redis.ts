import { driverFor, type Driver } from './redis-driver';
import type { ReplayStore } from './store';

/**
 * The part of an `ioredis` client this store uses: a `Redis` (one node, or a master found through
 * Sentinel with `{ sentinels, name }`) or a `Cluster`.
 */
export interface IoRedisLike {
  /** `SET key value PX ms NX`. */
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  /** Any command; its presence tells an ioredis client apart. */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /** A pipeline; used only with {@link RedisReplayStoreOptions.waitForReplicas}, to send `SET` and `WAIT` on one connection. */
  pipeline?(): unknown;
}

/**
 * The part of a node-redis (`redis` v4+) client this store uses. Any of: a client
 * (`createClient()`, whose `sendCommand` is `(args)`), a cluster (`createCluster()`, whose
 * `sendCommand` is `(firstKey, isReadonly, args)`), a client pool (`createClientPool()`) or a
 * Sentinel client (`createSentinel()`, whose `sendCommand` is `(isReadonly, args)`); the store
 * tells them apart by shape and calls each one's own form.
 */
export interface NodeRedisLike {
  /** Sends a raw command, in the form of the client's kind (see above). */
  sendCommand(...args: never[]): Promise<unknown>;
  /** Whether the client is open; its presence tells a node-redis client apart. */
  isOpen: boolean;
}

/**
 * Opt-in {@link RedisReplayStoreOptions.waitForReplicas}: after the `SET … NX`, `WAIT count
 * timeoutMs` on the same connection, and refuse the login unless at least `count` replicas
 * acknowledged the write.
 */
export interface WaitForReplicasOptions {
  /** Replicas that must acknowledge each recorded id. A positive integer. */
  count: number;
  /** Milliseconds Redis waits for them (`WAIT`'s timeout). A positive integer below the store's `timeoutMs`. */
  timeoutMs: number;
}

/** Options of {@link RedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /**
   * A connected client. Required. `ioredis`: a `Redis` (one node, or Sentinel-managed with
   * `{ sentinels, name }`) or a `Cluster`. node-redis (`redis` v4+): `createClient()`,
   * `createCluster()`, `createClientPool()` or `createSentinel()`. Anything else is a `TypeError`
   * here, naming what it got.
   */
  client: IoRedisLike | NodeRedisLike;
  /**
   * Prefix of every key. Default `'jwtsso:jti:'`. In a cluster, a `{hash tag}` in it would put
   * every key in one slot, so on one master: keep braces out of it.
   */
  prefix?: string;
  /** Milliseconds to wait for Redis before refusing the login. Default 500. Covers `WAIT` too. */
  timeoutMs?: number;
  /**
   * Off by default. Redis replicates asynchronously: a failover can lose a `SET` the master had
   * acknowledged, and that token id could then sign in again within its window. With this
   * option each consume also waits (Redis `WAIT`) until `count` replicas hold the write, and
   * rejects (the login is refused with a 500) when fewer acknowledge within `timeoutMs`.
   */
  waitForReplicas?: WaitForReplicasOptions;
  /**
   * node-redis `createCluster()` only: the least number of milliseconds between two slot-map
   * refreshes the store asks of the cluster client. Default 1000. A positive integer.
   *
   * node-redis learns a new slot map only from a `MOVED` or `ASK` answer, and a master that died
   * answers nothing, so after a failover it would keep sending that master's third of the ids to
   * the dead address until recreated (node-redis issue 2806). So after every failed or timed-out
   * consume the store asks the client to read the slot map again from a live node (`CLUSTER
   * SLOTS`), at most once per this many milliseconds: a long outage costs one `CLUSTER SLOTS` a
   * cooldown, never a storm. The consume that failed still rejects (fail closed); the ones after
   * the refresh go to the promoted replica. ioredis `Cluster` refreshes by itself and ignores
   * this option.
   *
   * @example
   * ```ts
   * const cluster = await createCluster({ rootNodes }).on('error', log).connect();
   * new RedisReplayStore({ client: cluster, slotsRefreshCooldownMs: 2000 });
   * ```
   */
  slotsRefreshCooldownMs?: number;
}

/** Default {@link RedisReplayStoreOptions.timeoutMs}. */
export const DEFAULT_REDIS_TIMEOUT_MS = 500;
/** Default {@link RedisReplayStoreOptions.slotsRefreshCooldownMs}. */
export const DEFAULT_SLOTS_REFRESH_COOLDOWN_MS = 1000;
const MS_PER_SECOND = 1000;

/** A number as itself, anything else by its type (a string option may be a secret pasted in the wrong place). */
const describeNumber = (value: unknown): string =>
  typeof value === 'number' ? String(value) : `a ${value === null ? 'null' : typeof value}`;

function checkId(id: unknown): void {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('RedisReplayStore: id must be a non-empty string.');
}

function positiveInteger(value: unknown): value is number {
  // Number.isSafeInteger is false for anything but a number: it does not coerce ('5' is refused).
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/**
 * A replay store in Redis, shared by every instance of an app: a token used on one instance
 * cannot be used again on another. Each `consume` is one atomic `SET key 1 PX ttl NX`, on one
 * node, a Sentinel-managed master or a Redis Cluster (with ioredis or node-redis).
 *
 * It fails closed: when Redis is down, answers an error, or does not answer within
 * `timeoutMs`, `consume` rejects, and the strategy refuses the login with a 500. When Redis
 * comes back, logins work again without a restart (the client reconnects). After a cluster
 * failover whose old master stays down, ioredis `Cluster` finds the promoted replica by itself,
 * and a node-redis (v5) `createCluster()` client is asked by the store to re-read its slot map
 * (see {@link RedisReplayStoreOptions.slotsRefreshCooldownMs}): neither needs code in the app.
 *
 * With `waitForReplicas`, each consume also waits for replicas to hold the id (`WAIT`) and
 * rejects when too few do, so that a failover cannot forget a used token id.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';            // or: import { createClient } from 'redis'
 * const redis = new Redis(process.env.REDIS_URL);
 * new JwtSsoStrategy({ ..., replayStore: new RedisReplayStore({ client: redis }) }, verify);
 * ```
 */
export class RedisReplayStore implements ReplayStore {
  readonly #driver: Driver;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #wait: WaitForReplicasOptions | undefined;

  constructor(options: RedisReplayStoreOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('RedisReplayStore: options must be an object with a "client".');
    const {
      prefix = 'jwtsso:jti:',
      timeoutMs = DEFAULT_REDIS_TIMEOUT_MS,
      waitForReplicas,
      slotsRefreshCooldownMs = DEFAULT_SLOTS_REFRESH_COOLDOWN_MS,
    } = options;
    if (typeof prefix !== 'string') throw new TypeError('RedisReplayStore: option "prefix" must be a string.');
    // Number.isFinite is false for anything but a finite number: it does not coerce ('500' is refused).
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(
        `RedisReplayStore: option "timeoutMs" must be a positive number of milliseconds, got ${describeNumber(timeoutMs)}.`,
      );
    }
    if (waitForReplicas !== undefined) {
      const w = waitForReplicas as Partial<WaitForReplicasOptions> | null;
      if (w === null || typeof w !== 'object' || !positiveInteger(w.count) || !positiveInteger(w.timeoutMs) || w.timeoutMs >= timeoutMs) {
        throw new TypeError(
          'RedisReplayStore: option "waitForReplicas" must be { count, timeoutMs }: a positive integer of replicas, and positive ' +
            `integer milliseconds below "timeoutMs" (${timeoutMs}).`,
        );
      }
      this.#wait = { count: w.count, timeoutMs: w.timeoutMs };
    }
    if (!positiveInteger(slotsRefreshCooldownMs)) {
      throw new TypeError(
        `RedisReplayStore: option "slotsRefreshCooldownMs" must be a positive integer of milliseconds, got ${describeNumber(slotsRefreshCooldownMs)}.`,
      );
    }
    this.#driver = driverFor(options.client, this.#wait !== undefined, slotsRefreshCooldownMs);
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
  }

  async consume(id: string, ttlSeconds: number): Promise<boolean> {
    checkId(id);
    if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new TypeError('RedisReplayStore: ttlSeconds must be a positive number.');
    const ms = Math.ceil(ttlSeconds * MS_PER_SECOND);
    const reply = await this.#answer(() => this.#record(this.#prefix + id, ms));
    if (reply === 'OK') return true;
    if (reply === null) return false;
    throw this.#failed(new Error(`RedisReplayStore: unexpected reply to SET NX (${typeof reply}).`));
  }

  /** True if `id` is recorded and live (`EXISTS`); records nothing. Bounded by `timeoutMs` like consume. */
  async has(id: string): Promise<boolean> {
    checkId(id);
    const reply = await this.#answer(() => this.#driver.exists(this.#prefix + id));
    if (reply === 1) return true;
    if (reply === 0) return false;
    throw this.#failed(new Error(`RedisReplayStore: unexpected reply to EXISTS (${typeof reply}).`));
  }

  // Redis's reply to a command, or a rejection when it fails or does not answer within timeoutMs.
  async #answer(send: () => Promise<unknown>): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`RedisReplayStore: Redis did not answer within ${this.#timeoutMs} ms.`)), this.#timeoutMs);
    });
    const command = new Promise<unknown>((resolve, reject) => {
      send().then(resolve, reject);
    });
    command.catch(() => undefined);
    timeout.catch(() => undefined);
    try {
      return await Promise.race([command, timeout]);
    } catch (err) {
      throw this.#failed(err);
    } finally {
      clearTimeout(timer);
    }
  }

  // Tells the driver (a cluster refreshes its slot map), and hands the error back to be thrown.
  #failed(err: unknown): unknown {
    this.#driver.failed?.();
    return err;
  }

  async #record(key: string, ms: number): Promise<unknown> {
    const wait = this.#wait;
    if (wait === undefined) return this.#driver.setNx(key, ms);
    const [set, acked] = await this.#driver.setNxWait(key, ms, wait.count, wait.timeoutMs);
    // A replay is a replay whatever the replicas say; a first use counts only once replicated.
    if (set !== 'OK') return set;
    if (typeof acked !== 'number') throw new Error(`RedisReplayStore: unexpected reply to WAIT (${typeof acked}).`);
    if (acked < wait.count) {
      throw new Error(
        `RedisReplayStore: ${acked} of ${wait.count} replicas acknowledged the write within ${wait.timeoutMs} ms, so the id is not ` +
          'safe from a failover and the login is refused.',
      );
    }
    return set;
  }
}
