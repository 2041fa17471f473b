import { JwtSsoError, JwtSsoErrorCode as Code } from './errors';
import type { JwtClaims } from './claims';
import type { VerificationKey } from './keys/material';
import { verifySignature } from './keys/signature';

/** Longest token accepted, in characters. Puavo's tokens are about 1.5 KiB. */
export const MAX_TOKEN_LENGTH = 8192;
/** Longest `jti` accepted: it becomes a replay-store key. Puavo's are 36-character UUIDs. */
export const MAX_JTI_LENGTH = 256;
// Legacy Puavo (before November 2020) sent iat as a string of digits.
const DIGITS = /^[0-9]{1,15}$/;

/** What a token is checked against. Each key verifies one algorithm; the header may pick no other. */
export interface TokenPolicy {
  readonly keys: readonly VerificationKey[];
  /** Seconds a token may be old, judged by `iat`. */
  readonly maxAge: number;
  /** Seconds of clock skew allowed in every time check. */
  readonly clockTolerance: number;
  /** Accepted `iss` values; when set, `iss` is required. */
  readonly issuer?: readonly string[] | undefined;
  /** Accepted `aud` values (one must appear in the token's `aud`); when set, `aud` is required unless `audienceRequired` is false. */
  readonly audience?: readonly string[] | undefined;
  /** `false`: a token without `aud` passes the audience check; one with `aud` must name an accepted value. Default `true`. */
  readonly audienceRequired?: boolean | undefined;
  /** Claims that must be present (not null). */
  readonly requiredClaims?: readonly string[] | undefined;
  /** Puavo: the `external_service_path_prefix` the token must have been minted for. */
  readonly servicePathPrefix?: string | undefined;
  /** `'jti-or-token-hash'`: a token without `jti` is accepted (the caller keys replay on a hash). Default `'jti'`. */
  readonly replayKey?: 'jti' | 'jti-or-token-hash' | undefined;
  /** A finite JSON number is a `jti` too (the caller remembers it by its canonical text). Default `false`. */
  readonly numericJti?: boolean | undefined;
}

// Every field of a TokenPolicy, the optional ones too: a field added there must be given below.
type PolicyFields = { readonly [K in keyof Required<TokenPolicy>]: TokenPolicy[K] };

/** The policy of a strategy's options: their token fields (not a copy of every option) and this token's keys. */
export function tokenPolicy(o: Omit<PolicyFields, 'keys'>, keys: readonly VerificationKey[]): TokenPolicy {
  const { maxAge, clockTolerance, issuer, audience, audienceRequired, requiredClaims, servicePathPrefix, replayKey, numericJti } = o;
  const policy: PolicyFields = {
    keys,
    maxAge,
    clockTolerance,
    issuer,
    audience,
    audienceRequired,
    requiredClaims,
    servicePathPrefix,
    replayKey,
    numericJti,
  };
  return policy;
}

/** A token split and its header read; nothing in it is trusted yet. */
export interface ParsedToken {
  readonly header: Record<string, unknown>;
  readonly signingInput: string;
  readonly payloadPart: string;
  readonly signature: Buffer;
}

