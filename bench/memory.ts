// Resident memory of the memory replay store after 1,000,000 distinct ids, at its default
// maxEntries, in a fresh process (run with --expose-gc). Prints one JSON line.
import { randomUUID } from 'node:crypto';
import { MemoryReplayStore } from '../lib';
import { DEFAULT_MAX_ENTRIES } from '../lib/replay/memory';
import { replayWindow } from '../lib/token';

const IDS = process.env.BENCH_QUICK === '1' ? 100_000 : 1_000_000;
const MS_PER_LOGIN = 1; // 1,000 sign-ins a second: about 71,000 ids live in the default window
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function main(): Promise<void> {
  let now = Date.UTC(2026, 0, 1);
  const store = new MemoryReplayStore({ clock: () => now });
  const ttl = replayWindow({ maxAge: 60, clockTolerance: 5 });
  gc();
  const before = process.memoryUsage();
  let refused = 0;
  for (let i = 0; i < IDS; i++) {
    now += MS_PER_LOGIN;
    // A jti arrives parsed from JSON, as a flat string; randomUUID() alone would be a rope of
    // concatenated pieces, about 10 times larger.
    const jti = JSON.parse(`"${randomUUID()}"`) as string;
    if (!(await store.consume(jti, ttl).catch(() => false))) refused++;
  }
  gc();
  const after = process.memoryUsage();
  if (refused > 0) throw new Error(`${refused} fresh ids refused`);
  console.log(
    JSON.stringify({
      ids: IDS,
      maxEntries: DEFAULT_MAX_ENTRIES,
      liveAtEnd: store.size,
      heapMB: Number(((after.heapUsed - before.heapUsed) / MB).toFixed(1)),
      bytesPerId: Math.round((after.heapUsed - before.heapUsed) / store.size),
      fullHeapMB: Number(((((after.heapUsed - before.heapUsed) / store.size) * DEFAULT_MAX_ENTRIES) / MB).toFixed(1)),
      rssMB: Number((after.rss / MB).toFixed(1)),
    }),
  );
}

void main();
