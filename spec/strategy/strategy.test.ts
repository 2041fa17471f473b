// Rules of lib/strategy.ts that its mutation run (narrowed to the strategy suites) showed no suite
// of that run stating: what the constructor refuses about verify, and the logout URL of a
// provider with a fixed logout redirect.
import { JwtSsoError, JwtSsoErrorCode, JwtSsoOptionError, JwtSsoStrategy, type JwtSsoStrategyOptions } from '../../lib';
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

describe("logoutUrl: the return URL is the app's root by default, never the page asked from", () => {
  test.each<[string, string, string | undefined, string]>([
    ['no redirectTo, asked from a deep page', '/deep/page?x=1', undefined, 'https://app.example/'],
    ['control: a redirectTo', '/deep/page?x=1', '/bye', 'https://app.example/bye'],
  ])('%s', (_name, url, redirectTo, back) => {
    const req = { url, originalUrl: url, headers: { host: 'app.example' }, socket: {} } as never;
    const href = new JwtSsoStrategy(base).logoutUrl(req, redirectTo === undefined ? {} : { redirectTo });
    expect(new URL(href).searchParams.get('redirect_to')).toBe(back);
  });
});

describe('logoutUrl clears the sign-in marker (jwtsso-done) where the request carries one, and only there', () => {
  // A response that records the Set-Cookie lines written to it (Express's res, as far as the strategy uses it).
  const requestWith = (cookie: string | undefined) => {
    const lines: string[] = [];
    const res = {
      headersSent: false,
      setHeader: () => undefined,
      appendHeader: (name: string, value: string) => {
        if (name.toLowerCase() === 'set-cookie') lines.push(value);
      },
    };
    const req = {
      url: '/',
      originalUrl: '/',
      headers: { host: 'app.example', ...(cookie === undefined ? {} : { cookie }) },
      socket: {},
      res,
    };
    return { req: req as never, lines };
  };
  test.each<[string, string | undefined, boolean]>([
    ['the marker sent', '__Host-jwtsso-done=1.abc; theme=dark', true],
    ['control: no marker', 'theme=dark', false],
    ['control: no Cookie header', undefined, false],
  ])('%s', (_name, cookie, cleared) => {
    const { req, lines } = requestWith(cookie);
    new JwtSsoStrategy(base).logoutUrl(req);
    expect(lines.some((line) => /^__Host-jwtsso-done=; Path=\/; Max-Age=0/.test(line))).toBe(cleared);
    if (!cleared) expect(lines).toEqual([]);
  });
});

describe('a refusal thrown before the request could be viewed (a requestView override) is answered, with no audit event to build', () => {
  test('401, not a crash in the audit path', async () => {
    const events: unknown[] = [];
    class Refusing extends JwtSsoStrategy {
      override requestView(): never {
        throw new JwtSsoError(JwtSsoErrorCode.LOGIN_REQUIRED, 'not signed in');
      }
    }
    const strategy = new Refusing({ ...base, onEvent: (e) => events.push(e) });
    const outcome = await new Promise<string>((resolve) => {
      const s = Object.create(strategy) as JwtSsoStrategy;
      Object.assign(s, {
        fail: (_err: unknown, status: number) => resolve(`fail ${status}`),
        error: (err: Error) => resolve(`error ${err.message}`),
      });
      s.authenticate({ headers: {} } as never);
    });
    expect(outcome).toBe('fail 401');
    expect(events).toEqual([]);
  });
});
