import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, KA, signInPatient, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

/**
 * Family profiles under one mobile number: a signed-in patient adds, lists, corrects and
 * removes their own profiles, never another account's. The clock stands at 2026-11-22.
 */
let test: TestApp;
let asha: { cookie: string; userId: string };
let ravi: { cookie: string; userId: string };
let upAdmin: StaffFixture;
const ASHA_MOBILE = '9876511111';

const PROFILE = { name: 'Asha Devi', sex: 'female', ageYears: 34, stateId: UP.stateId, districtId: UP.districtId };

const as = (who: { cookie: string }) => ({ cookie: who.cookie });
const add = (who: { cookie: string }, payload: object, headers: Record<string, string> = {}) =>
  test.app.inject({ method: 'POST', url: '/api/v1/me/patients', headers: { ...as(who), ...headers }, payload });
const list = async (who: { cookie: string }) => {
  const response = await test.app.inject({ method: 'GET', url: '/api/v1/me/patients', headers: as(who) });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: { id: string; name: string }[] }>().items;
};
const fieldsOf = (body: { issue: { expression?: string[] }[] }) => body.issue.map((i) => i.expression?.[0]);
const auditOf = (patientId: string) =>
  test.database.db.query<{ action: string; actorId: string; actorRole: string; stateId: string }>(
    `select action, actor_id as "actorId", actor_role as "actorRole", state_id as "stateId" from audit_log
     where resource_type = 'Patient' and patient_id = $1 order by seq`,
    [patientId],
  );

beforeAll(async () => {
  test = await startTestApp();
  asha = await signInPatient(test, ASHA_MOBILE);
  ravi = await signInPatient(test, '9876522222');
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
});
afterAll(async () => {
  await test.close();
});

describe('adding profiles', () => {
  let myselfId: string;

  it('adds "myself" with the account\'s mobile filled in and an age stored as a birth year', async () => {
    const response = await add(asha, { ...PROFILE, self: true });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      name: 'Asha Devi',
      sex: 'female',
      stateId: UP.stateId,
      districtId: UP.districtId,
      mobile: ASHA_MOBILE,
      birthYear: 1992,
      birthDate: null,
      village: null,
      version: 1,
    });
    expect(body).not.toHaveProperty('accountUserId');
    myselfId = body.id;
    const [row] = await test.database.db.query<{ accountUserId: string; createdBy: string }>(
      'select account_user_id as "accountUserId", created_by as "createdBy" from patients where id = $1',
      [myselfId],
    );
    expect(row).toEqual({ accountUserId: asha.userId, createdBy: asha.userId });
    expect(await auditOf(myselfId)).toEqual([
      { action: 'create', actorId: asha.userId, actorRole: 'patient', stateId: UP.stateId },
    ]);
  });

  it('adds a family member with a date of birth, in another state if they live there', async () => {
    const response = await add(asha, {
      name: 'Meena',
      sex: 'female',
      birthDate: '2019-06-02',
      stateId: KA.stateId,
      districtId: KA.districtId,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ birthDate: '2019-06-02', birthYear: 2019, mobile: null });
  });

  it("lists the account's profiles oldest first, one audit entry per profile shown", async () => {
    const before = await test.database.db.query<{ count: number }>(
      "select count(*)::int as count from audit_log where actor_id = $1 and action = 'read'",
      [asha.userId],
    );
    const items = await list(asha);
    expect(items.map((p) => p.name)).toEqual(['Asha Devi', 'Meena']);
    const after = await test.database.db.query<{ count: number }>(
      "select count(*)::int as count from audit_log where actor_id = $1 and action = 'read'",
      [asha.userId],
    );
    expect(after[0]!.count - before[0]!.count).toBe(2);
    const one = await test.app.inject({ method: 'GET', url: `/api/v1/me/patients/${myselfId}`, headers: as(asha) });
    expect(one.statusCode).toBe(200);
    expect(one.json().name).toBe('Asha Devi');
  });

  it('makes a retried add safe: the same client id, or the same Idempotency-Key, returns the first', async () => {
    const id = randomUUID();
    const payload = { id, name: 'Gopal', sex: 'male', ageYears: 60, stateId: UP.stateId, districtId: UP.districtId };
    expect((await add(asha, payload)).statusCode).toBe(201);
    const again = await add(asha, payload);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(id);

    const key = { 'idempotency-key': `profile-${randomUUID()}` };
    const keyed = { name: 'Sita', sex: 'female', ageYears: 58, stateId: UP.stateId, districtId: UP.districtId };
    const first = await add(asha, keyed, key);
    const second = await add(asha, keyed, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    expect((await list(asha)).filter((p) => p.name === 'Sita' || p.name === 'Gopal')).toHaveLength(2);
  });

  it("refuses another account's id (409) without touching that record", async () => {
    const response = await add(ravi, { ...PROFILE, id: myselfId, name: 'Hijack' });
    expect(response.statusCode).toBe(409);
    expect(fieldsOf(response.json())).toEqual(['body.id']);
    expect((await list(asha)).find((p) => p.id === myselfId)?.name).toBe('Asha Devi');
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: undefined }, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ sex: 'x' }, 'body.sex'],
      [{ ageYears: -1 }, 'body.ageYears'],
      [{ ageYears: 131 }, 'body.ageYears'],
      [{ ageYears: 'old' }, 'body.ageYears'],
      [{ ageYears: undefined }, 'body.birthDate'],
      [{ birthDate: '1990-01-01' }, 'body.ageYears'],
      [{ ageYears: undefined, birthDate: '2027-01-01' }, 'body.birthDate'],
      [{ ageYears: undefined, birthDate: '1990-13-01' }, 'body.birthDate'],
      [{ stateId: 'IN-99' }, 'body.stateId'],
      [{ districtId: KA.districtId }, 'body.districtId'],
      [{ districtId: undefined }, 'body.districtId'],
      [{ mobile: '12345' }, 'body.mobile'],
      [{ annualIncome: 100000 }, 'body.annualIncome'],
      [{ id: 'not-a-uuid' }, 'body.id'],
    ];
    for (const [change, field] of cases) {
      const response = await add(asha, { ...PROFILE, ...change });
      expect(response.statusCode, JSON.stringify(change)).toBe(400);
      expect(response.json().resourceType).toBe('OperationOutcome');
      expect(fieldsOf(response.json()), JSON.stringify(change)).toContain(field);
    }
  });

  it('is for patients only', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/me/patients',
      headers: upAdmin.auth,
      payload: PROFILE,
    });
    expect(response.statusCode).toBe(403);
    expect((await test.app.inject({ method: 'POST', url: '/api/v1/me/patients', payload: PROFILE })).statusCode).toBe(
      401,
    );
  });
});

