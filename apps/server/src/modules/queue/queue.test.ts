import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpdRepository } from '../opds/index.js';
import { PatientRepository } from '../patients/index.js';
import {
  createDoctor,
  createFacility,
  createStaff,
  signInPatient,
  startSecondInstance,
  startTestApp,
  UP,
  type StaffFixture,
  type TestApp,
} from '../../test/app.js';

let test: TestApp;

beforeAll(async () => {
  test = await startTestApp({ OPD_CALL_WINDOW_SECONDS: '120' });
});
afterAll(async () => {
  await test.close();
});

/** An OPD open round the clock (unless hours are given), with its own doctors. */
async function openOpd(
  settings: { capacity?: number; waitingRoom?: number; hours?: { opensAt: string; closesAt: string } } = {},
) {
  const opdId = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  const opds = new OpdRepository(test.database.db);
  await opds.saveSettings(opdId, {
    specialityCode: null,
    dailyCapacity: settings.capacity ?? 100,
    waitingRoomSize: settings.waitingRoom ?? 100,
    consultationMinutes: 10,
    languages: ['hi'],
  });
  const hours = settings.hours ?? { opensAt: '00:00', closesAt: '24:00' };
  await opds.replaceHours(
    opdId,
    [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, ...hours })),
  );
  return opdId;
}

const doctorAt = (opdId: string) => createDoctor(test, opdId);

let mobileCounter = 0;
/** A patient account with one profile. */
async function patient(profile: { birthYear?: number } = {}) {
  const mobile = `98${String(10_000_000 + (mobileCounter += 1)).slice(-8)}`;
  const account = await signInPatient(test, mobile);
  const patientId = randomUUID();
  await new PatientRepository(test.database.db).insert({
    id: patientId,
    stateId: UP.stateId,
    districtId: UP.districtId,
    accountUserId: account.userId,
    name: `Patient ${String(mobileCounter)}`,
    sex: 'female',
    birthDate: null,
    birthYear: profile.birthYear ?? 1990,
    mobile,
    village: null,
    createdBy: null,
  });
  return { ...account, patientId, headers: { cookie: account.cookie } };
}

type Patient = Awaited<ReturnType<typeof patient>>;

const take = (p: Patient, opdId: string, extra: Record<string, unknown> = {}) =>
  test.app.inject({
    method: 'POST',
    url: '/api/v1/opd/tokens',
    headers: p.headers,
    payload: { opdId, patientId: p.patientId, ...extra },
  });
const callNext = (doctor: StaffFixture, opdId: string, app: FastifyInstance = test.app) =>
  app.inject({ method: 'POST', url: `/api/v1/opd/${opdId}/call-next`, headers: doctor.auth, payload: {} });
const minutes = (n: number) => test.clock.advance(n * 60_000);
/** Moves the shared clock forward to an instant (never back: other tests' sessions would break). */
function moveTo(instant: string | Date) {
  const target = new Date(instant).getTime();
  const now = test.clock.now().getTime();
  if (target < now) throw new Error(`the clock is already past ${String(instant)}`);
  test.clock.advance(target - now);
}
const finish = (doctor: StaffFixture, tokenId: string) =>
  test.app.inject({ method: 'POST', url: `/api/v1/opd/tokens/${tokenId}/finish`, headers: doctor.auth, payload: {} });
const complete = (doctor: StaffFixture, consultationId: string, record: Record<string, unknown> = {}) =>
  test.app.inject({
    method: 'POST',
    url: `/api/v1/consultations/${consultationId}/complete`,
    headers: doctor.auth,
    payload: { complaintText: 'fever for two days', ...record },
  });
const nextSession = (p: Patient, tokenId: string) =>
  test.app.inject({
    method: 'POST',
    url: `/api/v1/opd/tokens/${tokenId}/next-session`,
    headers: p.headers,
    payload: {},
  });
const bookFollowUp = (p: Patient, consultationId: string) =>
  test.app.inject({ method: 'POST', url: '/api/v1/opd/follow-ups', headers: p.headers, payload: { consultationId } });
