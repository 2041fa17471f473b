// The documentation's runnable examples, run: each block is taken from its page as printed,
// compiled and started as a child process (spec/helpers/snippets.ts), and signed in to through
// the development identity provider by a browser over real sockets (spec/helpers/browser.ts).
// The README's production example runs here with only its production values swapped for local
// ones (each swap named and checked to apply once), under a mountPoint behind a stripping proxy.
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import express from 'express';
import { createDevProvider } from '../lib/dev-provider';
import { Browser, type Page } from './helpers/browser';
import {
  freePort,
  freePorts,
  markdownBlock,
  runSnippet,
  snippetProject,
  type RunningSnippet,
  type SnippetProject,
} from './helpers/snippets';

const RUN_TIMEOUT_MS = 60_000;
let project: SnippetProject;
beforeAll(() => {
  project = snippetProject();
}, 120_000);
afterAll(() => project.remove());

let running: RunningSnippet | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((done) => s.close(done));
    }),
  );
});

async function listen(server: Server, port = 0): Promise<number> {
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

// Chooses the user on the dev provider's page, as a person clicks their name.
async function chooseUser(browser: Browser, page: Page, user = 'minerva.teacher'): Promise<Page> {
  expect(page.text).toContain('Development identity provider');
  return browser.submit(page, { name: 'user', value: user });
}

/** The dev provider on loopback, signing with `secret`, or with another secret while `refusing` is set (its tokens are then refused). */
async function switchableProvider(secret: string): Promise<{ url: string; refusing: boolean }> {
  const right = createDevProvider({ sharedSecret: secret });
  const wrong = createDevProvider({ sharedSecret: `not-${secret}` });
  const state = { url: '', refusing: false };
  const idp = express();
  idp.use('/v3/sso', (req, res, next) => (state.refusing ? wrong : right)(req, res, next));
  state.url = `http://127.0.0.1:${await listen(createServer(idp))}/v3/sso`;
  return state;
}

describe("docs/getting-started.md's local try, as printed", () => {
  test(
    'signs in through the dev provider it starts, stays signed in, and returnTo lands where it says',
    async () => {
      const code = markdownBlock('docs/getting-started.md', '## Your own app against the development provider');
      expect(code).toContain("from 'passport-jwtsso/dev-provider'");
      const [port, providerPort] = (await freePorts(2)) as [number, number];
      running = await runSnippet(project.write('local-try', code), { PORT: String(port), PROVIDER_PORT: String(providerPort) }, [
        port,
        providerPort,
      ]);
      const app = `http://localhost:${port}`;
      const browser = new Browser();
      const atProvider = await browser.open(`${app}/`);
      expect(atProvider.url.startsWith(`http://127.0.0.1:${providerPort}/v3/sso?`)).toBe(true);
      const signedIn = await chooseUser(browser, atProvider);
      expect({ url: signedIn.url, status: signedIn.status, text: signedIn.text }).toEqual({
        url: `${app}/`,
        status: 200,
        text: 'Hello minerva.teacher',
      });
      // The token came back in the URL and was stripped: the address bar shows the clean URL.
      expect(signedIn.visited.some((u) => u.includes('jwt='))).toBe(true);
      const again = await browser.open(`${app}/`);
      expect({ visited: again.visited, text: again.text }).toEqual({ visited: [`${app}/`], text: 'Hello minerva.teacher' });

      // /x sends a fresh browser to the provider with returnTo, and the sign-in lands there.
      const other = new Browser();
      const returned = await chooseUser(other, await other.open(`${app}/x`), 'harry.student');
      expect({ url: returned.url, text: returned.text }).toEqual({
        url: `${app}/custom/path?my=query`,
        text: 'the page the sign-in returns to',
      });
      expect({ output: running.output() }).toEqual({ output: '' });
    },
    RUN_TIMEOUT_MS,
  );
});

// The README's Use block with its production values swapped for local ones: each swap must apply
// exactly once, so a change of the README that a swap no longer matches fails here, not silently.
function localReadme(args: { providerUrl: string; publicHost: string; appPort: number; mountPoint: string }): string {
  let code = markdownBlock('README.md', '## Use');
  const swaps: [string, string][] = [
    ["authEndpoint: 'https://api.opinsys.fi/v3/sso'", `authEndpoint: '${args.providerUrl}'`],
    ["host: 'app.example.org'", `host: '${args.publicHost}'`],
    ["scheme: 'https'", "scheme: 'http'"],
    ['secure: true', 'secure: false'],
    ['Start again: https://app.example.org${mountPoint}/', `Start again: http://${args.publicHost}\${mountPoint}/`],
    ['app.listen(3000)', `app.listen(${args.appPort})`],
    ["const mountPoint = '';", `const mountPoint = '${args.mountPoint}';`],
  ];
  for (const [from, to] of swaps) {
    expect({ swap: from, times: code.split(from).length - 1 }).toEqual({ swap: from, times: 1 });
    code = code.replace(from, () => to);
  }
  return code;
}

describe("the README's Use example under a mountPoint, behind a proxy that strips it", () => {
  test(
    'a sign-in and a refusal both stay below mountPoint; the refusal says its code, and its Start again link starts a sign-in',
    async () => {
      // The provider: the dev provider, signing with the app's secret or, for the refusal, another.
      let signingSecret = 'readme-secret';
      const right = createDevProvider({ sharedSecret: 'readme-secret' });
      const wrong = createDevProvider({ sharedSecret: 'not-the-app-secret' });
      const idp = express();
      idp.use('/v3/sso', (req, res, next) => (signingSecret === 'readme-secret' ? right : wrong)(req, res, next));
      const providerPort = await listen(createServer(idp));
      // The proxy: serves the app under /app, strips the prefix, passes the public Host on
      // (nginx: location /app/ { proxy_pass http://127.0.0.1:PORT/; proxy_set_header Host $host; }).
      const appPort = await freePort();
      const proxy = createServer((req, res) => {
        if (req.url !== '/app' && !req.url!.startsWith('/app/') && !req.url!.startsWith('/app?')) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('proxy: not found');
          return;
        }
        const upstream = httpRequest(
          { host: '127.0.0.1', port: appPort, method: req.method, path: req.url!.slice('/app'.length) || '/', headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode!, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      });
      const proxyPort = await listen(proxy);
      const site = `http://localhost:${proxyPort}`;
      const code = localReadme({
        providerUrl: `http://127.0.0.1:${providerPort}/v3/sso`,
        publicHost: `localhost:${proxyPort}`,
        appPort,
        mountPoint: '/app',
      });
      running = await runSnippet(project.write('readme-use', code), { SSO_SECRET: 'readme-secret' }, [appPort]);
      const onSite = (p: Page) => p.visited.filter((u) => u.startsWith(site));

      // Control: the sign-in goes through the provider and lands on the page asked for, below /app.
      const browser = new Browser();
      const signedIn = await chooseUser(browser, await browser.open(`${site}/app/`));
      expect({ url: signedIn.url, status: signedIn.status, text: signedIn.text }).toEqual({
        url: `${site}/app/`,
        status: 200,
        text: 'Hello minerva.teacher',
      });
      expect(onSite(signedIn).every((u) => u.startsWith(`${site}/app/`))).toBe(true);

      // A refusal (a token signed with another secret): answered below /app, with its code.
      signingSecret = 'not-the-app-secret';
      const refusedBrowser = new Browser();
      const refused = await chooseUser(refusedBrowser, await refusedBrowser.open(`${site}/app/custom/path?my=query`));
      expect(refused.url).toBe(`${site}/app/custom/path?my=query`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.text).toMatch(/\(ERR_JWTSSO_SIGNATURE_INVALID\)\n\nStart again: (\S+)$/);
      expect(onSite(refused).every((u) => u.startsWith(`${site}/app/`))).toBe(true);
      expect(refused.text).not.toMatch(/eyJ/);
      // Its link leads to a new sign-in (the provider's page), not to the proxy's "not found".
      const startAgain = /Start again: (\S+)$/.exec(refused.text)![1]!;
      expect(startAgain).toBe(`${site}/app/`);
      signingSecret = 'readme-secret';
      // (The dev provider remembers who signed in there, as an SSO provider does: no second choice.)
      const retried = await refusedBrowser.open(startAgain);
      expect(retried.visited[1]!.startsWith(`http://127.0.0.1:${providerPort}/v3/sso?`)).toBe(true);
      expect({ url: retried.url, text: retried.text }).toEqual({ url: `${site}/app/`, text: 'Hello minerva.teacher' });
    },
    RUN_TIMEOUT_MS,
  );
});

// A framework guide's block against the dev provider: the environment the guide names.
async function runGuide(page: string, heading: string, name: string, extraEnv: Record<string, string> = {}, edit = (code: string) => code) {
  const provider = await switchableProvider(`${name}-secret`);
  const port = await freePort();
  const site = `http://localhost:${port}`;
  const env = {
    PORT: String(port),
    PUBLIC_URL: site,
    SSO_URL: provider.url,
    SSO_SECRET: `${name}-secret`,
    DEBUG: 'passport-jwtsso',
    ...extraEnv,
  };
  running = await runSnippet(project.write(name, edit(markdownBlock(page, heading))), env, [port]);
  return { provider, site };
}

// Every `import … from '<package>'` of a block: the package names an install line must carry.
function importedPackages(code: string): string[] {
  const names = [...code.matchAll(/^import (type )?[^;]*? from '([^']+)';$/gm)].map(([, type, spec]) => {
    const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
    return type === undefined ? name : `@types/${name.replace(/^@/, '').replace('/', '__')}`;
  });
  return [...new Set(names)].sort();
}

