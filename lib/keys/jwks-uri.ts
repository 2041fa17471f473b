// `jwksUri`: keys from a JWKS endpoint, fetched and cached by JwksKeys (jwks.ts).
import { endpoint, positive, seconds } from '../options/checks';
import { DEFAULTS, MS_PER_SECOND } from '../options/defaults';
import { JwksError, JwksKeys } from './jwks';
import { keySourceFailed, type KeySourceFactory } from './source';

export const jwksUriSource: KeySourceFactory = (o, { algorithms, clock }) => {
  const jwks = new JwksKeys(endpoint('jwksUri', o.jwksUri, 'https://sso.example/.well-known/jwks.json'), {
    timeoutMs: positive('jwksTimeout', o.jwksTimeout, DEFAULTS.jwksTimeout) * MS_PER_SECOND,
    cooldownMs: seconds('jwksCooldown', o.jwksCooldown, DEFAULTS.jwksCooldown) * MS_PER_SECOND,
    cacheMaxAgeMs: positive('jwksCacheMaxAge', o.jwksCacheMaxAge, DEFAULTS.jwksCacheMaxAge) * MS_PER_SECOND,
    maxBytes: positive('jwksMaxBytes', o.jwksMaxBytes, DEFAULTS.jwksMaxBytes),
    algorithms,
    clock,
  });
  return {
    async keysFor(_req, token) {
      try {
        return await jwks.keysFor(typeof token.header.kid === 'string' ? token.header.kid : undefined);
      } catch (cause) {
        throw keySourceFailed(cause instanceof JwksError ? cause.message : 'the JWKS could not be used', cause);
      }
    },
  };
};
