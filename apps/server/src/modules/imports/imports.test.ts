import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';
import { stableId } from './formats.js';

/**
 * Bulk CSV imports of the care network, end to end through HTTP: clean files, files with many
 * errors, dry runs, re-imports that change nothing, other states, references, async jobs.
 */
let test: TestApp;
let national: StaffFixture;
let upAdmin: StaffFixture;

beforeAll(async () => {
  test = await startTestApp();
  await test.database.db.query(
    `insert into specialities (code, name) values ('general_medicine', 'General Medicine'),
       ('paediatrics', 'Paediatrics'), ('cardiology', 'Cardiology') on conflict do nothing`,
  );
  national = await createStaff(test, 'national_admin');
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
});
afterAll(async () => {
  await test.close();
});

function post(kind: string, csv: string, who: StaffFixture, query = '', headers: Record<string, string> = {}) {
  return test.app.inject({
    method: 'POST',
    url: `/api/v1/imports/${kind}${query}`,
    headers: { ...who.auth, 'content-type': 'text/csv', ...headers },
    payload: csv,
  });
}

async function facilityRows(registryIds: string[]) {
  return test.database.db.query<{ registryId: string; name: string; version: number; updatedAt: Date; id: string }>(
    `select registry_id as "registryId", name, version, updated_at as "updatedAt", id from facilities
     where registry_id = any($1::text[]) order by registry_id`,
    [registryIds],
  );
}