describe.each([
  ['docs/framework-nestjs.md', '# NestJS'],
  ['docs/framework-fastify.md', '# Fastify'],
])('%s: the install lines', (page, heading) => {
  test('carry every package the recipe imports, and the type packages the strategy refers to', () => {
    const installed = markdownBlock(page, heading, 'sh')
      .split('\n')
      .filter((l) => l.startsWith('npm install'))
      .flatMap((l) => l.split(/\s+/).slice(2))
      .filter((w) => !w.startsWith('-'))
      .map((w) => w.replace(/(.)@[^@/]*$/, '$1')); // a pinned major (`fastify@5`) installs the package it names
    const code = markdownBlock(page, heading);
    expect(importedPackages(code).length).toBeGreaterThanOrEqual(4);
    expect(installed).toEqual(
      expect.arrayContaining([
        ...importedPackages(code),
        '@types/express',
        '@types/express-session',
        '@types/passport',
        '@types/passport-strategy',
      ]),
    );
  });
});

/**
 * A guide's recipe running against the dev provider: a sign-in kept for the next request (one
 * request, no trip), then, with the provider refusing, another browser's sign-in ends on the
 * page the refusal gives, returned for the caller to judge.
 */
async function signInKeptThenRefused(provider: { refusing: boolean }, site: string): Promise<Page> {
  const browser = new Browser();
  const signedIn = await chooseUser(browser, await browser.open(`${site}/`));
  expect({ url: signedIn.url, status: signedIn.status, body: JSON.parse(signedIn.text) as unknown }).toEqual({
    url: `${site}/`,
    status: 200,
    body: { user: { id: 1001, username: 'minerva.teacher' } },
  });
  const again = await browser.open(`${site}/`);
  expect({ visited: again.visited, body: JSON.parse(again.text) as unknown }).toEqual({
    visited: [`${site}/`],
    body: { user: { id: 1001, username: 'minerva.teacher' } },
  });
  provider.refusing = true;
  const other = new Browser();
  const refused = await chooseUser(other, await other.open(`${site}/`));
  expect({ url: refused.url, status: refused.status }).toEqual({ url: `${site}/`, status: 401 });
  return refused;
}

