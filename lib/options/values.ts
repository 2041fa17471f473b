// The types of single option values (a secret, a key provider, provider parameters, the replay key).
import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { PublicKeyInput } from '../keys/material';

/** A shared secret: its bytes are the HMAC key as the provider has it (a string is UTF-8, not base64). */
export type SharedSecret = string | Uint8Array | KeyObject;

/** What a {@link KeySources.secretOrKeyProvider} may return for a token. */
export type ProvidedKey = SharedSecret | KeyObject | PublicKeyInput;

/** Picks verification key(s) per token from the request and the unverified header and payload. */
export type SecretOrKeyProvider = (
  req: IncomingMessage,
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
) => Promise<ProvidedKey | readonly ProvidedKey[]> | ProvidedKey | readonly ProvidedKey[];

/** Extra query parameters for the provider, e.g. `{ organisation: 'example.opinsys.fi' }`. */
export type AuthParams = Readonly<Record<string, string>> | ((req: IncomingMessage) => Readonly<Record<string, string>>);

/**
 * What a used token is remembered by (replay protection): `'jti'` (every token must carry one),
 * or `'jti-or-token-hash'`: the `jti` when there is one, else a SHA-256 of the token's signed
 * part, for providers that send no `jti`.
 */
export type ReplayKey = 'jti' | 'jti-or-token-hash';
