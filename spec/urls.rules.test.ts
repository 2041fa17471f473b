// The rules of lib/urls.ts, each at the input that decides it: a boundary, a hostile value the
// filter exists for, or a second occurrence that a first-match-only rule would miss.
import { appendParam, localPath, pathWithin, sameOriginPath, splitQuery, stripParams } from '../lib/urls';

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
  test.each(['/%3f/..%2f..%2fother-app/x', '/%23/..%2f..%2fother-app/x', '/%3f%3f/..%2f..%2fother-app/x', '/%3f%23/..%2f..%2fother-app/x'])(
    '%j below /app falls back to /',
    (path) => {
      expect(pathWithin('/app', path)).toBe('/');
    },
  );

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
