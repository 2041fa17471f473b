// `passport-jwtsso/testing`: sign a test user in to an app through the development identity
// provider with one call (supertest or any agent with a cookie jar), and mint Puavo-shaped tokens
// for the tests that need a token of their own. For tests only: it signs anyone in as anyone.
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevProvider, DEFAULT_DEV_USERS, type DevProviderOptions, type DevProviderShape, type DevUser } from './dev-provider';
import { mint } from './dev-provider/mint';
import { resolve } from './dev-provider/options';
import { RETURN_PARAMS } from './dev-provider/puavo';
import { SHAPES } from './dev-provider/shapes';

/** Longest piece of a response body quoted in an error. */
const QUOTED_BODY = 300;

/** A running development identity provider on loopback. */
export interface RunningDevProvider {
  /** Its SSO endpoint, e.g. `http://127.0.0.1:41234/v3/sso`: the app's `authEndpoint`. */
  url: string;
  /** Its logout endpoint: the app's `logoutEndpoint`. */
  logoutUrl: string;
  /** The shape it plays. */
  shape: DevProviderShape;
  /** `'freshworks'`: the public key its tokens verify with (the app's `publicKey`); else undefined. */
  publicKey: KeyObject | undefined;
  /** `'freshworks'`: the URL of its JWKS (the app's `jwksUri`); else undefined. */
  jwksUri: string | undefined;
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * Starts the development identity provider on a free loopback port (`127.0.0.1`), under
 * `/v3/sso` as Puavo serves it (`'wso2'`: `/identity/jwtsso`; `'zendesk'`, `'thinkific'`:
 * `/sso/jwt`; `'freshworks'`: `/sso/authorize`). Give the app `authEndpoint: provider.url`.
 * Takes the dev provider's options (`sharedSecret`, `shape`, `callbackUrl`, `users`,
 * `allowedHosts`, `iatOffset`…).
 *
 * @example
 * ```ts
 * const provider = await startDevProvider({ sharedSecret: 'test-secret' });
 * // new JwtSsoStrategy({ authEndpoint: provider.url, sharedSecret: 'test-secret', ... })
 * await provider.close();
 * ```
 */
