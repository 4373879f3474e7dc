import { createHash } from 'node:crypto';
import type { StaffRole } from '@sanjog/shared';
import {
  blankFacility,
  type FacilityKind,
  type FacilityRepository,
  type NewFacilityRow,
} from '../modules/facilities/index.js';
import { hashPassword, type IdentityRepository } from '../modules/identity/index.js';
import type { MappingRepository } from '../modules/mappings/index.js';
import type { OpdRepository } from '../modules/opds/index.js';
import type { PatientRepository } from '../modules/patients/index.js';
import type { PractitionerRepository, PractitionerRoleKind } from '../modules/practitioners/index.js';
import type { RosterRepository } from '../modules/rosters/index.js';

export const DEMO_PASSWORD = 'Sanjog@2026';
export const DEMO_PATIENT_MOBILE = '9999900001';

export interface DemoSignIn {
  role: StaffRole | 'patient';
  login: string;
  how: string;
}

export interface DemoRepositories {
  identity: IdentityRepository;
  facilities: FacilityRepository;
  practitioners: PractitionerRepository;
  mappings: MappingRepository;
  rosters: RosterRepository;
  opds: OpdRepository;
  patients: PatientRepository;
}

/** Stable ids from names, so the demo network is the same on every machine. */
export function demoId(key: string): string {
  const hex = createHash('sha1').update(`sanjog-demo:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

interface DemoStatePlan {
  short: 'up' | 'ka';
  stateId: string;
  stateCode: string;
  label: string;
  language: string;
  districts: { id: string; name: string; villages: string[] }[];
  doctors: string[];
  officers: string[];
}

const STATES: DemoStatePlan[] = [
  {
    short: 'up',
    stateId: 'IN-09',
    stateCode: '09',
    label: 'Uttar Pradesh',
    language: 'hi',
    districts: [
      {
        id: 'IN-09-162',
        name: 'Lucknow',
        villages: [
          'Malihabad',
          'Kakori',
          'Mohanlalganj',
          'Bakshi Ka Talab',
          'Gosainganj',
          'Chinhat',
          'Itaunja',
          'Mall',
          'Nigohan',
          'Sarojini Nagar',
          'Mandiaon',
        ],
      },
      {
        id: 'IN-09-129',
        name: 'Barabanki',
        villages: [
          'Dewa',
          'Fatehpur',
          'Haidergarh',
          'Ramnagar',
          'Sirauli Gauspur',
          'Banki',
          'Trivediganj',
          'Masauli',
          'Suratganj',
          'Harakh',
          'Nindura',
        ],
      },
      {
        id: 'IN-09-183',
        name: 'Sitapur',
        villages: [
          'Biswan',
          'Laharpur',
          'Mahmudabad',
          'Misrikh',
          'Sidhauli',
          'Khairabad',
          'Hargaon',
          'Pisawan',
          'Reusa',
          'Maholi',
        ],
      },
      {
        id: 'IN-09-186',
        name: 'Unnao',
        villages: [
          'Bangarmau',
          'Hasanganj',
          'Purwa',
          'Safipur',
          'Bighapur',
          'Nawabganj',
          'Asoha',
          'Fatehpur Chaurasi',
          'Sikandarpur',
          'Hilauli',
        ],
      },
      {
        id: 'IN-09-175',
        name: 'Rae Bareli',
        villages: [
          'Bachhrawan',
          'Dalmau',
          'Lalganj',
          'Salon',
          'Unchahar',
          'Maharajganj',
          'Jagatpur',
          'Harchandpur',
          'Sareni',
          'Tiloi',
        ],
      },
    ],
    doctors: [
      'Dr Anil Verma',
      'Dr Meera Shukla',
      'Dr Rakesh Tiwari',
      'Dr Nazia Khan',
      'Dr Sanjay Yadav',
      'Dr Pooja Srivastava',
      'Dr Vikas Pandey',
      'Dr Shalini Gupta',
      'Dr Arvind Mishra',
      'Dr Farah Siddiqui',
      'Dr Deepak Chaurasia',
      'Dr Ritu Agarwal',
      'Dr Manoj Dwivedi',
      'Dr Sarita Maurya',
      'Dr Amit Saxena',
    ],
    officers: [
      'Sunita Devi',
      'Ramesh Pal',
      'Anita Kumari',
      'Suresh Yadav',
      'Kiran Verma',
      'Mohd Irfan',
      'Pushpa Singh',
      'Rajesh Kumar',
      'Geeta Rawat',
      'Neelam Gupta',
    ],
  },
  {
    short: 'ka',
    stateId: 'IN-29',
    stateCode: '29',
    label: 'Karnataka',
    language: 'kn',
    districts: [
      {
        id: 'IN-29-525',
        name: 'Bengaluru Urban',
        villages: [
          'Anekal',
          'Yelahanka',
          'Hesaraghatta',
          'Sarjapura',
          'Kengeri',
          'Jigani',
          'Hebbagodi',
          'Attibele',
          'Varthur',
          'Dasanapura',
          'Bidarahalli',
        ],
      },
      {
        id: 'IN-29-526',
        name: 'Bengaluru Rural',
        villages: [
          'Doddaballapura',
          'Devanahalli',
          'Hoskote',
          'Nelamangala',
          'Vijayapura',
          'Sulibele',
          'Thubagere',
          'Kundana',
          'Channarayapatna',
          'Avathi',
          'Budigere',
        ],
      },
      {
        id: 'IN-29-545',
        name: 'Mysuru',
        villages: [
          'Hunsur',
          'Nanjangud',
          'Periyapatna',
          'Saligrama',
          'Sargur',
          'T Narasipura',
          'Bannur',
          'Jayapura',
          'Hullahalli',
          'Bilikere',
        ],
      },
      {
        id: 'IN-29-548',
        name: 'Tumakuru',
        villages: [
          'Gubbi',
          'Kunigal',
          'Madhugiri',
          'Pavagada',
          'Sira',
          'Tiptur',
          'Koratagere',
          'Turuvekere',
          'Huliyar',
          'Kora',
        ],
      },
      {
        id: 'IN-29-544',
        name: 'Mandya',
        villages: [
          'Maddur',
          'Malavalli',
          'Nagamangala',
          'Pandavapura',
          'Srirangapatna',
          'Krishnarajpet',
          'Besagarahalli',
          'Keragodu',
          'Basaralu',
          'Hanakere',
        ],
      },
    ],
    doctors: [
      'Dr Lakshmi Narayan',
      'Dr Suresh Gowda',
      'Dr Kavya Rao',
      'Dr Mohammed Azhar',
      'Dr Shwetha Hegde',
      'Dr Praveen Kumar',
      'Dr Anitha Shetty',
      'Dr Raghavendra Bhat',
      'Dr Deepa Murthy',
      'Dr Girish Patil',
      'Dr Nandini Reddy',
      'Dr Vinay Kulkarni',
      'Dr Asha Nayak',
      'Dr Harish Kamath',
      'Dr Rekha Joshi',
    ],
    officers: [
      'Manjula B',
      'Ravi Kumar',
      'Shobha N',
      'Naveen Gowda',
      'Pavithra S',
      'Basavaraj H',
      'Roopa K',
      'Chandrashekar M',
      'Savitha R',
      'Yashoda P',
    ],
  },
];

/** Specialities every spoke is mapped for, to the nearest district hospital and then the medical college. */
export const DEMO_MAPPED_SPECIALITIES = [
  'general_medicine',
  'paediatrics',
  'obstetrics_gynaecology',
  'dermatology',
  'psychiatry',
];
const HUB_SPECIALITIES = [
  'general_medicine',
  'paediatrics',
  'obstetrics_gynaecology',
  'dermatology',
  'psychiatry',
  'ophthalmology',
];
/** The general OPD is open round the clock so that the demo works at any hour; the others keep day hours. */
export const DEMO_OPDS = [
  {
    key: 'general',
    name: 'Online General OPD',
    speciality: null,
    capacity: 500,
    waitingRoom: 200,
    minutes: 10,
    hours: { days: [0, 1, 2, 3, 4, 5, 6], opensAt: '00:00', closesAt: '24:00' },
  },
  {
    key: 'paediatrics',
    name: 'Online Paediatrics OPD',
    speciality: 'paediatrics',
    capacity: 200,
    waitingRoom: 100,
    minutes: 12,
    hours: { days: [1, 2, 3, 4, 5, 6], opensAt: '09:00', closesAt: '17:00' },
  },
  {
    key: 'dermatology',
    name: 'Online Skin OPD',
    speciality: 'dermatology',
    capacity: 150,
    waitingRoom: 80,
    minutes: 10,
    hours: { days: [1, 2, 3, 4, 5, 6], opensAt: '09:00', closesAt: '17:00' },
  },
] as const;
export const SPOKES_PER_STATE = 52;

export interface DemoPractitioner {
  id: string;
  stateId: string;
  name: string;
  registryId: string;
  gender: 'female' | 'male';
  specialities: string[];
  roles: { facilityId: string; role: PractitionerRoleKind; specialities: string[] }[];
  login?: string;
  staffRole?: StaffRole;
}

export interface DemoNetwork {
  facilities: NewFacilityRow[];
  practitioners: DemoPractitioner[];
  mappings: { id: string; stateId: string; spokeId: string; specialityCode: string; hubId: string; rank: number }[];
  pools: { hubId: string; memberId: string }[];
}

const femaleFirstNames =
  /^(Dr )?(Meera|Nazia|Pooja|Shalini|Farah|Ritu|Sarita|Lakshmi|Kavya|Shwetha|Anitha|Deepa|Nandini|Asha|Rekha|Sunita|Anita|Kiran|Pushpa|Geeta|Neelam|Manjula|Shobha|Pavithra|Roopa|Savitha|Yashoda)\b/;

/** The demo network of two states, as plain data (also used by tests and benchmarks). */
export function planDemoNetwork(): DemoNetwork {
  const facilities: NewFacilityRow[] = [];
  const practitioners: DemoPractitioner[] = [];
  const mappings: DemoNetwork['mappings'] = [];
  const pools: DemoNetwork['pools'] = [];
  let hfr = 1;
  let hpr = 1;
  const facility = (
    key: string,
    state: DemoStatePlan,
    districtId: string,
    name: string,
    kind: FacilityKind,
    subtype: string | null,
    city: string,
  ) => {
    const row: NewFacilityRow = {
      ...blankFacility({ id: demoId(key), stateId: state.stateId, districtId, name, kind }),
      subtype,
      city,
      registryId: `IN${state.stateCode}${String(hfr++).padStart(8, '0')}`,
      languages: [state.language, 'hi', 'en'].filter((v, i, all) => all.indexOf(v) === i),
    };
    facilities.push(row);
    return row;
  };
  const person = (
    state: DemoStatePlan,
    name: string,
    specialities: string[],
    roles: DemoPractitioner['roles'],
    login?: string,
    staffRole?: StaffRole,
  ) => {
    const row: DemoPractitioner = {
      id: demoId(`practitioner:${state.short}:${name}:${roles[0]?.facilityId ?? ''}`),
      stateId: state.stateId,
      name,
      registryId: `91${String(hpr++).padStart(12, '0')}`,
      gender: femaleFirstNames.test(name) ? 'female' : 'male',
      specialities,
      roles,
      ...(login === undefined ? {} : { login }),
      ...(staffRole === undefined ? {} : { staffRole }),
    };
    practitioners.push(row);
    return row;
  };

  for (const state of STATES) {
    const [home, second] = state.districts;
    if (home === undefined || second === undefined) continue;
    const hubs = [
      facility(`${state.short}:hub:dh1`, state, home.id, `District Hospital ${home.name}`, 'hub', 'DH', home.name),
      facility(
        `${state.short}:hub:dh2`,
        state,
        second.id,
        `District Hospital ${second.name}`,
        'hub',
        'DH',
        second.name,
      ),
      facility(
        `${state.short}:hub:mc`,
        state,
        home.id,
        `Government Medical College ${home.name}`,
        'hub',
        'MC',
        home.name,
      ),
    ];
    const [dh1, dh2, college] = hubs as [NewFacilityRow, NewFacilityRow, NewFacilityRow];
    const women = facility(
      `${state.short}:referral:women`,
      state,
      home.id,
      `District Women Hospital ${home.name}`,
      'referral',
      'DWH',
      home.name,
    );
    pools.push({ hubId: dh1.id, memberId: women.id });
    const pharmacy = facility(
      `${state.short}:pharmacy`,
      state,
      home.id,
      `Jan Aushadhi Kendra ${home.name}`,
      'pharmacy',
      null,
      home.name,
    );
    const opds = DEMO_OPDS.map((opd) =>
      facility(`${state.short}:opd:${opd.key}`, state, home.id, `${state.label} ${opd.name}`, 'opd', null, home.name),
    );

    const spokes: NewFacilityRow[] = [];
    for (let i = 0; spokes.length < SPOKES_PER_STATE; i += 1) {
      const district = state.districts[i % state.districts.length];
      const village = district?.villages[Math.floor(i / state.districts.length)];
      if (district === undefined || village === undefined) break;
      const subtype = i % 4 === 3 ? 'PHC' : 'HWC';
      spokes.push(
        facility(
          `${state.short}:spoke:${village}`,
          state,
          district.id,
          `${subtype === 'PHC' ? 'Primary Health Centre' : 'Ayushman Arogya Mandir'} ${village}`,
          'spoke',
          subtype,
          village,
        ),
      );
    }
    for (const spoke of spokes) {
      const nearest = spoke.districtId === dh2.districtId ? dh2 : dh1;
      for (const speciality of DEMO_MAPPED_SPECIALITIES) {
        for (const [rank, hub] of [nearest, college].entries()) {
          mappings.push({
            id: demoId(`mapping:${spoke.id}:${speciality}:${String(rank)}`),
            stateId: state.stateId,
            spokeId: spoke.id,
            specialityCode: speciality,
            hubId: hub.id,
            rank: rank + 1,
          });
        }
      }
    }

    // Doctors: two per hub speciality pair across the hubs, two per OPD; an officer at every spoke.
    let doctor = 0;
    const nextDoctor = () => state.doctors[doctor++ % state.doctors.length] ?? 'Dr Demo';
    for (const [index, hub] of hubs.entries()) {
      const specialities = HUB_SPECIALITIES.filter((_, i) => i % hubs.length === index || i < 2);
      const name = nextDoctor();
      person(
        state,
        name,
        specialities,
        [{ facilityId: hub.id, role: 'hub_doctor', specialities }],
        index === 0 ? `${state.short}.hubdoctor` : undefined,
        'hub_doctor',
      );
      const specialist = nextDoctor();
      person(
        state,
        specialist,
        [HUB_SPECIALITIES[(index + 2) % HUB_SPECIALITIES.length] ?? 'general_medicine'],
        [
          {
            facilityId: hub.id,
            role: 'specialist',
            specialities: [HUB_SPECIALITIES[(index + 2) % HUB_SPECIALITIES.length] ?? 'general_medicine'],
          },
        ],
      );
    }
    // The referral hospital's specialist signs in (as a doctor of the hub's pool it belongs to) and
    // keeps its referral desk: marks the patients sent there received, attended, and their outcome.
    person(
      state,
      nextDoctor(),
      ['obstetrics_gynaecology'],
      [{ facilityId: women.id, role: 'specialist', specialities: ['obstetrics_gynaecology'] }],
      `${state.short}.referraldesk`,
      'hub_doctor',
    );
    for (const [index, opd] of opds.entries()) {
      const speciality = DEMO_OPDS[index]?.speciality ?? 'general_medicine';
      for (let n = 0; n < 2; n += 1) {
        person(
          state,
          nextDoctor(),
          [speciality],
          [{ facilityId: opd.id, role: 'opd_doctor', specialities: [speciality] }],
          index === 0 && n === 0 ? `${state.short}.opddoctor` : undefined,
          'opd_doctor',
        );
      }
    }
    for (const [index, spoke] of spokes.entries()) {
      const name = `${state.officers[index % state.officers.length] ?? 'Officer'}${index >= state.officers.length ? ` ${String(Math.floor(index / state.officers.length) + 1)}` : ''} (CHO)`;
      person(
        state,
        name,
        [],
        [{ facilityId: spoke.id, role: 'spoke_operator', specialities: [] }],
        index === 0 ? `${state.short}.cho` : undefined,
        'spoke_operator',
      );
    }
    person(
      state,
      `${state.short === 'up' ? 'Ramesh Gupta' : 'Srinivas Rao'} (Pharmacist)`,
      [],
      [{ facilityId: pharmacy.id, role: 'pharmacist', specialities: [] }],
      `${state.short}.pharmacist`,
      'pharmacist',
    );
  }
  return { facilities, practitioners, mappings, pools };
}

const ADMINS: { login: string; name: string; role: StaffRole; state: string | null }[] = [
  { login: 'national.admin', name: 'National Administrator', role: 'national_admin', state: null },
  { login: 'auditor', name: 'Audit Officer', role: 'auditor', state: null },
  { login: 'up.admin', name: 'UP State Administrator', role: 'state_admin', state: 'IN-09' },
  { login: 'ka.admin', name: 'Karnataka State Administrator', role: 'state_admin', state: 'IN-29' },
  { login: 'up.coordinator', name: 'UP Teleconsultation Coordinator', role: 'coordinator', state: 'IN-09' },
  { login: 'ka.coordinator', name: 'Karnataka Teleconsultation Coordinator', role: 'coordinator', state: 'IN-29' },
];

/** Loads the demo network and sign-ins on the first start, when the database has no user yet. */
export async function loadDemoData(repos: DemoRepositories): Promise<boolean> {
  if ((await repos.identity.countUsers()) > 0) return false;
  const network = planDemoNetwork();
  await repos.facilities.upsertMany(network.facilities);
  for (const pool of network.pools) await repos.facilities.addPoolMember(pool.hubId, pool.memberId);
  await repos.mappings.insertMany(network.mappings);

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let mobile = 1;
  const nextMobile = () => `90000${String(mobile++).padStart(5, '0')}`;
  for (const admin of ADMINS) {
    await repos.identity.createStaffUser(
      {
        id: demoId(`user:${admin.login}`),
        username: admin.login,
        mobile: nextMobile(),
        displayName: admin.name,
        passwordHash,
      },
      [{ id: demoId(`binding:${admin.login}`), role: admin.role, stateId: admin.state, facilityId: null }],
    );
  }
  for (const person of network.practitioners) {
    let userId: string | null = null;
    const firstRole = person.roles[0];
    if (person.login !== undefined && person.staffRole !== undefined && firstRole !== undefined) {
      userId = demoId(`user:${person.login}`);
      await repos.identity.createStaffUser(
        { id: userId, username: person.login, mobile: nextMobile(), displayName: person.name, passwordHash },
        [
          {
            id: demoId(`binding:${person.login}`),
            role: person.staffRole,
            stateId: person.stateId,
            facilityId: firstRole.facilityId,
          },
        ],
      );
    }
    await repos.practitioners.insert({
      id: person.id,
      stateId: person.stateId,
      userId,
      name: person.name,
      gender: person.gender,
      qualification: person.name.startsWith('Dr ') ? 'MBBS' : 'BSc Nursing, Certificate in Community Health',
      registrationCouncil: person.name.startsWith('Dr ')
        ? person.stateId === 'IN-09'
          ? 'Uttar Pradesh Medical Council'
          : 'Karnataka Medical Council'
        : null,
      registrationNumber: person.name.startsWith('Dr ') ? `${person.stateId}-${person.id.slice(0, 6)}` : null,
      registryId: person.registryId,
      languages: person.stateId === 'IN-29' ? ['kn', 'en'] : ['hi', 'en'],
      specialities: person.specialities,
      mobile: null,
      active: true,
    });
    await repos.practitioners.replaceRoles(
      person.id,
      person.roles.map((role) => ({
        id: demoId(`role:${person.id}:${role.facilityId}:${role.role}`),
        stateId: person.stateId,
        ...role,
      })),
    );
  }

  // Every doctor and officer is rostered round the clock, so that every flow can be tried at any hour.
  for (const person of network.practitioners) {
    for (const role of person.roles) {
      const shifts = [0, 1, 2, 3, 4, 5, 6].flatMap((weekday) => [
        {
          id: demoId(`shift:${person.id}:${role.facilityId}:${String(weekday)}:am`),
          weekday,
          startsAt: '00:00',
          endsAt: '12:00',
          validFrom: null,
          validTo: null,
        },
        {
          id: demoId(`shift:${person.id}:${role.facilityId}:${String(weekday)}:pm`),
          weekday,
          startsAt: '12:00',
          endsAt: '00:00',
          validFrom: null,
          validTo: null,
        },
      ]);
      await repos.rosters.replaceShifts(person.id, role.facilityId, person.stateId, shifts);
    }
  }
  for (const opd of network.facilities.filter((f) => f.kind === 'opd')) {
    const plan = DEMO_OPDS.find((o) => opd.name.endsWith(o.name));
    if (plan === undefined) continue;
    await repos.opds.saveSettings(opd.id, {
      specialityCode: plan.speciality,
      dailyCapacity: plan.capacity,
      waitingRoomSize: plan.waitingRoom,
      consultationMinutes: plan.minutes,
      languages: opd.languages,
    });
    await repos.opds.replaceHours(
      opd.id,
      plan.hours.days.map((weekday) => ({ weekday, opensAt: plan.hours.opensAt, closesAt: plan.hours.closesAt })),
    );
  }

  const demoPatients = [
    {
      name: 'Ram Prasad',
      sex: 'male',
      birthYear: 1961,
      stateId: 'IN-09',
      districtId: 'IN-09-162',
      village: 'Malihabad',
    },
    {
      name: 'Kamla Devi',
      sex: 'female',
      birthYear: 1978,
      stateId: 'IN-09',
      districtId: 'IN-09-162',
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
      id: demoId(`patient:${patient.name}`),
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
  const how = `password ${DEMO_PASSWORD}`;
  return [
    ...ADMINS.filter((a) => !a.login.startsWith('ka.')).map((a) => ({ role: a.role, login: a.login, how })),
    { role: 'spoke_operator', login: 'up.cho', how },
    { role: 'hub_doctor', login: 'up.hubdoctor', how },
    // The same role at the district women's hospital, where hub doctors refer: its referral desk.
    { role: 'hub_doctor', login: 'up.referraldesk', how },
    { role: 'opd_doctor', login: 'up.opddoctor', how },
    { role: 'pharmacist', login: 'up.pharmacist', how },
    { role: 'patient', login: DEMO_PATIENT_MOBILE, how: 'one-time code shown on the SMS outbox page (/dev/outbox)' },
  ];
}

export function formatSignIns(signIns: DemoSignIn[]): string {
  const width = Math.max(...signIns.map((s) => s.role.length));
  return signIns.map((s) => `  ${s.role.padEnd(width)}  ${s.login.padEnd(16)}  ${s.how}`).join('\n');
}
