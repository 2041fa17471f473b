// Starts a real Redis Cluster of the tests' own (3 masters, 3 replicas) on free loopback ports,
// with its data in a temporary folder, and stops it by PID. Also one master, one replica and one
// sentinel for the Sentinel tests. Same style as ./redis-server.ts.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { ephemeralServerArgs, REDIS_SERVER } from './redis-server';

export const REDIS_CLI = process.env.REDIS_CLI ?? 'redis-cli';
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free loopback port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free pair of loopback ports for a cluster node');
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

// A process killed by a signal has a null exitCode and a signalCode.
const running = (child: ChildProcess | undefined): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;

/** One redis-server process, started with the given extra arguments, stopped by PID. */
export class RedisNode {
  #child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
    readonly extra: string[],
    readonly binary = REDIS_SERVER,
  ) {}

  get pid(): number | undefined {
    return running(this.#child) ? this.#child!.pid : undefined;
  }

  get alive(): boolean {
    return this.pid !== undefined;
  }

  async start(): Promise<void> {
    const child = spawn(
      this.binary,
      [
        ...this.extra,
        ...ephemeralServerArgs(this.port),
        '--dir',
        this.dir,
        // A replica's first sync starts at once (the default waits 5 s for more replicas).
        '--repl-diskless-sync-delay',
        '0',
        '--logfile',
        join(this.dir, `${this.port}.log`),
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    await waitFor(`redis-server on port ${this.port}`, 10_000, async () => {
      if (!running(child)) throw new Error(`redis-server exited with ${child.exitCode} on port ${this.port}`);
      return (await this.command('PING')) === 'PONG';
    });
  }

  /** One command over a short-lived connection; rejects when the node does not answer. */
  async command(...args: string[]): Promise<unknown> {
    const client = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 500,
      enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call(args[0]!, ...args.slice(1));
    } finally {
      client.disconnect();
    }
  }

  /** Sends a signal to the process (SIGKILL, SIGSTOP, SIGCONT); resolves when a SIGKILLed process is gone. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!running(child)) return;
    const exited = signal === 'SIGKILL' ? once(child!, 'exit') : undefined;
    child!.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    if (running(this.#child)) this.#child!.kill('SIGCONT');
    await this.signal('SIGKILL');
  }
}

export interface ClusterNodeInfo {
  node: RedisNode;
  id: string;
  role: 'master' | 'slave';
  masterId: string | undefined;
  slots: [number, number][];
}

/** A 3-master, 3-replica Redis Cluster on loopback. */
export class RedisCluster {
  readonly nodes: RedisNode[];
  private constructor(
    readonly dir: string,
    ports: number[],
    readonly nodeTimeoutMs: number,
  ) {
    this.nodes = ports.map(
      (port) =>
        new RedisNode(port, dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          // A replica that lost its master for a while may still be promoted: the tests want a failover.
          '--cluster-replica-validity-factor',
          '0',
        ]),
    );
  }

  /** Starts six nodes and joins them with `redis-cli --cluster create … --cluster-replicas 1`. */
  static async start({ nodeTimeoutMs = 2000 }: { nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'jwtsso-cluster-'));
    const taken = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push(await freeClusterPort(taken));
    const cluster = new RedisCluster(dir, ports, nodeTimeoutMs);
    try {
      await Promise.all(cluster.nodes.map((n) => n.start()));
      await run(REDIS_CLI, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
        timeout: 30_000,
      });
      await cluster.waitHealthy();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get rootNodes(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** Every live node's view: its id, role, master and slots (`CLUSTER NODES` of one live node). */
  async topology(): Promise<ClusterNodeInfo[]> {
    const live = this.nodes.filter((n) => n.alive);
    for (const asked of live) {
      const text = await asked.command('CLUSTER', 'NODES').catch(() => undefined);
      if (typeof text !== 'string') continue;
      const out: ClusterNodeInfo[] = [];
      for (const line of text.trim().split('\n')) {
        const [id, address, flags, master, , , , , ...slots] = line.split(' ');
        const port = Number(address!.split('@')[0]!.split(':')[1]);
        const node = this.nodes.find((n) => n.port === port);
        if (node === undefined || flags!.includes('fail') || flags!.includes('noaddr')) continue;
        out.push({
          node,
          id: id!,
          role: flags!.includes('master') ? 'master' : 'slave',
          masterId: master === '-' ? undefined : master,
          slots: slots
            .filter((s) => !s.startsWith('['))
            .map((s) => {
              const [a, b = a] = s.split('-');
              return [Number(a), Number(b)] as [number, number];
            }),
        });
      }
      return out;
    }
    throw new Error('no cluster node answers CLUSTER NODES');
  }

  /** Resolves when every live node says cluster_state:ok, every live replica is in sync with its master, and (all six alive) each master has its replica. */
  async waitHealthy(ms = 20_000): Promise<void> {
    await waitFor('a healthy cluster', ms, async () => {
      for (const node of this.nodes.filter((n) => n.alive)) {
        const info = String(await node.command('CLUSTER', 'INFO'));
        if (!info.includes('cluster_state:ok')) return false;
        const replication = String(await node.command('INFO', 'replication'));
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
      }
      // And the view asked (gossip) already pairs every master with its replica, when there are six.
      const topology = await this.topology();
      const masters = topology.filter((n) => n.role === 'master' && n.slots.length > 0);
      const paired = masters.filter((m) => topology.some((n) => n.masterId === m.id));
      return masters.length === 3 && (this.nodes.some((n) => !n.alive) || paired.length === 3);
    });
  }

  /** The master serving `slot`, and its replica. */
  async shardOf(slot: number): Promise<{ master: ClusterNodeInfo; replica: ClusterNodeInfo | undefined }> {
    const topology = await this.topology();
    const master = topology.find((n) => n.role === 'master' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (master === undefined) throw new Error(`no master serves slot ${slot}`);
    return { master, replica: topology.find((n) => n.masterId === master.id) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One master, one replica and one sentinel (`redis-server --sentinel`, quorum 1) watching them. */
export class RedisSentinelGroup {
  static readonly masterName = 'jwtsso';
  private constructor(
    readonly dir: string,
    readonly master: RedisNode,
    readonly replica: RedisNode,
    readonly sentinel: RedisNode,
  ) {}

  static async start({ downAfterMs = 1000 }: { downAfterMs?: number } = {}): Promise<RedisSentinelGroup> {
    const dir = mkdtempSync(join(tmpdir(), 'jwtsso-sentinel-'));
    const taken = new Set<number>();
    const [m, r, s] = [await freeClusterPort(taken), await freeClusterPort(taken), await freeClusterPort(taken)];
    const conf = join(dir, 'sentinel.conf');
    const name = RedisSentinelGroup.masterName;
    // A sentinel rewrites its configuration file: it must be a file of its own, writable.
    writeFileSync(
      conf,
      [
        `sentinel monitor ${name} 127.0.0.1 ${m} 1`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const group = new RedisSentinelGroup(
      dir,
      new RedisNode(m, dir, []),
      new RedisNode(r, dir, ['--replicaof', '127.0.0.1', String(m)]),
      new RedisNode(s, dir, [conf, '--sentinel']),
    );
    try {
      await group.master.start();
      await group.replica.start();
      await waitFor('the replica in sync', 10_000, async () =>
        String(await group.replica.command('INFO', 'replication')).includes('master_link_status:up'),
      );
      await group.sentinel.start();
      await waitFor('the sentinel to see the replica', 10_000, async () => {
        const replicas = (await group.sentinel.command('SENTINEL', 'REPLICAS', name)) as unknown[];
        return Array.isArray(replicas) && replicas.length === 1;
      });
      // In sync is not yet acknowledging: the suites' WAIT 1 needs the replica's REPLCONF ACK round trip.
      await waitFor(
        'the replica to acknowledge writes (WAIT 1)',
        10_000,
        async () => Number(await group.master.command('WAIT', '1', '200')) === 1,
      );
    } catch (err) {
      await group.stop();
      throw err;
    }
    return group;
  }

  get sentinels(): { host: string; port: number }[] {
    return [{ host: '127.0.0.1', port: this.sentinel.port }];
  }

  async masterPort(): Promise<number> {
    const [, port] = (await this.sentinel.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', RedisSentinelGroup.masterName)) as [
      string,
      string,
    ];
    return Number(port);
  }

  async stop(): Promise<void> {
    await Promise.all([this.sentinel.stop(), this.replica.stop(), this.master.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The Redis Cluster slot of a key (CRC16/XMODEM of the key, or of its first non-empty `{hash tag}`, mod 16384). */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key);
  const open = bytes.indexOf('{');
  const close = open === -1 ? -1 : bytes.indexOf('}', open + 1);
  const hashed = close > open + 1 ? bytes.subarray(open + 1, close) : bytes;
  let crc = 0;
  for (const byte of hashed) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