async function count(table: string, where = 'true'): Promise<number> {
  const [row] = await test.database.db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`);
  return row?.n ?? 0;
}

const FACILITIES = [
  'registry_id,name,kind,subtype,state_code,district_code,address_line,city,pincode,latitude,longitude,languages,phone,active',
  'IN0900000001,"Lucknow District Hospital, Civil Lines",hub,DH,9,140,"12 Hazratganj\nNear the GPO",Lucknow,226001,26.85,80.95,hi;en,0522-2000000,true',
  'IN0900000002,Malihabad PHC,spoke,PHC,09,140,,Malihabad,226102,26.92,80.71,hi,,',
  'IN0900000003,Kakori Sub Centre,spoke,SC,IN-09,IN-09-140,"Kakori ""old"" road",,,,,HI; En,,yes',
  'IN0900000004,Bakshi Ka Talab CHC,hub,CHC,9,140,,,,,,,,1',
].join('\r\n');
const FACILITY_IDS = ['IN0900000001', 'IN0900000002', 'IN0900000003', 'IN0900000004'];

describe('importing facilities', () => {
  it('imports a clean file, quoted commas, quotes and line breaks included', async () => {
    const response = await post('facilities', `\uFEFF${FACILITIES}\r\n`, national);
    expect(response.statusCode).toBe(200);
    const job = response.json();
    expect(job).toMatchObject({
      kind: 'facilities',
      status: 'succeeded',
      dryRun: false,
      rowsTotal: 4,
      rowsWritten: 4,
      errorCount: 0,
      counts: { facilities: { inserted: 4, updated: 0, unchanged: 0, retired: 0 } },
    });
    const [hospital] = await test.database.db.query(
      `select id, name, address_line, languages, latitude, pincode, state_id, district_id, kind, subtype, active
       from facilities where registry_id = 'IN0900000001'`,
    );
    expect(hospital).toMatchObject({
      id: stableId('facility', 'IN0900000001'),
      name: 'Lucknow District Hospital, Civil Lines',
      address_line: '12 Hazratganj\nNear the GPO',
      languages: ['hi', 'en'],
      latitude: 26.85,
      pincode: '226001',
      state_id: 'IN-09',
      district_id: 'IN-09-140',
      kind: 'hub',
      subtype: 'DH',
      active: true,
    });
    const [subCentre] = await test.database.db.query(
      `select address_line, languages from facilities where registry_id = 'IN0900000003'`,
    );
    expect(subCentre).toEqual({ address_line: 'Kakori "old" road', languages: ['hi', 'en'] });
    const found = await test.app.inject({
      method: 'GET',
      url: '/api/v1/facilities?q=lucknow%20district',
      headers: national.auth,
    });
    expect(found.json().items.map((f: { registryId: string }) => f.registryId)).toEqual(['IN0900000001']);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await facilityRows(FACILITY_IDS);
    const response = await post('facilities', FACILITIES, national);
    expect(response.statusCode).toBe(200);
    expect(response.json().counts.facilities).toEqual({ inserted: 0, updated: 0, unchanged: 4, retired: 0 });
    expect(await facilityRows(FACILITY_IDS)).toEqual(before);
  });

  it('updates only the rows that changed', async () => {
    const before = await facilityRows(FACILITY_IDS);
    const changed = FACILITIES.replace('Malihabad PHC', 'Malihabad Primary Health Centre');
    const response = await post('facilities', changed, national);
    expect(response.json().counts.facilities).toEqual({ inserted: 0, updated: 1, unchanged: 3, retired: 0 });
    const after = await facilityRows(FACILITY_IDS);
    expect(after[1]).toMatchObject({ name: 'Malihabad Primary Health Centre', version: 2 });
    expect([after[0], after[2], after[3]]).toEqual([before[0], before[2], before[3]]);
  });

  it('writes nothing in a dry run, and reports what it would do', async () => {
    const csv = [
      'registry_id,name,kind,state_code,district_code',
      'IN0900000010,Dry Run PHC,spoke,9,140',
      'IN0900000001,Lucknow District Hospital (renamed),hub,9,140',
    ].join('\n');
    const before = await facilityRows(['IN0900000001']);
    const response = await post('facilities', csv, national, '?dryRun=true');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      dryRun: true,
      status: 'succeeded',
      counts: { facilities: { inserted: 1, updated: 1, unchanged: 0 } },
    });
    expect(await count('facilities', `registry_id = 'IN0900000010'`)).toBe(0);
    expect(await facilityRows(['IN0900000001'])).toEqual(before);
  });

  it('refuses a file with errors, reporting every one with its line and column, and writes nothing', async () => {
    const csv = [
      'registry_id,name,kind,state_code,district_code,pincode,latitude,languages,active',
      'IN0900000020,Good Row PHC,spoke,9,140,226001,26.1,hi,true', // line 2: fine
      'IN0900000021,Bad Pincode PHC,spoke,9,140,2260,26.1,hi,true', // line 3
      'IN0900000022,Nowhere PHC,spoke,9,999,226001,26.1,hi,true', // line 4: unknown district
      'IN0900000020,Twin PHC,spoke,9,140,226001,26.1,hi,true', // line 5: duplicate key
      'IN09000023,Short Id PHC,clinic,9,140,226001,95,english,maybe', // line 6: five problems
      'IN0900000024,Too few fields', // line 7
      '"IN0900000025","Quoted, ""fine""\nPHC",spoke,9,140,,,,', // lines 8-9: fine
      'IN0900000026,Unknown State PHC,spoke,77,140,,,,', // line 10
      'IN0900000001,Moved Hospital,hub,29,525,,,,', // line 11: exists in IN-09
    ].join('\n');
    const response = await post('facilities', csv, national);
    expect(response.statusCode).toBe(422);
    const outcome = response.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    const expressions = outcome.issue.map((i: { expression: string[] }) => i.expression[0]);
    expect(expressions).toEqual([
      'line 3.pincode',
      'line 4.district_code',
      'line 5.registry_id',
      'line 6.registry_id',
      'line 6.kind',
      'line 6.latitude',
      'line 6.languages',
      'line 6.active',
      'line 7.row',
      'line 10.state_code',
      'line 11.state_code',
    ]);
    expect(outcome.issue[2].diagnostics).toBe('Line 5, registry_id: Duplicate: HFR id IN0900000020 is also on line 2');
    expect(outcome.issue[10].diagnostics).toContain('a facility of state IN-09');
    expect(await count('facilities', `registry_id in ('IN0900000020', 'IN0900000025')`)).toBe(0);

    const job = await test.app.inject({ method: 'GET', url: `/api/v1/imports/${outcome.id}`, headers: national.auth });
    expect(job.json()).toMatchObject({ status: 'rejected', errorCount: 11, rowsTotal: 9, rowsWritten: 0 });
    expect(job.json().errors[0]).toEqual({ line: 3, field: 'pincode', reason: '6 digits' });
  });

  it('refuses a header with unknown or missing columns', async () => {
    const response = await post('facilities', 'registry_id,name,colour\nIN0900000030,X PHC,red\n', national);
    expect(response.statusCode).toBe(422);
    const expressions = response.json().issue.map((i: { expression: string[] }) => i.expression[0]);
    expect(expressions).toEqual(['line 1.colour', 'line 1.kind', 'line 1.state_code', 'line 1.district_code']);
  });

  it('refuses an empty file, a file without rows and an unclosed quote', async () => {
    const expressions = async (csv: string) =>
      (await post('facilities', csv, national))
        .json<{ issue: { expression: string[] }[] }>()
        .issue.map((i) => i.expression[0]);
    expect(await expressions('')).toEqual(['line 1.file']);
    expect(await expressions('registry_id,name,kind,state_code,district_code\n')).toEqual(['line 2.file']);
    expect(
      await expressions('registry_id,name,kind,state_code,district_code\nIN0900000031,"Open PHC,spoke,9,140\n'),
    ).toEqual(['line 2.file']);
  });

  it('lets a state administrator import their own state only', async () => {
    const csv = [
      'registry_id,name,kind,state_code,district_code',
      'IN0900000040,Own State PHC,spoke,9,140',
      `IN2900000041,Other State PHC,spoke,29,${KA.districtId.split('-')[2] ?? ''}`,
    ].join('\n');
    const refused = await post('facilities', csv, upAdmin);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().issue).toEqual([
      expect.objectContaining({ expression: ['line 3.state_code'], diagnostics: expect.stringContaining('IN-29') }),
    ]);
    expect(await count('facilities', `registry_id in ('IN0900000040', 'IN2900000041')`)).toBe(0);
    const own = await post('facilities', csv.split('\n').slice(0, 2).join('\n'), upAdmin);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ stateId: 'IN-09', counts: { facilities: { inserted: 1 } } });
  });

  it('is for administrators only, and takes CSV only', async () => {
    const operator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    expect((await post('facilities', FACILITIES, operator)).statusCode).toBe(403);
    const json = await test.app.inject({
      method: 'POST',
      url: '/api/v1/imports/facilities',
      headers: national.auth,
      payload: { rows: [] },
    });
    expect(json.statusCode).toBe(415);
    expect((await post('hospitals', FACILITIES, national)).statusCode).toBe(400);
  });

  async function poll(id: string) {
    for (let i = 0; i < 600; i += 1) {
      const job = (
        await test.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: national.auth })
      ).json<{ status: string }>();
      if (job.status !== 'writing') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the import did not finish');
  }

  it('answers a large import at once, as a job to poll, writing it in several batches', async () => {
    const id = '2b0c8a52-7d7e-4b8e-9a57-0d1f5c1e9a01';
    const rows = Array.from(
      { length: 12_000 },
      (_, i) => `IN09${String(10_000 + i).padStart(8, '0')},Bulk PHC ${i},spoke,9,140`,
    );
    const csv = ['registry_id,name,kind,state_code,district_code', ...rows].join('\n');
    const response = await post('facilities', csv, national, `?id=${id}`);
    expect(response.statusCode).toBe(202);
    expect(response.headers.location).toBe(`/api/v1/imports/${id}`);
    expect(response.json()).toMatchObject({ id, status: 'writing', rowsTotal: 12_000, rowsValidated: 12_000 });
    expect(await poll(id)).toMatchObject({
      status: 'succeeded',
      rowsWritten: 12_000,
      counts: { facilities: { inserted: 12_000, updated: 0, unchanged: 0 } },
    });
    const again = await post('facilities', csv, national, `?id=${id}`);
    expect(again.statusCode).toBe(409);
    const changed = csv.replace('Bulk PHC 7,', 'Bulk PHC Seven,').replace('Bulk PHC 11999,', 'Bulk PHC Last,');
    const second = await post('facilities', changed, national, '', { prefer: 'respond-async' });
    expect(second.statusCode).toBe(202);
    expect(await poll(second.json().id)).toMatchObject({
      status: 'succeeded',
      counts: { facilities: { inserted: 0, updated: 2, unchanged: 11_998 } },
    });
    const list = await test.app.inject({ method: 'GET', url: '/api/v1/imports?limit=5', headers: national.auth });
    expect(list.json().items[1]).toMatchObject({ id, status: 'succeeded' });
  });

  it('keeps an import of another state administrator out of sight', async () => {
    const list = await test.app.inject({ method: 'GET', url: '/api/v1/imports?limit=100', headers: upAdmin.auth });
    const ids = list.json().items.map((j: { createdBy: string }) => j.createdBy);
    expect(new Set(ids)).toEqual(new Set([upAdmin.userId]));
    const kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
    const [mine] = list.json().items;
    const other = await test.app.inject({ method: 'GET', url: `/api/v1/imports/${mine.id}`, headers: kaAdmin.auth });
    expect(other.statusCode).toBe(404);
  });

  it('audits every import', async () => {
    expect(await count('audit_log', `resource_type = 'ImportJob'`)).toBeGreaterThanOrEqual(8);
    expect(await count('audit_log', `resource_type = 'ImportJob' and outcome = 'failure'`)).toBeGreaterThanOrEqual(3);
  });
});

const PRACTITIONERS = [
  'registry_id,name,gender,qualification,registration_council,registration_number,state_code,languages,specialities,mobile,active,facility_registry_id,role,role_specialities',
  '71000000000001,Dr Anil Verma,male,MD,UPMC,1001,9,hi;en,general_medicine,9876500001,,IN0900000001,hub_doctor,general_medicine',
  '71000000000001,Dr Anil Verma,male,MD,UPMC,1001,9,hi;en,general_medicine,9876500001,,IN0900000004,specialist,general_medicine;paediatrics',
  '71000000000002,Sunita Devi,female,BSc Nursing,,,9,hi,,+91 98765 00002,,IN0900000002,spoke_operator,',
  '71000000000003,Dr Without Role,female,MBBS,UPMC,1003,9,,,,,,,',
].join('\n');

describe('importing practitioners with their roles', () => {
  it('imports practitioners and roles at known facilities', async () => {
    const response = await post('practitioners', PRACTITIONERS, national);
    expect(response.statusCode).toBe(200);
    expect(response.json().counts).toEqual({
      practitioners: { inserted: 3, updated: 0, unchanged: 0, retired: 0 },
      roles: { inserted: 3, updated: 0, unchanged: 0, retired: 0 },
    });
    const [sunita] = await test.database.db.query(
      `select id, mobile, state_id from practitioners where registry_id = '71000000000002'`,
    );
    expect(sunita).toEqual({ id: stableId('practitioner', '71000000000002'), mobile: '9876500002', state_id: 'IN-09' });
  });

  it('changes nothing on a re-import, and retires a role the file no longer lists', async () => {
    const again = await post('practitioners', PRACTITIONERS, national);
    expect(again.json().counts).toEqual({
      practitioners: { inserted: 0, updated: 0, unchanged: 3, retired: 0 },
      roles: { inserted: 0, updated: 0, unchanged: 3, retired: 0 },
    });
    const withoutSpecialist = PRACTITIONERS.split('\n')
      .filter((line) => !line.includes('specialist'))
      .join('\n');
    const response = await post('practitioners', withoutSpecialist, national);
    expect(response.json().counts.roles).toEqual({ inserted: 0, updated: 0, unchanged: 2, retired: 1 });
    expect(await count('practitioner_roles', `role = 'specialist' and not active`)).toBe(1);
    const back = await post('practitioners', PRACTITIONERS, national);
    expect(back.json().counts.roles).toEqual({ inserted: 0, updated: 1, unchanged: 2, retired: 0 });
  });

  it('refuses unknown facilities, scattered and inconsistent rows, and duplicates', async () => {
    const csv = [
      'registry_id,name,gender,state_code,registration_council,registration_number,facility_registry_id,role,role_specialities',
      '71000000000010,Dr A,female,9,UPMC,2001,IN0999999999,hub_doctor,', // line 2: no such facility
      '71000000000011,Dr B,male,9,UPMC,2001,IN0900000001,hub_doctor,', // line 3: same registration as line 2
      '71000000000011,Dr B Two,male,9,UPMC,2001,IN0900000001,hub_doctor,', // line 4: name differs, role twice
      '71000000000010,Dr A,female,9,UPMC,2001,IN0900000001,opd_doctor,', // line 5: rows apart
      '71000000000012,Dr C,female,9,,,IN0900000001,surgeon,unknown_code', // line 6
      '71000000000013,Dr D,female,9,UPMC,1001,,,', // line 7: registration of Dr Anil Verma
    ].join('\n');
    const response = await post('practitioners', csv, national);
    expect(response.statusCode).toBe(422);
    expect(response.json().issue.map((i: { expression: string[] }) => i.expression[0])).toEqual([
      'line 2.facility_registry_id',
      'line 3.registration_number',
      'line 4.name',
      'line 4.role',
      'line 5.registry_id',
      'line 6.role',
      'line 6.role_specialities',
      'line 7.registration_number',
    ]);
    expect(await count('practitioners', `registry_id like '7100000000001%'`)).toBe(0);
  });

  it('refuses roles at facilities of another state for a state administrator', async () => {
    await post(
      'facilities',
      'registry_id,name,kind,state_code,district_code\nIN2900000050,Bengaluru Hub,hub,29,525',
      national,
    );
    const csv = [
      'registry_id,name,gender,state_code,facility_registry_id,role',
      '71000000000020,Dr E,female,9,IN2900000050,hub_doctor',
      '71000000000021,Dr F,female,29,IN0900000001,hub_doctor',
    ].join('\n');
    const response = await post('practitioners', csv, upAdmin);
    expect(response.statusCode).toBe(422);
    expect(response.json().issue.map((i: { expression: string[] }) => i.expression[0])).toEqual([
      'line 2.facility_registry_id',
      'line 3.state_code',
    ]);
  });
});

describe('importing spoke-hub mappings', () => {
  const MAPPINGS = [
    'spoke_registry_id,speciality_code,hub_registry_id,rank',
    'IN0900000002,general_medicine,IN0900000001,1',
    'IN0900000002,general_medicine,IN0900000004,2',
    'IN0900000002,paediatrics,IN0900000004,1',
    'IN0900000003,general_medicine,IN0900000004,1',
  ].join('\n');

  it('imports ordered hub lists, and changes nothing when imported again', async () => {
    const response = await post('mappings', MAPPINGS, upAdmin);
    expect(response.statusCode).toBe(200);
    expect(response.json().counts.mappings).toEqual({ inserted: 4, updated: 0, unchanged: 0, retired: 0 });
    const again = await post('mappings', MAPPINGS, upAdmin);
    expect(again.json().counts.mappings).toEqual({ inserted: 0, updated: 0, unchanged: 4, retired: 0 });
    expect(await count('spoke_hub_mappings')).toBe(4);
  });

  it('replaces a changed list, closing the old rows and keeping them as history', async () => {
    const swapped = MAPPINGS.replace('IN0900000001,1\n', 'IN0900000004,1\n').replace(
      'general_medicine,IN0900000004,2',
      'general_medicine,IN0900000001,2',
    );
    const response = await post('mappings', swapped, upAdmin);
    expect(response.json().counts.mappings).toEqual({ inserted: 0, updated: 2, unchanged: 2, retired: 2 });
    expect(await count('spoke_hub_mappings', 'valid_to is null')).toBe(4);
    expect(await count('spoke_hub_mappings', 'valid_to is not null')).toBe(2);
    const [first] = await test.database.db.query<{ registryId: string }>(
      `select h.registry_id as "registryId" from spoke_hub_mappings m join facilities s on s.id = m.spoke_id
       join facilities h on h.id = m.hub_id
       where s.registry_id = 'IN0900000002' and m.speciality_code = 'general_medicine' and m.rank = 1 and m.valid_to is null`,
    );
    expect(first?.registryId).toBe('IN0900000004');
  });

  it('refuses references to unknown facilities, wrong kinds, other states and broken rank order', async () => {
    const csv = [
      'spoke_registry_id,speciality_code,hub_registry_id,rank',
      'IN0911111111,general_medicine,IN0900000001,1', // line 2: unknown spoke
      'IN0900000002,cardiology,IN0922222222,1', // line 3: unknown hub
      'IN0900000002,cardiology,IN0900000001,3', // line 4: rank 3 after 1
      'IN0900000001,general_medicine,IN0900000004,1', // line 5: a hub is not a spoke
      'IN0900000003,paediatrics,IN0900000002,1', // line 6: a spoke is not a hub
      'IN0900000003,cardiology,IN2900000050,1', // line 7: hub of another state
      'IN0900000003,dermatology_x,IN0900000004,1', // line 8: unknown speciality
      'IN0900000002,general_medicine,IN0900000004,1', // line 9
      'IN0900000002,cardiology,IN0900000004,1', // line 10: cardiology list of 02 again, apart
    ].join('\n');
    const before = await count('spoke_hub_mappings');
    const response = await post('mappings', csv, upAdmin);
    expect(response.statusCode).toBe(422);
    expect(response.json().issue.map((i: { expression: string[] }) => i.expression[0])).toEqual([
      'line 2.spoke_registry_id',
      'line 3.hub_registry_id',
      'line 4.rank',
      'line 5.spoke_registry_id',
      'line 6.hub_registry_id',
      'line 7.hub_registry_id',
      'line 8.speciality_code',
      'line 10.spoke_registry_id',
    ]);
    expect(await count('spoke_hub_mappings')).toBe(before);
  });
});

describe('the file templates', () => {
  it('gives the header line of each kind', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: '/api/v1/imports/mappings/template',
      headers: national.auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.body).toBe('spoke_registry_id,speciality_code,hub_registry_id,rank\r\n');
  });
});
