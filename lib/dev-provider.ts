import { systemClock } from './clock';
// A development identity provider that behaves like Puavo's /v3/sso, for demos and for apps'
// own tests. Never for production: it signs anyone in as anyone.
import { createHmac, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import type { PuavoUserClaims } from './claims';

/** A user the dev provider offers: Puavo's claims without the per-token ones. */
export type DevUser = PuavoUserClaims;

/** Options of {@link createDevProvider}. */
export interface DevProviderOptions {
  /** The secret tokens are signed with (HS256); the app's `sharedSecret`. Required. */
  sharedSecret: string | Uint8Array;
  /** Users on the login page. Default: a teacher, a student and an admin of one school ({@link DEFAULT_DEV_USERS}). */
  users?: readonly DevUser[];
  /**
   * Hosts `return_to` (and the logout `redirect_to`) may point at, as `host` (any port) or
   * `host:port`. Default: `localhost`, `127.0.0.1` and `[::1]` on any port.
   */
  allowedHosts?: readonly string[];
  /** Seconds added to `iat`: negative mints stale tokens, positive ones from the future. Default 0. */
  iatOffset?: number;
  /** Send `iat` as a string of digits, as Puavo did before November 2020. Default false. */
  legacyStringIat?: boolean;
  /** Makes each token's `jti`; a constant one lets an app test its replay protection. Default: a random UUID. */
  jti?: () => string;
  /** `external_service_path_prefix` of the tokens. Default `'/'`. */
  servicePathPrefix?: string;
  /** The query parameter the token is added to `return_to` as. Default `'jwt'`. */
  tokenParam?: string;
  /** Remember the chosen user in a cookie and sign them straight in next time, as Puavo does. Default true. */
  remember?: boolean;
  /** Milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: () => number;
}

/** A Connect/Express request handler: mount it with `app.use('/v3/sso', provider)`. */
export type DevProvider = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const school = {
  id: '3',
  name: 'Gryffindor Primary School',
  abbreviation: 'gryffindor',
  school_code: '00123',
};
const organisation = { organisation_name: 'Example Town', organisation_domain: 'example.opinsys.fi' };

function user(id: number, username: string, first: string, last: string, role: string, extra: Partial<DevUser> = {}): DevUser {
  return {
    id,
    puavo_id: id,
    username,
    first_name: first,
    last_name: last,
    email: `${username}@example.opinsys.fi`,
    user_type: role,
    ...organisation,
    primary_school_id: school.id,
    schools: [
      {
        ...school,
        roles: [role],
        groups: [{ id: '77', name: 'Class 4B', abbreviation: 'gryffindor-4b', type: 'teaching group' }],
      },
    ],
    learner_id: null,
    external_id: null,
    preferred_language: 'fi',
    year_class: null,
    external_domain_username: null,
    ...extra,
  };
}

/** The default users: a teacher, a student and an admin of one school in one organisation. */
export const DEFAULT_DEV_USERS: readonly DevUser[] = Object.freeze([
  user(1001, 'minerva.teacher', 'Minerva', 'Teacher', 'teacher'),
  user(1002, 'harry.student', 'Harry', 'Student', 'student', { email: null, learner_id: '1.2.246.562.24.10000000001', year_class: '4' }),
  user(1003, 'albus.admin', 'Albus', 'Admin', 'admin'),
]);

const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const RETURN_PARAMS = ['return_to', 'return', 'redirect_uri']; // as Puavo accepts them
const MAX_FORM_BYTES = 16 * 1024;
const REMEMBER_COOKIE = 'jwtsso_dev_user';
const MS_PER_SECOND = 1000;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and quoted attributes. */
export const escapeHtml = (text: unknown): string => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Adds the token to `return_to` the way Puavo does: existing parameters kept but re-serialised
 * (keys sorted, the last of duplicate keys wins, spaces as `%20`), an existing token parameter
 * overwritten, the fragment kept.
 */
export function addTokenToReturnUrl(returnTo: URL, tokenParam: string, token: string): string {
  const params = new Map<string, string>();
  for (const [key, value] of returnTo.searchParams) params.set(key, value);
  params.set(tokenParam, token);
  const query = [...params.keys()]
    .sort()
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(params.get(key)!)}`)
    .join('&');
  return `${returnTo.origin}${returnTo.pathname}?${query}${returnTo.hash}`;
}

// Any spelling of production (`Production`, ` production`, `PROD`): a typo must not turn the guard off.
const PRODUCTION = /^prod(?:uction)?$/;

// True if NODE_ENV names production in any case, with any surrounding spaces, or as `prod`.
function isProductionEnv(value: string | undefined): boolean {
  return value !== undefined && PRODUCTION.test(value.trim().toLowerCase());
}

function refuseInProduction(): void {
  if (isProductionEnv(process.env.NODE_ENV)) {
    throw new Error('createDevProvider: refusing to run with NODE_ENV=production: it signs anyone in as anyone. Use a real provider.');
  }
}

interface Resolved {
  key: KeyObject;
  users: readonly DevUser[];
  allowed: readonly string[];
  iatOffset: number;
  legacyStringIat: boolean;
  jti: () => string;
  servicePathPrefix: string;
  tokenParam: string;
  remember: boolean;
  clock: () => number;
}

function resolve(options: DevProviderOptions): Resolved {
  if (options === null || typeof options !== 'object')
    throw new TypeError('createDevProvider: options must be an object with "sharedSecret".');
  const { sharedSecret } = options;
  if (!((typeof sharedSecret === 'string' || sharedSecret instanceof Uint8Array) && sharedSecret.length > 0)) {
    throw new TypeError('createDevProvider: option "sharedSecret" must be a non-empty string or Buffer (the app\'s sharedSecret).');
  }
  const users = options.users ?? DEFAULT_DEV_USERS;
  if (!Array.isArray(users) || users.length === 0 || users.some((u) => typeof u?.username !== 'string' || typeof u.puavo_id !== 'number')) {
    throw new TypeError('createDevProvider: option "users" must be a non-empty array of Puavo-shaped users (username, puavo_id, …).');
  }
  const allowed = (options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS).map((h) => {
    if (typeof h !== 'string' || h === '')
      throw new TypeError('createDevProvider: option "allowedHosts" must be an array of "host" or "host:port" strings.');
    return h.toLowerCase();
  });
  const iatOffset = options.iatOffset ?? 0;
  if (typeof iatOffset !== 'number' || !Number.isFinite(iatOffset))
    throw new TypeError('createDevProvider: option "iatOffset" must be a finite number of seconds.');
  for (const fn of ['jti', 'clock'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function')
      throw new TypeError(`createDevProvider: option "${fn}" must be a function.`);
  }
  return {
    key: createSecretKey(typeof sharedSecret === 'string' ? Buffer.from(sharedSecret, 'utf8') : Buffer.from(sharedSecret)),
    users,
    allowed,
    iatOffset,
    legacyStringIat: options.legacyStringIat === true,
    jti: options.jti ?? randomUUID,
    servicePathPrefix: options.servicePathPrefix ?? '/',
    tokenParam: options.tokenParam ?? 'jwt',
    remember: options.remember !== false,
    clock: options.clock ?? systemClock,
  };
}

function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowed.includes(host) || allowed.includes(hostname);
}

// An absolute http(s) URL on an allowed host, or the reason it is not.
function checkReturnUrl(value: string | null, allowed: readonly string[]): URL | string {
  if (value === null || value === '') return 'No return address was given (return_to).';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'The return address is not an absolute URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The return address is not an http(s) URL.';
  if (url.username !== '' || url.password !== '') return 'The return address carries credentials.';
  if (!hostAllowed(url, allowed)) return `The host ${url.host} is not allowed to receive tokens. Allowed: ${allowed.join(', ')}.`;
  return url;
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined; // a cookie it cannot read is no remembered user
    }
  }
  return undefined;
}

class FormTooLarge extends Error {}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    return Promise.resolve(new URLSearchParams(parsed as Record<string, string>));
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return Promise.reject(new FormTooLarge());
  return new Promise((resolvePromise, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new FormTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Dev SSO</title>
<style>
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f5f9; color: #1d2433; margin: 0; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); padding: 2rem 2.25rem; }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  .badge { display: inline-block; background: #fff3cd; color: #7a5b00; border-radius: 6px; padding: .1rem .5rem; font-size: .8rem; font-weight: 600; }
  p.muted { color: #5b6478; margin: .5rem 0 1.25rem; }
  form { margin: 0; }
  button.user { display: flex; width: 100%; align-items: center; gap: .9rem; text-align: left; background: #fff; border: 1px solid #d7dce6;
    border-radius: 10px; padding: .75rem 1rem; margin: .5rem 0; font: inherit; cursor: pointer; }
  button.user:hover, button.user:focus { border-color: #2f6fed; box-shadow: 0 0 0 3px rgba(47,111,237,.15); outline: none; }
  .avatar { width: 2.4rem; height: 2.4rem; border-radius: 50%; background: #2f6fed; color: #fff; display: grid; place-items: center; font-weight: 700; }
  .who strong { display: block; } .who span { color: #5b6478; font-size: .9rem; }
  code { background: #eef1f6; padding: .1rem .3rem; border-radius: 4px; word-break: break-all; }
  .error { color: #a01c1c; }
</style></head>
<body><main>${body}</main></body></html>`);
}

