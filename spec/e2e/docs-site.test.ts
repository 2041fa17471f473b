// The documentation site (`npm run docs`: TypeDoc, the API reference and the guides) built afresh
// into a temporary folder with warnings as errors, served from loopback by a plain static server,
// and opened in headless Chromium: the index loads, the guides are in the navigation, search
// reaches an option's entry, and every link of every page visited leads to a page that exists
// (no 404) and, with a #fragment, to an element of that id.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { browserSuite, installed, launchChromium } from './chromium';

const root = join(__dirname, '..', '..');
const BUILD_TIMEOUT_MS = 300_000;
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
};

/** A static server of `dir` on 127.0.0.1, answering 404 for anything that is not a file there; it records what it answered. */
function serve(dir: string): Promise<{ server: Server; origin: string; answered: Map<string, number> }> {
  const answered = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) && file !== dir) file = '';
    else if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const found = file !== '' && existsSync(file) && statSync(file).isFile();
    answered.set(path, found ? 200 : 404);
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { server, origin: `http://127.0.0.1:${address.port}`, answered };
  });
}

const guides = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => f.replace(/\.md$/, ''))
  .sort();

(installed ? describe : describe.skip)(browserSuite('the documentation site in headless Chromium'), () => {
  let out: string;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serve>>;
  const visited = new Set<string>();

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'jwtsso-site-'));
    // Exit status 0 with treatWarningsAsErrors: the site builds with no warning.
    execFileSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out], { cwd: root, stdio: 'pipe' });
    site = await serve(out);
    browser = await launchChromium();
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    const response = await page.goto(site.origin + path);
    expect(response?.status()).toBe(200);
    await page.waitForLoadState('load');
    visited.add(page.url().split('#')[0]!);
    return page;
  }

  test('the index is the README: the package, the Use example, the map of the guides', async () => {
    const page = await open('/');
    await expect(page.title()).resolves.toContain('passport-jwtsso');
    await expect(page.locator('h2', { hasText: 'Use' }).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('h2', { hasText: 'Guides' }).count()).resolves.toBe(1);
    await page.close();
  });

  test('every guide is a page of the site, reached from the navigation', async () => {
    const page = await open('/');
    // TypeDoc renders its navigation with script: wait for it.
    await page.waitForSelector('nav a[href*="documents/"]');
    const linked = await page.$$eval('nav a[href*="documents/"]', (as) => as.map((a) => (a as unknown as { href: string }).href));
    const names = new Set(linked.map((href) => new URL(href).pathname.replace(/^.*\/documents\//, '').replace(/\.html$/, '')));
    expect([...names].sort()).toEqual(expect.arrayContaining(guides));
    await page.goto(linked.find((href) => href.endsWith('/documents/configuration.html'))!);
    visited.add(page.url().split('#')[0]!);
    await expect(page.locator('h1', { hasText: 'Configuration' }).count()).resolves.toBe(1);
    await expect(page.locator('td code', { hasText: /^maxAge$/ }).count()).resolves.toBe(1);
    await page.close();
  });

  test("search reaches an option's entry in the API reference", async () => {
    const page = await open('/');
    await page.locator('#tsd-search-trigger').click();
    await page.locator('#tsd-search-input').fill('maxAge');
    const result = page.locator('#tsd-search-results a').filter({ hasText: 'maxAge' }).first();
    await result.waitFor({ timeout: 10_000 });
    await result.click();
    await page.waitForURL(/#maxage$/i);
    visited.add(page.url().split('#')[0]!);
    const anchor = new URL(page.url()).hash.slice(1);
    await expect(page.locator(`[id="${anchor}"]`).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('body').innerText()).resolves.toContain('Seconds a token may be old');
    await page.close();
  });

  test('control: the server answers 404 for a page that is not there', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${site.origin}/documents/no-such-guide.html`);
    expect(response?.status()).toBe(404);
    await page.close();
  });

  test('every link of every page visited resolves: the page exists, and so does its #fragment', async () => {
    for (const guide of guides) visited.add(`${site.origin}/documents/${guide}.html`);
    const pages = [...visited];
    expect(pages.length).toBeGreaterThan(guides.length);
    const broken: string[] = [];
    const ids = new Map<string, Set<string>>();
    const page = await browser.newPage();
    for (const from of pages) {
      const response = await page.goto(from);
      if (response?.status() !== 200) {
        broken.push(`${from}: ${response?.status()}`);
        continue;
      }
      await page.waitForSelector('nav a', { timeout: 10_000 }).catch(() => undefined);
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as unknown as { href: string }).href));
      for (const href of new Set(hrefs)) {
        const url = new URL(href);
        if (url.origin !== site.origin) continue; // another site: not fetched here
        const target = url.origin + url.pathname;
        if (!ids.has(target)) {
          const got = await fetch(target);
          const text = got.ok ? await got.text() : '';
          if (!got.ok) broken.push(`${from} → ${url.pathname}: ${got.status}`);
          ids.set(target, new Set([...text.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
        }
        const fragment = decodeURIComponent(url.hash.slice(1));
        // '#' alone and TypeDoc's icon sprites are not anchors of a page.
        if (fragment === '' || url.pathname.endsWith('.svg')) continue;
        if (!ids.get(target)!.has(fragment) && (ids.get(target)!.size > 0 || !broken.some((b) => b.includes(url.pathname)))) {
          broken.push(`${from} → ${url.pathname}#${fragment}: no element with that id`);
        }
      }
    }
    await page.close();
    expect(broken).toEqual([]);
    const notFound = [...site.answered].filter(
      ([path, status]) => status === 404 && path !== '/favicon.ico' && !path.includes('no-such-guide'),
    );
    expect(notFound).toEqual([]);
  }, 120_000);
});
