// Property-based fuzzing of the strategy through real apps: every provider shape × both login-state
// stores × Express, Fastify, Koa and NestJS, each a real app on a loopback socket, sent hostile
// headers, query strings, form bodies and tokens. For every input: no 5xx (none of these apps is
// built to fault: each has its session and its body handling as its recipe says), no unhandled
// rejection or uncaught exception, the event loop never blocked longer than LOOP_BOUND_MS, the
// server still answers a control request, no response carries the token (but in the cookie it is
// parked in), the secret or the private key, and a token that is not exactly one valid token in
// the token parameter never signs anyone in. And the control property: a well-formed login, with
// the parameters in any order and extra ones beside them, signs in on every surface.
//
// FUZZ_RUNS (default DEFAULT_RUNS) sets the inputs per property and surface, FUZZ_SEED the seed,
// FUZZ_SHRINK=1 shrinks a counterexample (slow: every step is a round of real requests).
// Figures go to test-output/fuzz-figures.json.
import { createSign } from 'node:crypto';
import fc from 'fast-check';
import { rawRequest, type RawRequest, type RawResponse } from '../helpers/raw';
import { LOGIN_STATES, type RunningApp } from '../frameworks/flow';
import {
  cookieHeader,
  extraParamName,
  extraParamValue,
  forwardedHeaders,
  handMade,
  hostileClaims,
  hostileHeader,
  hostilePath,
  oddPayloadText,
  padding,
  randomToken,
  urlJunk,
} from './arbitraries';
import { JwtSsoStrategy } from '../../lib';
import {
  buildable,
  shapeOptions,
  claimsFor,
  deliveryFor,
  encodeParams,
  FAULT_USER,
  FRAMEWORKS,
  RSA,
  RSA_PRIVATE_BODY,
  SECRET,
  SHAPES,
  signFor,
  pageOf,
  startSurface,
  surfaceName,
  tokenParamOf,
  type Delivery,
  type FrameworkName,
  type ShapeName,
  type Surface,
} from './surfaces';
import { Figures, LOOP_BOUND_MS, Watch } from './watch';
import { FORM_CALLBACK } from '../frameworks/flow';
import { b64 } from '../helpers/tokens';

/**
 * Inputs per property and surface on CI: 45 surfaces × 6 properties × 5 inputs (and the two
 * regression examples), about 1,400 inputs and 5,000 requests, in about a minute on the 2-core
 * machine when every property passes (see the figures).
 */
const DEFAULT_RUNS = 5;
const RUNS = readInt('FUZZ_RUNS') ?? DEFAULT_RUNS;
const SEED = readInt('FUZZ_SEED') ?? 20_261_207;
const SHRINK = process.env.FUZZ_SHRINK === '1';
// A property's time: its inputs, at up to a second each under load, and an app's start.
const TEST_TIMEOUT_MS = 60_000 + RUNS * 1_500;

function readInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${name} must be a whole number, not ${JSON.stringify(text)}`);
  return n;
}

const SURFACES: Surface[] = FRAMEWORKS.flatMap((framework) =>
  SHAPES.flatMap((shape) => LOGIN_STATES.map((store) => ({ framework, shape, store }))),
);
const watch = new Watch();
const figures = new Figures({ seed: SEED, runsPerProperty: RUNS, loopBoundMs: LOOP_BOUND_MS, node: process.version });

beforeAll(() => watch.start());
afterAll(() => {
  watch.stop();
  const file = figures.write();
  console.log(`fuzz figures: ${file}`);
});

/** A browser's cookies for one app: what Set-Cookie gave, what Max-Age=0 took away. */
class Jar {
  readonly #cookies = new Map<string, string>();
  header(): string {
    return [...this.#cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
  take(res: RawResponse): void {
    for (const line of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (/;\s*Max-Age=0(?:;|$)/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1));
    }
  }
}

/** What must never leave the server: the secrets always, a token but in the cookie it is parked in. */
interface Secrets {
  tokens: string[];
  /** The input is the app's configured fault (FAULT_USER signs in): a 500 is its expected answer. */
  configuredFault?: boolean;
}
const PARKED_COOKIE = /^(?:__Host-)?jwtsso-t-[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+=/;
// A request left without an answer this long is a hung request: the input fails.
const ANSWER_TIMEOUT_MS = 3_000;
// Blanks in the example cookie name: as many as fit under Node's 16 KiB header limit with the rest.
const LONG_BLANK_RUN = 14_000;
// A token shorter than this could occur in a response by chance (a random "a.b.c").
const MIN_CHECKED_TOKEN = 24;

/**
 * No 5xx, and nothing secret in the answer. `strategyRoute` false: the request reached no route
 * the strategy guards (Fastify's, Koa's or NestJS's own 404), and whatever that framework's 404
 * page repeats of the URL is not checked for tokens (NestJS's repeats the whole request target).
 */
function expectClean(res: RawResponse, step: string, secrets: Secrets, strategyRoute: boolean): void {
  if (res.status >= 500 && !(secrets.configuredFault === true && res.status === 500)) {
    throw new Error(`${step}: answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  const tokens = strategyRoute ? secrets.tokens.filter((t) => t.length >= MIN_CHECKED_TOKEN) : [];
  const never = [SECRET, RSA_PRIVATE_BODY, ...tokens];
  for (const [name, value] of Object.entries(res.headers)) {
    for (const line of [value ?? []].flat()) {
      for (const s of never) {
        if (!line.includes(s)) continue;
        if (name === 'set-cookie' && PARKED_COOKIE.test(line) && s !== SECRET && s !== RSA_PRIVATE_BODY) continue;
        throw new Error(
          `${step}: the ${name} header carries ${s === SECRET ? 'the secret' : s === RSA_PRIVATE_BODY ? 'the private key' : 'the token'}`,
        );
      }
    }
  }
  for (const s of never)
    if (res.body.includes(s)) throw new Error(`${step}: the body (status ${res.status}) carries a token or the secret`);
}

interface Exchange {
  first: RawResponse;
  /** The response after following a 303 to the clean URL (the first one when there was none). */
  final: RawResponse;
}

/** Runs every fuzzed request: what the connection did, the jar, the checks every response gets. */
class Client {
  closedWithoutAnswer = 0;
  /** Framework 404 pages (no route of the strategy's) that repeated a token of the URL. */
  notFoundEchoes = 0;
  /** The longest Location header the app sent (a redirect that repeats a long request target grows with it). */
  longestLocation = 0;
  readonly page: string;
  constructor(
    readonly app: RunningApp,
    readonly framework: FrameworkName,
  ) {
    this.page = pageOf(framework);
  }

  async send(r: RawRequest, jar: Jar, step: string, secrets: Secrets): Promise<RawResponse> {
    const own = r.headers?.Cookie;
    const cookie = [jar.header(), own].filter((c) => c !== undefined && c !== '').join('; ');
    let res: RawResponse;
    try {
      res = await rawRequest(this.app.url, {
        ...r,
        headers: { ...r.headers, ...(cookie === '' ? {} : { Cookie: cookie }) },
        timeoutMs: ANSWER_TIMEOUT_MS,
      });
    } catch (err) {
      // Node's server closes a connection it will not parse (a header over 16 KiB, a body it
      // refused mid-stream): no answer, which is not a fault; the control request shows the server lives.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ECONNRESET' && code !== 'EPIPE') throw err;
      this.closedWithoutAnswer += 1;
      return { status: 0, headers: {}, body: '' };
    }
    const strategyRoute = !(res.status === 404 && !this.framework.startsWith('express'));
    expectClean(res, step, secrets, strategyRoute);
    if (!strategyRoute && secrets.tokens.some((t) => t.length >= MIN_CHECKED_TOKEN && res.body.includes(t))) this.notFoundEchoes += 1;
    this.longestLocation = Math.max(this.longestLocation, String(res.headers.location ?? '').length);
    jar.take(res);
    return res;
  }