function malformed(why: string): JwtSsoError {
  return new JwtSsoError(
    Code.TOKEN_MALFORMED,
    `The sign-in token is malformed: ${why}. Start the sign-in again; if it persists, check that the provider sends a JWT in the token parameter.`,
  );
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    // fatal: invalid UTF-8 is an error, not U+FFFD (a decoder per call: module-level values are
    // static to StrykerJS, whose incremental mode then reuses a stale result).
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(part, 'base64url')));
  } catch {
    throw malformed(`its ${what} is not base64url-encoded UTF-8 JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`its ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function claimInvalid(claim: string, why: string): JwtSsoError {
  return new JwtSsoError(Code.CLAIM_INVALID, `The token's "${claim}" claim ${why}.`, { claim });
}

function numericDate(payload: Record<string, unknown>, claim: 'exp' | 'nbf'): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  // Number.isFinite is false for anything but a finite number (it does not coerce).
  if (!Number.isFinite(value)) throw claimInvalid(claim, 'is not a number of seconds since the epoch');
  return value as number;
}

function issuedAt(payload: Record<string, unknown>): number {
  const value = payload.iat;
  if (value === undefined || value === null) {
    throw new JwtSsoError(
      Code.CLAIM_MISSING,
      'The token has no "iat" claim, so its age cannot be judged: the provider must send the time it issued the token.',
      { claim: 'iat' },
    );
  }
  if (Number.isFinite(value) && (value as number) >= 0) return value as number;
  if (typeof value === 'string' && DIGITS.test(value)) return Number(value);
  throw claimInvalid('iat', 'is not a number of seconds since the epoch');
}

function tokenId(payload: Record<string, unknown>, policy: TokenPolicy): string | number | undefined {
  const value = payload.jti;
  // Only by explicit choice: the caller then remembers the token by a hash of it instead.
  if (value === undefined && policy.replayKey === 'jti-or-token-hash') return undefined;
  if (value === undefined || value === null) {
    throw new JwtSsoError(
      Code.CLAIM_MISSING,
      'The token has no "jti" claim, so a second use of it could not be refused: the provider must send a unique token id, or set the option replayKey: \'jti-or-token-hash\' to remember tokens without one by their hash.',
      { claim: 'jti' },
    );
  }
  if (typeof value === 'number') {
    // JSON.parse gives Infinity for 1e400: a number with no canonical text of its own.
    if (policy.numericJti === true && Number.isFinite(value)) return value;
    throw claimInvalid(
      'jti',
      policy.numericJti === true
        ? 'is not a finite number (1e400 reads as Infinity): the provider must send a finite number or a string'
        : 'is a number, not a string: set the option numericJti: true if the provider sends numeric token ids (Zendesk-style)',
    );
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_JTI_LENGTH) {
    throw claimInvalid('jti', `is not a string of 1 to ${MAX_JTI_LENGTH} characters${policy.numericJti === true ? ', nor a number' : ''}`);
  }
  return value;
}

// Names a header's alg in a message without echoing arbitrary attacker text into logs.
function describeAlg(alg: unknown): string {
  return typeof alg === 'string' && /^[A-Za-z0-9]{1,16}$/.test(alg) ? `"${alg}"` : alg === undefined ? '(none given)' : '(not a name)';
}

const seconds = (n: number): string => `${Math.round(n)} s`;

/**
 * Splits a token and reads its header: three base64url parts, a JSON object header, no `crit`.
 * The only thing read before the signature is known to be good.
 */
export function parseToken(token: string): ParsedToken {
  if (token.length === 0) throw malformed('it is empty');
  if (token.length > MAX_TOKEN_LENGTH) throw malformed(`it is longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('it does not have three dot-separated parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  // An empty signature is read on, so that an unsigned `alg: none` token is named for what it is.
  const unsigned = signaturePart === '';
  for (const part of unsigned ? [headerPart, payloadPart] : parts) {
    if (!/^[A-Za-z0-9_-]+$/.test(part) || part.length % 4 === 1) throw malformed('a part is not base64url');
  }
  const header = decodeJsonObject(headerPart, 'header');
  if (unsigned) {
    // The classic attack (RFC 8725 2.1): the audit trail must show it, not a parse error.
    if (typeof header.alg === 'string' && header.alg.toLowerCase() === 'none') {
      throw new JwtSsoError(
        Code.ALGORITHM_NOT_ALLOWED,
        `The token is unsigned (algorithm ${describeAlg(header.alg)}): an unsigned token is never accepted.`,
      );
    }
    throw malformed('its signature is empty');
  }
  // RFC 7515 4.1.11: an extension we do not understand must make the token invalid.
  if (header.crit !== undefined) {
    throw new JwtSsoError(Code.ALGORITHM_NOT_ALLOWED, 'The token has a "crit" header: no critical extensions are supported.');
  }
  const signature = Buffer.from(signaturePart, 'base64url');
  // A non-canonical encoding of the signature is a different token string for the same bytes.
  const canonical = signature.toString('base64url') === signaturePart;
  return { header, signingInput: `${headerPart}.${payloadPart}`, payloadPart, signature: canonical ? signature : Buffer.alloc(0) };
}

/** The payload of a parsed token, unverified: for a key provider that picks a key by a claim. */
export function unverifiedPayload(parsed: ParsedToken): Record<string, unknown> {
  return decodeJsonObject(parsed.payloadPart, 'payload');
}

/**
 * Checks a token string against a policy at a given time, and returns its claims (with `iat` as a
 * number even where the provider sent a string). Pure: no request, no store, no clock of its own.
 * Throws a {@link JwtSsoError} for the first rule the token breaks. The replay check is the
 * caller's, after this one passed.
 */
export function verifyToken(token: string, policy: TokenPolicy, nowMs: number): JwtClaims {
  return verifyParsed(parseToken(token), policy, nowMs);
}

/** {@link verifyToken} on a token already parsed (so that its keys could be looked up first). */
export function verifyParsed(parsed: ParsedToken, policy: TokenPolicy, nowMs: number): JwtClaims {
  const { header } = parsed;
  // Every key's alg is a name, so a header alg that is not a string matches no key.
  const candidates = policy.keys.filter((k) => k.alg === header.alg);
  if (candidates.length === 0) {
    const allowed = [...new Set(policy.keys.map((k) => k.alg))];
    throw new JwtSsoError(
      Code.ALGORITHM_NOT_ALLOWED,
      `The token's algorithm ${describeAlg(header.alg)} is not allowed: only ${allowed.join(', ') || 'none (no key)'} ${allowed.length === 1 ? 'is' : 'are'} accepted.`,
    );
  }
  // jku, x5u and jwk are never read: keys come from the configuration only. A kid only narrows.
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const byKid = kid === undefined ? [] : candidates.filter((k) => k.kid === kid);
  const tried = byKid.length > 0 ? byKid : candidates.filter((k) => k.kid === undefined || kid === undefined);
  if (!tried.some((k) => verifySignature(k, parsed.signingInput, parsed.signature))) {
    throw new JwtSsoError(
      Code.SIGNATURE_INVALID,
      "The token's signature does not verify with the configured key(s): check that the secret or key is the one the provider signs with for this service.",
    );
  }

  const payload = decodeJsonObject(parsed.payloadPart, 'payload');
  const now = nowMs / 1000;
  const { maxAge, clockTolerance } = policy;
  const iat = issuedAt(payload);
  const exp = numericDate(payload, 'exp');
  const nbf = numericDate(payload, 'nbf');
  tokenId(payload, policy); // checked; the claims keep the jti as sent (tokenId returns it unchanged)

  if (iat > now + clockTolerance) {
    throw new JwtSsoError(
      Code.TOKEN_NOT_YET_VALID,
      `The token was issued ${seconds(iat - now)} in the future (clockTolerance is ${seconds(clockTolerance)}): check that this server's clock is synchronised.`,
      { claim: 'iat' },
    );
  }
  if (now - iat > maxAge + clockTolerance) {
    throw new JwtSsoError(
      Code.TOKEN_TOO_OLD,
      `The token was issued ${seconds(now - iat)} ago, but maxAge is ${seconds(maxAge)} (clockTolerance ${seconds(clockTolerance)}): sign in again, or raise maxAge if the provider needs longer (Puavo with MFA: 300 s).`,
      { claim: 'iat' },
    );
  }
  // Stryker disable next-line ConditionalExpression: without exp the comparison is with NaN, false either way
  if (exp !== undefined && now >= exp + clockTolerance) {
    throw new JwtSsoError(
      Code.TOKEN_EXPIRED,
      `The token expired ${seconds(now - exp)} ago (clockTolerance is ${seconds(clockTolerance)}): sign in again.`,
      { claim: 'exp' },
    );
  }
  // Stryker disable next-line ConditionalExpression: without nbf the comparison is with NaN, false either way
  if (nbf !== undefined && now + clockTolerance < nbf) {
    throw new JwtSsoError(
      Code.TOKEN_NOT_YET_VALID,
      `The token is not valid for another ${seconds(nbf - now)} (clockTolerance is ${seconds(clockTolerance)}): check that this server's clock is synchronised.`,
      { claim: 'nbf' },
    );
  }
  checkClaimPolicy(payload, policy);
  return { ...payload, iat };
}

