// Express with passport and express-session: the README's recipe, end to end (lib/frameworks/express.ts).
import { createServer } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JwtSsoError, JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';
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

const startExpress =
  (options: { drainBody?: boolean } = {}) =>
  async (config: AppConfig): Promise<RunningApp> => {
    // --- the README's Express recipe ---
    const passport = new Passport();
    passport.use(
      new JwtSsoStrategy<PuavoClaims>(
        { authEndpoint: config.authEndpoint, sharedSecret: SECRET, loginState: config.loginState, ...config.strategy },
        (claims, done) => done(null, { id: claims.puavo_id, username: claims.username }),
      ),
    );
    passport.serializeUser((user, done) => done(null, user));
    passport.deserializeUser((user: Express.User, done) => done(null, user));

    const app = express();
    app.use(session({ secret: 'express-cookie-signing-key', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
    if (options.drainBody === true) {
      // A middleware that reads the body and keeps nothing (a logger that drains it): no parser.
      app.use((req, _res, next) => {
        req.resume();
        req.on('end', () => next());
      });
    } else app.use(FORM_CALLBACK, express.urlencoded({ extended: false })); // a form-POST provider's callback
    app.use(passport.initialize());
    app.use(passport.session());

    // Signs in, passes a signed-in session through, and answers a refusal with its status and code.
    const signedIn: RequestHandler = (req, res, next) =>
      passport.authenticate('jwtsso', (err: unknown, user: Express.User | false, info: unknown, status?: number) => {
        if (err) return next(err);
        if (!user) return res.status(status ?? 401).json({ code: info instanceof JwtSsoError ? info.code : null });
        req.logIn(user, (e) => (e ? next(e) : next()));
      })(req, res, next);
    app.all(['/protected', FORM_CALLBACK], signedIn, (req, res) => void res.json({ user: req.user }));
    // --- end of the recipe ---
    const errors: ErrorRequestHandler = (err: Error & { status?: number; code?: string }, _req, res, _next) =>
      void res.status(err.status ?? 500).json({ code: err.code ?? null, message: err.message });
    app.use(errors);

    const server = createServer(app);
    const url = await listen(server);
    return { url, close: () => closeServer(server) };
  };

frameworkFlow('Express 5 + passport 0.7 + express-session', startExpress());
formPostFlow('Express 5 + passport 0.7 + express-session + express.urlencoded', startExpress());
bodyUnreadableFault('Express 5 + passport 0.7 + express-session', startExpress({ drainBody: true }));
