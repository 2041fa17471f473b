// The dev provider's demo users: Puavo-shaped, one school of one organisation.
import type { PuavoUserClaims } from '../claims';

/** A user the dev provider offers: Puavo's claims without the per-token ones. */
export type DevUser = PuavoUserClaims;

const school = {
  id: '3',
  name: 'Gryffindor Primary School',
  abbreviation: 'gryffindor',
  school_code: '00123',
};
const organisation = { organisation_name: 'Example Town', organisation_domain: 'example.opinsys.fi' };

function user(id: number, username: string, first: string, last: string, role: string, extra: Partial<DevUser> = {}): DevUser {
  return {
    id,
    puavo_id: id,
    username,
    first_name: first,
    last_name: last,
    email: `${username}@example.opinsys.fi`,
    user_type: role,
    ...organisation,
    primary_school_id: school.id,
    schools: [
      {
        ...school,
        roles: [role],
        groups: [{ id: '77', name: 'Class 4B', abbreviation: 'gryffindor-4b', type: 'teaching group' }],
      },
    ],
    learner_id: null,
    external_id: null,
    preferred_language: 'fi',
    year_class: null,
    external_domain_username: null,
    ...extra,
  };
}

/** The default users: a teacher, a student and an admin of one school in one organisation. */
export const DEFAULT_DEV_USERS: readonly DevUser[] = Object.freeze([
  user(1001, 'minerva.teacher', 'Minerva', 'Teacher', 'teacher'),
  user(1002, 'harry.student', 'Harry', 'Student', 'student', { email: null, learner_id: '1.2.246.562.24.10000000001', year_class: '4' }),
  user(1003, 'albus.admin', 'Albus', 'Admin', 'admin'),
]);
