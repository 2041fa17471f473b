// NestJS on Express with @nestjs/passport: the README's recipe (./apps.ts), end to end, and the
// setup faults JwtSsoGuard names.
import { JwtSsoErrorCode as Code } from 'passport-jwtsso';
import request from 'supertest';
import { providerReturn, returnToOf } from '../helpers/flow';
import { startNest } from './apps';
import { bodyUnreadableFault, formPostFlow, formToken, frameworkFlow } from './flow';

frameworkFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
formPostFlow('NestJS 11 + @nestjs/passport 12 on Express', startNest);
bodyUnreadableFault('NestJS 11 + @nestjs/passport 12 on Express', (config) => startNest(config, { drainBody: true }));

// No session middleware: the sign-in verifies, but JwtSsoGuard has no session to keep it in (it
// would be lost on the next request). A fault of the setup: a 500 with its code, naming the fix.
test('NestJS without express-session: the sign-in ends in 500, ERR_JWTSSO_SESSION_REQUIRED, naming the session middleware', async () => {
  const app = await startNest({ authEndpoint: 'https://sso.example.test/v3/sso', loginState: 'cookie' }, { session: false });
  try {
    const browser = request.agent(app.url);
    const start = await browser.get('/protected');
    expect(start.status).toBe(302);
    const token = formToken();
    const callback = await browser.get(providerReturn(returnToOf(start.headers.location), token));
    expect(callback.status).toBe(303);
    const res = await browser.get(callback.headers.location!);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: Code.SESSION_REQUIRED, message: expect.stringMatching(/mount session middleware/) });
    expect(JSON.stringify(res.body)).not.toContain(token);
  } finally {
    await app.close();
  }
});
