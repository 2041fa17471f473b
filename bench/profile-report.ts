// Aggregates bench/profile.ts's recordings: µs of server CPU per login trip by module (self
// time, charged to the innermost frame that names one) and by operation (total time: every
// sample with that frame anywhere in its stack), per variant.
//
//   npx ts-node --transpile-only bench/profile-report.ts [/tmp/jwtsso-prof] [--ops] [--files]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '/tmp/jwtsso-prof';
const SHOW_FILES = process.argv.includes('--files');
const SHOW_FUNCS = process.argv.includes('--funcs');

interface Frame {
  sym: string;
  dso: string;
}
interface Sample {
  main: boolean;
  period: number; // ns
  frames: Frame[]; // leaf first
}

// V8 appends to the perf map as it compiles and never takes a line back, so an address reused
// by later code (the startup's TypeScript compiler, freed, then the apps' code) has several
// names. A window's samples are named by the map as it stood when the window ended, the latest
// name of each address winning.
function mapAsOf(pid: number, bytes: number): void {
  const lines = readFileSync(join(DIR, 'perf.map')).subarray(0, bytes).toString('utf8').split('\n').filter(Boolean);
  const kept: { start: number; end: number; line: string }[] = []; // sorted by start
  for (let i = lines.length - 1; i >= 0; i--) {
    const [a, b] = lines[i]!.split(' ');
    const start = parseInt(a!, 16);
    const end = start + parseInt(b!, 16);
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid]!.start < start) lo = mid + 1;
      else hi = mid;
    }
    const before = kept[lo - 1];
    const after = kept[lo];
    if ((before !== undefined && before.end > start) || (after !== undefined && after.start < end)) continue;
    kept.splice(lo, 0, { start, end, line: lines[i]! });
  }
  writeFileSync(`/tmp/perf-${pid}.map`, kept.map((k) => k.line).join('\n') + '\n');
}

function parse(file: string, pid: number, mapBytes: number): Sample[] {
  mapAsOf(pid, mapBytes);
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'tid,period,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const samples: Sample[] = [];
  let cur: Sample | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('\t')) {
      const m = /^\s*(\d+)\s+(\d+)/.exec(line);
      cur = { main: Number(m![1]) === pid, period: Number(m![2]), frames: [] };
      samples.push(cur);
      continue;
    }
    const m = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/.exec(line);
    if (m && cur) cur.frames.push({ sym: m[1]!.replace(/\+0x[0-9a-f]+$/, ''), dso: m[2]! });
  }
  return samples;
}

// The module of a JS frame, from its script path.
function jsModule(sym: string): { module: string; file: string; func: string } | undefined {
  const m = /^JS:[~*^+-]?(.*?) (\S+?):\d+(?::\d+)?$/.exec(sym);
  if (!m) return undefined;
  const [, func, file] = m as unknown as [string, string, string];
  let module: string;
  const nm = file.lastIndexOf('node_modules/');
  if (
    file.includes('/wt-perf/lib/') ||
    /\/lib\/[^/]+\.ts$/.test(file) ||
    file.includes('/lib/login-state/') ||
    file.includes('/lib/replay/') ||
    // another copy of lib/ (bench/apps.ts's BENCH_BEFORE_LIB) is this package too
    /\/lib\/(flow|frameworks|keys|options|presets|dev-provider)\//.test(file)
  ) {
    module = 'lib (this package)';
  } else if (nm !== -1) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    module = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  } else if (file.includes('/bench/')) module = 'bench app';
  else if (file.startsWith('node:internal/crypto') || file === 'node:crypto') module = 'node:crypto (JS)';
  else if (/^node:(_http|http|net|internal\/(http|streams|stream_base|net|js_stream|dtrace))/.test(file))
    module = 'node http/net/streams (JS)';
  else if (
    /^node:(events|internal\/(timers|process|async_hooks|event_target|util|errors|validators|url|querystring)|timers|url|querystring|buffer|internal\/buffer|string_decoder|util)/.test(
      file,
    )
  )
    module = 'node core other (JS)';
  else if (file.startsWith('node:')) module = `node core other (JS)`;
  else module = 'other JS';
  return { module, file, func };
}

