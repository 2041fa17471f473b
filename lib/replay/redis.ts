import type { ReplayStore } from './store';

/** The part of an `ioredis` client this store uses. */
export interface IoRedisLike {
  /** `SET key value PX ms NX`. */
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<string | null>;
  /** Any command; its presence tells an ioredis client apart. */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** The part of a node-redis (`redis` v4+) client this store uses. */
export interface NodeRedisLike {
  /** Sends a raw command such as `['SET', key, '1', 'PX', ms, 'NX']`. */
  sendCommand(args: string[]): Promise<unknown>;
  /** Whether the client is open; its presence tells a node-redis client apart. */
  isOpen: boolean;
}

/** Options of {@link RedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** A connected `ioredis` client, or a connected node-redis (`redis` v4+) client. Required. */
  client: IoRedisLike | NodeRedisLike;
  /** Prefix of every key. Default `'jwtsso:jti:'`. */
  prefix?: string;
  /** Milliseconds to wait for Redis before refusing the login. Default 500. */
  timeoutMs?: number;
}

/** Default {@link RedisReplayStoreOptions.timeoutMs}. */
export const DEFAULT_REDIS_TIMEOUT_MS = 500;
const MS_PER_SECOND = 1000;

type SetNx = (key: string, ms: number) => Promise<unknown>;

// Decided by shape, so that neither client is ever imported: both are optional peers.
function setNx(client: unknown): SetNx {
  const c = client as Partial<IoRedisLike & NodeRedisLike> | null;
  if (c !== null && typeof c === 'object' && typeof c.sendCommand === 'function' && typeof c.isOpen === 'boolean') {
    const node = c as NodeRedisLike;
    return (key, ms) => node.sendCommand(['SET', key, '1', 'PX', String(ms), 'NX']);
  }
  if (c !== null && typeof c === 'object' && typeof c.set === 'function' && typeof c.call === 'function') {
    const io = c as IoRedisLike;
    return (key, ms) => io.set(key, '1', 'PX', ms, 'NX');
  }
  throw new TypeError('RedisReplayStore: option "client" must be a connected ioredis client or node-redis (redis v4+) client.');
}

/**
 * A replay store in Redis, shared by every instance of an app: a token used on one instance
 * cannot be used again on another. Each `consume` is one atomic `SET key 1 PX ttl NX`.
 *
 * It fails closed: when Redis is down, answers an error, or does not answer within
 * `timeoutMs`, `consume` rejects, and the strategy refuses the login with a 500. When Redis
 * comes back, logins work again without a restart (the client reconnects).
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';            // or: import { createClient } from 'redis'
 * const redis = new Redis(process.env.REDIS_URL);
 * new JwtSsoStrategy({ ..., replayStore: new RedisReplayStore({ client: redis }) }, verify);
 * ```
 */
export class RedisReplayStore implements ReplayStore {
  readonly #setNx: SetNx;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisReplayStoreOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('RedisReplayStore: options must be an object with a "client".');
    const { prefix = 'jwtsso:jti:', timeoutMs = DEFAULT_REDIS_TIMEOUT_MS } = options;
    this.#setNx = setNx(options.client);
    if (typeof prefix !== 'string') throw new TypeError('RedisReplayStore: option "prefix" must be a string.');
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`RedisReplayStore: option "timeoutMs" must be a positive number of milliseconds, got ${String(timeoutMs)}.`);
    }
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
  }

  async consume(id: string, ttlSeconds: number): Promise<boolean> {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('RedisReplayStore: id must be a non-empty string.');
    if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new TypeError('RedisReplayStore: ttlSeconds must be a positive number.');
    const ms = Math.ceil(ttlSeconds * MS_PER_SECOND);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`RedisReplayStore: Redis did not answer within ${this.#timeoutMs} ms.`)), this.#timeoutMs);
    });
    // A synchronous throw becomes a rejection; the loser of the race must never go unhandled.
    const command = new Promise<unknown>((resolve, reject) => {
      this.#setNx(this.#prefix + id, ms).then(resolve, reject);
    });
    command.catch(() => undefined);
    timeout.catch(() => undefined);
    try {
      const reply = await Promise.race([command, timeout]);
      if (reply === 'OK') return true;
      if (reply === null) return false;
      throw new Error(`RedisReplayStore: unexpected reply to SET NX (${typeof reply}).`);
    } finally {
      clearTimeout(timer);
    }
  }
}
