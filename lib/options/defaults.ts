// Every default of the options, in one place.

/** The defaults of the strategy's options; seconds where a number has a unit. */
export const DEFAULTS = {
  name: 'jwtsso',
  mountPoint: '',
  maxAge: 60,
  clockTolerance: 5,
  state: true,
  stateMaxAge: 600,
  replayKey: 'jti',
  numericJti: false,
  audienceRequired: true,
  tokenParam: 'jwt',
  returnToParam: 'return_to',
  stateParam: 'jwtsso_state',
  stateIn: 'returnTo',
  responseMode: 'query',
  nonce: false,
  nonceParam: 'nonce',
  logoutRedirectParam: 'redirect_to',
  passReqToCallback: false,
  jwksTimeout: 5,
  jwksCooldown: 30,
  jwksCacheMaxAge: 600,
  jwksMaxBytes: 65_536,
} as const;

export const MS_PER_SECOND = 1000;
