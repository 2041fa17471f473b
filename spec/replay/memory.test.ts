import { MemoryReplayStore } from '../../lib';
import { replayStoreContract, replayStoreHasContract } from './contract';

describe('MemoryReplayStore: the store contract', () => {
  let now = Date.UTC(2026, 0, 1);
  const harness = {
    make: () => new MemoryReplayStore({ clock: () => now }),
    advance: async (ms: number) => {
      now += ms;
    },
  };
  replayStoreContract(harness);
  replayStoreHasContract(harness);
});

describe('MemoryReplayStore', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  test('never grows past maxEntries and rejects, rather than forgets, when full of live ids', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3, clock });
    for (const id of ['a', 'b', 'c']) await expect(store.consume(id, 60)).resolves.toBe(true);
    await expect(store.consume('d', 60)).rejects.toThrow(/full/);
    expect(store.size).toBe(3);
    // The live ids are still refused: nothing was evicted to make room.
    await expect(store.consume('a', 60)).resolves.toBe(false);
  });

  test('reclaims expired ids to make room', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3, clock });
    await store.consume('short', 1);
    await store.consume('b', 60);
    await store.consume('c', 60);
    now += 1001;
    await expect(store.consume('d', 60)).resolves.toBe(true);
    expect(store.size).toBe(3);
  });

  test('finds an expired id behind live ones when full (mixed ttls)', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3, clock });
    await store.consume('long', 60);
    await store.consume('short', 1);
    await store.consume('c', 60);
    now += 1001;
    await expect(store.consume('d', 60)).resolves.toBe(true);
    await expect(store.consume('long', 60)).resolves.toBe(false);
  });

  test('sweeps expired ids as it goes, so memory stays at the live set', async () => {
    const store = new MemoryReplayStore({ clock });
    for (let i = 0; i < 1000; i++) {
      await store.consume(`id-${i}`, 1);
      now += 10; // 100 live ids at any time
    }
    expect(store.size).toBeLessThan(150);
  });

  test.each([0, -1, 1.5, NaN, Infinity, '10'])('refuses maxEntries %p', (maxEntries) => {
    expect(() => new MemoryReplayStore({ maxEntries: maxEntries as number })).toThrow('"maxEntries"');
  });

  test.each<[string, unknown, unknown]>([
    ['an empty id', '', 60],
    ['a non-string id', 42, 60],
    ['a zero ttl', 'x', 0],
    ['a negative ttl', 'x', -1],
    ['a NaN ttl', 'x', NaN],
  ])('rejects %s', async (_name, id, ttl) => {
    await expect(new MemoryReplayStore({ clock }).consume(id as string, ttl as number)).rejects.toThrow(TypeError);
  });
});

test('the default clock follows fake timers installed after construction', async () => {
  const store = new MemoryReplayStore();
  jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
  try {
    await expect(store.consume('x', 1)).resolves.toBe(true);
    jest.setSystemTime(Date.UTC(2030, 0, 1, 0, 0, 2));
    await expect(store.consume('x', 1)).resolves.toBe(true);
  } finally {
    jest.useRealTimers();
  }
});

describe('MemoryReplayStore rules at their edges', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 5_000_000;
  });

  test('an id is refused until the very millisecond its ttl ends', async () => {
    const store = new MemoryReplayStore({ clock });
    await store.consume('x', 2);
    now += 1999;
    await expect(store.consume('x', 2)).resolves.toBe(false);
    now += 1;
    await expect(store.consume('x', 2)).resolves.toBe(true);
  });

  test('maxEntries 1 is allowed: one live id, the next one rejected', async () => {
    const store = new MemoryReplayStore({ maxEntries: 1, clock });
    await expect(store.consume('a', 60)).resolves.toBe(true);
    await expect(store.consume('b', 60)).rejects.toThrow(/MemoryReplayStore is full: 1 token ids are still live\. Raise "maxEntries"/);
    expect(store.size).toBe(1);
  });

  test('size counts the ids held, and an id used twice once', async () => {
    const store = new MemoryReplayStore({ clock });
    expect(store.size).toBe(0);
    await store.consume('a', 60);
    await store.consume('a', 60);
    await store.consume('b', 60);
    expect(store.size).toBe(2);
  });

  // The expiry heap must hand back exactly the expired ids, in any order of ttls: after each
  // step the store holds exactly the ids still live (plus the long-lived probes).
  test('expired ids are removed exactly when they expire, whatever the order of their ttls', async () => {
    const store = new MemoryReplayStore({ clock });
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const expiries: number[] = [];
    for (let i = 0; i < 300; i++) {
      const ttl = 1 + Math.floor(random() * 60);
      expiries.push(now + ttl * 1000);
      await store.consume(`id-${i}`, ttl);
    }
    for (let step = 1; step <= 62; step++) {
      now += 1000;
      await store.consume(`probe-${step}`, 10_000);
      expect(store.size).toBe(expiries.filter((e) => e > now).length + step);
    }
  });

  test.each<[string, unknown, unknown, RegExp]>([
    ['an Infinity ttl', 'x', Infinity, /ttlSeconds must be a positive number/],
    ['a string ttl', 'x', '60', /ttlSeconds must be a positive number/],
    ['an empty id', '', 60, /id must be a non-empty string/],
    ['a non-string id', 7, 60, /id must be a non-empty string/],
  ])('rejects %s, saying what is wrong', async (_name, id, ttl, message) => {
    const store = new MemoryReplayStore({ clock });
    await expect(store.consume(id as string, ttl as number)).rejects.toThrow(message);
    expect(store.size).toBe(0);
  });

  test('a tiny positive ttl is accepted', async () => {
    const store = new MemoryReplayStore({ clock });
    await expect(store.consume('x', 0.001)).resolves.toBe(true);
    await expect(store.consume('x', 0.001)).resolves.toBe(false);
  });

  test('option errors name the option and the value', () => {
    expect(() => new MemoryReplayStore({ maxEntries: 0 })).toThrow(/"maxEntries" must be a positive integer, got 0\./);
    expect(() => new MemoryReplayStore({ clock: 5 as never })).toThrow(TypeError);
    expect(() => new MemoryReplayStore({ clock: 5 as never })).toThrow(/"clock" must be a function/);
    expect(new MemoryReplayStore({ maxEntries: 1 }).size).toBe(0);
  });
});
