// End-to-end flows through a real Express app over a real socket, on Express 4 and 5 and
// Passport 0.6 and 0.7.
import type { JwtSsoEvent } from '../../lib';
import { EXPRESS, PASSPORT, startApp, type ExpressName, type PassportName, type TestApp } from '../helpers/app';
import { login, providerReturn, returnToOf } from '../helpers/flow';
import { mint, puavoClaims } from '../helpers/tokens';

const combos: [ExpressName, PassportName][] = [];
for (const e of Object.keys(EXPRESS) as ExpressName[]) for (const p of Object.keys(PASSPORT) as PassportName[]) combos.push([e, p]);

describe.each(combos)('%s with %s', (expressName, passportName) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startApp({ express: expressName, passport: passportName });
  });
  afterEach(() => app.close());

  test('redirects to the provider with return_to = this URL plus a state, keeping the endpoint query', async () => {
    const res = await app.browser().get('/protected?tab=2&q=a%20b');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location!);
    expect(location.origin + location.pathname).toBe('https://sso.example.test/v3/sso');
    expect(location.searchParams.get('client')).toBe('demo');
    const returnTo = new URL(returnToOf(res.headers.location));
    expect(returnTo.origin).toBe(app.url);
    expect(returnTo.pathname).toBe('/protected');
    expect(returnTo.searchParams.get('tab')).toBe('2');
    expect(returnTo.searchParams.get('q')).toBe('a b');
    expect(returnTo.searchParams.get('jwtsso_state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test('signs in: token stripped by a same-origin redirect, session id changes, verify called once, authInfo has the claims', async () => {
    const browser = app.browser();
    const before = await browser.get('/protected?tab=2');
    const sessionBefore = /connect\.sid=([^;]+)/.exec(String(before.headers['set-cookie']))?.[1];
    const claims = puavoClaims();
    const callback = await browser.get(providerReturn(returnToOf(before.headers.location), mint(claims)));
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/protected?tab=2');
    expect(callback.headers['cache-control']).toBe('no-store');
    expect(callback.headers['referrer-policy']).toBe('no-referrer');

    const final = await browser.get(callback.headers.location!);
    expect(final.status).toBe(200);
    expect(final.headers['cache-control']).toBe('no-store');
    expect(final.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
    expect(final.body.url).toBe('/protected?tab=2');
    expect(final.body.authInfo.claims.jti).toBe(claims.jti);
    expect(app.verified).toHaveLength(1);
    const sessionAfter = /connect\.sid=([^;]+)/.exec(String(final.headers['set-cookie']))?.[1];
    expect(sessionAfter).toBeDefined();
    expect(sessionAfter).not.toBe(sessionBefore);

    // Signed in: no token, no redirect, the same user on every request.
    const again = await browser.get('/protected');
    expect(again.status).toBe(200);
    expect(again.body.user).toEqual({ id: 42, username: 'ada.lovelace' });
    expect(app.verified).toHaveLength(1);
  });

  test('the same token pasted again with its used state, after logout, is refused for the state', async () => {
    const browser = app.browser();
    const { token, returnTo, final } = await login(browser);
    expect(final.status).toBe(200);
    expect((await browser.get('/logout')).body).toEqual({ loggedOut: true });
    const pasted = await browser.get(providerReturn(returnTo, token));
    expect(pasted.status).toBe(403); // the state was used up by the first sign-in
    expect((await browser.get('/whoami')).body.user).toBeNull();
  });

  test('the same token pasted into a fresh login (a live state), after logout, is refused as a replay', async () => {
    const browser = app.browser();
    const { token, final } = await login(browser, '/checked');
    expect(final.status).toBe(200);
    expect((await browser.get('/logout')).body).toEqual({ loggedOut: true });
    const fresh = await browser.get('/checked');
    expect(fresh.status).toBe(302);
    const callback = await browser.get(providerReturn(returnToOf(fresh.headers.location), token));
    expect(callback.status).toBe(303); // a live state of this session: parked, so only the replay store can stop it
    const pasted = await browser.get(callback.headers.location!);
    expect(pasted.status).toBe(401);
    expect(pasted.body.code).toBe('ERR_JWTSSO_TOKEN_REPLAYED');
    expect((await browser.get('/whoami')).body.user).toBeNull();
    expect(app.verified).toHaveLength(1);
  });
});

describe('a token from the provider', () => {
  let app: TestApp;
  afterEach(() => app.close());

  test('is refused when replayed in another browser (no state) even after a successful login', async () => {
    const events: JwtSsoEvent[] = [];
    app = await startApp({ strategy: { state: false, onEvent: (e) => events.push(e) } });
    const { token, returnTo, final } = await login(app.browser());
    expect(final.body.user.username).toBe('ada.lovelace');
    const thief = app.browser();
    const callback = await thief.get(providerReturn(returnTo, token));
    expect(callback.status).toBe(303);
    events.length = 0;
    const refused = await thief.get(callback.headers.location!);
    expect(refused.status).toBe(401);
    expect(events).toContainEqual(expect.objectContaining({ type: 'refused', code: 'ERR_JWTSSO_TOKEN_REPLAYED' }));
    expect((await thief.get('/whoami')).body.user).toBeNull();
    expect(app.verified).toHaveLength(1);
  });

  test('used twice at once in two browsers signs in exactly once', async () => {
    app = await startApp({ strategy: { state: false } });
    const token = mint(puavoClaims());
    const browsers = Array.from({ length: 6 }, () => app.browser());
    const callbacks = await Promise.all(browsers.map((b) => b.get(`/protected?jwt=${token}`)));
    expect(callbacks.map((c) => c.status)).toEqual(callbacks.map(() => 303));
    const finals = await Promise.all(browsers.map((b) => b.get('/protected')));
    expect(finals.filter((f) => f.status === 200)).toHaveLength(1);
    expect(finals.filter((f) => f.status === 401)).toHaveLength(5);
    expect(app.verified).toHaveLength(1);
  });

  test('keeps every other parameter and the mountPoint on the stripping redirect', async () => {
    app = await startApp({ strategy: { state: false, mountPoint: '/school/' } });
    const token = mint(puavoClaims());
    const res = await app.browser().get(`/protected?b=2&jwt=${token}&a=1&c=x%2By`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/school/protected?b=2&a=1&c=x%2By');
  });
});
