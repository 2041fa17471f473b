// The bench's client side, shared by bench/run.ts, bench/profile.ts and bench/lib-steps.ts:
// fresh tokens minted with node:crypto (to keep the client cheap), and a GET that keeps one
// browser's cookies as a Cookie header.
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { request, type Agent } from 'node:http';
import { SECRET } from './apps';

const key = createSecretKey(Buffer.from(SECRET));
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const HEADER = b64({ alg: 'HS256' });

/** A fresh Puavo-shaped token (unique jti), minted with node:crypto to keep the client cheap. */
export function freshToken(): string {
  const payload = b64({
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    puavo_id: 42,
    username: 'bench.user',
    organisation_domain: 'example.opinsys.fi',
  });
  const input = `${HEADER}.${payload}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/**
 * One browser's cookies, as a Cookie header: each response's Set-Cookie lines are applied
 * (set, or cleared by Max-Age=0), as a browser would.
 */
export function applyCookies(cookie: string | undefined, setCookie: string[] | undefined): string | undefined {
  if (setCookie === undefined) return cookie;
  const jar = new Map(
    (cookie ?? '')
      .split('; ')
      .filter(Boolean)
      .map((p) => [p.slice(0, p.indexOf('=')), p] as const),
  );
  for (const line of setCookie) {
    const pair = line.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    if (/;\s*Max-Age=0/i.test(line)) jar.delete(name);
    else jar.set(name, pair);
  }
  return jar.size === 0 ? undefined : [...jar.values()].join('; ');
}

/** A GET on loopback through `agent`, with this browser's cookies; resolves its status, Location and the cookies after it. */
export function get(
  agent: Agent,
  port: number,
  path: string,
  cookie?: string,
): Promise<{ status: number; location?: string; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, cookie: applyCookies(cookie, res.headers['set-cookie']) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
