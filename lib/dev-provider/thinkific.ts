// A Thinkific-style custom JWT provider: `GET <fixed endpoint>?jwt=…&return_to=…&error_url=…`
// (return_to and error_url optional, passed through as given, %-encoded). HS256 with the API key
// as it is; claims `first_name`, `last_name`, `email`, `external_id`, `iat`; `jti` only when asked for.
import { emailOf, keepPassedOn, redirect, withQuery, type Shape } from './shape';

const PASSED_ON = ['return_to', 'error_url'];

export const thinkific: Shape = {
  path: '/sso/jwt',
  reads: ['returnToPattern', 'callbackUrl'],
  fixedCallback: true,
  keyPair: false,
  jtiByDefault: false,
  tokenParam: 'jwt',
  accept(o, params) {
    const kept = keepPassedOn(o, params, PASSED_ON);
    if (typeof kept === 'string') return kept;
    return { destination: o.callbackUrl!, kept };
  },
  typ: true,
  claims(o, u, { iat }) {
    return {
      first_name: u.first_name,
      last_name: u.last_name,
      email: emailOf(u),
      external_id: u.external_id ?? String(u.puavo_id),
      iat,
      ...(o.jti === undefined ? {} : { jti: o.jti() }),
    };
  },
  deliver(o, res, { login, token, headers }) {
    const query = [[o.tokenParam, token], ...login.kept].map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`).join('&');
    redirect(res, 302, withQuery(login.destination, query), headers);
  },
};
