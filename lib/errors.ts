/**
 * Every way a sign-in can fail, as a stable `code` string. Match on `code`, never on the message:
 * messages explain the failure to a person and may be reworded.
 */
export const JwtSsoErrorCode = {
  /** The token is not three base64url parts with a JSON header and a JSON object payload, is too long, or was given more than once. */
  TOKEN_MALFORMED: 'ERR_JWTSSO_TOKEN_MALFORMED',
  /** The header names an algorithm no configured key verifies (including `none`, with or without a signature), or carries a `crit` header. */
  ALGORITHM_NOT_ALLOWED: 'ERR_JWTSSO_ALGORITHM_NOT_ALLOWED',
  /** The signature does not verify with any configured secret. */
  SIGNATURE_INVALID: 'ERR_JWTSSO_SIGNATURE_INVALID',
  /** A required claim (`iat`, `jti`) is absent. */
  CLAIM_MISSING: 'ERR_JWTSSO_CLAIM_MISSING',
  /** A claim has the wrong type or form (`iat`, `exp`, `nbf`, `jti`). */
  CLAIM_INVALID: 'ERR_JWTSSO_CLAIM_INVALID',
  /** `iat` is older than `maxAge` (plus `clockTolerance`). */
  TOKEN_TOO_OLD: 'ERR_JWTSSO_TOKEN_TOO_OLD',
  /** `exp` has passed (beyond `clockTolerance`). */
  TOKEN_EXPIRED: 'ERR_JWTSSO_TOKEN_EXPIRED',
  /** `iat` or `nbf` lies in the future (beyond `clockTolerance`). */
  TOKEN_NOT_YET_VALID: 'ERR_JWTSSO_TOKEN_NOT_YET_VALID',
  /** The token's `jti` was used before: the replay store refused it. */
  TOKEN_REPLAYED: 'ERR_JWTSSO_TOKEN_REPLAYED',
  /** The returned state was not issued by this browser session, or was used or expired (login CSRF protection). */
  STATE_MISMATCH: 'ERR_JWTSSO_STATE_MISMATCH',
  /** With `nonce: true`: the token's `nonce` claim is absent or is not the nonce of the login this browser started. */
  NONCE_MISMATCH: 'ERR_JWTSSO_NONCE_MISMATCH',
  /** No session middleware runs before the strategy (`req.session` is missing) where the login needs one (a fault, 500). */
  SESSION_REQUIRED: 'ERR_JWTSSO_SESSION_REQUIRED',
  /**
   * The session holds a Passport user (`req.session.passport.user`) but `req.user` is empty:
   * `passport.session()` is not mounted before the route, so every request would be sent to the
   * provider again and a token minted each time.
   */
  PASSPORT_SESSION_MISSING: 'ERR_JWTSSO_PASSPORT_SESSION_MISSING',
  /** No one is signed in and the strategy may not redirect (not GET/HEAD, or `redirect: false`). */
  LOGIN_REQUIRED: 'ERR_JWTSSO_LOGIN_REQUIRED',
  /** The request's Host (or trusted X-Forwarded-Host) is not a valid `host[:port]`. */
  HOST_INVALID: 'ERR_JWTSSO_HOST_INVALID',
  /** The replay store could not answer (full, down, timed out): the login is refused, never let through. */
  REPLAY_STORE_FAILED: 'ERR_JWTSSO_REPLAY_STORE_FAILED',
  /** The key source failed (JWKS down, too large, redirected; `secretOrKeyProvider` threw): refused, never let through. */
  KEY_SOURCE_FAILED: 'ERR_JWTSSO_KEY_SOURCE_FAILED',
  // Setup faults: the app is wired so that the strategy cannot do its work (500, never a refusal).
  /**
   * A form POST to the callback route (`responseMode: 'form_post'`) whose body the strategy cannot
   * read: other middleware read it without parsing it as a form. Mount a form body parser
   * (`express.urlencoded()`, @fastify/formbody, koa-bodyparser) before the route, or none.
   */
  BODY_UNREADABLE: 'ERR_JWTSSO_BODY_UNREADABLE',
  /**
   * A Fastify request without a link to its reply, where the strategy must set cookies or
   * headers: register `passport-jwtsso/fastify` (`jwtssoFastify`) before the routes.
   */
  FASTIFY_PLUGIN_MISSING: 'ERR_JWTSSO_FASTIFY_PLUGIN_MISSING',
  /**
   * The session does not last: a browser that completed a sign-in moments ago came back without
   * its session (the session cookie was never set or not sent back), or the session cookie is
   * `secure` on a request that is not https as the app sees it. Rather than send the browser to
   * the provider again (a loop), the strategy names the likely cause: a Secure cookie over http,
   * a TLS proxy without `trust proxy`, `SameSite=Strict`, a cookie path or domain that does not
   * cover the page.
   */
  SESSION_LOST: 'ERR_JWTSSO_SESSION_LOST',
  // Option errors: thrown at construction, never a sign-in's answer.
  /**
   * An option was refused at construction (`new JwtSsoStrategy()`, or a preset's options): a
   * {@link JwtSsoOptionError}, which is a `TypeError`. Its message names the option and what it
   * expected, never its value.
   */
  INVALID_OPTION: 'ERR_JWTSSO_INVALID_OPTION',
} as const;