describe('the limit of profiles per number', () => {
  it('holds 10 profiles, refuses the 11th, and makes room when one is removed', async () => {
    const family = await signInPatient(test, '9876533333');
    const ids: string[] = [];
    for (let n = 1; n <= 10; n += 1) {
      const response = await add(family, { ...PROFILE, name: `Member ${n}` });
      expect(response.statusCode).toBe(201);
      ids.push(response.json().id);
    }
    const eleventh = await add(family, { ...PROFILE, name: 'Member 11' });
    expect(eleventh.statusCode).toBe(422);
    expect(eleventh.json().issue[0].diagnostics).toMatch(/at most 10/);
    // A retry of one already added is still answered.
    const retry = await add(family, { ...PROFILE, id: ids[0], name: 'Member 1' });
    expect(retry.statusCode).toBe(200);

    const removed = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/patients/${ids[9]}`,
      headers: as(family),
    });
    expect(removed.statusCode).toBe(200);
    expect((await add(family, { ...PROFILE, name: 'Member 11' })).statusCode).toBe(201);
  });

  it('holds under parallel adds', async () => {
    const family = await signInPatient(test, '9876544444');
    const responses = await Promise.all(
      Array.from({ length: 14 }, (_, n) => add(family, { ...PROFILE, name: `Parallel ${n}` })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(10);
    expect(responses.filter((r) => r.statusCode === 422)).toHaveLength(4);
    expect(await list(family)).toHaveLength(10);
  });
});

describe('changing and removing profiles', () => {
  let gopalId: string;

  beforeAll(async () => {
    const response = await add(asha, {
      name: 'Gopal Das',
      sex: 'male',
      birthDate: '1960-03-15',
      stateId: UP.stateId,
      districtId: UP.districtId,
    });
    gopalId = response.json().id;
  });

  const patch = (who: { cookie: string }, id: string, payload: object) =>
    test.app.inject({ method: 'PATCH', url: `/api/v1/me/patients/${id}`, headers: as(who), payload });

  it('corrects a name, and an age replaces the date of birth with a birth year', async () => {
    const named = await patch(asha, gopalId, { name: 'Gopal Das Gupta', version: 1 });
    expect(named.statusCode).toBe(200);
    expect(named.json()).toMatchObject({ name: 'Gopal Das Gupta', version: 2, birthDate: '1960-03-15' });
    const aged = await patch(asha, gopalId, { ageYears: 66 });
    expect(aged.json()).toMatchObject({ birthDate: null, birthYear: 1960, version: 3 });
    const dated = await patch(asha, gopalId, { birthDate: '1961-01-20', mobile: '9876500077' });
    expect(dated.json()).toMatchObject({ birthDate: '1961-01-20', birthYear: 1961, mobile: '9876500077' });
    const cleared = await patch(asha, gopalId, { mobile: null });
    expect(cleared.json().mobile).toBeNull();
    expect((await auditOf(gopalId)).map((e) => e.action)).toEqual(['create', 'update', 'update', 'update', 'update']);
  });

  it('refuses a stale version (409), a state change or a district of another state (400)', async () => {
    const stale = await patch(asha, gopalId, { name: 'Stale', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(fieldsOf(stale.json())).toEqual(['body.version']);
    const state = await patch(asha, gopalId, { stateId: KA.stateId });
    expect(state.statusCode).toBe(400);
    expect(fieldsOf(state.json())).toEqual(['body.stateId']);
    const district = await patch(asha, gopalId, { districtId: KA.districtId });
    expect(district.statusCode).toBe(400);
    expect(fieldsOf(district.json())).toEqual(['body.districtId']);
    const both = await patch(asha, gopalId, { ageYears: 60, birthDate: '1966-01-01' });
    expect(fieldsOf(both.json())).toEqual(['body.ageYears']);
    expect((await patch(asha, gopalId, {})).statusCode).toBe(400);
  });

  it("never shows or changes another account's profile: 404, and nothing changes", async () => {
    for (const request of [
      { method: 'GET' as const, url: `/api/v1/me/patients/${gopalId}` },
      { method: 'PATCH' as const, url: `/api/v1/me/patients/${gopalId}`, payload: { name: 'Ravi was here' } },
      { method: 'DELETE' as const, url: `/api/v1/me/patients/${gopalId}` },
    ]) {
      const response = await test.app.inject({ ...request, headers: as(ravi) });
      expect(response.statusCode, request.method).toBe(404);
      expect(response.json().resourceType).toBe('OperationOutcome');
    }
    expect((await list(ravi)).map((p) => p.id)).not.toContain(gopalId);
    const mine = await test.app.inject({ method: 'GET', url: `/api/v1/me/patients/${gopalId}`, headers: as(asha) });
    expect(mine.json().name).toBe('Gopal Das Gupta');
  });

  it('removes a profile from the account but keeps the record, which staff still find', async () => {
    const removed = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/patients/${gopalId}`,
      headers: as(asha),
    });
    expect(removed.statusCode).toBe(200);
    expect((await list(asha)).map((p) => p.id)).not.toContain(gopalId);
    expect(
      (await test.app.inject({ method: 'GET', url: `/api/v1/me/patients/${gopalId}`, headers: as(asha) })).statusCode,
    ).toBe(404);
    expect((await patch(asha, gopalId, { name: 'Back' })).statusCode).toBe(404);
    expect(
      (await test.app.inject({ method: 'DELETE', url: `/api/v1/me/patients/${gopalId}`, headers: as(asha) }))
        .statusCode,
    ).toBe(404);
    const staff = await test.app.inject({ method: 'GET', url: `/api/v1/patients/${gopalId}`, headers: upAdmin.auth });
    expect(staff.statusCode).toBe(200);
    expect(staff.json().name).toBe('Gopal Das Gupta');
    const audit = await auditOf(gopalId);
    expect(audit.filter((e) => e.action === 'delete')).toEqual([
      { action: 'delete', actorId: asha.userId, actorRole: 'patient', stateId: UP.stateId },
    ]);
  });
});

describe('for other modules', () => {
  it("getForStaff reads a patient in the staff member's states and audits it; a patient gets 404", async () => {
    const [profile] = await list(asha);
    const services = test.app.services;
    const actor = (userId: string, kind: 'staff' | 'patient', stateId: string | null) => ({
      principal: {
        userId,
        kind,
        displayName: 'x',
        sessionId: randomUUID(),
        roles: kind === 'staff' ? [{ role: 'state_admin' as const, stateId, facilityId: null }] : [],
      },
      ip: '127.0.0.1',
    });
    const read = await services.patients.getForStaff(actor(upAdmin.userId, 'staff', UP.stateId), profile!.id);
    expect(read.id).toBe(profile!.id);
    await expect(
      services.patients.getForStaff(actor(upAdmin.userId, 'staff', KA.stateId), profile!.id),
    ).rejects.toMatchObject({ statusCode: 404 });
    await expect(services.patients.getForStaff(actor(asha.userId, 'patient', null), profile!.id)).rejects.toMatchObject(
      { statusCode: 404 },
    );
  });
});
