export { JwtSsoStrategy, JwtSsoStrategy as Strategy } from './strategy';
export type { JwtSsoAuthenticateOptions, VerifyDone, VerifyFunction, VerifyFunctionWithRequest } from './strategy';
export type { JwtSsoStrategyOptions, JwtSsoStrategyOptionsWithRequest, JwtSsoStrategyBaseOptions, SharedSecret, AuthParams } from './options';
export { JwtSsoError, JwtSsoErrorCode } from './errors';
export type { JwtClaims, PuavoClaims, PuavoUserClaims, PuavoSchool, PuavoGroup } from './claims';
export type { ReplayStore } from './replay/store';
export { MemoryReplayStore } from './replay/memory';
export type { MemoryReplayStoreOptions } from './replay/memory';
