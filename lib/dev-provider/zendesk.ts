// A Zendesk-style identity provider (since 2023): the browser POSTs `jwt` with `return_to` (and
// `brand_id`, `locale_id`, `timestamp` when Zendesk sent them) as an
// application/x-www-form-urlencoded form to the consumer's fixed endpoint. HS256, a header with
// `typ` and `alg`; claims `iat`, `jti`, `name`, `email`, `external_id`.
import { sendFormPost } from './page';
import { emailOf, keepPassedOn, type Shape } from './shape';

// Parameters Zendesk sends to the remote login URL and expects back; only return_to is a URL.
const KEPT_AS_GIVEN = ['brand_id', 'locale_id', 'timestamp'];

export const zendesk: Shape = {
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
    sendFormPost(res, { action: login.destination, fields: [[o.tokenParam, token], ...login.kept], headers });
  },
};
