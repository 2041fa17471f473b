// Tokens minted by PyJWT and ruby-jwt (Debian's python3-jwt and ruby-jwt), in the shapes
// Zendesk's own examples mint them (zendesk_jwt_sso_examples: PyJWT with headers={"typ": "JWT"},
// ruby-jwt with { typ: 'JWT' }) and in WSO2's shape ({"alg":…} alone, HS256/HS384/HS512, sub,
// jti, iat, exp = iat + 120, claim-URI attributes), verified end to end by a real Express app.
// Needs /usr/bin/python3 with jwt, and ruby with jwt: a missing one fails the test, naming the
// package. Left out of the mutation runs (jest.mutate.config.ts): they need outside programs.
import { randomUUID } from 'node:crypto';
import { JwtSsoErrorCode as Code } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { HMAC_ALGS, INTEROP_SECRET, loginWith, now, partsOf, pyjwt, pyjwtVersion, rubyJwt, rubyJwtVersion, type Hs } from './providers';

const LIBRARIES = { PyJWT: pyjwt, 'ruby-jwt': rubyJwt } as const;
type Library = keyof typeof LIBRARIES;

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const verify = (claims: Record<string, unknown>, done: (err: unknown, user?: unknown) => void) =>
  done(null, { sub: claims.sub ?? null, email: claims.email ?? null, jti: claims.jti, iat: claims.iat });

test('the libraries are the real ones, at the versions Debian ships (bookworm: PyJWT 2.6, ruby-jwt 2.5)', () => {
  expect(pyjwtVersion()).toMatch(/^2\.\d+\.\d+$/);
  expect(rubyJwtVersion()).toMatch(/^2\.\d+\.\d+$/);
});

describe.each(Object.keys(LIBRARIES) as Library[])('%s', (library) => {
  const mint = LIBRARIES[library];

  describe.each(HMAC_ALGS)("WSO2's shape under %s", (alg: Hs) => {
    const wso2Payload = (iat: number) =>
      JSON.stringify({ sub: 'ada', jti: randomUUID(), iat, exp: iat + 120, 'http://wso2.org/claims/emailaddress': 'ada@example.org' });

    test('signs in once, parameters form-encoded as WSO2 sends them; the replay is refused', async () => {
      app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, algorithms: [alg] }, verify });
      const token = mint({ alg, typ: null, payloadJson: wso2Payload(now()) });
      expect(partsOf(token).header).toBe(`{"alg":"${alg}"}`); // the shape this test is about

      const first = await loginWith(app.browser(), token, 'form-encoded');
      expect(first).toMatchObject({ status: 200, user: { sub: 'ada' } });
      expect(new URL(first.url, app.url).searchParams.get('q')).toBe('two words'); // "+" read as a space
      expect(new URL(first.url, app.url).searchParams.has('jwt')).toBe(false);

      const replay = await loginWith(app.browser(), token, 'form-encoded');
      expect([replay.status, replay.code]).toEqual([401, Code.TOKEN_REPLAYED]);
    });

    test('a token of another HMAC algorithm, signed with the same secret, is refused', async () => {
      app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, algorithms: [alg] }, verify });
      const other = HMAC_ALGS.find((a) => a !== alg)!;
      const res = await loginWith(app.browser(), mint({ alg: other, typ: null, payloadJson: wso2Payload(now()) }), 'form-encoded');
      expect([res.status, res.code]).toEqual([401, Code.ALGORITHM_NOT_ALLOWED]);
      expect(app.verified).toEqual([]);
    });
  });

  test('WSO2 without a jti (its older connector sends none): signs in once with replayKey jti-or-token-hash', async () => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, algorithms: ['HS512'], replayKey: 'jti-or-token-hash' }, verify });
    const iat = now();
    const token = mint({ alg: 'HS512', typ: null, payloadJson: JSON.stringify({ sub: 'ada', iat, exp: iat + 120 }) });
    expect(await loginWith(app.browser(), token, 'form-encoded')).toMatchObject({ status: 200, user: { sub: 'ada' } });
    expect((await loginWith(app.browser(), token, 'form-encoded')).code).toBe(Code.TOKEN_REPLAYED);
  });

  describe("Zendesk's shape: HS256, typ JWT", () => {
    const zendesk = (extra: string) => `{"iat":${now()},${extra},"name":"Test User","email":"tuser@example.org","external_id":"5678"}`;

    test('a string jti as the example makes it signs in once; the replay is refused', async () => {
      app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET }, verify });
      // Python: str(uuid.uuid1()); Rails: "#{iat}/#{SecureRandom.hex(18)}".
      const jti = library === 'PyJWT' ? randomUUID() : `${now()}/${'ab'.repeat(18)}`;
      const token = mint({ alg: 'HS256', typ: 'JWT', payloadJson: zendesk(`"jti":${JSON.stringify(jti)}`) });
      expect(JSON.parse(partsOf(token).header)).toEqual({ typ: 'JWT', alg: 'HS256' });
      expect(await loginWith(app.browser(), token, 'append')).toMatchObject({ status: 200, user: { email: 'tuser@example.org', jti } });
      expect((await loginWith(app.browser(), token, 'append')).code).toBe(Code.TOKEN_REPLAYED);
    });

    test("the sample's numeric jti signs in with numericJti; 1.0 after 1 is a replay; the default refuses it", async () => {
      app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, numericJti: true }, verify });
      const sample = mint({ alg: 'HS256', typ: 'JWT', payloadJson: zendesk('"jti":8883362531196.326') });
      expect(partsOf(sample).payload).toContain('"jti":8883362531196.326');
      expect(await loginWith(app.browser(), sample, 'append')).toMatchObject({ status: 200, user: { jti: 8883362531196.326 } });

      const one = mint({ alg: 'HS256', typ: 'JWT', payloadJson: zendesk('"jti":1') });
      const oneAgain = mint({ alg: 'HS256', typ: 'JWT', payloadJson: zendesk('"jti":1.0,"tags":"vip_user"') });
      expect(partsOf(oneAgain).payload).toContain('"jti":1.0'); // the library wrote the float as a float
      expect((await loginWith(app.browser(), one, 'append')).status).toBe(200);
      expect((await loginWith(app.browser(), oneAgain, 'append')).code).toBe(Code.TOKEN_REPLAYED);
      await app.close();

      app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET }, verify });
      const refused = await loginWith(app.browser(), mint({ alg: 'HS256', typ: 'JWT', payloadJson: zendesk('"jti":4.5') }), 'append');
      expect([refused.status, refused.code]).toEqual([401, Code.CLAIM_INVALID]);
    });
  });
});
