// Provider shapes in a real headless Chromium (Debian's, driven by playwright-core): the dev
// provider on http://localhost:<port> and the app on http://127.0.0.1:<port>, two sites, so the
// Zendesk-style form POST is cross-site and carries no SameSite=Lax cookie of the app, which
// supertest cannot prove; and a fixed-callback GET shape (WSO2), whose token URL must leave no
// history entry.
import { type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { presets } from '../../lib';
import { createDevProvider } from '../../lib/dev-provider';
import { startSite, type Site } from '../providers/shape-flow';
import { browserSuite, installed, launchChromium } from './chromium';

const SECRET = 'browser-shapes-secret';
const MINERVA = { email: 'minerva.teacher@example.opinsys.fi' };

// The provider's origin as the browser sees it: another site than the app's 127.0.0.1.
const asLocalhost = (origin: string) => origin.replace('//127.0.0.1:', '//localhost:');

const SUITE = 'provider shapes in headless Chromium, provider and app on two sites';
(installed ? describe : describe.skip)(browserSuite(SUITE), () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sites: Site[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await Promise.all(sites.map((s) => s.close()));
  });

  jest.setTimeout(60_000);

  async function newPage(): Promise<{ page: Page; requests: Request[]; context: BrowserContext }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const requests: Request[] = [];
    page.on('request', (r) => void requests.push(r));
    if (process.env.E2E_DEBUG) page.on('response', (r) => console.log(r.status(), r.request().method(), r.url().slice(0, 160)));
    return { page, requests, context };
  }

  // Every URL this tab's history holds, from Chromium itself.
  async function historyUrls(context: BrowserContext, page: Page): Promise<string[]> {
    const cdp = await context.newCDPSession(page);
    const { entries } = (await cdp.send('Page.getNavigationHistory')) as { entries: Array<{ url: string }> };
    return entries.map((e) => e.url);
  }

  const pageJson = async (page: Page) => JSON.parse(await page.locator('body').innerText()) as { user: unknown; url: string };

  test('Zendesk-style: the cross-site form POST (no app cookie on it) ends signed in on the return URL; the token in no URL', async () => {
    const site = await startSite({
      path: '/sso/jwt',
      strategy: (origin) => presets.zendesk({ loginUrl: `${asLocalhost(origin)}/sso/jwt`, sharedSecret: SECRET }),
      provider: (origin) => createDevProvider({ shape: 'zendesk', sharedSecret: SECRET, callbackUrl: `${origin}/access/jwt` }),
    });
    sites.push(site);
    const { page, requests, context } = await newPage();
    await page.goto(`${site.origin}/protected?tab=2`);
    expect(page.url().startsWith(asLocalhost(site.server.origin))).toBe(true);
    await page.getByRole('button', { name: /Minerva Teacher/ }).click();
    // The provider's page submits itself (its one script, allowed by hash): no click on Continue.
    await page.waitForURL(`${site.origin}/protected?tab=2`);
    expect(await pageJson(page)).toMatchObject({ user: MINERVA, url: '/protected?tab=2' });

    const post = requests.find((r) => r.method() === 'POST' && r.url().startsWith(`${site.origin}/access/jwt?`));
    expect(post).toBeDefined();
    // As Zendesk's examples post it: the body holds authenticity_token and jwt; return_to is in the action URL.
    const body = new URLSearchParams(post!.postData() ?? '');
    expect([...body.keys()]).toEqual(['authenticity_token', 'jwt']);
    const token = body.get('jwt');
    expect(token).toMatch(/^eyJ/);
    expect(new URL(new URL(post!.url()).searchParams.get('return_to')!).pathname).toBe('/protected');
    // Cross-site: the app's SameSite=Lax login-state cookie did not come with the POST…
    const postCookies = (await post!.allHeaders()).cookie ?? '';
    expect(postCookies).not.toMatch(/jwtsso/);
    // …while the GET it was sent on to (a 303) carried it: the state is checked there.
    const after = requests.filter((r) => r.method() === 'GET' && r.url() === `${site.origin}/protected?tab=2`).at(-1);
    expect(after).toBeDefined();
    expect((await after!.allHeaders()).cookie ?? '').toMatch(/jwtsso/);

    expect(requests.filter((r) => r.url().includes(token!) || r.url().includes('jwt='))).toEqual([]);
    expect(page.url()).not.toContain('jwt');
    const history = await historyUrls(context, page);
    expect(history.filter((u) => u.includes('jwt=') || u.includes(token!))).toEqual([]);
    expect(history.at(-1)).toBe(`${site.origin}/protected?tab=2`);

    // Still signed in on the next request, and the app answers an API call for this browser.
    await page.goto(`${site.origin}/api/me`);
    expect((await pageJson(page)).user).toEqual(MINERVA);
  });

  test('WSO2-style fixed callback (GET): signed in on the return URL; the token URL is no history entry', async () => {
    const site = await startSite({
      path: '/identity/jwtsso',
      strategy: (origin) =>
        presets.wso2({ server: asLocalhost(origin), relyingParty: 'demo', sharedSecret: SECRET, callbackPath: '/sso/callback' }),
      provider: (origin) =>
        createDevProvider({ shape: 'wso2', sharedSecret: SECRET, relyingParty: 'demo', callbackUrl: `${origin}/sso/callback` }),
    });
    sites.push(site);
    const { page, requests, context } = await newPage();
    await page.goto(`${site.origin}/protected?q=a%20b`);
    expect(page.url().startsWith(`${asLocalhost(site.server.origin)}/identity/jwtsso?`)).toBe(true);
    await page.getByRole('button', { name: /Albus Admin/ }).click();
    await page.waitForURL(`${site.origin}/protected?q=a%20b`);
    expect(await pageJson(page)).toMatchObject({ user: { email: 'albus.admin@example.opinsys.fi' } });

    // The one request that carried the token is the callback's, and it left no trace.
    const carried = requests.filter((r) => r.url().includes('jwt='));
    expect(carried.map((r) => new URL(r.url()).pathname)).toEqual(['/sso/callback']);
    const token = new URL(carried[0]!.url()).searchParams.get('jwt')!;
    expect(page.url()).not.toContain('jwt');
    const history = await historyUrls(context, page);
    expect(history.filter((u) => u.includes('jwt=') || u.includes(token))).toEqual([]);

    // Back does not bring the token back.
    await page.goBack().catch(() => undefined);
    await page.waitForLoadState();
    expect(page.url()).not.toContain('jwt=');
  });
});
