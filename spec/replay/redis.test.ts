import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { createClient, createClientPool } from 'redis';
import { JwtSsoErrorCode as Code, RedisReplayStore, type ReplayStore } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { describeWithRedis, freePort, RedisServer } from '../../support/redis-server';
import { mint, puavoClaims } from '../helpers/tokens';
import { replayStoreContract } from './contract';

interface ClientKind {
  name: string;
  connect(url: string): Promise<ConstructorParameters<typeof RedisReplayStore>[0]['client'] & object>;
  /** Resolves when the client is connected and ready again. */
  ready(client: unknown): Promise<void>;
  close(client: unknown): Promise<void>;
}

const kinds: ClientKind[] = [
  {
    name: 'ioredis',
    async connect(url) {
      const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
      await once(client, 'ready');
      return client;
    },
    async ready(client) {
      const c = client as Redis;
      if (c.status !== 'ready') await once(c, 'ready');
    },
    async close(client) {
      (client as Redis).disconnect();
    },
  },
  {
    name: 'node-redis',
    async connect(url) {
      const client = createClient({ url, socket: { reconnectStrategy: () => 50 } });
      client.on('error', () => undefined); // reconnects are expected in the fault tests
      await client.connect();
      return client;
    },
    async ready(client) {
      const c = client as ReturnType<typeof createClient>;
      if (!c.isReady) await once(c, 'ready');
    },
    async close(client) {
      const c = client as ReturnType<typeof createClient>;
      if (c.isOpen) c.destroy();
    },
  },
];