const GC =
  /Heap::|Scavenger|MarkCompact|Sweeper|IncrementalMarking|ConcurrentMarking|MinorMC|GCTracer|MemoryAllocator|heap::|ScavengeJob|Evacuat|MarkingVisitor|MarkingBarrier|PagedSpace|NewSpace|SemiSpace|LargeObjectSpace|RememberedSet|SlotSet|WriteBarrier|Builtins_RecordWrite/;
const JSON_SYM = /Json(Parse|Stringif)|JsonParser|JsonStringifier|Builtins_Json/;
const CRYPTO =
  /libcrypto|^(sha256|sha512|SHA256|SHA512|HMAC|EVP_|CRYPTO_|RAND_|ossl_|OPENSSL_|BN_|aes|ChaCha|rand_|hmac_|sha1_|digest_|CRYPTO)|node::crypto::/;
const PARSER = /llhttp|node::(\(anonymous namespace\)::)?Parser|http_parser/;
const COMPILE = /Compiler::|Compile|Parser::|Scanner::|Turbofan|compiler::|Maglev|Baseline|Deoptimizer|Runtime_Deoptimize/;

export function selfCategory(s: Sample): string {
  if (!s.main) {
    // Other threads of the process: V8's GC helpers and compilers, libuv's pool.
    return s.frames.some((f) => GC.test(f.sym)) ? 'GC (helper threads)' : 'other threads (compiler, libuv pool)';
  }
  for (const f of s.frames) {
    if (f.dso.includes('kernel')) continue; // a syscall: charged below
    if (GC.test(f.sym)) return 'GC';
    if (JSON_SYM.test(f.sym)) return 'JSON';
    if (CRYPTO.test(f.sym) || f.dso.includes('libcrypto')) return 'node:crypto (native)';
    if (PARSER.test(f.sym)) return 'http parser (native)';
    if (/^uv_|^uv__/.test(f.sym)) return 'libuv + kernel (socket I/O)';
    if (COMPILE.test(f.sym) && !f.sym.startsWith('JS:')) return 'V8 compiler';
    const js = jsModule(f.sym);
    if (js) {
      if (js.module === 'node:crypto (JS)') return 'node:crypto (JS)';
      return js.module;
    }
  }
  if (s.frames.length > 0 && s.frames[0]!.dso.includes('kernel')) return 'libuv + kernel (socket I/O)';
  return 'node/V8 native, no JS caller';
}

// The package whose code asked for the work: the innermost frame of a package (this one, a
// dependency, the bench app), so that node:crypto, Buffer, JSON, regexps and the GC that an
// allocation triggered are charged to the caller. Node's own HTTP machinery has no such frame.
export function ownerOf(s: Sample): { owner: string; func: string } {
  if (!s.main) return { owner: selfCategory(s), func: '' };
  for (const f of s.frames) {
    const js = jsModule(f.sym);
    if (js && !js.file.startsWith('node:'))
      return { owner: js.module, func: `${js.func} ${js.file.replace(/^.*\/(node_modules|wt-perf)\//, '')}` };
  }
  const c = selfCategory(s);
  return {
    owner:
      c.startsWith('node') || c.startsWith('libuv') || c.startsWith('http') ? 'node core (no package caller)' : `${c} (no package caller)`,
    func: '',
  };
}

