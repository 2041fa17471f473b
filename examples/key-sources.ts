// The README's key-source snippets, type-checked in CI.
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import passport from 'passport';
import { JwtSsoStrategy, type PuavoClaims } from 'passport-jwtsso';

const verify = (claims: PuavoClaims, done: (err: unknown, user?: Express.User) => void) => done(null, { id: claims.puavo_id });

// 1. A shared secret (Puavo, Zendesk): HS256.
passport.use(
  new JwtSsoStrategy<PuavoClaims>({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: process.env.SSO_SECRET ?? '' }, verify),
);

// 1b. WSO2 Identity Server configured for HS512: the API key's bytes (64 or more), HS512 only.
passport.use(
  new JwtSsoStrategy<PuavoClaims>(
    {
      name: 'wso2',
      authEndpoint: 'https://is.example/identity/jwtsso',
      sharedSecret: process.env.WSO2_API_KEY ?? '',
      algorithms: ['HS512'],
    },
    verify,
  ),
);

// 2. A public key, for a provider that signs with its private key: the key's type decides the algorithm.
passport.use(
  new JwtSsoStrategy<PuavoClaims>(
    {
      name: 'public-key',
      authEndpoint: 'https://idp.example/sso',
      publicKey: readFileSync('provider-public.pem', 'utf8'), // RSA → RS256; EC P-256 → ES256; Ed25519 → EdDSA
      issuer: 'https://idp.example',
      audience: 'my-app',
    },
    verify,
  ),
);

// 3. A JWKS: keys fetched, cached, matched by kid, refetched at most every 30 s.
passport.use(
  new JwtSsoStrategy<PuavoClaims>(
    {
      name: 'jwks',
      authEndpoint: 'https://sso.example/login',
      jwksUri: 'https://sso.example/.well-known/jwks.json',
      algorithms: ['ES256'],
    },
    verify,
  ),
);

// 4. Several Puavo organisations on several hosts, each with its own secret.
const secrets: Record<string, string | undefined> = {
  'school-a.example.org': process.env.SSO_SECRET_A,
  'school-b.example.org': process.env.SSO_SECRET_B,
};
passport.use(
  new JwtSsoStrategy<PuavoClaims>(
    {
      name: 'puavo-tenants',
      authEndpoint: 'https://api.opinsys.fi/v3/sso',
      secretOrKeyProvider: (req: IncomingMessage) => {
        const secret = secrets[String(req.headers.host)];
        if (secret === undefined) throw new Error(`no SSO secret for host ${String(req.headers.host)}`);
        return secret;
      },
      servicePathPrefix: '/', // the token must have been minted for this service
    },
    verify,
  ),
);
