// The Redis clients RedisReplayStore takes, told apart by their shape (ioredis Redis or Cluster,
// node-redis client, cluster, pool or sentinel), each driven as one atomic SET … NX (and WAIT),
// and a node-redis cluster's slot map re-read after a failure. Neither client is imported.
import { systemClock } from '../clock';

type Reply = unknown;
/** One atomic consume on whichever client was given. */
export interface Driver {
  /** `SET key 1 PX ms NX`; resolves Redis's reply. */
  setNx(key: string, ms: number): Promise<Reply>;
  /** `SET key 1 PX ms NX` then `WAIT count timeout`, on one connection; resolves both replies. */
  setNxWait(key: string, ms: number, count: number, waitMs: number): Promise<[Reply, Reply]>;
  /** `EXISTS key` (on a master); resolves Redis's reply, the number of keys found. */
  exists(key: string): Promise<Reply>;
  /** Told of every failed or timed-out consume; never throws, never waits. */
  failed?(): void;
}

/** The part of node-redis v5's cluster internals (`cluster._slots`, typed but undocumented) used to refresh the slot map. */
interface ClusterSlotsLike {
  rediscover(startWith: unknown): Promise<void>;
  masters: { client?: { isReady?: unknown } }[];
}

/**
 * What re-reads a node-redis cluster's slot map after a failure, at most once per cooldown, or
 * undefined where the client has no slot map in reach (node-redis v4 keeps it private).
 */
function slotsRefresher(cluster: Shape, cooldownMs: number): (() => void) | undefined {
  const self = (cluster._self ?? cluster) as Shape;
  const slots = self._slots as Partial<ClusterSlotsLike> | undefined;
  // A slot map whose rediscover is not a function is asked all the same: the call fails inside the
  // promise below, as a rediscover that throws does.
  if (slots === null || typeof slots !== 'object') return undefined;
  let next = Number.NEGATIVE_INFINITY;
  return () => {
    const now = systemClock();
    if (now < next) return;
    next = now + cooldownMs;
    // Asked first: a live master (its CLUSTER SLOTS has the promoted replica). Any other client
    // (a dead one fails at once) makes node-redis fall back to each of its root nodes in turn.
    if (!Array.isArray(slots.masters)) return;
    const clients = slots.masters.map((m) => m?.client).filter((c) => c != null);
    const ready = clients.filter((c) => c.isReady === true);
    const pool = ready.length > 0 ? ready : clients;
    const startWith = pool[Math.floor(Math.random() * pool.length)];
    if (startWith === undefined) return;
    // The refresh's own failure is node-redis's 'error' event; the store has nothing to add.
    new Promise<void>((resolve) => resolve(slots.rediscover!(startWith))).catch(() => undefined);
  };
}

type Fn = (...args: unknown[]) => Promise<unknown>;
type Shape = Record<string, unknown>;
const fn = (o: Shape, name: string): Fn | undefined => (typeof o[name] === 'function' ? (o[name] as Fn).bind(o) : undefined);
const setArgs = (key: string, ms: number) => ['SET', key, '1', 'PX', String(ms), 'NX'];
const waitArgs = (count: number, waitMs: number) => ['WAIT', String(count), String(waitMs)];
const existsArgs = (key: string) => ['EXISTS', key];

