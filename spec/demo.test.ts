// `npm run demo` as a user runs it: a child process that prints two URLs, serves a login,
// and stops cleanly on Ctrl-C (SIGINT).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');

test('the demo starts on two origins, redirects to the provider, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/demo/main.ts'], {
    cwd: root,
    env: { ...process.env, DEMO_APP_PORT: '0', DEMO_PROVIDER_PORT: '0', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'exit');
  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`demo did not start:\n${output}`)), 30_000);
      child.stdout.on('data', () => {
        if (output.includes('Ctrl-C')) {
          clearTimeout(timer);
          ready();
        }
      });
    });
    const appUrl = /App \(open this\):\s+(http:\/\/localhost:\d+\/)/.exec(output)?.[1];
    const providerUrl = /Dev identity provider:\s+(http:\/\/127\.0\.0\.1:\d+\/v3\/sso)/.exec(output)?.[1];
    expect(appUrl).toBeDefined();
    expect(providerUrl).toBeDefined();
    const listenUrl = /Listening on:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
    expect(listenUrl).toBe(appUrl!.replace('localhost', '127.0.0.1'));
    // The address it listens on sends the browser to its public address first, same path.
    const toPublic = await fetch(new URL('/protected?x=1', listenUrl), { redirect: 'manual' });
    expect(toPublic.status).toBe(302);
    expect(toPublic.headers.get('location')).toBe(new URL('/protected?x=1', appUrl).href);
    const res = await fetch(new URL('/protected', appUrl), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')!.startsWith(`${providerUrl}?return_to=`)).toBe(true);
    const form = await fetch(res.headers.get('location')!);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('minerva.teacher');
  } finally {
    child.kill('SIGINT');
  }
  const [code, signal] = await exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
}, 60_000);
