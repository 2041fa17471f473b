// The strategy's own part of each request of a login trip, without HTTP, Express, the session
// middleware or Passport's middleware: strategy.authenticate() on a bare request, as Passport
// calls it (on Object.create(strategy) with its actions added). CPU µs per call, medians of
// interleaved passes. `npx ts-node --transpile-only bench/lib-steps.ts`
import { JwtSsoStrategy } from '../lib';
import { AUTH_ENDPOINT, SECRET } from './apps';
import { freshToken } from './client';

const strategy = new JwtSsoStrategy({ authEndpoint: AUTH_ENDPOINT, sharedSecret: SECRET, state: true }, (claims, done) =>
  done(null, { id: claims.jti }),
);

interface Outcome {
  kind: string;
  url?: string;
  setCookie: string[];
}

// One request through the strategy; resolves what it did (redirect, success…) and its Set-Cookie lines.
function run(url: string, cookie: string | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const setCookie: string[] = [];
    const headers: Record<string, string> = { host: '127.0.0.1:3000' };
    if (cookie !== undefined) headers.cookie = cookie;
    const session: Record<string, unknown> = { cookie: {} };
    const res = {
      headersSent: false,
      setHeader: () => undefined,
      appendHeader: (_name: string, value: string) => setCookie.push(value),
    };
    const req = {
      originalUrl: url,
      url,
      method: 'GET',
      headers,
      session,
      res,
      socket: { remoteAddress: '127.0.0.1' },
      app: { get: () => undefined },
      isAuthenticated: () => false,
    };
    const s = Object.create(strategy) as JwtSsoStrategy & Record<string, unknown>;
    s.redirect = (u: string) => resolve({ kind: 'redirect', url: u, setCookie });
    s.success = () => resolve({ kind: 'success', setCookie });
    s.fail = (e: unknown) => resolve({ kind: `fail ${String(e)}`, setCookie });
    s.error = (e: unknown) => resolve({ kind: `error ${String(e)}`, setCookie });
    s.pass = () => resolve({ kind: 'pass', setCookie });
    s.authenticate(req as never, {});
  });
}

const jar = (setCookie: string[]) =>
  setCookie
    .filter((l) => !/Max-Age=0/.test(l))
    .map((l) => l.split(';')[0])
    .join('; ');

async function trip(times: number[]): Promise<void> {
  let t = process.cpuUsage();
  const start = await run('/protected', undefined);
  let u = process.cpuUsage(t);
  times[0]! += u.user + u.system;
  const returnTo = new URL(new URL(start.url!).searchParams.get('return_to')!);
  const back = `${returnTo.pathname}${returnTo.search}&jwt=${freshToken()}`;
  t = process.cpuUsage();
  const cb = await run(back, jar(start.setCookie));
  u = process.cpuUsage(t);
  times[1]! += u.user + u.system;
  const cookie = [jar(start.setCookie), jar(cb.setCookie)].filter(Boolean).join('; ');
  t = process.cpuUsage();
  const end = await run(cb.url!.replace(/^.*?\/\/[^/]+/, ''), cookie);
  u = process.cpuUsage(t);
  times[2]! += u.user + u.system;
  if (start.kind !== 'redirect' || cb.kind !== 'redirect' || end.kind !== 'success')
    throw new Error(`${start.kind} ${cb.kind} ${end.kind}`);
}

async function main(): Promise<void> {
  const N = Number(process.env.TRIPS ?? 3000);
  const passes: number[][] = [];
  for (let i = 0; i < 3000; i++) await trip([0, 0, 0]); // warm up
  for (let p = 0; p < Number(process.env.PASSES ?? 7); p++) {
    const times = [0, 0, 0];
    for (let i = 0; i < N; i++) await trip(times);
    passes.push(times.map((x) => x / N));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const names = ['redirect to provider', 'stripping redirect', 'clean URL (verify, Passport success)'];
  for (let i = 0; i < 3; i++)
    console.log(
      `${names[i]!.padEnd(40)} ${med(passes.map((p) => p[i]!))
        .toFixed(1)
        .padStart(6)} µs  [${passes.map((p) => p[i]!.toFixed(1)).join(' ')}]`,
    );
  console.log(
    `${'trip'.padEnd(40)} ${med(passes.map((p) => p[0]! + p[1]! + p[2]!))
      .toFixed(1)
      .padStart(6)} µs`,
  );
}

void main();
