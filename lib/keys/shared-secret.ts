// `sharedSecret`: one HMAC secret or several (rotation), turned into keys once.
import { problem } from '../options/checks';
import type { SharedSecret } from '../options/types';
import { secretVerificationKey } from './material';
import type { KeySourceFactory } from './source';

export const sharedSecretSource: KeySourceFactory = (o, { algorithms }) => {
  const secrets = Array.isArray(o.sharedSecret) ? (o.sharedSecret as unknown[]) : [o.sharedSecret];
  if (secrets.length === 0) throw problem('sharedSecret', 'a non-empty string or Buffer, or a non-empty array of them');
  if (algorithms !== undefined && !algorithms.includes('HS256')) throw problem('algorithms', 'to include HS256 with "sharedSecret"');
  const keys = Object.freeze(secrets.map((x) => secretVerificationKey(x as SharedSecret, 'sharedSecret')));
  return { keysFor: () => keys };
};
