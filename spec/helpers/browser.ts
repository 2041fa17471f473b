// A browser as far as a sign-in needs one, over real sockets: fetch, a cookie jar (per host name
// and path, as browsers keep them: the port does not count; Max-Age/Expires in the past deletes;
// a Secure cookie is not kept from http), redirects followed as a browser follows them (303, 301
// and 302 become GET), and a form submitted with the button a person would press.

interface Cookie {
  value: string;
  path: string;
}

/** One page the browser ended on. */
export interface Page {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** Every URL requested to get here, the first included. */
  visited: string[];
}

const MAX_REDIRECTS = 20;

export class Browser {
  readonly #jar = new Map<string, Map<string, Cookie>>();

  /** The cookies of a host name, as `name=value` pairs (for assertions). */
  cookies(hostname: string): string[] {
    return [...(this.#jar.get(hostname) ?? new Map<string, Cookie>()).entries()].map(([n, c]) => `${n}=${c.value}`);
  }

  #cookieHeader(url: URL): string | undefined {
    const jar = this.#jar.get(url.hostname);
    if (jar === undefined) return undefined;
    const sent = [...jar.entries()]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([n, c]) => `${n}=${c.value}`);
    return sent.length === 0 ? undefined : sent.join('; ');
  }

  #keep(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const attr = new Map(
        attributes.map((a) => {
          const i = a.indexOf('=');
          return i === -1 ? [a.trim().toLowerCase(), ''] : [a.slice(0, i).trim().toLowerCase(), a.slice(i + 1).trim()];
        }),
      );
      if (attr.has('secure') && url.protocol !== 'https:') continue;
      const jar = this.#jar.get(url.hostname) ?? new Map<string, Cookie>();
      this.#jar.set(url.hostname, jar);
      const expires = attr.get('expires');
      const gone = Number(attr.get('max-age') ?? '1') <= 0 || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) jar.delete(name);
      else jar.set(name, { value, path: attr.get('path') ?? '/' });
    }
  }

  /** Opens `url` (GET, or the given method and form body) and follows redirects to the page they end on. */
  async open(url: string, init: { method?: string; form?: URLSearchParams } = {}): Promise<Page> {
    const visited: string[] = [];
    let at = new URL(url);
    let method = init.method ?? 'GET';
    let body: URLSearchParams | undefined = init.form;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      visited.push(at.href);
      const cookie = this.#cookieHeader(at);
      const res = await fetch(at, {
        method,
        body,
        redirect: 'manual',
        headers: { accept: 'text/html,*/*', ...(cookie === undefined ? {} : { cookie }) },
      });
      this.#keep(at, res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.arrayBuffer();
        at = new URL(location, at);
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { url: at.href, status: res.status, headers: res.headers, text: await res.text(), visited };
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects: ${visited.join(' -> ')}`);
  }

  /** Submits the page's first form as pressing the button `name=value` would: its hidden fields and that button's. */
  async submit(page: Page, button: { name: string; value: string }): Promise<Page> {
    const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
    if (form === null) throw new Error(`no form on ${page.url} (${page.status}): ${page.text.slice(0, 300)}`);
    const action = /\baction="([^"]*)"/i.exec(form[0])?.[1] ?? '';
    const method = /\bmethod="([^"]*)"/i.exec(form[0])?.[1]?.toUpperCase() ?? 'GET';
    const fields = new URLSearchParams();
    for (const input of form[1]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
      fields.append(unescape(input[1]!), unescape(input[2]!));
    if (!form[1]!.includes(`name="${button.name}" value="${button.value}"`))
      throw new Error(`no button ${button.name}=${button.value} on ${page.url}`);
    fields.append(button.name, button.value);
    const target = new URL(unescape(action), page.url);
    return method === 'POST'
      ? this.open(target.href, { method, form: fields })
      : this.open(`${target.origin}${target.pathname}?${fields.toString()}`);
  }
}

function unescape(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
