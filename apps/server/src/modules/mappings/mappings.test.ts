import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFacility, createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

let test: TestApp;
let upAdmin: StaffFixture;
let spoke: string;
let hubA: string;
let hubB: string;
let hubC: string;
beforeAll(async () => {
  test = await startTestApp();
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  spoke = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
  hubA = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  hubB = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  hubC = await createFacility(test, UP.stateId, UP.districtId, 'hub');
});
afterAll(async () => {
  await test.close();
});

const put = (speciality: string, hubIds: string[], facility = spoke) =>
  test.app.inject({
    method: 'PUT',
    url: `/api/v1/facilities/${facility}/hub-mappings/${speciality}`,
    headers: upAdmin.auth,
    payload: { hubIds },
  });

describe('hub-and-spoke mappings', () => {
  it('maps a spoke to hubs per speciality in order: first choice, then overflow', async () => {
    expect((await put('paediatrics', [hubA, hubB])).statusCode).toBe(200);
    expect((await put('dermatology', [hubC])).statusCode).toBe(200);
    const current = await test.app.inject({
      method: 'GET',
      url: `/api/v1/facilities/${spoke}/hub-mappings`,
      headers: upAdmin.auth,
    });
    expect(
      current
        .json()
        .items.map((m: { specialityCode: string; hubId: string; rank: number }) => [m.specialityCode, m.hubId, m.rank]),
    ).toEqual([
      ['dermatology', hubC, 1],
      ['paediatrics', hubA, 1],
      ['paediatrics', hubB, 2],
    ]);
  });

  it('routes through the mapped hubs with their pooled facilities', async () => {
    const member = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    await test.app.inject({
      method: 'POST',
      url: `/api/v1/facilities/${hubA}/pool`,
      headers: upAdmin.auth,
      payload: { facilityId: member },
    });
    const route = await test.app.services.mappings.route(spoke, 'paediatrics');
    expect(route.map((r) => [r.hubId, r.rank])).toEqual([
      [hubA, 1],
      [hubB, 2],
    ]);
    expect(route[0]?.facilityIds).toEqual([hubA, member]);
  });

  it('keeps the old mapping when it changes, so cases routed by it still name it', async () => {
    const before = (await test.app.services.mappings.route(spoke, 'paediatrics'))[0]?.mappingId;
    expect((await put('paediatrics', [hubB, hubA])).statusCode).toBe(200);
    const history = await test.app.inject({
      method: 'GET',
      url: `/api/v1/facilities/${spoke}/hub-mappings/paediatrics/history`,
      headers: upAdmin.auth,
    });
    const rows = history.json().items as { id: string; hubId: string; rank: number; validTo: string | null }[];
    expect(rows.filter((r) => r.validTo === null).map((r) => r.hubId)).toEqual([hubB, hubA]);
    expect(rows.find((r) => r.id === before)?.validTo).not.toBeNull();
  });

  it('changes nothing when the same order is set again', async () => {
    const [before] = await test.database.db.query<{ count: number }>(
      'select count(*)::int as count from spoke_hub_mappings',
    );
    await put('paediatrics', [hubB, hubA]);
    const [after] = await test.database.db.query<{ count: number }>(
      'select count(*)::int as count from spoke_hub_mappings',
    );
    expect(after?.count).toBe(before?.count);
  });

  it('refuses a non-hub, a hub of another state, a repeated hub, an unknown speciality and a non-spoke', async () => {
    const otherSpoke = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
    const kaHub = await createFacility(test, KA.stateId, KA.districtId, 'hub');
    const response = await put('paediatrics', [otherSpoke, kaHub, hubA, hubA]);
    expect(response.statusCode).toBe(400);
    expect((response.json().issue as { expression: string[] }[]).flatMap((i) => i.expression)).toEqual([
      'body.hubIds.0',
      'body.hubIds.1',
      'body.hubIds.3',
    ]);
    expect((await put('astrology', [hubA])).json().issue[0].expression).toEqual(['params.speciality']);
    expect((await put('paediatrics', [hubA], hubB)).json().issue[0].expression).toEqual(['params.id']);
  });

  it('lists the spokes a hub serves', async () => {
    const spokes = await test.app.inject({
      method: 'GET',
      url: `/api/v1/facilities/${hubC}/spokes`,
      headers: upAdmin.auth,
    });
    expect(spokes.json().items).toEqual([
      expect.objectContaining({ spokeId: spoke, specialityCode: 'dermatology', rank: 1 }),
    ]);
  });
});