const join = (p: Patient, tokenId: string) =>
  test.app.inject({ method: 'POST', url: `/api/v1/opd/tokens/${tokenId}/join`, headers: p.headers, payload: {} });

describe('taking a token', () => {
  it('gives numbered tokens with the place in the queue and an estimated wait', async () => {
    const opdId = await openOpd();
    await doctorAt(opdId);
    const first = await take(await patient(), opdId);
    const second = await take(await patient(), opdId);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ tokenNumber: 1, status: 'waiting', ahead: 0, priority: 'normal' });
    expect(second.json()).toMatchObject({ tokenNumber: 2, ahead: 1 });
    // Until their call, not the end of their consultation: the first is next, the second waits for one.
    expect(first.json().estimatedWaitMinutes).toBe(0);
    expect(second.json().estimatedWaitMinutes).toBe(10);
    // The live updates say the same.
    const live = (await test.app.services.queue.positions([opdId])).get(opdId);
    expect(live?.map((p) => p.estimatedWaitMinutes)).toEqual([0, 10]);
  });

  it('returns the same token on a retry or from another device', async () => {
    const opdId = await openOpd();
    const p = await patient();
    const first = await take(p, opdId);
    const again = await take(p, opdId);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const mine = await test.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: p.headers });
    expect(mine.json().items.map((t: { id: string }) => t.id)).toEqual([first.json().id]);
  });

  it('refuses a token beyond the daily capacity or the waiting room, and when closed', async () => {
    const full = await openOpd({ capacity: 1 });
    expect((await take(await patient(), full)).statusCode).toBe(201);
    const refused = await take(await patient(), full);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().issue[0].diagnostics).toMatch(/all given/);
    const small = await openOpd({ waitingRoom: 1 });
    await take(await patient(), small);
    expect((await take(await patient(), small)).json().issue[0].diagnostics).toMatch(/waiting room is full/);
    // 03:00 IST is outside 09:00–17:00.
    const dayOnly = await openOpd({ hours: { opensAt: '09:00', closesAt: '17:00' } });
    const saved = test.clock.now();
    test.clock.advance(Date.parse('2026-11-23T21:30:00Z') - saved.getTime());
    const closed = await take(await patient(), dayOnly);
    expect(closed.statusCode).toBe(422);
    expect(closed.json().issue[0].diagnostics).toMatch(/closed now/);
  });

  it('gives exactly the last slots when many ask at once, on two instances, and refuses the rest clearly', async () => {
    const opdId = await openOpd({ capacity: 5 });
    for (let i = 0; i < 2; i += 1) expect((await take(await patient(), opdId)).statusCode).toBe(201);
    const other = await startSecondInstance(test);
    const askers = await Promise.all(Array.from({ length: 12 }, () => patient()));
    const answers = await Promise.all(
      askers.map((p, i) =>
        (i % 2 === 0 ? test.app : other).inject({
          method: 'POST',
          url: '/api/v1/opd/tokens',
          headers: p.headers,
          payload: { opdId, patientId: p.patientId },
        }),
      ),
    );
    await other.close();
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(3);
    const refused = answers.filter((a) => a.statusCode !== 201);
    expect(refused).toHaveLength(9);
    for (const answer of refused) {
      expect(answer.statusCode).toBe(422);
      expect(answer.json()).toMatchObject({ resourceType: 'OperationOutcome' });
      expect(answer.json().issue[0].diagnostics).toMatch(/all given/);
    }
    const issued = await test.database.db.query<{ count: number }>(
      `select count(*)::int as count from opd_tokens where opd_id = $1`,
      [opdId],
    );
    expect(issued[0]?.count).toBe(5);
  });

  it('keeps the waiting room to its size when many arrive at once', async () => {
    const opdId = await openOpd({ waitingRoom: 3 });
    const askers = await Promise.all(Array.from({ length: 10 }, () => patient()));
    const answers = await Promise.all(askers.map((p) => take(p, opdId)));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(3);
    for (const answer of answers.filter((a) => a.statusCode !== 201)) {
      expect(answer.statusCode).toBe(422);
      expect(answer.json().issue[0].diagnostics).toMatch(/waiting room is full/);
    }
  });

  it("does not show or cancel another account's token", async () => {
    const opdId = await openOpd();
    const owner = await take(await patient(), opdId);
    const other = await patient();
    const cancel = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${owner.json().id as string}/cancel`,
      headers: other.headers,
      payload: {},
    });
    expect(cancel.statusCode).toBe(404);
  });
});

describe('the order of the queue', () => {
  it('puts the elderly ahead of recent arrivals but never ahead of those who came long before', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const early = await take(await patient(), opdId);
    minutes(20);
    const recent = await take(await patient(), opdId);
    minutes(5);
    const elderly = await take(await patient({ birthYear: 1950 }), opdId);
    expect(elderly.json().priority).toBe('elderly');
    const order: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const called = await callNext(doctor, opdId);
      const token = called.json().token as { id: string };
      order.push(token.id);
      await test.app.inject({
        method: 'POST',
        url: `/api/v1/opd/tokens/${token.id}/no-show`,
        headers: doctor.auth,
        payload: { reason: 'test' },
      });
    }
    expect(order).toEqual([early.json().id, elderly.json().id, recent.json().id]);
  });
});

describe('priority rules', () => {
  it('lets a state set how far ahead each priority goes, and places new tokens by it', async () => {
    const admin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const defaults = await test.app.inject({
      method: 'GET',
      url: `/api/v1/states/${UP.stateId}/queue-priorities`,
      headers: admin.auth,
    });
    expect(defaults.json().rules).toContainEqual({ priority: 'elderly', advanceMinutes: 15 });
    const set = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/states/${UP.stateId}/queue-priorities`,
      headers: admin.auth,
      payload: { rules: [{ priority: 'elderly', advanceMinutes: 45 }] },
    });
    expect(set.json().rules).toContainEqual({ priority: 'elderly', advanceMinutes: 45 });
    const opdId = await openOpd();
    const early = (await take(await patient(), opdId)).json();
    minutes(40);
    const elderly = (await take(await patient({ birthYear: 1940 }), opdId)).json();
    expect(elderly.ahead).toBe(0);
    expect(early.tokenNumber).toBe(1);
    const kaAdmin = await createStaff(test, 'state_admin', { stateId: 'IN-29' });
    const other = await test.app.inject({
      method: 'PUT',
      url: `/api/v1/states/${UP.stateId}/queue-priorities`,
      headers: kaAdmin.auth,
      payload: { rules: [] },
    });
    expect(other.statusCode).toBe(403);
    await test.app.inject({
      method: 'PUT',
      url: `/api/v1/states/${UP.stateId}/queue-priorities`,
      headers: admin.auth,
      payload: { rules: [] },
    });
  });
});

