// A stolen callback URL signs no one in: in every provider shape, with either login store, a
// thief who has the provider's delivery before the victim's browser uses it (the callback URL
// from an access log, a proxy, an extension; a form POST's fields) sends it from another client
// with whatever cookies the URL lets them make (the state cookie's name, a made-up or their own
// secret, the parked token itself) and is refused with a 403; the victim's own browser, after
// all of that, still signs in with the same delivery (control). With a login of the thief's own
// instead, only a nonce binds the token to the victim's login: the last test of this file.
import request from 'supertest';
import { JwtSsoErrorCode as Code, presets, type JwtSsoStrategyBaseOptions } from '../../lib';
import { createDevProvider, type DevProvider } from '../../lib/dev-provider';
import { encodeParked, encodeState, urlKey } from '../../lib/login-state/codec';
import { stateOf } from '../../lib/login-state/cookie';
import { deliver, atProvider, startSite, type Delivery, type Site } from '../providers/shape-flow';

type Store = 'cookie' | 'session';
interface Shape {
  path: string;
  strategy: (providerOrigin: string) => Partial<JwtSsoStrategyBaseOptions>;
  provider: (appOrigin: string) => DevProvider;
}
const SECRET = 'a shared secret of the thief suite';
const freshworks = createDevProvider({ shape: 'freshworks', clientId: 'thief-suite' });
const SHAPES: Record<string, Shape> = {
  puavo: {
    path: '/v3/sso',
    strategy: (origin) => presets.puavo({ authEndpoint: `${origin}/v3/sso`, sharedSecret: SECRET }),
    provider: () => createDevProvider({ shape: 'puavo', sharedSecret: SECRET }),
  },
  wso2: {
    path: '/identity/jwtsso',
    strategy: (server) => presets.wso2({ server, relyingParty: 'rp', sharedSecret: SECRET, callbackPath: '/sso/callback' }),
    provider: (origin) =>
      createDevProvider({ shape: 'wso2', sharedSecret: SECRET, callbackUrl: `${origin}/sso/callback`, relyingParty: 'rp' }),
  },
  zendesk: {
    path: '/sso/jwt',
    strategy: (origin) => presets.zendesk({ loginUrl: `${origin}/sso/jwt`, sharedSecret: SECRET }),
    provider: (origin) => createDevProvider({ shape: 'zendesk', sharedSecret: SECRET, callbackUrl: `${origin}/access/jwt` }),
  },
  freshworks: {
    path: '/sso/authorize',
    strategy: (origin) => ({
      ...presets.freshworks({
        authEndpoint: `${origin}/sso/authorize`,
        clientId: 'thief-suite',
        callbackPath: '/sso/callback',
        publicKey: freshworks.publicKey!,
      }),
      sharedSecret: undefined, // the test app's default key source, replaced by the provider's public key
    }),
    provider: () => freshworks,
  },
  thinkific: {
    path: '/sso/jwt',
    strategy: (origin) => presets.thinkific({ loginUrl: `${origin}/sso/jwt`, sharedSecret: SECRET, callbackPath: '/sso/thinkific' }),
    provider: (origin) => createDevProvider({ shape: 'thinkific', sharedSecret: SECRET, callbackUrl: `${origin}/sso/thinkific` }),
  },
};
// A form POST from the provider carries no SameSite=Lax cookie: only the cookie store can serve it (refused at construction otherwise).
const CASES: Array<[string, Store]> = Object.keys(SHAPES).flatMap((shape) =>
  (['cookie', 'session'] as const)
    .filter((store) => !(shape === 'zendesk' && store === 'session'))
    .map((store): [string, Store] => [shape, store]),
);

let site: Site | undefined;
afterEach(async () => {
  await site?.close();
  site = undefined;
});

const setCookies = (res: request.Response): string[] => {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : raw === undefined ? [] : [String(raw)];
};

/** The victim starts a login and the provider answers; the delivery is stolen before the victim's browser brings it. */
async function stolen(shape: Shape, store: Store) {
  site = await startSite({ path: shape.path, strategy: (o) => ({ ...shape.strategy(o), loginState: store }), provider: shape.provider });
  const victim = site.browser();
  const toProvider = await victim.get('/protected').expect(302);
  const delivery = await atProvider(toProvider.headers.location!);
  // The state in the URL: the victim's state cookie's name ends with it (cookie store); with the
  // session store the thief reads it from the delivery instead (any 32-character state value).
  const stateCookie = setCookies(toProvider).find((c) => c.startsWith('jwtsso-s-'));
  const state = stateCookie?.slice(stateCookie.indexOf('.') + 1, stateCookie.indexOf('=')) ?? stateIn(delivery);
  return { victim, delivery, state, stateName: stateCookie?.slice(0, stateCookie.indexOf('=')) };
}

