// returnPath (lib/login.ts): the return URL a provider passes back beside the token to a fixed
// callback, as the path below mountPoint the browser is sent to; null for anything that is not
// this app's public origin below mountPoint. Hostile values against controls, with and without
// a mountPoint.
import { returnPath } from '../lib/login';
import { resolveOptions } from '../lib/options';
import { SECRET } from './helpers/tokens';
import { expressView } from './helpers/view';

const req = expressView({ headers: { host: 'evil.example' } }); // the options fix the origin: the Host header is never read
const at = (mountPoint: string) =>
  resolveOptions({
    authEndpoint: 'https://is.example/identity/jwtsso',
    sharedSecret: SECRET,
    host: 'app.example',
    scheme: 'https',
    mountPoint,
    callbackPath: '/cb',
  });

describe.each([
  ['no mountPoint', '', ''],
  ['mountPoint /app', '/app', '/app'],
])('%s', (_name, mountPoint, m) => {
  const o = at(mountPoint);
  test.each([
    ['the absolute URL sent', `https://app.example${m}/courses?id=7&jwtsso_state=s`, '/courses?id=7&jwtsso_state=s'],
    ['a path of the app', `${m}/courses`, '/courses'],
    ['the root', `https://app.example${m}/`, '/'],
    ['mountPoint without a slash', `https://app.example${m}`, '/'],
    ['the default port written out', `https://app.example:443${m}/p`, '/p'],
    ['a fragment (dropped)', `https://app.example${m}/p#x`, '/p'],
    ['a dot segment that stays inside', `https://app.example${m}/a/../p`, '/p'],
    ['non-ASCII, %-encoded', `https://app.example${m}/ä`, '/%C3%A4'],
  ])('control: %s', (_n, value, expected) => {
    expect(returnPath(o, req, value)).toBe(expected);
  });

  test.each([
    ['another host', `https://evil.example${m}/p`],
    ['a subdomain', `https://x.app.example${m}/p`],
    ['another scheme', `http://app.example${m}/p`],
    ['another port', `https://app.example:8443${m}/p`],
    ['protocol-relative', `//evil.example${m}/p`],
    ['a backslash host', `/\\evil.example${m}/p`],
    ['backslashes as slashes', `\\\\evil.example${m}/p`],
    ['userinfo', `https://user:pw@app.example${m}/p`],
    ['a user only', `https://user@app.example${m}/p`],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,x'],
    ['an IDN look-alike', `https://аpp.example${m}/p`],
    ['an IPv6 literal', `https://[::1]${m}/p`],
    ['a tab in the scheme', `ht\ttps://evil.example${m}/p`],
    ['not a URL', 'http://'],
  ])('never followed: %s', (_n, value) => {
    expect(returnPath(o, req, value)).toBeNull();
  });

  if (mountPoint !== '') {
    test.each([
      ['a sibling app', 'https://app.example/other/p'],
      ['a prefix that is not the mountPoint', 'https://app.example/application/p'],
      ['dot segments out of it', 'https://app.example/app/../other/p'],
      ['encoded dot segments out of it', 'https://app.example/app/%2e%2e/other/p'],
      ['the host root', 'https://app.example/'],
    ])('never followed (outside mountPoint): %s', (_n, value) => {
      expect(returnPath(o, req, value)).toBeNull();
    });
  }
});

test('an encoded slash stays inside mountPoint and is later judged by pathWithin', () => {
  // The WHATWG parser keeps %2f as it is; what a decoding proxy would make of it is cleanTarget's rule.
  expect(returnPath(at('/app'), req, 'https://app.example/app/..%2fother')).toBe('/..%2fother');
});