export async function startDevProvider(options: DevProviderOptions): Promise<RunningDevProvider> {
  const handler = createDevProvider(options);
  // Where the shape's provider serves it (Puavo's /v3/sso, WSO2's /identity/jwtsso…).
  const SSO_PATH = SHAPES[handler.shape].path;
  const server: Server = createServer((req, res) => {
    // Stryker disable next-line StringLiteral: Node's server always sets req.url on a request it hands over
    const url = req.url ?? '/';
    if (url !== SSO_PATH && !url.startsWith(`${SSO_PATH}/`) && !url.startsWith(`${SSO_PATH}?`)) {
      res.writeHead(404).end();
      return;
    }
    const rest = url.slice(SSO_PATH.length);
    // Stryker disable next-line StringLiteral: the handler resolves req.url against a base URL, where "" and "?q" are "/" and "/?q"
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    (req as { baseUrl?: string }).baseUrl = SSO_PATH;
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SSO_PATH}`;
  return {
    url: base,
    logoutUrl: `${base}/logout`,
    shape: handler.shape,
    publicKey: handler.publicKey,
    jwksUri: handler.jwks === undefined ? undefined : `${base}/jwks.json`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** What {@link signIn} needs of a response: supertest's has it. */
export interface AgentResponse {
  /** The HTTP status. */
  status: number;
  /** The response headers, lowercased names (`location`). */
  headers: Record<string, unknown>;
  /** The body as text, quoted in errors. */
  text?: string;
}

/**
 * What {@link signIn} needs of an agent: `get(path)` on the app, keeping cookies between calls
 * and not following redirects. `request.agent(app)` of supertest is one.
 */
export interface SignInAgent {
  /** Requests `path` on the app with the agent's cookies, without following redirects. */
  get(path: string): PromiseLike<AgentResponse>;
}

/** Options of {@link signIn}. */
export interface SignInOptions {
  /** The dev provider the app's `authEndpoint` points at: {@link startDevProvider}'s result, or its URL. */
  provider: RunningDevProvider | string;
  /** A path behind `passport.authenticate('jwtsso')`. Default `'/'`. */
  path?: string;
  /** The username of the dev provider's user to sign in as. Default: its first user. */
  user?: string;
}

const header = (res: AgentResponse, name: string): string | undefined => {
  const value = res.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const isRedirect = (status: number): boolean => status >= 300 && status < 400;

// A page's text, readable in an error message: no styles, scripts or tags, spaces collapsed.
function readable(html: string): string {
  return html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

// Says what a response was, for an error: its status, Location, and the JwtSsoError code or the
// start of its text. Never a token: the token parameter of a Location is not quoted.
function describe(res: AgentResponse): string {
  const location = header(res, 'location');
  const text = readable(res.text ?? '');
  const code = /ERR_JWTSSO_[A-Z_]+/.exec(text)?.[0];
  const shownLocation = location === undefined ? '' : ` to ${location.replace(/([?&]jwt=)[^&#]*/, '$1…')}`;
  const shownText = text === '' ? '' : `: ${text.slice(0, QUOTED_BODY)}`;
  return `${res.status}${shownLocation}${code === undefined ? '' : ` (${code})`}${shownText}`;
}

/**
 * Signs a test user in to an app through the development identity provider, as a browser
 * would, in one call: opens `path`, follows the app's redirect to the provider, chooses the user
 * there, brings the token back to the app, and follows the app's redirect to the clean URL. The
 * agent's cookie jar then holds a signed-in session. Resolves the last response (the page at
 * `path`, or the app's `successRedirect`); throws an Error that says which step went wrong
 * otherwise (with the app's `ERR_JWTSSO_…` code when it sent one). Requests go to the app through
 * the agent whatever host the app's `host` option names.
 *
 * @example
 * ```ts
 * const provider = await startDevProvider({ sharedSecret: 'test-secret' });
 * const app = createApp({ authEndpoint: provider.url, sharedSecret: 'test-secret' });
 * const agent = request.agent(app);
 * await signIn(agent, { path: '/protected', provider, user: 'harry.student' });
 * await agent.get('/api/me').expect(200);
 * ```
 */
export async function signIn(agent: SignInAgent, options: SignInOptions): Promise<AgentResponse> {
  const path = options.path ?? '/';
  const providerUrl = typeof options.provider === 'string' ? options.provider : options.provider.url;
  if (typeof providerUrl !== 'string' || providerUrl === '')
    throw new TypeError('signIn: option "provider" must be the dev provider or its URL.');
  if (typeof options.provider !== 'string' && options.provider.shape !== 'puavo') {
    throw new TypeError(
      `signIn: the dev provider plays the "${options.provider.shape}" shape, and signIn plays Puavo's only: drive that login as a browser would (spec/providers/ in the package's repository shows how for each shape).`,
    );
  }
  const toProvider = await agent.get(path);
  const location = header(toProvider, 'location');
  if (!isRedirect(toProvider.status) || location === undefined || !location.startsWith(providerUrl)) {
    throw new Error(
      `signIn: GET ${path} was not sent to the dev provider at ${providerUrl} (is the path behind passport.authenticate('jwtsso'), is the app's authEndpoint the provider's url, and is no one signed in yet?); it answered ${describe(toProvider)}`,
    );
  }
  const asked = new URL(location);
  const returnTo = RETURN_PARAMS.map((p) => asked.searchParams.get(p)).find((v) => v !== null);
  // Stryker disable next-line ObjectLiteral: the dev provider reads what the form lacks from the login URL's query, which holds the same return URL
  const form = new URLSearchParams({ return_to: returnTo ?? '' });
  if (options.user !== undefined) form.set('user', options.user);
  else form.set('user', await firstUser(asked));
  const chosen = await fetch(asked, { method: 'POST', body: form, redirect: 'manual' });
  const back = chosen.headers.get('location');
  if (chosen.status !== 303 || back === null) {
    const text = readable(await chosen.text());
    throw new Error(`signIn: the dev provider answered ${chosen.status}: ${text.slice(0, QUOTED_BODY)}`);
  }
  const returned = new URL(back);
  const callback = await agent.get(returned.pathname + returned.search);
  const clean = header(callback, 'location');
  if (callback.status !== 303 || clean === undefined) {
    throw new Error(`signIn: the app answered the return from the provider with ${describe(callback)}, not the 303 to the clean URL.`);
  }
  const final = await agent.get(clean);
  // Stryker disable next-line StringLiteral: no Location and any text that is not a URL both fail startsWith(providerUrl), a non-empty URL
  if (final.status >= 400 || (isRedirect(final.status) && (header(final, 'location') ?? '').startsWith(providerUrl))) {
    throw new Error(`signIn: the app refused the sign-in at ${clean}: ${describe(final)}.`);
  }
  return final;
}

// The first user on the provider's login page: what a person would see first.
async function firstUser(loginPage: URL): Promise<string> {
  const page = await fetch(loginPage, { redirect: 'manual' });
  const html = await page.text();
  const match = /name="user" value="([^"]*)"/.exec(html);
  if (match === null) throw new Error(`signIn: the dev provider's login page (${page.status}) lists no user.`);
  return match[1]!
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Options of {@link mintToken}: the dev provider's, and which user. */
export interface MintTokenOptions extends DevProviderOptions {
  /** A username among `users` (default {@link DEFAULT_DEV_USERS}), or a user of its own; claims in it are signed as they are. Default: the first user. */
  user?: string | DevUser;
}

/**
 * Mints a token as the dev provider (and Puavo) mints it: HS256 with `{"alg":"HS256"}`, `iat`
 * now (plus `iatOffset`), a fresh `jti`, and the user's Puavo claims. For tests that bring a token
 * of their own: a stale one (`iatOffset: -3600`), one from the future, one for another user.
 *
 * @example
 * ```ts
 * const stale = mintToken({ sharedSecret: 'test-secret', user: 'minerva.teacher', iatOffset: -3600 });
 * ```
 */
export function mintToken(options: MintTokenOptions): string {
  const { user, ...providerOptions } = options;
  const o = resolve(providerOptions);
  if (typeof user === 'object') return mint(o, user);
  const found = user === undefined ? o.users[0] : o.users.find((u) => u.username === user);
  if (found === undefined) throw new TypeError(`mintToken: option "user" names no user of the provider ("${String(user)}").`);
  return mint(o, found);
}

export { DEFAULT_DEV_USERS, type DevUser, type DevProviderOptions };
