// The documentation's links: README.md, CONTRIBUTING.md, TESTING.md and every guide in docs/.
// Every relative link names a file of the repository, every #anchor a heading of its page (slugged
// as GitHub slugs headings), every link to this repository's GitHub pages a file that exists here;
// the README, which npm renders too, links only absolutely; every guide is on the README's map and
// leads back to it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(__dirname, '..');
const REPO_BLOB = 'https://github.com/opinsys/passport-jwtsso/blob/main/';
const REPO_RAW = 'https://raw.githubusercontent.com/opinsys/passport-jwtsso/main/';

const guides = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`)
  .sort();
const pages = ['README.md', 'CONTRIBUTING.md', 'TESTING.md', ...guides];

/** Only the line breaks of a piece of text, so that line numbers stay those of the page. */
const keepLines = (text: string) => text.replace(/[^\n]/g, '');

/** The text of a page without its fenced code blocks and inline code, where links are not links. */
export function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, keepLines)
    .replace(/`[^`\n]*`/g, '')
    .replace(/<!--[\s\S]*?-->/g, keepLines);
}

/** A heading's anchor as GitHub makes it (github-slugger): the rendered text, lower-cased, punctuation dropped, spaces as '-'. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, '') // code and emphasis marks
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor of a page: its headings' slugs (repeats numbered -1, -2 as GitHub does) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  for (const [, text] of withoutCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = githubSlug(text!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const [, id] of withoutCode.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

/** The slugs of the headings that hold inline code: a link to one works on GitHub and not on the site. */
export function codeHeadings(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6}[ \t]+(.*`.*?)[ \t#]*$/gm)].map((m) => githubSlug(m[1]!)));
}

/** The targets of a page's links and images, inline `[text](target)` form, with the line each is on. */
export function linksOf(markdown: string): { target: string; line: number }[] {
  const text = prose(markdown);
  const links: { target: string; line: number }[] = [];
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    links.push({ target: match[1]!, line: text.slice(0, match.index).split('\n').length });
  }
  return links;
}

const read = (page: string) => readFileSync(join(root, page), 'utf8');

/** What is wrong with one link of `page`, or undefined when it resolves. */
function brokenLink(page: string, target: string): string | undefined {
  let local: string | undefined;
  if (target.startsWith(REPO_BLOB)) local = target.slice(REPO_BLOB.length);
  else if (target.startsWith(REPO_RAW)) local = target.slice(REPO_RAW.length);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(target))
    return undefined; // another site: not fetched here
  else if (target.startsWith('#')) local = page + target;
  else local = relative(root, resolve(dirname(join(root, page)), target));
  const [path, anchor] = local.split('#') as [string, string | undefined];
  const file = join(root, path === '' ? page : path);
  if (!existsSync(file)) return `${target}: no file ${relative(root, file)}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!file.endsWith('.md')) return `${target}: an anchor into a file that is not Markdown`;
  const markdown = readFileSync(file, 'utf8');
  const wanted = decodeURIComponent(anchor);
  if (!anchorsOf(markdown).has(wanted)) return `${target}: no heading #${anchor} in ${relative(root, file)}`;
  if (codeHeadings(markdown).has(wanted)) {
    return `${target}: its heading has inline code, which the site (TypeDoc) slugs otherwise than GitHub: drop the backticks`;
  }
  return undefined;
}

