// The request on the clean URL: verify a waiting token, use up its state and its jti; the
// adapter then calls the app's verify. Tabs of one URL returning at once each parked a token,
// and each request carries all that were parked when it left: the newest (its own, as a rule)
// is tried first, and where another tab's request took that one first (replayed, its state used
// up), the next; each must pass every check on its own. When none is accepted, the answer is a
// refusal, but for a request that carries only tokens their own logins already redeemed (another
// tab's, sent before that tab's answer cleared them: see isRedeemedLeftover): that is a tab whose
// own sign-in has not started yet, and `startOwn` sends it to the provider as if it had carried
// none. A token replayed into any other login (a fresh state) is refused as ever.
import { acceptedEvent } from '../events';
import type { JwtClaims } from '../claims';
import { isRefusal, JwtSsoErrorCode as Code, stateMismatch } from '../errors';
import { acceptToken, isRedeemedLeftover, stateAccepted } from '../login';
import type { PendingToken } from '../login-state';
import { noStore } from '../response';
import { event, isAuthenticated, PASS, type Flow, type Outcome } from './types';

/**
 * Tries the waiting tokens, newest first: the first accepted is `verified`. None: the first
 * refusal that is not a redeemed leftover (another tab's leftover says less than this tab's own
 * refusal); only leftovers: `startOwn()` if given, else the first leftover's refusal; no refusal
 * at all (a signed-in request drops every one): `pass`.
 */
export async function verifyPending(flow: Flow, candidates: readonly PendingToken[], startOwn?: () => Outcome): Promise<Outcome> {
  const { o, ctx } = flow;
  noStore(ctx.res);
  const signedIn = isAuthenticated(flow.req);
  let refused: unknown;
  let leftover: unknown;
  for (const pending of candidates) {
    // Not of a login this browser started (another site posted it, a planted cookie): dropped
    // before it is even verified, so that it costs no key lookup, nor a signed-in user the page.
    if (!stateAccepted(o, ctx, { state: pending.state, useUp: false })) {
      if (!signedIn) refused ??= stateMismatch();
      continue;
    }
    let claims: JwtClaims | null;
    try {
      claims = await acceptToken(o, ctx, { ...pending, signedIn });
    } catch (err) {
      if (!isRefusal(err)) throw err; // a fault (replay store down) ends the request at once
      // Signed in already (the login this token finished, whose cookies a client kept; another
      // tab's): a refused leftover is dropped, and the signed-in page is served.
      if (signedIn) continue;
      if (isRedeemedLeftover(err)) leftover ??= err;
      else refused ??= err;
      continue;
    }
    // Another tab's sign-in in this browser regenerated the session meanwhile: already signed in.
    if (claims === null) continue;
    const accepted = claims;
    event(flow, () => acceptedEvent(accepted));
    // Stryker disable next-line StringLiteral: the adapter (lib/strategy.ts) takes every outcome that is neither a redirect nor a pass as verified, so no other type could be told apart
    return { type: 'verified', claims };
  }
  if (refused !== undefined) throw refused;
  if (leftover !== undefined) {
    // Other tabs' leftovers, all of them: this tab's own sign-in starts here.
    if (startOwn === undefined) throw leftover;
    // Counted as what it is: a token seen again (the code), which a security team can tell apart.
    event(flow, { type: 'token-dropped', code: Code.TOKEN_REPLAYED });
    return startOwn();
  }
  event(flow, { type: 'token-dropped' });
  return PASS;
}
