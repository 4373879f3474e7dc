/** Every role a signed-in person can hold. Staff roles are bound to the place they serve. */
export const ROLES = [
  'patient',
  'spoke_operator',
  'hub_doctor',
  'opd_doctor',
  'coordinator',
  'pharmacist',
  'state_admin',
  'national_admin',
  'auditor',
] as const;

export type Role = (typeof ROLES)[number];

export type StaffRole = Exclude<Role, 'patient'>;
export const STAFF_ROLES = ROLES.filter((role): role is StaffRole => role !== 'patient');

/**
 * The level of place a role is bound to: a facility (spoke, hub, OPD, pharmacy), a state,
 * or the whole country.
 */
export type RoleScopeLevel = 'facility' | 'state' | 'country';

export const ROLE_SCOPE_LEVEL: Record<StaffRole, RoleScopeLevel> = {
  spoke_operator: 'facility',
  hub_doctor: 'facility',
  opd_doctor: 'facility',
  pharmacist: 'facility',
  coordinator: 'state',
  state_admin: 'state',
  national_admin: 'country',
  auditor: 'country',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
