// A Zendesk-style provider, played by the dev provider (shape 'zendesk'), against the zendesk
// preset (responseMode 'form_post') through a real Express app on loopback, as Zendesk's own
// examples (zendesk_jwt_sso_examples, form_submission/rails_html_erb_jwt.rb) post: an
// auto-submitting page under a strict CSP whose body holds only authenticity_token and jwt, with
// return_to (and brand_id, locale_id, timestamp) in the form's action URL query; header with typ,
// claims iat, jti, name, email. Where the return URL may come from (action URL or body, once),
// the body rules (size, one token, the content type) and the app's own body parsers.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import session from 'express-session';
import express5 from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { JwtSsoStrategy, presets, type JwtSsoStrategyBaseOptions } from '../../lib';
import { createDevProvider, type DevProviderOptions } from '../../lib/dev-provider';
import { MAX_FORM_BYTES } from '../../lib/form-body';
import { EXPRESS, type ExpressName } from '../helpers/app';
import {
  atProvider,
  byEmail,
  decode,
  deliver,
  lateServer,
  MOUNT,
  paramOf,
  readAnswer,
  returnUrlCase,
  returnUrlTable,
  signInThrough,
  startSite,
  withParam,
  type Delivery,
  type Site,
} from './shape-flow';

const SECRET = 'zendesk-shared-secret';
const PATH = '/sso/jwt';
const CALLBACK = '/access/jwt';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MINERVA = { email: 'minerva.teacher@example.opinsys.fi' };

let site: Site | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

async function start(
  options: { dev?: Partial<DevProviderOptions>; strategy?: Partial<JwtSsoStrategyBaseOptions>; mountPoint?: string } = {},
): Promise<Site> {
  const mountPoint = options.mountPoint ?? '';
  site = await startSite({
    path: PATH,
    mountPoint,
    strategy: (origin) => ({ ...presets.zendesk({ loginUrl: `${origin}${PATH}`, sharedSecret: SECRET, mountPoint }), ...options.strategy }),
    provider: (origin) =>
      createDevProvider({ shape: 'zendesk', sharedSecret: SECRET, callbackUrl: `${origin}${mountPoint}${CALLBACK}`, ...options.dev }),
  });
  return site;
}

const form = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();
// The provider's form, as a browser posts it to the app's callback.
const postForm = (browser: ReturnType<Site['browser']>, pairs: Array<[string, string]>) =>
  browser.post(CALLBACK).type('form').send(form(pairs));

const posted = (d: Delivery): Extract<Delivery, { method: 'POST' }> => {
  if (d.method !== 'POST') throw new Error('the Zendesk shape posts a form');
  return d;
};