describe('the slugs are GitHub’s', () => {
  test.each([
    ['Where a pending login waits: `loginState`', 'where-a-pending-login-waits-loginstate'],
    ['Moving from `jwtsso` 1.x: `passport-jwtsso/compat`', 'moving-from-jwtsso-1x-passport-jwtssocompat'],
    [
      "`RedisReplayStore({ client, prefix = 'jwtsso:jti:', timeoutMs = 500, waitForReplicas })`",
      'redisreplaystore-client-prefix--jwtssojti-timeoutms--500-waitforreplicas-',
    ],
    ['Clients: one node, Redis Cluster, Sentinel', 'clients-one-node-redis-cluster-sentinel'],
    ['Options of `passport.authenticate`', 'options-of-passportauthenticate'],
    ['snake_case stays', 'snake_case-stays'],
    ['A [link](x.md) and **bold**', 'a-link-and-bold'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  test('a repeated heading gets -1, as on GitHub', () => {
    expect([...anchorsOf('# Notes\n\n## Notes\n\n```md\n# Not a heading\n```\n')]).toEqual(['notes', 'notes-1']);
  });
});

describe('links in code are not links', () => {
  test('fenced blocks and inline code are left out, a link beside them is kept', () => {
    const page = '[a](a.md) `[b](b.md)`\n\n```md\n[c](c.md)\n```\n\n[d](d.md#x)\n';
    expect(linksOf(page).map((l) => l.target)).toEqual(['a.md', 'd.md#x']);
  });
});

describe.each(pages)('%s', (page) => {
  test('every link and image resolves: the file exists, and so does the heading an anchor names', () => {
    const broken = linksOf(read(page))
      .map(({ target, line }) => {
        const why = brokenLink(page, target);
        return why === undefined ? undefined : `line ${line}: ${why}`;
      })
      .filter((x) => x !== undefined);
    expect(broken).toEqual([]);
  });
});

describe('the README, as npm shows it', () => {
  const readme = read('README.md');

  test('links only absolutely or to its own headings: relative links break on the npm page', () => {
    const relativeLinks = linksOf(readme)
      .map((l) => l.target)
      .filter((t) => !/^https?:\/\//.test(t) && !t.startsWith('#'));
    expect(relativeLinks).toEqual([]);
  });

  test('is at most 25,000 bytes, and keeps the ## Use block', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(25_000);
    expect(readme).toMatch(/^## Use\n[\s\S]*?```ts\n[\s\S]*?new JwtSsoStrategy/m);
  });

  test('names the two commands and the API site', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
    expect(readme).toContain('https://opinsys.github.io/passport-jwtsso/');
  });

  test.each(guides)('the map links %s', (guide) => {
    const targets = linksOf(readme).map((l) => l.target.split('#')[0]);
    expect(targets).toContain(REPO_BLOB + guide);
  });

  test('control: a relative link would be reported', () => {
    expect(linksOf('see [x](docs/x.md)').map((l) => l.target)).toEqual(['docs/x.md']);
  });
});

describe.each(guides)('%s, as a guide', (guide) => {
  const text = read(guide);

  test('leads back to the map of the guides in its first lines', () => {
    const top = text.split('\n').slice(0, 4).join('\n');
    expect(linksOf(top).map((l) => l.target)).toContain('../README.md#guides');
  });

  test('ends with a "See also" line of other guides', () => {
    const last = text.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^See also: /);
    expect(linksOf(last).length).toBeGreaterThan(0);
  });
});

describe('what the checker catches', () => {
  test.each([
    ['docs/configuration.md', 'no-such-page.md', /no file/],
    ['docs/configuration.md', 'security.md#no-such-heading', /no heading/],
    ['docs/configuration.md', '#no-such-heading', /no heading/],
    ['README.md', `${REPO_BLOB}docs/nope.md`, /no file/],
    ['README.md', `${REPO_RAW}docs/nope.png`, /no file/],
    ['docs/configuration.md', '../package.json#x', /not Markdown/],
    ['docs/configuration.md', 'several-instances.md#memoryreplaystore-maxentries--100000-clock-', /inline code/],
  ])('%s: a link to %s is broken', (page, target, why) => {
    expect(brokenLink(page, target)).toMatch(why);
  });

  test.each([
    ['docs/configuration.md', 'security.md#where-a-pending-login-waits-the-loginstate-option'],
    ['docs/configuration.md', '../examples/key-sources.ts'],
    ['README.md', `${REPO_BLOB}docs/security.md#security-model`],
    ['README.md', 'https://www.passportjs.org/'],
  ])('control: %s: a link to %s resolves', (page, target) => {
    expect(brokenLink(page, target)).toBeUndefined();
  });
});
