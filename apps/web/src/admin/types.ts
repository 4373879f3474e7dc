// Wire types of the care-network endpoints (see /openapi.json).

export const FACILITY_KINDS = ['spoke', 'hub', 'opd', 'referral', 'pharmacy'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

export interface Facility {
  id: string;
  stateId: string;
  districtId: string;
  name: string;
  kind: FacilityKind;
  subtype: string | null;
  registryId: string | null;
  addressLine: string | null;
  city: string | null;
  pincode: string | null;
  latitude: number | null;
  longitude: number | null;
  languages: string[];
  phone: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface State {
  id: string;
  name: string;
}

export interface District {
  id: string;
  stateId: string;
  name: string;
}

export interface Speciality {
  code: string;
  name: string;
  nameHi: string | null;
}

export interface HubMapping {
  id: string;
  specialityCode: string;
  hubId: string;
  hubName: string;
  rank: number;
  validFrom: string;
  validTo: string | null;
}

export interface SpokeOfHub {
  spokeId: string;
  spokeName: string;
  specialityCode: string;
  rank: number;
}

export const PRACTITIONER_ROLES = [
  'hub_doctor',
  'opd_doctor',
  'specialist',
  'spoke_operator',
  'pharmacist',
  'coordinator',
] as const;
export type PractitionerRole = (typeof PRACTITIONER_ROLES)[number];

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

export interface PractitionerRoleRow {
  id: string;
  facilityId: string;
  facilityName: string;
  stateId: string;
  role: PractitionerRole;
  specialities: string[];
  active: boolean;
}

export interface Practitioner {
  id: string;
  stateId: string;
  userId: string | null;
  name: string;
  gender: Gender;
  qualification: string | null;
  registrationCouncil: string | null;
  registrationNumber: string | null;
  registryId: string | null;
  languages: string[];
  specialities: string[];
  mobile: string | null;
  active: boolean;
  roles: PractitionerRoleRow[];
  createdAt: string;
  updatedAt: string;
  version: number;
}
