// A browser's trip through the dev provider in any shape, step by step, so that a test can
// tamper with one step: the app's redirect to the provider, the provider's login page (its
// hidden fields posted back with a user, as a browser does), and what the provider answers
// with the token: a redirect to the app (GET) or an auto-submitting form (POST).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { JwtSsoStrategyBaseOptions } from '../../lib';
import type { DevProvider } from '../../lib/dev-provider';
import { startApp, type AppOptions, type TestApp } from '../helpers/app';

/** A provider server that listens before its handler exists (the handler needs the app's URL). */
export interface LateServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Serves `handler` under `path`. */
  use(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function lateServer(): Promise<LateServer> {
  let mounted: { path: string; handler: (req: IncomingMessage, res: ServerResponse) => void } | undefined;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (mounted === undefined || !(url === mounted.path || url.startsWith(`${mounted.path}/`) || url.startsWith(`${mounted.path}?`))) {
      res.writeHead(404).end();
      return;
    }
    const rest = url.slice(mounted.path.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    (req as { baseUrl?: string }).baseUrl = mounted.path;
    mounted.handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    use: (path, handler) => {
      mounted = { path, handler };
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

const unescapeHtml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hidden fields of a page's form, in order. */
export function hiddenFields(html: string): Array<[string, string]> {
  return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescapeHtml(m[1]!), unescapeHtml(m[2]!)]);
}

/** Where the provider sent the browser with the token. */
export type Delivery =
  { method: 'GET'; url: URL } | { method: 'POST'; url: URL; fields: Array<[string, string]>; page: { html: string; csp: string } };

/**
 * Plays the browser at the provider: opens `location` (the app's redirect), posts the login
 * page's hidden fields with `user` to it, and reads what comes back: a redirect to the app, or
 * an auto-submitting form. Throws with the provider's status otherwise.
 */
export async function atProvider(location: string, user = 'minerva.teacher'): Promise<Delivery> {
  const page = await fetch(location, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the provider's login page answered ${page.status}`);
  const form = new URLSearchParams(hiddenFields(html));
  form.set('user', user);
  const chosen = await fetch(location, { method: 'POST', body: form, redirect: 'manual' });
  return readAnswer(chosen);
}

/** What a provider's answer to a chosen user is: a redirect (GET) or a form POST to the app. */
export async function readAnswer(res: Response): Promise<Delivery> {
  const location = res.headers.get('location');
  if ((res.status === 302 || res.status === 303) && location !== null) return { method: 'GET', url: new URL(location) };
  const html = await res.text();
  const action = /<form id="jwtsso-form-post" method="post" action="([^"]*)"/.exec(html)?.[1];
  if (res.status !== 200 || action === undefined) throw new Error(`the provider answered ${res.status}`);
  return {
    method: 'POST',
    url: new URL(unescapeHtml(action)),
    fields: hiddenFields(html),
    page: { html, csp: res.headers.get('content-security-policy') ?? '' },
  };
}

/**
 * Brings the delivery to the app in `browser` (its cookie jar), as the browser would: a GET of
 * the callback URL, or the form POST.
 */
export function deliver(browser: request.Agent, d: Delivery): request.Test {
  const target = d.url.pathname + d.url.search;
  if (d.method === 'GET') return browser.get(target);
  return browser.post(target).type('form').send(new URLSearchParams(d.fields).toString());
}

/**
 * The delivery with one parameter (sibling of the token) set to `value`, or removed (`null`),
 * where the provider put it: a posted field stays a field; anything else is in the URL's query
 * (a GET's, or a form POST's action URL, where Zendesk's examples put return_to).
 */
export function withParam(d: Delivery, name: string, value: string | null): Delivery {
  if (d.method === 'POST' && d.fields.some(([k]) => k === name)) {
    const fields = d.fields.filter(([k]) => k !== name);
    return { ...d, fields: value === null ? fields : [...fields, [name, value]] };
  }
  const url = new URL(d.url.href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return { ...d, url };
}

/** The value of a parameter of the delivery: a posted field, else its URL's query. */
export function paramOf(d: Delivery, name: string): string | null {
  const field = d.method === 'POST' ? d.fields.find(([k]) => k === name) : undefined;
  return field?.[1] ?? d.url.searchParams.get(name);
}

/** The whole trip in one browser: the app's redirect, the provider, the delivery, the clean URL. */
export async function signInThrough(
  browser: request.Agent,
  path: string,
  options: { user?: string } = {},
): Promise<{ toProvider: request.Response; delivery: Delivery; callback: request.Response; final: request.Response }> {
  const toProvider = await browser.get(path);
  if (toProvider.status !== 302) throw new Error(`expected a redirect to the provider, got ${toProvider.status}`);
  const delivery = await atProvider(toProvider.headers.location!, options.user);
  const callback = await deliver(browser, delivery);
  const final = callback.status === 303 ? await browser.get(callback.headers.location!) : callback;
  return { toProvider, delivery, callback, final };
}

/** A host that serves the app at MOUNT (stripping it, as a reverse proxy does) beside a sibling app. */
export interface PrefixProxy {
  origin: string;
  /** Every URL the sibling app (anything outside MOUNT) was asked for. */
  siblingSaw: string[];
  close(): Promise<void>;
}

export async function prefixProxy(app: { server: Server }): Promise<PrefixProxy> {
  const siblingSaw: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === MOUNT || url.startsWith(`${MOUNT}/`) || url.startsWith(`${MOUNT}?`)) {
      req.url = url.slice(MOUNT.length) || '/';
      app.server.emit('request', req, res);
      return;
    }
    siblingSaw.push(url);
    res.end('the sibling app');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    siblingSaw,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** How the app must treat a return URL passed back beside the token. */
export type ReturnOutcome = 'refused' | 'mount-root' | 'followed';

/**
 * Return URLs in the sibling parameter, for an app at `http://${host}${MOUNT}` beside a sibling app
 * at /other-app, each carrying the login's real state so that only the URL rule can refuse it:
 * `refused` (never followed, its state not read: 403), `mount-root` (a path that a browser or a
 * decoding proxy would resolve outside the mount point: sent to MOUNT/ instead, signed in there),
 * `followed` (the controls).
 */
export const MOUNT = '/app';
export function returnUrlTable(host: string, stateQuery: string): Array<[string, string, ReturnOutcome]> {
  const origin = `http://${host}`;
  const q = stateQuery;
  return [
    ['control: the return URL the app sent', `${origin}${MOUNT}/protected${q}`, 'followed'],
    ['control: a path on the app (relative)', `${MOUNT}/protected${q}`, 'followed'],
    ['another host', `http://evil.example${MOUNT}/protected${q}`, 'refused'],
    ['the same host on another port', `http://127.0.0.1:1${MOUNT}/protected${q}`, 'refused'],
    ['another scheme (https)', `https://${host}${MOUNT}/protected${q}`, 'refused'],
    ['a scheme-relative //host', `//evil.example${MOUNT}/protected${q}`, 'refused'],
    ['a backslash path /\\host', `/\\evil.example${MOUNT}/protected${q}`, 'refused'],
    ['backslashes \\\\host\\path', `\\\\evil.example\\app\\protected${q}`, 'refused'],
    ['http:\\\\host', `http:\\\\evil.example\\app\\protected${q}`, 'refused'],
    ['a backslash inside the mount point /app\\..\\other-app', `${origin}${MOUNT}\\..\\other-app\\steal${q}`, 'refused'],
    ['javascript:', `javascript:alert(document.cookie)//${q}`, 'refused'],
    ['data:', `data:text/html,<script>alert(1)</script>${q}`, 'refused'],
    ['leading spaces and a tab before another host', ` 	http://evil.example${MOUNT}/protected${q}`, 'refused'],
    ["a sibling app's path", `${origin}/other-app/steal${q}`, 'refused'],
    ['a path that starts like the mount point', `${origin}${MOUNT}-other/steal${q}`, 'refused'],
    ['.. out of the mount point', `${origin}${MOUNT}/../other-app/steal${q}`, 'refused'],
    ['%2e%2e out of the mount point', `${origin}${MOUNT}/%2e%2e/other-app/steal${q}`, 'refused'],
    ['%2E%2E, upper case', `${origin}${MOUNT}/%2E%2E/other-app/steal${q}`, 'refused'],
    ['a whole URL %-encoded', `${encodeURIComponent(`http://evil.example${MOUNT}/protected`)}${q}`, 'refused'],
    ['%2F%2Fhost', `%2F%2Fevil.example${MOUNT}/protected${q}`, 'refused'],
    ['credentials https://user@host', `http://user@${host}${MOUNT}/protected${q}`, 'refused'],
    ['credentials user:password@host', `http://user:pw@${host}${MOUNT}/protected${q}`, 'refused'],
    ['the app host as credentials of another', `http://${host}@evil.example${MOUNT}/protected${q}`, 'refused'],
    ['..%2f, resolved by a decoding proxy', `${origin}${MOUNT}/..%2fother-app/steal${q}`, 'mount-root'],
    ['..%5c, resolved by a decoding proxy', `${origin}${MOUNT}/..%5cother-app/steal${q}`, 'mount-root'],
    ['%252e%252e, decoded twice', `${origin}${MOUNT}/%252e%252e/other-app/steal${q}`, 'mount-root'],
  ];
}

/** The decoded header and payload of a compact JWS. */
export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>,
  };
}

/** An app (on its own, or behind a proxy at MOUNT) and the dev provider in one shape. */
export interface Site {
  app: TestApp;
  server: LateServer;
  /** The codes the strategy refused with, from its audit events. */
  codes: string[];
  /** The app's public origin: the app itself, or the proxy that serves it at MOUNT. */
  origin: string;
  /** A new browser (cookie jar) of the public origin. */
  browser(): request.Agent;
  proxy: PrefixProxy | undefined;
  close(): Promise<void>;
}

/** Verify of the shapes' tests: the user is their email, which every shape sends. */
export const byEmail = (claims: Record<string, unknown>, done: (err: unknown, user?: unknown) => unknown): unknown =>
  done(null, { email: claims.email });

/**
 * Starts the dev provider's server, then the app with `strategy(providerOrigin)` (and
 * `mountPoint`, behind a prefix proxy when given), then mounts the provider `provider(origin)`
 * made with the app's public origin under `path`.
 */
export async function startSite(args: {
  path: string;
  strategy: (providerOrigin: string) => Partial<JwtSsoStrategyBaseOptions>;
  provider: (appOrigin: string) => DevProvider;
  mountPoint?: string;
  app?: Partial<AppOptions>;
}): Promise<Site> {
  const server = await lateServer();
  const codes: string[] = [];
  const mountPoint = args.mountPoint ?? '';
  const app = await startApp({
    verify: byEmail,
    ...args.app,
    strategy: {
      mountPoint,
      onEvent: (e) => void (e.code !== undefined && codes.push(e.code)),
      ...args.strategy(server.origin),
    },
  });
  const proxy = mountPoint === '' ? undefined : await prefixProxy(app);
  const origin = proxy?.origin ?? app.url;
  server.use(args.path, args.provider(origin));
  return {
    app,
    server,
    codes,
    origin,
    proxy,
    browser: () => request.agent(origin),
    close: async () => {
      await proxy?.close();
      await app.close();
      await server.close();
    },
  };
}

/**
 * One row of {@link returnUrlTable} through `site` (an app at MOUNT, a provider that passes
 * any return_to on): the login's real return URL replaced by the row's, the provider's delivery
 * brought to the app, and what the app made of it. Never followed anywhere but below MOUNT, the
 * sibling never asked for anything; refused rows end in a 403 with no one signed in.
 */
export async function returnUrlCase(site: Site, row: { template: string; outcome: ReturnOutcome }): Promise<void> {
  const browser = site.browser();
  const toProvider = new URL((await browser.get(`${MOUNT}/protected`).expect(302)).headers.location!);
  const legit = new URL(toProvider.searchParams.get('return_to')!);
  expect(legit.pathname).toBe(`${MOUNT}/protected`);
  const value = row.template.replaceAll('APP.HOST', legit.host).replace('STATE', legit.searchParams.get('jwtsso_state')!);
  toProvider.searchParams.set('return_to', value);
  const delivery = await atProvider(toProvider.href);
  expect(paramOf(delivery, 'return_to')).toBe(value); // passed on as it was
  const callback = await deliver(browser, delivery);
  const me = async () => (await browser.get(`${MOUNT}/api/me`)).body.user as unknown;
  expect([undefined, `${MOUNT}/`, `${MOUNT}/protected`]).toContain(callback.headers.location);
  if (row.outcome === 'followed') {
    expect(callback.headers.location).toBe(`${MOUNT}/protected`);
    await browser.get(callback.headers.location!).expect(200);
    expect(await me()).toEqual({ email: 'minerva.teacher@example.opinsys.fi' });
  } else if (row.outcome === 'mount-root') {
    expect(callback.headers.location).toBe(`${MOUNT}/`);
    await browser.get(callback.headers.location!);
    expect(await me()).toEqual({ email: 'minerva.teacher@example.opinsys.fi' });
  } else {
    // A GET callback refuses at once; a form POST carries no cookie, so its 303 (to MOUNT/, never
    // the hostile URL) comes first and the GET there refuses.
    const refusal = callback.status === 303 ? await browser.get(callback.headers.location!) : callback;
    expect(refusal.status).toBe(403);
    expect(site.codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    expect(await me()).toBeUndefined();
  }
  expect(site.proxy!.siblingSaw).toEqual([]);
}
