export { JwtSsoStrategy, JwtSsoStrategy as Strategy } from './strategy';
export type {
  JwtSsoAuthenticateExtras,
  JwtSsoAuthenticateOptions,
  LogoutUrlOptions,
  VerifyDone,
  VerifyFunction,
  VerifyFunctionWithRequest,
} from './strategy';
export type { JwtSsoEvent } from './events';
export type { HeaderTarget, RequestView, SessionAccess } from './frameworks';
export type {
  JwtSsoStrategyOptions,
  JwtSsoStrategyOptionsWithRequest,
  JwtSsoStrategyBaseOptions,
  JwtSsoStrategyCommonOptions,
  KeySourceOptions,
  KeySources,
  OneKeySource,
  ProviderOptions,
  KeyOptions,
  TokenRuleOptions,
  ReplayOptions,
  AppOptions,
  LoginStateOptions,
  ProviderShapeOptions,
  LogoutOptions,
  HookOptions,
  WithoutRequestOptions,
  WithRequestOptions,
  PresetResultOptions,
  PresetResultOptionsWithRequest,
  SharedSecret,
  ReplayKey,
  AuthParams,
  SecretOrKeyProvider,
  ProvidedKey,
} from './options';
export type { Algorithm, Jwk, PublicKeyInput } from './keys/material';
export { JwtSsoError, JwtSsoErrorCode, JwtSsoOptionError } from './errors';
export type { JwtClaims, JwtRegisteredClaims, PuavoClaims, PuavoUserClaims, PuavoSchool, PuavoGroup } from './claims';
export type { ReplayStore } from './replay/store';
export { MemoryReplayStore } from './replay/memory';
export type { MemoryReplayStoreOptions } from './replay/memory';
export { RedisReplayStore } from './replay/redis';
export type { RedisReplayStoreOptions, IoRedisLike, NodeRedisLike, WaitForReplicasOptions } from './replay/redis';
// `presets` and each preset's options type (PuavoPreset, Wso2Preset…): a provider added there is exported here.
export * from './presets';
