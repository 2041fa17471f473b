// Minting the dev provider's tokens, in the shape it plays, with node:crypto: the JWS compact
// form (RFC 7515) is three base64url parts, and a signer library would add rules of its own (a
// numeric iat, an iat it adds) that a shape's tokens, or an app's test of its checks, break on purpose.
import { createHmac, sign } from 'node:crypto';
import type { Jwk } from '../keys/material';
import type { Resolved, SigningKey } from './options';
import type { Login } from './shape';
import { SHAPES } from './shapes';
import type { DevUser } from './users';

const MS_PER_SECOND = 1000;
/** The hash of each HMAC algorithm a shape signs with (RS256 hashes with SHA-256 too). */
const HMAC_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

const base64url = (json: unknown): string => Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');

/**
 * A token for `u` in the shape `o` plays, signed with its key: the shape's header and claims,
 * changed by `o.claims` when given, and signed as they are (a string `iat`, Puavo's before
 * November 2020, included). `login` is the login request it answers (its nonce), if any.
 */
export function mint(o: Resolved, u: DevUser, login?: Login): string {
  const shape = SHAPES[o.shape];
  const iat = Math.floor(o.clock() / MS_PER_SECOND) + o.iatOffset;
  const made = shape.claims(o, u, { iat, login });
  const claims = o.claims === undefined ? made : o.claims(made, { user: u, shape: o.shape });
  const { alg, key, kid } = o.signing;
  // Puavo's and WSO2's header is {"alg":…} alone; the others add typ (and Freshworks the kid of its key).
  const header = { alg, ...(shape.typ ? { typ: 'JWT' } : {}), ...(kid === undefined ? {} : { kid }) };
  const input = `${base64url(header)}.${base64url(claims)}`;
  const signature = alg === 'RS256' ? sign('sha256', Buffer.from(input), key) : createHmac(HMAC_HASH[alg], key).update(input).digest();
  return `${input}.${signature.toString('base64url')}`;
}

/** The public key of an RSA-signing shape as a JWKS (`kid`, `alg`, `use`), else undefined. */
export function jwksOf(signing: SigningKey): { keys: Jwk[] } | undefined {
  if (signing.publicKey === undefined) return undefined;
  return { keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid: signing.kid, alg: signing.alg, use: 'sig' }] };
}
