// Puavo's shape (the default): the token appended to return_to itself, a 303 there; HS256 with
// {"alg":"HS256"}, `iat`, a `jti` and Puavo's user claims.
import { addTokenToReturnUrl, checkReturnUrl, RETURN_PARAMS } from './puavo-url';
import { redirect, type Shape } from './shape';

export const puavo: Shape = {
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