describe('docs/framework-nestjs.md, as printed', () => {
  test(
    'signs in through the dev provider, keeps the user for the next request, and answers a refusal with its code',
    async () => {
      const { provider, site } = await runGuide('docs/framework-nestjs.md', '# NestJS', 'nest');
      const refused = await signInKeptThenRefused(provider, site);
      expect(JSON.parse(refused.text)).toMatchObject({
        statusCode: 401,
        code: 'ERR_JWTSSO_SIGNATURE_INVALID',
        message: expect.stringMatching(/signature does not verify/),
      });
      expect(refused.text).not.toMatch(/eyJ/);
    },
    RUN_TIMEOUT_MS,
  );

  // What the guide says of AuthGuard('jwtsso') alone: the recipe with that one line changed.
  test(
    "with @nestjs/passport's AuthGuard('jwtsso') alone: every request goes to the provider and back with a new token, and a refusal is a bare 401",
    async () => {
      const plain = (code: string) => {
        const line = "class SsoGuard extends JwtSsoGuard(AuthGuard('jwtsso')) {}";
        expect(code.split(line)).toHaveLength(2);
        return code.replace(line, "class SsoGuard extends AuthGuard('jwtsso') {}");
      };
      const { provider, site } = await runGuide('docs/framework-nestjs.md', '# NestJS', 'nest-plain', {}, plain);
      const browser = new Browser();
      const first = await chooseUser(browser, await browser.open(`${site}/`));
      expect({ url: first.url, status: first.status, text: first.text }).toEqual({
        url: `${site}/`,
        status: 200,
        text: '{"user":{"id":1001,"username":"minerva.teacher"}}',
      });
      for (let i = 0; i < 2; i++) {
        // The provider remembers the user (as Puavo does): the trip is invisible but for the address bar.
        const next = await browser.open(`${site}/`);
        expect(next.visited).toHaveLength(4);
        expect(next.visited[1]!.startsWith(`${provider.url}?`)).toBe(true);
        expect(next.visited[2]).toMatch(/[?&]jwt=/);
        expect({ url: next.url, status: next.status }).toEqual({ url: `${site}/`, status: 200 });
      }
      expect(running!.output().match(/passport-jwtsso accepted/g)).toHaveLength(3);
      expect(running!.output()).not.toMatch(/ERR_JWTSSO/);

      provider.refusing = true;
      const other = new Browser();
      const refused = await chooseUser(other, await other.open(`${site}/`));
      expect({ url: refused.url, status: refused.status, text: refused.text }).toEqual({
        url: `${site}/`,
        status: 401,
        text: '{"message":"Unauthorized","statusCode":401}',
      });
    },
    RUN_TIMEOUT_MS,
  );
});

