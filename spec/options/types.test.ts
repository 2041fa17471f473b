// lib/options/types.ts: the key source is a union, so that the compiler refuses two key sources at
// once, or none; the run-time check stays for JavaScript (and for values the compiler cannot see).
// The @ts-expect-error lines are the compile-time half: `npx tsc` (and ts-jest) fail when one of
// them compiles, i.e. when the union stops refusing what it should.
import { generateKeyPairSync } from 'node:crypto';
import {
  JwtSsoStrategy,
  presets,
  type JwtSsoStrategyBaseOptions,
  type JwtSsoStrategyOptions,
  type JwtSsoStrategyOptionsWithRequest,
  type KeySourceOptions,
  type VerifyFunctionWithRequest,
} from '../../lib';

const AUTH = 'https://api.opinsys.fi/v3/sso';
const SECRET = 'a-shared-secret-of-32-bytes-or-more!!';
const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const JWKS = 'https://idp.example/jwks';
const env: Record<string, string | undefined> = { SSO_SECRET: SECRET };
const withRequestVerify: VerifyFunctionWithRequest = (_req, _claims, done) => done(null, {});

// The compile-time half: each line after @ts-expect-error must not compile.
function compileTimeRules(): void {
  // @ts-expect-error -- two key sources at once
  new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: SECRET, publicKey });
  // @ts-expect-error -- two key sources at once, the with-request form
  new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: SECRET, jwksUri: JWKS, passReqToCallback: true }, withRequestVerify);
  // @ts-expect-error -- no key source
  new JwtSsoStrategy({ authEndpoint: AUTH });
  // @ts-expect-error -- no key source, the with-request form
  new JwtSsoStrategy({ authEndpoint: AUTH, passReqToCallback: true }, (_req, _c, done) => done(null, {}));
  // @ts-expect-error -- a key source beside a preset's spread that names another
  new JwtSsoStrategy({ ...presets.puavo({ sharedSecret: SECRET }), publicKey });
  // @ts-expect-error -- a typed options object with two
  const two: JwtSsoStrategyOptions = { authEndpoint: AUTH, sharedSecret: SECRET, secretOrKeyProvider: () => SECRET };
  // @ts-expect-error -- KeySourceOptions alone: none
  const none: KeySourceOptions = {};
  // @ts-expect-error -- passReqToCallback: true needs verify(req, claims, done)
  new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: SECRET, passReqToCallback: true });

  // Known gap while the presets return JwtSsoStrategyBaseOptions (see PresetResultOptions):
  // options naming neither authEndpoint nor a key source, e.g. { maxAge: 5 }, compile; the
  // run-time check below refuses them.

  // Controls: what must keep compiling.
  new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: env.SSO_SECRET }); // string | undefined, checked at run time
  new JwtSsoStrategy({ authEndpoint: AUTH, publicKey });
  new JwtSsoStrategy({ authEndpoint: AUTH, jwksUri: 'https://idp.example/jwks' });
  new JwtSsoStrategy({ authEndpoint: AUTH, secretOrKeyProvider: () => SECRET, passReqToCallback: true }, (_req, _c, done) =>
    done(null, {}),
  );
  new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: undefined, publicKey }); // an unset variable beside the one given
  new JwtSsoStrategy(presets.puavo({ sharedSecret: env.SSO_SECRET }));
  new JwtSsoStrategy({ ...presets.puavo({ sharedSecret: SECRET }), host: 'app.example.org', scheme: 'https' });
  new JwtSsoStrategy({ ...presets.zendesk({ loginUrl: AUTH, sharedSecret: SECRET }), passReqToCallback: true }, (_req, _c, done) =>
    done(null, {}),
  );
  const typed: JwtSsoStrategyOptions = { authEndpoint: AUTH, sharedSecret: env.SSO_SECRET };
  const withRequest: JwtSsoStrategyOptionsWithRequest = { authEndpoint: AUTH, publicKey, passReqToCallback: true };
  const loose: JwtSsoStrategyBaseOptions = typed; // the strict options are the loose ones narrowed
  new JwtSsoStrategy(loose);
  new JwtSsoStrategy(withRequest, (_req, _c, done) => done(null, {}));
  // Narrowing on the key source works as on any discriminated union.
  const keys: KeySourceOptions = typed;
  if (keys.sharedSecret !== undefined) void keys.publicKey satisfies undefined;
  void [two, none];
}
void compileTimeRules;

// The run-time half, for JavaScript and for what the compiler cannot see: the same refusals.
describe('the key source union is also checked at run time', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['two key sources', { sharedSecret: SECRET, publicKey }, /exactly one of the options .*not "sharedSecret" and "publicKey"/],
    ['no key source', {}, /exactly one of the options "sharedSecret", "publicKey", "jwksUri", "secretOrKeyProvider"/],
    [
      'sharedSecret read from an unset variable',
      { sharedSecret: env.UNSET },
      /option "sharedSecret" is undefined: is the environment variable/,
    ],
    ['neither authEndpoint nor a key source (the known gap)', { authEndpoint: undefined, maxAge: 5 }, /option "authEndpoint" must be/],
  ])('%s: a TypeError naming the options', (_name, keys, message) => {
    expect(() => new JwtSsoStrategy({ authEndpoint: AUTH, ...keys } as never)).toThrow(message);
  });

  test('control: one key source, even beside an unset one, constructs', () => {
    expect(new JwtSsoStrategy({ authEndpoint: AUTH, sharedSecret: undefined, publicKey }).name).toBe('jwtsso');
    expect(new JwtSsoStrategy({ ...presets.puavo({ sharedSecret: SECRET }), host: 'app.example.org' }).name).toBe('jwtsso');
  });
});
