import type { VerificationKey } from '../../lib/keys';
import { createHmac, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const SECRET = 'test-shared-secret-of-the-service';
export const OTHER_SECRET = 'another-secret-after-rotation';
/** A fixed "now" for unit tests: 2026-01-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2026, 0, 1);
export const NOW = NOW_MS / 1000;

/** Puavo-shaped claims, fresh at `now` (seconds). */
export function puavoClaims(now = Math.floor(Date.now() / 1000), extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iat: now,
    jti: randomUUID(),
    id: 42,
    puavo_id: 42,
    username: 'ada.lovelace',
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.opinsys.fi',
    user_type: 'teacher',
    organisation_name: 'Example',
    organisation_domain: 'example.opinsys.fi',
    primary_school_id: '7',
    schools: [{ id: '7', name: 'Example School', abbreviation: 'exs', school_code: null, roles: ['teacher'], groups: [] }],
    learner_id: null,
    external_service_path_prefix: '/',
    ...extra,
  };
}

/** A token as Puavo mints it: HS256, header {"alg":"HS256"} with no typ. */
export function mint(claims: Record<string, unknown>, secret: string | Buffer = SECRET): string {
  // typ undefined: jsonwebtoken would add "typ":"JWT", which Puavo stopped sending in 2017.
  return jwt.sign(claims, secret, { algorithm: 'HS256', header: { alg: 'HS256', typ: undefined } });
}

export const b64 = (value: string | Buffer | object): string =>
  Buffer.from(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value)).toString('base64url');

/** Hand-made tokens for the malformed cases: any header and payload text, signed with HMAC-SHA256. */
export function raw(header: string | object, payload: string | object, secret: string | Buffer = SECRET, alg = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(alg, secret).update(input).digest('base64url')}`;
}

/** The keys of a key source that needs neither request nor token (sharedSecret, publicKey). */
export function staticKeys(source: { keysFor(req: never, token: never): unknown }): readonly VerificationKey[] {
  const keys = source.keysFor(undefined as never, undefined as never);
  if (!Array.isArray(keys)) throw new Error('static keys expected');
  return keys as readonly VerificationKey[];
}
