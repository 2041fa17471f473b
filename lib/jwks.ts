// Keys from a JWKS endpoint: fetched with a timeout, a body size limit and no redirects, cached,
// matched by kid, refetched for an unknown kid at most once per cool-down.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { publicVerificationKeys, type Algorithm, type VerificationKey } from './keys';

export interface JwksOptions {
  /** Milliseconds a fetch may take. */
  readonly timeoutMs: number;
  /** Milliseconds between two fetches, however many unknown kids arrive. */
  readonly cooldownMs: number;
  /** Largest body read, in bytes. */
  readonly maxBytes: number;
  readonly algorithms: readonly Algorithm[] | undefined;
  readonly clock: () => number;
}

/** Why a JWKS could not be used; the strategy turns it into an error() (500), never an acceptance. */
export class JwksError extends Error {}

async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
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
  for (const jwk of list as (JsonWebKey & { kid?: unknown; use?: unknown; alg?: unknown })[]) {
    if (jwk === null || typeof jwk !== 'object' || jwk.kty === 'oct' || jwk.d !== undefined) continue; // never a secret or a private key
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

export class JwksKeys {
  #keys: VerificationKey[] = [];
  #fetchedAt = -Infinity;
  #inFlight: Promise<void> | undefined;

  constructor(
    readonly uri: string,
    readonly options: JwksOptions,
  ) {}

  /**
   * The keys to check a token with (the verifier matches its kid); fetches on first use, and
   * again for a kid it does not know, at most once per cool-down.
   */
  async keysFor(kid: string | undefined): Promise<VerificationKey[]> {
    const unknownKid = kid !== undefined && !this.#keys.some((k) => k.kid === kid);
    if (this.#fetchedAt === -Infinity || (unknownKid && this.options.clock() - this.#fetchedAt >= this.options.cooldownMs)) {
      await this.#refresh();
    }
    return this.#keys;
  }

  #refresh(): Promise<void> {
    // Concurrent requests share one fetch.
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<void> {
    // The cool-down starts with the attempt, so a failing endpoint is not hammered either.
    this.#fetchedAt = this.options.clock();
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
    this.#keys = keysOfJwks(document, this.options.algorithms);
  }
}
