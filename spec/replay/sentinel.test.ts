// RedisReplayStore on a Sentinel-managed master (one master, one replica, one sentinel started by
// `redis-server --sentinel`, down-after 1 s), through ioredis ({ sentinels, name }) and node-redis
// createSentinel(): the store contract, WAIT, and the master killed with SIGKILL under load.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createSentinel } from 'redis';
import { RedisReplayStore, type RedisReplayStoreOptions } from '../../lib';
import { RedisSentinelGroup } from '../../support/redis-cluster';
import { describeWithRedis } from '../../support/redis-server';
import { replayStoreContract, replayStoreHasContract } from './contract';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DOWN_AFTER_MS = 1000;
// WAIT's timeout with room for a busy 2-core machine and the replication link's first seconds (a
// replica's ack took over 400 ms at a suite's start),
// and the store's own timeout above it, as the option demands.
const WAIT = { count: 1, timeoutMs: 2000 };
const STORE_TIMEOUT_MS = 5000;

interface SentinelKind {
  name: string;
  connect(group: RedisSentinelGroup): Promise<RedisReplayStoreOptions['client']>;
  close(client: unknown): void;
}

const kinds: SentinelKind[] = [
  {
    name: 'ioredis with sentinels',
    async connect(group) {
      const client = new Redis({ sentinels: group.sentinels, name: RedisSentinelGroup.masterName, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined); // reconnects are expected in the failover test
      await new Promise((r) => client.once('ready', r));
      return client;
    },
    close: (client) => (client as Redis).disconnect(),
  },
  {
    name: 'node-redis createSentinel',
    async connect(group) {
      const client = createSentinel({ name: RedisSentinelGroup.masterName, sentinelRootNodes: group.sentinels });
      client.on('error', () => undefined);
      await client.connect();
      return client as unknown as RedisReplayStoreOptions['client'];
    },
    close: (client) => {
      const c = client as ReturnType<typeof createSentinel>;
      if (c.isOpen) c.destroy();
    },
  },
];

describeWithRedis('RedisReplayStore on a Sentinel-managed master', () => {
  let group: RedisSentinelGroup;
  const clients: [SentinelKind, unknown][] = [];
  const connect = async (kind: SentinelKind) => {
    const client = await kind.connect(group);
    clients.push([kind, client]);
    return client;
  };
  beforeAll(async () => {
    group = await RedisSentinelGroup.start({ downAfterMs: DOWN_AFTER_MS });
  }, 30_000);
  afterAll(async () => {
    for (const [kind, client] of clients) kind.close(client);
    await group?.stop();
  });

  describe.each(kinds)('with $name', (kind) => {
    describe('the store contract, waiting for the replica (WAIT 1)', () => {
      const harness = {
        make: async () => new RedisReplayStore({ client: await connect(kind), waitForReplicas: WAIT, timeoutMs: STORE_TIMEOUT_MS }),
        advance: async (ms: number) => {
          await sleep(ms);
        },
      };
      replayStoreContract(harness);
      replayStoreHasContract(harness);
    });

    test('WAIT: the replica stopped (SIGSTOP) refuses the consume; resumed, it is accepted', async () => {
      const client = await connect(kind);
      const waiting = new RedisReplayStore({ client, waitForReplicas: WAIT, timeoutMs: STORE_TIMEOUT_MS });
      const plain = new RedisReplayStore({ client });
      const id = randomUUID();
      await group.replica.signal('SIGSTOP');
      let refused: unknown;
      let accepted: unknown;
      try {
        refused = await waiting.consume(id, 60).catch((e: unknown) => e);
        accepted = await plain.consume(randomUUID(), 60);
      } finally {
        await group.replica.signal('SIGCONT');
      }
      expect(String(refused)).toMatch(/0 of 1 replicas acknowledged the write within 2000 ms/);
      expect(accepted).toBe(true);
      await expect(waiting.consume(randomUUID(), 60)).resolves.toBe(true);
      await expect(waiting.consume(id, 60)).resolves.toBe(false); // written on the master all the same
    });
  });

  // Last: it leaves the group with its replica promoted and no replica.
  test('the master killed with SIGKILL under load: no id true twice, no hang, and both clients recover', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      const stores = await Promise.all(kinds.map(async (kind) => new RedisReplayStore({ client: await connect(kind) })));
      const end = Date.now() + 8000;
      let killedAt = Number.POSITIVE_INFINITY;
      const trues = new Map<string, number>();
      const stats = kinds.map(() => ({ ok: 0, failed: 0, lastFail: NaN, lastOk: NaN }));
      const loads = stores.map((store, k) =>
        Promise.all(
          Array.from({ length: 10 }, async () => {
            let last: string | undefined;
            while (Date.now() < end) {
              for (const id of [randomUUID(), last]) {
                if (id === undefined) continue;
                let timer: NodeJS.Timeout | undefined;
                const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 2000)));
                const result = await Promise.race([store.consume(id, 60).then(Boolean, () => 'failed' as const), hung]);
                clearTimeout(timer);
                const s = stats[k]!;
                if (result === 'hung') throw new Error('a consume neither resolved nor rejected within 2 s');
                if (result === 'failed') {
                  s.failed++;
                  s.lastFail = Date.now() - killedAt;
                } else {
                  s.ok++;
                  s.lastOk = Date.now() - killedAt;
                  if (result) trues.set(id, (trues.get(id) ?? 0) + 1);
                  last = id;
                }
                await sleep(result === 'failed' ? 10 : 1);
              }
            }
          }),
        ),
      );
      await sleep(1000);
      killedAt = Date.now();
      await group.master.signal('SIGKILL');
      await Promise.all(loads);
      kinds.forEach((kind, k) => {
        const s = stats[k]!;
        console.log(
          `measured: ${kind.name}: ${s.ok} answered, ${s.failed} refused, last refusal ${s.lastFail} ms after the kill, recovered by itself`,
        );
      });
      expect(await group.masterPort()).toBe(group.replica.port);
      expect([...trues.values()].filter((n) => n > 1)).toEqual([]);
      for (const s of stats) {
        expect(s.failed).toBeGreaterThan(0);
        expect(s.lastFail).toBeLessThan(6000); // measured about 2 s (ioredis) and 4 s (node-redis)
        expect(s.lastOk).toBeGreaterThan(s.lastFail);
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 30_000);
});
