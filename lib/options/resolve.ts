// Checks every option once, builds the runtime objects they name (the key source, the default
// replay store), and returns the frozen result.
import { systemClock } from '../clock';
import { JwtSsoOptionError } from '../errors';
import type { JwtSsoEvent } from '../events';
import { resolveKeySource } from '../keys';
import { resolveLoginState } from '../login-state';
import { MemoryReplayStore } from '../replay/memory';
import type { ReplayStore } from '../replay/store';
import {
  algorithmList,
  authParams,
  bool,
  callbackPath,
  defaultLogoutEndpoint,
  endpoint,
  host,
  mountPoint,
  nonEmptyString,
  oneOf,
  optionalFunction,
  paramName,
  paramNameOrFalse,
  problem,
  replayKey,
  scheme,
  seconds,
  servicePathPrefix,
  stringList,
} from './checks';
import { DEFAULTS } from './defaults';
import type { ResolvedOptions } from './resolved';
import type { JwtSsoStrategyBaseOptions, JwtSsoStrategyOptions } from './types';

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
  audienceRequired: true,
  tokenParam: true,
  returnToParam: true,
  stateParam: true,
  authParams: true,
  passReqToCallback: true,
  clock: true,
  onEvent: true,
  logoutEndpoint: true,
  logoutRedirectParam: true,
  stateIn: true,
  callbackPath: true,
  callbackParam: true,
  responseMode: true,
  nonce: true,
  nonceParam: true,
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

/** Checks every option once and returns the frozen result; a bad option throws a JwtSsoOptionError (a TypeError) naming it. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new JwtSsoOptionError(
      'options',
      'JwtSsoStrategy: options must be an object with "authEndpoint" and a key source such as "sharedSecret".',
    );
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key))
      throw new JwtSsoOptionError(key, `JwtSsoStrategy: unknown option "${key}". Known options: ${[...KNOWN].join(', ')}.`);
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
  const returnToParam = paramNameOrFalse('returnToParam', o.returnToParam, DEFAULTS.returnToParam);
  const state = bool('state', o.state, DEFAULTS.state);
  const shape = callbackShape(o, { state, tokenParam, stateParam, returnToParam });

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
    state,
    stateMaxAge: seconds('stateMaxAge', o.stateMaxAge, DEFAULTS.stateMaxAge),
    loginState: resolveLoginState(o.loginState, mount),
    replayStore: replayStore as ReplayStore,
    replayKey: replayKey(o.replayKey, DEFAULTS.replayKey),
    numericJti: bool('numericJti', o.numericJti, DEFAULTS.numericJti),
    audienceRequired: bool('audienceRequired', o.audienceRequired, DEFAULTS.audienceRequired),
    tokenParam,
    returnToParam,
    stateParam,
    ...shape,
    authParams: authParams(o.authParams),
    passReqToCallback: bool('passReqToCallback', o.passReqToCallback, DEFAULTS.passReqToCallback),
    clock,
    onEvent: optionalFunction<(event: JwtSsoEvent) => void>('onEvent', o.onEvent, 'a function (event)'),
    logoutEndpoint:
      o.logoutEndpoint === undefined
        ? defaultLogoutEndpoint(authEndpoint)
        : endpoint('logoutEndpoint', o.logoutEndpoint, 'https://api.opinsys.fi/v3/sso/logout'),
    logoutRedirectParam: paramNameOrFalse('logoutRedirectParam', o.logoutRedirectParam, DEFAULTS.logoutRedirectParam),
  });
}

type CallbackShape = Pick<ResolvedOptions, 'stateIn' | 'callbackPath' | 'callbackParam' | 'responseMode' | 'nonce' | 'nonceParam'>;

// How the provider returns: where the state travels, a fixed callback route, how the token
// arrives there, and the nonce. The combinations that cannot work are refused here, by name.
function callbackShape(
  o: Record<string, unknown>,
  names: { state: boolean; tokenParam: string; stateParam: string; returnToParam: string | false },
): CallbackShape {
  const { state } = names;
  const path = callbackPath(o.callbackPath);
  const shape: CallbackShape = {
    stateIn: oneOf('stateIn', o.stateIn, ['returnTo', 'param'], DEFAULTS.stateIn),
    callbackPath: path,
    // Stryker disable next-line StringLiteral: the fallback '' is never returned, an undefined callbackParam is handled before
    callbackParam: o.callbackParam === undefined ? undefined : paramName('callbackParam', o.callbackParam, ''),
    responseMode: oneOf('responseMode', o.responseMode, ['query', 'form_post'], DEFAULTS.responseMode),
    nonce: bool('nonce', o.nonce, DEFAULTS.nonce),
    nonceParam: paramName('nonceParam', o.nonceParam, DEFAULTS.nonceParam),
  };
  if (path === undefined) {
    if (shape.responseMode !== 'query')
      throw problem('responseMode', '"query" unless "callbackPath" names the route the provider posts to');
    if (shape.callbackParam !== undefined)
      throw problem('callbackParam', 'given only with "callbackPath" (the URL it sends is that route\'s)');
    if (names.returnToParam === false)
      throw problem('returnToParam', 'a parameter name unless "callbackPath" is set (the token comes back on the return URL)');
  }
  if (state && shape.stateIn === 'returnTo' && names.returnToParam === false) {
    throw problem('stateIn', '"param" when "returnToParam" is false (no return URL carries the state)');
  }
  if (shape.responseMode === 'form_post' && names.returnToParam === false) {
    throw problem(
      'responseMode',
      '"query" when "returnToParam" is false: a cross-site form POST carries no cookie, so the return path kept with the state cannot be read there (a form-POST provider must post the return URL back)',
    );
  }
  if (shape.responseMode === 'form_post' && o.loginState === 'session') {
    throw problem(
      'loginState',
      '"cookie" with responseMode "form_post": a cross-site form POST carries no session cookie, so a token kept in the session would be kept in a new one, away from the login state (and its cookie would replace the browser\'s own session cookie)',
    );
  }
  if (shape.nonce && !state)
    throw problem('nonce', 'false when "state" is false: the nonce is derived from the login state, which binds it to this browser');
  const used = [names.tokenParam, names.stateParam, names.returnToParam, shape.callbackParam, shape.nonce ? shape.nonceParam : undefined];
  const named = used.filter((n): n is string => typeof n === 'string');
  if (new Set(named).size !== named.length) {
    throw problem(
      'tokenParam',
      `different from "stateParam", "returnToParam", "callbackParam" and "nonceParam" (got ${named.map((n) => `"${n}"`).join(', ')})`,
    );
  }
  return shape;
}
