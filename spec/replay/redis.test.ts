import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { createClient, createClientPool } from 'redis';
import { JwtSsoErrorCode as Code, RedisReplayStore, type ReplayStore } from '../../lib';
import { DEFAULT_REDIS_TIMEOUT_MS } from '../../lib/replay/redis';
import { startApp, type TestApp } from '../helpers/app';
import { describeWithRedis, freePort, RedisServer } from '../../support/redis-server';
import { mint, puavoClaims } from '../helpers/tokens';
import { replayStoreContract, replayStoreHasContract } from './contract';

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
      const harness = {
        make: async () => (await store()).store,
        // Redis keeps real time: the expiry test waits for it (about a second).
        advance: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      };
      replayStoreContract(harness);
      replayStoreHasContract(harness);
    });

    test('has() asks EXISTS of the prefixed key and writes nothing', async () => {
      const { store: s } = await store({ prefix: 'app2:jti:' });
      const id = `has-${kind.name}-${Date.now()}`;
      const probe = new Redis(redis.url);
      try {
        await expect(s.has(id)).resolves.toBe(false);
        expect(await probe.exists(`app2:jti:${id}`)).toBe(0);
        await probe.set(`app2:jti:${id}`, '1', 'PX', 60_000);
        await expect(s.has(id)).resolves.toBe(true);
        await probe.set(id, '1', 'PX', 60_000);
        await expect(s.has(`${id}-other`)).resolves.toBe(false); // the bare key is not this store's
      } finally {
        probe.disconnect();
      }
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
  const harness = {
    make: () => new RedisReplayStore({ client: pool }),
    advance: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  replayStoreContract(harness);
  replayStoreHasContract(harness);
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
    ['no options at all', undefined, 'options must be an object with a "client"'],
    ['null options', null, 'options must be an object with a "client"'],
    ['a URL for options', 'redis://cache:6379', 'options must be an object with a "client"'],
    ['no client', {}, '"client"'],
    ['a client of another shape', { client: { get: () => undefined } }, '"client"'],
    ['a zero timeout', { client: fakeIo, timeoutMs: 0 }, '"timeoutMs"'],
    ['an infinite timeout', { client: fakeIo, timeoutMs: Infinity }, '"timeoutMs"'],
    ['a timeout in a string (not repeated)', { client: fakeIo, timeoutMs: 'hunter2' }, 'got a string.'],
    ['a timeout of "500"', { client: fakeIo, timeoutMs: '500' }, 'got a string.'],
    ['a NaN timeout', { client: fakeIo, timeoutMs: NaN }, 'got NaN.'],
    ['a negative timeout', { client: fakeIo, timeoutMs: -1 }, '"timeoutMs"'],
    [
      'a function carrying count and timeoutMs as waitForReplicas (a factory, not the options)',
      { client: { ...fakeIo, pipeline: () => undefined }, waitForReplicas: Object.assign(() => undefined, { count: 1, timeoutMs: 10 }) },
      'option "waitForReplicas" must be { count, timeoutMs }',
    ],
    ['a numeric prefix', { client: fakeIo, prefix: 1 }, '"prefix"'],
    ['a null waitForReplicas', { client: fakeIo, waitForReplicas: null }, '"waitForReplicas"'],
    ['a waitForReplicas of 1 (a count alone)', { client: fakeIo, waitForReplicas: 1 }, '"waitForReplicas"'],
    ['waitForReplicas of 0 replicas', { client: fakeIo, waitForReplicas: { count: 0, timeoutMs: 10 } }, '"waitForReplicas"'],
    ['waitForReplicas of 1.5 replicas', { client: fakeIo, waitForReplicas: { count: 1.5, timeoutMs: 10 } }, '"waitForReplicas"'],
    [
      'a WAIT as long as the timeout',
      { client: fakeIo, timeoutMs: 100, waitForReplicas: { count: 1, timeoutMs: 100 } },
      'below "timeoutMs" (100)',
    ],
    ['a WAIT of 0 ms (Redis: wait forever)', { client: fakeIo, waitForReplicas: { count: 1, timeoutMs: 0 } }, '"waitForReplicas"'],
    ['a cooldown of 0 ms', { client: fakeIo, slotsRefreshCooldownMs: 0 }, '"slotsRefreshCooldownMs"'],
    ['a negative cooldown', { client: fakeIo, slotsRefreshCooldownMs: -1000 }, '"slotsRefreshCooldownMs"'],
    ['a cooldown of 0.5 ms', { client: fakeIo, slotsRefreshCooldownMs: 0.5 }, '"slotsRefreshCooldownMs"'],
    ['a NaN cooldown', { client: fakeIo, slotsRefreshCooldownMs: NaN }, 'got NaN'],
    ['an infinite cooldown', { client: fakeIo, slotsRefreshCooldownMs: Infinity }, '"slotsRefreshCooldownMs"'],
    ['a cooldown in a string (not repeated)', { client: fakeIo, slotsRefreshCooldownMs: '1000' }, 'got a string.'],
    ['a null cooldown', { client: fakeIo, slotsRefreshCooldownMs: null }, 'got a null.'],
    [
      'waitForReplicas with an ioredis-shaped client without pipeline()',
      { client: fakeIo, waitForReplicas: { count: 1, timeoutMs: 10 } },
      'pipeline()',
    ],
    [
      'waitForReplicas with a node-redis Sentinel client without multi()',
      {
        client: { isOpen: true, sendCommand: async () => 'OK', getMasterNode: () => undefined },
        waitForReplicas: { count: 1, timeoutMs: 10 },
      },
      "needs the client's multi(); got an object with sendCommand(), isOpen boolean.",
    ],
    [
      'waitForReplicas with a node-redis pool without multi()',
      { client: { isOpen: true, sendCommand: async () => 'OK', totalClients: 2 }, waitForReplicas: { count: 1, timeoutMs: 10 } },
      "needs the client's multi()",
    ],
  ])('refuses %s', (_name, options, option) => {
    expect(() => new RedisReplayStore(options as never)).toThrow(TypeError);
    expect(() => new RedisReplayStore(options as never)).toThrow(option);
    expect(() => new RedisReplayStore(options as never)).not.toThrow('hunter2');
  });

  test.each([1, 1000, 60_000, undefined])('accepts a cooldown of %p ms (undefined: the default)', (slotsRefreshCooldownMs) => {
    expect(new RedisReplayStore({ client: fakeIo, slotsRefreshCooldownMs })).toBeInstanceOf(RedisReplayStore);
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
    ['null', null, 'got null.'],
    ['the factory instead of the client it makes', () => ({}), 'got a function.'],
    [
      'set() without call()',
      { set: async () => 'OK', multi: () => undefined, pipeline: () => undefined },
      'got an object with set(), multi(), pipeline().',
    ],
    ['call() without set()', { call: async () => 'OK' }, 'got an object with call().'],
    [
      'sendCommand() with an isOpen that is not a boolean',
      { sendCommand: async () => 'OK', isOpen: 'yes' },
      'got an object with sendCommand(), isOpen string.',
    ],
    // set() and call() but an isOpen: neither client's shape (node-redis has isOpen, ioredis has not).
    [
      'set() and call() beside isOpen, without sendCommand()',
      { set: async () => 'OK', call: async () => 'OK', isOpen: true },
      'got an object with set(), call(), isOpen boolean.',
    ],
    ['an object without a prototype', Object.create(null), 'got an object with none of set(), call(), sendCommand().'],
    [
      'an instance of an anonymous class',
      new (class {
        get() {}
      })(),
      'got an object with none of set(), call(), sendCommand().',
    ],
    [
      'parsed JSON with a "constructor" member',
      JSON.parse('{"constructor":{"name":7}}'),
      'got an object with none of set(), call(), sendCommand().',
    ],
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

describe('RedisReplayStore consume: what it sends and how it reads the replies', () => {
  /** A node-redis client that records each command and answers SET with `set` and WAIT with `wait`. */
  function client(set: unknown = 'OK', wait: unknown = 0) {
    const sent: string[][] = [];
    const sendCommand = async (args: string[]) => {
      sent.push(args);
      return args[0] === 'WAIT' ? wait : set;
    };
    return { sent, client: { isOpen: true, sendCommand } };
  }

  const badId = 'RedisReplayStore: id must be a non-empty string.';
  const badTtl = 'RedisReplayStore: ttlSeconds must be a positive number.';
  test.each<[string, unknown, unknown, string]>([
    ['an empty id', '', 60, badId],
    ['an id that is not a string', 42, 60, badId],
    ['a ttl of 0', 'id', 0, badTtl],
    ['a negative ttl', 'id', -1, badTtl],
    ['a NaN ttl', 'id', NaN, badTtl],
    ['an infinite ttl', 'id', Infinity, badTtl],
    ['a ttl in a string', 'id', '60', badTtl],
  ])('refuses %s before asking Redis', async (_name, id, ttl, message) => {
    const { sent, client: c } = client();
    const consumed = new RedisReplayStore({ client: c }).consume(id as string, ttl as number);
    await expect(consumed).rejects.toThrow(TypeError);
    await expect(consumed).rejects.toThrow(message);
    expect(sent).toEqual([]);
  });

  test.each<[string, unknown]>([
    ['an empty id', ''],
    ['an id that is not a string', 42],
  ])('has() refuses %s before asking Redis', async (_name, id) => {
    const { sent, client: c } = client();
    const asked = new RedisReplayStore({ client: c }).has(id as string);
    await expect(asked).rejects.toThrow(TypeError);
    await expect(asked).rejects.toThrow(badId);
    expect(sent).toEqual([]);
  });

  test('control: an id and a positive ttl are recorded', async () => {
    const { sent, client: c } = client();
    await expect(new RedisReplayStore({ client: c }).consume('id', 60)).resolves.toBe(true);
    expect(sent).toEqual([['SET', 'jwtsso:jti:id', '1', 'PX', '60000', 'NX']]);
  });

  // The key must outlive the token's window: a fraction of a millisecond is rounded up, never down.
  test.each<[number, string]>([
    [1.0005, '1001'],
    [0.0001, '1'],
    [59.9999, '60000'],
  ])('a ttl of %p s is kept for %s ms', async (ttl, px) => {
    const { sent, client: c } = client();
    await new RedisReplayStore({ client: c }).consume('id', ttl);
    expect(sent[0]![4]).toBe(px);
  });

  test('an answered consume leaves no timer behind', async () => {
    jest.useFakeTimers();
    try {
      const { client: c } = client();
      await expect(new RedisReplayStore({ client: c }).consume('id', 60)).resolves.toBe(true);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  // With waitForReplicas: a replay is a replay whatever the replicas say; a first use counts
  // only once at least `count` replicas acknowledged it.
  test.each<[string, unknown, unknown, boolean | RegExp]>([
    ['a replay, no replica', null, 0, false],
    ['a first use, as many replicas as asked', 'OK', 2, true],
    ['a first use, more replicas than asked', 'OK', 3, true],
    [
      'a first use, one replica too few: refused, and the message says why',
      'OK',
      1,
      /^RedisReplayStore: 1 of 2 replicas acknowledged the write within 10 ms, so the id is not safe from a failover and the login is refused\.$/,
    ],
    ['a first use, none', 'OK', 0, /0 of 2 replicas/],
    ['a first use, WAIT answered a string', 'OK', '2', /unexpected reply to WAIT \(string\)/],
    ['SET answered a number', 1, 2, /unexpected reply to SET NX \(number\)/],
  ])('waiting for 2 replicas: %s', async (_name, set, wait, expected) => {
    const { sent, client: c } = client(set, wait);
    const consumed = new RedisReplayStore({ client: c, waitForReplicas: { count: 2, timeoutMs: 10 } }).consume('id', 60);
    if (typeof expected === 'boolean') await expect(consumed).resolves.toBe(expected);
    else await expect(consumed).rejects.toThrow(expected);
    expect(sent).toEqual([
      ['SET', 'jwtsso:jti:id', '1', 'PX', '60000', 'NX'],
      ['WAIT', '2', '10'],
    ]);
  });
});

// has() decides whether a replay is another tab's leftover: only Redis's two answers to EXISTS of
// one key (0, 1) are read as one; anything else is a fault, never a quiet "not found". And it asks
// a master: a replica may not yet hold the key its master just wrote.
describe('RedisReplayStore has: EXISTS of the prefixed key, on a master, read only as 0 or 1', () => {
  test.each<[string, unknown, boolean | RegExp]>([
    ['0: not recorded (control)', 0, false],
    ['1: recorded (control)', 1, true],
    ['2 (EXISTS of one key never counts two)', 2, /^RedisReplayStore: unexpected reply to EXISTS \(number\)\.$/],
    ['a string', '1', /unexpected reply to EXISTS \(string\)/],
    ['null', null, /unexpected reply to EXISTS \(object\)/],
    ['OK', 'OK', /unexpected reply to EXISTS \(string\)/],
  ])('EXISTS answered %s', async (_name, reply, expected) => {
    const sent: unknown[][] = [];
    const sendCommand = async (args: string[]) => (sent.push(args), reply);
    const asked = new RedisReplayStore({ client: { isOpen: true, sendCommand } as never }).has('id');
    if (typeof expected === 'boolean') await expect(asked).resolves.toBe(expected);
    else await expect(asked).rejects.toThrow(expected);
    expect(sent).toEqual([['EXISTS', 'jwtsso:jti:id']]);
  });

  test.each<[string, (calls: unknown[][]) => object, unknown[][]]>([
    [
      'a node-redis cluster: routed by the key, not read-only (a master)',
      (calls) => ({ isOpen: true, getSlotMaster: () => undefined, sendCommand: async (...a: unknown[]) => (calls.push(a), 1) }),
      [['p:id', false, ['EXISTS', 'p:id']]],
    ],
    [
      'a node-redis Sentinel client: not read-only (its master)',
      (calls) => ({
        isOpen: true,
        getMasterNode: () => undefined,
        multi: () => undefined,
        sendCommand: async (...a: unknown[]) => (calls.push(a), 1),
      }),
      [[false, ['EXISTS', 'p:id']]],
    ],
    [
      'a node-redis client',
      (calls) => ({ isOpen: true, sendCommand: async (...a: unknown[]) => (calls.push(a), 1) }),
      [[['EXISTS', 'p:id']]],
    ],
    [
      'an ioredis client: call()',
      (calls) => ({ set: async () => 'OK', call: async (...a: unknown[]) => (calls.push(a), 1) }),
      [['EXISTS', 'p:id']],
    ],
  ])('%s', async (_name, make, expected) => {
    const calls: unknown[][] = [];
    await expect(new RedisReplayStore({ client: make(calls) as never, prefix: 'p:' }).has('id')).resolves.toBe(true);
    expect(calls).toEqual(expected);
  });
});

// WAIT counts the replicas that hold the writes made on its own connection: SET and WAIT must go
// on one connection, in each client's own form, or WAIT answers for nothing. These are the forms,
// on each client's shape; the real clients are in the suites above and in cluster/sentinel.test.ts.
describe("RedisReplayStore sends SET and WAIT on one connection, in each client kind's form", () => {
  const SET = ['SET', 'p:id', '1', 'PX', '60000', 'NX'];
  const WAIT = ['WAIT', '1', '10'];
  const waitForReplicas = { count: 1, timeoutMs: 10 };
  const refuse = () => Promise.reject(new Error('not this way'));
  /** A node-redis multi() that records its commands and answers `replies`. */
  function recordingMulti(calls: unknown[][], replies: unknown[]) {
    return () => ({
      addCommand: (...args: unknown[]) => void calls.push(['addCommand', ...args]),
      execAsPipeline: async () => replies,
    });
  }
  /** A node-redis sendCommand that records its arguments and answers SET with OK and WAIT with 1. */
  const recordingSend =
    (calls: unknown[][]) =>
    async (...args: unknown[]) => {
      calls.push(['sendCommand', ...args]);
      return JSON.stringify(args).includes('"WAIT"') ? 1 : 'OK';
    };

  test.each<[string, (calls: unknown[][]) => unknown, unknown[][]]>([
    [
      "node-redis cluster: both routed by the key, to its master's one connection, in one tick",
      (calls) => ({ isOpen: true, getSlotMaster: () => undefined, sendCommand: recordingSend(calls) }),
      [
        ['sendCommand', 'p:id', false, SET],
        ['sendCommand', 'p:id', false, WAIT],
      ],
    ],
    [
      'node-redis Sentinel: one pipeline, isReadonly false first',
      (calls) => ({ isOpen: true, getMasterNode: () => undefined, sendCommand: refuse, multi: recordingMulti(calls, ['OK', 1]) }),
      [
        ['addCommand', false, SET],
        ['addCommand', false, WAIT],
      ],
    ],
    [
      'node-redis client pool: one pipeline on one lent connection',
      (calls) => ({ isOpen: true, totalClients: 2, sendCommand: refuse, multi: recordingMulti(calls, ['OK', 1]) }),
      [
        ['addCommand', SET],
        ['addCommand', WAIT],
      ],
    ],
    [
      'node-redis single client (one connection, no multi() needed)',
      (calls) => ({ isOpen: true, sendCommand: recordingSend(calls) }),
      [
        ['sendCommand', SET],
        ['sendCommand', WAIT],
      ],
    ],
    [
      'ioredis: one pipeline',
      (calls) => ({
        set: refuse,
        call: refuse,
        pipeline: () => ({
          set: (...args: unknown[]) => void calls.push(['set', ...args]),
          call: (...args: unknown[]) => void calls.push(['call', ...args]),
          exec: async () => [
            [null, 'OK'],
            [null, 1],
          ],
        }),
      }),
      [
        ['set', 'p:id', '1', 'PX', 60_000, 'NX'],
        ['call', 'WAIT', 1, 10],
      ],
    ],
  ])('%s', async (_name, make, expected) => {
    const calls: unknown[][] = [];
    const store = new RedisReplayStore({ client: make(calls) as never, prefix: 'p:', waitForReplicas });
    await expect(store.consume('id', 60)).resolves.toBe(true);
    expect(calls).toEqual(expected);
  });

  // ioredis has a sendCommand() too: what tells it from node-redis is that it has no isOpen.
  test('an ioredis client, which has sendCommand() as well, is driven through set()', async () => {
    const set = jest.fn(async () => 'OK');
    const client = { set, call: refuse, sendCommand: refuse };
    await expect(new RedisReplayStore({ client: client as never, prefix: 'p:' }).consume('id', 60)).resolves.toBe(true);
    expect(set).toHaveBeenCalledWith('p:id', '1', 'PX', 60_000, 'NX');
  });

  // An error Redis answered inside the pipeline (a replica promoted away, READONLY) is the error
  // the login fails with: never read as a replay, never as an "unexpected reply".
  const readonly = () => new Error("READONLY You can't write against a read only replica.");
  // An ioredis client whose pipeline of SET and WAIT gives `results` (exec()'s [error, reply] pairs, or null).
  const ioredisPipelineGiving = (results: [Error | null, unknown][] | null) => ({
    set: refuse,
    call: refuse,
    pipeline: () => ({ set: () => undefined, call: () => undefined, exec: async () => results }),
  });
  test.each<[string, unknown, RegExp]>([
    [
      'node-redis Sentinel, SET answered READONLY',
      { isOpen: true, getMasterNode: () => undefined, sendCommand: refuse, multi: recordingMulti([], [readonly(), 0]) },
      /^READONLY/,
    ],
    [
      'node-redis pool, SET answered READONLY',
      { isOpen: true, totalClients: 2, sendCommand: refuse, multi: recordingMulti([], [readonly(), 0]) },
      /^READONLY/,
    ],
    [
      'ioredis, SET answered READONLY',
      ioredisPipelineGiving([
        [readonly(), null],
        [null, 0],
      ]),
      /^READONLY/,
    ],
    [
      'ioredis, WAIT answered an error',
      ioredisPipelineGiving([
        [null, 'OK'],
        [new Error('ERR WAIT cannot be used with replica instances'), null],
      ]),
      /^ERR WAIT cannot/,
    ],
    ['ioredis, a pipeline that did not run (exec() gave null)', ioredisPipelineGiving(null), /the pipeline of SET and WAIT did not run/],
    ['ioredis, a pipeline that ran only the SET', ioredisPipelineGiving([[null, 'OK']]), /the pipeline of SET and WAIT did not run/],
  ])('%s: the consume rejects with that error', async (_name, client, message) => {
    const store = new RedisReplayStore({ client: client as never, waitForReplicas });
    await expect(store.consume('id', 60)).rejects.toThrow(message);
  });
});

// node-redis's createCluster() learns a failover only from MOVED/ASK, which a dead master never
// sends: after a failure the store asks it (through `_slots.rediscover`) to re-read the slot map.
// The real cluster test is spec/replay/cluster.test.ts; these are the rules, on a cluster's shape.
describe('RedisReplayStore on a node-redis cluster: the slot map re-read after a failure', () => {
  const dead = { isReady: false, name: 'dead' };
  const live = { isReady: true, name: 'live' };
  function fakeCluster(send: () => Promise<unknown>, slots: unknown = undefined) {
    const asked: unknown[] = [];
    const _slots = slots ?? {
      masters: [{ client: dead }, { client: live }, { client: undefined }],
      rediscover: async (startWith: unknown) => {
        asked.push(startWith);
      },
    };
    return { asked, client: { isOpen: true, getSlotMaster: () => undefined, sendCommand: send, _slots } };
  }
  const fail = () => Promise.reject(new Error('Socket closed unexpectedly'));
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  test('a failure is still a rejection, and a live master is asked; again only once the cooldown has passed', async () => {
    const { asked, client } = fakeCluster(fail);
    const store = new RedisReplayStore({ client: client as never, slotsRefreshCooldownMs: 1000 });
    await expect(store.consume('a', 60)).rejects.toThrow('Socket closed unexpectedly');
    expect(asked).toEqual([live]);
    jest.setSystemTime(1_000_999);
    await expect(store.consume('b', 60)).rejects.toThrow('Socket closed unexpectedly');
    expect(asked).toHaveLength(1);
    jest.setSystemTime(1_001_000);
    await expect(store.consume('c', 60)).rejects.toThrow('Socket closed unexpectedly');
    expect(asked).toEqual([live, live]);
  });

  test('the default cooldown is 1000 ms', async () => {
    const { asked, client } = fakeCluster(fail);
    const store = new RedisReplayStore({ client: client as never });
    for (const now of [1_000_000, 1_000_999, 1_001_000, 1_001_999, 1_002_000]) {
      jest.setSystemTime(now);
      await expect(store.consume('a', 60)).rejects.toThrow();
    }
    expect(asked).toHaveLength(3);
  });

  test('answered consumes, first use or replay, ask nothing', async () => {
    let reply: unknown = 'OK';
    const { asked, client } = fakeCluster(async () => reply);
    const store = new RedisReplayStore({ client: client as never });
    await expect(store.consume('a', 60)).resolves.toBe(true);
    reply = null;
    await expect(store.consume('a', 60)).resolves.toBe(false);
    expect(asked).toEqual([]);
  });

  test.each<[string, () => Promise<unknown>, string]>([
    ['a closed socket', fail, 'Socket closed unexpectedly'],
    ['an error reply (CLUSTERDOWN)', () => Promise.reject(new Error('CLUSTERDOWN The cluster is down')), 'CLUSTERDOWN'],
    ['no answer within timeoutMs', () => new Promise(() => undefined), 'did not answer within 500 ms'],
    ['an unexpected reply', async () => 1, 'unexpected reply'],
  ])('%s: rejected, and the slot map asked for', async (_name, send, message) => {
    const { asked, client } = fakeCluster(send);
    const store = new RedisReplayStore({ client: client as never });
    const consumed = expect(store.consume('a', 60)).rejects.toThrow(message);
    await jest.advanceTimersByTimeAsync(DEFAULT_REDIS_TIMEOUT_MS);
    await consumed;
    expect(asked).toEqual([live]);
  });

  test('while a master is ready, only ready masters are asked', async () => {
    const asked: unknown[] = [];
    const slots = { masters: [{ client: dead }, { client: live }, { client: dead }], rediscover: async (c: unknown) => void asked.push(c) };
    const { client } = fakeCluster(fail, slots);
    const store = new RedisReplayStore({ client: client as never, slotsRefreshCooldownMs: 1 });
    for (let i = 0; i < 40; i++) {
      jest.setSystemTime(1_000_000 + i);
      await expect(store.consume('a', 60)).rejects.toThrow('Socket closed unexpectedly');
    }
    expect(asked).toEqual(Array.from({ length: 40 }, () => live));
  });

  test('with no ready master, any master client is asked (node-redis then falls back to its root nodes)', async () => {
    const asked: unknown[] = [];
    const slots = { masters: [{}, { client: dead }], rediscover: async (c: unknown) => void asked.push(c) };
    const { client } = fakeCluster(fail, slots);
    await expect(new RedisReplayStore({ client: client as never }).consume('a', 60)).rejects.toThrow('Socket closed');
    expect(asked).toEqual([dead]);
  });

  test('a proxy of the cluster (withCommandOptions) reaches the same slot map through _self', async () => {
    const { asked, client } = fakeCluster(fail);
    const proxy = { isOpen: true, getSlotMaster: () => undefined, sendCommand: fail, _self: client };
    await expect(new RedisReplayStore({ client: proxy as never }).consume('a', 60)).rejects.toThrow('Socket closed');
    expect(asked).toEqual([live]);
  });

  // Internals it cannot use (node-redis v4 keeps them private) change nothing: still accepted, still fail closed.
  test.each<[string, unknown]>([
    ['no _slots (node-redis v4)', null],
    ['a rediscover that is not a function', { masters: [{ client: live }], rediscover: 'yes' }],
    ['masters that are not an array', { masters: { client: live }, rediscover: async () => undefined }],
    ['no master client at all', { masters: [{}, null], rediscover: () => Promise.reject(new Error('never called')) }],
    [
      'a rediscover that throws',
      {
        masters: [{ client: live }],
        rediscover: () => {
          throw new Error('sync');
        },
      },
    ],
    ['a rediscover that rejects', { masters: [{ client: live }], rediscover: () => Promise.reject(new Error('RootNodesUnavailable')) }],
  ])('%s: the failed consume still rejects with its own error, nothing else is thrown', async (_name, slots) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client } = fakeCluster(fail, slots === null ? { rediscover: undefined } : slots);
      await expect(new RedisReplayStore({ client: client as never }).consume('a', 60)).rejects.toThrow('Socket closed unexpectedly');
      jest.useRealTimers(); // an unhandled rejection is reported after a turn of the real event loop
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  // node-redis v4 keeps its slot map private: a cluster without `_slots`, or with a null one, is
  // still a cluster the store drives, failing closed as before.
  test.each<[string, Record<string, unknown>]>([
    ['no _slots', {}],
    ['a null _slots', { _slots: null }],
    ['a _slots that is a string', { _slots: 'slots' }],
  ])('%s: accepted, and a failed consume rejects with its own error', async (_name, extra) => {
    const client = { isOpen: true, getSlotMaster: () => undefined, sendCommand: fail, ...extra };
    await expect(new RedisReplayStore({ client: client as never }).consume('a', 60)).rejects.toThrow('Socket closed unexpectedly');
  });

  test('with no master client to start from, nothing is asked', async () => {
    const rediscover = jest.fn(async () => undefined);
    const { client } = fakeCluster(fail, { masters: [{}, null, { client: null }], rediscover });
    await expect(new RedisReplayStore({ client: client as never }).consume('a', 60)).rejects.toThrow('Socket closed unexpectedly');
    expect(rediscover).not.toHaveBeenCalled();
  });

  // A master node-redis still calls ready may be the one that just died: successive refreshes
  // start from any of the ready masters, not always from the same one.
  test('successive refreshes start from different ready masters', async () => {
    const others = [
      { isReady: true, name: 'live 2' },
      { isReady: true, name: 'live 3' },
    ];
    const asked: unknown[] = [];
    const slots = {
      masters: [{ client: live }, ...others.map((client) => ({ client }))],
      rediscover: async (c: unknown) => void asked.push(c),
    };
    const { client } = fakeCluster(fail, slots);
    const store = new RedisReplayStore({ client: client as never, slotsRefreshCooldownMs: 1 });
    for (let i = 0; i < 60; i++) {
      jest.setSystemTime(1_000_000 + i);
      await expect(store.consume('a', 60)).rejects.toThrow('Socket closed unexpectedly');
    }
    expect(asked).toHaveLength(60);
    // 60 draws from three: each is missed with a chance of (2/3)^60, about 3e-11.
    expect(new Set(asked)).toEqual(new Set([live, ...others]));
  });

  test('a single node-redis client and an ioredis client are never asked for a slot map', async () => {
    const rediscover = jest.fn(async () => undefined);
    const _slots = { masters: [{ client: live }], rediscover };
    const single = { isOpen: true, sendCommand: fail, _slots };
    const io = { set: fail, call: fail, _slots };
    for (const client of [single, io]) await expect(new RedisReplayStore({ client: client as never }).consume('a', 60)).rejects.toThrow();
    expect(rediscover).not.toHaveBeenCalled();
  });
});
