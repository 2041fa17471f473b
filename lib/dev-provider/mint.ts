// Minting the dev provider's tokens, as Puavo mints them.
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Resolved } from './options';
import type { DevUser } from './users';

const MS_PER_SECOND = 1000;

/** A token for `u`, signed HS256 with the provider's secret: Puavo's claims and header. */
export function mint(o: Resolved, u: DevUser): string {
  const iat = Math.floor(o.clock() / MS_PER_SECOND) + o.iatOffset;
  const claims = {
    ...u,
    iat: o.legacyStringIat ? String(iat) : iat,
    jti: o.jti(),
    external_service_path_prefix: o.servicePathPrefix,
  };
  if (o.legacyStringIat) {
    // jsonwebtoken refuses to sign a string iat (it validates iat as a number), so this one
    // token shape, Puavo's before November 2020, is assembled by hand.
    const input = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createHmac('sha256', o.key).update(input).digest('base64url')}`;
  }
  // Everything else with jsonwebtoken, the signer the design names. Puavo's header: {"alg":"HS256"}, no typ.
  return jwt.sign(claims, o.key, { algorithm: 'HS256', header: { alg: 'HS256', typ: undefined } });
}
