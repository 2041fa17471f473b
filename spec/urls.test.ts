import fc from 'fast-check';
import {
  appendParam,
  isNormalisedMountPoint,
  localPath,
  loginUrl,
  mayHaveParam,
  isPlainTarget,
  pathWithin,
  resolvedWithin,
  sameOriginPath,
  splitQuery,
  splitTarget,
  strippedSplit,
  stripParams,
} from '../lib/urls';

describe('stripParams', () => {
  test.each([
    ['/p?jwt=abc', '/p'],
    ['/p?a=1&jwt=abc&b=2', '/p?a=1&b=2'],
    ['/p?jwt=abc&jwtsso_state=s&a=1', '/p?a=1'],
    ['/p?a=%20b+c&jwt=x', '/p?a=%20b+c'], // other pairs byte for byte
    ['/p?%6Awt=x&a=1', '/p?a=1'], // an encoded key is still the token parameter
    ['/p?jwt&a=1', '/p?a=1'],
    ['/p?a=1&&jwt=x&', '/p?a=1'],
    ['/p?jwt[]=x&a=1', '/p?jwt[]=x&a=1'], // a different parameter, kept
    ['/p?a=%zz&jwt=x', '/p?a=%zz'], // malformed escapes are kept, not thrown on
    ['/p', '/p'],
    ['/p?', '/p'],
  ])('%s -> %s', (target, expected) => {
    expect(stripParams(target, ['jwt', 'jwtsso_state'])).toBe(expected);
  });

  test.each([
    ['//evil.example/?jwt=x', '/evil.example/'],
    ['///evil.example/?jwt=x', '/evil.example/'],
    ['/\\evil.example/?jwt=x', '/evil.example/'],
    ['\\\\evil.example/?jwt=x', '/evil.example/'],
    ['/\\/evil.example/', '/evil.example/'],
    ['evil.example', '/evil.example'],
    ['', '/'],
  ])('keeps %j on this origin: %s', (target, expected) => {
    const local = stripParams(target, ['jwt']);
    expect(local).toBe(expected);
    expect(new URL(local, 'https://app.example').origin).toBe('https://app.example');
  });
});

describe('localPath', () => {
  test.each([
    ['/caf\u00e9', '/caf%E9'], // latin1 as Node's parser delivers it, byte for byte
    ['/a b', '/a%20b'],
    ['/\u20ac', '/%E2%82%AC'],
    ['/tab\there', '/tab%09here'],
  ])('%j -> %s', (path, expected) => {
    expect(localPath(path)).toBe(expected);
  });
});

describe('sameOriginPath', () => {
  test.each(['/', '/custom/path?my=query', '/a#frag', '/a/../b', '/%2F%2Fevil'])('accepts %j', (p) => {
    expect(sameOriginPath(p)).toBe(p);
  });
  test.each([
    '//evil.example',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/ /evil',
    'https://evil.example/',
    'http:/evil.example',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'relative/path',
    '',
    '/path\r\nSet-Cookie: x=1',
    '/path\u0000',
    '/path\u007f',
    '/path\\..\\..',
    ' /path',
    '?q=1',
    '#frag',
  ])('refuses %j', (p) => {
    expect(sameOriginPath(p)).toBeNull();
  });
  test.each([null, undefined, 42, {}, ['/']])('refuses a non-string %j', (p) => {
    expect(sameOriginPath(p)).toBeNull();
  });
});

describe('appendParam', () => {
  test.each([
    ['https://a/p', 'https://a/p?s=v'],
    ['https://a/p?x=1', 'https://a/p?x=1&s=v'],
    ['https://a/p?', 'https://a/p?s=v'],
    ['https://a/p?x=1#frag', 'https://a/p?x=1&s=v#frag'],
    ['https://a/p#frag?not-query', 'https://a/p?s=v#frag?not-query'],
  ])('%s', (url, expected) => {
    expect(appendParam(url, 's', 'v')).toBe(expected);
  });
});

