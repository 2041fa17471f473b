// A development identity provider that plays Puavo's /v3/sso, or the shape of WSO2's JWT SSO
// connector, a Zendesk-, Freshworks- or Thinkific-style provider, for demos and for apps' own
// tests. Never for production: it signs anyone in as anyone. The handler and its routes are
// here; each shape (with every fact of its wire shape), the users, options, minting, form and
// cookie reading and the pages have a file of their own.
import type { KeyObject } from 'node:crypto';
import type { Jwk } from '../keys/material';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FormTooLarge, readCookie, readForm } from './http';
import { jwksOf, mint } from './mint';
import { refuseInProduction, resolve, type DevProviderOptions, type DevProviderShape } from './options';
import { escapeHtml, send } from './page';
import { withoutTrailingSlashes } from '../urls';
import { checkReturnUrl, type DeliveryHeaders, type Login } from './shape';
import { SHAPES } from './shapes';
import type { DevUser } from './users';

export { DEFAULT_DEV_USERS, type DevUser } from './users';
export type { DevClaimsContext, DevHmacAlgorithm, DevProviderOptions, DevProviderShape } from './options';
export { escapeHtml } from './page';
export { addTokenToReturnUrl } from './puavo';

/** A JSON Web Key Set: the public keys a provider signs with. */
export interface DevJwks {
  /** The public keys, each with its `kid`, `alg` and `use`. */
  keys: Jwk[];
}

/**
 * A Connect/Express request handler: mount it with `app.use('/v3/sso', provider)`. Its
 * properties say what an app needs to verify its tokens when it signs with a key pair.
 */
export interface DevProvider {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** The shape it plays. */
  readonly shape: DevProviderShape;
  /** `'freshworks'`: the public key of its RS256 tokens (the app's `publicKey`); else undefined. */
  readonly publicKey: KeyObject | undefined;
  /** `'freshworks'`: its public key as a JWKS, also served at `GET <mount>/jwks.json`; else undefined. */
  readonly jwks: DevJwks | undefined;
}

const REMEMBER_COOKIE = 'jwtsso_dev_user';
// The login page's own field: never a login request's parameter to pass on.
const USER_FIELD = 'user';

/**
 * Creates a development identity provider. By default it behaves like Puavo's `/v3/sso`: a
 * login page listing demo users; choosing one redirects (303) to `return_to` with a signed `jwt`
 * added the way Puavo adds it. With `shape` it plays another provider's wire format instead:
 * `'wso2'`, `'zendesk'`, `'freshworks'` or `'thinkific'` (see {@link DevProviderShape}).
 * `GET /logout?redirect_to=` ends its own session (`'wso2'`: `GET /logout?jwtRP=`, redirected to
 * the fixed `logoutUrl`). It refuses a `return_to`, callback or `redirect_uri` whose host is not
 * allowed (400), escapes everything it renders under a strict CSP, and refuses to run with
 * `NODE_ENV=production`.
 *
 * @example
 * ```ts
 * import { createDevProvider } from 'passport-jwtsso/dev-provider';
 * const idp = express();
 * idp.use('/v3/sso', createDevProvider({ sharedSecret: 'dev-secret' }));
 * idp.use('/identity/jwtsso', createDevProvider({
 *   shape: 'wso2', sharedSecret: 'dev-secret', callbackUrl: 'http://localhost:3000/sso/callback',
 * }));
 * idp.listen(3001); // authEndpoint: 'http://127.0.0.1:3001/v3/sso'
 * ```
 */
