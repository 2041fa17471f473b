// Minting the dev provider's tokens, in the shape it plays.
import { createHmac } from 'node:crypto';
import type { Jwk } from '../keys/material';
import jwt from 'jsonwebtoken';
import type { Resolved, SigningKey } from './options';
import type { Login } from './shape';
import { SHAPES } from './shapes';
import type { DevUser } from './users';

const MS_PER_SECOND = 1000;

/**
 * A token for `u` in the shape `o` plays, signed with its key: the shape's header and claims,
 * changed by `o.claims` when given. `login` is the login request it answers (its nonce), if any.
 */
export function mint(o: Resolved, u: DevUser, login?: Login): string {
  const shape = SHAPES[o.shape];
  const iat = Math.floor(o.clock() / MS_PER_SECOND) + o.iatOffset;
  const made = shape.claims(o, u, { iat, login });
  const claims = o.claims === undefined ? made : o.claims(made, { user: u, shape: o.shape });
  const { alg, key, kid } = o.signing;
  if (typeof claims.iat === 'string') {
    // jsonwebtoken refuses to sign a string iat (it validates iat as a number), so this one
    // token shape, Puavo's before November 2020, is assembled by hand.
    const input = `${Buffer.from(`{"alg":"${alg}"}`).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createHmac(`sha${alg.slice(2)}`, key)
      .update(input)
      .digest('base64url')}`;
  }
  // Everything else with jsonwebtoken, the signer the design names. Puavo's and WSO2's header
  // is {"alg":…} alone; the others add typ (and Freshworks the kid of its key).
  const header = { alg, typ: shape.typ ? 'JWT' : undefined, ...(kid === undefined ? {} : { kid }) };
  return jwt.sign(claims, key, { algorithm: alg, header });
}

/** The public key of an RSA-signing shape as a JWKS (`kid`, `alg`, `use`), else undefined. */
export function jwksOf(signing: SigningKey): { keys: Jwk[] } | undefined {
  if (signing.publicKey === undefined) return undefined;
  return { keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid: signing.kid, alg: signing.alg, use: 'sig' }] };
}
