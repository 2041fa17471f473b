// lib/response.ts: what is written on a response that carries or consumes a token, and the page of a
// refusal in the format the request accepts. noStore runs on a real Node response over a socket.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawRequest } from './helpers/raw';
import { noStore, pageFormat, refusalPage, type PageFormat } from '../lib/response';

// Serves one request with `handle`, then answers 200 'ok' unless the handler already ended it;
// resolves with what the client saw and what noStore threw, if anything.
async function served(handle: (res: ServerResponse) => void) {
  let thrown: unknown;
  const server = createServer((_req, res) => {
    try {
      handle(res);
    } catch (err) {
      thrown = err;
    }
    if (!res.writableEnded) res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await rawRequest(`http://127.0.0.1:${port}`, { target: '/' });
    return { res, thrown };
  } finally {
    server.close();
  }
}

describe('noStore: a response that carries or consumes a token is never cached and never leaks in a Referer', () => {
  test('control: headers not yet sent get Cache-Control: no-store and Referrer-Policy: no-referrer', async () => {
    const { res, thrown } = await served((r) => noStore(r));
    expect(thrown).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  test('a response whose headers already went out is left alone: no ERR_HTTP_HEADERS_SENT', async () => {
    const { res, thrown } = await served((r) => {
      r.writeHead(200, { 'Content-Type': 'text/plain' });
      r.write('streaming');
      noStore(r);
    });
    expect(thrown).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBeUndefined();
  });

  test('no response (a framework that gives none) is not an error', () => {
    expect(() => noStore(undefined)).not.toThrow();
  });
});

describe('pageFormat: HTML for a browser, JSON for a JSON client, plain text otherwise', () => {
  test.each<[string, string | undefined, PageFormat]>([
    ['no Accept header', undefined, 'text'],
    ['an empty header', '', 'text'],
    ['curl', '*/*', 'text'],
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['XHTML alone', 'application/xhtml+xml', 'html'],
    ['HTML with parameters and spaces', ' TEXT/HTML ; q=0.5', 'html'],
    ['JSON', 'application/json', 'json'],
    ['JSON in capitals with a charset', 'Application/JSON; charset=utf-8', 'json'],
    ['a +json type', 'application/problem+json', 'json'],
    ['JSON first, HTML later: HTML wins', 'application/json, text/html', 'html'],
    ['HTML first, JSON later: HTML wins', 'text/html, application/json', 'html'],
    ['JSON then a plain type: still JSON', 'application/json, text/plain', 'json'],
    ['a type that only contains html', 'text/htmlx', 'text'],
    ['a type that only starts like JSON', 'application/jsonp', 'text'],
    ['html as a parameter, not the type', 'text/plain;text/html', 'text'],
    ['json as a parameter, not the type', 'text/plain;x=application/json', 'text'],
    ['plain text', 'text/plain', 'text'],
  ])('%s → %s', (_name, accept, format) => {
    expect(pageFormat(accept)).toBe(format);
  });

  test('linear time: 64 KiB of the worst input (commas and semicolons) is read in well under a second', () => {
    const hostile = ','.repeat(32 * 1024) + 'x/y' + ';'.repeat(32 * 1024);
    const start = process.hrtime.bigint();
    expect(pageFormat(hostile)).toBe('text');
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(1000);
  });
});

describe('refusalPage: what happened and its code, in the format asked for, the message escaped in HTML', () => {
  const refused = { code: 'ERR_JWTSSO_STATE_MISMATCH', message: "The state <b>\"x\"</b> & 'y' is not this browser's.", status: 403 };
  const notSignedIn = { code: 'ERR_JWTSSO_SIGNATURE_INVALID', message: 'Bad signature.', status: 401 };

  test('JSON: the code and message, as JSON', () => {
    const page = refusalPage(refused, 'json');
    expect(page.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(page.body)).toEqual({ code: refused.code, message: refused.message });
  });

  test.each<[string, typeof refused, string]>([
    ['a 403 is a refused sign-in', refused, 'Sign-in refused'],
    ['a 401 is not signed in', notSignedIn, 'Not signed in'],
  ])('plain text: %s', (_name, err, title) => {
    const page = refusalPage(err, 'text');
    expect(page.type).toBe('text/plain; charset=utf-8');
    expect(page.body).toBe(`${title} (${err.code}): ${err.message}\n`);
  });

  test.each<[string, typeof refused, string]>([
    ['a 403 is a refused sign-in', refused, 'Sign-in refused'],
    ['a 401 is not signed in', notSignedIn, 'Not signed in'],
  ])('HTML: %s, titled so', (_name, err, title) => {
    const page = refusalPage(err, 'html');
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`<title>${title}</title>`);
    expect(page.body).toContain(`<h1>${title}</h1>`);
    expect(page.body).toContain(`<code>${err.code}</code>`);
  });

  test.each<[string, string, string]>([
    ['<', 'a<b', 'a&lt;b'],
    ['>', 'a>b', 'a&gt;b'],
    ['&', 'a&b', 'a&amp;b'],
    ['"', 'a"b', 'a&quot;b'],
    ["'", "a'b", 'a&#39;b'],
    ['a tag', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['every one, repeated', '<<&&"\'"\'>>', '&lt;&lt;&amp;&amp;&quot;&#39;&quot;&#39;&gt;&gt;'],
  ])('HTML: %s in a message is escaped, never markup', (_name, message, escaped) => {
    const page = refusalPage({ ...notSignedIn, message }, 'html');
    expect(page.body).toContain(`<p>${escaped}</p>`);
  });

  test('control: a message with nothing to escape is shown as it is', () => {
    expect(refusalPage(notSignedIn, 'html').body).toContain('<p>Bad signature.</p>');
  });
});
