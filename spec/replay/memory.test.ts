import { MemoryReplayStore } from '../../lib';
import { replayStoreContract } from './contract';

describe('MemoryReplayStore: the store contract', () => {
  let now = Date.UTC(2026, 0, 1);
  replayStoreContract({
    make: () => new MemoryReplayStore({ clock: () => now }),
    advance: async (ms) => {
      now += ms;
    },
  });
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
