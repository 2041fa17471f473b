import * as api from '../lib';
import * as dev from '../lib/dev-provider';
import * as testing from '../lib/testing';
import * as fastify from '../lib/fastify';
import * as nest from '../lib/nest';
import { join } from 'node:path';
import ts from 'typescript';

// The public surface is a decision: this list changes only on purpose.
test('the package exports exactly these values', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
   [
     "JwtSsoError",
     "JwtSsoErrorCode",
     "JwtSsoOptionError",
     "JwtSsoStrategy",
     "MemoryReplayStore",
     "RedisReplayStore",
     "Strategy",
     "presets",
   ]
  `);
  expect(api.Strategy).toBe(api.JwtSsoStrategy);
});

// Types are a part of the surface too (an app names them in its own code): every name
// lib/index.ts exports, values and types, read by the compiler.
test('the package exports exactly these names, types included', () => {
  const file = join(__dirname, '..', 'lib', 'index.ts');
  const program = ts.createProgram([file], { module: ts.ModuleKind.Node16, strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const names = checker.getExportsOfModule(module).map((s) => s.name);
  expect(names.sort()).toMatchInlineSnapshot(`
   [
     "Algorithm",
     "AppOptions",
     "AuthParams",
     "FreshworksPreset",
     "HeaderTarget",
     "HookOptions",
     "IoRedisLike",
     "Jwk",
     "JwtClaims",
     "JwtRegisteredClaims",
     "JwtSsoAuthenticateExtras",
     "JwtSsoAuthenticateOptions",
     "JwtSsoError",
     "JwtSsoErrorCode",
     "JwtSsoEvent",
     "JwtSsoOptionError",
     "JwtSsoStrategy",
     "JwtSsoStrategyBaseOptions",
     "JwtSsoStrategyCommonOptions",
     "JwtSsoStrategyOptions",
     "JwtSsoStrategyOptionsWithRequest",
     "KeyOptions",
     "KeySourceOptions",
     "KeySources",
     "LoginStateOptions",
     "LogoutOptions",
     "LogoutUrlOptions",
     "MemoryReplayStore",
     "MemoryReplayStoreOptions",
     "NodeRedisLike",
     "OneKeySource",
     "PresetResultOptions",
     "PresetResultOptionsWithRequest",
     "ProvidedKey",
     "ProviderOptions",
     "ProviderShapeOptions",
     "PuavoClaims",
     "PuavoGroup",
     "PuavoPreset",
     "PuavoSchool",
     "PuavoUserClaims",
     "PublicKeyInput",
     "RedisReplayStore",
     "RedisReplayStoreOptions",
     "ReplayKey",
     "ReplayOptions",
     "ReplayStore",
     "RequestView",
     "SecretOrKeyProvider",
     "SessionAccess",
     "SharedSecret",
     "Strategy",
     "ThinkificPreset",
     "TokenRuleOptions",
     "VerifyDone",
     "VerifyFunction",
     "VerifyFunctionWithRequest",
     "WaitForReplicasOptions",
     "WithRequestOptions",
     "WithoutRequestOptions",
     "Wso2Preset",
     "ZendeskPreset",
     "presets",
   ]
  `);
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
     "ERR_JWTSSO_INVALID_OPTION",
     "ERR_JWTSSO_KEY_SOURCE_FAILED",
     "ERR_JWTSSO_LOGIN_REQUIRED",
     "ERR_JWTSSO_NONCE_MISMATCH",
     "ERR_JWTSSO_PASSPORT_SESSION_MISSING",
     "ERR_JWTSSO_REPLAY_STORE_FAILED",
     "ERR_JWTSSO_SESSION_LOST",
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
