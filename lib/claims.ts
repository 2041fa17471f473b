/**
 * The claims of a verified token. `iat` is always a number here (a legacy string `iat` is
 * converted) and `jti` a non-empty string; everything else is as the provider sent it.
 */
export interface JwtClaims {
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Unique token id; a second use is refused. */
  jti: string;
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

/** A group in a Puavo token's `schools[].groups`. */
export interface PuavoGroup {
  id: string;
  name: string;
  abbreviation: string;
  type: string | null;
}

/** A school in a Puavo token's `schools` (Puavo sends the primary school only). */
export interface PuavoSchool {
  id: string;
  name: string;
  abbreviation: string;
  school_code: string | null;
  /** Among teacher, staff, student, visitor, parent, admin, schooladmin, testuser. */
  roles: string[];
  groups: PuavoGroup[];
}

/** The user claims of a Puavo token: everything but the per-token `iat` and `jti`. */
export interface PuavoUserClaims {
  /** Same value as `puavo_id`. */
  id: number;
  puavo_id: number;
  username: string;
  first_name: string;
  last_name: string;
  /** A string or null; briefly an array in 2023. */
  email: string | string[] | null;
  /** Deprecated: the first role. */
  user_type?: string;
  organisation_name: string;
  /** For example `jyvaskyla.opinsys.fi`. */
  organisation_domain: string;
  primary_school_id: string;
  schools: PuavoSchool[];
  learner_id: string | null;
  external_id?: string | null;
  preferred_language?: string | null;
  year_class?: string | null;
  external_domain_username?: string | null;
  /** `"/"` or `"/prefix"`: the registered service the token was minted for. */
  external_service_path_prefix?: string;
}

/**
 * The claims of a token from Opinsys/Puavo SSO (`/v3/sso`), as its sources define them.
 *
 * @example
 * ```ts
 * new JwtSsoStrategy<PuavoClaims>(options, (claims, done) => {
 *   done(null, { id: claims.puavo_id, name: `${claims.first_name} ${claims.last_name}` });
 * });
 * ```
 */
export interface PuavoClaims extends JwtClaims, PuavoUserClaims {}
