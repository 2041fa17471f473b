// Which file plays which shape: one line per shape. Each shape's file holds every fact of its wire
// shape (see shape.ts); a shape added here is one the dev provider, its options and startDevProvider know.
import { freshworks } from './freshworks';
import { puavo } from './puavo';
import type { Shape } from './shape';
import { thinkific } from './thinkific';
import { wso2 } from './wso2';
import { zendesk } from './zendesk';

/**
 * The provider shapes the dev provider plays (see the README's "Providers" section):
 * - `'puavo'`: the token appended to `return_to` (a 303 there), HS256, Puavo's claims;
 * - `'wso2'`: WSO2 Identity Server's JWT SSO connector: a 302 to the fixed `callbackUrl` with
 *   `jwt` and `return_to` beside it (form-encoded), `{"alg":"HS256"}` (or `algorithm`), `sub`,
 *   `jti`, `iat`, `exp = iat + 120`;
 * - `'zendesk'`: a browser form POST (an auto-submitting page) to the fixed `callbackUrl`, as
 *   Zendesk's own examples post it: the body holds `authenticity_token` (Rails) and `jwt` only;
 *   `return_to`, `brand_id`, `locale_id`, `timestamp` ride in the action URL's query (Rails'
 *   `to_query`); header with `typ`, claims `iat`, `jti`, `name`, `email`, `external_id`;
 * - `'freshworks'`: OAuth-implicit shaped: reads `redirect_uri`, `state`, `nonce`, `client_id`,
 *   `response_type=id_token`; a 302 to `redirect_uri?state=…&id_token=…`; RS256 with a key pair
 *   it generates; claims `sub`, `email`, `iat`, `nonce`, no `jti`;
 * - `'thinkific'`: a GET of the fixed `callbackUrl` with `jwt` and `return_to`; claims
 *   `first_name`, `last_name`, `email`, `external_id`, `iat`, no `jti`.
 */
export type DevProviderShape = 'puavo' | 'wso2' | 'zendesk' | 'freshworks' | 'thinkific';

export const SHAPES: Readonly<Record<DevProviderShape, Shape>> = { puavo, wso2, zendesk, freshworks, thinkific };