function checkClaimPolicy(payload: Record<string, unknown>, policy: TokenPolicy): void {
  for (const claim of policy.requiredClaims ?? []) {
    if (payload[claim] === undefined || payload[claim] === null) {
      throw new JwtSsoError(Code.CLAIM_MISSING, `The token has no "${claim}" claim, which requiredClaims demands.`, { claim });
    }
  }
  if (policy.issuer !== undefined) {
    if (payload.iss === undefined)
      throw new JwtSsoError(Code.CLAIM_MISSING, 'The token has no "iss" claim, but an issuer is configured.', { claim: 'iss' });
    // The configured issuers are strings: includes() finds no value of another type.
    if (!policy.issuer.includes(payload.iss as string)) throw claimInvalid('iss', 'is not one of the configured issuers');
  }
  const aud = payload.aud;
  // With audienceRequired false, only an aud that is there is judged (RFC 7519 §4.1.3).
  if (policy.audience !== undefined && (aud !== undefined || policy.audienceRequired !== false)) {
    if (aud === undefined)
      throw new JwtSsoError(Code.CLAIM_MISSING, 'The token has no "aud" claim, but an audience is configured.', { claim: 'aud' });
    const values = Array.isArray(aud) ? aud : [aud];
    if (!values.some((v) => policy.audience!.includes(v as string))) throw claimInvalid('aud', 'names none of the configured audiences');
  }
  if (policy.servicePathPrefix !== undefined) {
    const prefix = payload.external_service_path_prefix;
    if (prefix === undefined) {
      throw new JwtSsoError(
        Code.CLAIM_MISSING,
        'The token has no "external_service_path_prefix" claim, but servicePathPrefix is configured.',
        {
          claim: 'external_service_path_prefix',
        },
      );
    }
    if (prefix !== policy.servicePathPrefix)
      throw claimInvalid(
        'external_service_path_prefix',
        'is not the configured servicePathPrefix: the token was minted for another service',
      );
  }
}

/**
 * Seconds a used `jti` must be remembered: a token is acceptable from `iat - clockTolerance`
 * to `iat + maxAge + clockTolerance`, and its first use can come at the start of that window.
 */
export function replayWindow(policy: Pick<TokenPolicy, 'maxAge' | 'clockTolerance'>): number {
  return Math.ceil(policy.maxAge + 2 * policy.clockTolerance) + 1;
}
