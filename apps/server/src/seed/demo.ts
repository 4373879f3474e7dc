import { randomUUID } from 'node:crypto';
import type { StaffRole } from '@sanjog/shared';
import { blankFacility, type FacilityKind, type FacilityRepository } from '../modules/facilities/index.js';
import { hashPassword, type IdentityRepository } from '../modules/identity/index.js';
import type { PatientRepository } from '../modules/patients/index.js';

export const DEMO_PASSWORD = 'Sanjog@2026';
export const DEMO_PATIENT_MOBILE = '9999900001';

export interface DemoSignIn {
  role: StaffRole | 'patient';
  login: string;
  how: string;
}

interface DemoRepositories {
  identity: IdentityRepository;
  facilities: FacilityRepository;
  patients: PatientRepository;
}

/** Two states with a few facilities each; the care-network work adds the full demo network. */
const DEMO_FACILITIES: { key: string; stateId: string; districtId: string; name: string; kind: FacilityKind }[] = [
  { key: 'up-hub', stateId: 'IN-09', districtId: 'IN-09-140', name: 'District Hospital Lucknow', kind: 'hub' },
  {
    key: 'up-spoke',
    stateId: 'IN-09',
    districtId: 'IN-09-140',
    name: 'Ayushman Arogya Mandir Malihabad',
    kind: 'spoke',
  },
  { key: 'up-opd', stateId: 'IN-09', districtId: 'IN-09-140', name: 'UP Online General OPD', kind: 'opd' },
  {
    key: 'up-pharmacy',
    stateId: 'IN-09',
    districtId: 'IN-09-140',
    name: 'Jan Aushadhi Kendra Lucknow',
    kind: 'pharmacy',
  },
  { key: 'ka-hub', stateId: 'IN-29', districtId: 'IN-29-525', name: 'District Hospital Bengaluru Urban', kind: 'hub' },
  {
    key: 'ka-spoke',
    stateId: 'IN-29',
    districtId: 'IN-29-526',
    name: 'Ayushman Arogya Mandir Doddaballapura',
    kind: 'spoke',
  },
];

const DEMO_STAFF: { login: string; name: string; role: StaffRole; state?: string; facility?: string }[] = [
  { login: 'national.admin', name: 'National Administrator', role: 'national_admin' },
  { login: 'auditor', name: 'Audit Officer', role: 'auditor' },
  { login: 'up.admin', name: 'UP State Administrator', role: 'state_admin', state: 'IN-09' },
  { login: 'ka.admin', name: 'Karnataka State Administrator', role: 'state_admin', state: 'IN-29' },
  { login: 'up.coordinator', name: 'UP Teleconsultation Coordinator', role: 'coordinator', state: 'IN-09' },
  { login: 'up.cho', name: 'Sunita Devi (CHO)', role: 'spoke_operator', facility: 'up-spoke' },
  { login: 'up.hubdoctor', name: 'Dr Anil Verma', role: 'hub_doctor', facility: 'up-hub' },
  { login: 'up.opddoctor', name: 'Dr Meera Shukla', role: 'opd_doctor', facility: 'up-opd' },
  { login: 'up.pharmacist', name: 'Ramesh Gupta (Pharmacist)', role: 'pharmacist', facility: 'up-pharmacy' },
];

/** Loads the demo data on the first start, when the database has no user yet. */
export async function loadDemoData(repos: DemoRepositories): Promise<boolean> {
  if ((await repos.identity.countUsers()) > 0) return false;
  const facilityIds = new Map<string, { id: string; stateId: string }>();
  for (const facility of DEMO_FACILITIES) {
    const id = randomUUID();
    await repos.facilities.insert(
      blankFacility({
        id,
        stateId: facility.stateId,
        districtId: facility.districtId,
        name: facility.name,
        kind: facility.kind,
      }),
    );
    facilityIds.set(facility.key, { id, stateId: facility.stateId });
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let mobileSuffix = 1;
  for (const person of DEMO_STAFF) {
    const facility = person.facility === undefined ? undefined : facilityIds.get(person.facility);
    await repos.identity.createStaffUser(
      {
        id: randomUUID(),
        username: person.login,
        mobile: `90000000${String(mobileSuffix++).padStart(2, '0')}`,
        displayName: person.name,
        passwordHash,
      },
      [
        {
          id: randomUUID(),
          role: person.role,
          stateId: facility?.stateId ?? person.state ?? null,
          facilityId: facility?.id ?? null,
        },
      ],
    );
  }
  const demoPatients = [
    {
      name: 'Ram Prasad',
      sex: 'male',
      birthYear: 1961,
      stateId: 'IN-09',
      districtId: 'IN-09-140',
      village: 'Malihabad',
    },
    {
      name: 'Kamla Devi',
      sex: 'female',
      birthYear: 1978,
      stateId: 'IN-09',
      districtId: 'IN-09-140',
      village: 'Malihabad',
    },
    {
      name: 'Lakshmi Gowda',
      sex: 'female',
      birthYear: 1990,
      stateId: 'IN-29',
      districtId: 'IN-29-526',
      village: 'Doddaballapura',
    },
  ] as const;
  for (const patient of demoPatients) {
    await repos.patients.insert({
      id: randomUUID(),
      ...patient,
      accountUserId: null,
      birthDate: null,
      mobile: null,
      createdBy: null,
    });
  }
  return true;
}

/** One sign-in per role, printed at start so that a new user can try every role. */
export function demoSignIns(): DemoSignIn[] {
  return [
    ...DEMO_STAFF.map((person) => ({ role: person.role, login: person.login, how: `password ${DEMO_PASSWORD}` })),
    {
      role: 'patient' as const,
      login: DEMO_PATIENT_MOBILE,
      how: 'one-time code shown on the SMS outbox page (/dev/outbox)',
    },
  ];
}

export function formatSignIns(signIns: DemoSignIn[]): string {
  const width = Math.max(...signIns.map((s) => s.role.length));
  return signIns.map((s) => `  ${s.role.padEnd(width)}  ${s.login.padEnd(16)}  ${s.how}`).join('\n');
}
