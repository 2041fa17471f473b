// What the fuzz suite attacks: one real app per framework × provider shape × login-state store,
// built by the framework suites' own recipes (spec/frameworks/apps.ts, spec/helpers/app.ts),
// and the provider's part of a login played by the test (the redirect read, the token minted
// and delivered the way each shape delivers it), so a run costs no provider round trip.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { presets, type JwtSsoStrategyOptions, type PuavoClaims } from '../../lib';
import { startApp } from '../helpers/app';
import { secureSession, startFastify, startKoa, startNest } from '../frameworks/apps';
import { FORM_CALLBACK, SECRET, userOf, type AppConfig, type LoginStateName, type RunningApp } from '../frameworks/flow';

export { SECRET };
export const OTHER_SECRET = 'not-the-shared-secret-of-this-app';
export const IDP = 'https://idp.example.test';
export const CLIENT_ID = 'demo-client';

// Freshworks signs RS256 with its own key: one pair for the run, and a second one that is not it.
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
export const RSA = pair();
export const OTHER_RSA = pair();
/** The private key's base64 body: a response that contained it would leak the key. */
export const RSA_PRIVATE_BODY = RSA.privateKey
  .export({ type: 'pkcs8', format: 'pem' })
  .toString()
  .split('\n')
  .filter((l) => !l.startsWith('-----'))
  .join('');

export const SHAPES = ['puavo', 'wso2', 'zendesk', 'freshworks', 'thinkific'] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Each shape's strategy options, as its preset makes them, with the callback on the apps' FORM_CALLBACK route. */
export function shapeOptions(shape: ShapeName): Partial<JwtSsoStrategyOptions> & { authEndpoint: string } {
  switch (shape) {
    case 'puavo':
      return presets.puavo({ authEndpoint: `${IDP}/v3/sso`, sharedSecret: SECRET, organisation: 'example.opinsys.fi' }) as never;
    case 'wso2':
      return presets.wso2({ server: IDP, relyingParty: 'demo-app', sharedSecret: SECRET, callbackPath: FORM_CALLBACK }) as never;
    case 'zendesk':
      return presets.zendesk({ loginUrl: `${IDP}/sso/jwt`, sharedSecret: SECRET, callbackPath: FORM_CALLBACK }) as never;
    case 'freshworks':
      return {
        ...presets.freshworks({
          authEndpoint: `${IDP}/sso/authorize`,
          clientId: CLIENT_ID,
          callbackPath: FORM_CALLBACK,
          publicKey: RSA.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        }),
        sharedSecret: undefined,
      } as never;
    case 'thinkific':
      return presets.thinkific({ loginUrl: `${IDP}/sso/jwt`, sharedSecret: SECRET, callbackPath: FORM_CALLBACK }) as never;
  }
}

/**
 * `express (throwing callback)` is the Express app with its page at `/throwing`, whose custom
 * callback throws an HTTP error on a refusal (spec/helpers/app.ts): built so on purpose.
 */
export const FRAMEWORKS = ['express', 'express (throwing callback)', 'fastify', 'koa', 'nest'] as const;
export type FrameworkName = (typeof FRAMEWORKS)[number];

/** The protected page of each app. */
export const pageOf = (framework: FrameworkName): string => (framework === 'express (throwing callback)' ? '/throwing' : '/protected');

/**
 * The one configured fault of every fuzzed app: its user directory fails for this user, so a
 * valid token of theirs ends in a 500 (the strategy's `error`, the framework's error answer).
 */
export const FAULT_USER = 'fault.user';
const faultyDirectory = (claims: PuavoClaims): Express.User | Error =>
  claims.username === FAULT_USER
    ? new Error('the user directory is down (a configured fault)')
    : { id: claims.puavo_id, username: claims.username };

/** Express 5 + Passport 0.7 + express-session: the flow suites' app (spec/helpers/app.ts). */
async function startExpress(config: AppConfig): Promise<RunningApp> {
  const app = await startApp({
    strategy: { authEndpoint: config.authEndpoint, loginState: config.loginState, ...config.strategy },
    verify: (claims, done) => {
      const user = userOf(config, claims as unknown as PuavoClaims);
      return user instanceof Error ? done(user) : done(null, user);
    },
  });
  return { url: app.url, close: () => app.close() };
}

