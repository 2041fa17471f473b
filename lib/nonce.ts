// The nonce of a login (`nonce: true`): derived from its login state, as OpenID Connect Core
// §15.5.2 suggests (a hash of a value kept in a browser cookie). The state is 192 random bits
// issued to this browser and used once, so the nonce is fresh per login, bound to the browser
// that started it and used once, with nothing more to store; a token's `nonce` claim is compared
// with the nonce of the state that came back with it.
import { timingSafeEqual } from 'node:crypto';
import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import { sha256url } from './login-state/codec';

const LABEL = 'passport-jwtsso nonce\n';

/** The nonce sent to the provider with the login that `state` belongs to. */
export function nonceFor(state: string): string {
  return sha256url(LABEL + state);
}

/** Throws NONCE_MISMATCH unless `claim` is the nonce of `state`. */
export function checkNonce(claim: unknown, state: string): void {
  if (typeof claim !== 'string') {
    throw new JwtSsoError(
      Code.NONCE_MISMATCH,
      'The token has no "nonce" claim (a string), so it cannot be bound to the sign-in this browser started: the provider must echo the nonce it was sent. Start the sign-in again.',
      { claim: 'nonce' },
    );
  }
  const expected = Buffer.from(nonceFor(state));
  const got = Buffer.from(claim);
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    throw new JwtSsoError(
      Code.NONCE_MISMATCH,
      'The token\'s "nonce" is not the one sent with the sign-in this browser started (a token from another sign-in): start the sign-in again.',
      { claim: 'nonce' },
    );
  }
}