/** One of the {@link JwtSsoErrorCode} strings. */
export type JwtSsoErrorCode = (typeof JwtSsoErrorCode)[keyof typeof JwtSsoErrorCode];

/** The codes of a sign-in's failures, each with an HTTP status: every code but the option error's. */
type SignInErrorCode = Exclude<JwtSsoErrorCode, typeof JwtSsoErrorCode.INVALID_OPTION>;

const HTTP_STATUS: Readonly<Record<SignInErrorCode, number>> = {
  ERR_JWTSSO_TOKEN_MALFORMED: 401,
  ERR_JWTSSO_ALGORITHM_NOT_ALLOWED: 401,
  ERR_JWTSSO_SIGNATURE_INVALID: 401,
  ERR_JWTSSO_CLAIM_MISSING: 401,
  ERR_JWTSSO_CLAIM_INVALID: 401,
  ERR_JWTSSO_TOKEN_TOO_OLD: 401,
  ERR_JWTSSO_TOKEN_EXPIRED: 401,
  ERR_JWTSSO_TOKEN_NOT_YET_VALID: 401,
  ERR_JWTSSO_TOKEN_REPLAYED: 401,
  ERR_JWTSSO_STATE_MISMATCH: 403,
  ERR_JWTSSO_NONCE_MISMATCH: 403,
  ERR_JWTSSO_SESSION_REQUIRED: 500,
  ERR_JWTSSO_PASSPORT_SESSION_MISSING: 500,
  ERR_JWTSSO_LOGIN_REQUIRED: 401,
  ERR_JWTSSO_HOST_INVALID: 400,
  ERR_JWTSSO_REPLAY_STORE_FAILED: 500,
  ERR_JWTSSO_KEY_SOURCE_FAILED: 500,
  ERR_JWTSSO_BODY_UNREADABLE: 500,
  ERR_JWTSSO_FASTIFY_PLUGIN_MISSING: 500,
  ERR_JWTSSO_SESSION_LOST: 500,
};

/**
 * The one error class of this package. Its message says what was wrong and how to fix it; it
 * never contains a token, a secret or a key, so it is safe to log.
 *
 * Passport hands a refusal to a custom callback as its `info` (with the status), never as
 * `req.authInfo`, which it sets only on success:
 *
 * @example
 * ```ts
 * app.get('/login', (req, res, next) =>
 *   passport.authenticate('jwtsso', (err: unknown, user: Express.User | false, info: unknown, status?: number) => {
 *     if (err) return next(err);
 *     if (!user) {
 *       const code = info instanceof JwtSsoError ? info.code : 'unknown';
 *       return res.status(status ?? 401).json({ code, message: info instanceof Error ? info.message : 'Not signed in' });
 *     }
 *     req.logIn(user, (e) => (e ? next(e) : res.redirect('/')));
 *   })(req, res, next),
 * );
 * ```
 */
export class JwtSsoError extends Error {
  /** Stable identifier of the failure, one of {@link JwtSsoErrorCode}. */
  readonly code: JwtSsoErrorCode;
  /** The HTTP status the strategy answers with: 401, 403 for state problems, 400 for a bad Host, 500 for faults. */
  readonly status: number;
  /** For claim failures: the claim's name. */
  readonly claim?: string;

