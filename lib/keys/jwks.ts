// Keys from a JWKS endpoint: fetched with a timeout, a body size limit and no redirects, cached
// for a bounded time, matched by kid, refetched for an unknown kid at most once per cool-down.
// Hand-written rather than jose's createRemoteJWKSet: jose 6 is ESM-only (this package is
// CommonJS for Node 20), and it selects one key by its own rules, where this package binds each
// key to one algorithm by its type and ignores secrets and private keys in a JWKS (keys.ts).
import { createPublicKey } from 'node:crypto';
import type { Jwk } from './material';
import { publicVerificationKeys, type Algorithm, type VerificationKey } from './material';

export interface JwksOptions {
  /** Milliseconds a fetch may take. */
  readonly timeoutMs: number;
  /** Milliseconds between two fetches for unknown kids, and after a failed fetch. */
  readonly cooldownMs: number;
  /** Milliseconds a fetched set is used; after that it is fetched again before use. */
  readonly cacheMaxAgeMs: number;
  /** Largest body read, in bytes. */
  readonly maxBytes: number;
  readonly algorithms: readonly Algorithm[] | undefined;
  readonly clock: () => number;
}

/** Why a JWKS could not be used; the strategy turns it into an error() (500), never an acceptance. */
export class JwksError extends Error {}

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  // Stryker disable next-line ConditionalExpression,StringLiteral: fetch gives a null body only for the null-body statuses (204, 205, 304), which are refused as "not 200" before the body is read
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new JwksError(`the JWKS is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The verification keys of a JWKS document; keys that cannot be used for signatures are left out. */
export function keysOfJwks(document: unknown, algorithms: readonly Algorithm[] | undefined): VerificationKey[] {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new JwksError('the JWKS has no "keys" array');
  const keys: VerificationKey[] = [];
  for (const jwk of list as (Jwk | null)[]) {
    if (typeof jwk !== 'object' || jwk === null || jwk.d !== undefined) continue; // never a scalar, a hole or a private key
    // Never a secret either.
    // Stryker disable next-line ConditionalExpression,StringLiteral: a secret ('oct') that got past this line is refused by createPublicKey inside the try below and passed over all the same (spec/keys/jwks.test.ts "hostile entries")
    if (jwk.kty === 'oct') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    let made: VerificationKey[];
    try {
      made = publicVerificationKeys(
        createPublicKey({ key: jwk, format: 'jwk' }),
        algorithms,
        typeof jwk.kid === 'string' ? jwk.kid : undefined,
      );
    } catch {
      continue;
    }
    // A JWK's own alg may narrow what its type allows, never widen it.
    keys.push(...(typeof jwk.alg === 'string' ? made.filter((k) => k.alg === jwk.alg) : made));
  }
  return keys;
}

/**
 * One JWKS endpoint's keys. A set is used for `cacheMaxAgeMs` after it was fetched, then fetched
 * again before use (so a key removed from the JWKS stops verifying within that time). A failed
 * fetch is an error for every token (never "no key": that would read as a bad token), and is
 * tried again once `cooldownMs` has passed, for any token. An unknown `kid` fetches again at most
 * once per `cooldownMs`.
 */
export class JwksKeys {
  /** The last set fetched, or undefined before the first successful fetch. */
  #keys: VerificationKey[] | undefined;
  // Stryker disable next-line UnaryOperator: it is read only once #keys is set, which sets it (stale is true while #keys is undefined, whatever this is)
  #fetchedAt = -Infinity;
  // Stryker disable next-line UnaryOperator: it is read only once #failure or #keys is set, and every attempt sets it first
  #triedAt = -Infinity;
  #failure: JwksError | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(
    readonly uri: string,
    readonly options: JwksOptions,
  ) {}

  /** The keys to check a token with (the verifier matches its kid); throws a JwksError when there is no usable set. */
  async keysFor(kid: string | undefined): Promise<VerificationKey[]> {
    const now = this.options.clock();
    const coolingDown = now - this.#triedAt < this.options.cooldownMs;
    // Stryker disable next-line ConditionalExpression: without a set #fetchedAt is still -Infinity, so the age test is true for any lifetime (Infinity too)
    const stale = this.#keys === undefined || now - this.#fetchedAt >= this.options.cacheMaxAgeMs;
    if (stale) {
      // A stale set is fetched again at once, unless the last attempt failed within the cool-down.
      if (this.#failure !== undefined && coolingDown && this.#inFlight === undefined) throw this.#failure;
      await this.#refresh();
    } else if (kid !== undefined && !this.#keys!.some((k) => k.kid === kid) && (!coolingDown || this.#inFlight !== undefined)) {
      await this.#refresh();
    }
    return this.#keys!;
  }

  #refresh(): Promise<void> {
    // Concurrent requests share one fetch.
    this.#inFlight ??= this.#fetch()
      .then(
        (keys) => {
          this.#keys = keys;
          this.#fetchedAt = this.options.clock();
          this.#failure = undefined;
        },
        (err: unknown) => {
          this.#failure = err instanceof JwksError ? err : new JwksError('the JWKS could not be read', { cause: err });
          throw this.#failure;
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #fetch(): Promise<VerificationKey[]> {
    // The cool-down starts with the attempt, so a failing endpoint is not hammered either.
    this.#triedAt = this.options.clock();
    let text: string;
    try {
      const res = await fetch(this.uri, {
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new JwksError(
          `the JWKS endpoint answered ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`,
        );
      }
      text = await readLimited(res.body, this.options.maxBytes);
    } catch (err) {
      if (err instanceof JwksError) throw err;
      const name = (err as { name?: string }).name;
      throw new JwksError(
        name === 'TimeoutError'
          ? `the JWKS endpoint did not answer within ${this.options.timeoutMs} ms`
          : 'the JWKS endpoint could not be reached',
        { cause: err },
      );
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new JwksError('the JWKS is not JSON');
    }
    return keysOfJwks(document, this.options.algorithms);
  }
}
