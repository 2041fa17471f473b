// Rules of lib/strategy.ts that its mutation run (narrowed to the strategy suites) showed no suite
// of that run stating: what the constructor refuses about verify, and the logout URL of a
// provider with a fixed logout redirect.
import { JwtSsoOptionError, JwtSsoStrategy, type JwtSsoStrategyOptions } from '../../lib';
import { SECRET } from '../helpers/tokens';

const base: JwtSsoStrategyOptions = { authEndpoint: 'https://sso.example/sso', sharedSecret: SECRET, host: 'app.example', scheme: 'https' };

const refusalOf = (make: () => unknown): JwtSsoOptionError => {
  try {
    make();
  } catch (err) {
    return err as JwtSsoOptionError;
  }
  throw new Error('not refused');
};

describe('verify: a function, and required with passReqToCallback', () => {
  test.each<[string, () => unknown, string, RegExp]>([
    ['a verify that is not a function', () => new JwtSsoStrategy(base, 'verify' as never), 'verify', /"verify" must be a function/],
    [
      'passReqToCallback without a verify',
      () => new JwtSsoStrategy({ ...base, passReqToCallback: true } as never),
      'passReqToCallback',
      /"passReqToCallback" is true, so a verify function \(req, claims, done\) is required/,
    ],
  ])('%s: refused, naming the option and what it must be', (_name, make, option, message) => {
    const err = refusalOf(make);
    expect(err).toBeInstanceOf(JwtSsoOptionError);
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
  });

  test('control: passReqToCallback with a verify (req, claims, done), and no verify without it', () => {
    expect(new JwtSsoStrategy({ ...base, passReqToCallback: true }, (_req, _claims, done) => done(null, false)).name).toBe('jwtsso');
    expect(new JwtSsoStrategy(base).name).toBe('jwtsso');
  });
});

describe('the logout URL of a provider with a fixed logout redirect (logoutRedirectParam: false) carries no return URL', () => {
  const req = { headers: { host: 'app.example' }, socket: {}, app: undefined } as never;
  test.each<[string, Partial<JwtSsoStrategyOptions>, string]>([
    ['control: the default parameter', {}, 'https://sso.example/sso/logout?redirect_to=https%3A%2F%2Fapp.example%2F'],
    ['logoutRedirectParam: false', { logoutRedirectParam: false }, 'https://sso.example/sso/logout'],
  ])('%s', (_name, extra, url) => {
    expect(new JwtSsoStrategy({ ...base, ...extra } as JwtSsoStrategyOptions).logoutUrl(req, { redirectTo: '/' })).toBe(url);
  });
});