/** What a value is, for an error message: its kind and shape, never its content (a URL may hold a password). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`; // a function too: "a function"
  const o = value as Shape;
  if (typeof o.then === 'function') return 'a Promise (await the connected client)';
  if (typeof o.send_command === 'function') return 'a node-redis v3 client (callback API; v4 or later is needed)';
  const methods = ['set', 'call', 'sendCommand', 'multi', 'pipeline'].filter((m) => typeof o[m] === 'function');
  const name = (o.constructor as { name?: unknown } | undefined)?.name;
  const cls = typeof name === 'string' && name !== 'Object' && name !== '' ? ` (constructor ${name})` : '';
  const isOpen = 'isOpen' in o ? `, isOpen ${typeof o.isOpen}` : '';
  return `an object${cls} with ${methods.length > 0 ? methods.map((m) => `${m}()`).join(', ') : 'none of set(), call(), sendCommand()'}${isOpen}`;
}

// Decided by shape, so that neither client is ever imported: both are optional peers.
export function driverFor(client: unknown, waits: boolean, slotsRefreshCooldownMs: number): Driver {
  const o = (client !== null && typeof client === 'object' ? client : {}) as Shape;
  const sendCommand = fn(o, 'sendCommand');
  if (sendCommand !== undefined && typeof o.isOpen === 'boolean') {
    // node-redis. A cluster routes by its first argument; SET and WAIT sent in one tick with the
    // same key go, in order, to the one connection of the key's master.
    if (typeof o.getSlotMaster === 'function') {
      return {
        setNx: (key, ms) => sendCommand(key, false, setArgs(key, ms)),
        setNxWait: (key, ms, count, waitMs) =>
          Promise.all([sendCommand(key, false, setArgs(key, ms)), sendCommand(key, false, waitArgs(count, waitMs))]),
        // Not read-only (false): a replica may not yet hold a key its master just wrote.
        exists: (key) => sendCommand(key, false, existsArgs(key)),
        failed: slotsRefresher(o, slotsRefreshCooldownMs),
      };
    }
    // Sentinel and pool lend one of several connections per call: SET and WAIT go as one
    // pipeline, on one connection. A Sentinel's sendCommand and addCommand take isReadonly first.
    const isSentinel = typeof o.getMasterNode === 'function';
    if (isSentinel || typeof o.totalClients === 'number') {
      const multi = fn(o, 'multi') as (() => Shape) | undefined;
      if (waits && multi === undefined) {
        throw new TypeError(`RedisReplayStore: option "waitForReplicas" needs the client's multi(); got ${describe(client)}.`);
      }
      const send = (args: string[]) => (isSentinel ? sendCommand(false, args) : sendCommand(args));
      return {
        setNx: (key, ms) => send(setArgs(key, ms)),
        exists: (key) => send(existsArgs(key)),
        setNxWait: async (key, ms, count, waitMs) => {
          const pipeline = multi!();
          for (const args of [setArgs(key, ms), waitArgs(count, waitMs)]) {
            (pipeline.addCommand as Fn).apply(pipeline, isSentinel ? [false, args] : [args]);
          }
          const replies = (await (pipeline.execAsPipeline as Fn).call(pipeline)) as unknown[];
          for (const reply of replies) if (reply instanceof Error) throw reply;
          return [replies[0], replies[1]];
        },
      };
    }
    return {
      setNx: (key, ms) => sendCommand(setArgs(key, ms)),
      exists: (key) => sendCommand(existsArgs(key)),
      setNxWait: (key, ms, count, waitMs) => Promise.all([sendCommand(setArgs(key, ms)), sendCommand(waitArgs(count, waitMs))]),
    };
  }
  const set = fn(o, 'set');
  if (set !== undefined && typeof o.call === 'function' && !('isOpen' in o)) {
    // ioredis, one node, Sentinel-managed or Cluster: a pipeline runs on the connection of its keys' node.
    const pipeline = fn(o, 'pipeline');
    if (waits && pipeline === undefined) {
      throw new TypeError(`RedisReplayStore: option "waitForReplicas" needs the client's pipeline(); got ${describe(client)}.`);
    }
    const call = fn(o, 'call')!;
    return {
      setNx: (key, ms) => set(key, '1', 'PX', ms, 'NX'),
      exists: (key) => call(...existsArgs(key)),
      setNxWait: async (key, ms, count, waitMs) => {
        const p = (pipeline as unknown as () => Shape)();
        (p.set as Fn)(key, '1', 'PX', ms, 'NX');
        (p.call as Fn)('WAIT', count, waitMs);
        const results = await (p.exec as () => Promise<[Error | null, unknown][] | null>)();
        if (results === null || results.length !== 2) throw new Error('RedisReplayStore: the pipeline of SET and WAIT did not run.');
        for (const [err] of results) if (err) throw err;
        return [results[0]![1], results[1]![1]];
      },
    };
  }
  throw new TypeError(
    'RedisReplayStore: option "client" must be a connected ioredis client (Redis or Cluster) or node-redis (redis v4+) client ' +
      `(createClient, createCluster, createClientPool or createSentinel); got ${describe(client)}.`,
  );
}
