// Koa with koa-passport and koa-session: the README's recipe, end to end.
import { createServer } from 'node:http';
import Koa from 'koa';
import session from 'koa-session';
import { KoaPassport } from 'koa-passport';
import { JwtSsoError, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
import { bodyParser } from '@koa/bodyparser';
import {
  bodyUnreadableFault,
  closeServer,
  FORM_CALLBACK,
  formPostFlow,
  frameworkFlow,
  listen,
  SECRET,
  type AppConfig,
  type RunningApp,
} from './flow';

const startKoa =
  (options: { bodyParser?: boolean; drainBody?: boolean } = {}) =>
  async (config: AppConfig): Promise<RunningApp> => {
    // --- the README's Koa recipe ---
    const passport = new KoaPassport();
    passport.use(
      new JwtSsoStrategy<PuavoClaims>(
        { authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy },
        (claims, done) => done(null, { id: claims.puavo_id, username: claims.username }),
      ),
    );
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user: Express.User, done) => done(null, user));

    const app = new Koa();
    // The app's error handler: a fault's status, code and message (Koa's own hides them).
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const e = err as { status?: number; code?: string; message?: string };
        ctx.status = e.status ?? 500;
        ctx.body = { code: e.code ?? null, message: e.message ?? null };
      }
    });
    // A middleware that reads the body and keeps nothing (a logger that drains it): no parser.
    if (options.drainBody === true) {
      app.use(async (ctx, next) => {
        for await (const _ of ctx.req);
        await next();
      });
    }
    app.keys = ['koa-cookie-signing-key'];
    app.use(session({ sameSite: 'lax', httpOnly: true }, app));
    if (options.bodyParser) app.use(bodyParser());
    app.use(passport.initialize());
    app.use(passport.session());

    // Signs in, passes a signed-in session through, and answers a refusal with its status and code.
    const signedIn: Koa.Middleware = (ctx, next) =>
      passport.authenticate('jwtsso', async (err: unknown, user: Express.User | false, info: unknown, status?: number) => {
        if (err) throw err;
        if (!user) {
          ctx.status = status ?? 401;
          ctx.body = { code: info instanceof JwtSsoError ? info.code : null };
          return;
        }
        await ctx.login(user);
        await next();
      })(ctx, next);

    app.use(async (ctx, next) => {
      if (ctx.path !== '/protected' && ctx.path !== FORM_CALLBACK) return next();
      await signedIn(ctx, async () => {
        ctx.body = { user: ctx.state.user };
      });
    });
    // --- end of the recipe ---

    const server = createServer(app.callback());
    const url = await listen(server);
    return { url, close: () => closeServer(server) };
  };

frameworkFlow('Koa 3 + koa-passport 6 + koa-session 7', startKoa());
// Koa parses no body itself: the strategy reads the form; with @koa/bodyparser, it takes the parsed one.
formPostFlow('Koa 3 + koa-passport 6', startKoa());
formPostFlow('Koa 3 + koa-passport 6 + @koa/bodyparser 6', startKoa({ bodyParser: true }));
bodyUnreadableFault('Koa 3 + koa-passport 6', startKoa({ drainBody: true }));
