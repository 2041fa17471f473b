// Starts and stops redis-server processes for the tests and the benchmarks (spec/ and bench/).
// Starts a real redis-server of the tests' own on a free loopback port, and stops it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
export const redisInstalled = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;

/** describe when redis-server exists; otherwise one loud line, and under CI a failing test. */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisInstalled) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('redis-server is installed (CI must run the Redis suites)', () => {
        throw new Error(`redis-server not found (${REDIS_SERVER}): .ci/run installs it with apt-get install -y redis-server`);
      });
    });
    return;
  }
  const reason = `no redis-server (${REDIS_SERVER}): apt-get install -y redis-server, or set REDIS_SERVER to its path`;
  console.warn(`\n!!! SKIPPING "${name}": ${reason}\n`);
  // The reason in the name: the summary reporter prints it after the closing line.
  describe.skip(`${name} [skipped: ${reason}]`, body);
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(200);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export class RedisServer {
  #child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the server on its port and waits until it answers PING. */
  async start(): Promise<void> {
    const child = spawn(REDIS_SERVER, ephemeralServerArgs(this.port), {
      stdio: 'ignore',
    });
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${this.port}`);
      if (await ping(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

/** What every test redis-server runs with: this port on loopback, no persistence, in the foreground, quiet. */
export function ephemeralServerArgs(port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];
}
