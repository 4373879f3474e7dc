import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFacility,
  createStaff,
  KA,
  signInPatient,
  startTestApp,
  UP,
  type StaffFixture,
  type TestApp,
} from '../../test/app.js';

/**
 * Online OPDs: settings, weekly hours in the state's time zone, the list patients choose from.
 * The clock starts at 2026-11-22T10:00Z, Sunday 15:30 in India.
 */
let test: TestApp;
let upAdmin: StaffFixture;
let kaAdmin: StaffFixture;
let nationalAdmin: StaffFixture;
let upOpd: string;
let upOpdUnconfigured: string;
let upHub: string;
let kaOpd: string;
let patient: { cookie: string };

const SETTINGS = {
  specialityCode: 'general_medicine',
  dailyCapacity: 120,
  waitingRoomSize: 30,
  consultationMinutes: 10,
  languages: ['hi', 'en'],
};
const WEEKDAYS_9_TO_5 = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opensAt: '09:00', closesAt: '17:00' }));

const putSettings = (who: StaffFixture, facilityId: string, payload: object) =>
  test.app.inject({ method: 'PUT', url: `/api/v1/opds/${facilityId}/settings`, headers: who.auth, payload });
const putHours = (who: StaffFixture, facilityId: string, payload: object) =>
  test.app.inject({ method: 'PUT', url: `/api/v1/opds/${facilityId}/hours`, headers: who.auth, payload });
const fieldsOf = (body: { issue: { expression?: string[] }[] }) => body.issue.map((i) => i.expression?.[0]);

function setClock(iso: string): void {
  test.clock.advance(new Date(iso).getTime() - test.clock.now().getTime());
}

