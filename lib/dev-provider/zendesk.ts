// A Zendesk-style identity provider (since 2023), as zendesk/zendesk_jwt_sso_examples (commit
// 3339d07) posts: an auto-submitting application/x-www-form-urlencoded form whose body holds only
// an `authenticity_token` (Rails' form_with adds one) and `jwt`, and whose ACTION URL carries
// `return_to`, `brand_id`, `locale_id` and `timestamp` (those Zendesk sent, none other) in its
// query: `/access/jwt?#{jwt_params.to_query}` (form_submission/rails_html_erb_jwt.rb; the jQuery
// one appends `window.location.search` to the action alike). HS256, a header with `typ` and
// `alg`; claims `iat`, `jti`, `name`, `email`, `external_id`.
import { randomBytes } from 'node:crypto';
import { sendFormPost } from './page';
import { emailOf, keepPassedOn, type Shape } from './shape';

// Parameters Zendesk sends to the remote login URL and expects back; only return_to is a URL.
const KEPT_AS_GIVEN = ['brand_id', 'locale_id', 'timestamp'];
/** Bytes of the Rails-like `authenticity_token` (a masked token is twice Rails' 32-byte CSRF token). */
const AUTHENTICITY_TOKEN_BYTES = 64;

// Ruby's CGI.escape, which Rails' Hash#to_query uses: everything but A-Za-z0-9 _ . - ~ %-encoded
// (upper-case hex), a space as `+`. encodeURIComponent also leaves ! ' ( ) * as they are.
const cgiEscape = (text: string): string =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/**
 * Rails' `Hash#to_query`: each pair `CGI.escape(key)=CGI.escape(value)`, the pairs sorted, joined
 * with `&` (an empty hash gives `''`, so the action URL then ends in a bare `?`).
 */
export function railsToQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => `${cgiEscape(k)}=${cgiEscape(v)}`)
    .sort()
    .join('&');
}

export const zendesk: Shape = {
  path: '/sso/jwt',
  reads: ['returnToPattern', 'callbackUrl'],
  fixedCallback: true,
  keyPair: false,
  jtiByDefault: true,
  tokenParam: 'jwt',
  accept(o, params) {
    const returnTo = keepPassedOn(o, params, ['return_to']);
    if (typeof returnTo === 'string') return returnTo;
    const others: Array<[string, string]> = [];
    for (const name of KEPT_AS_GIVEN) {
      const values = params.getAll(name);
      if (values.length > 1) return `The ${name} was given more than once.`;
      if (values.length === 1) others.push([name, values[0]!]);
    }
    return { destination: o.callbackUrl!, kept: [...returnTo, ...others] };
  },
  typ: true,
  claims(o, u, { iat }) {
    return {
      iat,
      ...(o.jti === undefined ? {} : { jti: o.jti() }),
      name: `${u.first_name} ${u.last_name}`,
      email: emailOf(u),
      external_id: u.external_id ?? String(u.puavo_id),
    };
  },
  deliver(o, res, { login, token, headers }) {
    // `"https://…/access/jwt?#{jwt_params.to_query}"`: the `?` is written even with nothing after it.
    const endpoint = new URL(login.destination.href);
    endpoint.hash = '';
    const q = endpoint.href.indexOf('?');
    const base = q === -1 ? endpoint.href : endpoint.href.slice(0, q);
    const own = q === -1 ? '' : endpoint.href.slice(q + 1);
    const query = railsToQuery(login.kept);
    const action = new URL(`${base}?${own}${own !== '' && query !== '' ? '&' : ''}${query}`);
    // Rails' form_with writes its authenticity_token field first, then the form's own fields.
    const authenticityToken = randomBytes(AUTHENTICITY_TOKEN_BYTES).toString('base64url');
    sendFormPost(res, {
      action,
      fields: [
        ['authenticity_token', authenticityToken],
        [o.tokenParam, token],
      ],
      headers,
    });
  },
};
