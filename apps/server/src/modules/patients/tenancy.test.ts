import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFacility, createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

/**
 * Cross-state isolation: a state administrator of one state can neither read nor change
 * anything of another, and cannot even learn that another state's record exists.
 */
let test: TestApp;
let upAdmin: StaffFixture;
let kaAdmin: StaffFixture;
let nationalAdmin: StaffFixture;
let kaPatientId: string;
let kaFacilityId: string;
let upPatientId: string;

beforeAll(async () => {
  test = await startTestApp();
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
  nationalAdmin = await createStaff(test, 'national_admin');
  kaFacilityId = await createFacility(test, KA.stateId, KA.districtId, 'hub');
  const ka = await test.app.inject({
    method: 'POST',
    url: '/api/v1/patients',
    headers: kaAdmin.auth,
    payload: { stateId: KA.stateId, name: 'Kaveri Rao', sex: 'female', birthYear: 1985 },
  });
  const up = await test.app.inject({
    method: 'POST',
    url: '/api/v1/patients',
    headers: upAdmin.auth,
    payload: { stateId: UP.stateId, name: 'Kaveri Singh', sex: 'female', birthYear: 1985 },
  });
  expect(ka.statusCode).toBe(201);
  expect(up.statusCode).toBe(201);
  kaPatientId = ka.json().id;
  upPatientId = up.json().id;
});
afterAll(async () => {
  await test.close();
});

describe('a state administrator of Uttar Pradesh, facing Karnataka', () => {
  it('cannot read a Karnataka patient, and is told only that it was not found', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${kaPatientId}`,
      headers: upAdmin.auth,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().resourceType).toBe('OperationOutcome');
  });

  it('does not find Karnataka patients in a search', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/patients?q=kaveri', headers: upAdmin.auth });
    expect(response.statusCode).toBe(200);
    const ids = (response.json().items as { id: string }[]).map((p) => p.id);
    expect(ids).toContain(upPatientId);
    expect(ids).not.toContain(kaPatientId);
  });

  it('cannot change a Karnataka patient, and nothing changes', async () => {
    const response = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${kaPatientId}`,
      headers: upAdmin.auth,
      payload: { name: 'Changed' },
    });
    expect(response.statusCode).toBe(404);
    const check = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${kaPatientId}`,
      headers: kaAdmin.auth,
    });
    expect(check.json().name).toBe('Kaveri Rao');
    expect(check.json().version).toBe(1);
  });

  it('cannot register a patient in Karnataka', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: upAdmin.auth,
      payload: { stateId: KA.stateId, name: 'Intruder', sex: 'male' },
    });
    expect(response.statusCode).toBe(403);
    const [row] = await test.database.db.query<{ count: number }>(
      "select count(*)::int as count from patients where name = 'Intruder'",
    );
    expect(row?.count).toBe(0);
  });

  it('cannot read, list, change or add Karnataka facilities', async () => {
    expect(
      (await test.app.inject({ method: 'GET', url: `/api/v1/facilities/${kaFacilityId}`, headers: upAdmin.auth }))
        .statusCode,
    ).toBe(404);
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/facilities?stateId=${KA.stateId}`,
      headers: upAdmin.auth,
    });
    expect(list.json()).toMatchObject({ total: 0, items: [] });
    const change = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/facilities/${kaFacilityId}`,
      headers: upAdmin.auth,
      payload: { active: false },
    });
    expect(change.statusCode).toBe(404);
    const add = await test.app.inject({
      method: 'POST',
      url: '/api/v1/facilities',
      headers: upAdmin.auth,
      payload: { stateId: KA.stateId, districtId: KA.districtId, name: 'Intruder PHC', kind: 'spoke' },
    });
    expect(add.statusCode).toBe(403);
    const facility = await test.app.inject({
      method: 'GET',
      url: `/api/v1/facilities/${kaFacilityId}`,
      headers: kaAdmin.auth,
    });
    expect(facility.json().active).toBe(true);
  });

  it('cannot place an Uttar Pradesh facility in a Karnataka district', async () => {
    const add = await test.app.inject({
      method: 'POST',
      url: '/api/v1/facilities',
      headers: upAdmin.auth,
      payload: { stateId: UP.stateId, districtId: KA.districtId, name: 'Misplaced PHC', kind: 'spoke' },
    });
    expect(add.statusCode).toBe(400);
    expect(add.json().issue[0].expression).toEqual(['body.districtId']);
  });
});

describe('wider and narrower roles', () => {
  it('lets a national administrator see both states', async () => {
    for (const id of [kaPatientId, upPatientId]) {
      expect(
        (await test.app.inject({ method: 'GET', url: `/api/v1/patients/${id}`, headers: nationalAdmin.auth }))
          .statusCode,
      ).toBe(200);
    }
  });

  it("binds a facility role to its facility's state", async () => {
    const kaOperator = await createStaff(test, 'spoke_operator', { facilityId: kaFacilityId });
    expect(
      (await test.app.inject({ method: 'GET', url: `/api/v1/patients/${kaPatientId}`, headers: kaOperator.auth }))
        .statusCode,
    ).toBe(200);
    expect(
      (await test.app.inject({ method: 'GET', url: `/api/v1/patients/${upPatientId}`, headers: kaOperator.auth }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses roles a route does not allow, and callers who are not signed in', async () => {
    const auditor = await createStaff(test, 'auditor');
    expect(
      (await test.app.inject({ method: 'GET', url: `/api/v1/patients/${upPatientId}`, headers: auditor.auth }))
        .statusCode,
    ).toBe(403);
    expect((await test.app.inject({ method: 'GET', url: `/api/v1/patients/${upPatientId}` })).statusCode).toBe(401);
    expect(
      (await test.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: upAdmin.auth })).statusCode,
    ).toBe(403);
  });
});
