/**
 * The claims this package checks, and nothing else: the base of both {@link JwtClaims} (open:
 * any other claim) and {@link PuavoClaims} (closed: a misspelt claim name does not compile).
 * `iat` is always a number here (a legacy string `iat` is converted).
 */
export interface JwtRegisteredClaims {
  /** Issued at, seconds since the epoch. */
  iat: number;
  /**
   * Unique token id; a second use is refused. Always present unless the `replayKey` option is
   * `'jti-or-token-hash'`, which accepts tokens without one (their replay key is then a hash).
   * A string, or, only with the option `numericJti: true`, a finite number as the provider sent it.
   */
  jti?: string | number;
  /** Expiry, seconds since the epoch; honoured when present (Puavo sends none). */
  exp?: number;
  /** Not before, seconds since the epoch; honoured when present (Puavo sends none). */
  nbf?: number;
}

/**
 * The claims of a verified token from any provider: the checked ones typed, every other claim
 * as the provider sent it (`unknown`, so it must be narrowed before use).
 */
export interface JwtClaims extends JwtRegisteredClaims {
  /** Every other claim, as the provider sent it. */
  [claim: string]: unknown;
}

/** A group in a Puavo token's `schools[].groups`. */
export interface PuavoGroup {
  /** Puavo's group id. */
  id: string;
  /** Display name, e.g. `Class 4B`. */
  name: string;
  /** Short unique name, e.g. `gryffindor-4b`. */
  abbreviation: string;
  /** Group type, e.g. `teaching group`, or null. */
  type: string | null;
}

/** A school in a Puavo token's `schools` (Puavo sends the primary school only). */
export interface PuavoSchool {
  /** Puavo's school id. */
  id: string;
  /** Display name. */
  name: string;
  /** Short unique name. */
  abbreviation: string;
  /** The school's official code, or null. */
  school_code: string | null;
  /** Among teacher, staff, student, visitor, parent, admin, schooladmin, testuser. */
  roles: string[];
  /** The user's groups in this school. */
  groups: PuavoGroup[];
}

/** The user claims of a Puavo token: everything but the per-token `iat` and `jti`. */
export interface PuavoUserClaims {
  /** Same value as `puavo_id`. */
  id: number;
  /** Puavo's user id. */
  puavo_id: number;
  /** Login name, unique in the organisation. */
  username: string;
  /** Given name. */
  first_name: string;
  /** Family name. */
  last_name: string;
  /** A string or null; briefly an array in 2023. */
  email: string | string[] | null;
  /** Deprecated: the first role. */
  user_type?: string;
  /** The organisation's display name. */
  organisation_name: string;
  /** For example `jyvaskyla.opinsys.fi`. */
  organisation_domain: string;
  /** Id of the user's primary school. */
  primary_school_id: string;
  /** The primary school only, with the user's roles and groups there. */
  schools: PuavoSchool[];
  /** National learner id (students), or null. */
  learner_id: string | null;
  /** Id in an external system (e.g. a school register), or null. */
  external_id?: string | null;
  /** Language code such as `fi`, or null. */
  preferred_language?: string | null;
  /** Year class of a student, or null. */
  year_class?: string | null;
  /** Username in an external domain (e.g. Active Directory), or null. */
  external_domain_username?: string | null;
  /** `"/"` or `"/prefix"`: the registered service the token was minted for. */
  external_service_path_prefix?: string;
}

/**
 * The claims of a token from Opinsys/Puavo SSO (`/v3/sso`), as its sources define them. No
 * catch-all: `claims.puavoId` (for `puavo_id`) is a compile error, not `unknown`.
 *
 * @example
 * ```ts
 * new JwtSsoStrategy<PuavoClaims>(options, (claims, done) => {
 *   done(null, { id: claims.puavo_id, name: `${claims.first_name} ${claims.last_name}` });
 * });
 * ```
 */
export interface PuavoClaims extends JwtRegisteredClaims, PuavoUserClaims {
  /** Puavo sends a UUID v4 in every token. */
  jti: string;
}