describe('the wire format', () => {
  const mounted = (options: Partial<DevProviderOptions> = {}) =>
    createDevProvider({ shape: 'zendesk', sharedSecret: SECRET, callbackUrl: 'http://localhost:3000/access/jwt', ...options });
  const query = `return_to=${encodeURIComponent('http://localhost:3000/tickets?a=1')}&brand_id=7&locale_id=1176&timestamp=1700000000`;

  test("an auto-submitting form POST to the fixed callback: the body holds authenticity_token and jwt only; what Zendesk sent is in the action URL, as Rails' to_query writes it", async () => {
    const provider = mounted();
    const page = await request(provider).get(`/?${query}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in to localhost:3000');
    const res = await request(provider).post(`/?${query}`).type('form').send({ user: 'minerva.teacher' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const form = /<form id="jwtsso-form-post" method="post" action="([^"]*)" enctype="application\/x-www-form-urlencoded">/.exec(res.text);
    // Keys sorted, each value CGI.escape'd (every reserved character %-encoded), & escaped as HTML.
    expect(form?.[1]).toBe(
      'http://localhost:3000/access/jwt?brand_id=7&amp;locale_id=1176&amp;return_to=http%3A%2F%2Flocalhost%3A3000%2Ftickets%3Fa%3D1&amp;timestamp=1700000000',
    );
    const delivery = posted(await readAnswer(new Response(res.text, { status: 200 })));
    expect(delivery.fields.map(([k]) => k)).toEqual(['authenticity_token', 'jwt']);
    expect(delivery.fields[0]![1]).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect([...delivery.url.searchParams]).toEqual([
      ['brand_id', '7'],
      ['locale_id', '1176'],
      ['return_to', 'http://localhost:3000/tickets?a=1'],
      ['timestamp', '1700000000'],
    ]);
  });

  test.each([
    [
      "a space as +, and * ( ) ! ' %-encoded (CGI.escape, not encodeURIComponent)",
      "http://localhost:3000/a b*(c)!'",
      'http%3A%2F%2Flocalhost%3A3000%2Fa+b%2A%28c%29%21%27',
    ],
    ['a + as %2B, ~ . - _ kept', 'http://localhost:3000/x+y~z._-', 'http%3A%2F%2Flocalhost%3A3000%2Fx%2By~z._-'],
    ['a non-ASCII character as its UTF-8 bytes', 'http://localhost:3000/ä', 'http%3A%2F%2Flocalhost%3A3000%2F%C3%A4'],
  ])('return_to in the action URL: %s', async (_name, returnTo, encoded) => {
    const res = await request(mounted())
      .post(`/?return_to=${encodeURIComponent(returnTo)}`)
      .type('form')
      .send({ user: 'minerva.teacher' });
    const action = /<form id="jwtsso-form-post" method="post" action="([^"]*)"/.exec(res.text)![1]!;
    expect(action).toBe(`http://localhost:3000/access/jwt?return_to=${encoded}`);
    expect(new URL(action).searchParams.get('return_to')).toBe(returnTo);
  });

  test('the strict CSP stays strict: the one script by its hash, no unsafe-inline script, posts only to the callback origin', async () => {
    const res = await request(mounted()).post(`/?${query}`).type('form').send({ user: 'minerva.teacher' });
    const csp = String(res.headers['content-security-policy']);
    const scripts = [...res.text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual([`'sha256-${hash}'`]);
    expect(directives['form-action']).toEqual(['http://localhost:3000']);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(res.headers['x-frame-options']).toBe('DENY');
    // A visible button for a browser that runs no script.
    expect(res.text).toMatch(/<button class="user" type="submit">Continue<\/button>/);
  });

  test('header with typ and alg; claims iat, a UUID jti, name, email, external_id', async () => {
    const res = await request(mounted()).post(`/?${query}`).type('form').send({ user: 'minerva.teacher' });
    const token = /name="jwt" value="([^"]*)"/.exec(res.text)![1]!;
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload).sort()).toEqual(['email', 'external_id', 'iat', 'jti', 'name']);
    expect(payload).toMatchObject({ name: 'Minerva Teacher', email: 'minerva.teacher@example.opinsys.fi', external_id: '1001' });
    expect(payload.jti).toMatch(UUID);
  });

  test("a numeric jti, as in Zendesk's own sample token", async () => {
    const res = await request(mounted({ jti: () => 8883362531196.326 }))
      .post(`/?${query}`)
      .type('form')
      .send({ user: 'minerva.teacher' });
    const token = /name="jwt" value="([^"]*)"/.exec(res.text)![1]!;
    expect(decode(token).payload.jti).toBe(8883362531196.326);
    expect(token.split('.')[1]).toBe(Buffer.from(JSON.stringify(decode(token).payload)).toString('base64url'));
    expect(Buffer.from(token.split('.')[1]!, 'base64url').toString()).toContain('"jti":8883362531196.326');
  });

  test('escapes what it renders into the form: one script only, whatever return_to says', async () => {
    const evil = 'http://localhost:3000/p?q="><script>alert(1)</script><input name="jwt" value="x';
    const res = await request(mounted())
      .post(`/?return_to=${encodeURIComponent(evil)}&brand_id=${encodeURIComponent('"><b>')}`)
      .type('form')
      .send({ user: 'minerva.teacher' });
    expect(res.status).toBe(200);
    expect(res.text.match(/<script>/g)).toHaveLength(1);
    expect(res.text.match(/name="jwt"/g)).toHaveLength(1);
    expect(res.text).not.toContain('<b>');
    const delivery = posted(await readAnswer(new Response(res.text, { status: 200 })));
    expect(paramOf(delivery, 'return_to')).toBe(evil);
  });

  test('a remembered user gets the form straight away', async () => {
    const agent = request.agent(mounted());
    await agent.post(`/?${query}`).type('form').send({ user: 'albus.admin' }).expect(200);
    const again = await agent.get(`/?${query}`);
    expect(again.status).toBe(200);
    expect(decode(/name="jwt" value="([^"]*)"/.exec(again.text)![1]!).payload.email).toBe('albus.admin@example.opinsys.fi');
  });

  test.each([
    ['a return_to on a host not allowed', `return_to=${encodeURIComponent('https://evil.example/')}`],
    ['return_to twice', `return_to=${encodeURIComponent('http://localhost/')}&return_to=${encodeURIComponent('http://localhost/x')}`],
    ['brand_id twice', 'brand_id=1&brand_id=2'],
  ])('refuses %s with a 400, never a form', async (_name, q) => {
    const res = await request(mounted()).post(`/?${q}`).type('form').send({ user: 'minerva.teacher' });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('jwtsso-form-post');
  });

  test("control: no return_to at all is fine (Zendesk then uses its default page); the action ends in Rails' bare ?", async () => {
    const res = await request(mounted()).post('/').type('form').send({ user: 'minerva.teacher' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('action="http://localhost:3000/access/jwt?"');
    expect(posted(await readAnswer(new Response(res.text, { status: 200 }))).fields.map(([k]) => k)).toEqual(['authenticity_token', 'jwt']);
  });
});

