// An Express app that signs its users in through Opinsys/Puavo SSO, like the README's "Use"
// (whose own snippet spec/package.test.ts compiles with --strict against the packed package). In
// an app that has run `npm install passport-jwtsso`; type-checked in CI against lib/. An app
// declares its user once, on Express.User (as the README shows); here that declaration would
// reach every file of this repository's one TypeScript program, so this file names its user
// type on the strategy (JwtSsoStrategy<PuavoClaims, AppUser>) and narrows req.user itself.
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';

interface AppUser {
  id: number;
  username: string;
  organisation: string;
}

passport.use(
  new JwtSsoStrategy<PuavoClaims, AppUser>(
    {
      authEndpoint: 'https://api.opinsys.fi/v3/sso',
      sharedSecret: process.env.SSO_SECRET, // unset: a TypeError asks whether SSO_SECRET is set
      host: process.env.PUBLIC_HOST ?? 'localhost:3000', // never trust the Host header for it
      scheme: process.env.PUBLIC_HOST === undefined ? 'http' : 'https',
      maxAge: 300, // Puavo with MFA mints the token before the code is typed
    },
    (claims, done) => {
      const user: AppUser = { id: claims.puavo_id, username: claims.username, organisation: claims.organisation_domain };
      done(null, user);
    },
  ),
);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user: Express.User, done) => done(null, user));

const app = express();
app.set('trust proxy', 'loopback'); // only if a proxy on this machine sets X-Forwarded-*
app.use(
  session({
    secret: process.env.SESSION_SECRET ?? 'change-me',
    resave: false,
    saveUninitialized: false,
    // Lax, not Strict: the provider's redirect back is a cross-site navigation.
    cookie: { httpOnly: true, sameSite: 'lax', secure: process.env.PUBLIC_HOST !== undefined },
  }),
);
app.use(passport.session());

app.get('/', passport.authenticate('jwtsso'), (req, res) => {
  const user = req.user as AppUser;
  res.send(`Hello ${user.username} of ${user.organisation}`);
});
app.get('/api/me', passport.authenticate('jwtsso', { redirect: false }), (req, res) => {
  res.json(req.user);
});
app.post('/logout', (req, res, next) => {
  req.logout((err) => (err ? next(err) : res.redirect('/')));
});

if (require.main === module) app.listen(3000, () => console.log('http://localhost:3000/'));
export default app;
