// Debian's Chromium for the browser suites, driven by playwright-core (never a downloaded
// browser): where it is, whether it is there, and one launch with the flags every suite uses.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { skippedName } from '../support/skip';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const installed = existsSync(CHROMIUM);

/** A suite's name, or the name saying why it is skipped when there is no Chromium. */
export const browserSuite = (name: string): string =>
  installed ? name : skippedName(name, `no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);

/** Headless Chromium; Playwright gives every launch a new, empty user-data dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