describe('loginUrl', () => {
  test('keeps the endpoint query, adds params, and return_to cannot be overridden', () => {
    const url = new URL(
      loginUrl(
        'https://sso.example/v3/sso?client=a&x=1',
        { organisation: 'example.opinsys.fi', return_to: 'https://evil.example/' },
        { return_to: 'https://app.example/p?q=1&jwtsso_state=s' },
      ),
    );
    expect(url.searchParams.get('client')).toBe('a');
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('organisation')).toBe('example.opinsys.fi');
    expect(url.searchParams.getAll('return_to')).toEqual(['https://app.example/p?q=1&jwtsso_state=s']);
  });

  // What loginUrl made before the endpoint was parsed once: a new URL and a searchParams.set per parameter.
  const byUrl = (endpoint: string, params: Record<string, string>, fixed: Record<string, string>): string => {
    const url = new URL(endpoint);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    for (const [key, value] of Object.entries(fixed)) url.searchParams.set(key, value);
    return url.href;
  };
  const RETURN = { return_to: 'https://app.example/p?q=1&s=a b', nonce: 'n' };
  test.each([
    ['https://sso.example/v3/sso', {}, RETURN],
    ['https://sso.example/v3/sso', {}, {}], // nothing set: the endpoint as the parser writes it
    ['https://sso.example/v3/sso?', {}, {}],
    ['https://sso.example/v3/sso?', {}, RETURN],
    ['https://sso.example/v3/sso?a=%7E&b=c+d&e', {}, RETURN], // the endpoint's query re-serialised as URL does
    ['https://sso.example/v3/sso?a=%7E&b=c+d&e', {}, {}], // and kept as written when nothing is set
    ['https://sso.example/v3/sso?return_to=x&return_to=y&k=1', {}, RETURN], // a repeated key: one, in the first place
    ['https://sso.example/v3/sso#frag', { a: '1' }, RETURN], // the fragment stays last
    ['https://sso.example/v3/sso?x=1#', { a: '1' }, RETURN], // an empty fragment too
    ['https://sso.example/v3/sso?x=1#f?g=h', {}, RETURN],
    ['https://user:pw@sso.example:8443/a/../b/sso?x=1', { a: 'é ü/?&=#' }, RETURN], // credentials, port, dot segments
    ['https://SSO.Example/v3/%7Esso', { '2': 'two', '10': 'ten', b: 'x' }, RETURN], // integer-like keys keep Object order
    ['https://sso.example/v3/sso?only=1', { only: '' }, {}], // set to an empty value
    ['http://[::1]:3000/sso', { 'a b': 'c+d' }, RETURN],
  ])('%s with %j and %j: the same bytes as URL.searchParams.set of each', (endpoint, params, fixed) => {
    const expected = byUrl(endpoint, params, fixed);
    expect(loginUrl(endpoint, params, fixed)).toBe(expected);
    expect(loginUrl(endpoint, params, fixed)).toBe(expected); // from the parsed endpoint kept by the first call
  });

  test('an endpoint the URL parser refuses still throws (nothing is kept of it)', () => {
    expect(() => loginUrl('not a url', {}, RETURN)).toThrow('Invalid URL');
    expect(() => loginUrl('not a url', {}, RETURN)).toThrow('Invalid URL');
  });
});

describe('strippedSplit: stripParams of a target split once', () => {
  test.each([
    '/p?jwt=abc',
    '/p?a=1&jwt=abc&b=2',
    '/p?a=%20b+c&jwt=x',
    '/p?%6Awt=x&a=1',
    '/p?jwt&a=1',
    '/p',
    '/p?',
    '//evil/x?jwt=1&a',
    '/p?a&&b#f',
  ])('%s: the same as stripParams', (target) => {
    expect(strippedSplit(splitTarget(target), ['jwt', 'jwtsso_state'])).toBe(stripParams(target, ['jwt', 'jwtsso_state']));
  });
});

test('splitQuery decodes keys and values like URLSearchParams', () => {
  expect(splitQuery('?a+b=c%20d&e=%zz&f')).toEqual([
    { raw: 'a+b=c%20d', key: 'a b', value: 'c d' },
    { raw: 'e=%zz', key: 'e', value: '%zz' },
    { raw: 'f', key: 'f', value: '' },
  ]);
});