describeWithRedis('RedisReplayStore against a real redis-server', () => {
  let redis: RedisServer;
  const clients: unknown[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 20_000);
  afterAll(async () => {
    await redis?.stop();
  });

  describe.each(kinds)('with $name', (kind) => {
    afterAll(async () => {
      await Promise.all(clients.splice(0).map((c) => kind.close(c)));
    });
    const store = async (options: { prefix?: string; timeoutMs?: number } = {}) => {
      const client = await kind.connect(redis.url);
      clients.push(client);
      return { client, store: new RedisReplayStore({ client, ...options }) };
    };

    describe('the store contract', () => {
      replayStoreContract({
        make: async () => (await store()).store,
        // Redis keeps real time: the expiry test waits for it (about a second).
        advance: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
    });

    test('keys carry the prefix and a ttl of at least the window', async () => {
      const { store: s } = await store({ prefix: 'app1:jti:' });
      const id = `abc-${kind.name}-${Date.now()}`;
      await s.consume(id, 71);
      const probe = new Redis(redis.url);
      try {
        expect(await probe.exists(`app1:jti:${id}`)).toBe(1);
        expect(await probe.exists(id)).toBe(0); // never a bare key: the prefix is the namespace
        const ttl = await probe.pttl(`app1:jti:${id}`);
        expect(ttl).toBeGreaterThan(70_000);
        expect(ttl).toBeLessThanOrEqual(71_000);
      } finally {
        probe.disconnect();
      }
    });

    test('waitForReplicas on a node without replicas: every consume is refused, none is true', async () => {
      const { client } = await store();
      const waiting = new RedisReplayStore({ client, waitForReplicas: { count: 1, timeoutMs: 20 } });
      await expect(waiting.consume(`lonely-${kind.name}-${Date.now()}`, 60)).rejects.toThrow(
        /0 of 1 replicas acknowledged the write within 20 ms/,
      );
    });

    test('two prefixes are two namespaces', async () => {
      const a = (await store({ prefix: 'a:' })).store;
      const b = (await store({ prefix: 'b:' })).store;
      const id = `same-${kind.name}-${Date.now()}`;
      await expect(a.consume(id, 60)).resolves.toBe(true);
      await expect(b.consume(id, 60)).resolves.toBe(true);
    });
  });
});

describeWithRedis('RedisReplayStore with a node-redis client pool (createClientPool)', () => {
  let redis: RedisServer;
  let pool: ReturnType<typeof createClientPool>;
  beforeAll(async () => {
    redis = await RedisServer.start();
    pool = createClientPool({ url: redis.url });
    pool.on('error', () => undefined);
    await pool.connect();
  }, 20_000);
  afterAll(async () => {
    await pool?.close();
    await redis?.stop();
  });
  replayStoreContract({
    make: () => new RedisReplayStore({ client: pool }),
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  test('waitForReplicas runs SET and WAIT on one lent connection: no replica, refused', async () => {
    const store = new RedisReplayStore({ client: pool, waitForReplicas: { count: 1, timeoutMs: 20 } });
    await expect(store.consume(`pool-${Date.now()}`, 60)).rejects.toThrow(/0 of 1 replicas/);
  });
});

describeWithRedis('the strategy on two app instances sharing Redis', () => {
  let redis: RedisServer;
  let apps: TestApp[] = [];
  let clients: [ClientKind, unknown][] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 20_000);
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(clients.map(([kind, c]) => kind.close(c)));
    apps = [];
    clients = [];
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function instance(kind: ClientKind, timeoutMs?: number): Promise<{ app: TestApp; client: unknown }> {
    const client = await kind.connect(redis.url);
    clients.push([kind, client]);
    const replayStore = new RedisReplayStore({ client, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    const app = await startApp({ strategy: { state: false, replayStore } });
    apps.push(app);
    return { app, client };
  }

  async function attempt(app: TestApp, token: string): Promise<{ status: number; code: string | null }> {
    const browser = app.browser();
    const callback = await browser.get(`/checked?jwt=${token}`);
    const res = await browser.get(callback.headers.location!);
    return { status: res.status, code: res.body.code ?? null };
  }

  test('one token submitted 20 times at once across two instances (one per client) signs in exactly once', async () => {
    const [a, b] = [(await instance(kinds[0]!)).app, (await instance(kinds[1]!)).app];
    const token = mint(puavoClaims());
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i % 2 === 0 ? a : b, token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(19);
    expect(refused.every((r) => r.status === 401 && r.code === Code.TOKEN_REPLAYED)).toBe(true);
    expect(a.verified.length + b.verified.length).toBe(1);
  });

  describe.each(kinds)('with $name', (kind) => {
    test('Redis stopped: 500, no login, no crash, no unhandled rejection; restarted: logins work again', async () => {
      const rejections: unknown[] = [];
      const onRejection = (r: unknown) => rejections.push(r);
      process.on('unhandledRejection', onRejection);
      try {
        const { app, client } = await instance(kind, 300);
        expect((await attempt(app, mint(puavoClaims()))).status).toBe(200);
        await redis.stop();
        const down = await attempt(app, mint(puavoClaims()));
        expect(down).toEqual({ status: 500, code: Code.REPLAY_STORE_FAILED });
        expect(app.verified).toHaveLength(1);
        expect((await app.browser().get('/whoami')).body.user).toBeNull();
        await redis.start();
        await kind.ready(client);
        expect((await attempt(app, mint(puavoClaims()))).status).toBe(200);
        expect(app.verified).toHaveLength(2);
        await new Promise((r) => setTimeout(r, 50));
        expect(rejections).toEqual([]);
      } finally {
        process.off('unhandledRejection', onRejection);
      }
    }, 30_000);

    test('Redis answering an error (out of memory): 500, no login; fixed: logins work again', async () => {
      const { app } = await instance(kind);
      const admin = new Redis(redis.url);
      try {
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await admin.config('SET', 'maxmemory', '1');
        expect(await attempt(app, mint(puavoClaims()))).toEqual({ status: 500, code: Code.REPLAY_STORE_FAILED });
        expect(app.verified).toHaveLength(0);
        await admin.config('SET', 'maxmemory', '0');
        expect((await attempt(app, mint(puavoClaims()))).status).toBe(200);
      } finally {
        await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
        admin.disconnect();
      }
    });
  });
});

describe('a Redis that accepts connections but never answers', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    port = await freePort();
    server = createServer((s) => {
      sockets.push(s);
      s.on('data', () => undefined); // read everything, answer nothing
    }).listen(port, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
  });

  test.each<[string, () => Promise<[ReplayStore, () => void]>]>([
    [
      'ioredis',
      async () => {
        const client = new Redis(port, '127.0.0.1', { enableReadyCheck: false, maxRetriesPerRequest: 0, lazyConnect: false });
        await once(client, 'connect');
        return [new RedisReplayStore({ client, timeoutMs: 150 }), () => client.disconnect()];
      },
    ],
    [
      'node-redis',
      async () => {
        const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
        client.on('error', () => undefined);
        // Its handshake never completes here, so connect() is not awaited: commands queue.
        client.connect().catch(() => undefined);
        return [new RedisReplayStore({ client, timeoutMs: 150 }), () => client.destroy()];
      },
    ],
  ])('%s: the timeout trips and consume rejects', async (_name, make) => {
    const [store, close] = await make();
    try {
      const started = process.hrtime.bigint();
      await expect(store.consume('x', 60)).rejects.toThrow(/did not answer within 150 ms/);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeGreaterThanOrEqual(140);
    } finally {
      close();
    }
  });
});

describe('RedisReplayStore options', () => {
  const fakeIo = { set: async () => 'OK', call: async () => 'OK' };
  test.each<[string, unknown, string]>([
    ['no client', {}, '"client"'],
    ['a client of another shape', { client: { get: () => undefined } }, '"client"'],
    ['a zero timeout', { client: fakeIo, timeoutMs: 0 }, '"timeoutMs"'],
    ['an infinite timeout', { client: fakeIo, timeoutMs: Infinity }, '"timeoutMs"'],
    ['a numeric prefix', { client: fakeIo, prefix: 1 }, '"prefix"'],
    ['waitForReplicas of 0 replicas', { client: fakeIo, waitForReplicas: { count: 0, timeoutMs: 10 } }, '"waitForReplicas"'],
    ['waitForReplicas of 1.5 replicas', { client: fakeIo, waitForReplicas: { count: 1.5, timeoutMs: 10 } }, '"waitForReplicas"'],
    [
      'a WAIT as long as the timeout',
      { client: fakeIo, timeoutMs: 100, waitForReplicas: { count: 1, timeoutMs: 100 } },
      'below "timeoutMs" (100)',
    ],
    ['a WAIT of 0 ms (Redis: wait forever)', { client: fakeIo, waitForReplicas: { count: 1, timeoutMs: 0 } }, '"waitForReplicas"'],
    [
      'waitForReplicas with an ioredis-shaped client without pipeline()',
      { client: fakeIo, waitForReplicas: { count: 1, timeoutMs: 10 } },
      'pipeline()',
    ],
  ])('refuses %s', (_name, options, option) => {
    expect(() => new RedisReplayStore(options as never)).toThrow(option);
  });

  // A client it cannot drive is a TypeError here, naming what it got, never a 500 on every login.
  test.each<[string, unknown, string]>([
    ['a URL instead of a client (its password is not repeated)', 'redis://:hunter2@cache:6379', 'got a string.'],
    ['the promise of connect()', Promise.resolve({}), 'got a Promise (await the connected client).'],
    ['a node-redis v3 client', { send_command: () => undefined, connected: true }, 'got a node-redis v3 client'],
    ['sendCommand() without isOpen', { sendCommand: async () => 'OK' }, 'got an object with sendCommand().'],
    [
      'a class of its own',
      new (class Memcached {
        get() {}
      })(),
      'got an object (constructor Memcached) with none of set(), call(), sendCommand().',
    ],
    ['undefined', undefined, 'got a undefined.'],
  ])('refuses %s', (_name, client, got) => {
    let error: unknown;
    try {
      new RedisReplayStore({ client } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(got);
    expect((error as Error).message).not.toContain('hunter2');
  });

  test('tells node-redis kinds apart by shape and sends each its own sendCommand form', async () => {
    const calls: unknown[][] = [];
    const sendCommand = async (...args: unknown[]) => {
      calls.push(args);
      return 'OK';
    };
    const cluster = { isOpen: true, sendCommand, getSlotMaster: () => undefined };
    const sentinel = { isOpen: true, sendCommand, getMasterNode: () => undefined, multi: () => undefined };
    const client = { isOpen: true, sendCommand };
    for (const c of [cluster, sentinel, client]) await new RedisReplayStore({ client: c as never, prefix: 'p:' }).consume('id', 1);
    expect(calls).toEqual([
      ['p:id', false, ['SET', 'p:id', '1', 'PX', '1000', 'NX']],
      [false, ['SET', 'p:id', '1', 'PX', '1000', 'NX']],
      [['SET', 'p:id', '1', 'PX', '1000', 'NX']],
    ]);
  });

  test.each<[string, () => Promise<unknown>, RegExp]>([
    ['an unexpected reply', () => Promise.resolve(1), /unexpected reply/],
    [
      'a synchronous throw',
      () => {
        throw new Error('client closed');
      },
      /client closed/,
    ],
  ])('rejects on %s (a client that cannot fail this way for real)', async (_name, set, message) => {
    const store = new RedisReplayStore({ client: { set, call: set } as never });
    await expect(store.consume('x', 60)).rejects.toThrow(message);
  });
});
