// Tokens minted by the npm libraries providers use, verified end to end by a real Express app:
// jsonwebtoken (HS256/HS384/HS512), and jwt-simple, which Zendesk's Node examples use
// (zendesk_jwt_sso_examples: jwt_generation/node_jwt.js, and node_express_jwt.js, whose
// `iat: new Date().getTime() / 1000` is a fractional iat).
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import jwtSimple from 'jwt-simple';
import { JwtSsoErrorCode as Code } from '../../lib';
import { startApp, type TestApp } from '../helpers/app';
import { HMAC_ALGS, INTEROP_SECRET, loginWith, now, partsOf, type Hs } from './providers';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const verify = (claims: Record<string, unknown>, done: (err: unknown, user?: unknown) => void) =>
  done(null, { sub: claims.sub ?? null, email: claims.email ?? null, jti: claims.jti, iat: claims.iat });

describe.each(HMAC_ALGS)('jsonwebtoken, %s', (alg: Hs) => {
  // jsonwebtoken adds "typ":"JWT" unless told not to: both headers are tried.
  test.each([
    ['{"alg":…} (WSO2, Puavo)', { alg, typ: undefined }, `{"alg":"${alg}"}`],
    ['{"alg":…,"typ":"JWT"}', { alg, typ: 'JWT' }, `{"alg":"${alg}","typ":"JWT"}`],
  ])('header %s: signs in once, form-encoded; the replay is refused', async (_name, header, headerText) => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, algorithms: [alg] }, verify });
    const token = jwt.sign({ sub: 'ada', jti: randomUUID(), iat: now() }, INTEROP_SECRET, { algorithm: alg, header });
    expect(partsOf(token).header).toBe(headerText);
    expect(await loginWith(app.browser(), token, 'form-encoded')).toMatchObject({ status: 200, user: { sub: 'ada' } });
    const replay = await loginWith(app.browser(), token, 'form-encoded');
    expect([replay.status, replay.code]).toEqual([401, Code.TOKEN_REPLAYED]);
  });
});

describe("jwt-simple, as Zendesk's Node examples use it", () => {
  test('node_jwt.js: HS256 (its default), typ JWT, a UUID jti: signs in once', async () => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET }, verify });
    const token = jwtSimple.encode({ iat: now(), jti: randomUUID(), name: 'Test User', email: 'tuser@example.org' }, INTEROP_SECRET);
    expect(JSON.parse(partsOf(token).header)).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(await loginWith(app.browser(), token, 'append')).toMatchObject({ status: 200, user: { email: 'tuser@example.org' } });
    expect((await loginWith(app.browser(), token, 'append')).code).toBe(Code.TOKEN_REPLAYED);
  });

  test('node_express_jwt.js: a fractional iat (RFC 7519 NumericDate allows it) is accepted and reaches verify as sent', async () => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET }, verify });
    const iat = Date.now() / 1000 - 0.25; // 0.25 s so that it is fractional whatever the clock says
    const token = jwtSimple.encode({ iat, jti: randomUUID(), email: 'tuser@example.org' }, INTEROP_SECRET);
    expect(partsOf(token).payload).toMatch(/"iat":\d+\.\d+/);
    expect(await loginWith(app.browser(), token, 'append')).toMatchObject({ status: 200, user: { iat } });
  });

  test('a fractional iat is judged like any other: older than maxAge, or in the future, is refused', async () => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, maxAge: 60, clockTolerance: 5 }, verify });
    const old = jwtSimple.encode({ iat: Date.now() / 1000 - 65.5, jti: randomUUID() }, INTEROP_SECRET);
    const future = jwtSimple.encode({ iat: Date.now() / 1000 + 30.5, jti: randomUUID() }, INTEROP_SECRET);
    expect((await loginWith(app.browser(), old, 'append')).code).toBe(Code.TOKEN_TOO_OLD);
    expect((await loginWith(app.browser(), future, 'append')).code).toBe(Code.TOKEN_NOT_YET_VALID);
    expect(app.verified).toEqual([]);
  });

  test.each(['HS384', 'HS512'] as const)('jwt-simple under %s with algorithms naming it: signs in', async (alg) => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET, algorithms: [alg] }, verify });
    const token = jwtSimple.encode({ iat: now(), jti: randomUUID(), sub: 'ada' }, INTEROP_SECRET, alg);
    expect(JSON.parse(partsOf(token).header)).toEqual({ typ: 'JWT', alg });
    expect(await loginWith(app.browser(), token, 'append')).toMatchObject({ status: 200, user: { sub: 'ada' } });
  });

  test('control: jwt-simple under HS512 against the default (HS256) app is refused by algorithm', async () => {
    app = await startApp({ strategy: { sharedSecret: INTEROP_SECRET }, verify });
    const token = jwtSimple.encode({ iat: now(), jti: randomUUID(), sub: 'ada' }, INTEROP_SECRET, 'HS512');
    expect((await loginWith(app.browser(), token, 'append')).code).toBe(Code.ALGORITHM_NOT_ALLOWED);
  });
});