describe('pathWithin: a path is judged the way a browser resolves it below mountPoint', () => {
  // Every value resolves outside /app in a browser (or in a proxy that decodes once before routing).
  test.each([
    '/../other-app/x',
    '/..',
    '/x/../../other-app/x',
    '/%2e%2e/other-app/x',
    '/%2E%2E/other-app/x',
    '/.%2e/other-app/x',
    '/%2e./other-app/x',
    '/..\\other-app/x',
    '/..%5cother-app/x',
    '/..%5Cother-app/x',
    '/..%2fother-app/x',
    '/%2e%2e%2fother-app/x',
    '/%252e%252e/other-app/x',
    '/../app-sibling/x',
    '/../appx',
    '/./../other-app/?jwtsso_state=x',
    '/..?q=/app/',
  ])('%j below /app falls back to /', (path) => {
    expect(pathWithin('/app', path)).toBe('/');
  });

  test.each([
    ['/', '/'],
    ['/x', '/x'],
    ['/x?a=1&b=%zz', '/x?a=1&b=%zz'],
    ['/x/../y', '/y'], // stays inside: normalised as the browser will request it
    ['/x/./y', '/x/y'],
    ['/x/..', '/'],
    ['/x/../../app/y', '/y'],
    ['/..file', '/..file'], // not a dot segment
    ['/x?next=../../other', '/x?next=../../other'], // the query is not a path
    ['/x?next=..%2F..%2Fother', '/x?next=..%2F..%2Fother'],
    ['/a b', '/a%20b'],
    ['/caf\u00e9', '/caf%E9'],
  ])('control: %j below /app is %j', (path, expected) => {
    expect(pathWithin('/app', path)).toBe(expected);
  });

  test.each([
    ['//evil.example/x', '/evil.example/x'],
    ['//evil.example', '/evil.example'],
    ['/.//evil.example/x', '/evil.example/x'],
    ['/x/..//evil.example', '/evil.example'],
    ['/%2e//evil.example', '/evil.example'],
  ])('with no mountPoint, %j never becomes a protocol-relative %j', (path, expected) => {
    const out = pathWithin('', path);
    expect(out).toBe(expected);
    expect(new URL(out, 'https://app.example').origin).toBe('https://app.example');
  });

  test.each([
    ['/app', true],
    ['', true],
    ['/a/b', true],
    ['/app/..', false],
    ['/app/./x', false],
    ['/%2e%2e', false],
    ['/caf\u00e9', false],
    ['/a"b', false],
  ])('mountPoint %j is normalised: %s', (mountPoint, expected) => {
    expect(isNormalisedMountPoint(mountPoint)).toBe(expected);
  });
});

