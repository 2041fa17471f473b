// The multi-instance example, end to end: sessions and replay records in one real Redis,
// requests spread round-robin over two instances, no sticky sessions.
import request from 'supertest';
import type { JwtSsoEvent } from '../../lib';
import { startCluster, type Cluster } from '../../examples/multi-instance/main';
import { providerReturn, returnToOf } from '../helpers/flow';
import { describeWithRedis, RedisServer } from '../../support/redis-server';
import { mint, puavoClaims } from '../helpers/tokens';

describeWithRedis('two instances behind a round-robin balancer, sharing Redis', () => {
  let redis: RedisServer;
  let cluster: Cluster;
  const secret = 'cluster-test-secret';
  const events: { instance: number; event: JwtSsoEvent }[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    cluster = await startCluster({
      redisUrl: redis.url,
      sharedSecret: secret,
      onEvent: (instance, event) => events.push({ instance, event }),
    });
  }, 20_000);
  afterAll(async () => {
    await cluster?.close();
    await redis?.stop();
  });

  test('a login whose token arrives on one instance and is verified on the other', async () => {
    const browser = request.agent(cluster.url.replace('localhost', '127.0.0.1'));
    const start = await browser.get('/');
    expect(start.status).toBe(302);
    const returnTo = returnToOf(start.headers.location);
    const callback = await browser.get(providerReturn(returnTo, mint(puavoClaims(), secret)));
    expect(callback.status).toBe(303);
    const final = await browser.get(callback.headers.location!);
    expect(final.status).toBe(200);
    expect(final.body.user).toEqual({ username: 'ada.lovelace' });
    // Round robin: the three requests went 1, 2, 1 (or 2, 1, 2): parked on one, verified on another.
    expect(callback.headers['x-instance']).not.toBe(final.headers['x-instance']);
    const again = await browser.get('/');
    expect(again.body.instance).not.toBe(final.body.instance);
    expect(again.body.user).toEqual({ username: 'ada.lovelace' });
    expect(cluster.served.every((n) => n >= 2)).toBe(true);
  });

  test('a token used through one instance is refused when replayed, with a valid state, through the cluster', async () => {
    const base = cluster.url.replace('localhost', '127.0.0.1');
    const login = async (browser: request.Agent, token: string) => {
      const returnTo = returnToOf((await browser.get('/')).headers.location);
      const callback = await browser.get(providerReturn(returnTo, token));
      return browser.get(callback.headers.location!);
    };
    const token = mint(puavoClaims(), secret);
    const victim = await login(request.agent(base), token);
    expect(victim.status).toBe(200);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    const accepted = events.filter((e) => e.event.type === 'accepted' && e.event.jti === jti);
    expect(accepted).toHaveLength(1);
    // The thief has a state of its own, so only the shared replay record can stop it.
    events.length = 0;
    const thief = await login(request.agent(base), token);
    expect(thief.status).toBe(401);
    expect(thief.body).toEqual({});
    // Refused as a replay, not for any other reason (a 401 alone would not tell).
    const refusals = events.filter((e) => e.event.type === 'refused').map((e) => e.event.code);
    expect(refusals).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
    // And no instance let it through.
    expect(events.some((e) => e.event.type === 'accepted')).toBe(false);
  });

  test("a tab whose request carries only another tab's redeemed token starts its own sign-in, whichever instance it reaches (RedisReplayStore.has)", async () => {
    const base = cluster.url.replace('localhost', '127.0.0.1');
    // One browser's cookie jar, written out: the late tab sends a copy taken before the other tab's answer.
    const jar = new Map<string, string>();
    const send = async (cookies: Map<string, string>, path: string) => {
      const cookie = [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
      const res = await (cookie === '' ? request(base).get(path) : request(base).get(path).set('Cookie', cookie));
      for (const line of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
        const [pair, ...attributes] = line.split(';');
        const name = pair!.slice(0, pair!.indexOf('=')).trim();
        if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) cookies.delete(name);
        else cookies.set(name, pair!.slice(pair!.indexOf('=') + 1));
      }
      return res;
    };
    const start = await send(jar, '/');
    const callback = await send(jar, providerReturn(returnToOf(start.headers.location), mint(puavoClaims(), secret)));
    expect(callback.status).toBe(303);
    const late = new Map(jar);
    expect((await send(jar, callback.headers.location!)).status).toBe(200);
    events.length = 0;
    const lateTab = await send(late, callback.headers.location!);
    expect(lateTab.status).toBe(302);
    expect(events.map((e) => [e.event.type, e.event.code])).toEqual([
      ['token-dropped', 'ERR_JWTSSO_TOKEN_REPLAYED'],
      ['redirect', undefined],
    ]);
  });
});