describe('calling patients', () => {
  it('hands each waiting patient to exactly one doctor, even when doctors call at once', async () => {
    const opdId = await openOpd();
    const doctors = await Promise.all([1, 2, 3, 4].map(() => doctorAt(opdId)));
    const tokens = [];
    for (let i = 0; i < 6; i += 1) tokens.push((await take(await patient(), opdId)).json().id as string);
    const other = await startSecondInstance(test);
    const handedOut: string[] = [];
    for (let round = 0; round < 2; round += 1) {
      const calls = await Promise.all(doctors.map((d, i) => callNext(d, opdId, i % 2 === 0 ? test.app : other)));
      for (const [i, call] of calls.entries()) {
        expect(call.statusCode).toBe(200);
        const token = call.json().token as { id: string } | null;
        if (token === null) continue;
        handedOut.push(token.id);
        await test.app.inject({
          method: 'POST',
          url: `/api/v1/opd/tokens/${token.id}/no-show`,
          headers: doctors[i]!.auth,
          payload: { reason: 'test' },
        });
      }
    }
    await other.close();
    expect(new Set(handedOut).size).toBe(handedOut.length);
    expect(handedOut.sort()).toEqual([...tokens].sort());
  });

  it('lets a called patient join, and rejoin after a dropped call with the same doctor and consultation', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const p = await patient();
    const token = (await take(p, opdId)).json();
    await callNext(doctor, opdId);
    const joined = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/join`,
      headers: p.headers,
      payload: {},
    });
    expect(joined.statusCode).toBe(200);
    expect(joined.json().status).toBe('in_consultation');
    const again = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/join`,
      headers: p.headers,
      payload: {},
    });
    expect(again.json()).toMatchObject({ status: 'in_consultation', consultationId: joined.json().consultationId });
    expect((await callNext(doctor, opdId)).statusCode).toBe(409);
    const early = await finish(doctor, token.id as string);
    expect(early.statusCode).toBe(409);
    expect(early.json().issue[0].diagnostics).toMatch(/Complete the consultation record/);
    await complete(doctor, joined.json().consultationId as string);
    const finished = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/finish`,
      headers: doctor.auth,
      payload: {},
    });
    expect(finished.json().status).toBe('completed');
  });

  it('re-offers a missed call once at the front, then lets the token lapse and tells the patient', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const p = await patient();
    const token = (await take(p, opdId)).json();
    await take(await patient(), opdId);
    const events: unknown[] = [];
    await test.bus.subscribe(`queue.account.${p.userId}`, (message) => events.push(message));

    await callNext(doctor, opdId);
    minutes(3);
    await test.app.services.queue.sweep();
    const reoffered = await test.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: p.headers });
    expect(reoffered.json().items[0]).toMatchObject({ id: token.id, status: 'waiting', ahead: 0, missedCalls: 1 });

    const second = await callNext(doctor, opdId);
    expect(second.json().token.id).toBe(token.id);
    minutes(3);
    await test.app.services.queue.sweep();
    const lapsed = await test.database.db.query<{ status: string }>('select status from opd_tokens where id = $1', [
      token.id,
    ]);
    expect(lapsed[0]?.status).toBe('lapsed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'reoffered' }),
        expect.objectContaining({ event: 'lapsed' }),
      ]),
    );
  });

  it("names the patient, shows the doctor's call after a reload, and shows an ended token with its reason", async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const p = await patient();
    const token = (await take(p, opdId)).json();
    const queue = await test.app.inject({ method: 'GET', url: `/api/v1/opd/${opdId}/queue`, headers: doctor.auth });
    expect(queue.json().items[0].patientName).toMatch(/^Patient /);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/me/opd-call', headers: doctor.auth })).json()).toEqual(
      { token: null },
    );
    await callNext(doctor, opdId);
    const mine = await test.app.inject({ method: 'GET', url: '/api/v1/me/opd-call', headers: doctor.auth });
    expect(mine.json().token).toMatchObject({ id: token.id, status: 'called' });
    await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/no-show`,
      headers: doctor.auth,
      payload: { reason: 'no answer' },
    });
    const ended = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opd/tokens/${token.id as string}`,
      headers: p.headers,
    });
    expect(ended.json()).toMatchObject({ status: 'no_show', outcomeReason: 'no answer' });
    const stranger = await patient();
    expect(
      (
        await test.app.inject({
          method: 'GET',
          url: `/api/v1/opd/tokens/${token.id as string}`,
          headers: stranger.headers,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('skips a patient to just behind the next one waiting, recalls them, and records a no-show with its reason', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const first = (await take(await patient(), opdId)).json();
    await take(await patient(), opdId);
    await callNext(doctor, opdId);
    const skipped = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${first.id as string}/skip`,
      headers: doctor.auth,
      payload: {},
    });
    expect(skipped.json()).toMatchObject({ status: 'waiting', ahead: 1 });
    const recalled = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${first.id as string}/recall`,
      headers: doctor.auth,
      payload: {},
    });
    expect(recalled.json().status).toBe('called');
    const noShow = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${first.id as string}/no-show`,
      headers: doctor.auth,
      payload: { reason: 'no answer on video or phone' },
    });
    expect(noShow.json()).toMatchObject({ status: 'no_show', outcomeReason: 'no answer on video or phone' });
  });

  it('lets the next patient be called after a skip, and calls the skipped one right after them', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const colleague = await doctorAt(opdId);
    const tokens: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      tokens.push((await take(await patient(), opdId)).json().id as string);
      minutes(1);
    }
    const [a, b, c] = tokens as [string, string, string, string];
    expect((await callNext(doctor, opdId)).json().token.id).toBe(a);
    const skip = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${a}/skip`,
      headers: doctor.auth,
      payload: {},
    });
    expect(skip.statusCode).toBe(200);
    // The doctor who skipped is handed someone else; the skipped patient is next, ahead of later arrivals.
    expect((await callNext(doctor, opdId)).json().token.id).toBe(b);
    expect((await callNext(colleague, opdId)).json().token.id).toBe(a);
    const queue = await test.app.inject({ method: 'GET', url: `/api/v1/opd/${opdId}/queue`, headers: doctor.auth });
    expect(queue.json().items[0].id).toBe(c);
  });

  it('never moves a skipped patient ahead of their own place', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const tokens: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      tokens.push((await take(await patient(), opdId)).json().id as string);
      minutes(1);
    }
    const [a, b, c] = tokens as [string, string, string];
    // The doctor calls the last one out of turn, then skips them: they go back to their own place.
    await test.app.inject({ method: 'POST', url: `/api/v1/opd/tokens/${c}/recall`, headers: doctor.auth, payload: {} });
    await test.app.inject({ method: 'POST', url: `/api/v1/opd/tokens/${c}/skip`, headers: doctor.auth, payload: {} });
    const queue = await test.app.inject({ method: 'GET', url: `/api/v1/opd/${opdId}/queue`, headers: doctor.auth });
    expect(queue.json().items.map((t: { id: string }) => t.id)).toEqual([a, b, c]);
  });

  it('refuses to recall a patient another doctor has called, who stays with that doctor', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const colleague = await doctorAt(opdId);
    const token = (await take(await patient(), opdId)).json();
    expect((await callNext(doctor, opdId)).json().token.id).toBe(token.id);
    const taken = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/recall`,
      headers: colleague.auth,
      payload: {},
    });
    expect(taken.statusCode).toBe(403);
    expect(taken.json().issue[0].diagnostics).toMatch(/Another doctor has this patient/);
    const held = await test.app.inject({ method: 'GET', url: '/api/v1/me/opd-call', headers: doctor.auth });
    expect(held.json().token).toMatchObject({ id: token.id, status: 'called' });
    const own = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/recall`,
      headers: doctor.auth,
      payload: {},
    });
    expect(own.json()).toMatchObject({ id: token.id, status: 'called' });
  });

  it('transfers a waiting patient to another OPD keeping their arrival time', async () => {
    const from = await openOpd();
    const to = await openOpd();
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const p = await patient();
    const token = (await take(p, from)).json();
    minutes(10);
    await take(await patient(), to);
    const moved = await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${token.id as string}/transfer`,
      headers: coordinator.auth,
      payload: { opdId: to },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ opdId: to, status: 'waiting', ahead: 0, joinedAt: token.joinedAt });
    const [old] = await test.database.db.query<{ status: string; transferredTo: string }>(
      'select status, transferred_to as "transferredTo" from opd_tokens where id = $1',
      [token.id],
    );
    expect(old).toEqual({ status: 'transferred', transferredTo: moved.json().id });
  });

  it("refuses a transfer beyond the target OPD's capacity or waiting room, and the patient stays where they were", async () => {
    const from = await openOpd();
    const full = await openOpd({ capacity: 1 });
    const crowded = await openOpd({ waitingRoom: 1 });
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    await take(await patient(), full);
    await take(await patient(), crowded);
    const p = await patient();
    const token = (await take(p, from)).json();
    for (const [to, message] of [
      [full, /all given/],
      [crowded, /waiting room is full/],
    ] as const) {
      const refused = await test.app.inject({
        method: 'POST',
        url: `/api/v1/opd/tokens/${token.id as string}/transfer`,
        headers: coordinator.auth,
        payload: { opdId: to },
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().issue[0].diagnostics).toMatch(message);
    }
    const mine = await test.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: p.headers });
    expect(mine.json().items).toEqual([expect.objectContaining({ id: token.id, opdId: from, status: 'waiting' })]);
  });

  it('moves a patient in one transaction: when the new token cannot be written, they stay where they were', async () => {
    const from = await openOpd();
    const to = await openOpd();
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const p = await patient();
    const token = (await take(p, from)).json();
    // The new token's insert fails (here a trigger; in life a lost connection or a crash between statements).
    await test.database.db.exec(`
      create function refuse_test_opd() returns trigger language plpgsql as $$
      begin raise exception 'refused for the test'; end $$;
      create trigger refuse_test_opd before insert on opd_tokens for each row
        when (new.opd_id = '${to}') execute function refuse_test_opd();`);
    try {
      const moved = await test.app.inject({
        method: 'POST',
        url: `/api/v1/opd/tokens/${token.id as string}/transfer`,
        headers: coordinator.auth,
        payload: { opdId: to },
      });
      expect(moved.statusCode).toBe(500);
    } finally {
      await test.database.db.exec('drop trigger refuse_test_opd on opd_tokens; drop function refuse_test_opd();');
    }
    const mine = await test.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: p.headers });
    expect(mine.json().items).toEqual([expect.objectContaining({ id: token.id, opdId: from, status: 'waiting' })]);
  });

  it('closes tokens still waiting at closing, tells the patient the next session, and keeps their place in it', async () => {
    // Tomorrow 10:00 UTC is 15:30 in Lucknow; the OPD runs 09:00-16:00 every day.
    const today = test.clock.now();
    const base = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1, 10, 0);
    moveTo(new Date(base));
    const opdId = await openOpd({ hours: { opensAt: '09:00', closesAt: '16:00' } });
    const doctor = await doctorAt(opdId);
    const early = await patient();
    const waiting = (await take(early, opdId)).json();
    const events: { event: string }[] = [];
    await test.bus.subscribe(`queue.account.${early.userId}`, (message) => events.push(message as { event: string }));
    minutes(45);
    await test.app.services.queue.sweep();
    const closed = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opd/tokens/${waiting.id as string}`,
      headers: early.headers,
    });
    const nextOpening = new Date(base + 17.5 * 3_600_000).toISOString();
    expect(closed.json()).toMatchObject({ status: 'closed', nextSessionAt: nextOpening });
    expect(closed.json().outcomeReason).toMatch(/closed before your turn/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toContainEqual(expect.objectContaining({ event: 'closed' }));

    const booked = await nextSession(early, waiting.id as string);
    expect(booked.statusCode).toBe(201);
    expect(booked.json()).toMatchObject({
      status: 'booked',
      bookedFor: nextOpening,
      serviceDate: nextOpening.slice(0, 10),
    });
    const again = await nextSession(early, waiting.id as string);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(booked.json().id);
    const mine = await test.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: early.headers });
    expect(mine.json().items).toEqual([expect.objectContaining({ id: booked.json().id, status: 'booked' })]);

    // The next morning a newcomer arrives at opening; the booked patient is still ahead.
    moveTo(nextOpening);
    const newcomer = await take(await patient(), opdId);
    expect(newcomer.statusCode).toBe(201);
    await test.app.services.queue.sweep();
    const call = await callNext(doctor, opdId);
    expect(call.json().token.id).toBe(booked.json().id);
  });

  it('refuses the next session for a token that was not closed at closing', async () => {
    const opdId = await openOpd();
    const p = await patient();
    const token = (await take(p, opdId)).json();
    const refused = await nextSession(p, token.id as string);
    expect(refused.statusCode).toBe(409);
  });

  it('refuses call-next to a doctor who does not work at the OPD', async () => {
    const opdId = await openOpd();
    const elsewhere = await doctorAt(await openOpd());
    expect((await callNext(elsewhere, opdId)).statusCode).toBe(403);
  });
});

describe('after the consultation', () => {
  it('books a follow-up with the same doctor, who is offered the patient first on the day', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const colleague = await doctorAt(opdId);
    const p = await patient();
    const token = (await take(p, opdId)).json();
    await callNext(doctor, opdId);
    const consultationId = (await join(p, token.id as string)).json().consultationId as string;
    const completed = await complete(doctor, consultationId, { followUp: { afterDays: 7, with: 'same_doctor' } });
    expect(completed.statusCode).toBe(200);
    const dueDate = completed.json().record.followUp.dueDate as string;
    await finish(doctor, token.id as string);

    const booking = await bookFollowUp(p, consultationId);
    expect(booking.statusCode).toBe(201);
    // The OPD is open round the clock, so the booking starts at local midnight of the due date.
    const bookedFor = new Date(`${dueDate}T00:00:00+05:30`).toISOString();
    expect(booking.json()).toMatchObject({
      status: 'booked',
      followUpOf: consultationId,
      bookedFor,
      serviceDate: dueDate,
    });
    const retry = await bookFollowUp(p, consultationId);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(booking.json().id);
    const stranger = await patient();
    const notTheirs = await bookFollowUp(stranger, consultationId);
    expect(notTheirs.statusCode).toBe(404);

    moveTo(new Date(new Date(bookedFor).getTime() + 60_000));
    await test.app.services.queue.sweep();
    const other = await take(await patient(), opdId);
    expect(other.statusCode).toBe(201);
    // The colleague is passed the other patient; the follow-up waits for its doctor.
    expect((await callNext(colleague, opdId)).json().token.id).toBe(other.json().id);
    expect((await callNext(doctor, opdId)).json().token.id).toBe(booking.json().id);
  });

  it('refuses a follow-up booking when the doctor asked for none', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const p = await patient();
    const token = (await take(p, opdId)).json();
    await callNext(doctor, opdId);
    const consultationId = (await join(p, token.id as string)).json().consultationId as string;
    await complete(doctor, consultationId);
    const refused = await bookFollowUp(p, consultationId);
    expect(refused.statusCode).toBe(422);
  });

  it('ends the token as "did not happen" with the reason, tells the patient, and counts no-shows for the day', async () => {
    const opdId = await openOpd();
    const doctor = await doctorAt(opdId);
    const p = await patient();
    const token = (await take(p, opdId)).json();
    const absent = await patient();
    const absentToken = (await take(absent, opdId)).json();
    await callNext(doctor, opdId);
    const consultationId = (await join(p, token.id as string)).json().consultationId as string;
    const events: { event: string; status: string }[] = [];
    await test.bus.subscribe(`queue.account.${p.userId}`, (m) => events.push(m as { event: string; status: string }));
    await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${consultationId}/not-happened`,
      headers: doctor.auth,
      payload: { reason: 'network_failure' },
    });
    const ended = await finish(doctor, token.id as string);
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'not_happened', outcomeReason: 'network failure' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toContainEqual(expect.objectContaining({ event: 'not_happened', status: 'not_happened' }));

    expect((await callNext(doctor, opdId)).json().token.id).toBe(absentToken.id);
    await test.app.inject({
      method: 'POST',
      url: `/api/v1/opd/tokens/${absentToken.id as string}/no-show`,
      headers: doctor.auth,
      payload: { reason: 'no answer' },
    });
    const day = await test.app.inject({ method: 'GET', url: '/api/v1/me/day-summary', headers: doctor.auth });
    expect(day.json()).toMatchObject({ notHappened: 1, noShow: 1, completed: 0 });
  });

  it('shows each OPD with its waiting count and an estimated wait for a newcomer', async () => {
    const opdId = await openOpd();
    await doctorAt(opdId);
    const viewer = await patient();
    for (let i = 0; i < 3; i += 1) await take(await patient(), opdId);
    const opd = await test.app.inject({ method: 'GET', url: `/api/v1/opds/${opdId}`, headers: viewer.headers });
    // Three ahead, 10 minutes each, one doctor: the fourth is called in about 30 minutes.
    expect(opd.json()).toMatchObject({ waiting: 3, estimatedWaitMinutes: 30 });
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/opds?stateId=${UP.stateId}&limit=200`,
      headers: viewer.headers,
    });
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ id: opdId, waiting: 3, estimatedWaitMinutes: 30 }),
    );
  });
});
