// A development identity provider that behaves like Puavo's /v3/sso, for demos and for apps'
// own tests. Never for production: it signs anyone in as anyone. The handler and its routes are
// here; users, options, minting, Puavo's URL rules, form and cookie reading and the pages each
// have a file of their own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FormTooLarge, readCookie, readForm } from './http';
import { mint } from './mint';
import { refuseInProduction, resolve, type DevProviderOptions } from './options';
import { escapeHtml, send } from './page';
import { addTokenToReturnUrl, checkReturnUrl, RETURN_PARAMS } from './puavo-url';
import type { DevUser } from './users';

export { DEFAULT_DEV_USERS, type DevUser } from './users';
export type { DevProviderOptions } from './options';
export { escapeHtml } from './page';
export { addTokenToReturnUrl } from './puavo-url';

/** A Connect/Express request handler: mount it with `app.use('/v3/sso', provider)`. */
export type DevProvider = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const REMEMBER_COOKIE = 'jwtsso_dev_user';

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

  function refuse(res: ServerResponse, title: string, why: string): void {
    send(
      res,
      400,
      title,
      `<span class="badge">Development identity provider</span>
<h1 class="error">Cannot sign in</h1><p>${escapeHtml(why)}</p>`,
    );
  }

  function redirectWithToken(res: ServerResponse, returnTo: URL, u: DevUser, cookiePath: string): void {
    const headers: Record<string, string | string[]> = {
      Location: addTokenToReturnUrl(returnTo, o.tokenParam, mint(o, u)),
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
      if (typeof returnTo === 'string') return refuse(res, 'Bad return address', returnTo);
      const chosen = o.users.find((u) => u.username === form.get('user'));
      if (chosen === undefined) return refuse(res, 'No such user', 'No such demo user.');
      return redirectWithToken(res, returnTo, chosen, cookiePath);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD, POST' });
      return void res.end();
    }
    const given = RETURN_PARAMS.map((p) => url.searchParams.get(p)).find((v) => v !== null) ?? null;
    const returnTo = checkReturnUrl(given, o.allowed);
    if (typeof returnTo === 'string') return refuse(res, 'Bad return address', returnTo);
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
