// Checks every option once, builds the runtime objects they name (the key source, the default
// replay store), and returns the frozen result.
import { systemClock } from '../clock';
import type { JwtSsoEvent } from '../events';
import { resolveKeySource } from '../keys';
import { resolveLoginState } from '../login-state';
import { MemoryReplayStore } from '../replay/memory';
import type { ReplayStore } from '../replay/store';
import {
  algorithmList,
  authParams,
  bool,
  defaultLogoutEndpoint,
  endpoint,
  host,
  mountPoint,
  nonEmptyString,
  optionalFunction,
  paramName,
  problem,
  replayKey,
  scheme,
  seconds,
  servicePathPrefix,
  stringList,
} from './checks';
import { DEFAULTS } from './defaults';
import type { JwtSsoStrategyBaseOptions, JwtSsoStrategyOptions, ResolvedOptions } from './types';

// Every option name, checked by the compiler against the option types: an option added to the
// types without a line here (or a line for an option that does not exist) does not compile.
const KNOWN_OPTIONS = {
  authEndpoint: true,
  name: true,
  mountPoint: true,
  host: true,
  scheme: true,
  maxAge: true,
  clockTolerance: true,
  state: true,
  stateMaxAge: true,
  loginState: true,
  replayStore: true,
  replayKey: true,
  numericJti: true,
  tokenParam: true,
  returnToParam: true,
  stateParam: true,
  authParams: true,
  passReqToCallback: true,
  clock: true,
  onEvent: true,
  logoutEndpoint: true,
  sharedSecret: true,
  publicKey: true,
  jwksUri: true,
  jwksTimeout: true,
  jwksCooldown: true,
  jwksCacheMaxAge: true,
  jwksMaxBytes: true,
  secretOrKeyProvider: true,
  algorithms: true,
  issuer: true,
  audience: true,
  requiredClaims: true,
  servicePathPrefix: true,
} as const satisfies Record<keyof JwtSsoStrategyBaseOptions | keyof JwtSsoStrategyOptions, true>;
const KNOWN = new Set<string>(Object.keys(KNOWN_OPTIONS));

/** Checks every option once and returns the frozen result; a bad option throws a TypeError naming it. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('JwtSsoStrategy: options must be an object with "authEndpoint" and a key source such as "sharedSecret".');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new TypeError(`JwtSsoStrategy: unknown option "${key}". Known options: ${[...KNOWN].join(', ')}.`);
  }

  const authEndpoint = endpoint('authEndpoint', o.authEndpoint, 'https://api.opinsys.fi/v3/sso');
  const clock = optionalFunction<() => number>('clock', o.clock, 'a function returning milliseconds') ?? systemClock;
  const replayStore = o.replayStore === undefined ? new MemoryReplayStore({ clock }) : o.replayStore;
  if (replayStore === null || typeof (replayStore as ReplayStore).consume !== 'function') {
    throw problem('replayStore', 'an object with a consume(id, ttlSeconds) method (a ReplayStore)', replayStore);
  }
  const mount = mountPoint(o.mountPoint, DEFAULTS.mountPoint);
  const tokenParam = paramName('tokenParam', o.tokenParam, DEFAULTS.tokenParam);
  const stateParam = paramName('stateParam', o.stateParam, DEFAULTS.stateParam);
  if (tokenParam === stateParam) throw problem('stateParam', `different from "tokenParam" (both are "${tokenParam}")`);

  return Object.freeze({
    name: nonEmptyString('name', o.name, DEFAULTS.name),
    authEndpoint,
    keySource: resolveKeySource(o, { algorithms: algorithmList(o.algorithms), clock }),
    issuer: stringList('issuer', o.issuer),
    audience: stringList('audience', o.audience),
    requiredClaims: stringList('requiredClaims', o.requiredClaims),
    servicePathPrefix: servicePathPrefix(o.servicePathPrefix),
    mountPoint: mount,
    host: host(o.host),
    scheme: scheme(o.scheme),
    maxAge: seconds('maxAge', o.maxAge, DEFAULTS.maxAge),
    clockTolerance: seconds('clockTolerance', o.clockTolerance, DEFAULTS.clockTolerance),
    state: bool('state', o.state, DEFAULTS.state),
    stateMaxAge: seconds('stateMaxAge', o.stateMaxAge, DEFAULTS.stateMaxAge),
    loginState: resolveLoginState(o.loginState, mount),
    replayStore: replayStore as ReplayStore,
    replayKey: replayKey(o.replayKey, DEFAULTS.replayKey),
    numericJti: bool('numericJti', o.numericJti, DEFAULTS.numericJti),
    tokenParam,
    returnToParam: paramName('returnToParam', o.returnToParam, DEFAULTS.returnToParam),
    stateParam,
    authParams: authParams(o.authParams),
    passReqToCallback: bool('passReqToCallback', o.passReqToCallback, DEFAULTS.passReqToCallback),
    clock,
    onEvent: optionalFunction<(event: JwtSsoEvent) => void>('onEvent', o.onEvent, 'a function (event)'),
    logoutEndpoint:
      o.logoutEndpoint === undefined
        ? defaultLogoutEndpoint(authEndpoint)
        : endpoint('logoutEndpoint', o.logoutEndpoint, 'https://api.opinsys.fi/v3/sso/logout'),
  });
}