/**
 * Creates a development identity provider that behaves like Puavo's `/v3/sso`: a login page
 * listing demo users; choosing one redirects (303) to `return_to` with a signed `jwt` added the
 * way Puavo adds it. `GET /logout?redirect_to=` ends its own session. It refuses a `return_to`
 * whose host is not allowed (400), escapes everything it renders, and refuses to run with
 * `NODE_ENV=production`.
 *
 * @example
 * ```ts
 * import { createDevProvider } from 'passport-jwtsso/dev-provider';
 * const idp = express();
 * idp.use('/v3/sso', createDevProvider({ sharedSecret: 'dev-secret' }));
 * idp.listen(3001); // authEndpoint: 'http://127.0.0.1:3001/v3/sso'
 * ```
 */
export function createDevProvider(options: DevProviderOptions): DevProvider {
  refuseInProduction();
  const o = resolve(options);

  function mint(u: DevUser): string {
    const iat = Math.floor(o.clock() / MS_PER_SECOND) + o.iatOffset;
    const claims = {
      ...u,
      iat: o.legacyStringIat ? String(iat) : iat,
      jti: o.jti(),
      external_service_path_prefix: o.servicePathPrefix,
    };
    if (o.legacyStringIat) {
      // jsonwebtoken refuses to sign a string iat, so this one token shape is assembled by hand.
      const input = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${input}.${createHmac('sha256', o.key).update(input).digest('base64url')}`;
    }
    // Puavo's header: {"alg":"HS256"}, no typ.
    return jwt.sign(claims, o.key, { algorithm: 'HS256', header: { alg: 'HS256', typ: undefined } });
  }

  function loginPage(res: ServerResponse, returnTo: URL): void {
    const buttons = o.users
      .map((u) => {
        const role = u.schools?.[0]?.roles?.[0] ?? u.user_type ?? '';
        const initials = `${u.first_name?.[0] ?? ''}${u.last_name?.[0] ?? ''}`;
        return `<button class="user" type="submit" name="user" value="${escapeHtml(u.username)}">
  <span class="avatar" aria-hidden="true">${escapeHtml(initials)}</span>
  <span class="who"><strong>${escapeHtml(`${u.first_name} ${u.last_name}`)}</strong>
  <span>${escapeHtml(role)} · ${escapeHtml(u.username)} · ${escapeHtml(u.schools?.[0]?.name ?? u.organisation_name)}</span></span>
</button>`;
      })
      .join('\n');
    send(
      res,
      200,
      'Sign in',
      `<span class="badge">Development identity provider</span>
<h1>Sign in to ${escapeHtml(returnTo.host)}</h1>
<p class="muted">Choose a demo user of ${escapeHtml(o.users[0]!.organisation_name)}. This provider signs anyone in as anyone: never use it in production.</p>
<form method="post" action="">
<input type="hidden" name="return_to" value="${escapeHtml(returnTo.href)}">
${buttons}
</form>`,
    );
  }

  function badReturn(res: ServerResponse, why: string): void {
    send(
      res,
      400,
      'Bad return address',
      `<span class="badge">Development identity provider</span>
<h1 class="error">Cannot sign in</h1><p>${escapeHtml(why)}</p>`,
    );
  }

  function redirectWithToken(res: ServerResponse, returnTo: URL, u: DevUser, cookiePath: string): void {
    const headers: Record<string, string | string[]> = {
      Location: addTokenToReturnUrl(returnTo, o.tokenParam, mint(u)),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    };
    if (o.remember)
      headers['Set-Cookie'] = `${REMEMBER_COOKIE}=${encodeURIComponent(u.username)}; Path=${cookiePath}; HttpOnly; SameSite=Lax`;
    res.writeHead(303, headers);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse, next: ((err?: unknown) => void) | undefined): Promise<void> {
    refuseInProduction();
    const url = new URL(req.url ?? '/', 'http://dev-provider.invalid');
    const mount = (req as { baseUrl?: string }).baseUrl ?? '';
    const cookiePath = mount === '' ? '/' : mount;
    const path = url.pathname.replace(/\/+$/, '');

    if (path === '/logout' && (req.method === 'GET' || req.method === 'HEAD')) {
      const target = checkReturnUrl(url.searchParams.get('redirect_to'), o.allowed);
      const clear = `${REMEMBER_COOKIE}=; Path=${cookiePath}; HttpOnly; SameSite=Lax; Max-Age=0`;
      if (typeof target === 'string') {
        res.setHeader('Set-Cookie', clear);
        return send(
          res,
          200,
          'Signed out',
          `<span class="badge">Development identity provider</span><h1>Signed out</h1><p class="muted">${escapeHtml(target)}</p>`,
        );
      }
      res.writeHead(302, { Location: target.href, 'Set-Cookie': clear, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    if (path !== '') {
      if (next !== undefined) return next();
      return send(res, 404, 'Not found', '<h1>Not found</h1>');
    }

    if (req.method === 'POST') {
      let form: URLSearchParams;
      try {
        form = await readForm(req);
      } catch (err) {
        if (!(err instanceof FormTooLarge)) throw err;
        res.writeHead(413, { Connection: 'close', 'Content-Type': 'text/plain' });
        return void res.end('Form too large');
      }
      const returnTo = checkReturnUrl(form.get('return_to') ?? url.searchParams.get('return_to'), o.allowed);
      if (typeof returnTo === 'string') return badReturn(res, returnTo);
      const chosen = o.users.find((u) => u.username === form.get('user'));
      if (chosen === undefined) return badReturn(res, 'No such demo user.');
      return redirectWithToken(res, returnTo, chosen, cookiePath);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD, POST' });
      return void res.end();
    }
    const given = RETURN_PARAMS.map((p) => url.searchParams.get(p)).find((v) => v !== null) ?? null;
    const returnTo = checkReturnUrl(given, o.allowed);
    if (typeof returnTo === 'string') return badReturn(res, returnTo);
    const remembered = o.remember ? readCookie(req, REMEMBER_COOKIE) : undefined;
    const known = remembered === undefined ? undefined : o.users.find((u) => u.username === remembered);
    if (known !== undefined && url.searchParams.get('prompt') !== 'login') return redirectWithToken(res, returnTo, known, cookiePath);
    loginPage(res, returnTo);
  }

  return (req, res, next) => {
    handle(req, res, next).catch((err: unknown) => {
      if (next !== undefined) return next(err);
      if (!res.headersSent) send(res, 500, 'Error', '<h1 class="error">Dev provider error</h1>');
      else res.destroy();
    });
  };
}
