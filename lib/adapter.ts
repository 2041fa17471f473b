// The session and response types the login-state stores were written against, now defined with
// the framework adapters (lib/frameworks/view.ts). Kept so that those modules need no edit.
export type { HeaderTarget, SessionAccess } from './frameworks/view';
