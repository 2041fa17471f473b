// `sharedSecret`: one HMAC secret or several (rotation), turned into keys once, all bound to the
// one HMAC algorithm `algorithms` names (HS256 by default).
import { JwtSsoOptionError } from '../errors';
import { problem } from '../options/checks';
import type { SharedSecret } from '../options/values';
import { hmacAlgorithm, secretVerificationKey } from './material';
import type { KeySourceFactory } from './source';

export const sharedSecretSource: KeySourceFactory = (o, { algorithms }) => {
  const secrets = Array.isArray(o.sharedSecret) ? (o.sharedSecret as unknown[]) : [o.sharedSecret];
  if (secrets.length === 0) throw problem('sharedSecret', 'a non-empty string or Buffer, or a non-empty array of them');
  const alg = hmacAlgorithm(algorithms, 'sharedSecret');
  if (alg === undefined) {
    throw new JwtSsoOptionError(
      'algorithms',
      'JwtSsoStrategy: option "algorithms" names no HMAC algorithm, but "sharedSecret" is an HMAC secret: name the one the provider signs with ("HS256", "HS384" or "HS512"), or leave "algorithms" out for HS256.',
    );
  }
  const keys = Object.freeze(secrets.map((x) => secretVerificationKey(x as SharedSecret, 'sharedSecret', alg)));
  return { keysFor: () => keys };
};
