import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFacility, createStaff, KA, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

let test: TestApp;
let upAdmin: StaffFixture;
let kaAdmin: StaffFixture;
beforeAll(async () => {
  test = await startTestApp();
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  kaAdmin = await createStaff(test, 'state_admin', { stateId: KA.stateId });
});
afterAll(async () => {
  await test.close();
});

const create = (payload: Record<string, unknown>, auth = upAdmin.auth) =>
  test.app.inject({ method: 'POST', url: '/api/v1/practitioners', headers: auth, payload });

describe('practitioners', () => {
  it('records qualification, registration, HPR id, specialities, languages and gender', async () => {
    const response = await create({
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
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      name: 'Dr Kavita Mishra',
      registryId: '71234567890123',
      specialities: ['paediatrics'],
      roles: [],
    });
  });

  it('refuses an HPR id that is not 14 digits and an unknown speciality', async () => {
    const response = await create({
      stateId: UP.stateId,
      name: 'Dr Wrong',
      gender: 'male',
      registryId: '1234',
      specialities: ['astrology'],
    });
    expect(response.statusCode).toBe(400);
    const fields = (response.json().issue as { expression: string[] }[]).flatMap((i) => i.expression);
    expect(fields).toEqual(expect.arrayContaining(['body.registryId', 'body.specialities']));
  });

  it('sets the facilities where a practitioner works and in which role, keeping history', async () => {
    const hub = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    const opd = await createFacility(test, UP.stateId, UP.districtId, 'opd');
    const doctor = (
      await create({ stateId: UP.stateId, name: 'Dr Rohit Saxena', gender: 'male', specialities: ['general_medicine'] })
    ).json();
    const set = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/practitioners/${doctor.id as string}/roles`,
      headers: upAdmin.auth,
      payload: {
        roles: [
          { facilityId: hub, role: 'hub_doctor', specialities: ['general_medicine'] },
          { facilityId: opd, role: 'opd_doctor' },
        ],
      },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json().roles.filter((r: { active: boolean }) => r.active)).toHaveLength(2);
    const narrowed = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/practitioners/${doctor.id as string}/roles`,
      headers: upAdmin.auth,
      payload: { roles: [{ facilityId: opd, role: 'opd_doctor' }] },
    });
    const roles = narrowed.json().roles as { facilityId: string; active: boolean }[];
    expect(roles.find((r) => r.facilityId === hub)?.active).toBe(false);
    expect(roles.find((r) => r.facilityId === opd)?.active).toBe(true);
    const atHub = await test.app.inject({
      method: 'GET',
      url: `/api/v1/practitioners?facilityId=${hub}`,
      headers: upAdmin.auth,
    });
    expect(atHub.json().total).toBe(0);
    const atOpd = await test.app.inject({
      method: 'GET',
      url: `/api/v1/practitioners?facilityId=${opd}&role=opd_doctor`,
      headers: upAdmin.auth,
    });
    expect(atOpd.json().items.map((p: { id: string }) => p.id)).toEqual([doctor.id]);
  });

  it("keeps each state's practitioners to itself", async () => {
    const kaDoctor = (
      await create({ stateId: KA.stateId, name: 'Dr Kannada Speaker', gender: 'female' }, kaAdmin.auth)
    ).json();
    expect(
      (
        await test.app.inject({
          method: 'GET',
          url: `/api/v1/practitioners/${kaDoctor.id as string}`,
          headers: upAdmin.auth,
        })
      ).statusCode,
    ).toBe(404);
    expect((await create({ stateId: KA.stateId, name: 'Dr Intruder', gender: 'male' })).statusCode).toBe(403);
    const kaHub = await createFacility(test, KA.stateId, KA.districtId, 'hub');
    const upDoctor = (await create({ stateId: UP.stateId, name: 'Dr Border', gender: 'male' })).json();
    const roles = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/practitioners/${upDoctor.id as string}/roles`,
      headers: upAdmin.auth,
      payload: { roles: [{ facilityId: kaHub, role: 'hub_doctor' }] },
    });
    expect(roles.statusCode).toBe(400);
    expect(roles.json().issue[0].expression).toEqual(['body.roles.0.facilityId']);
  });

  it('finds practitioners by name prefix and speciality', async () => {
    await create({ stateId: UP.stateId, name: 'Dr Prefix Alpha', gender: 'male', specialities: ['dermatology'] });
    await create({ stateId: UP.stateId, name: 'Dr Prefix Beta', gender: 'female', specialities: ['psychiatry'] });
    const byName = await test.app.inject({
      method: 'GET',
      url: '/api/v1/practitioners?q=dr prefix',
      headers: upAdmin.auth,
    });
    expect(byName.json().total).toBe(2);
    const bySpeciality = await test.app.inject({
      method: 'GET',
      url: '/api/v1/practitioners?q=dr prefix&speciality=psychiatry',
      headers: upAdmin.auth,
    });
    expect(bySpeciality.json().items.map((p: { name: string }) => p.name)).toEqual(['Dr Prefix Beta']);
  });
});
