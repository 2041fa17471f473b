import * as api from '../lib';
import * as dev from '../lib/dev-provider';
import * as testing from '../lib/testing';
import * as fastify from '../lib/fastify';
import * as nest from '../lib/nest';

// The public surface is a decision: this list changes only on purpose.
test('the package exports exactly these values', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
   [
     "JwtSsoError",
     "JwtSsoErrorCode",
     "JwtSsoStrategy",
     "MemoryReplayStore",
     "RedisReplayStore",
     "Strategy",
     "presets",
   ]
  `);
  expect(api.Strategy).toBe(api.JwtSsoStrategy);
});

test('the dev-provider entry exports exactly these values', () => {
  expect(Object.keys(dev).sort()).toEqual(['DEFAULT_DEV_USERS', 'addTokenToReturnUrl', 'createDevProvider', 'escapeHtml']);
});

test('the testing entry exports exactly these values', () => {
  expect(Object.keys(testing).sort()).toEqual(['DEFAULT_DEV_USERS', 'mintToken', 'signIn', 'startDevProvider']);
});

test('the fastify entry exports exactly the plugin and its hook', () => {
  expect(Object.keys(fastify).sort()).toEqual(['jwtssoFastify', 'linkReply']);
  // Registered like fastify-plugin's plugins: its hook reaches every route of the app.
  expect((fastify.jwtssoFastify as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(true);
});

test('the nest entry exports exactly the guard mixin', () => {
  expect(Object.keys(nest).sort()).toEqual(['JwtSsoGuard']);
});

test('the error codes are stable strings', () => {
  expect(Object.values(api.JwtSsoErrorCode).sort()).toMatchInlineSnapshot(`
   [
     "ERR_JWTSSO_ALGORITHM_NOT_ALLOWED",
     "ERR_JWTSSO_BODY_UNREADABLE",
     "ERR_JWTSSO_CLAIM_INVALID",
     "ERR_JWTSSO_CLAIM_MISSING",
     "ERR_JWTSSO_FASTIFY_PLUGIN_MISSING",
     "ERR_JWTSSO_HOST_INVALID",
     "ERR_JWTSSO_KEY_SOURCE_FAILED",
     "ERR_JWTSSO_LOGIN_REQUIRED",
     "ERR_JWTSSO_NONCE_MISMATCH",
     "ERR_JWTSSO_PASSPORT_SESSION_MISSING",
     "ERR_JWTSSO_REPLAY_STORE_FAILED",
     "ERR_JWTSSO_SESSION_REQUIRED",
     "ERR_JWTSSO_SIGNATURE_INVALID",
     "ERR_JWTSSO_STATE_MISMATCH",
     "ERR_JWTSSO_TOKEN_EXPIRED",
     "ERR_JWTSSO_TOKEN_MALFORMED",
     "ERR_JWTSSO_TOKEN_NOT_YET_VALID",
     "ERR_JWTSSO_TOKEN_REPLAYED",
     "ERR_JWTSSO_TOKEN_TOO_OLD",
   ]
  `);
});

test('JwtSsoError carries code, status and name', () => {
  const err = new api.JwtSsoError(api.JwtSsoErrorCode.STATE_MISMATCH, 'msg');
  expect(err).toBeInstanceOf(Error);
  expect(err).toMatchObject({ name: 'JwtSsoError', code: 'ERR_JWTSSO_STATE_MISMATCH', status: 403, message: 'msg' });
});