  /** Sends `r`, and follows a 303 (the strategy's redirect to the clean URL) in the same browser. */
  async exchange(r: RawRequest, jar: Jar, secrets: Secrets, headers: Record<string, string> = {}): Promise<Exchange> {
    const first = await this.send(r, jar, `${r.method ?? 'GET'} ${r.target.slice(0, 60)}`, secrets);
    const location = first.headers.location;
    if (first.status !== 303 || typeof location !== 'string' || !location.startsWith('/')) return { first, final: first };
    const final = await this.send({ target: location, headers }, jar, `the 303 to ${location.slice(0, 60)}`, secrets);
    return { first, final };
  }

  /** The app's redirect to the provider, read as the shape's provider reads it. */
  async prime(shape: ShapeName, jar: Jar, target = this.page, headers: Record<string, string> = {}): Promise<Delivery> {
    const res = await this.send({ target, headers }, jar, `GET ${target}`, { tokens: [] });
    if (res.status !== 302 || typeof res.headers.location !== 'string') {
      throw new Error(`GET ${target}: expected the redirect to the provider, got ${res.status}`);
    }
    return deliveryFor(shape, res.headers.location);
  }

  /** A fresh browser's GET of the protected page: the server still answers, with the redirect to the provider. */
  async control(): Promise<void> {
    const res = await rawRequest(this.app.url, { target: this.page, timeoutMs: ANSWER_TIMEOUT_MS });
    if (res.status !== 302) throw new Error(`the control request answered ${res.status}, not the redirect to the provider`);
  }
}

const signedIn = (x: Exchange): boolean => x.final.status === 200 && /"username":"minerva\.teacher"/.test(x.final.body);

/** The delivery's request, its token (the TOKEN placeholder) replaced by `token`. */
function deliveryRequest(d: Delivery, token: string, params: Array<[string, string]> = d.params): RawRequest {
  const encoded = encodeParams(params.map(([k, v]): [string, string] => [k, v === 'TOKEN' ? token : v]));
  return d.method === 'GET'
    ? { target: `${d.path}?${encoded}` }
    : { method: 'POST', target: d.path, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: encoded };
}

/** An RS256 signature over any header and payload text, with the provider's key (the HS shapes use handMade). */
function rs256(header: object, payload: object | string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(RSA.privateKey).toString('base64url')}`;
}

/** Short text for a counterexample: long runs of one character are counted, long texts cut. */
function summary(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'string' ? v.replace(/(.)\1{15,}/gs, (m, c: string) => `${c}×${m.length}`) : v,
  );
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} characters)` : text;
}

const surfaceIndex = new Map(SURFACES.map((s, i) => [surfaceName(s), i]));

// Not fuzzed: the form-POST shape with the session store, which no app can be built with (and
// NestJS would end the process when its provider throws).
const unbuildable = SURFACES.filter((s) => !buildable(s));
test(`${unbuildable.map(surfaceName).join(', ')}: the strategy refuses to be built (a cross-site form POST carries no session cookie), so not fuzzed`, () => {
  expect(unbuildable.map((s) => `${s.shape} × ${s.store}`)).toEqual(FRAMEWORKS.map(() => 'zendesk × session'));
  figures.meta.notBuildable = unbuildable.map(surfaceName);
  expect(() => new JwtSsoStrategy({ ...shapeOptions('zendesk'), loginState: 'session' })).toThrow(/"loginState"/);
});

