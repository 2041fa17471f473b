// `npm run demo`: the demo app and the development identity provider on two loopback origins.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createDevProvider } from 'passport-jwtsso/dev-provider';
import { createDemoApp } from './app';

export interface Demo {
  /** The app's public address (its host option): open this. */
  appUrl: string;
  /** Where the app listens; requests there are redirected to appUrl. */
  listenUrl: string;
  providerUrl: string;
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts the provider on 127.0.0.1 and the app on localhost: two different sites, as in real
 * life, so cookies and redirects behave as they will in production. The app listens on
 * 127.0.0.1 and redirects requests there to localhost, so either address works. Port 0 picks a
 * free one.
 */
export async function startDemo(appPort = 3000, providerPort = 3001, options: { loginState?: 'cookie' | 'session' } = {}): Promise<Demo> {
  const sharedSecret = randomBytes(32).toString('base64url'); // fresh each run: nobody needs a secret
  const idp = express();
  idp.use('/v3/sso', createDevProvider({ sharedSecret }));
  const providerServer = createServer(idp);
  const pPort = await listen(providerServer, providerPort, '127.0.0.1');
  const providerUrl = `http://127.0.0.1:${pPort}/v3/sso`;

  // The app needs its own port in its host option, so it is created once the port is known.
  const appServer = createServer();
  const aPort = await listen(appServer, appPort, '127.0.0.1');
  const app = createDemoApp({
    authEndpoint: providerUrl,
    logoutEndpoint: `${providerUrl}/logout`,
    sharedSecret,
    host: `localhost:${aPort}`,
    ...options,
  });
  appServer.on('request', app);
  return {
    appUrl: `http://localhost:${aPort}/`,
    listenUrl: `http://127.0.0.1:${aPort}/`,
    providerUrl,
    close: async () => {
      await Promise.all([closeServer(appServer), closeServer(providerServer)]);
    },
  };
}

if (require.main === module) {
  const port = (name: string, fallback: number) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
  startDemo(port('DEMO_APP_PORT', 3000), port('DEMO_PROVIDER_PORT', 3001)).then(
    (demo) => {
      console.log(`\n  passport-jwtsso demo\n`);
      console.log(`  App (open this):        ${demo.appUrl}`);
      console.log(`  Listening on:           ${demo.listenUrl} (redirects to the address above)`);
      console.log(`  Dev identity provider:  ${demo.providerUrl}\n`);
      console.log('  Press Ctrl-C to stop.\n');
      const stop = () => {
        demo.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: Error) => {
      console.error(`demo: could not start: ${err.message}`);
      console.error('Is a port taken? Set DEMO_APP_PORT and DEMO_PROVIDER_PORT (0 picks a free port).');
      process.exit(1);
    },
  );
}