describe('docs/framework-fastify.md, as printed', () => {
  test(
    'signs in through the dev provider, keeps the user for the next request, and answers a refusal with its code',
    async () => {
      const key = Buffer.alloc(32, 7).toString('base64');
      const { provider, site } = await runGuide('docs/framework-fastify.md', '# Fastify', 'fastify', { SESSION_KEY: key });
      const refused = await signInKeptThenRefused(provider, site);
      expect(JSON.parse(refused.text)).toEqual({ code: 'ERR_JWTSSO_SIGNATURE_INVALID' });
      expect(refused.headers.get('cache-control')).toBe('no-store');
    },
    RUN_TIMEOUT_MS,
  );

  test(
    'control: without SSO_SECRET it stops at once with the TypeError that names the variable',
    async () => {
      const code = project.write('fastify-nosecret', markdownBlock('docs/framework-fastify.md', '# Fastify'));
      const port = await freePort();
      const env = { PORT: String(port), SESSION_KEY: Buffer.alloc(32, 7).toString('base64'), SSO_SECRET: undefined };
      const started = runSnippet(code, env, [port]);
      await expect(started).rejects.toThrow(/exited \(1\)[\s\S]*TypeError[\s\S]*"sharedSecret" is undefined: is the environment variable/);
    },
    RUN_TIMEOUT_MS,
  );
});
