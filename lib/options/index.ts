// The options: public types (types.ts, values.ts; the checked shape resolved.ts), defaults (defaults.ts), single-value checks (checks.ts),
// and resolveOptions, which checks them all once and builds what they name (resolve.ts).
export type * from './types';
export type * from './values';
export type * from './resolved';
export { DEFAULTS } from './defaults';
export { checkAuthParams } from './checks';
export { resolveOptions } from './resolve';
