import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDoctor, createFacility, createStaff, KA, startTestApp, UP, type TestApp } from '../../test/app.js';

let test: TestApp;
let doctor: { practitionerId: string };
let facilityId: string;
let patientId: string;

beforeAll(async () => {
  test = await startTestApp();
  facilityId = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  doctor = await createDoctor(test, facilityId, 'hub_doctor');
  patientId = randomUUID();
  await test.database.db.query(
    `insert into patients (id, state_id, district_id, name, sex, birth_year) values ($1, $2, $3, 'Figures Patient', 'female', 1980)`,
    [patientId, UP.stateId, UP.districtId],
  );
});
afterAll(async () => {
  await test.close();
});

/** A consultation of the test's UP hub that started at `startedAt`. */
async function consultation(startedAt: string, kind: 'opd' | 'hub_spoke', status = 'completed') {
  const ended = status === 'in_progress' ? null : startedAt;
  await test.database.db.query(
    `insert into consultations (id, kind, state_id, patient_id, practitioner_id, facility_id, mode, consultation_type,
       consultation_type_source, status, started_at, ended_at, not_happened_reason)
     values ($1, $2, $3, $4, $5, $6, 'video', 'first', 'auto', $7, $8, $9, $10)`,
    [
      randomUUID(),
      kind,
      UP.stateId,
      patientId,
      doctor.practitionerId,
      facilityId,
      status,
      startedAt,
      ended,
      status === 'not_happened' ? 'network_failure' : null,
    ],
  );
}

describe("a state's daily consultation counts", () => {
  it('counts per local day (India time), by kind and outcome, with every day of the range present', async () => {
    // 2026-11-20 18:29 UTC is 23:59 on the 20th in India; 18:31 UTC is 00:01 on the 21st.
    await consultation('2026-11-20T18:29:00Z', 'hub_spoke');
    await consultation('2026-11-20T18:31:00Z', 'hub_spoke');
    await consultation('2026-11-21T05:00:00Z', 'opd', 'not_happened');
    await consultation('2026-11-21T06:00:00Z', 'opd', 'in_progress');
    await consultation('2026-11-22T04:00:00Z', 'opd');
    const admin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const response = await test.app.inject({
      url: `/api/v1/states/${UP.stateId}/consultations/daily?from=2026-11-19&to=2026-11-22`,
      headers: admin.auth,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      timeZone: string;
      days: { day: string; opd: { started: number; completed: number; notHappened: number }; hubSpoke: object }[];
      totals: { opd: object; hubSpoke: object };
    }>();
    expect(body.timeZone).toBe('Asia/Kolkata');
    expect(body.days.map((d) => d.day)).toEqual(['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
    expect(body.days[0]).toEqual({
      day: '2026-11-19',
      opd: { started: 0, completed: 0, notHappened: 0 },
      hubSpoke: { started: 0, completed: 0, notHappened: 0 },
    });
    expect(body.days[1]?.hubSpoke).toEqual({ started: 1, completed: 1, notHappened: 0 });
    expect(body.days[2]).toEqual({
      day: '2026-11-21',
      opd: { started: 2, completed: 0, notHappened: 1 },
      hubSpoke: { started: 1, completed: 1, notHappened: 0 },
    });
    expect(body.totals).toEqual({
      opd: { started: 3, completed: 1, notHappened: 1 },
      hubSpoke: { started: 2, completed: 2, notHappened: 0 },
    });
  });

  it('keeps the counts of finished days and counts the others afresh', async () => {
    const admin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const read = async () =>
      (
        await test.app.inject({
          url: `/api/v1/states/${UP.stateId}/consultations/daily?from=2026-11-17&to=2026-11-22`,
          headers: admin.auth,
        })
      ).json<{ days: { day: string; hubSpoke: { started: number; completed: number } }[] }>();
    const hubOn = async (day: string) => (await read()).days.find((d) => d.day === day)?.hubSpoke;
    // The 17th has a consultation still in progress: not finished, so not kept.
    await consultation('2026-11-17T05:00:00Z', 'hub_spoke', 'in_progress');
    await consultation('2026-11-18T05:00:00Z', 'hub_spoke');
    expect(await hubOn('2026-11-17')).toEqual({ started: 1, completed: 0, notHappened: 0 });
    expect(await hubOn('2026-11-18')).toEqual({ started: 1, completed: 1, notHappened: 0 });
    const kept = await test.database.db.query<{ day: string }>(
      `select to_char(day, 'YYYY-MM-DD') as day from consultation_daily_counts where state_id = $1 order by day`,
      [UP.stateId],
    );
    expect(kept.map((r) => r.day)).not.toContain('2026-11-17');
    expect(kept.map((r) => r.day)).toContain('2026-11-18');
    // What is kept is read, not counted again (a row written behind the service's back shows
    // that); the unfinished 17th and today are counted afresh.
    await consultation('2026-11-18T06:00:00Z', 'hub_spoke');
    await test.database.db.query(
      `update consultations set status = 'completed', ended_at = started_at
      where state_id = $1 and status = 'in_progress' and started_at = '2026-11-17T05:00:00Z'`,
      [UP.stateId],
    );
    await consultation('2026-11-22T05:00:00Z', 'hub_spoke');
    expect(await hubOn('2026-11-18')).toEqual({ started: 1, completed: 1, notHappened: 0 });
    expect(await hubOn('2026-11-17')).toEqual({ started: 1, completed: 1, notHappened: 0 });
    expect(await hubOn('2026-11-22')).toEqual({ started: 1, completed: 1, notHappened: 0 });
  });

  it('defaults to the 30 days ending today in the state', async () => {
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const response = await test.app.inject({
      url: `/api/v1/states/${UP.stateId}/consultations/daily`,
      headers: coordinator.auth,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ from: string; to: string; days: unknown[] }>();
    // The test clock stands at 2026-11-22 10:00 UTC (15:30 in India).
    expect([body.from, body.to, body.days.length]).toEqual(['2026-10-24', '2026-11-22', 30]);
  });

  it("refuses another state's overseer, other roles, and bad ranges", async () => {
    const kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
    const url = `/api/v1/states/${UP.stateId}/consultations/daily`;
    expect((await test.app.inject({ url, headers: kaAdmin.auth })).statusCode).toBe(403);
    const officer = await createStaff(test, 'spoke_operator', { facilityId });
    expect((await test.app.inject({ url, headers: officer.auth })).statusCode).toBe(403);
    expect((await test.app.inject({ url })).statusCode).toBe(401);

    const national = await createStaff(test, 'national_admin');
    const backwards = await test.app.inject({ url: `${url}?from=2026-11-22&to=2026-11-01`, headers: national.auth });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json<{ resourceType: string }>().resourceType).toBe('OperationOutcome');
    const tooLong = await test.app.inject({ url: `${url}?from=2024-01-01&to=2026-11-01`, headers: national.auth });
    expect(tooLong.statusCode).toBe(400);
    const notADate = await test.app.inject({ url: `${url}?from=yesterday`, headers: national.auth });
    expect(notADate.statusCode).toBe(400);
    const noState = await test.app.inject({
      url: '/api/v1/states/IN-99/consultations/daily',
      headers: national.auth,
    });
    expect(noState.statusCode).toBe(404);
  });
});