const STARTERS: Record<FrameworkName, (config: AppConfig) => Promise<RunningApp>> = {
  express: startExpress,
  'express (throwing callback)': startExpress,
  fastify: startFastify(secureSession),
  koa: startKoa(),
  nest: startNest,
};

export interface Surface {
  framework: FrameworkName;
  shape: ShapeName;
  store: LoginStateName;
}

export const surfaceName = (s: Surface): string => `${s.framework} × ${s.shape} × ${s.store}`;

/** A form-POST shape with the session store is refused when the strategy is built (a cross-site POST carries no session cookie). */
export const buildable = (s: Surface): boolean => !(s.shape === 'zendesk' && s.store === 'session');

export function startSurface(s: Surface): Promise<RunningApp> {
  const strategy = shapeOptions(s.shape);
  return STARTERS[s.framework]({ authEndpoint: strategy.authEndpoint, loginState: s.store, strategy, user: faultyDirectory });
}

/** The claims a shape's provider sends (every app's verify reads `puavo_id` and `username`). */
export function claimsFor(shape: ShapeName, nonce: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const base: Record<string, unknown> = { iat: now, puavo_id: 7, username: 'minerva.teacher', email: 'minerva@example.test' };
  if (shape === 'wso2') base.exp = now + 120;
  if (shape === 'freshworks') Object.assign(base, { aud: CLIENT_ID, nonce, exp: now + 300, sub: 'minerva' });
  else if (shape === 'zendesk') base.jti = Math.floor(Math.random() * 2 ** 40);
  else base.jti = randomUUID();
  return { ...base, ...extra };
}

/** A token as the shape's provider signs it (HS256 with the shared secret, or RS256 with the provider's key). */
export function signFor(shape: ShapeName, claims: Record<string, unknown>, options: { wrongKey?: boolean } = {}): string {
  if (shape === 'freshworks') {
    return jwt.sign(claims, (options.wrongKey === true ? OTHER_RSA : RSA).privateKey, { algorithm: 'RS256' });
  }
  return jwt.sign(claims, options.wrongKey === true ? OTHER_SECRET : SECRET, {
    algorithm: 'HS256',
    header: { alg: 'HS256', typ: undefined },
  });
}

/** The name of the parameter the shape's token travels in. */
export const tokenParamOf = (shape: ShapeName): string => (shape === 'freshworks' ? 'id_token' : 'jwt');

/** How the provider brings a token back: the request's method and path, and its parameters in order. */
export interface Delivery {
  method: 'GET' | 'POST';
  path: string;
  /** Parameters of the query (GET) or the form body (POST), the token among them. */
  params: Array<[string, string]>;
  /** The nonce the login asked for (freshworks), which its token must carry. */
  nonce: string | null;
}

/**
 * What the shape's provider does with the app's redirect to it: where it sends the browser back,
 * and with which parameters beside the token (`TOKEN` stands for it, to be replaced).
 */
export function deliveryFor(shape: ShapeName, location: string): Delivery {
  const login = new URL(location);
  const q = login.searchParams;
  switch (shape) {
    case 'puavo': {
      // The token appended to the return URL itself.
      const back = new URL(q.get('return_to')!);
      return { method: 'GET', path: back.pathname, params: [...back.searchParams, ['jwt', 'TOKEN']], nonce: null };
    }
    case 'wso2':
    case 'thinkific':
      return {
        method: 'GET',
        path: FORM_CALLBACK,
        params: [
          ['jwt', 'TOKEN'],
          ['return_to', q.get('return_to')!],
        ],
        nonce: null,
      };
    case 'zendesk':
      return {
        method: 'POST',
        path: FORM_CALLBACK,
        params: [
          ['jwt', 'TOKEN'],
          ['return_to', q.get('return_to')!],
        ],
        nonce: null,
      };
    case 'freshworks': {
      const back = new URL(q.get('redirect_uri')!);
      return {
        method: 'GET',
        path: back.pathname,
        params: [
          ['state', q.get('state')!],
          ['id_token', 'TOKEN'],
        ],
        nonce: q.get('nonce'),
      };
    }
  }
}

export const encodeParams = (params: ReadonlyArray<readonly [string, string]>): string =>
  params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
