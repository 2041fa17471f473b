// What every key source is: given a request and a parsed (unverified) token, the keys the token
// may be verified with. The login steps only call keysFor; how the keys are had is the source's.
import { JwtSsoError, JwtSsoErrorCode as Code } from '../errors';
import type { RequestLike } from '../request-url';
import type { ParsedToken } from '../token';
import type { Algorithm, VerificationKey } from './material';

/** Where the keys come from, chosen once at construction (see `resolveKeySource`). */
export interface KeySource {
  /**
   * The keys `token` may be verified with; the verifier then picks by `alg` and `kid`. A source
   * that cannot give keys throws a JwtSsoError `ERR_JWTSSO_KEY_SOURCE_FAILED` (a fault, 500),
   * never an empty list.
   */
  keysFor(req: RequestLike, token: ParsedToken): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
}

/** What a key-source factory gets besides the options: what the other options decided. */
export interface KeySourceContext {
  /** `algorithms`, checked: narrows what the keys' types allow. */
  readonly algorithms: readonly Algorithm[] | undefined;
  readonly clock: () => number;
}

/** Makes a key source from the (unchecked) options; throws a TypeError naming a bad option. */
export type KeySourceFactory = (options: Readonly<Record<string, unknown>>, context: KeySourceContext) => KeySource;

/** The fault of a source that could not give keys; `why` is safe to show (no key, no secret). */
export function keySourceFailed(why: string, cause: unknown): JwtSsoError {
  return new JwtSsoError(
    Code.KEY_SOURCE_FAILED,
    `No key could be had for this token (${why}), so the sign-in was refused: check the key source.`,
    { cause },
  );
}
