// `secretOrKeyProvider`: the app picks the key(s) per token (multi-tenant apps); what it returns
// follows the same rules as the options (providedKeys).
import { JwtSsoError } from '../errors';
import type { SecretOrKeyProvider } from '../options/values';
import { problem } from '../options/checks';
import { unverifiedPayload } from '../token';
import { hmacAlgorithm, providedKeys } from './material';
import { keySourceFailed, type KeySourceFactory } from './source';

export const providerSource: KeySourceFactory = (o, { algorithms }) => {
  if (typeof o.secretOrKeyProvider !== 'function') {
    throw problem('secretOrKeyProvider', 'a function (req, header, payload)', o.secretOrKeyProvider);
  }
  // A secret the provider returns is bound to one HMAC algorithm too: refused here, not per token.
  hmacAlgorithm(algorithms, 'secretOrKeyProvider');
  const provide = o.secretOrKeyProvider as SecretOrKeyProvider;
  return {
    async keysFor(req, token) {
      // Read before the provider runs: a payload that is not JSON is a malformed token, not a fault.
      const payload = unverifiedPayload(token);
      try {
        return providedKeys(await provide(req as Parameters<SecretOrKeyProvider>[0], token.header, payload), algorithms);
      } catch (cause) {
        if (cause instanceof JwtSsoError) throw cause;
        throw keySourceFailed('secretOrKeyProvider failed', cause);
      }
    },
  };
};