  /** `code`: any code but {@link JwtSsoErrorCode.INVALID_OPTION}, which a {@link JwtSsoOptionError} carries. */
  constructor(
    code: Exclude<JwtSsoErrorCode, typeof JwtSsoErrorCode.INVALID_OPTION>,
    message: string,
    options?: { claim?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JwtSsoError';
    this.code = code;
    this.status = HTTP_STATUS[code];
    // A class field, so always an own property (undefined unless a claim is named).
    this.claim = options?.claim;
  }
}

/**
 * A refused option, thrown at construction: a `TypeError` (as Passport strategies and Node throw
 * for a bad argument, so `catch (e) { if (e instanceof TypeError) … }` keeps working) that
 * carries `code` {@link JwtSsoErrorCode.INVALID_OPTION | 'ERR_JWTSSO_INVALID_OPTION'} the way a
 * {@link JwtSsoError} does, and the option's name. Its message names the option and what it
 * expected; it never prints the value, which may be a secret. Its `name` stays `'TypeError'`, so
 * logs read as before.
 *
 * @example
 * ```ts
 * try {
 *   passport.use(new JwtSsoStrategy({ authEndpoint: 'https://api.opinsys.fi/v3/sso', sharedSecret: process.env.SSO_SECRET }));
 * } catch (err) {
 *   if (err instanceof JwtSsoOptionError) console.error(`check the "${err.option}" setting: ${err.message}`);
 *   throw err;
 * }
 * ```
 */
export class JwtSsoOptionError extends TypeError {
  /** Always {@link JwtSsoErrorCode.INVALID_OPTION}. */
  readonly code: typeof JwtSsoErrorCode.INVALID_OPTION = JwtSsoErrorCode.INVALID_OPTION;
  /**
   * The option refused, e.g. `'maxAge'` or `'authParams.organisation'`; for the key source, the
   * options concerned, e.g. `'sharedSecret, publicKey'`; `'options'` when they are not an object.
   */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/** A refusal (the client's doing: 4xx, Passport's `fail`) rather than a fault (5xx, `error`). */
export function isRefusal(err: unknown): err is JwtSsoError {
  return err instanceof JwtSsoError && err.status < 500;
}

/** No session middleware in front of the strategy. */
export const sessionRequired = (): JwtSsoError =>
  new JwtSsoError(
    JwtSsoErrorCode.SESSION_REQUIRED,
    "req.session is missing: mount session middleware (e.g. express-session) before the strategy (and passport.session() before passport.authenticate('jwtsso')).",
  );

/**
 * A returned state this browser session was not issued, or used up, or expired. `hint` is a
 * sentence more about the likely cause, when the request tells it (see diagnose.ts).
 */
export const stateMismatch = (hint?: string): JwtSsoError =>
  new JwtSsoError(
    JwtSsoErrorCode.STATE_MISMATCH,
    'The sign-in was not started by this browser, or its state was used or expired: start the sign-in again from the app. ' +
      (hint ??
        'If it keeps failing, check that the browser keeps cookies for the app across the return from the provider (the jwtsso-s- state cookie; with loginState "session", the session cookie: SameSite=Lax, not Strict; Secure only over https), and that the app is opened at its configured host.'),
  );

// A run of the characters a token and the text around it may be made of: one pass, no backtracking.
const TOKEN_CHARS_RUN = /[A-Za-z0-9_.-]+/g;
// A token's header and payload are base64url JSON: 8 characters and more each (a version number is not).
const MIN_PART = 8;

// The run with every `header.payload.signature` in it blanked (the signature may be empty), by
// its dot-separated segments: linear, whatever the run.
function blankTokens(run: string): string {
  const segments = run.split('.');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    if (i + 2 < segments.length && segments[i]!.length >= MIN_PART && segments[i + 1]!.length >= MIN_PART) {
      out.push('[a token]');
      i += 2;
    } else out.push(segments[i]!);
  }
  return out.join('.');
}

/**
 * What something an app threw says, for a log line: an Error's message (a thrown value that is
 * no Error, as text), with every run shaped like a token (`header.payload.signature`) blanked out,
 * since an app may build a message from the request's URL or body. Never throws: a message
 * that cannot be read is said to be so.
 */
export function thrownMessage(thrown: unknown): string {
  let text: string;
  try {
    text = String(thrown instanceof Error ? thrown.message : thrown);
  } catch {
    return '(an error whose message cannot be read)';
  }
  return text.replace(TOKEN_CHARS_RUN, blankTokens);
}
