// Two app instances behind a round-robin balancer, sharing Redis for sessions (connect-redis)
// and for replay protection (RedisReplayStore). No sticky sessions: the request that brings
// the token and the one that verifies it usually land on different instances.
//
//   REDIS_URL=redis://127.0.0.1:6379 npx ts-node --transpile-only examples/multi-instance/main.ts
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { createClient } from 'redis';
import { JwtSsoStrategy, RedisReplayStore, type JwtSsoEvent, type PuavoClaims } from 'passport-jwtsso';
import { createDevProvider } from 'passport-jwtsso/dev-provider';

export interface ClusterOptions {
  redisUrl: string;
  /** The balancer's port (the app's public port); 0 picks a free one. */
  port?: number;
  providerPort?: number;
  /** Shared by every instance: the provider's secret. */
  sharedSecret?: string;
  /** The audit trail: every decision of each instance's strategy (a refused replay among them). */
  onEvent?: (instance: number, event: JwtSsoEvent) => void;
}

export interface Cluster {
  url: string;
  providerUrl: string;
  /** How many requests each instance served. */
  served: number[];
  close(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

// One app instance. Everything it shares with the others lives in Redis or in the options.
async function instance(
  id: number,
  redisUrl: string,
  publicHost: string,
  authEndpoint: string,
  sharedSecret: string,
  onEvent?: ClusterOptions['onEvent'],
) {
  const redis = createClient({ url: redisUrl });
  redis.on('error', (err: Error) => console.error(`instance ${id}: redis: ${err.message}`));
  await redis.connect();

  const passport = new Passport();
  passport.use(
    new JwtSsoStrategy<PuavoClaims>(
      {
        authEndpoint,
        sharedSecret,
        host: publicHost, // the balancer's host: the same on every instance
        scheme: 'http',
        replayStore: new RedisReplayStore({ client: redis }), // one jti record for all instances
        onEvent: (event) => onEvent?.(id, event),
      },
      (claims, done) => done(null, { username: claims.username }),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('X-Instance', String(id));
    next();
  });
  app.use(
    session({
      store: new RedisStore({ client: redis, prefix: 'demo:sess:' }), // sessions shared too
      secret: sharedSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(passport.session());
  app.get('/', passport.authenticate('jwtsso'), (req, res) => {
    res.json({ instance: id, user: req.user });
  });
  const server = createServer(app);
  const port = await listen(server, 0);
  return {
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await redis.quit();
    },
  };
}

/** Starts the dev provider, two instances and a round-robin balancer in front of them. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const sharedSecret = options.sharedSecret ?? 'multi-instance-demo-secret';
  const idp = express();
  idp.use('/v3/sso', createDevProvider({ sharedSecret }));
  const idpServer = createServer(idp);
  const providerUrl = `http://127.0.0.1:${await listen(idpServer, options.providerPort ?? 0)}/v3/sso`;

  const balancer = createServer();
  const publicPort = await listen(balancer, options.port ?? 0);
  const publicHost = `localhost:${publicPort}`;
  const instances = await Promise.all(
    [1, 2].map((id) => instance(id, options.redisUrl, publicHost, providerUrl, sharedSecret, options.onEvent)),
  );
  const served = instances.map(() => 0);
  let next = 0;
  balancer.on('request', (req, res) => {
    const target = next++ % instances.length;
    served[target]!++;
    const upstream = request(
      { host: '127.0.0.1', port: instances[target]!.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });

  return {
    url: `http://${publicHost}/`,
    providerUrl,
    served,
    close: async () => {
      balancer.closeAllConnections();
      idpServer.closeAllConnections();
      await Promise.all([new Promise((r) => balancer.close(r)), new Promise((r) => idpServer.close(r))]);
      await Promise.all(instances.map((i) => i.close()));
    },
  };
}

if (require.main === module) {
  startCluster({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', port: 3000, providerPort: 3001 }).then(
    (cluster) => {
      console.log(`Two instances behind ${cluster.url} (dev provider: ${cluster.providerUrl}). Ctrl-C stops.`);
      process.once('SIGINT', () => void cluster.close().then(() => process.exit(0)));
    },
    (err: Error) => {
      console.error(`could not start: ${err.message} (is Redis running at REDIS_URL?)`);
      process.exit(1);
    },
  );
}
