// Tokens minted by the libraries the providers themselves use, and the round trip through a real
// app. PyJWT and ruby-jwt are Debian's (python3-jwt, ruby-jwt: `.ci/run` installs them); a test
// that needs one that is missing fails, naming the package, rather than being skipped.
import { spawnSync } from 'node:child_process';
import type request from 'supertest';
import { returnToOf } from '../helpers/flow';

/** The secret every interop test signs with: 64 bytes, long enough for HS512 (RFC 7518 3.2). */
export const INTEROP_SECRET = 'interop-shared-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123';
export type Hs = 'HS256' | 'HS384' | 'HS512';
export const HMAC_ALGS: readonly Hs[] = ['HS256', 'HS384', 'HS512'];

/** What a library is asked to sign: the payload as JSON text, so `1.0` and `1.5` reach it as written. */
export interface MintRequest {
  alg: Hs;
  /** `'JWT'` for Zendesk's header `{"typ":"JWT","alg":…}`, `null` for WSO2's `{"alg":…}`. */
  typ: 'JWT' | null;
  payloadJson: string;
  secret?: string;
}

const PYTHON = '/usr/bin/python3'; // Debian's Python, the one python3-jwt installs into
const PYJWT = `
import json, sys, jwt
r = json.load(sys.stdin)
sys.stdout.write(jwt.encode(r["payload"], r["secret"], algorithm=r["alg"], headers={"typ": r["typ"]}))
`;
const RUBY_JWT = `
r = JSON.parse(STDIN.read)
header = r["typ"].nil? ? {} : { typ: r["typ"] }
STDOUT.write(JWT.encode(r["payload"], r["secret"], r["alg"], header))
`;

function run(command: string, args: string[], input: string, pkg: string): string {
  const res = spawnSync(command, args, { input, encoding: 'utf8', timeout: 30_000 });
  if (res.error !== undefined || res.status !== 0) {
    throw new Error(
      `${command} ${args[0]} failed (${res.error?.message ?? `exit ${res.status}: ${res.stderr.trim()}`}): install the Debian package ${pkg} (bash .ci/run installs it).`,
    );
  }
  return res.stdout.trim();
}

const requestJson = (r: MintRequest): string =>
  `{"alg":${JSON.stringify(r.alg)},"typ":${JSON.stringify(r.typ)},"secret":${JSON.stringify(r.secret ?? INTEROP_SECRET)},"payload":${r.payloadJson}}`;

/** A token minted by PyJWT, as Zendesk's Python examples mint theirs. */
export const pyjwt = (r: MintRequest): string => run(PYTHON, ['-c', PYJWT], requestJson(r), 'python3-jwt');
/** A token minted by ruby-jwt, as Zendesk's Rails example mints its. */
export const rubyJwt = (r: MintRequest): string => run('ruby', ['-rjson', '-rjwt', '-e', RUBY_JWT], requestJson(r), 'ruby ruby-jwt');

export const pyjwtVersion = (): string => run(PYTHON, ['-c', 'import jwt; print(jwt.__version__)'], '', 'python3-jwt');
export const rubyJwtVersion = (): string => run('ruby', ['-rjwt', '-e', 'puts JWT::VERSION::STRING'], '', 'ruby ruby-jwt');

/** The header and payload of a token as the library wrote them (JSON text, not re-serialised). */
export function partsOf(token: string): { header: string; payload: string } {
  const [h, p] = token.split('.');
  return { header: Buffer.from(h!, 'base64url').toString(), payload: Buffer.from(p!, 'base64url').toString() };
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** How the provider sends the browser back with the token. */
export type Binding =
  /** Puavo: `jwt=` appended to return_to, the rest of its query as it was. */
  | 'append'
  /** WSO2: every parameter form-encoded (Java's URLEncoder: spaces as `+`), `jwt` among them. */
  | 'form-encoded';

/**
 * One browser's login through `/checked` (the app's custom-callback route): to the provider, back
 * with `token` the way `binding` says, to the clean URL. The final status, the user or the
 * refusal's code, and the URL the browser ended at.
 */
export async function loginWith(
  browser: request.Agent,
  token: string,
  binding: Binding,
  path = '/checked?q=two%20words',
): Promise<{ status: number; user: unknown; code: string | null; url: string }> {
  const toProvider = await browser.get(path);
  if (toProvider.status !== 302) throw new Error(`expected a redirect to the provider, got ${toProvider.status}`);
  const back = new URL(returnToOf(toProvider.headers.location));
  if (binding === 'append') {
    back.search += `${back.search === '' ? '?' : '&'}jwt=${token}`;
  } else {
    const params = new URLSearchParams(back.search);
    params.append('jwt', token);
    back.search = params.toString(); // application/x-www-form-urlencoded: "two words" → two+words
  }
  const callback = await browser.get(`${back.pathname}${back.search}`);
  if (callback.status !== 303) return { status: callback.status, user: null, code: callback.body?.code ?? null, url: back.href };
  const final = await browser.get(callback.headers.location!);
  return { status: final.status, user: final.body.user ?? null, code: final.body.code ?? null, url: callback.headers.location! };
}
