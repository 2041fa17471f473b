// The provider presets, one line per provider: each returns ordinary strategy options (nothing
// the options cannot say), so an app can read, spread and override the result. Each preset has a
// file of its own; the shapes, and the sources they were read from, are in docs/providers.md.
import { freshworks } from './freshworks';
import { puavo } from './puavo';
import { thinkific } from './thinkific';
import { wso2 } from './wso2';
import { zendesk } from './zendesk';

export type { PuavoPreset } from './puavo';
export type { Wso2Preset } from './wso2';
export type { ZendeskPreset } from './zendesk';
export type { FreshworksPreset } from './freshworks';
export type { ThinkificPreset } from './thinkific';

/** The provider presets: each returns ordinary options (see each function). */
export const presets = {
  /** Opinsys/Puavo SSO: the token appended to the return URL. */
  puavo,
  /** WSO2 Identity Server's JWT SSO connector: a fixed callback, `return_to` beside the token. */
  wso2,
  /** A Zendesk-style consumer: the token in a form POST to `/access/jwt`. */
  zendesk,
  /** A Freshworks-style consumer: `id_token`, a top-level `state`, a `nonce`, RS256. */
  freshworks,
  /** A Thinkific-style consumer: a fixed callback, `return_to` beside the token, `jti` optional. */
  thinkific,
} as const;
