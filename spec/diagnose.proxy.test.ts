// lib/diagnose.ts's redirectWarning: a return URL built behind a misconfigured proxy or path is
// named in the redirect's debug line, with the URL built and the headers it came from, once per
// distinct cause; a request that shows nothing wrong (a local try on loopback, a proxy the app
// trusts that passes the public host) gets no warning.
import createDebug from 'debug';
import type { IncomingHttpHeaders } from 'node:http';
import type { JwtSsoEvent } from '../lib';
import * as diagnose from '../lib/diagnose';
import { MAX_WARNED_CAUSES, redirectWarning, type WarningOptions } from '../lib/diagnose';
import { startApp, type TestApp } from './helpers/app';
import { debugLines } from './helpers/debug';

const options = (extra: Partial<WarningOptions> = {}): WarningOptions => ({
  host: undefined,
  scheme: undefined,
  mountPoint: '',
  returnToParam: 'return_to',
  stateParam: '_jwtsso_state',
  tokenParam: 'jwt',
  ...extra,
});
const view = (headers: IncomingHttpHeaders, args: { trusted?: boolean; target?: string } = {}) => ({
  headers,
  encrypted: false,
  trustsProxy: () => args.trusted ?? false,
  target: args.target ?? '/page?x=1',
});
const STATE = 'S3cr3tStateValue';
// The login URL as loginRedirect builds it: the return URL with the state in it.
const loginUrl = (returnTo: string) =>
  `https://sso.example/v3/sso?return_to=${encodeURIComponent(`${returnTo}?x=1&_jwtsso_state=${STATE}`)}`;
const XFF = { 'x-forwarded-for': '203.0.113.9' };

