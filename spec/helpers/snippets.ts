// The code blocks of the README and the guides, run as a reader would run them: the block taken
// from the page exactly as printed, compiled as TypeScript compiles an app (imports as written,
// ES modules, decorators), in a project where `passport-jwtsso` is this package built as npm
// would install it and every other import is this repository's own node_modules; started as a
// child process, and reached over real sockets.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import ts from 'typescript';

export const root = resolve(__dirname, '..', '..');
/** How long a snippet may take to listen. */
const START_TIMEOUT_MS = 30_000;

/**
 * The first block of `lang` after the line `heading` (a `## …` line as printed) of `page`, as
 * printed. Throws if the page has no such heading or no such block under it.
 */
export function markdownBlock(page: string, heading: string, lang = 'ts'): string {
  const text = readFileSync(join(root, page), 'utf8');
  const at = text.split('\n').indexOf(heading);
  if (at === -1) throw new Error(`${page} has no line "${heading}"`);
  const after = text
    .split('\n')
    .slice(at + 1)
    .join('\n');
  const next = after.search(/^## /m);
  const section = next === -1 ? after : after.slice(0, next);
  const block = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'm').exec(section)?.[1];
  if (block === undefined) throw new Error(`${page}: no \`\`\`${lang} block under "${heading}"`);
  return block;
}

/** A project to run snippets in, with this package installed as its build. */
export interface SnippetProject {
  dir: string;
  /** Writes `code` (TypeScript) compiled to an ES module `name`.mjs; resolves its path. */
  write(name: string, code: string): string;
  remove(): void;
}

/**
 * A project under this repository's node_modules (so that `express`, `@nestjs/*`… resolve to
 * the repository's, as an app has them installed), with `node_modules/passport-jwtsso` holding
 * this package's package.json and its build (`tsc -p tsconfig.build.json`), as npm installs it.
 */
export function snippetProject(): SnippetProject {
  const base = join(root, 'node_modules', '.cache', 'jwtsso-snippets');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'run-'));
  const installed = join(dir, 'node_modules', 'passport-jwtsso');
  mkdirSync(installed, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(installed, 'package.json'));
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', join(installed, 'dist')],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snippet-app', private: true, type: 'module' }));
  return {
    dir,
    write(name, code) {
      const { outputText, diagnostics } = ts.transpileModule(code, {
        reportDiagnostics: true,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
        },
      });
      if (diagnostics !== undefined && diagnostics.length > 0) {
        throw new Error(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'));
      }
      const file = join(dir, `${name}.mjs`);
      writeFileSync(file, outputText);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `count` distinct free loopback ports (held open together, so none is given twice; closed again: the snippet takes them). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((s) => once(s, 'listening')));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

/** A free loopback port (closed again: the snippet takes it). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });

/** A running snippet: what it printed so far, and a stop that waits for its exit. */
export interface RunningSnippet {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs `file` with node and `env` over this process's environment (an undefined value unsets a variable); resolves once every port of `ports` accepts connections. */
export async function runSnippet(file: string, env: Record<string, string | undefined>, ports: number[]): Promise<RunningSnippet> {
  const child = spawn(process.execPath, [file], {
    cwd: resolve(file, '..'),
    env: Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'exit');
  const running: RunningSnippet = {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the snippet exited (${child.exitCode}) before it listened:\n${output}`);
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`the snippet did not listen on ${ports.join(', ')} within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
