// Puavo's shape (the default), served at /v3/sso: the token appended to return_to itself, a 303
// there; HS256 with {"alg":"HS256"}, `iat`, a `jti` and Puavo's user claims; logout to
// `redirect_to`. Its URL rules: which return parameters it reads, how it adds the token.
import { checkReturnUrl, redirect, type Shape } from './shape';

/** The return parameters Puavo accepts, in the order it reads them. */
export const RETURN_PARAMS = ['return_to', 'return', 'redirect_uri'];

/**
 * Adds the token to `return_to` the way Puavo does: existing parameters kept but re-serialised
 * (keys sorted, the last of duplicate keys wins, spaces as `%20`), an existing token parameter
 * overwritten, the fragment kept.
 */
export function addTokenToReturnUrl(returnTo: URL, tokenParam: string, token: string): string {
  const params = new Map<string, string>();
  for (const [key, value] of returnTo.searchParams) params.set(key, value);
  params.set(tokenParam, token);
  const query = [...params.keys()]
    .sort()
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(params.get(key)!)}`)
    .join('&');
  return `${returnTo.origin}${returnTo.pathname}?${query}${returnTo.hash}`;
}

export const puavo: Shape = {
  path: '/v3/sso',
  reads: ['legacyStringIat', 'servicePathPrefix'],
  fixedCallback: false,
  keyPair: false,
  jtiByDefault: true,
  tokenParam: 'jwt',
  accept(o, params, { posted }) {
    // Puavo reads return_to, return or redirect_uri; its login form posts return_to back.
    const names = posted ? ['return_to'] : RETURN_PARAMS;
    const given = names.map((p) => params.get(p)).find((v) => v !== null) ?? null;
    const returnTo = checkReturnUrl(given, o.allowed);
    if (typeof returnTo === 'string') return returnTo;
    return { destination: returnTo, kept: [['return_to', returnTo.href]] };
  },
  typ: false,
  claims(o, u, { iat }) {
    return {
      ...u,
      iat: o.legacyStringIat ? String(iat) : iat,
      ...(o.jti === undefined ? {} : { jti: o.jti() }),
      external_service_path_prefix: o.servicePathPrefix,
    };
  },
  deliver(o, res, { login, token, headers }) {
    redirect(res, 303, addTokenToReturnUrl(login.destination, o.tokenParam, token), headers);
  },
};
