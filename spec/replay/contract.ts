import type { ReplayStore } from '../../lib';

export interface ContractHarness {
  /** A fresh store with nothing recorded. */
  make(): ReplayStore | Promise<ReplayStore>;
  /** Lets `ms` milliseconds pass for the store: a fake clock, or real time for an external store. */
  advance(ms: number): Promise<void>;
}

let counter = 0;
const uniqueId = () => `contract-${process.pid}-${Date.now()}-${++counter}`;

/** The behaviour every ReplayStore must have. Call inside a describe block. */
export function replayStoreContract(harness: ContractHarness): void {
  test('the first use of an id is true, the second false', async () => {
    const store = await harness.make();
    const id = uniqueId();
    await expect(store.consume(id, 60)).resolves.toBe(true);
    await expect(store.consume(id, 60)).resolves.toBe(false);
    await expect(store.consume(id, 60)).resolves.toBe(false);
  });

  test('different ids do not interfere', async () => {
    const store = await harness.make();
    const a = uniqueId();
    const b = uniqueId();
    await expect(store.consume(a, 60)).resolves.toBe(true);
    await expect(store.consume(b, 60)).resolves.toBe(true);
    await expect(store.consume(a, 60)).resolves.toBe(false);
  });

  test('an id is refused for its whole ttl and accepted again after it', async () => {
    const store = await harness.make();
    const id = uniqueId();
    await expect(store.consume(id, 1)).resolves.toBe(true);
    await harness.advance(500);
    await expect(store.consume(id, 1)).resolves.toBe(false);
    await harness.advance(700);
    await expect(store.consume(id, 1)).resolves.toBe(true);
  });

  test('of 50 concurrent uses of one id exactly one is true', async () => {
    const store = await harness.make();
    const id = uniqueId();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.consume(id, 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('ids that look alike stay distinct (no normalisation, no injection)', async () => {
    const store = await harness.make();
    const id = uniqueId();
    const variants = [id, id.toUpperCase(), `${id} `, `${id}\n`, `${id}*`, `${id}:x`, `${id}\u0000`];
    const results = await Promise.all(variants.map((v) => store.consume(v, 60)));
    expect(results).toEqual(variants.map(() => true));
  });
}

/** The behaviour of the optional, read-only `has`, for a store that has it. Call inside a describe block. */
export function replayStoreHasContract(harness: ContractHarness): void {
  const withHas = async (): Promise<Required<ReplayStore>> => {
    const store = await harness.make();
    if (typeof store.has !== 'function') throw new Error('this store has no has(): do not run its has() contract');
    return store as Required<ReplayStore>;
  };

  test('has: false for an id never recorded, and asking records nothing (its first use is still true)', async () => {
    const store = await withHas();
    const id = uniqueId();
    await expect(store.has(id)).resolves.toBe(false);
    await expect(store.has(id)).resolves.toBe(false);
    await expect(store.consume(id, 60)).resolves.toBe(true);
  });

  test('has: true for a recorded id for its whole ttl, false after it', async () => {
    const store = await withHas();
    const id = uniqueId();
    await store.consume(id, 1);
    await expect(store.has(id)).resolves.toBe(true);
    await harness.advance(500);
    await expect(store.has(id)).resolves.toBe(true);
    await harness.advance(700);
    await expect(store.has(id)).resolves.toBe(false);
  });

  test('has: ids that look alike stay distinct', async () => {
    const store = await withHas();
    const id = uniqueId();
    await store.consume(id, 60);
    const variants = [id.toUpperCase(), `${id} `, `${id}\n`, `${id}*`, `${id}:x`, `${id}\u0000`, id.slice(0, -1)];
    await expect(Promise.all(variants.map((v) => store.has(v)))).resolves.toEqual(variants.map(() => false));
    await expect(store.has(id)).resolves.toBe(true);
  });
}
