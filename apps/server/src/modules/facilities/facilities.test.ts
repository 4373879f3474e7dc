import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFacility, createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

let test: TestApp;
let upAdmin: StaffFixture;
beforeAll(async () => {
  test = await startTestApp();
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
});
afterAll(async () => {
  await test.close();
});

const create = (payload: Record<string, unknown>, auth = upAdmin.auth) =>
  test.app.inject({ method: 'POST', url: '/api/v1/facilities', headers: auth, payload });

describe('facilities', () => {
  it('records kind, district, address, coordinates, languages and the HFR id', async () => {
    const response = await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'spoke',
      subtype: 'HWC',
      name: 'Ayushman Arogya Mandir Kakori',
      registryId: 'IN0910000001',
      addressLine: 'Near Panchayat Bhawan',
      city: 'Kakori',
      pincode: '226101',
      latitude: 26.868,
      longitude: 80.79,
      languages: ['hi', 'en'],
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      kind: 'spoke',
      subtype: 'HWC',
      registryId: 'IN0910000001',
      latitude: 26.868,
      languages: ['hi', 'en'],
      active: true,
      version: 1,
    });
  });

  it('checks the HFR id, pincode and coordinates, naming each field', async () => {
    const response = await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'hub',
      name: 'Bad Data Hospital',
      registryId: 'HFR123',
      pincode: '12',
      latitude: 123,
    });
    expect(response.statusCode).toBe(400);
    const fields = (response.json().issue as { expression: string[] }[]).flatMap((i) => i.expression);
    expect(fields).toEqual(expect.arrayContaining(['body.pincode', 'body.latitude']));
    const hfr = await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'hub',
      name: 'Bad HFR Hospital',
      registryId: 'HFR123',
    });
    expect(hfr.statusCode).toBe(400);
    expect(hfr.json().issue[0].expression).toEqual(['body.registryId']);
  });

  it('refuses a second facility with the same HFR id', async () => {
    await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'hub',
      name: 'First Hospital',
      registryId: 'IN0910000099',
    });
    const second = await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'hub',
      name: 'Second Hospital',
      registryId: 'IN0910000099',
    });
    expect(second.statusCode).toBe(409);
  });

  it('answers a registry id taken by another facility with 409 naming the field, also on change', async () => {
    await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'hub',
      name: 'Holder Hospital',
      registryId: 'IN0910000077',
    });
    const other = (
      await create({ stateId: UP.stateId, districtId: UP.districtId, kind: 'hub', name: 'Changer Hospital' })
    ).json();
    const change = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/facilities/${other.id as string}`,
      headers: upAdmin.auth,
      payload: { registryId: 'IN0910000077' },
    });
    expect(change.statusCode).toBe(409);
    expect(change.json().issue[0].expression).toEqual(['body.registryId']);
  });

  it('searches by name prefix, kind and district, with paging and a total', async () => {
    for (let i = 0; i < 5; i += 1) {
      await create({
        stateId: UP.stateId,
        districtId: 'IN-09-118',
        kind: 'spoke',
        name: `Paging Test Centre ${String(i)}`,
      });
    }
    const first = await test.app.inject({
      method: 'GET',
      url: '/api/v1/facilities?q=paging test&kind=spoke&limit=2',
      headers: upAdmin.auth,
    });
    expect(first.json().total).toBe(5);
    expect(first.json().items.map((f: { name: string }) => f.name)).toEqual([
      'Paging Test Centre 0',
      'Paging Test Centre 1',
    ]);
    const last = await test.app.inject({
      method: 'GET',
      url: '/api/v1/facilities?q=paging&limit=2&offset=4',
      headers: upAdmin.auth,
    });
    expect(last.json().items).toHaveLength(1);
    const beyond = await test.app.inject({
      method: 'GET',
      url: '/api/v1/facilities?q=paging&limit=2&offset=10',
      headers: upAdmin.auth,
    });
    expect(beyond.json()).toEqual({ total: 5, items: [] });
    const district = await test.app.inject({
      method: 'GET',
      url: '/api/v1/facilities?districtId=IN-09-118',
      headers: upAdmin.auth,
    });
    expect(district.json().total).toBe(5);
  });

  it('lets a hub pool the doctors of other facilities of its state only', async () => {
    const hub = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    const college = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    const kaHospital = await createFacility(test, KA.stateId, KA.districtId, 'hub');
    const add = await test.app.inject({
      method: 'POST',
      url: `/api/v1/facilities/${hub}/pool`,
      headers: upAdmin.auth,
      payload: { facilityId: college },
    });
    expect(add.statusCode).toBe(200);
    const pool = await test.app.inject({ method: 'GET', url: `/api/v1/facilities/${hub}/pool`, headers: upAdmin.auth });
    expect(pool.json().items.map((f: { id: string }) => f.id)).toEqual([college]);
    const cross = await test.app.inject({
      method: 'POST',
      url: `/api/v1/facilities/${hub}/pool`,
      headers: upAdmin.auth,
      payload: { facilityId: kaHospital },
    });
    expect(cross.statusCode).toBe(404);
    const removed = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/facilities/${hub}/pool/${college}`,
      headers: upAdmin.auth,
    });
    expect(removed.statusCode).toBe(200);
  });

  it('audits every change to the network', async () => {
    const created = await create({
      stateId: UP.stateId,
      districtId: UP.districtId,
      kind: 'referral',
      name: 'Audited Referral Hospital',
    });
    const id = created.json().id as string;
    await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/facilities/${id}`,
      headers: upAdmin.auth,
      payload: { active: false },
    });
    const rows = await test.database.db.query<{ action: string; actor_id: string }>(
      "select action, actor_id from audit_log where resource_type = 'Facility' and resource_id = $1 order by seq",
      [id],
    );
    expect(rows).toEqual([
      { action: 'create', actor_id: upAdmin.userId },
      { action: 'update', actor_id: upAdmin.userId },
    ]);
  });
});
