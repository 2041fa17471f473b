// The demo app: one protected page that shows who signed in, a page that explains the flow,
// and a sign-out that ends the provider's session too.
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JwtSsoError, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { escapeHtml } from 'passport-jwtsso/dev-provider';

export interface DemoAppOptions {
  /** The provider's SSO endpoint, e.g. http://127.0.0.1:3001/v3/sso */
  authEndpoint: string;
  /** The provider's logout endpoint, e.g. http://127.0.0.1:3001/v3/sso/logout */
  logoutEndpoint: string;
  sharedSecret: string;
  /** The app's public host:port, e.g. localhost:3000 */
  host: string;
  /** Where pending logins wait: 'cookie' (the default) or 'session'. */
  loginState?: 'cookie' | 'session';
}

interface DemoUser {
  username: string;
  name: string;
  role: string;
  school: string;
  claims: PuavoClaims;
}

const STYLE = `
  body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6f7fb; color: #1d2433; margin: 0; }
  header { background: #1d2433; color: #fff; padding: .8rem 1.5rem; display: flex; justify-content: space-between; align-items: center; }
  header a, header button { color: #fff; }
  main { max-width: 48rem; margin: 2rem auto; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.07); padding: 1.75rem 2rem; }
  h1 { font-size: 1.45rem; margin-top: 0; }
  table { border-collapse: collapse; width: 100%; font-size: .92rem; table-layout: fixed; }
  td code { word-break: break-all; }
  td, th { text-align: left; border-bottom: 1px solid #e6e9f0; padding: .35rem .5rem; vertical-align: top; }
  th { width: 14rem; color: #5b6478; font-weight: 600; }
  code, pre { background: #eef1f6; border-radius: 4px; padding: .1rem .3rem; }
  pre { padding: .75rem; overflow: auto; }
  .ok { color: #17663a; } .error { color: #a01c1c; }
  form.inline { display: inline; } button.link { background: none; border: 0; padding: 0; font: inherit; text-decoration: underline; cursor: pointer; }
  ol li { margin: .35rem 0; }
`;

