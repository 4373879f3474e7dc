import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFacility, createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';
import { RosterRepository } from './repository.js';
import { RosterService } from './service.js';

/**
 * Rosters: weekly shifts in the state's local time, leave and holidays, and a doctor's own
 * availability, which the roster overrules. The clock starts at 2026-11-22T10:00Z, which is
 * Sunday 15:30 in India (UTC+5:30).
 */
let test: TestApp;
let upAdmin: StaffFixture;
let kaAdmin: StaffFixture;
let nationalAdmin: StaffFixture;
let upCoordinator: StaffFixture;
let upHub: string;
let upHub2: string;
let kaHub: string;
let nurse: string; // a practitioner without a sign-in

const SUNDAY = 0;
const SATURDAY = 6;

async function addPractitioner(stateId: string, userId: string | null = null): Promise<string> {
  const id = randomUUID();
  await test.database.db.query(
    "insert into practitioners (id, state_id, user_id, name, gender) values ($1, $2, $3, $4, 'female')",
    [id, stateId, userId, `Dr Test ${id.slice(0, 6)}`],
  );
  return id;
}

async function addRole(practitionerId: string, facilityId: string, role: string, active = true): Promise<void> {
  await test.database.db.query(
    `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role, active)
     select $1, $2, $3, state_id, $4, $5 from facilities where id = $3`,
    [randomUUID(), practitionerId, facilityId, role, active],
  );
}

/** Moves the test clock to an instant (forwards or backwards). */
function setClock(iso: string): void {
  test.clock.advance(new Date(iso).getTime() - test.clock.now().getTime());
}

const putShifts = (who: StaffFixture, practitionerId: string, payload: object) =>
  test.app.inject({
    method: 'PUT',
    url: `/api/v1/practitioners/${practitionerId}/shifts`,
    headers: who.auth,
    payload,
  });

const getShifts = (who: StaffFixture, practitionerId: string) =>
  test.app.inject({ method: 'GET', url: `/api/v1/practitioners/${practitionerId}/shifts`, headers: who.auth });

async function auditEntries(resourceType: string, resourceId: string) {
  return test.database.db.query<{ action: string; actorId: string; detail: Record<string, unknown> }>(
    `select action, actor_id as "actorId", detail from audit_log
     where resource_type = $1 and resource_id = $2 order by seq`,
    [resourceType, resourceId],
  );
}

beforeAll(async () => {
  test = await startTestApp();
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
  nationalAdmin = await createStaff(test, 'national_admin');
  upCoordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
  upHub = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  upHub2 = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  kaHub = await createFacility(test, KA.stateId, KA.districtId, 'hub');
  nurse = await addPractitioner(UP.stateId);
});
afterAll(async () => {
  await test.close();
});