export function createDevProvider(options: DevProviderOptions): DevProvider {
  refuseInProduction();
  const o = resolve(options);
  const shape = SHAPES[o.shape];
  const jwks = jwksOf(o.signing);

  function loginPage(res: ServerResponse, login: Login): void {
    const buttons = o.users
      .map((u) => {
        const role = u.schools?.[0]?.roles?.[0] ?? u.user_type ?? '';
        const initials = `${u.first_name?.[0] ?? ''}${u.last_name?.[0] ?? ''}`;
        return `<button class="user" type="submit" name="${USER_FIELD}" value="${escapeHtml(u.username)}">
  <span class="avatar" aria-hidden="true">${escapeHtml(initials)}</span>
  <span class="who"><strong>${escapeHtml(`${u.first_name} ${u.last_name}`)}</strong>
  <span>${escapeHtml(role)} · ${escapeHtml(u.username)} · ${escapeHtml(u.schools?.[0]?.name ?? u.organisation_name)}</span></span>
</button>`;
      })
      .join('\n');
    const hidden = login.kept.map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n');
    send(
      res,
      200,
      'Sign in',
      `<span class="badge">Development identity provider</span>
<h1>Sign in to ${escapeHtml(login.destination.host)}</h1>
<p class="muted">Choose a demo user of ${escapeHtml(o.users[0]!.organisation_name)}. This provider signs anyone in as anyone: never use it in production.</p>
<form method="post" action="">
${hidden}
${buttons}
</form>`,
    );
  }

  function refuse(res: ServerResponse, title: string, why: string): void {
    send(
      res,
      400,
      title,
      `<span class="badge">Development identity provider</span>
<h1 class="error">Cannot sign in</h1><p>${escapeHtml(why)}</p>`,
    );
  }

  function signInAs(res: ServerResponse, login: Login, u: DevUser, cookiePath: string): void {
    const headers: DeliveryHeaders = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };
    if (o.remember)
      headers['Set-Cookie'] = `${REMEMBER_COOKIE}=${encodeURIComponent(u.username)}; Path=${cookiePath}; HttpOnly; SameSite=Lax`;
    shape.deliver(o, res, { login, token: mint(o, u, login), headers });
  }

  function logout(res: ServerResponse, url: URL, cookiePath: string): void {
    const clear = `${REMEMBER_COOKIE}=; Path=${cookiePath}; HttpOnly; SameSite=Lax; Max-Age=0`;
    const target = shape.logout?.(o, url.searchParams) ?? checkReturnUrl(url.searchParams.get('redirect_to'), o.allowed);
    if (typeof target === 'string') {
      return send(
        res,
        200,
        'Signed out',
        `<span class="badge">Development identity provider</span><h1>Signed out</h1><p class="muted">${escapeHtml(target)}</p>`,
        { 'Set-Cookie': clear },
      );
    }
    res.writeHead(302, { Location: target.href, 'Set-Cookie': clear, 'Cache-Control': 'no-store' });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse, next: ((err?: unknown) => void) | undefined): Promise<void> {
    refuseInProduction();
    const url = new URL(req.url ?? '/', 'http://dev-provider.invalid');
    const mount = (req as { baseUrl?: string }).baseUrl ?? '';
    const cookiePath = mount === '' ? '/' : mount;
    const path = withoutTrailingSlashes(url.pathname);
    const readOnly = req.method === 'GET' || req.method === 'HEAD';

    if (path === '/logout' && readOnly) return logout(res, url, cookiePath);
    if (path === '/jwks.json' && readOnly && jwks !== undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return void res.end(JSON.stringify(jwks));
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
      // The login page's fields, and the login request's query for what the form lacks.
      const params = new URLSearchParams(form);
      for (const [k, v] of url.searchParams) if (!form.has(k) && k !== USER_FIELD) params.append(k, v);
      const login = shape.accept(o, params, { posted: true });
      if (typeof login === 'string') return refuse(res, 'Bad sign-in request', login);
      const chosen = o.users.find((u) => u.username === form.get(USER_FIELD));
      if (chosen === undefined) return refuse(res, 'No such user', 'No such demo user.');
      return signInAs(res, login, chosen, cookiePath);
    }
    if (!readOnly) {
      res.writeHead(405, { Allow: 'GET, HEAD, POST' });
      return void res.end();
    }
    const login = shape.accept(o, url.searchParams, { posted: false });
    if (typeof login === 'string') return refuse(res, 'Bad sign-in request', login);
    const remembered = o.remember ? readCookie(req, REMEMBER_COOKIE) : undefined;
    const known = remembered === undefined ? undefined : o.users.find((u) => u.username === remembered);
    if (known !== undefined && url.searchParams.get('prompt') !== 'login') return signInAs(res, login, known, cookiePath);
    loginPage(res, login);
  }

  const handler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void => {
    handle(req, res, next).catch((err: unknown) => {
      if (next !== undefined) return next(err);
      if (!res.headersSent) send(res, 500, 'Error', '<h1 class="error">Dev provider error</h1>');
      else res.destroy();
    });
  };
  return Object.assign(handler, { shape: o.shape, publicKey: o.signing.publicKey, jwks });
}
