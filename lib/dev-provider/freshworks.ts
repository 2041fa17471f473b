// A Freshworks-style identity provider (OAuth-implicit shaped): the consumer sends
// `response_type=id_token&client_id&scope&state&redirect_uri&nonce`; the answer is a 302 to
// `${redirect_uri}?state=${state}&id_token=${jwt}`: the state echoed at the top level, the
// nonce inside the token. RS256 only (a key pair the provider generates), header with `typ`;
// claims `sub`, `email`, `iat`, `nonce`, and no `jti` or `aud`: Freshworks' own payload table
// (support.freshworks.com 50000000670, Freshdesk "Setting up the id_token") names no `aud`.
import { checkReturnUrl, emailOf, redirect, withQuery, type Shape } from './shape';

/** The one value of a parameter given at most once: null when absent, undefined when repeated. */
function single(params: URLSearchParams, name: string): string | null | undefined {
  const values = params.getAll(name);
  return values.length === 0 ? null : values.length === 1 ? values[0] : undefined;
}

export const freshworks: Shape = {
  path: '/sso/authorize',
  // callbackUrl: the only redirect_uri it accepts, as a registered one (any on an allowed host without it).
  reads: ['clientId', 'callbackUrl'],
  fixedCallback: false,
  keyPair: true,
  jtiByDefault: false,
  tokenParam: 'id_token',
  accept(o, params) {
    if (single(params, 'response_type') !== 'id_token') return 'The response_type must be id_token (given once).';
    const clientId = single(params, 'client_id');
    if (typeof clientId !== 'string' || clientId === '') return 'No client_id was given (once).';
    if (o.clientId !== undefined && clientId !== o.clientId) return 'The client_id is not registered here.';
    const given = single(params, 'redirect_uri');
    if (given === undefined) return 'The redirect_uri was given more than once.';
    const redirectUri = checkReturnUrl(given, o.allowed);
    if (typeof redirectUri === 'string') return `redirect_uri: ${redirectUri}`;
    if (o.callbackUrl !== undefined && redirectUri.href !== o.callbackUrl.href) return 'The redirect_uri is not the registered one.';
    const kept: Array<[string, string]> = [
      ['response_type', 'id_token'],
      ['client_id', clientId],
    ];
    let nonce: string | undefined;
    for (const name of ['scope', 'state', 'nonce']) {
      const value = single(params, name);
      if (value === undefined) return `The ${name} was given more than once.`;
      if (value === null) continue;
      kept.push([name, value]);
      if (name === 'nonce') nonce = value;
    }
    kept.push(['redirect_uri', redirectUri.href]);
    return { destination: redirectUri, kept, ...(nonce === undefined ? {} : { nonce }) };
  },
  typ: true,
  claims(o, u, { iat, login }) {
    return {
      sub: u.username,
      email: emailOf(u),
      iat,
      ...(login?.nonce === undefined ? {} : { nonce: login.nonce }),
      ...(o.jti === undefined ? {} : { jti: o.jti() }),
    };
  },
  deliver(o, res, { login, token, headers }) {
    const state = login.kept.find(([k]) => k === 'state')?.[1];
    const query = `${state === undefined ? '' : `state=${encodeURIComponent(state)}&`}${encodeURIComponent(o.tokenParam)}=${token}`;
    redirect(res, 302, withQuery(login.destination, query), headers);
  },
};
