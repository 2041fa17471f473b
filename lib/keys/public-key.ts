// `publicKey`: one public key or several, each bound to the algorithm(s) of its type, made once.
import { JwtSsoOptionError } from '../errors';
import { problem } from '../options/checks';
import { publicVerificationKeys, toPublicKey, type PublicKeyInput } from './material';
import type { KeySourceFactory } from './source';

export const publicKeySource: KeySourceFactory = (o, { algorithms }) => {
  const inputs = Array.isArray(o.publicKey) ? (o.publicKey as unknown[]) : [o.publicKey];
  if (inputs.length === 0) throw problem('publicKey', 'a public key or a non-empty array of them');
  const keys = Object.freeze(
    inputs.flatMap((input) => {
      const made = publicVerificationKeys(toPublicKey(input as PublicKeyInput, 'publicKey'), algorithms);
      if (made.length === 0) {
        throw new JwtSsoOptionError(
          'publicKey',
          `JwtSsoStrategy: option "publicKey" has a key that fits none of the allowed algorithms${algorithms ? ` (${algorithms.join(', ')})` : ''}: RSA → RS256/PS256, EC P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA.`,
        );
      }
      return made;
    }),
  );
  return { keysFor: () => keys };
};
