// The rules of lib/flow/types.ts: who counts as signed in when the app's Passport says so or does
// not, and that an audit event carries the client's address and costs nothing when no one listens.
// The same rules through real apps are in spec/strategy/ and spec/frameworks/.
import type { Request } from 'express';
import { event, isAuthenticated, PASS, redirect, REDIRECT_TO_CLEAN_URL, REDIRECT_TO_PROVIDER } from '../../lib/flow/types';
import type { JwtSsoEvent } from '../../lib';
import { resolveOptions } from '../../lib/options';
import { SECRET } from '../helpers/tokens';

const req = (fields: Record<string, unknown>) => fields as unknown as Request;

describe("signed in: Passport's own answer where it gives one, else whether a user is set", () => {
  test.each<[string, Record<string, unknown>, boolean]>([
    ['Passport says yes (control)', { isAuthenticated: () => true, user: { id: 1 } }, true],
    ['Passport says no, though a user is set (it is the judge)', { isAuthenticated: () => false, user: { id: 1 } }, false],
    ['Passport says yes with no user set', { isAuthenticated: () => true }, true],
    ['no Passport answer, a user set', { user: { id: 1 } }, true],
    ['no Passport answer, a falsy user set (id 0)', { user: 0 }, true],
    ['no Passport answer, no user', {}, false],
    ['isAuthenticated that is not a function: the user decides', { isAuthenticated: true, user: undefined }, false],
  ])('%s', (_name, fields, expected) => {
    expect(isAuthenticated(req(fields))).toBe(expected);
  });
});

describe('an audit event carries the client address, and is built only when someone listens', () => {
  const options = (onEvent?: (e: JwtSsoEvent) => void) =>
    resolveOptions({ authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, host: 'app.example', scheme: 'https', onEvent });
  const view = { clientIp: '203.0.113.7' } as never;

  test('a listener gets the event with the address, from an object or a factory (control)', () => {
    const seen: JwtSsoEvent[] = [];
    const o = options((e) => seen.push(e));
    event({ o, view }, { type: 'token-received' });
    event({ o, view }, () => ({ type: 'token-dropped' }));
    expect(seen).toEqual([
      { type: 'token-received', ip: '203.0.113.7' },
      { type: 'token-dropped', ip: '203.0.113.7' },
    ]);
  });

  test("an event's own ip field cannot replace the client's address", () => {
    const seen: JwtSsoEvent[] = [];
    event({ o: options((e) => seen.push(e)), view }, { type: 'token-received', ip: '192.0.2.1' } as JwtSsoEvent);
    expect(seen[0]?.ip).toBe('203.0.113.7');
  });

  test('no listener (and debug off): the factory is never called', () => {
    const factory = jest.fn(() => ({ type: 'token-dropped' }) as JwtSsoEvent);
    event({ o: options(), view }, factory);
    expect(factory).not.toHaveBeenCalled();
  });
});

describe("a step's outcomes: the provider is reached by a 302, the clean URL by a 303 (the browser GETs it)", () => {
  test('the statuses and the outcomes they make', () => {
    expect(REDIRECT_TO_PROVIDER).toBe(302);
    expect(REDIRECT_TO_CLEAN_URL).toBe(303);
    expect(redirect('/p', REDIRECT_TO_CLEAN_URL)).toEqual({ type: 'redirect', url: '/p', status: 303 });
    expect(PASS).toEqual({ type: 'pass' });
  });
});