function stateIn(d: Delivery): string {
  const text = decodeURIComponent(d.url.href + (d.method === 'POST' ? new URLSearchParams(d.fields).toString() : ''));
  return /(?:jwtsso_state|state)=([A-Za-z0-9_-]{32})/.exec(text)![1]!;
}

const tokenOf = (d: Delivery): string =>
  d.method === 'POST' ? d.fields.find(([k]) => k === 'jwt')![1] : (d.url.searchParams.get('jwt') ?? d.url.searchParams.get('id_token'))!;

describe.each(CASES)('%s shape, %s login store: a stolen delivery signs the thief in nowhere', (shapeName, store) => {
  const shape = SHAPES[shapeName]!;

  test('the thief, with every cookie the URL lets them make, is refused (403 STATE_MISMATCH); the victim then signs in', async () => {
    const { victim, delivery, state, stateName } = await stolen(shape, store);
    const name = stateName ?? `jwtsso-s-${'x'.repeat(8)}.${state}`;
    const madeUp = encodeState({ expiry: Date.now() + 60_000, secret: 'S'.repeat(32), kept: null });
    const ownSecret = Buffer.alloc(24, 7).toString('base64url');
    const thiefsOwn = encodeState({ expiry: Date.now() + 60_000, secret: ownSecret, kept: null });
    const parked = (id: string) =>
      `${id}=${encodeParked({ expiry: Date.now() + 60_000, state, url: urlKey('/protected'), token: tokenOf(delivery) })}`;
    const cookieSets = [
      '',
      `${name}=${madeUp}`,
      `${name}=${thiefsOwn}`,
      `${name}=${String(Date.now() + 99_999_999)}`, // the value that signed thieves in before secrets
      `${name}=${madeUp}; ${parked(name.replace('jwtsso-s-', 'jwtsso-t-'))}`,
    ];
    for (const cookies of cookieSets) {
      const thief = site!.browser();
      const sent = deliver(thief, delivery);
      const answer = cookies === '' ? await sent : await sent.set('Cookie', cookies);
      // A form POST only parks (it carries no cookie to check): the GET it is sent on to is where the state is checked.
      const final = answer.status === 303 ? await thief.get(answer.headers.location!).set('Cookie', cookies) : answer;
      const code = site!.codes.at(-1);
      expect({ cookies, status: final.status, code }).toEqual({ cookies, status: 403, code: Code.STATE_MISMATCH });
    }
    // The parked token planted on the clean URL, with the state cookie guessed from the URL.
    const planted = await site!
      .browser()
      .get('/protected')
      .set('Cookie', `${name}=${madeUp}; ${parked(name.replace('jwtsso-s-', 'jwtsso-t-'))}`);
    expect(planted.status).not.toBe(200);
    expect(site!.app.verified).toEqual([]);
    expect(stateOf(ownSecret)).not.toBe(state);

    // Control: the victim's own browser brings the same delivery and is signed in.
    const callback = await deliver(victim, delivery);
    expect(callback.status).toBe(303);
    const page = await victim.get(callback.headers.location!);
    expect(page.status).toBe(200);
    expect(site!.app.verified).toHaveLength(1);
  });
});

// The other way to use a stolen, unused token: with a login of the thief's own (his state and its
// cookie). Only a nonce the provider echoes inside the token binds it to the victim's login:
// Freshworks' shape refuses it (NONCE_MISMATCH). Puavo, WSO2, Zendesk and Thinkific tokens carry
// nothing per login, so there the token is bound only by its single use and its maxAge: a known
// limit of those protocols, stated in docs/security.md ("Known limits").
test.each(['cookie', 'session'] as const)(
  "freshworks shape, %s login store: the victim's unused token with the thief's own state is refused (403 NONCE_MISMATCH); control: the victim then signs in",
  async (store) => {
    const { victim, delivery } = await stolen(SHAPES.freshworks!, store);
    const thief = site!.browser();
    const thiefsLogin = new URL((await thief.get('/protected').expect(302)).headers.location!);
    const swapped = new URL(delivery.url.href);
    swapped.searchParams.set('state', thiefsLogin.searchParams.get('state')!);
    const res = await thief.get(swapped.pathname + swapped.search);
    const final = res.status === 303 ? await thief.get(res.headers.location!) : res;
    expect({ status: final.status, code: site!.codes.at(-1) }).toEqual({ status: 403, code: Code.NONCE_MISMATCH });
    expect(site!.app.verified).toEqual([]);
    const callback = await deliver(victim, delivery);
    expect((await victim.get(callback.headers.location!)).status).toBe(200);
  },
);