describe('a return URL built from what a misconfigured proxy or path gives is named', () => {
  test.each<[string, IncomingHttpHeaders, { trusted?: boolean; target?: string; o?: Partial<WarningOptions> }, RegExp]>([
    [
      "nginx's default proxy_pass: Host 127.0.0.1:3000 behind a proxy",
      { host: '127.0.0.1:3000', ...XFF },
      {},
      /from a loopback address, 127\.0\.0\.1:3000/,
    ],
    ['localhost behind a proxy', { host: 'localhost:3000', via: '1.1 proxy' }, {}, /from a loopback name, localhost:3000/],
    ['[::1] behind a proxy', { host: '[::1]:3000', 'x-real-ip': '203.0.113.9' }, {}, /from a loopback address, \[::1\]:3000/],
    ['10.0.0.5', { host: '10.0.0.5:8080' }, {}, /from a private \(RFC 1918\) address, 10\.0\.0\.5:8080/],
    ['172.16.0.1', { host: '172.16.0.1' }, {}, /private \(RFC 1918\)/],
    ['172.31.255.255', { host: '172.31.255.255' }, {}, /private \(RFC 1918\)/],
    ['192.168.1.2', { host: '192.168.1.2:3000' }, {}, /private \(RFC 1918\)/],
    ['an IPv4-mapped private address', { host: '[::ffff:10.0.0.1]' }, {}, /private \(RFC 1918\)/],
    ['169.254.1.1', { host: '169.254.1.1' }, {}, /a link-local address/],
    ['[fe80::1]', { host: '[fe80::1]:3000' }, {}, /a link-local address/],
    ['[fd00::1]', { host: '[fd00::1]' }, {}, /a unique local \(private\) address/],
    ['a .internal name', { host: 'app.internal:3000' }, {}, /an internal name, app\.internal:3000/],
    ['a .local name', { host: 'printer.local' }, {}, /an internal name/],
    ['a container name', { host: 'backend:3000' }, {}, /a single-label name/],
    [
      'X-Forwarded-Host ignored: the app does not trust the proxy',
      { host: '10.0.0.5:3000', 'x-forwarded-host': 'app.example.org', 'x-forwarded-proto': 'https' },
      {},
      /10\.0\.0\.5:3000.*X-Forwarded-Host: app\.example\.org.*does not trust this peer as a proxy, so X-Forwarded-\* are ignored/,
    ],
    ["the app's own port behind a proxy", { host: 'app.example.org:3000', ...XFF }, {}, /port 3000 behind a proxy/],
    [
      'X-Forwarded-Prefix with no mountPoint',
      { host: 'app.example.org', 'x-forwarded-prefix': '/app' },
      {},
      /X-Forwarded-Prefix: \/app, but mountPoint is '': .*Set mountPoint: '\/app'/,
    ],
    [
      'X-Forwarded-Prefix other than mountPoint',
      { host: 'app.example.org', 'x-forwarded-prefix': '/b/' },
      { o: { mountPoint: '/a' } },
      /Set mountPoint: '\/b'/,
    ],
    [
      // A framework (or a view an app made) may give a repeated header as an array, not joined: read as joined.
      'X-Forwarded-Prefix as an array: its first value, other than mountPoint',
      { host: 'app.example.org', 'x-forwarded-prefix': ['/b', '/a'] as unknown as string },
      { o: { mountPoint: '/a' } },
      /X-Forwarded-Prefix: \/b, but mountPoint is '\/a'.*Set mountPoint: '\/b'.*X-Forwarded-Prefix: \/b, \/a;/,
    ],
    [
      'a path that already starts with mountPoint',
      { host: 'app.example.org' },
      { target: '/app/page', o: { mountPoint: '/app' } },
      /already starts with mountPoint '\/app'/,
    ],
    [
      'the path mountPoint itself',
      { host: 'app.example.org' },
      { target: '/app?x=1', o: { mountPoint: '/app' } },
      /already starts with mountPoint/,
    ],
    ['0.0.0.0', { host: '0.0.0.0:3000' }, {}, /from an unspecified address, 0\.0\.0\.0:3000/],
    ['[::]', { host: '[::]:3000' }, {}, /from an unspecified address/],
    ['an IPv4-mapped address with a three-digit group', { host: '[::ffff:192.168.1.2]' }, {}, /private \(RFC 1918\)/],
    ['a .localhost name behind a proxy', { host: 'app.localhost:3000', ...XFF }, {}, /from a loopback name/],
    ['a .internal name written with its final dot', { host: 'app.internal.:3000' }, {}, /an internal name/],
    ...(['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix', 'forwarded'] as const).map(
      (name): [string, IncomingHttpHeaders, object, RegExp] => [
        `loopback behind a proxy that sends only ${name}`,
        { host: '127.0.0.1:3000', [name]: name === 'x-forwarded-prefix' ? '/' : 'x' },
        {},
        /from a loopback address/,
      ],
    ),
    [
      'an internal X-Forwarded-Host from a trusted proxy',
      { host: 'app.example.org', 'x-forwarded-host': '10.0.0.7:8080' },
      { trusted: true },
      /from a private \(RFC 1918\) address, 10\.0\.0\.7:8080.*X-Forwarded-Host: 10\.0\.0\.7:8080; the app trusts this peer as a proxy\)/,
    ],
    [
      'a Host other than the host option',
      { host: '127.0.0.1:3000' },
      { o: { host: 'localhost:3000', scheme: 'http' } },
      /"host" option is localhost:3000/,
    ],
  ])('%s', (_name, headers, args, expected) => {
    const o = options(args.o);
    const built = `${args.o?.host === undefined ? 'http://' + headers.host! : 'http://' + args.o.host}${o.mountPoint}/page`;
    const warning = redirectWarning(o, view(headers, args), loginUrl(built));
    expect(warning).toMatch(expected);
    // The URL built and the headers it came from, never the state.
    expect(warning).toContain(`The return URL built: ${new URL(built).href}?x=1 (from Host: ${headers.host!}`);
    expect(warning).not.toContain(STATE);
  });

  test.each<[string, IncomingHttpHeaders, { trusted?: boolean; target?: string; o?: Partial<WarningOptions> }?]>([
    ['control: a public Host, no proxy', { host: 'app.example.org' }],
    ['control: a public Host behind a proxy', { host: 'app.example.org', ...XFF }],
    ['control: a local try on loopback (no proxy headers)', { host: '127.0.0.1:3000' }],
    ['control: localhost, no proxy headers', { host: 'localhost:3000' }],
    ['control: 172.32.0.1 is public', { host: '172.32.0.1' }],
    ['control: 11.0.0.1 is public', { host: '11.0.0.1', ...XFF }],
    ['control: a name with a dot', { host: 'internal.example.org' }],
    [
      'control: a trusted proxy passes the public host',
      { host: '127.0.0.1:3000', 'x-forwarded-host': 'app.example.org', 'x-forwarded-proto': 'https', ...XFF },
      { trusted: true },
    ],
    ['control: the host option names the public host', { host: '127.0.0.1:3000', ...XFF }, { o: { host: '127.0.0.1:3000' } }],
    ['control: the default port written out behind a proxy is no port', { host: 'app.example.org:80', ...XFF }],
    [
      'control: X-Forwarded-Prefix equal to mountPoint',
      { host: 'app.example.org', 'x-forwarded-prefix': '/app/' },
      { o: { mountPoint: '/app' } },
    ],
    [
      'control: a path that only begins like mountPoint',
      { host: 'app.example.org' },
      { target: '/application', o: { mountPoint: '/app' } },
    ],
    ['control: 172.15.255.255 is public', { host: '172.15.255.255' }],
    ['control: 173.16.0.1 is public', { host: '173.16.0.1' }],
    ['control: 192.167.0.1 is public', { host: '192.167.0.1' }],
    ['control: 193.168.0.1 is public', { host: '193.168.0.1' }],
    ['control: 169.253.0.1 is public', { host: '169.253.0.1' }],
    ['control: 170.254.0.1 is public', { host: '170.254.0.1' }],
    ['control: a global IPv6 address behind a proxy (its colons are no port)', { host: '[2001:db8::1]', ...XFF }],
    ['control: a name that only contains .local', { host: 'a.local.example.org' }],
    ['control: a name that only begins like a private address', { host: '10.0.0.1.example.org', ...XFF }],
    ['control: a name that only begins with localhost.', { host: 'localhost.example.org', ...XFF }],
    ['control: a public host with a port, no proxy', { host: 'app.example.org:8443' }],
    ['control: an empty X-Forwarded-Prefix is none', { host: 'app.example.org', 'x-forwarded-prefix': '' }],
    ['control: an empty X-Forwarded-For is no proxy', { host: '127.0.0.1:3000', 'x-forwarded-for': '' }],
    [
      'control: the first of several X-Forwarded-Prefix values counts',
      { host: 'app.example.org', 'x-forwarded-prefix': '/app , /b' },
      { o: { mountPoint: '/app' } },
    ],
    [
      'control: X-Forwarded-Prefix as an array whose first value is mountPoint',
      { host: 'app.example.org', 'x-forwarded-prefix': ['/app', '/b'] as unknown as string },
      { o: { mountPoint: '/app' } },
    ],
    ['control: an empty array of X-Forwarded-Prefix is none', { host: 'app.example.org', 'x-forwarded-prefix': [] as unknown as string }],
    ['control: a Host the URL parser refuses (a.1) is no warning and no throw', { host: 'a.1' }],
    ['control: the same, with a host option', { host: 'a.1' }, { o: { host: 'app.example.org' } }],
    ['control: no Host header', {}],
    ['control: an invalid Host header', { host: 'bad host' }],
  ])('%s', (_name, headers, args = {}) => {
    expect(redirectWarning(options(args.o), view(headers, args), loginUrl('http://app.example.org/page'))).toBeUndefined();
  });
});