describe('end to end with presets.zendesk', () => {
  test('login: the form POST, a 303 to the clean return URL, signed in there; the token in no URL', async () => {
    const { origin, browser: newBrowser } = await start();
    const browser = newBrowser();
    const { toProvider, delivery, callback, final } = await signInThrough(browser, '/protected?tab=2');
    const d = posted(delivery);
    expect(`${d.url.origin}${d.url.pathname}`).toBe(`${origin}${CALLBACK}`);
    expect(d.url.searchParams.get('return_to')).toBe(new URL(toProvider.headers.location!).searchParams.get('return_to'));
    expect(d.fields.map(([k]) => k)).toEqual(['authenticity_token', 'jwt']);
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/protected?tab=2');
    expect(final.status).toBe(200);
    expect(final.body.user).toEqual(MINERVA);
    expect(final.body.url).toBe('/protected?tab=2');
  });

  test('the state is refused from another browser (403, at the GET the POST is sent on to); the right browser still signs in', async () => {
    const { codes, browser: newBrowser } = await start();
    const alice = newBrowser();
    const delivery = await atProvider((await alice.get('/protected').expect(302)).headers.location!);
    const mallory = newBrowser();
    const back = await deliver(mallory, delivery).expect(303);
    expect(back.headers.location).toBe('/protected');
    expect((await mallory.get(back.headers.location!)).status).toBe(403);
    expect(codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    expect((await mallory.get('/api/me')).status).toBe(401);
    const mine = await deliver(alice, delivery).expect(303);
    expect((await alice.get(mine.headers.location!)).body.user).toEqual(MINERVA);
  });

  test('replay: the same posted token with a fresh state of another browser is refused (401 TOKEN_REPLAYED)', async () => {
    const { codes, browser: newBrowser } = await start();
    const first = await signInThrough(newBrowser(), '/protected');
    expect(first.final.status).toBe(200);
    const other = newBrowser();
    const ownReturnTo = new URL((await other.get('/protected').expect(302)).headers.location!).searchParams.get('return_to')!;
    const replay = await deliver(other, withParam(first.delivery, 'return_to', ownReturnTo)).expect(303);
    expect((await other.get(replay.headers.location!)).status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
  });

  test("Zendesk's sample numeric jti: signs in (presets.zendesk sets numericJti), and the same token in another browser is a replay (remembered by its number)", async () => {
    const { codes, browser: newBrowser } = await start({ dev: { jti: () => 8883362531196.326 } });
    const first = await signInThrough(newBrowser(), '/protected');
    expect(first.final.status).toBe(200);
    expect(first.final.body.user).toEqual({ email: expect.any(String) });
    const other = newBrowser();
    const ownReturnTo = new URL((await other.get('/protected').expect(302)).headers.location!).searchParams.get('return_to')!;
    const replay = await deliver(other, withParam(first.delivery, 'return_to', ownReturnTo)).expect(303);
    expect((await other.get(replay.headers.location!)).status).toBe(401);
    expect(codes).toEqual(['ERR_JWTSSO_TOKEN_REPLAYED']);
  });

  describe('hostile return URLs in the action URL query (a lax provider), app at /app', () => {
    test.each(returnUrlTable('APP.HOST', '?jwtsso_state=STATE'))('%s', async (_name, template, outcome) => {
      await returnUrlCase(await start({ mountPoint: MOUNT, dev: { returnToPattern: /[\s\S]+/ } }), { template, outcome });
    });
  });

  describe('where the return URL travels: the action URL query or the body, exactly once across both', () => {
    // A real delivery, then rebuilt: `query` the action URL's return_to values, `body` the posted
    // ones (besides authenticity_token and jwt). `legit` is the login's own return URL.
    type Where = { query: string[]; body: string[] };
    async function deliverWith(where: (legit: string) => Where) {
      const s = await start();
      const browser = s.browser();
      const d = posted(await atProvider((await browser.get('/protected?tab=2').expect(302)).headers.location!));
      const legit = paramOf(d, 'return_to')!;
      const { query, body } = where(legit);
      const url = new URL(d.url.href);
      url.searchParams.delete('return_to');
      for (const v of query) url.searchParams.append('return_to', v);
      const fields: Array<[string, string]> = [...d.fields, ...body.map((v): [string, string] => ['return_to', v])];
      const callback = await deliver(browser, { ...d, url, fields });
      return { s, browser, callback, legit };
    }
    const evil = (legit: string) => legit.replace(/^http:\/\/[^/]+/, 'http://evil.example');

    test.each<[string, (legit: string) => Where]>([
      ['control: in the action URL query (as Zendesk posts it)', (l) => ({ query: [l], body: [] })],
      ['control: in the body only (a provider that posts it there)', (l) => ({ query: [], body: [l] })],
    ])('%s: followed, signed in there', async (_name, where) => {
      const { s, browser, callback } = await deliverWith(where);
      expect(callback.status).toBe(303);
      expect(callback.headers.location).toBe('/protected?tab=2');
      const page = await browser.get(callback.headers.location!);
      expect(page.status).toBe(200);
      expect(page.body.user).toEqual(MINERVA);
      expect(s.codes).toEqual([]);
    });

    // Refused as ambiguous: one layer (a proxy, a WAF, a log) may read only the query or only the
    // body, so neither may win. None is followed, the state inside none is read: the browser is
    // sent to / (never the hostile URL) and refused there.
    test.each<[string, (legit: string) => Where]>([
      ['twice in the action URL query, the same', (l) => ({ query: [l, l], body: [] })],
      ['twice in the action URL query, the second hostile', (l) => ({ query: [l, evil(l)], body: [] })],
      ['in both the body and the query, the same', (l) => ({ query: [l], body: [l] })],
      ['in both, a hostile one in the body', (l) => ({ query: [l], body: [evil(l)] })],
      ['in both, a hostile one in the query', (l) => ({ query: [evil(l)], body: [l] })],
    ])('%s: refused as ambiguous (303 to /, then 403 STATE_MISMATCH), no one signed in', async (_name, where) => {
      const { s, browser, callback } = await deliverWith(where);
      expect(callback.status).toBe(303);
      expect(callback.headers.location).toBe('/');
      expect((await browser.get('/')).status).toBe(403);
      expect(s.codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
      expect((await browser.get('/api/me')).status).toBe(401);
    });

    test.each<[string, (d: Extract<Delivery, { method: 'POST' }>) => { url: URL; fields: Array<[string, string]> }]>([
      [
        'beside the posted one',
        (d) => {
          const url = new URL(d.url.href);
          url.searchParams.append('jwt', paramOf(d, 'jwt')!);
          return { url, fields: d.fields };
        },
      ],
      [
        'instead of the posted one',
        (d) => {
          const url = new URL(d.url.href);
          url.searchParams.append('jwt', paramOf(d, 'jwt')!);
          return { url, fields: d.fields.filter(([k]) => k !== 'jwt') };
        },
      ],
    ])('a token in the action URL query, %s, is refused (401, it reaches access logs)', async (_name, move) => {
      const s = await start();
      const browser = s.browser();
      const d = posted(await atProvider((await browser.get('/protected').expect(302)).headers.location!));
      const res = await deliver(browser, { ...d, ...move(d) });
      expect(res.status).toBe(401);
      expect(res.headers.location).toBeUndefined();
      expect(s.codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
      expect(res.text).not.toContain(paramOf(d, 'jwt')!);
      // control: the same delivery as the provider made it signs in.
      const ok = await deliver(browser, d);
      expect(ok.headers.location).toBe('/protected');
      expect((await browser.get('/protected')).body.user).toEqual(MINERVA);
    });

    test('with no return URL anywhere the form lands on /, which is protected: refused there (403), as before this fix every real form did', async () => {
      const { s, browser, callback } = await deliverWith(() => ({ query: [], body: [] }));
      expect(callback.headers.location).toBe('/');
      expect((await browser.get('/')).status).toBe(403);
      expect(s.codes).toEqual(['ERR_JWTSSO_STATE_MISMATCH']);
    });
  });

  describe('the posted body', () => {
    // A login up to the provider's form, which the test then posts its own way.
    async function pending() {
      const s = await start();
      const browser = s.browser();
      const delivery = posted(await atProvider((await browser.get('/protected').expect(302)).headers.location!));
      const field = (name: string) => paramOf(delivery, name)!;
      return { s, browser, delivery, token: field('jwt'), returnTo: field('return_to') };
    }

    async function expectRefused(s: Site, res: request.Response) {
      expect(res.status).toBe(401);
      expect(res.headers.location).toBeUndefined();
      expect(s.codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
      expect(JSON.stringify(res.body) + res.text).not.toMatch(/eyJ/); // no token in what is answered
    }
    async function expectSignedIn(browser: request.Agent, res: request.Response) {
      expect(res.status).toBe(303);
      expect((await browser.get(res.headers.location!)).body.user).toEqual(MINERVA);
    }

    test('a token over 8 KiB is refused; control: the real one signs in', async () => {
      const { s, browser, token, returnTo } = await pending();
      const big = `${token.split('.')[0]}.${'A'.repeat(8 * 1024)}.${token.split('.')[2]}`;
      await expectRefused(
        s,
        await postForm(browser, [
          ['jwt', big],
          ['return_to', returnTo],
        ]),
      );
      await expectSignedIn(
        browser,
        await postForm(browser, [
          ['jwt', token],
          ['return_to', returnTo],
        ]),
      );
    });

    test(`a body over MAX_FORM_BYTES (${MAX_FORM_BYTES}) is refused; control: one just under it signs in`, async () => {
      const { s, browser, token, returnTo } = await pending();
      const body = (size: number) => {
        const head =
          form([
            ['jwt', token],
            ['return_to', returnTo],
          ]) + '&pad=';
        return head + 'x'.repeat(size - head.length);
      };
      await expectRefused(
        s,
        await browser
          .post(CALLBACK)
          .type('form')
          .send(body(MAX_FORM_BYTES + 1)),
      );
      await expectSignedIn(browser, await browser.post(CALLBACK).type('form').send(body(MAX_FORM_BYTES)));
    });

    test('a chunked body (no Content-Length) growing past MAX_FORM_BYTES is refused', async () => {
      const { s, token, returnTo } = await pending();
      const url = new URL(s.origin);
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: CALLBACK,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write(
          form([
            ['jwt', token],
            ['return_to', returnTo],
          ]) + '&pad=',
        );
        for (let i = 0; i < 40; i++) req.write('x'.repeat(1024));
        req.end();
      });
      const res = await answer;
      expect(res.status).toBe(401);
      expect(s.codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
      expect(res.body).not.toContain(token);
    });

    test('a token posted twice is refused, the same or another; control: once signs in', async () => {
      const { s, browser, token, returnTo } = await pending();
      await expectRefused(
        s,
        await postForm(browser, [
          ['jwt', token],
          ['jwt', token],
          ['return_to', returnTo],
        ]),
      );
      await expectSignedIn(
        browser,
        await postForm(browser, [
          ['jwt', token],
          ['return_to', returnTo],
        ]),
      );
    });

    test('only the body is read: a good token in the query of the POST does not rescue a bad one in the body', async () => {
      const { s, browser, token, returnTo } = await pending();
      const res = await browser
        .post(`${CALLBACK}?jwt=${token}`)
        .type('form')
        .send(
          form([
            ['jwt', 'not-a-token'],
            ['return_to', returnTo],
          ]),
        );
      await expectRefused(s, res);
    });

    test.each([
      ['text/plain', 'text/plain'],
      ['application/json', 'application/json'],
      ['multipart/form-data', 'multipart/form-data; boundary=x'],
      ['a form in another charset', 'application/x-www-form-urlencoded; charset=iso-8859-1'],
      ['a type that only starts like a form', 'application/x-www-form-urlencodedx'],
    ])('a body sent as %s is refused', async (_name, type) => {
      const { s, browser, token, returnTo } = await pending();
      const res = await browser
        .post(CALLBACK)
        .set('Content-Type', type)
        .send(
          form([
            ['jwt', token],
            ['return_to', returnTo],
          ]),
        );
      await expectRefused(s, res);
    });

    test('control: application/x-www-form-urlencoded; charset=UTF-8 signs in', async () => {
      const { browser, token, returnTo } = await pending();
      const res = await browser
        .post(CALLBACK)
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8')
        .send(
          form([
            ['jwt', token],
            ['return_to', returnTo],
          ]),
        );
      await expectSignedIn(browser, res);
    });
  });
});

// The app's own body parsers ahead of the callback route: the strategy reads what they made of
// the form (or the body they left unread) by the same rules.
describe.each(Object.keys(EXPRESS) as ExpressName[])("%s with the app's body parser mounted before the route", (expressName) => {
  const express = EXPRESS[expressName] as typeof express5;
  const PARSERS = {
    'express.urlencoded({ extended: false })': () => express.urlencoded({ extended: false }),
    'express.urlencoded({ extended: true })': () => express.urlencoded({ extended: true }),
    'express.json() only': () => express.json(),
    'control: none': undefined,
  } as const;

  async function parserSite(parser: keyof typeof PARSERS) {
    const server = await lateServer();
    const codes: string[] = [];
    const passport = new Passport();
    const app = express();
    const listening = app.listen(0, '127.0.0.1');
    await once(listening, 'listening');
    const origin = `http://127.0.0.1:${(listening.address() as { port: number }).port}`;
    passport.use(
      new JwtSsoStrategy(
        {
          ...presets.zendesk({ loginUrl: `${server.origin}${PATH}`, sharedSecret: SECRET }),
          onEvent: (e) => void (e.code && codes.push(e.code)),
        },
        byEmail as never,
      ),
    );
    passport.serializeUser((u, done) => done(null, JSON.stringify(u)));
    passport.deserializeUser((t: string, done) => done(null, JSON.parse(t) as Express.User));
    app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
    const make = PARSERS[parser];
    if (make !== undefined) app.use(make());
    app.use(passport.initialize());
    app.use(passport.session());
    const auth = passport.authenticate('jwtsso');
    app.post(CALLBACK, auth, (_req, res) => res.send('not reached'));
    app.get('/protected', auth, (req, res) => res.json({ user: req.user }));
    server.use(PATH, createDevProvider({ shape: 'zendesk', sharedSecret: SECRET, callbackUrl: `${origin}${CALLBACK}` }));
    site = {
      app: undefined as never,
      server,
      codes,
      origin,
      proxy: undefined,
      browser: () => request.agent(origin),
      close: async () => {
        listening.closeAllConnections();
        await new Promise((r) => listening.close(r));
        await server.close();
      },
    };
    return site;
  }

  test.each(Object.keys(PARSERS) as Array<keyof typeof PARSERS>)('%s: the login works, a duplicated token is refused', async (parser) => {
    const s = await parserSite(parser);
    const browser = s.browser();
    const { callback, final, delivery } = await signInThrough(browser, '/protected');
    expect(callback.status).toBe(303);
    expect(final.body.user).toEqual(MINERVA);

    const other = s.browser();
    const d = posted(await atProvider((await other.get('/protected').expect(302)).headers.location!));
    const twice = new URLSearchParams([...d.fields, ['jwt', paramOf(d, 'jwt')!]]).toString();
    const res = await other.post(CALLBACK).type('form').send(twice);
    expect(res.status).toBe(401);
    expect(s.codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
    expect(delivery.method).toBe('POST');
  });

  // `jwt[]=T` is not `jwt=T`: an array or object a parser made of a parameter the strategy reads, or
  // the bracketed key a parser kept, is refused (401, not a 500), and the plain form still signs in.
  // Each row makes the hostile body from the provider's fields and the return URL (which Zendesk's
  // form keeps in its action URL; the return_to[] row posts it in the body, to a bare action URL).
  type Fields = Array<[string, string]>;
  const renamed =
    (from: string, to: string) =>
    (fields: Fields): Fields =>
      fields.map(([k, v]): [string, string] => [k === from ? to : k, v]);
  const BRACKETED: Array<[string, (fields: Fields, returnTo: string) => Fields, { bareAction: boolean }]> = [
    ['jwt[]=T', renamed('jwt', 'jwt[]'), { bareAction: false }],
    ['jwt[0]=T', renamed('jwt', 'jwt[0]'), { bareAction: false }],
    ['jwt[a]=T', renamed('jwt', 'jwt[a]'), { bareAction: false }],
    ['return_to[]=R', (fields, returnTo) => [...fields, ['return_to[]', returnTo]], { bareAction: true }],
  ];
  const bracketRows = (
    ['express.urlencoded({ extended: true })', 'express.urlencoded({ extended: false })', 'control: none'] as const
  ).flatMap((parser) => BRACKETED.map(([what, make, where]) => [parser, what, make, where] as const));
  test.each(bracketRows)(
    '%s: a body with %s is refused (401 TOKEN_MALFORMED); control: the plain form then signs in',
    async (parser, _what, make, where) => {
      const s = await parserSite(parser);
      const browser = s.browser();
      const d = posted(await atProvider((await browser.get('/protected').expect(302)).headers.location!));
      const action = d.url.pathname + d.url.search;
      const hostile = new URLSearchParams(make(d.fields, paramOf(d, 'return_to')!)).toString();
      const res = await browser
        .post(where.bareAction ? CALLBACK : action)
        .type('form')
        .send(hostile);
      expect(res.status).toBe(401);
      expect(res.headers.location).toBeUndefined();
      expect(s.codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
      expect(res.text).not.toContain(paramOf(d, 'jwt')!);
      const plain = await browser.post(action).type('form').send(new URLSearchParams(d.fields).toString());
      expect(plain.status).toBe(303);
      expect((await browser.get(plain.headers.location!)).body.user).toEqual(MINERVA);
    },
  );

  test.each(['express.urlencoded({ extended: true })', 'control: none'] as const)(
    '%s: a token sent as a nested field (jwt[a]=…) is refused',
    async (parser) => {
      const s = await parserSite(parser);
      const browser = s.browser();
      const d = posted(await atProvider((await browser.get('/protected').expect(302)).headers.location!));
      const nested = new URLSearchParams(d.fields.map(([k, v]): [string, string] => [k === 'jwt' ? 'jwt[a]' : k, v])).toString();
      const res = await browser.post(CALLBACK).type('form').send(nested);
      expect(res.status).toBe(401);
      expect(s.codes).toEqual(['ERR_JWTSSO_TOKEN_MALFORMED']);
    },
  );
});
