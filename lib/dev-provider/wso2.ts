// WSO2 Identity Server's JWT SSO connector (JWTInboundRequestProcessor, JWTInboundIdentityResponseFactory):
// `GET …/identity/jwtsso?jwtRP=<rp>[&return_to=…][&error_url=…]`, answered with a 302 to the
// relying party's fixed "Endpoint API" with `jwt` and the return_to / error_url passed through
// as sibling parameters, each key and value form-encoded (spaces as `+`). Header {"alg":"HS256"}
// (or HS384/HS512) without typ; `sub`, a UUID `jti`, `iat`, `exp = iat + 120`, mapped attributes.
// Logout (`…/logout?jwtRP=`) redirects to a fixed, configured URL, never a per-request one.
import { emailOf, keepPassedOn, redirect, withQuery, type Shape } from './shape';

/** Seconds WSO2's connector gives a token by default (`exp - iat`). */
export const WSO2_TOKEN_LIFETIME = 120;
const PASSED_ON = ['return_to', 'error_url'];

export const wso2: Shape = {
  path: '/identity/jwtsso',
  reads: ['algorithm', 'relyingParty', 'logoutUrl', 'returnToPattern', 'callbackUrl'],
  fixedCallback: true,
  keyPair: false,
  jtiByDefault: true,
  tokenParam: 'jwt',
  logout(o) {
    // A fixed, configured logout redirect; no per-request redirect_to is read.
    return o.logoutUrl ?? 'No logout URL is configured.';
  },
  accept(o, params) {
    const rps = params.getAll('jwtRP');
    if (rps.length !== 1 || rps[0] === '') return 'No relying party was given (jwtRP).';
    if (o.relyingParty !== undefined && rps[0] !== o.relyingParty) return 'The relying party (jwtRP) is not configured here.';
    const kept = keepPassedOn(o, params, PASSED_ON);
    if (typeof kept === 'string') return kept;
    return { destination: o.callbackUrl!, kept: [['jwtRP', rps[0]!], ...kept] };
  },
  typ: false,
  claims(o, u, { iat }) {
    return {
      sub: u.username,
      ...(o.jti === undefined ? {} : { jti: o.jti() }),
      iat,
      exp: iat + WSO2_TOKEN_LIFETIME,
      email: emailOf(u),
      given_name: u.first_name,
      family_name: u.last_name,
    };
  },
  deliver(o, res, { login, token, headers }) {
    // The token, then return_to and error_url as given; jwtRP is WSO2's own and goes no further.
    const query = new URLSearchParams([
      [o.tokenParam, token],
      ...login.kept.filter(([k]) => PASSED_ON.includes(k)).map(([k, v]): [string, string] => [k, v]),
    ]);
    redirect(res, 302, withQuery(login.destination, query.toString()), headers);
  },
};