describe('a warning is said once per distinct cause, escaped, bounded', () => {
  test('the same cause again: no warning; another cause: warned', () => {
    const o = options();
    const url = loginUrl('http://10.0.0.5/page');
    expect(redirectWarning(o, view({ host: '10.0.0.5' }), url)).toMatch(/10\.0\.0\.5/);
    expect(redirectWarning(o, view({ host: '10.0.0.5' }), url)).toBeUndefined();
    expect(redirectWarning(o, view({ host: '10.0.0.5', 'x-forwarded-prefix': '/app' }), url)).toMatch(
      /^Warning: the proxy says X-Forwarded-Prefix/,
    );
    expect(redirectWarning(o, view({ host: '10.0.0.6' }), url)).toMatch(/10\.0\.0\.6/);
    // Another strategy has its own record.
    expect(redirectWarning(options(), view({ host: '10.0.0.5' }), url)).toMatch(/10\.0\.0\.5/);
  });

  test.each<[string, IncomingHttpHeaders, IncomingHttpHeaders]>([
    ['two hosts other than the host option', { host: '127.0.0.1:3000' }, { host: '127.0.0.2:3000' }],
    [
      'two X-Forwarded-Prefix values',
      { host: 'app.example.org', 'x-forwarded-prefix': '/a' },
      { host: 'app.example.org', 'x-forwarded-prefix': '/b' },
    ],
    ['two hosts with the app port', { host: 'a.example.org:3000', ...XFF }, { host: 'b.example.org:3000', ...XFF }],
  ])('%s are two causes, each warned', (_name, first, second) => {
    const o = options({ host: first.host === '127.0.0.1:3000' ? 'localhost:3000' : undefined, scheme: 'http' });
    expect(redirectWarning(o, view(first), loginUrl('http://x/'))).toBeDefined();
    expect(redirectWarning(o, view(second), loginUrl('http://x/'))).toBeDefined();
  });

  test('causes found together are said together, and the whole URL built is shown', () => {
    const long = '/' + 'p'.repeat(150);
    const warning = redirectWarning(
      options(),
      view({ host: '10.0.0.5:3000', 'x-forwarded-prefix': '/app' }),
      loginUrl(`http://10.0.0.5:3000${long}`),
    )!;
    expect(warning).toMatch(/^Warning: the proxy says X-Forwarded-Prefix: \/app.* Also: the return URL is built from a private/);
    expect(warning).toContain(`The return URL built: http://10.0.0.5:3000${long}?x=1 (from Host: 10.0.0.5:3000, X-Forwarded-Prefix: /app;`);
  });

  test('with no return URL parameter (returnToParam: false), the URL shown is the app root; with no Host header, that is said', () => {
    const o = options({ returnToParam: false, mountPoint: '/app', host: 'app.example.org', scheme: 'https' });
    const warning = redirectWarning(o, view({}, { target: '/app/x' }), 'https://sso.example/v3/sso?state=abc');
    expect(warning).toMatch(
      /already starts with mountPoint .* The return URL built: https:\/\/app\.example\.org\/app\/ \(from no Host header;/,
    );
  });

  test(`at most ${MAX_WARNED_CAUSES} causes per strategy, whatever Host values a client sends`, () => {
    const o = options();
    const said = Array.from({ length: MAX_WARNED_CAUSES + 10 }, (_, i) =>
      redirectWarning(o, view({ host: `10.0.${i}.1` }), loginUrl('http://x/')),
    );
    expect(said.filter((w) => w !== undefined)).toHaveLength(MAX_WARNED_CAUSES);
  });

  test('header values are escaped and cut: one line, no raw control or bidi character', () => {
    const hostile = '/app\n[login ok]\u202e' + 'p'.repeat(500);
    const warning = redirectWarning(options(), view({ host: '10.0.0.5', 'x-forwarded-prefix': hostile }), loginUrl('http://10.0.0.5/'))!;
    expect(warning).toContain('X-Forwarded-Prefix: /app\\u000a[login ok]\\u202e');
    expect(warning).not.toMatch(/[\n\u202e]/);
    expect(warning).not.toContain('p'.repeat(101));
  });

  test('a 64 KiB X-Forwarded-Prefix of slashes is read in linear time', () => {
    const started = process.cpuUsage();
    const warning = redirectWarning(
      options(),
      view({ host: 'a.example', 'x-forwarded-prefix': '/'.repeat(64 * 1024) + 'x' }),
      loginUrl('http://a.example/'),
    );
    const { user, system } = process.cpuUsage(started);
    expect((user + system) / 1000).toBeLessThan(50);
    expect(warning).toMatch(/X-Forwarded-Prefix/);
  });
});

describe('the warning in the debug output of a real app', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  test('a proxy that passes its own Host: the redirect line says so once, with the URL and headers', async () => {
    app = await startApp();
    const a = app;
    const lines = await debugLines(async () => {
      for (let i = 0; i < 3; i++) {
        const res = await a.browser().get('/protected?p=1').set('Host', '10.1.2.3:3000').set('X-Forwarded-Proto', 'https');
        expect(res.status).toBe(302);
      }
    });
    const warned = lines.filter((l) => l.includes('Warning:'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(
      /redirect ip=\S+: Warning: the return URL is built from a private \(RFC 1918\) address, 10\.1\.2\.3:3000.* The return URL built: http:\/\/10\.1\.2\.3:3000\/protected\?p=1 \(from Host: 10\.1\.2\.3:3000, X-Forwarded-Proto: https; the app does not trust this peer as a proxy/,
    );
    expect(lines.filter((l) => l.includes('passport-jwtsso redirect'))).toHaveLength(3);
  });

  test('control: trust proxy set and the public host passed on: no warning', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ trustProxy: 'loopback', strategy: { onEvent: (e) => events.push(e) } });
    const res = await app.browser().get('/protected').set('X-Forwarded-Host', 'app.example.org').set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain(encodeURIComponent('https://app.example.org/protected'));
    expect(events).toEqual([{ type: 'redirect', ip: expect.any(String) }]);
  });

  test.each([
    ['with the host option', { host: 'app.example.org', scheme: 'https' as const }],
    ['without it', {}],
  ])(
    'a Host the URL parser refuses (a.1) is still sent to the provider, not turned into a 500 by the warning (%s)',
    async (_name, extra) => {
      const events: JwtSsoEvent[] = [];
      app = await startApp({ strategy: { ...extra, onEvent: (e) => events.push(e) } });
      const res = await app.browser().get('/protected').set('Host', 'a.1');
      expect(res.status).toBe(302);
      expect(events).toEqual([{ type: 'redirect', ip: expect.any(String) }]);
    },
  );

  test('with DEBUG off and no onEvent, no warning is worked out at all (the redirect costs nothing more)', async () => {
    const spy = jest.spyOn(diagnose, 'redirectWarning');
    const debugWas = createDebug.disable(); // whatever DEBUG the run was started with
    try {
      app = await startApp();
      const res = await app.browser().get('/protected').set('Host', '10.1.2.3:3000').set('X-Forwarded-For', '203.0.113.9');
      expect(res.status).toBe(302);
      expect(spy).not.toHaveBeenCalled();
      // Control: with onEvent, the same request is looked at, and warned.
      await app.close();
      const events: JwtSsoEvent[] = [];
      app = await startApp({ strategy: { onEvent: (e) => events.push(e) } });
      await app.browser().get('/protected').set('Host', '10.1.2.3:3000').set('X-Forwarded-For', '203.0.113.9');
      expect(spy).toHaveBeenCalledTimes(1);
      expect(events[0]!.message).toMatch(/^Warning: the return URL is built from a private \(RFC 1918\) address, 10\.1\.2\.3:3000/);
    } finally {
      spy.mockRestore();
      createDebug.enable(debugWas);
    }
  });
});
