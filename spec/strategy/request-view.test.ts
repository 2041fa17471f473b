// JwtSsoStrategy.requestView (lib/strategy.ts), the documented override point for a framework
// this package does not know: a subclass that describes a made-up framework's request signs a
// user in over a real socket, through Passport's own authenticate middleware. The same app
// without the override is the control: the default adapters cannot see that request at all.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { JwtSsoErrorCode as Code, JwtSsoStrategy, type JwtSsoStrategyOptions, type PuavoClaims, type RequestView } from '../../lib';
import { login, providerReturn, returnToOf } from '../helpers/flow';
import { mint, puavoClaims, SECRET } from '../helpers/tokens';

// The made-up framework: its request keeps Node's request in `node`, the path in `path`, a
// session in `store` (get/set), and a reply in `reply` (header/append). No `headers`, no `url`,
// no `session`, no `res`: none of the shapes the package knows.
interface MadeUpRequest {
  node: IncomingMessage;
  path: string;
  store: { get(key: string): unknown; set(key: string, value: unknown): void };
  reply: { sent: boolean; header(name: string, value: string): void; append(name: string, value: string): void };
}

class MadeUpStrategy extends JwtSsoStrategy<PuavoClaims> {
  override requestView(req: Request): RequestView {
    const r = req as unknown as MadeUpRequest;
    return {
      ...super.requestView(r.node as unknown as Request), // headers, method, the body's stream, the socket
      target: r.path,
      session: r.store,
      response: () => ({
        get headersSent() {
          return r.reply.sent;
        },
        setHeader: (name, value) => r.reply.header(name, value),
        appendHeader: (name, value) => r.reply.append(name, value),
      }),
    };
  }
}

const OPTIONS: JwtSsoStrategyOptions = { authEndpoint: 'https://sso.example.test/v3/sso', sharedSecret: SECRET };

let server: Server | undefined;
afterEach(() => server?.close());

// Sessions by a `sid` cookie, kept in memory: the made-up framework's own.
async function startMadeUp(strategy: JwtSsoStrategy<PuavoClaims>): Promise<string> {
  const passport = new Passport();
  passport.use(strategy);
  const sessions = new Map<string, Map<string, unknown>>();
  server = createServer((node: IncomingMessage, res: ServerResponse) => {
    const sid = /(?:^|; )sid=(\w+)/.exec(node.headers.cookie ?? '')?.[1] ?? String(sessions.size + 1);
    if (!sessions.has(sid)) res.appendHeader('Set-Cookie', `sid=${sid}; Path=/; HttpOnly`);
    const data = sessions.get(sid) ?? new Map<string, unknown>();
    sessions.set(sid, data);
    const req: MadeUpRequest = {
      node,
      path: node.url ?? '/',
      store: { get: (key) => data.get(key), set: (key, value) => void data.set(key, value) },
      reply: { sent: false, header: (n, v) => void res.setHeader(n, v), append: (n, v) => void res.appendHeader(n, v) },
    };
    const answer = (status: number, body: object) => {
      req.reply.sent = true;
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const middleware = passport.authenticate(
      'jwtsso',
      { session: false },
      (err: unknown, user: unknown, info: unknown, status?: number) => {
        if (err) return answer(500, { code: (err as { code?: string }).code ?? null, error: (err as Error).message });
        if (!user) return answer(status ?? 401, { code: (info as { code?: string } | undefined)?.code ?? null });
        answer(200, { user });
      },
    ) as (req: object, res: ServerResponse, next: () => void) => void;
    middleware(req, res, () => answer(200, { passed: true }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const verify = (claims: PuavoClaims, done: (err: unknown, user: object) => void) => done(null, { username: claims.username });

describe('requestView overridden for a made-up framework', () => {
  test('signs in: redirect with a state cookie on its reply, 303 to the clean URL, the user', async () => {
    const url = await startMadeUp(new MadeUpStrategy(OPTIONS, verify));
    const browser = request.agent(url);
    const steps = await login(browser, '/page?x=1', puavoClaims(undefined, { username: 'made.up' }));
    expect(steps.toProvider.status).toBe(302);
    expect(String(steps.toProvider.headers['set-cookie'])).toMatch(/jwtsso-s-/); // written through the view's response
    expect(steps.toProvider.headers['cache-control']).toBe('no-store');
    expect(new URL(steps.returnTo).pathname).toBe('/page'); // the view's target
    expect(steps.callback.status).toBe(303);
    expect(steps.callback.headers.location).toBe('/page?x=1');
    expect(steps.final.status).toBe(200);
    expect(steps.final.body).toEqual({ user: { username: 'made.up' } });
  });

  test('a hostile token is still refused through the override (401), the view changes no rule', async () => {
    const url = await startMadeUp(new MadeUpStrategy(OPTIONS, verify));
    const browser = request.agent(url);
    const start = await browser.get('/page');
    const callback = await browser.get(providerReturn(returnToOf(start.headers.location), mint(puavoClaims(), 'not-the-secret')));
    expect(callback.status).toBe(303);
    const final = await browser.get(callback.headers.location!);
    expect(final.status).toBe(401);
    expect(final.body.code).toBe(Code.SIGNATURE_INVALID);
  });

  test('control: without the override the strategy cannot see that request (no method, no target): no redirect, no sign-in', async () => {
    const url = await startMadeUp(new JwtSsoStrategy<PuavoClaims>(OPTIONS, verify));
    const res = await request(url).get('/page');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(Code.LOGIN_REQUIRED);
  });
});
