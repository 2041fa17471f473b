// What every fuzzed request is checked for besides its own answer: the process (no unhandled
// rejection, no uncaught exception), the event loop (never blocked longer than LOOP_BOUND_MS),
// and the figures the suite writes to test-output/fuzz-figures.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { runInThisContext } from 'node:vm';

// Jest gives a test file a copy of `process`: listeners added to it never hear of a rejection.
// The process itself is the main context's; Jest's own listeners on it (which would fail
// whichever test is running, with no input to show) are set aside while a surface is fuzzed.
const realProcess = runInThisContext('process') as NodeJS.Process;
type Listener = (...args: unknown[]) => void;

/**
 * Longest the event loop may be blocked by code while one fuzzed input is handled (client and
 * server share this process's loop), garbage collection during the input not counted (it is
 * measured apart: a full collection of the suite's heap takes 100 to 300 ms on the loaded 2-core
 * machine, which says nothing of the input). A request costs a few milliseconds here, but with
 * the machine's other work (a load of 10 on 2 cores) one input was seen to hold the loop 150 ms
 * by waiting for a core; 350 ms is above that, and below what a quadratic parse of a 16 KiB
 * header costs (400 to 1,100 ms for one run of 13,000 spaces in a cookie name; 2,154 ms seen).
 * The exact bound on each parser's cost is spec/linear-time.test.ts's, in CPU time.
 */
export const LOOP_BOUND_MS = 350;
// The histogram's sampling interval: delays shorter than this are not seen, which the bound allows for.
const LOOP_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

/** Listens for process faults and samples the loop while a surface is fuzzed. */
export class Watch {
  readonly faults: string[] = [];
  #loop: IntervalHistogram | undefined;
  #setAside: Array<[string, Listener[]]> = [];
  #gc: PerformanceObserver | undefined;
  #gcMs = 0;
  readonly #onRejection = (reason: unknown): void => {
    this.faults.push(`unhandledRejection: ${describe(reason)}`);
  };
  readonly #onException = (err: unknown): void => {
    this.faults.push(`uncaughtException: ${describe(err)}`);
  };

  start(): void {
    this.#setAside = (['unhandledRejection', 'uncaughtException'] as const).map((event) => {
      const listeners = realProcess.listeners(event as 'exit') as Listener[];
      realProcess.removeAllListeners(event);
      return [event, listeners];
    });
    realProcess.on('unhandledRejection', this.#onRejection);
    realProcess.on('uncaughtException', this.#onException);
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    this.#gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#gcMs += entry.duration;
    });
    this.#gc.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    realProcess.off('unhandledRejection', this.#onRejection);
    realProcess.off('uncaughtException', this.#onException);
    for (const [event, listeners] of this.#setAside) for (const l of listeners) realProcess.on(event as 'exit', l);
    this.#setAside = [];
    this.#loop?.disable();
    this.#gc?.disconnect();
  }

  /** Starts a new measurement of the loop and of the faults, for one input. */
  reset(): void {
    this.#loop?.reset();
    this.#gcMs = 0;
    this.faults.length = 0;
  }

  /** Lets the rejections and the collector's reports of the last input arrive. */
  async settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Milliseconds spent collecting garbage since `reset`. */
  gcMs(): number {
    return this.#gcMs;
  }

  /** The longest the loop was blocked since `reset`, in milliseconds. */
  worstDelayMs(): number {
    const max = this.#loop?.max ?? 0;
    // An empty histogram reports a huge max; no sample means no delay measured.
    return this.#loop === undefined || this.#loop.count === 0 ? 0 : Math.max(0, max / NS_PER_MS - LOOP_RESOLUTION_MS);
  }
}

function describe(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}

/** One surface's figures: inputs tried per property, the failures and the worst loop delay. */
export interface SurfaceFigures {
  inputs: Record<string, number>;
  failures: Array<{ property: string; seed: number; counterexample: string; error: string }>;
  /** The longest the loop was blocked by one input, its garbage collection not counted. */
  worstLoopDelayMs: number;
  /** The most garbage collection during one input (ms), apart from the delay. */
  worstGcMs: number;
  /** Requests the server closed without an answer (a header over Node's 16 KiB limit, say): not a fault. */
  closedWithoutAnswer: number;
  /** Framework 404 pages (a URL no route of the strategy's serves) that repeated a token of the URL: not the strategy's answer. */
  notFoundEchoes: number;
  /** The longest Location header the app sent, in characters. */
  longestLocationBytes: number;
  seconds: number;
}

export class Figures {
  readonly surfaces: Record<string, SurfaceFigures> = {};
  readonly #started = Date.now();

  constructor(readonly meta: Record<string, unknown>) {}

  of(surface: string): SurfaceFigures {
    this.surfaces[surface] ??= {
      inputs: {},
      failures: [],
      worstLoopDelayMs: 0,
      worstGcMs: 0,
      closedWithoutAnswer: 0,
      notFoundEchoes: 0,
      longestLocationBytes: 0,
      seconds: 0,
    };
    return this.surfaces[surface];
  }

  write(): string {
    const all = Object.values(this.surfaces);
    const totals = {
      surfaces: all.length,
      inputs: all.reduce((n, s) => n + Object.values(s.inputs).reduce((a, b) => a + b, 0), 0),
      failures: all.reduce((n, s) => n + s.failures.length, 0),
      worstLoopDelayMs: Math.max(0, ...all.map((s) => s.worstLoopDelayMs)),
      seconds: (Date.now() - this.#started) / 1000,
    };
    const dir = join(__dirname, '..', '..', 'test-output');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'fuzz-figures.json');
    writeFileSync(file, `${JSON.stringify({ ...this.meta, totals, surfaces: this.surfaces }, null, 2)}\n`);
    return file;
  }
}
