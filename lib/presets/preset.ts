// What every preset shares: the options it leaves to the app, and how it adds its own
// authParams to the app's. Each preset has a file of its own; index.ts lists them.
import type { JwtSsoStrategyBaseOptions } from '../options';

/** Every option but the ones a preset sets itself. */
export type Rest<K extends keyof JwtSsoStrategyBaseOptions> = Omit<JwtSsoStrategyBaseOptions, K>;

// authParams of the app's, with the preset's own set last (they identify the app to the provider).
export function withParams(
  given: JwtSsoStrategyBaseOptions['authParams'],
  own: Readonly<Record<string, string>>,
): JwtSsoStrategyBaseOptions['authParams'] {
  if (typeof given === 'function') return (req) => ({ ...given(req), ...own });
  return { ...given, ...own };
}
