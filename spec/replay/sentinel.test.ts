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
// The failover test: the load's least length after the kill; how long the clients get to follow the
// sentinel's switch (and the bound on their last refusal after it); and how long the sentinel may take.
const LOAD_AFTER_KILL_MS = 7000;
const SWITCHED_LOAD_MS = 4000;
// Measured after the switch: ioredis -140 to -30 ms (it follows the sentinel's own +switch-master),
// node-redis 1.9-2.1 s (its rediscovery retries every 1 s) on this machine with two cores kept busy.
const RECOVERY_AFTER_SWITCH_MS = 4000;
const FAILOVER_LIMIT_MS = 20_000;

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
      // The load runs until both clients had SWITCHED_LOAD_MS to follow the switch, and at least
      // LOAD_AFTER_KILL_MS after the kill (a failover on a loaded CI machine took up to 7 s).
      let end = Date.now() + 1000 + LOAD_AFTER_KILL_MS;
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
      // The switch, as the clients can learn it: when the sentinel first names the replica as master.
      let switchedAt = NaN;
      while (Date.now() < killedAt + FAILOVER_LIMIT_MS) {
        if ((await group.masterPort().catch(() => undefined)) === group.replica.port) {
          switchedAt = Date.now() - killedAt;
          break;
        }
        await sleep(50);
      }
      if (!Number.isNaN(switchedAt)) end = Math.max(end, killedAt + switchedAt + SWITCHED_LOAD_MS);
      await Promise.all(loads);
      kinds.forEach((kind, k) => {
        const s = stats[k]!;
        console.log(
          `measured: ${kind.name}: ${s.ok} answered, ${s.failed} refused, the sentinel switched ${switchedAt} ms after the kill, ` +
            `last refusal ${s.lastFail} ms after the kill (${s.lastFail - switchedAt} ms after the switch), recovered by itself`,
        );
      });
      expect(switchedAt).toBeLessThan(FAILOVER_LIMIT_MS); // NaN (never switched) fails too
      expect(await group.masterPort()).toBe(group.replica.port);
      expect([...trues.values()].filter((n) => n > 1)).toEqual([]);
      for (const s of stats) {
        expect(s.failed).toBeGreaterThan(0);
        // Counted from the switch: how long the sentinel takes to fail over is Redis's time, and
        // varies by seconds on a loaded machine (a whole-suite CI run once saw 7.7 s from the kill).
        expect(s.lastFail - switchedAt).toBeLessThan(RECOVERY_AFTER_SWITCH_MS);
        expect(s.lastOk).toBeGreaterThan(s.lastFail);
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 45_000);
});
