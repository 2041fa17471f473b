// The demo in a real headless Chromium (Debian's, driven by playwright-core): three origins'
// worth of cookies, SameSite and redirects, which supertest cannot prove.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemo, type Demo } from '../../examples/demo/main';
import { skippedName } from '../support/skip';
import { browserSuite, CHROMIUM, installed, launchChromium } from './chromium';

const OUTPUT = join(__dirname, '..', '..', 'test-output');

if (!installed && process.env.CI !== 'true') {
  console.warn(`\n!!! SKIPPING the browser tests: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium\n`);
}

describe('Chromium is there when CI runs', () => {
  (process.env.CI === 'true' ? test : test.skip)(
    process.env.CI === 'true' ? 'CI has Chromium' : skippedName('CI has Chromium', 'only under CI=true'),
    () => {
      expect(existsSync(CHROMIUM)).toBe(true);
    },
  );
});

const SUITE = 'the demo in headless Chromium';
(installed ? describe : describe.skip)(browserSuite(SUITE), () => {
  let browser: Browser;
  let demo: Demo;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    demo = await startDemo(0, 0);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await demo?.close();
  });

  async function newPage(context?: BrowserContext): Promise<{ context: BrowserContext; page: Page; tokenUrls: string[] }> {
    const ctx = context ?? (await browser.newContext({ viewport: { width: 1100, height: 800 } }));
    if (context === undefined) contexts.push(ctx);
    const page = await ctx.newPage();
    const tokenUrls: string[] = [];
    // E2E_DEBUG=1 prints every response a page gets, to see where a flow went.
    if (process.env.E2E_DEBUG) page.on('response', (r) => console.log(r.status(), r.request().method(), r.url().slice(0, 160)));
    page.on('request', (r) => {
      if (r.url().includes('jwt=')) tokenUrls.push(r.url());
    });
    return { context: ctx, page, tokenUrls };
  }

  const appUrl = (path: string) => new URL(path, demo.appUrl).href;

  async function signIn(page: Page, name: string): Promise<void> {
    await page.getByRole('button', { name: new RegExp(name) }).click();
    await page.waitForURL(appUrl('/protected'));
  }

  jest.setTimeout(60_000);

  test('opened at the address it listens on (127.0.0.1), the demo still signs in, on its public address', async () => {
    const { page } = await newPage();
    await page.goto(new URL('/protected', demo.listenUrl).href);
    expect(page.url().startsWith(demo.providerUrl)).toBe(true);
    await signIn(page, 'Harry Student');
    await expect(page.locator('#username').textContent()).resolves.toBe('harry.student');
  });

  test('sign in, reload, back, replay, sign out', async () => {
    const { page, tokenUrls } = await newPage();

    // The protected page sends us to the provider's form.
    await page.goto(appUrl('/protected'));
    expect(page.url().startsWith(demo.providerUrl)).toBe(true);
    await expect(page.getByRole('heading', { name: /Sign in to localhost/ }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'provider-form.png') });

    // Choosing a user lands on the protected page, signed in, with no token in the address bar.
    await signIn(page, 'Minerva Teacher');
    expect(page.url()).toBe(appUrl('/protected'));
    expect(page.url()).not.toContain('jwt');
    await expect(page.locator('#username').textContent()).resolves.toBe('minerva.teacher');
    await page.screenshot({ path: join(OUTPUT, 'signed-in.png'), fullPage: true });
    expect(tokenUrls).toHaveLength(1);
    const callbackUrl = tokenUrls[0]!;

    // A reload stays signed in.
    await page.reload();
    await expect(page.locator('#username').textContent()).resolves.toBe('minerva.teacher');

    // Back does not bring the token back: the callback URL never became a history entry.
    await page.goBack();
    await page.waitForLoadState();
    expect(page.url()).not.toContain('jwt=');
    await page.goForward().catch(() => undefined);
    await page.waitForLoadState();
    expect(page.url()).not.toContain('jwt=');

    // Sign out ends both sessions: back on the app's home page, and the provider asks again.
    await page.goto(appUrl('/protected'));
    await page.locator('#logout').click();
    await page.waitForURL(appUrl('/'));
    await expect(page.getByRole('link', { name: 'Sign in', exact: true }).isVisible()).resolves.toBe(true);
    await page.goto(appUrl('/protected'));
    expect(page.url().startsWith(demo.providerUrl)).toBe(true);

    // Pasting the old callback URL is refused with a readable page, in this browser and another.
    const response = await page.goto(callbackUrl);
    expect(response?.status()).toBe(403);
    await expect(page.locator('#refused').isVisible()).resolves.toBe(true);
    await expect(page.locator('#code').textContent()).resolves.toBe('ERR_JWTSSO_STATE_MISMATCH');
    const other = await newPage();
    await other.page.goto(callbackUrl);
    await expect(other.page.locator('#refused').isVisible()).resolves.toBe(true);
    await expect(other.page.locator('body').textContent()).resolves.not.toContain(new URL(callbackUrl).searchParams.get('jwt'));
  });

  test('two tabs signing in at the same time both end signed in', async () => {
    const { context, page: tabA } = await newPage();
    const { page: tabB } = await newPage(context);
    // Tab A opens first, so tab B's request carries A's session cookie: two requests of a new
    // browser sent at the very same moment would each get a session of their own (README).
    await tabA.goto(appUrl('/protected'));
    await tabB.goto(appUrl('/protected'));
    expect(tabA.url().startsWith(demo.providerUrl)).toBe(true);
    expect(tabB.url().startsWith(demo.providerUrl)).toBe(true);
    // Both logins are in flight at once; the choices come one after the other, as a person's
    // clicks do. (Two returns within the same few milliseconds can race: see the README.)
    await signIn(tabA, 'Harry Student');
    await signIn(tabB, 'Harry Student');
    await expect(tabA.locator('#username').textContent()).resolves.toBe('harry.student');
    await expect(tabB.locator('#username').textContent()).resolves.toBe('harry.student');
    await tabA.reload();
    await expect(tabA.locator('#username').textContent()).resolves.toBe('harry.student');
  });
  // Tab restore after a restart: six protected tabs of the app opened at the very same moment by
  // a browser with no cookie for the app, while the provider remembers the user.
  async function restoreSixTabs(appUrlOf: (path: string) => string, tabPath: (i: number) => string = (i) => `/protected?tab=${i}`) {
    const { context, page: first } = await newPage();
    await first.goto(appUrlOf('/protected'));
    await signInAt(first, 'Minerva Teacher', appUrlOf('/protected'));
    await context.clearCookies({ domain: 'localhost' }); // the app's cookies go; the provider's stay
    await first.close();
    const tabs = await Promise.all(Array.from({ length: 6 }, () => context.newPage()));
    const providerTrips = tabs.map(() => 0);
    const statuses: number[][] = tabs.map(() => []);
    const trail: string[][] = tabs.map(() => []);
    tabs.forEach((tab, i) => {
      tab.on('request', (r) => {
        if (r.url().startsWith(demo.providerUrl)) providerTrips[i]! += 1;
      });
      tab.on('response', (r) => {
        statuses[i]!.push(r.status());
        const url = r
          .url()
          .replace(/jwt=[^&]+/, 'jwt=…')
          .slice(0, 140);
        // The entry keeps its place; the cookie names follow once Playwright has them (`headers()`
        // leaves `cookie` out: only `allHeaders()` carries it).
        const entry = trail[i]!.push(`${r.status()} ${url}`) - 1;
        void r
          .request()
          .allHeaders()
          .then((sent) => {
            const names = (sent['cookie'] ?? '').split(';').map((c) => c.trim().split('=')[0]);
            trail[i]![entry] += ` [${names.join(',')}]`;
          })
          .catch(() => undefined);
      });
    });
    await Promise.all(tabs.map((tab, i) => tab.goto(appUrlOf(tabPath(i))).catch(() => undefined)));
    // A goto that was interrupted by the tab's own next redirect resolves early: read each tab
    // once it has settled on a page of the app that shows a user or a refusal (or after 10 s).
    await Promise.all(
      tabs.map((tab) =>
        tab
          .locator('#username, #code')
          .first()
          .waitFor({ timeout: 10_000 })
          .catch(() => undefined),
      ),
    );
    const outcome = await Promise.all(
      tabs.map(async (tab) => ({
        url: tab.url(),
        user: (await tab.locator('#username').count()) > 0 ? await tab.locator('#username').textContent() : null,
        code: (await tab.locator('#code').count()) > 0 ? await tab.locator('#code').textContent() : null,
      })),
    );
    if (outcome.some((o) => o.user === null))
      outcome.forEach((o, i) =>
        console.log(`tab ${i}: user ${o.user} code ${o.code} at ${o.url.replace(/jwt=[^&]+/, 'jwt=…')}\n  ${trail[i]!.join('\n  ')}`),
      );
    return { outcome, providerTrips, statuses, context };
  }

  async function signInAt(page: Page, name: string, url: string): Promise<void> {
    await page.getByRole('button', { name: new RegExp(name) }).click();
    await page.waitForURL(url);
  }

  test('tab restore, cookie login state: six tabs opened at once all end signed in, one trip each', async () => {
    const { outcome, providerTrips, statuses } = await restoreSixTabs(appUrl);
    console.log(`measured: cookie login state: ${outcome.filter((o) => o.user !== null).length} of 6 tabs signed in`);
    expect(outcome.map((o) => o.user)).toEqual(Array(6).fill('minerva.teacher'));
    outcome.forEach((o, i) => expect(o.url).toBe(appUrl(`/protected?tab=${i}`)));
    // No tab went to the provider twice (Chromium does not always report a redirect hop to the page's listener, so a hop may count 0).
    expect(providerTrips.every((n) => n <= 1)).toBe(true);
    expect(statuses.flat()).not.toContain(403);
  });

  test('tab restore, cookie login state: six tabs of the same URL opened at once all end signed in on it', async () => {
    // Each tab's login parks its token in a cookie of its own login (not of the URL), and the
    // clean URL's request tries the newest first: no tab overwrites or takes another's. A late
    // tab whose first request carries only tokens other tabs already redeemed (sent before their
    // answers cleared them) starts its own sign-in (spec/strategy/tabs.test.ts has it step by
    // step). Three restores in a row, each 6 of 6: the race this once lost about 1 run in 4.
    for (let round = 1; round <= 3; round++) {
      const { outcome, statuses } = await restoreSixTabs(appUrl, () => '/protected?same=1');
      console.log(
        `measured: cookie login state, one URL, restore ${round}: ${outcome.filter((o) => o.user !== null).length} of 6 tabs signed in`,
      );
      expect(outcome.map((o) => o.user)).toEqual(Array(6).fill('minerva.teacher'));
      outcome.forEach((o) => expect(o.url).toBe(appUrl('/protected?same=1')));
      expect(statuses.flat()).not.toContain(401);
      expect(statuses.flat()).not.toContain(403);
    }
  });

  test('tab restore, session login state: what the tabs end on (documented in the README)', async () => {
    const sessionDemo = await startDemo(0, 0, { loginState: 'session' });
    try {
      const { outcome, statuses } = await restoreSixTabs((path) => new URL(path, sessionDemo.appUrl).href);
      const signedIn = outcome.filter((o) => o.user !== null).length;
      console.log(
        `measured: session login state: ${signedIn} of 6 tabs signed in, the others on ${[...new Set(outcome.map((o) => o.code).filter(Boolean))].join(', ')}`,
      );
      // Every tab ends either signed in on its clean URL or on the readable refusal page (which
      // stays on the return URL, no-store and no-referrer, so that a lost cookie is not a loop).
      for (const o of outcome) {
        if (o.user !== null) expect(o.url).not.toContain('jwt=');
        expect(o.user === 'minerva.teacher' || o.code === 'ERR_JWTSSO_STATE_MISMATCH').toBe(true);
      }
      expect(statuses.flat()).not.toContain(500);
      expect(signedIn).toBeGreaterThanOrEqual(1);
    } finally {
      await sessionDemo.close();
    }
  });
});