describe('weekly shifts', () => {
  it("lets the state's administrator replace a practitioner's week at a facility, and audits it", async () => {
    const first = await putShifts(upAdmin, nurse, {
      facilityId: upHub,
      shifts: [
        { weekday: SATURDAY, startsAt: '22:00', endsAt: '06:00' },
        { weekday: 1, startsAt: '09:00', endsAt: '13:00', validFrom: '2026-12-01', validTo: '2027-03-31' },
        { weekday: 1, startsAt: '14:00', endsAt: '17:00' },
      ],
    });
    expect(first.statusCode).toBe(200);
    const items = first.json().items;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({
      practitionerId: nurse,
      facilityId: upHub,
      stateId: UP.stateId,
      weekday: 1,
      startsAt: '09:00',
      endsAt: '13:00',
      overnight: false,
      validFrom: '2026-12-01',
      validTo: '2027-03-31',
    });
    expect(items[2]).toMatchObject({ weekday: SATURDAY, startsAt: '22:00', endsAt: '06:00', overnight: true });

    // Replacing means replacing: the old week at this facility is gone.
    const second = await putShifts(upAdmin, nurse, {
      facilityId: upHub,
      shifts: [{ weekday: SUNDAY, startsAt: '08:00', endsAt: '20:00' }],
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().items).toHaveLength(1);
    // Shifts at another facility are kept apart.
    expect(
      (
        await putShifts(nationalAdmin, nurse, {
          facilityId: upHub2,
          shifts: [{ weekday: 2, startsAt: '10:00', endsAt: '12:00' }],
        })
      ).statusCode,
    ).toBe(200);
    const list = await getShifts(upAdmin, nurse);
    expect(list.json().items).toHaveLength(2);

    const audit = await auditEntries('Roster', nurse);
    expect(audit.map((a) => a.action)).toEqual(['update', 'update', 'update']);
    expect(audit[0]).toMatchObject({ actorId: upAdmin.userId, detail: { facilityId: upHub, shifts: 3, removed: 0 } });
    expect(audit[1]?.detail).toMatchObject({ shifts: 1, removed: 3 });
  });

  it('answers bad shifts with a 400 naming the field', async () => {
    const cases: [object, string][] = [
      [{ facilityId: upHub, shifts: [{ weekday: 1, startsAt: '25:00', endsAt: '06:00' }] }, 'body.shifts.0.startsAt'],
      [{ facilityId: upHub, shifts: [{ weekday: 7, startsAt: '09:00', endsAt: '10:00' }] }, 'body.shifts.0.weekday'],
      [{ facilityId: upHub, shifts: [{ weekday: 1, startsAt: '09:00', endsAt: '09:00' }] }, 'body.shifts.0.endsAt'],
      [
        {
          facilityId: upHub,
          shifts: [{ weekday: 1, startsAt: '09:00', endsAt: '10:00', validFrom: '2026-12-01', validTo: '2026-11-01' }],
        },
        'body.shifts.0.validTo',
      ],
      [
        {
          facilityId: upHub,
          shifts: [
            { weekday: SATURDAY, startsAt: '22:00', endsAt: '06:00' },
            { weekday: SUNDAY, startsAt: '05:00', endsAt: '09:00' },
          ],
        },
        'body.shifts.1',
      ],
      [{ facilityId: kaHub, shifts: [] }, 'body.facilityId'],
      [{ facilityId: randomUUID(), shifts: [] }, 'body.facilityId'],
      [{ shifts: [] }, 'body.facilityId'],
    ];
    for (const [payload, field] of cases) {
      const response = await putShifts(upAdmin, nurse, payload);
      expect(response.statusCode, field).toBe(400);
      expect(response.json().resourceType).toBe('OperationOutcome');
      expect(response.json().issue.map((i: { expression: string[] }) => i.expression[0])).toContain(field);
    }
    // Nothing changed.
    expect((await getShifts(upAdmin, nurse)).json().items).toHaveLength(2);
  });

  it("hides one state's rosters from another state's administrator (404), and changes nothing", async () => {
    expect((await getShifts(kaAdmin, nurse)).statusCode).toBe(404);
    const replace = await putShifts(kaAdmin, nurse, { facilityId: upHub, shifts: [] });
    expect(replace.statusCode).toBe(404);
    expect(replace.json().resourceType).toBe('OperationOutcome');
    const [shift] = (await getShifts(upAdmin, nurse)).json().items;
    const remove = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/shifts/${shift.id}`,
      headers: kaAdmin.auth,
    });
    expect(remove.statusCode).toBe(404);
    expect((await getShifts(upAdmin, nurse)).json().items).toHaveLength(2);
  });

  it('lets a coordinator read but not change, and a practitioner read only their own', async () => {
    expect((await getShifts(upCoordinator, nurse)).statusCode).toBe(200);
    expect((await putShifts(upCoordinator, nurse, { facilityId: upHub, shifts: [] })).statusCode).toBe(403);

    const doctor = await createStaff(test, 'hub_doctor', { facilityId: upHub });
    const doctorId = await addPractitioner(UP.stateId, doctor.userId);
    await putShifts(upAdmin, doctorId, {
      facilityId: upHub,
      shifts: [{ weekday: 3, startsAt: '09:00', endsAt: '17:00' }],
    });
    const own = await getShifts(doctor, doctorId);
    expect(own.statusCode).toBe(200);
    expect(own.json().items).toHaveLength(1);
    expect((await getShifts(doctor, nurse)).statusCode).toBe(404);
    expect((await putShifts(doctor, doctorId, { facilityId: upHub, shifts: [] })).statusCode).toBe(403);
  });

  it('deletes one shift, audited; a second delete is 404', async () => {
    const [shift] = (await getShifts(upAdmin, nurse)).json().items;
    const url = `/api/v1/shifts/${shift.id}`;
    expect((await test.app.inject({ method: 'DELETE', url, headers: upAdmin.auth })).statusCode).toBe(200);
    expect((await test.app.inject({ method: 'DELETE', url, headers: upAdmin.auth })).statusCode).toBe(404);
    expect((await getShifts(upAdmin, nurse)).json().items).toHaveLength(1);
    const audit = await auditEntries('Roster', nurse);
    expect(audit.at(-1)).toMatchObject({ action: 'delete', detail: { shiftId: shift.id } });
  });
});

describe('leave and holidays', () => {
  const post = (who: StaffFixture, payload: object) =>
    test.app.inject({ method: 'POST', url: '/api/v1/roster-exceptions', headers: who.auth, payload });

  it('records leave once, replays a retry with the same id, and refuses a second leave that day', async () => {
    const id = randomUUID();
    const first = await post(upAdmin, { id, kind: 'leave', practitionerId: nurse, date: '2026-12-25', note: 'family' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      id,
      kind: 'leave',
      stateId: UP.stateId,
      practitionerId: nurse,
      date: '2026-12-25',
      note: 'family',
    });
    expect((await post(upAdmin, { id, kind: 'leave', practitionerId: nurse, date: '2026-12-25' })).statusCode).toBe(
      200,
    );
    const again = await post(upAdmin, { kind: 'leave', practitionerId: nurse, date: '2026-12-25' });
    expect(again.statusCode).toBe(409);
    expect(again.json().issue[0].expression).toEqual(['body.date']);
    const audit = await auditEntries('RosterException', id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', actorId: upAdmin.userId });
  });

  it('records holidays of a whole state, only for the states one administers', async () => {
    const holiday = await post(upAdmin, { kind: 'holiday', stateId: UP.stateId, date: '2027-01-26' });
    expect(holiday.statusCode).toBe(201);
    expect(holiday.json()).toMatchObject({ kind: 'holiday', stateId: UP.stateId, practitionerId: null });
    expect((await post(upAdmin, { kind: 'holiday', stateId: KA.stateId, date: '2027-01-26' })).statusCode).toBe(403);
    expect((await post(kaAdmin, { kind: 'leave', practitionerId: nurse, date: '2027-01-27' })).statusCode).toBe(404);
    expect((await post(upCoordinator, { kind: 'holiday', stateId: UP.stateId, date: '2027-01-28' })).statusCode).toBe(
      403,
    );
  });

  it('names the missing or wrong field', async () => {
    const cases: [object, string][] = [
      [{ kind: 'leave', date: '2027-02-01' }, 'body.practitionerId'],
      [{ kind: 'holiday', date: '2027-02-01' }, 'body.stateId'],
      [{ kind: 'holiday', stateId: 'IN-99', date: '2027-02-01' }, 'body.stateId'],
      [{ kind: 'holiday', stateId: UP.stateId, practitionerId: nurse, date: '2027-02-01' }, 'body.practitionerId'],
      [{ kind: 'holiday', stateId: UP.stateId, date: '2027-02-30' }, 'body.date'],
      [{ kind: 'vacation', stateId: UP.stateId, date: '2027-02-01' }, 'body.kind'],
    ];
    for (const [payload, field] of cases) {
      const response = await post(upAdmin, payload);
      expect(response.statusCode, field).toBe(400);
      expect(response.json().issue.map((i: { expression: string[] }) => i.expression[0])).toContain(field);
    }
  });

  it("lists a state's leave and holidays, or a practitioner's leave with their state's holidays", async () => {
    const state = await test.app.inject({
      method: 'GET',
      url: `/api/v1/roster-exceptions?stateId=${UP.stateId}&from=2026-12-01`,
      headers: upCoordinator.auth,
    });
    expect(state.statusCode).toBe(200);
    expect(state.json().items.map((e: { date: string }) => e.date)).toEqual(['2026-12-25', '2027-01-26']);
    const other = await test.app.inject({
      method: 'GET',
      url: `/api/v1/roster-exceptions?stateId=${UP.stateId}`,
      headers: kaAdmin.auth,
    });
    expect(other.json().items).toEqual([]);
    const mine = await test.app.inject({
      method: 'GET',
      url: `/api/v1/roster-exceptions?practitionerId=${nurse}&kind=holiday`,
      headers: upAdmin.auth,
    });
    expect(mine.json().items).toHaveLength(1);
    expect(
      (await test.app.inject({ method: 'GET', url: '/api/v1/roster-exceptions', headers: upAdmin.auth })).statusCode,
    ).toBe(400);
  });

  it('deletes a leave, audited; not from another state', async () => {
    const created = await post(upAdmin, { kind: 'leave', practitionerId: nurse, date: '2027-03-01' });
    const url = `/api/v1/roster-exceptions/${created.json().id}`;
    expect((await test.app.inject({ method: 'DELETE', url, headers: kaAdmin.auth })).statusCode).toBe(404);
    expect((await test.app.inject({ method: 'DELETE', url, headers: upAdmin.auth })).statusCode).toBe(200);
    expect((await test.app.inject({ method: 'DELETE', url, headers: upAdmin.auth })).statusCode).toBe(404);
    expect((await auditEntries('RosterException', created.json().id)).map((a) => a.action)).toEqual([
      'create',
      'delete',
    ]);
  });
});

describe("a doctor's availability", () => {
  let doctor: StaffFixture;
  let doctorId: string;
  const me = (who: StaffFixture = doctor) =>
    test.app.inject({ method: 'GET', url: '/api/v1/me/availability', headers: who.auth });
  const set = (status: string, who: StaffFixture = doctor) =>
    test.app.inject({ method: 'PUT', url: '/api/v1/me/availability', headers: who.auth, payload: { status } });

  beforeAll(async () => {
    setClock('2026-11-22T10:00:00Z'); // Sunday 15:30 IST
    doctor = await createStaff(test, 'hub_doctor', { facilityId: upHub });
    doctorId = await addPractitioner(UP.stateId, doctor.userId);
    await addRole(doctorId, upHub, 'hub_doctor');
    // Sunday 09:00–17:00 and Monday 09:00–17:00, India time.
    const response = await putShifts(upAdmin, doctorId, {
      facilityId: upHub,
      shifts: [
        { weekday: SUNDAY, startsAt: '09:00', endsAt: '17:00' },
        { weekday: 1, startsAt: '09:00', endsAt: '17:00' },
      ],
    });
    expect(response.statusCode).toBe(200);
  });

  it('is 404 with an OperationOutcome for a doctor without a practitioner record, 403 for other roles', async () => {
    const stranger = await createStaff(test, 'opd_doctor', { facilityId: upHub });
    const response = await me(stranger);
    expect(response.statusCode).toBe(404);
    expect(response.json().issue[0].diagnostics).toMatch(/practitioner record linked to your account/);
    expect((await set('available', stranger)).statusCode).toBe(404);
    expect((await me(upAdmin)).statusCode).toBe(403);
  });

  it('is available by default while on shift, with the end of the shift', async () => {
    const response = await me();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      practitionerId: doctorId,
      status: 'available',
      onShift: true,
      setStatus: null,
      shiftEndsAt: '2026-11-22T11:30:00.000Z',
    });
  });

  it('takes a break, audited; the roster overrules it after the shift', async () => {
    const response = await set('break');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'break', onShift: true, setStatus: 'break' });
    const audit = await auditEntries('PractitionerAvailability', doctorId);
    expect(audit.at(-1)).toMatchObject({ action: 'update', actorId: doctor.userId, detail: { status: 'break' } });

    setClock('2026-11-22T11:31:00Z'); // Sunday 17:01 IST
    expect((await me()).json()).toMatchObject({ status: 'off_shift', onShift: false, setStatus: 'break' });
    expect((await me()).json().shiftEndsAt).toBeUndefined();
    // Saying "available" off shift changes nothing that counts.
    expect((await set('available')).json()).toMatchObject({ status: 'off_shift', setStatus: 'available' });
    await set('break');

    // Next morning's shift starts afresh: yesterday's break does not carry over.
    setClock('2026-11-23T04:00:00Z'); // Monday 09:30 IST
    expect((await me()).json()).toMatchObject({ status: 'available', onShift: true, setStatus: 'break' });
    expect((await set('off_shift')).json()).toMatchObject({ status: 'off_shift', onShift: true });
    expect((await set('available')).json()).toMatchObject({ status: 'available', onShift: true });
  });

  it('is off shift on a holiday of the state, from local midnight (18:30 UTC the day before)', async () => {
    const holiday = await test.app.inject({
      method: 'POST',
      url: '/api/v1/roster-exceptions',
      headers: upAdmin.auth,
      payload: { kind: 'holiday', stateId: UP.stateId, date: '2026-11-30' },
    });
    expect(holiday.statusCode).toBe(201);
    setClock('2026-11-30T04:00:00Z'); // Monday 09:30 IST, a holiday
    expect((await me()).json()).toMatchObject({ status: 'off_shift', onShift: false });
    setClock('2026-12-07T04:00:00Z'); // the next Monday
    expect((await me()).json()).toMatchObject({ status: 'available', onShift: true });
  });

  it('rejects a made-up status', async () => {
    const response = await set('asleep');
    expect(response.statusCode).toBe(400);
    expect(response.json().issue[0].expression).toEqual(['body.status']);
  });
});

describe('availableNow', () => {
  let facility: string;
  let other: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    facility = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    other = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    for (const name of ['day', 'night', 'onBreak', 'onLeave', 'noRole', 'inactiveRole', 'elsewhere', 'inactive']) {
      ids[name] = await addPractitioner(UP.stateId);
    }
    const week = (startsAt: string, endsAt: string) =>
      [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startsAt, endsAt }));
    const roster: [string, string, ReturnType<typeof week>][] = [
      ['day', facility, week('09:00', '17:00')],
      ['night', facility, [{ weekday: SATURDAY, startsAt: '22:00', endsAt: '06:00' }]],
      ['onBreak', facility, week('09:00', '17:00')],
      ['onLeave', facility, week('09:00', '17:00')],
      ['noRole', facility, week('09:00', '17:00')],
      ['inactiveRole', facility, week('09:00', '17:00')],
      ['elsewhere', other, week('09:00', '17:00')],
      ['inactive', facility, week('09:00', '17:00')],
    ];
    for (const [name, at, shifts] of roster) {
      const id = ids[name]!;
      expect((await putShifts(upAdmin, id, { facilityId: at, shifts })).statusCode).toBe(200);
      if (name !== 'noRole') await addRole(id, at, 'hub_doctor', name !== 'inactiveRole');
    }
    await test.database.db.query('update practitioners set active = false where id = $1', [ids.inactive]);
    await test.database.db.query(
      "insert into practitioner_availability (practitioner_id, status, changed_at) values ($1, 'break', '2026-12-01T04:00:00Z')",
      [ids.onBreak],
    );
    await test.database.db.query(
      "insert into roster_exceptions (id, state_id, practitioner_id, on_date, kind) values ($1, $2, $3, '2026-12-01', 'leave')",
      [randomUUID(), UP.stateId, ids.onLeave],
    );
  });

  it('lists who is on shift, active, not on leave and not on a break, in two queries at most', async () => {
    const rosters = test.app.services.rosters;
    const at = new Date('2026-12-01T06:00:00Z'); // Tuesday 11:30 IST
    expect(new Set(await rosters.availableNow([facility], at))).toEqual(new Set([ids.day]));
    expect(new Set(await rosters.availableNow([facility, other], at))).toEqual(new Set([ids.day, ids.elsewhere]));
    const onShift = await rosters.onShiftNow([facility], at);
    expect(onShift.find((p) => p.practitionerId === ids.onBreak)?.status).toBe('break');
    expect(onShift.map((p) => p.practitionerId)).not.toContain(ids.onLeave);
    expect(await rosters.availableNow([], at)).toEqual([]);

    // However many facilities and practitioners: one query for the shifts, one for leave and holidays.
    let queries = 0;
    const db = test.database.db;
    const counting = new Proxy(db, {
      get(target, property) {
        if (property === 'query') {
          return (text: string, params?: readonly unknown[]) => {
            queries += 1;
            return target.query(text, params);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const counted = new RosterService(new RosterRepository(counting), { record: async () => {} }, test.clock);
    expect(new Set(await counted.availableNow([facility, other], at))).toEqual(new Set([ids.day, ids.elsewhere]));
    expect(queries).toBe(2);
  });

  it('uses local time: 18:29 UTC is still Tuesday evening (off), 03:30 UTC is 09:00 IST (on)', async () => {
    const rosters = test.app.services.rosters;
    expect(await rosters.availableNow([facility], new Date('2026-12-01T11:29:00Z'))).toEqual([ids.day]); // 16:59
    expect(await rosters.availableNow([facility], new Date('2026-12-01T11:30:00Z'))).toEqual([]); // 17:00
    expect(await rosters.availableNow([facility], new Date('2026-12-02T03:30:00Z'))).toContain(ids.day); // Wed 09:00
  });

  it("finds the Saturday night doctor at Sunday 03:00, unless on leave on Saturday's date", async () => {
    const rosters = test.app.services.rosters;
    const sundayThreeAm = new Date('2026-12-05T21:30:00Z'); // Sunday 2026-12-06 03:00 IST
    expect(await rosters.availableNow([facility], sundayThreeAm)).toEqual([ids.night]);
    await test.database.db.query(
      "insert into roster_exceptions (id, state_id, practitioner_id, on_date, kind) values ($1, $2, $3, '2026-12-05', 'leave')",
      [randomUUID(), UP.stateId, ids.night],
    );
    expect(await rosters.availableNow([facility], sundayThreeAm)).toEqual([]);
  });
});