describe('pathWithin takes a shortcut only where the parser would change nothing', () => {
  // Every path over this alphabet, up to a length, plus a seeded random sample of longer ones:
  // the shortcut and the full resolution must agree on each.
  const alphabet = ['/', '.', 'a', '%', '2', 'e', '?', '=', '&', '\\', ' ', '"', "'", '#', '~', '-', ':', '@'];
  function* paths(maxLength: number, prefix = '/'): Generator<string> {
    yield prefix;
    if (prefix.length >= maxLength) return;
    for (const c of alphabet) yield* paths(maxLength, prefix + c);
  }
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const sample = Array.from(
    { length: 3000 },
    () => '/' + Array.from({ length: 1 + Math.floor(random() * 14) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
  );

  test.each(['', '/app'])('below mountPoint %j: the same result as the full WHATWG resolution, for every path tried', (mountPoint) => {
    const disagreements: string[] = [];
    let tried = 0;
    for (const path of [...paths(5), ...sample]) {
      const local = stripParams(path, []); // what pathWithin is given: a local path
      tried++;
      if (pathWithin(mountPoint, local) !== resolvedWithin(mountPoint, local)) disagreements.push(local);
    }
    expect(tried).toBeGreaterThan(100_000);
    expect(disagreements).toEqual([]);
  });

  test.each(['/reports/2026?term=autumn&page=2', '/file.html', '/a/b;c=d', '/~user/x?a=%20b'])(
    'control: the plain path %j is kept as it is',
    (path) => {
      expect(pathWithin('/app', path)).toBe(path);
    },
  );

  // The shortcut is for the hot path: an app's ordinary paths take it, whatever their length,
  // with or without a query; what a browser would change never does (and resolvedWithin agrees).
  test.each([
    ['/', true],
    ['/a', true],
    ['/reports/2026', true],
    ['/a?q', true],
    ['/a?term=autumn&page=2', true],
    ['/a?', false], // an empty query: the parser drops the "?"
    ['/a/../b', false],
    ['/a/./b', false],
    ['/a%2e%2e/b', false],
    ['//evil.example/x', false],
    ['/a b', false],
    ['/a\\b', false],
    ['/a#f', false],
  ])('isPlainTarget(%j) is %s', (path, plain) => {
    expect(isPlainTarget(path)).toBe(plain);
    if (plain) expect(resolvedWithin('/app', path)).toBe(path);
  });
});

// The rules of lib/urls.ts, each at the input that decides it: a boundary, a hostile value the
// filter exists for, or a second occurrence that a first-match-only rule would miss.
describe('urls at the input that decides each rule', () => {
  describe('splitQuery decodes every `+` and keeps the text after `=` whole', () => {
    test('every `+` in a value is a space, not only the first', () => {
      expect(splitQuery('a=1+2+3')).toEqual([{ raw: 'a=1+2+3', key: 'a', value: '1 2 3' }]);
    });

    test('a value may itself contain `=`', () => {
      expect(splitQuery('next=/p?x=1')).toEqual([{ raw: 'next=/p?x=1', key: 'next', value: '/p?x=1' }]);
    });
  });

  describe('localPath %-encodes by code point: one byte below U+0100, UTF-8 from U+0100 on', () => {
    test.each([
      ['/\u00ff', '/%FF'], // the last code point written as one byte
      ['/\u0100', '/%C4%80'], // the first written as UTF-8
      ['/\u007f', '/%7F'], // DEL, the first after printable ASCII
      ['/\u0020', '/%20'], // space, the last before it
      ['/\u0021\u007e', '/!~'], // the first and last printable ASCII are kept
    ])('%j -> %s', (path, expected) => {
      expect(localPath(path)).toBe(expected);
    });

    test('only leading slashes are removed; inner ones are kept', () => {
      expect(localPath('//a//b\\c')).toBe('/a//b\\c');
      expect(localPath('x/y//z')).toBe('/x/y//z'); // no leading slash: one is added, none taken away
    });
  });

  describe('sameOriginPath refuses a protocol-relative path whatever host it names', () => {
    // Even a host equal to the one the resolution is judged against: `//host` is never a path.
    test.each(['//origin.invalid/x', '//origin.invalid', '/\\origin.invalid/x'])('refuses %j', (p) => {
      expect(sameOriginPath(p)).toBeNull();
    });

    test.each(['/a', '/x/y?z=1#f', '/~!$&()*+,;=:@'])('control: accepts %j', (p) => {
      expect(sameOriginPath(p)).toBe(p);
    });
  });

  describe('pathWithin judges the %-decoded path as a path: a decoded `?` or `#` hides nothing', () => {
    // Raw, each stays below /app (the `..%2f..` is one segment); decoded once, by a proxy, it
    // climbs out, and a decoded `?` or `#` must not turn the climb into a query or a fragment.
    test.each([
      '/%3f/..%2f..%2fother-app/x',
      '/%23/..%2f..%2fother-app/x',
      '/%3f%3f/..%2f..%2fother-app/x',
      '/%3f%23/..%2f..%2fother-app/x',
    ])('%j below /app falls back to /', (path) => {
      expect(pathWithin('/app', path)).toBe('/');
    });

    test('a path with no query is judged whole, to its last character', () => {
      expect(pathWithin('/app', '/a/..%2f..')).toBe('/'); // decoded: /a/../.. leaves /app
    });

    test('the query is not judged as a path: dot segments in it are kept', () => {
      expect(pathWithin('/app', '/x?next=/../../other')).toBe('/x?next=/../../other');
    });

    test.each([
      ['/a%3fb/c?q=1', '/a%3fb/c?q=1'],
      ['/.%3f./x', '/.%3f./x'], // decoded, `.?.` is no dot segment: a decoded `?` is not dropped
    ])('control: a decoded `?` that climbs nowhere keeps the path: %j', (path, expected) => {
      expect(pathWithin('/app', path)).toBe(expected);
    });
  });

  describe('stripParams and appendParam keep every other pair and add exactly one separator', () => {
    test('a target with a fragment: the fragment is dropped, the query before it is read', () => {
      expect(stripParams('/p?jwt=x&a=1#frag', ['jwt'])).toBe('/p?a=1');
    });

    test('a fragment with no query: the path ends at the `#`', () => {
      expect(stripParams('/p#x?jwt=y', ['jwt'])).toBe('/p');
    });

    test('a URL whose query ends in `&` gets no second `&`', () => {
      expect(appendParam('https://a/p?x=1&', 's', 'v')).toBe('https://a/p?x=1&s=v');
    });
  });
});

describe('mayHaveParam: false only where the query surely has no pair of that name (the signed-in page skips the split)', () => {
  test.each<[string, string, string]>([
    ['the param itself', '/p?jwt=a.b.c', 'jwt'],
    ['the param among others', '/p?a=1&jwt=x', 'jwt'],
    ['the param with no value', '/p?jwt', 'jwt'],
    ['the param %-escaped (decodes to it)', '/p?j%77t=x', 'jwt'],
    ['any escape at all (it might decode to it)', '/p?a=%41', 'jwt'],
    ['a "+" where the name has a space', '/p?my+token=x', 'my token'],
    ['the name only inside a value (maybe: the split decides)', '/p?a=jwt', 'jwt'],
    ['a "?" after a "#" (maybe: the split decides)', '/p#x?jwt=1', 'jwt'],
    ['the query right after the first "/"', '/?jwt=x', 'jwt'],
  ])('maybe: %s', (_name, target, key) => {
    expect(mayHaveParam(target, key)).toBe(true);
  });

  test.each<[string, string, string]>([
    ['no query', '/protected', 'jwt'],
    ['a query without the name or an escape', '/protected?tab=2&q=a', 'jwt'],
    ['the name in the path only', '/jwt/page?tab=2', 'jwt'],
    ['a "+" where the name has no space', '/p?a=b+c', 'jwt'],
    ['another case of the name (names are case-sensitive)', '/p?JWT=x', 'jwt'],
    ['no query, the name and an escape in the path', '/jwt/a%20b', 'jwt'],
    ['a name with a space, a query with neither "+" nor the name nor "%"', '/p?a=b', 'my token'],
  ])('surely not: %s', (_name, target, key) => {
    expect(mayHaveParam(target, key)).toBe(false);
    expect(splitTarget(target).pairs.some((p) => p.key === key)).toBe(false);
  });

  test('never false where splitTarget finds the pair (generated targets; the found case counted, so it is not vacuous)', () => {
    const piece = fc.constantFrom('jwt', 'j%77t', '%6Awt', 'JWT', 'j w', 'j+w', 'token', 'tok%65n', 'a', '', '=', '%', '#', '?', '+');
    const pair = fc
      .tuple(fc.array(piece, { maxLength: 3 }), fc.array(piece, { maxLength: 2 }))
      .map(([k, v]) => `${k.join('')}=${v.join('')}`);
    let found = 0;
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 4 }), fc.constantFrom('jwt', 'j w', 'token'), (pairs, key) => {
        const target = `/p?${pairs.join('&')}`;
        if (!splitTarget(target).pairs.some((p) => p.key === key)) return;
        found++;
        expect(mayHaveParam(target, key)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(found).toBeGreaterThan(200);
  });
});