function page(res: Response, status: number, title: string, user: DemoUser | undefined, body: string): void {
  const nav = user
    ? `<span>Signed in as <strong>${escapeHtml(user.name)}</strong></span>
       <form class="inline" method="post" action="/logout"><button class="link" id="logout" type="submit">Sign out</button></form>`
    : '<a href="/protected">Sign in</a>';
  res.status(status).type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · passport-jwtsso demo</title>
<style>${STYLE}</style></head><body>
<header><a href="/"><strong>passport-jwtsso</strong> demo</a><nav>${nav}</nav></header>
<main>${body}</main></body></html>`);
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? escapeHtml(value) : `<code>${escapeHtml(JSON.stringify(value))}</code>`;
}

/** Builds the demo app (not listening). */
export function createDemoApp(options: DemoAppOptions): express.Express {
  const passport = new Passport();
  const strategy = new JwtSsoStrategy<PuavoClaims>(
    {
      authEndpoint: options.authEndpoint,
      logoutEndpoint: options.logoutEndpoint,
      sharedSecret: options.sharedSecret,
      host: options.host,
      scheme: 'http',
      loginState: options.loginState ?? 'cookie',
    },
    (claims, done) => {
      const user: DemoUser = {
        username: claims.username,
        name: `${claims.first_name} ${claims.last_name}`,
        role: claims.schools[0]?.roles[0] ?? claims.user_type ?? 'user',
        school: claims.schools[0]?.name ?? claims.organisation_name,
        claims,
      };
      done(null, user);
    },
  );
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  app.disable('x-powered-by');
  // One address: the provider returns to options.host, and cookies are per host, so a sign-in
  // started at another address of this app (127.0.0.1 for localhost) would lose its session.
  // The demo is reached directly, never through a proxy, so other hosts are sent there first.
  app.use((req, res, next) => {
    if (req.headers.host === options.host || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    res.redirect(302, `http://${options.host}${req.originalUrl}`);
  });
  app.use(express.urlencoded({ extended: false, limit: '1kb' }));
  app.use(
    session({
      name: 'demo.sid',
      secret: options.sharedSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' }, // Lax: the return from the provider is cross-site
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  // Signed in, redirected to the provider, or a readable page saying why the sign-in was refused.
  const protect = (req: Request, res: Response, next: NextFunction): void => {
    passport.authenticate('jwtsso', (err: unknown, user: DemoUser | false, info: unknown, status: number | undefined) => {
      if (err) return next(err);
      if (!user) {
        const e = info instanceof JwtSsoError ? info : undefined;
        return page(
          res,
          status ?? 401,
          'Sign-in refused',
          undefined,
          `<h1 class="error" id="refused">Sign-in refused</h1>
<p>${escapeHtml(e?.message ?? 'The sign-in was refused.')}</p>
<p>Code: <code id="code">${escapeHtml(e?.code ?? 'unknown')}</code></p>
<p><a href="/protected">Start a new sign-in</a></p>`,
        );
      }
      req.logIn(user, (loginErr) => (loginErr ? next(loginErr) : next()));
    })(req, res, next);
  };

  app.get('/', (req, res) => {
    const user = req.user as DemoUser | undefined;
    page(
      res,
      200,
      'Home',
      user,
      `<h1>passport-jwtsso demo</h1>
<p>This app signs its users in through a JWT single sign-on provider. Here the provider is the
package's development identity provider, running on another origin: it shows a list of demo users
instead of a password form.</p>
<p><a href="/protected" id="open-protected">Open the protected page</a> · <a href="/about">What happens when you sign in</a></p>`,
    );
  });

  app.get('/protected', protect, (req, res) => {
    const user = req.user as DemoUser;
    const rows = Object.entries(user.claims)
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${formatValue(v)}</td></tr>`)
      .join('');
    page(
      res,
      200,
      'Protected',
      user,
      `<h1 class="ok" id="welcome">Hello, ${escapeHtml(user.name)}</h1>
<p>You are signed in as <strong id="username">${escapeHtml(user.username)}</strong>, ${escapeHtml(user.role)} at ${escapeHtml(user.school)}.
The address bar shows no token: it was taken off the URL before this page was served.
<a href="/about">What just happened?</a></p>
<h2>Claims of the token</h2>
<table id="claims">${rows}</table>`,
    );
  });

  app.get('/about', (req, res) => {
    page(
      res,
      200,
      'What happened',
      req.user as DemoUser | undefined,
      `<h1>What just happened</h1>
<ol>
<li>You opened <code>/protected</code> without a session. The strategy made a random <em>state</em>, kept it in a cookie of its own (one per pending sign-in, so tabs never clash),
and redirected you to the provider with <code>return_to=${escapeHtml(`http://${options.host}/protected?jwtsso_state=…`)}</code>.</li>
<li>You chose a user. The provider signed a token (HS256, with <code>iat</code> and a unique <code>jti</code>) and redirected you back
with <code>?jwt=…</code> added to <code>return_to</code>.</li>
<li>The app parked the token in a short-lived cookie and answered with a redirect to the same URL without <code>jwt</code> and the state,
so the token never stays in the address bar, the history or a Referer header.</li>
<li>On the clean URL the strategy checked the token: algorithm, signature, age (<code>iat</code> within <code>maxAge</code>),
that the state came from your session and was unused, and that the <code>jti</code> was never used before.</li>
<li>Passport signed you in with a new session id (no session fixation), and the page showed the claims.</li>
</ol>
<p>Sign out ends the app's session and the provider's, so the next sign-in shows the provider's page again.
Pasting the old callback URL with the token is refused: a token signs in once.</p>
<p><a href="/protected">Back to the protected page</a></p>`,
    );
  });

  // Sign out of the app, then of the provider, or the next visit signs the user straight back in.
  app.post('/logout', (req, res, next) => {
    const providerLogout = strategy.logoutUrl(req, { redirectTo: '/' });
    req.logout((err) => (err ? next(err) : res.redirect(303, providerLogout)));
  });

  return app;
}