// Total time of named operations: every sample with a matching frame anywhere in its stack.
const OPS: [string, RegExp][] = [
  ['passport.initialize() middleware', /JS:\S?initialize \S*passport\/lib\/middleware\/initialize\.js/],
  ['passport authenticate middleware (session + jwtsso)', /passport\/lib\/middleware\/authenticate\.js/],
  ['  SessionStrategy.authenticate (passport.session())', /passport\/lib\/strategies\/session\.js/],
  ['  req.logIn (SessionManager.logIn)', /passport\/lib\/(sessionmanager|http\/request)\.js/],
  ['express-session (all)', /express-session\//],
  ['  session.regenerate / store.generate', /JS:\S?(regenerate|store\.generate|generate) \S*express-session/],
  ['  session save / MemoryStore.set', /JS:\S?(save|set|_save) \S*express-session\/(session\/(session|memory)\.js|index\.js)/],
  ['  MemoryStore.get (load)', /JS:\S?(get|getSession) \S*express-session\/session\/memory\.js/],
  ['  cookie-signature sign/unsign', /cookie-signature\//],
  ['  uid-safe (session ids)', /uid-safe\/|random-bytes\//],
  ['  cookie (parse/serialize)', /node_modules\/cookie\//],
  ['  on-headers (writeHead hook)', /on-headers\//],
  ['express / router', /node_modules\/(express|router)\//],
  ['lib (this package)', /\/wt-perf\/lib\//],
  ['  lib/strategy.ts', /\/lib\/strategy\.ts/],
  ['  lib/login.ts', /\/lib\/login\.ts/],
  ['  lib/login-state/', /\/lib\/login-state\//],
  ['  lib/token.ts', /\/lib\/token\.ts/],
  ['  lib/keys/', /\/lib\/keys\//],
  ['  lib/replay/', /\/lib\/replay\//],
  ['  lib/urls.ts', /\/lib\/urls\.ts/],
  ['  lib/adapter.ts + request-url.ts + events.ts', /\/lib\/(adapter|request-url|events)\.ts/],
  ['jwtsso 1.0.1 + jwt-simple', /node_modules\/(jwtsso|jwt-simple|xtend)\//],
  ['node:crypto (JS + native)', /node:internal\/crypto|node:crypto|libcrypto|node::crypto::/],
  ['JSON parse/stringify', /Json(Parse|Stringif)|JsonParser|JsonStringifier/],
  ['http parser + request parse (native)', /llhttp|node::\(anonymous namespace\)::Parser|parserOnHeadersComplete|parserOnIncoming/],
  ['response write (res.end/writeHead/_send)', /JS:\S?(end|writeHead|_writeRaw|_send|write_|_storeHeader) \S*node:_http_(outgoing|server)/],
  ['kernel (any)', /\[kernel/],
];

function opsOf(s: Sample): Set<string> {
  const hit = new Set<string>();
  const all = s.frames.map((f) => `${f.sym} ${f.dso.includes('kernel') ? '[kernel' : ''}`);
  for (const [name, re] of OPS) if (all.some((x) => re.test(x))) hit.add(name);
  return hit;
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

// Bytes allocated per trip (PROF_MODE=heap recordings), by owner (innermost package frame) and
// by the function that allocated.
function heapReport(summary: Record<string, { trips: number }[]>): void {
  const variants = Object.keys(summary);
  const owners: Record<string, Record<string, number>> = {};
  const funcs: Record<string, Record<string, number>> = {};
  for (const v of variants) {
    const trips = summary[v]!.reduce((a, b) => a + b.trips, 0);
    owners[v] = {};
    funcs[v] = {};
    for (const f of readdirSync(DIR).filter((x) => x.startsWith(`${v}.`) && x.endsWith('.heapprofile'))) {
      const root = (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { head: HeapNode }).head;
      const walk = (n: HeapNode, owner: { module: string; func: string }) => {
        const { url, functionName, lineNumber } = n.callFrame;
        const js = url === '' ? undefined : jsModule(`JS:${functionName} ${url.replace(/^file:\/\//, '')}:${lineNumber}`);
        const own =
          js !== undefined && !js.file.startsWith('node:')
            ? { module: js.module, func: `${js.func} ${js.file.replace(/^.*\/(node_modules|wt-perf)\//, '')}` }
            : owner;
        if (n.selfSize > 0) {
          const b = n.selfSize / trips;
          owners[v]![own.module] = (owners[v]![own.module] ?? 0) + b;
          const k = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|wt-perf)\//, '')}:${lineNumber} <- ${own.func}`;
          funcs[v]![k] = (funcs[v]![k] ?? 0) + b;
        }
        for (const c of n.children) walk(c, own);
      };
      walk(root, { module: 'node core (no package caller)', func: '' });
    }
  }
  const print = (title: string, table: Record<string, Record<string, number>>, limit: number) => {
    const keys = [...new Set(variants.flatMap((v) => Object.keys(table[v]!)))].sort(
      (a, b) => Math.max(...variants.map((v) => table[v]![b] ?? 0)) - Math.max(...variants.map((v) => table[v]![a] ?? 0)),
    );
    console.log(`\n${title} (bytes allocated per trip)`);
    console.log(`${''.padEnd(90)}${variants.map((v) => v.padStart(20)).join('')}`);
    for (const k of keys.slice(0, limit))
      console.log(`${k.slice(0, 89).padEnd(90)}${variants.map((v) => (table[v]![k] ?? 0).toFixed(0).padStart(20)).join('')}`);
    console.log(
      `${'total'.padEnd(90)}${variants
        .map((v) =>
          Object.values(table[v]!)
            .reduce((a, b) => a + b, 0)
            .toFixed(0)
            .padStart(20),
        )
        .join('')}`,
    );
  };
  print('allocation by owner', owners, 40);
  print('allocation by function <- owner', funcs, Number(process.env.TOP ?? 60));
}

function main(): void {
  const { pid, summary } = JSON.parse(readFileSync(join(DIR, 'summary.json'), 'utf8')) as {
    pid: number;
    summary: Record<string, { trips: number; cpuMicros: number; mapBytes: number }[]>;
  };
  if (readdirSync(DIR).some((f) => f.endsWith('.heapprofile'))) return heapReport(summary);
  const variants = Object.keys(summary);
  const self: Record<string, Record<string, number>> = {};
  const ops: Record<string, Record<string, number>> = {};
  const files: Record<string, Record<string, number>> = {};
  const owners: Record<string, Record<string, number>> = {};
  const ownerFuncs: Record<string, Record<string, number>> = {};
  const perTrip: Record<string, number> = {};
  for (const v of variants) {
    const trips = summary[v]!.reduce((a, b) => a + b.trips, 0);
    const cpu = summary[v]!.reduce((a, b) => a + b.cpuMicros, 0);
    perTrip[v] = cpu / trips;
    self[v] = {};
    ops[v] = {};
    files[v] = {};
    owners[v] = {};
    ownerFuncs[v] = {};
    for (const [pass, { mapBytes }] of summary[v]!.entries()) {
      for (const s of parse(join(DIR, `${v}.${pass}.data`), pid, mapBytes)) {
        const us = s.period / 1000 / trips;
        const c = selfCategory(s);
        self[v]![c] = (self[v]![c] ?? 0) + us;
        const ow = ownerOf(s);
        owners[v]![ow.owner] = (owners[v]![ow.owner] ?? 0) + us;
        if (ow.func !== '') ownerFuncs[v]![`${ow.func}`] = (ownerFuncs[v]![ow.func] ?? 0) + us;
        for (const o of opsOf(s)) ops[v]![o] = (ops[v]![o] ?? 0) + us;
        if (SHOW_FILES || SHOW_FUNCS) {
          const js = s.main ? s.frames.map((fr) => jsModule(fr.sym)).find((x) => x !== undefined) : undefined;
          const k = js ? (SHOW_FUNCS ? `${js.func} ${js.file}` : js.file) : c;
          files[v]![k] = (files[v]![k] ?? 0) + us;
        }
      }
    }
  }
  const print = (title: string, table: Record<string, Record<string, number>>, order?: string[], limit = 1e9) => {
    const keys =
      order ??
      [...new Set(variants.flatMap((v) => Object.keys(table[v]!)))].sort(
        (a, b) => (table[variants[0]!]![b] ?? 0) - (table[variants[0]!]![a] ?? 0),
      );
    console.log(`\n${title} (µs per trip)`);
    console.log(`${''.padEnd(56)}${variants.map((v) => v.padStart(20)).join('')}`);
    for (const k of keys.slice(0, limit))
      console.log(`${k.slice(0, 55).padEnd(56)}${variants.map((v) => (table[v]![k] ?? 0).toFixed(0).padStart(20)).join('')}`);
    const totals = variants.map((v) => Object.values(table[v]!).reduce((a, b) => a + b, 0));
    if (!order) console.log(`${'total sampled'.padEnd(56)}${totals.map((t) => t.toFixed(0).padStart(20)).join('')}`);
  };
  print('self time by module', self);
  print('by owner: the innermost package frame (node core, natives and GC charged to their caller)', owners);
  if (process.argv.includes('--owner-funcs')) print('by owner function', ownerFuncs, undefined, 80);
  print(
    'total time by operation',
    ops,
    OPS.map(([n]) => n),
  );
  if (SHOW_FILES || SHOW_FUNCS) print(SHOW_FUNCS ? 'self time by function' : 'self time by file', files, undefined, 60);
  console.log(`\n${'process.cpuUsage() per trip'.padEnd(56)}${variants.map((v) => perTrip[v]!.toFixed(0).padStart(20)).join('')}`);
}

main();