describe.each(SURFACES.filter(buildable).map((s) => [surfaceName(s), s] as const))('%s', (name, s) => {
  let app: RunningApp;
  let client: Client;
  const tokenParam = tokenParamOf(s.shape);
  beforeAll(async () => {
    app = await startSurface(s);
    client = new Client(app, s.framework);
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    figures.of(name).closedWithoutAnswer += client?.closedWithoutAnswer ?? 0;
    figures.of(name).longestLocationBytes = client?.longestLocation ?? 0;
    figures.of(name).notFoundEchoes = client?.notFoundEchoes ?? 0;
    await app?.close();
  });

  const extraClaims = fc.dictionary(fc.stringMatching(/^x_[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

  /** Runs `check` for RUNS inputs of `arb`, with the process, loop and control checks around each. */
  async function fuzz<T>(property: string, arb: fc.Arbitrary<T>, check: (input: T) => Promise<void>, examples: T[] = []): Promise<void> {
    const f = figures.of(name);
    const started = Date.now();
    const seed = SEED + (surfaceIndex.get(name) ?? 0);
    const details = await fc.check(
      fc.asyncProperty(arb, async (input) => {
        watch.reset();
        try {
          await check(input);
        } catch (err) {
          // What the process reported meanwhile says why (a request that hung on an unhandled rejection).
          await watch.settle();
          if (watch.faults.length === 0) throw err;
          throw new Error(`${err instanceof Error ? err.message : String(err)}; the process reported ${watch.faults.join('; ')}`);
        }
        await watch.settle();
        const gc = watch.gcMs();
        const delay = Math.max(0, watch.worstDelayMs() - gc);
        f.worstLoopDelayMs = Math.max(f.worstLoopDelayMs, Math.round(delay));
        f.worstGcMs = Math.max(f.worstGcMs, Math.round(gc));
        if (watch.faults.length > 0) throw new Error(`the process reported ${watch.faults.join('; ')}`);
        if (delay > LOOP_BOUND_MS) {
          throw new Error(
            `the event loop was blocked for ${Math.round(delay)} ms besides ${Math.round(gc)} ms of garbage collection (bound ${LOOP_BOUND_MS} ms)`,
          );
        }
        await client.control();
      }),
      { numRuns: RUNS, seed, endOnFailure: !SHRINK, examples: examples.map((e): [T] => [e]) },
    );
    f.inputs[property] = details.numRuns;
    f.seconds = Math.round((f.seconds + (Date.now() - started) / 1000) * 10) / 10;
    if (details.failed) {
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const counterexample = summary(details.counterexample);
      f.failures.push({ property, seed, counterexample, error: error.slice(0, 500) });
      throw new Error(`${name}, ${property}: ${error}\nseed ${seed}, path ${details.counterexamplePath}\ncounterexample ${counterexample}`);
    }
  }

  test(
    'a well-formed login signs in, with its parameters in any order and extra ones beside them',
    () =>
      fuzz(
        'positive',
        fc.record({
          tab: fc.option(fc.nat(99)),
          extras: fc.uniqueArray(fc.tuple(extraParamName, extraParamValue), { maxLength: 4, selector: ([k]) => k }),
          order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
          claims: extraClaims,
        }),
        async ({ tab, extras, order, claims }) => {
          const jar = new Jar();
          const d = await client.prime(s.shape, jar, tab === null ? client.page : `${client.page}?tab=${tab}`);
          const token = signFor(s.shape, claimsFor(s.shape, d.nonce, claims));
          // Extra parameters in any order among the shape's own: ranked by the generated keys.
          const params = [...d.params, ...extras]
            .map((p, i) => ({ p, rank: order[i % order.length]! + i / 100 }))
            .sort((a, b) => a.rank - b.rank)
            .map(({ p }) => p);
          const x = await client.exchange(deliveryRequest(d, token, params), jar, { tokens: [token] });
          if (x.first.status !== 303) throw new Error(`the delivery answered ${x.first.status}: ${x.first.body.slice(0, 200)}`);
          if (!signedIn(x)) throw new Error(`the clean URL answered ${x.final.status}: ${x.final.body.slice(0, 200)}`);
        },
      ),
    TEST_TIMEOUT_MS,
  );

  test(
    `a configured fault (the user directory fails for ${FAULT_USER}): a 500 on the clean URL, nothing unhandled, no one signed in`,
    () =>
      fuzz('configured fault', fc.record({ tab: fc.option(fc.nat(99)), claims: extraClaims }), async ({ tab, claims }) => {
        const jar = new Jar();
        const d = await client.prime(s.shape, jar, tab === null ? client.page : `${client.page}?tab=${tab}`);
        const token = signFor(s.shape, claimsFor(s.shape, d.nonce, { ...claims, username: FAULT_USER }));
        const x = await client.exchange(deliveryRequest(d, token), jar, { tokens: [token], configuredFault: true });
        if (x.first.status !== 303 || x.final.status !== 500) {
          throw new Error(`expected the 303 and then the fault's 500, got ${x.first.status} and ${x.final.status}`);
        }
        const after = await client.send({ target: client.page }, jar, 'the page after the fault', { tokens: [token] });
        if (after.status !== 302) {
          throw new Error(`after the fault the browser got ${after.status}, not the redirect to the provider: ${after.body.slice(0, 200)}`);
        }
      }),
    TEST_TIMEOUT_MS,
  );

  test(
    'hostile Host, X-Forwarded-* and Cookie headers: on the way to the provider and on the way back',
    () =>
      fuzz(
        'headers',
        fc.record({ headers: forwardedHeaders, cookie: fc.option(cookieHeader, { nil: undefined }) }),
        async ({ headers, cookie }) => {
          const hostile = { ...headers, ...(cookie === undefined ? {} : { Cookie: cookie }) };
          await client.send({ target: client.page, headers: hostile }, new Jar(), 'the page', { tokens: [] });
          const jar = new Jar();
          const d = await client.prime(s.shape, jar);
          const token = signFor(s.shape, claimsFor(s.shape, d.nonce));
          const r = deliveryRequest(d, token);
          await client.exchange({ ...r, headers: { ...r.headers, ...hostile } }, jar, { tokens: [token] }, hostile);
        },
        // Run first, whatever the seed: a long run of blanks in a login-state cookie's name.
        [{ headers: {}, cookie: `jwtsso-s-${' '.repeat(LONG_BLANK_RUN)}x=1` }],
      ),
    TEST_TIMEOUT_MS,
  );

  const tokenName = fc.oneof(
    { weight: 4, arbitrary: fc.constant(tokenParam) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(`${tokenParam}[]`, `${tokenParam}[0]`, `${tokenParam}[a]`, tokenParam.toUpperCase(), `${tokenParam}.`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(`${tokenParam}%20`, `%20${tokenParam}`, `${tokenParam}%00`, encodeURIComponent(`${tokenParam}[]`)),
    },
  );
  // The token parameter 0 to 4 times, under its name or a near one, with the login's token or random text.
  const tokenPieces = fc.array(fc.record({ name: tokenName, legit: fc.boolean(), random: randomToken }), { maxLength: 4 });
  type Pieces = Array<{ name: string; legit: boolean; random: string }>;
  /**
   * Exactly one parameter by the token's exact name (others are other parameters), holding the
   * login's token, and no more in the padding: the only delivery that may sign in.
   */
  const exactlyTheToken = (pieces: Pieces, pad: string | undefined): boolean => {
    const named = pieces.filter((p) => p.name === tokenParam);
    return named.length === 1 && named[0]!.legit && !(pad ?? '').includes(`${tokenParam}=`);
  };
  const pieceText = (p: Pieces[number], token: string, raw: boolean): string =>
    `${p.name}=${p.legit ? token : raw ? p.random.replace(/[^\x21-\xff]/g, encodeURIComponent) : encodeURIComponent(p.random)}`;
  // The values the strategy knows for tokens: in the token parameter, and not also given under another name
  // (which it keeps in the clean URL as any other parameter).
  const checkedTokens = (pieces: Pieces, token: string): string[] => {
    const value = (p: Pieces[number]): string => (p.legit ? token : p.random);
    const elsewhere = new Set(pieces.filter((p) => p.name !== tokenParam).map(value));
    return pieces
      .filter((p) => p.name === tokenParam)
      .map(value)
      .filter((v) => !elsewhere.has(v));
  };

  test(
    'hostile query strings: the token 0 to many times, %-escapes, dot segments, backslashes, Unicode, 8 to 64 KiB',
    () =>
      fuzz(
        'query',
        fc.record({
          path: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostilePath(FORM_CALLBACK) }),
          pieces: tokenPieces,
          keep: fc.boolean(),
          junk: urlJunk,
          pad: fc.option(
            padding.map((p) => `p=${p.replace(/ /g, '+')}`),
            { nil: undefined },
          ),
          raw: fc.boolean(),
          order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        }),
        async ({ path, pieces, keep, junk, pad, raw, order }) => {
          const jar = new Jar();
          const d = await client.prime(s.shape, jar);
          const token = signFor(s.shape, claimsFor(s.shape, d.nonce));
          const kept = keep
            ? d.params.filter(([k]) => k !== tokenParam).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            : [];
          const parts = [...kept, ...pieces.map((p) => pieceText(p, token, raw)), junk, ...(pad === undefined ? [] : [pad])]
            .map((p, i) => ({ p, rank: order[i % order.length]! + i / 100 }))
            .sort((a, b) => a.rank - b.rank)
            .map(({ p }) => p);
          const x = await client.exchange({ target: `${path ?? d.path}?${parts.join('&')}` }, jar, {
            tokens: checkedTokens(pieces, token),
          });
          if (signedIn(x) && !exactlyTheToken(pieces, pad))
            throw new Error('signed in without exactly one token parameter holding the token');
        },
      ),
    TEST_TIMEOUT_MS,
  );

  // The content types a provider's form is sent with, and others; only the first ones may carry a login.
  const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'];
  const OTHER_TYPES = [
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=zz',
    'application/x-www-form-urlencoded; charset=utf-16le',
    'application/x-www-form-urlencoded, application/json',
    'APPLICATION/X-WWW-FORM-URLENCODED; charset=latin1',
    '',
  ];
  test(
    'hostile form bodies: urlencoded, JSON, wrong content types, jwt[]=, chunked, up to 64 KiB',
    () =>
      fuzz(
        'form',
        fc.record({
          type: fc.constantFrom(...FORM_TYPES, ...OTHER_TYPES),
          json: fc.constantFrom('no', 'string', 'array', 'object'),
          pieces: tokenPieces,
          keep: fc.boolean(),
          junk: urlJunk,
          pad: fc.option(
            padding.map((p) => `p=${p}`),
            { nil: undefined },
          ),
          chunked: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
          path: fc.oneof({ weight: 4, arbitrary: fc.constant(FORM_CALLBACK) }, { weight: 1, arbitrary: hostilePath(FORM_CALLBACK) }),
        }),
        async ({ type, json, pieces, keep, junk, pad, chunked, path }) => {
          const jar = new Jar();
          const d = await client.prime(s.shape, jar);
          const token = signFor(s.shape, claimsFor(s.shape, d.nonce));
          const kept = keep ? d.params.filter(([k]) => k !== tokenParam) : [];
          let body: string;
          if (json === 'no') {
            body = [encodeParams(kept), ...pieces.map((p) => pieceText(p, token, false)), junk, ...(pad === undefined ? [] : [pad])]
              .filter((p) => p !== '')
              .join('&');
          } else {
            const value = pieces.find((p) => p.legit) === undefined ? (pieces[0]?.random ?? '') : token;
            const shaped = json === 'string' ? value : json === 'array' ? [value] : { 0: value };
            body = JSON.stringify({ ...Object.fromEntries(kept), [tokenParam]: shaped, ...(pad === undefined ? {} : { p: pad }) });
          }
          const headers: Record<string, string> = type === '' ? {} : { 'Content-Type': type };
          const x = await client.exchange(
            { method: 'POST', target: path, headers, body, ...(chunked === undefined ? {} : { chunked }) },
            jar,
            {
              tokens: json === 'no' ? checkedTokens(pieces, token) : [token],
            },
          );
          const mayLogIn = FORM_TYPES.includes(type) && json === 'no' && exactlyTheToken(pieces, pad);
          if (signedIn(x) && !mayLogIn) {
            throw new Error('signed in by a form that is not one urlencoded token parameter holding the token');
          }
        },
        // Run first, whatever the seed: the login's token as `jwt[]=` (an array to an extended parser).
        [
          {
            type: FORM_TYPES[0]!,
            json: 'no',
            pieces: [{ name: `${tokenParam}[]`, legit: true, random: '' }],
            keep: true,
            junk: '',
            pad: undefined,
            chunked: undefined,
            path: FORM_CALLBACK,
          },
        ],
      ),
    TEST_TIMEOUT_MS,
  );

  const HS = s.shape !== 'freshworks';
  // A token of the kind the case names, and whether it may ever sign in.
  const tokenCase = fc.oneof(
    randomToken.map((token) => ({ kind: 'random segments', token: () => token, mayLogIn: false })),
    fc.constant({
      kind: 'the right claims, the wrong key',
      token: (nonce: string | null) => signFor(s.shape, claimsFor(s.shape, nonce), { wrongKey: true }),
      mayLogIn: false,
    }),
    fc.constantFrom('none', 'garbage', 'other-secret').map((signing) => ({
      kind: `the right claims, alg ${signing === 'none' ? 'none' : 'HS256'} signed with ${signing}`,
      token: (nonce: string | null) =>
        handMade({ alg: signing === 'none' ? 'none' : 'HS256' }, claimsFor(s.shape, nonce), signing as 'none'),
      mayLogIn: false,
    })),
    hostileHeader.map((header) => ({
      kind: 'a hostile header, HMAC with the shared secret',
      token: (nonce: string | null) => handMade(header, claimsFor(s.shape, nonce), 'secret'),
      // Only HS256 is the shapes' HMAC algorithm (freshworks pins RS256); whether crit, kid or jku is refused is its own rule.
      mayLogIn: HS && header.alg === 'HS256',
    })),
    hostileClaims.map((claims) => ({
      kind: 'hostile claims, signed with the right key',
      token: (nonce: string | null) =>
        HS
          ? handMade({ alg: 'HS256' }, { ...claimsFor(s.shape, nonce), ...claims }, 'secret')
          : rs256({ alg: 'RS256' }, { ...claimsFor(s.shape, nonce), ...claims }),
      mayLogIn: true,
    })),
    oddPayloadText.map((text) => ({
      kind: 'a payload JSON.stringify never writes, signed with the right key',
      token: () => {
        const payload = text.replace(/IAT/g, String(Math.floor(Date.now() / 1000)));
        return HS ? handMade({ alg: 'HS256' }, payload, 'secret') : rs256({ alg: 'RS256' }, payload);
      },
      mayLogIn: true,
    })),
    fc.tuple(fc.constantFrom('payload', 'cut', 'grown', 'first character'), fc.nat()).map(([how, n]) => ({
      kind: `a valid token tampered with (${how})`,
      token: (nonce: string | null) => {
        const [h, p, sig] = signFor(s.shape, claimsFor(s.shape, nonce)).split('.') as [string, string, string];
        if (how === 'payload') return `${h}.${b64({ ...claimsFor(s.shape, nonce), username: 'root' })}.${sig}`;
        if (how === 'cut') return `${h}.${p}.${sig.slice(0, n % sig.length)}`;
        if (how === 'grown') return `${h}.${p}.${sig}${'A'.repeat((n % 8) + 1)}`;
        // The first character: every one of its bits is signature (the last one's may be padding).
        return `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
      },
      mayLogIn: false,
    })),
  );
  test(
    'hostile tokens in the token parameter of a real login: random segments, wrong keys, alg none, hostile headers and claims',
    () =>
      fuzz('tokens', tokenCase, async (c) => {
        const jar = new Jar();
        const d = await client.prime(s.shape, jar);
        const token = c.token(d.nonce);
        const x = await client.exchange(deliveryRequest(d, token), jar, { tokens: [token] });
        if (signedIn(x) && !c.mayLogIn) throw new Error(`signed in with ${c.kind}`);
      }),
    TEST_TIMEOUT_MS,
  );
});
