// The provider URL a first visit of /protected is sent to, through a real app on loopback, for
// the preset tests (spec/presets/*.test.ts): the login and logout URLs the strategy builds with a preset.
import type { JwtSsoStrategyBaseOptions } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The app the last {@link loginUrlOf} started (closed after each test). */
export function currentApp(): TestApp {
  if (app === undefined) throw new Error('loginUrlOf was not called');
  return app;
}

/** Starts an app with `options` and answers where it sends a first visit of /protected?x=1. */
export async function loginUrlOf(options: JwtSsoStrategyBaseOptions): Promise<URL> {
  app = await startApp({ strategy: { sharedSecret: undefined, ...options } });
  const res = await app.browser().get('/protected?x=1').expect(302);
  return new URL(res.headers.location as string);
}