async function addDoctor(facilityId: string, shifts: { weekday: number; startsAt: string; endsAt: string }[]) {
  const id = randomUUID();
  await test.database.db.query(
    "insert into practitioners (id, state_id, name, gender) values ($1, $2, 'Dr OPD', 'male')",
    [id, UP.stateId],
  );
  await test.database.db.query(
    `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role)
     values ($1, $2, $3, $4, 'opd_doctor')`,
    [randomUUID(), id, facilityId, UP.stateId],
  );
  if (shifts.length > 0) {
    const response = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/practitioners/${id}/shifts`,
      headers: upAdmin.auth,
      payload: { facilityId, shifts },
    });
    expect(response.statusCode).toBe(200);
  }
  return id;
}

beforeAll(async () => {
  test = await startTestApp();
  await test.database.db.query(
    `insert into specialities (code, name) values ('general_medicine', 'General Medicine'), ('paediatrics', 'Paediatrics')
     on conflict do nothing`,
  );
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
  nationalAdmin = await createStaff(test, 'national_admin');
  upOpd = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  upOpdUnconfigured = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  upHub = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  kaOpd = await createFacility(test, KA.stateId, KA.districtId, 'opd');
  patient = await signInPatient(test, '9876500001');
});
afterAll(async () => {
  await test.close();
});

describe('OPD settings', () => {
  it("lets the state's administrator set them, and audits creation then change", async () => {
    const first = await putSettings(upAdmin, upOpd, SETTINGS);
    expect(first.statusCode).toBe(200);
    expect(first.json().settings).toEqual({ ...SETTINGS, specialityName: 'General Medicine' });
    const second = await putSettings(upAdmin, upOpd, { ...SETTINGS, dailyCapacity: 150, specialityCode: null });
    expect(second.statusCode).toBe(200);
    expect(second.json().settings).toMatchObject({ dailyCapacity: 150, specialityCode: null, specialityName: null });
    const audit = await test.database.db.query<{ action: string; actorId: string; stateId: string }>(
      `select action, actor_id as "actorId", state_id as "stateId" from audit_log
       where resource_type = 'OpdSettings' and resource_id = $1 order by seq`,
      [upOpd],
    );
    expect(audit).toEqual([
      { action: 'create', actorId: upAdmin.userId, stateId: UP.stateId },
      { action: 'update', actorId: upAdmin.userId, stateId: UP.stateId },
    ]);
    expect((await putSettings(nationalAdmin, kaOpd, { ...SETTINGS, languages: ['kn'] })).statusCode).toBe(200);
  });

  it('refuses bad capacity, waiting room, time limit, speciality or languages with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ dailyCapacity: 0 }, 'body.dailyCapacity'],
      [{ dailyCapacity: -5 }, 'body.dailyCapacity'],
      [{ dailyCapacity: 2.5 }, 'body.dailyCapacity'],
      [{ waitingRoomSize: 'many' }, 'body.waitingRoomSize'],
      [{ waitingRoomSize: 0 }, 'body.waitingRoomSize'],
      [{ consultationMinutes: 0 }, 'body.consultationMinutes'],
      [{ consultationMinutes: 121 }, 'body.consultationMinutes'],
      [{ specialityCode: 'astrology' }, 'body.specialityCode'],
      [{ specialityCode: 'Not A Code!' }, 'body.specialityCode'],
      [{ languages: ['Hindi'] }, 'body.languages.0'],
      [{ colour: 'blue' }, 'body.colour'],
    ];
    for (const [change, field] of cases) {
      const response = await putSettings(upAdmin, upOpd, { ...SETTINGS, ...change });
      expect(response.statusCode, field).toBe(400);
      expect(response.json().resourceType).toBe('OperationOutcome');
      expect(fieldsOf(response.json()), field).toContain(field);
    }
    const { waitingRoomSize: _omitted, ...missing } = SETTINGS;
    const response = await putSettings(upAdmin, upOpd, missing);
    expect(response.statusCode).toBe(400);
    expect(fieldsOf(response.json())).toEqual(['body.waitingRoomSize']);
    // Nothing changed.
    const current = await test.app.inject({ method: 'GET', url: `/api/v1/opds/${upOpd}`, headers: upAdmin.auth });
    expect(current.json().settings.dailyCapacity).toBe(150);
  });

  it("is only for OPDs: a hub's settings are a 400, an unknown facility a 404", async () => {
    const hub = await putSettings(upAdmin, upHub, SETTINGS);
    expect(hub.statusCode).toBe(400);
    expect(fieldsOf(hub.json())).toEqual(['params.facilityId']);
    expect((await putSettings(upAdmin, randomUUID(), SETTINGS)).statusCode).toBe(404);
    expect((await putSettings(upAdmin, 'not-a-uuid', SETTINGS)).statusCode).toBe(400);
  });

  it("keeps another state's OPD out of reach: an administrator of IN-09 gets 404 for IN-29's", async () => {
    const settings = await putSettings(upAdmin, kaOpd, { ...SETTINGS, dailyCapacity: 1 });
    expect(settings.statusCode).toBe(404);
    expect(settings.json().resourceType).toBe('OperationOutcome');
    expect((await putHours(upAdmin, kaOpd, { sessions: [] })).statusCode).toBe(404);
    expect(
      (await test.app.inject({ method: 'GET', url: `/api/v1/opds/${kaOpd}`, headers: upAdmin.auth })).statusCode,
    ).toBe(404);
    const ka = await test.app.inject({ method: 'GET', url: `/api/v1/opds/${kaOpd}`, headers: kaAdmin.auth });
    expect(ka.json().settings.dailyCapacity).toBe(120);
  });

  it('is refused to roles that do not administer the network', async () => {
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    expect((await putSettings(coordinator, upOpd, SETTINGS)).statusCode).toBe(403);
    const response = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/opds/${upOpd}/settings`,
      headers: { cookie: patient.cookie },
      payload: SETTINGS,
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('OPD hours', () => {
  it('replaces the week, audited, and tells whether it is open in India time', async () => {
    const response = await putHours(upAdmin, upOpd, { sessions: WEEKDAYS_9_TO_5 });
    expect(response.statusCode).toBe(200);
    expect(response.json().hours).toHaveLength(7);
    expect(response.json()).toMatchObject({ timeZone: 'Asia/Kolkata', openNow: true }); // Sunday 15:30 IST
    const again = await putHours(upAdmin, upOpd, {
      sessions: [
        ...WEEKDAYS_9_TO_5.filter((s) => s.weekday !== 0),
        { weekday: 0, opensAt: '09:00', closesAt: '12:00' },
        { weekday: 0, opensAt: '14:00', closesAt: '17:00' },
      ],
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().hours.filter((h: { weekday: number }) => h.weekday === 0)).toEqual([
      { weekday: 0, opensAt: '09:00', closesAt: '12:00' },
      { weekday: 0, opensAt: '14:00', closesAt: '17:00' },
    ]);
    const audit = await test.database.db.query<{ action: string; detail: unknown }>(
      `select action, detail from audit_log where resource_type = 'OpdHours' and resource_id = $1 order by seq`,
      [upOpd],
    );
    expect(audit).toEqual([
      { action: 'update', detail: { sessions: 7, removed: 0 } },
      { action: 'update', detail: { sessions: 8, removed: 7 } },
    ]);
  });

  it('is open at 03:45 UTC and closed at 11:31 UTC for 09:00–17:00 IST, judged on the local weekday', async () => {
    const monday = async (iso: string) => {
      setClock(iso);
      const response = await test.app.inject({ method: 'GET', url: `/api/v1/opds/${upOpd}`, headers: upAdmin.auth });
      return response.json<Record<string, unknown>>();
    };
    expect(await monday('2026-11-23T03:45:00Z')).toMatchObject({
      openNow: true,
      opensAt: '2026-11-23T03:30:00.000Z',
      closesAt: '2026-11-23T11:30:00.000Z',
    });
    expect(await monday('2026-11-23T11:31:00Z')).toMatchObject({
      openNow: false,
      opensAt: '2026-11-24T03:30:00.000Z',
    });
    // Sunday 18:45 UTC is Monday 00:15 in India: a Monday 00:00–01:00 session is open, though UTC says Sunday.
    await putHours(upAdmin, upOpd, { sessions: [{ weekday: 1, opensAt: '00:00', closesAt: '01:00' }] });
    expect(await monday('2026-11-22T18:45:00Z')).toMatchObject({
      openNow: true,
      opensAt: '2026-11-22T18:30:00.000Z',
      closesAt: '2026-11-22T19:30:00.000Z',
    });
    await putHours(upAdmin, upOpd, { sessions: WEEKDAYS_9_TO_5 });
    setClock('2026-11-22T10:00:00Z');
  });

  it('refuses sessions that close before they open, overlap, or use impossible times', async () => {
    const cases: [object, string][] = [
      [{ sessions: [{ weekday: 1, opensAt: '17:00', closesAt: '09:00' }] }, 'body.sessions.0.closesAt'],
      [{ sessions: [{ weekday: 1, opensAt: '09:00', closesAt: '09:00' }] }, 'body.sessions.0.closesAt'],
      [
        {
          sessions: [
            { weekday: 1, opensAt: '09:00', closesAt: '13:00' },
            { weekday: 1, opensAt: '12:00', closesAt: '17:00' },
          ],
        },
        'body.sessions.1',
      ],
      [{ sessions: [{ weekday: 1, opensAt: '24:00', closesAt: '24:00' }] }, 'body.sessions.0.opensAt'],
      [{ sessions: [{ weekday: 8, opensAt: '09:00', closesAt: '10:00' }] }, 'body.sessions.0.weekday'],
      [{ sessions: [{ weekday: 1, opensAt: '9:00', closesAt: '10:00' }] }, 'body.sessions.0.opensAt'],
      [{}, 'body.sessions'],
    ];
    for (const [payload, field] of cases) {
      const response = await putHours(upAdmin, upOpd, payload);
      expect(response.statusCode, field).toBe(400);
      expect(fieldsOf(response.json()), field).toContain(field);
    }
    const hub = await putHours(upAdmin, upHub, { sessions: WEEKDAYS_9_TO_5 });
    expect(hub.statusCode).toBe(400);
    expect(fieldsOf(hub.json())).toEqual(['params.facilityId']);
  });
});

describe('the list of OPDs', () => {
  let onShift: string;

  beforeAll(async () => {
    // Three OPD doctors: one on shift now (Sunday 15:30 IST), one on shift but on a break, one not on shift.
    onShift = await addDoctor(upOpd, [{ weekday: 0, startsAt: '14:00', endsAt: '20:00' }]);
    const onBreak = await addDoctor(upOpd, [{ weekday: 0, startsAt: '14:00', endsAt: '20:00' }]);
    await addDoctor(upOpd, [{ weekday: 1, startsAt: '09:00', endsAt: '17:00' }]);
    await test.database.db.query(
      "insert into practitioner_availability (practitioner_id, status, changed_at) values ($1, 'break', $2)",
      [onBreak, test.clock.now()],
    );
    // A hub doctor of the same facility does not count as an OPD doctor.
    const hubDoctor = randomUUID();
    await test.database.db.query(
      "insert into practitioners (id, state_id, name, gender) values ($1, $2, 'Dr Hub', 'female')",
      [hubDoctor, UP.stateId],
    );
    await test.database.db.query(
      `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role) values ($1, $2, $3, $4, 'hub_doctor')`,
      [randomUUID(), hubDoctor, upOpd, UP.stateId],
    );
  });

  it("shows patients a state's configured OPDs with opening status and doctors on shift", async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds?stateId=${UP.stateId}`,
      headers: { cookie: patient.cookie },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.total).toBe(1);
    expect(body.items).toEqual([
      {
        id: upOpd,
        name: expect.any(String),
        stateId: UP.stateId,
        districtId: UP.districtId,
        specialityCode: null,
        specialityName: null,
        languages: ['hi', 'en'],
        dailyCapacity: 150,
        waitingRoomSize: 30,
        consultationMinutes: 10,
        openNow: true,
        opensAt: '2026-11-22T03:30:00.000Z',
        closesAt: '2026-11-22T11:30:00.000Z',
        activeDoctors: 3,
        doctorsOnShift: 2,
        doctorsAvailable: 1,
        waiting: 0,
        // Nobody waiting, one doctor free: a newcomer is called at once.
        estimatedWaitMinutes: 0,
      },
    ]);
    expect(body.items.map((o: { id: string }) => o.id)).not.toContain(upOpdUnconfigured);
  });

  it('counts the doctors the roster service puts on shift at this OPD', async () => {
    const onShiftNow = await test.app.services.rosters.onShiftNow([upOpd], test.clock.now(), { role: 'opd_doctor' });
    expect(onShiftNow.filter((p) => p.status === 'available').map((p) => p.practitionerId)).toEqual([onShift]);
  });

  it("lets a patient see any state's OPDs, and filter by speciality", async () => {
    await putSettings(kaAdmin, kaOpd, { ...SETTINGS, specialityCode: 'paediatrics', languages: ['kn'] });
    const ka = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds?stateId=${KA.stateId}&speciality=paediatrics`,
      headers: { cookie: patient.cookie },
    });
    expect(ka.statusCode).toBe(200);
    expect(ka.json().items).toHaveLength(1);
    expect(ka.json().items[0]).toMatchObject({
      id: kaOpd,
      specialityCode: 'paediatrics',
      specialityName: 'Paediatrics',
      openNow: false, // no hours set
      activeDoctors: 0,
    });
    expect(ka.json().items[0].opensAt).toBeUndefined();
    const none = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds?stateId=${KA.stateId}&speciality=general_medicine`,
      headers: { cookie: patient.cookie },
    });
    expect(none.json()).toEqual({ total: 0, items: [] });
  });

  it("shows staff their own states' OPDs only", async () => {
    const doctor = await createStaff(test, 'opd_doctor', { facilityId: upOpd });
    const own = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds?stateId=${UP.stateId}`,
      headers: doctor.auth,
    });
    expect(own.json().total).toBe(1);
    const other = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds?stateId=${KA.stateId}`,
      headers: doctor.auth,
    });
    expect(other.json()).toEqual({ total: 0, items: [] });
  });

  it('needs a stateId, and sign-in', async () => {
    const missing = await test.app.inject({ method: 'GET', url: '/api/v1/opds', headers: { cookie: patient.cookie } });
    expect(missing.statusCode).toBe(400);
    expect(fieldsOf(missing.json())).toEqual(['querystring.stateId']);
    expect((await test.app.inject({ method: 'GET', url: `/api/v1/opds?stateId=${UP.stateId}` })).statusCode).toBe(401);
  });
});

describe('one OPD', () => {
  it('gives a patient the full settings and hours of a configured OPD', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds/${upOpd}`,
      headers: { cookie: patient.cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: upOpd,
      active: true,
      timeZone: 'Asia/Kolkata',
      settings: { dailyCapacity: 150, waitingRoomSize: 30, consultationMinutes: 10, languages: ['hi', 'en'] },
      openNow: true,
      activeDoctors: 3,
    });
    expect(response.json().hours).toHaveLength(7);
  });

  it('hides an OPD without settings, or a facility that is not an OPD, from patients; admins see it unset', async () => {
    const get = (id: string, headers: Record<string, string>) =>
      test.app.inject({ method: 'GET', url: `/api/v1/opds/${id}`, headers });
    expect((await get(upOpdUnconfigured, { cookie: patient.cookie })).statusCode).toBe(404);
    expect((await get(upHub, { cookie: patient.cookie })).statusCode).toBe(404);
    const admin = await get(upOpdUnconfigured, upAdmin.auth);
    expect(admin.statusCode).toBe(200);
    expect(admin.json()).toMatchObject({ settings: null, hours: [], openNow: false, activeDoctors: 0 });
  });

  it('answers openNow for other modules through the service', async () => {
    const opds = test.app.services.opds;
    expect((await opds.openNow(upOpd, new Date('2026-11-22T03:45:00Z'))).openNow).toBe(true);
    expect((await opds.openNow(upOpd, new Date('2026-11-22T11:31:00Z'))).openNow).toBe(false);
  });
});
