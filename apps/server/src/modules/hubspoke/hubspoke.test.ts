import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacilityRepository } from '../facilities/index.js';
import { MappingRepository } from '../mappings/index.js';
import { RosterRepository } from '../rosters/index.js';
import {
  createDoctor,
  createFacility,
  createStaff,
  startSecondInstance,
  startTestApp,
  UP,
  type StaffFixture,
  type TestApp,
} from '../../test/app.js';
import { hubTopic, spokeTopic } from './service.js';

let test: TestApp;

beforeAll(async () => {
  test = await startTestApp();
});
afterAll(async () => {
  await test.close();
});

type Doctor = StaffFixture & { practitionerId: string };

/** A hub doctor with a practitioner record working at `facilityId`, optionally on shift all week. */
async function hubDoctor(
  facilityId: string,
  specialities: string[],
  options: { onShift?: boolean } = {},
): Promise<Doctor> {
  const staff = await createDoctor(test, facilityId, 'hub_doctor', specialities);
  const { practitionerId } = staff;
  if (options.onShift === true) {
    await new RosterRepository(test.database.db).replaceShifts(
      practitionerId,
      facilityId,
      UP.stateId,
      [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({
        id: randomUUID(),
        weekday,
        startsAt: '00:00',
        endsAt: '23:59',
        validFrom: null,
        validTo: null,
      })),
    );
  }
  return staff;
}

/** A spoke with its officer, mapped to `hubs` (in order) per speciality. */
async function spoke(mappings: Record<string, string[]>) {
  const spokeId = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
  const rows = Object.entries(mappings).flatMap(([specialityCode, hubIds]) =>
    hubIds.map((hubId, index) => ({
      id: randomUUID(),
      stateId: UP.stateId,
      spokeId,
      specialityCode,
      hubId,
      rank: index + 1,
    })),
  );
  await new MappingRepository(test.database.db).insertMany(rows);
  const officer = await createStaff(test, 'spoke_operator', { facilityId: spokeId });
  return { spokeId, officer };
}

const hub = () => createFacility(test, UP.stateId, UP.districtId, 'hub');

const call = (
  who: StaffFixture,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
  app: FastifyInstance = test.app,
) =>
  app.inject({
    method,
    url,
    headers: who.auth,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const FULL_VITALS = {
  bloodPressure: { systolic: 128, diastolic: 82 },
  pulse: 84,
  temperature: { value: 38.4, unit: 'Cel' },
  spo2: 97,
  weight: { value: 60, unit: 'kg' },
  height: { value: 160, unit: 'cm' },
};

let patientCounter = 0;
/** Registers a patient at the spoke, records consent, and drafts a request with full vitals. */
async function draft(
  officer: StaffFixture,
  extra: Record<string, unknown> = {},
  patient: { sex?: string; birthYear?: number } = {},
) {
  patientCounter += 1;
  const registered = await call(officer, 'POST', '/api/v1/spoke/patients', {
    id: randomUUID(),
    name: `Ramesh Kumar ${String(patientCounter)}`,
    sex: patient.sex ?? 'male',
    birthYear: patient.birthYear ?? 1970,
    village: 'Rampur',
  });
  expect(registered.statusCode).toBe(201);
  const patientId = registered.json<{ id: string }>().id;
  const consent = await call(officer, 'POST', `/api/v1/spoke/patients/${patientId}/consent`, {
    method: 'verbal',
    givenBy: 'patient',
  });
  expect(consent.statusCode).toBe(201);
  const created = await call(officer, 'POST', '/api/v1/spoke/requests', {
    id: randomUUID(),
    patientId,
    complaints: [{ code: 'fever', duration: { value: 3, unit: 'days' }, severity: 'moderate' }],
    vitals: FULL_VITALS,
    ...extra,
  });
  expect(created.statusCode, created.body).toBe(201);
  return { patientId, request: created.json<RequestBody>() };
}

interface RequestBody {
  id: string;
  status: string;
  hubId: string | null;
  specialityCode: string | null;
  urgency: string | null;
  suggestedSpeciality: string | null;
  suggestedUrgency: string | null;
  triage: { specialityCode: string; urgency: string; reasons: string[] };
  redFlags: string[];
  bmi: number | null;
  missing: { field: string }[];
  practitionerId: string | null;
  advice: string | null;
  followUp: { dueDate: string; with: string } | null;
  feedback: { complete: boolean; appropriateSpeciality: boolean } | null;
  referralStatus: string | null;
  events: { kind: string; detail: Record<string, unknown> | null }[];
  reroutes: number;
  consultationId: string | null;
}

const send = (officer: StaffFixture, id: string, body: Record<string, unknown> = {}) =>
  call(officer, 'POST', `/api/v1/spoke/requests/${id}/send`, body);
const takeNext = (doctor: StaffFixture, app?: FastifyInstance) =>
  call(doctor, 'POST', '/api/v1/hub/take-next', {}, app);
const taken = (response: LightMyRequestResponse) => response.json<{ request: RequestBody | null }>().request;
const minutes = (n: number) => {
  test.clock.advance(n * 60_000);
};

describe('at the spoke', () => {
  it('finds a patient before registering again: by ABHA number, mobile, and a similar name with year and village', async () => {
    const { officer } = await spoke({ general_medicine: [await hub()] });
    const abha = '91-2345-6789-0123';
    const first = await call(officer, 'POST', '/api/v1/spoke/patients', {
      id: randomUUID(),
      name: 'Sunita Devi',
      sex: 'female',
      age: 34,
      mobile: '9812345670',
      village: 'Lalpur',
      abhaNumber: abha,
    });
    expect(first.statusCode).toBe(201);
    const id = first.json<{ id: string }>().id;

    const byAbha = await call(officer, 'GET', '/api/v1/spoke/patients/find?abhaNumber=91234567890123');
    expect(byAbha.json<{ matches: { id: string; matchedBy: string }[] }>().matches).toEqual([
      expect.objectContaining({ id, matchedBy: 'abha_number' }),
    ]);
    const byName = await call(
      officer,
      'GET',
      '/api/v1/spoke/patients/find?name=Suneeta%20Devi&birthYear=1993&village=lalpur',
    );
    const likely = byName.json<{ likely: { id: string; reasons: string[] }[] }>().likely;
    expect(likely.map((p) => p.id)).toContain(id);
    expect(likely.find((p) => p.id === id)?.reasons).toEqual(expect.arrayContaining(['similar name', 'same village']));
    const unrelated = await call(officer, 'GET', '/api/v1/spoke/patients/find?name=Mohan%20Lal&birthYear=1950');
    expect(unrelated.json<{ likely: { id: string }[] }>().likely.map((p) => p.id)).not.toContain(id);

    // The same ABHA number cannot make a second patient.
    const again = await call(officer, 'POST', '/api/v1/spoke/patients', {
      name: 'Sunita D',
      sex: 'female',
      age: 34,
      abhaNumber: abha,
    });
    expect(again.statusCode).toBe(409);
  });

  it('finds a likely duplicate among many newer patients of similar names, and through a misspelt first letter', async () => {
    const { officer } = await spoke({ general_medicine: [await hub()] });
    const registered = await call(officer, 'POST', '/api/v1/spoke/patients', {
      id: randomUUID(),
      name: 'Kamla Devi',
      sex: 'female',
      birthYear: 1990,
      village: 'Bhitauli',
    });
    const id = registered.json<{ id: string }>().id;
    // 250 patients registered since in the same village and year, whose names start the same.
    await test.database.db.query(
      `insert into patients (id, state_id, district_id, name, sex, birth_year, village, created_at)
       select gen_random_uuid(), $1, $2, 'Karan Singh ' || n, 'male', 1990, 'Bhitauli', now() + n * interval '1 second'
       from generate_series(1, 250) n`,
      [UP.stateId, UP.districtId],
    );
    for (const name of ['Kamla Devi', 'Kamala Devi', 'Camla Devi']) {
      const found = await call(
        officer,
        'GET',
        `/api/v1/spoke/patients/find?name=${encodeURIComponent(name)}&birthYear=1991&village=bhitauli`,
      );
      const likely = found.json<{ likely: { id: string; reasons: string[] }[] }>().likely;
      expect(
        likely.map((p) => p.id),
        name,
      ).toContain(id);
    }
  });

  it('registers one patient when two registrations race with the same ABHA number; the other answers 409 and creates nothing', async () => {
    const { officer } = await spoke({ general_medicine: [await hub()] });
    const { officer: otherOfficer } = await spoke({ general_medicine: [await hub()] });
    const ids = [randomUUID(), randomUUID()];
    const results = await Promise.all(
      [officer, otherOfficer].map((who, i) =>
        call(who, 'POST', '/api/v1/spoke/patients', {
          id: ids[i],
          name: 'Geeta Kumari',
          sex: 'female',
          age: 28,
          abhaNumber: '91-1111-2222-3333',
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const lost = results.findIndex((r) => r.statusCode === 409);
    expect(results[lost]?.json<{ resourceType: string; issue: { expression?: string[] }[] }>()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ expression: ['body.abhaNumber'] }],
    });
    const stored = await test.database.db.query<{ id: string }>('select id from patients where id = any($1::uuid[])', [
      ids,
    ]);
    expect(stored.map((p) => p.id)).toEqual([ids[1 - lost]]);
    const found = await call(officer, 'GET', '/api/v1/spoke/patients/find?abhaNumber=91111122223333');
    expect(found.json<{ matches: { id: string }[] }>().matches.map((m) => m.id)).toEqual([ids[1 - lost]]);
  });

  it('shows red flags and BMI at once, suggests triage, and refuses to send an incomplete request naming what is missing', async () => {
    const { officer } = await spoke({ general_medicine: [await hub()] });
    const registered = await call(officer, 'POST', '/api/v1/spoke/patients', {
      name: 'Kamla',
      sex: 'female',
      birthYear: 1998,
    });
    const patientId = registered.json<{ id: string }>().id;
    const id = randomUUID();
    const created = await call(officer, 'POST', '/api/v1/spoke/requests', {
      id,
      patientId,
      complaints: [{ code: 'breathlessness', duration: { value: 2, unit: 'days' }, severity: 'severe' }],
      vitals: {
        spo2: 86,
        bloodPressure: { systolic: 190, diastolic: 100 },
        weight: { value: 50, unit: 'kg' },
        height: { value: 150, unit: 'cm' },
      },
    });
    expect(created.statusCode).toBe(201);
    const request = created.json<RequestBody>();
    expect(request.redFlags).toEqual(['spo2_low', 'systolic_high']);
    expect(request.bmi).toBe(22.2);
    expect(request.suggestedUrgency).toBe('emergency');
    // Breathlessness suggests pulmonology, which this spoke has no hub for: general medicine instead.
    expect(request.suggestedSpeciality).toBe('general_medicine');
    // The officer sees why, then and whenever the draft is opened again.
    const why = expect.arrayContaining(['red flag spo2_low', 'red flag systolic_high']) as unknown;
    expect(request.triage).toMatchObject({ specialityCode: 'general_medicine', urgency: 'emergency', reasons: why });
    const reopened = await call(officer, 'GET', `/api/v1/hubspoke/requests/${id}`);
    expect(reopened.json<RequestBody>().triage.reasons).toEqual(why);

    const refused = await send(officer, id);
    expect(refused.statusCode).toBe(422);
    const fields = refused.json<{ issue: { expression?: string[] }[] }>().issue.flatMap((i) => i.expression ?? []);
    expect(fields).toEqual(
      expect.arrayContaining([
        'request.consent',
        'request.vitals.pulse',
        'request.vitals.temperature',
        'request.pregnancy',
      ]),
    );
    expect(fields).not.toContain('request.vitals.spo2');

    // A retry of the create with the same id returns the same draft, not a second one.
    const retried = await call(officer, 'POST', '/api/v1/spoke/requests', { id, patientId });
    expect(retried.statusCode).toBe(200);
    expect(retried.json<RequestBody>().id).toBe(id);

    await call(officer, 'POST', `/api/v1/spoke/patients/${patientId}/consent`, {
      method: 'written',
      givenBy: 'patient',
    });
    const completed = await call(officer, 'PATCH', `/api/v1/spoke/requests/${id}`, {
      vitals: { ...FULL_VITALS, spo2: 86 },
      pregnancy: 'not_pregnant',
    });
    expect(completed.json<RequestBody>().missing).toEqual([]);
    const sent = await send(officer, id);
    expect(sent.statusCode).toBe(200);
    expect(sent.json<RequestBody>()).toMatchObject({ status: 'waiting', urgency: 'emergency' });
  });

  it('tells the spoke and the hub that a withdrawn request is cancelled', async () => {
    const hubId = await hub();
    const { officer, spokeId } = await spoke({ general_medicine: [hubId] });
    const { request } = await draft(officer);
    await send(officer, request.id);
    const heard: { topic: string; message: unknown }[] = [];
    const stops = await Promise.all(
      [spokeTopic(spokeId), hubTopic(hubId)].map((topic) =>
        test.bus.subscribe(topic, (message) => heard.push({ topic, message })),
      ),
    );
    try {
      const cancelled = await call(officer, 'POST', `/api/v1/spoke/requests/${request.id}/cancel`, {
        reason: 'patient went home',
      });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      await new Promise((resolve) => setImmediate(resolve));
      expect(heard).toEqual([
        { topic: spokeTopic(spokeId), message: { requestId: request.id, status: 'cancelled' } },
        { topic: hubTopic(hubId), message: { requestId: request.id, status: 'cancelled' } },
      ]);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
  });

  it('works out the age for the missing list as send does: from the date of birth when known', async () => {
    const { officer } = await spoke({ general_medicine: [await hub()] });
    // 50 on 22 November 2026 (51 by the year alone): whether she is pregnant is an essential.
    const registered = await call(officer, 'POST', '/api/v1/patients', {
      id: randomUUID(),
      stateId: UP.stateId,
      districtId: UP.districtId,
      name: 'Shanti Devi',
      sex: 'female',
      birthDate: '1975-12-15',
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const patientId = registered.json<{ id: string }>().id;
    await call(officer, 'POST', `/api/v1/spoke/patients/${patientId}/consent`, {
      method: 'verbal',
      givenBy: 'patient',
    });
    const created = await call(officer, 'POST', '/api/v1/spoke/requests', {
      id: randomUUID(),
      patientId,
      complaints: [{ code: 'fever' }],
      vitals: FULL_VITALS,
    });
    const request = created.json<RequestBody & { age: number | null }>();
    expect(request.age).toBe(50);
    expect(request.missing.map((m) => m.field)).toEqual(['pregnancy']);
    const refused = await send(officer, request.id);
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ issue: { expression?: string[] }[] }>().issue.flatMap((i) => i.expression ?? [])).toEqual([
      'request.pregnancy',
    ]);
  });

  it('uses the state triage rules, which a state admin edits through the API', async () => {
    const paeds = await hub();
    const { officer } = await spoke({ general_medicine: [await hub()], paediatrics: [paeds] });
    const admin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const before = await draft(officer);
    expect(before.request.suggestedSpeciality).toBe('general_medicine');
    const rules = await call(officer, 'GET', `/api/v1/states/${UP.stateId}/triage-rules`);
    expect(rules.json<{ own: boolean; rules: unknown[] }>().own).toBe(false);
    const denied = await call(officer, 'PUT', `/api/v1/states/${UP.stateId}/triage-rules`, { rules: [] });
    expect(denied.statusCode).toBe(403);
    const set = await call(admin, 'PUT', `/api/v1/states/${UP.stateId}/triage-rules`, {
      rules: [
        { position: 1, complaintCode: 'fever', specialityCode: 'paediatrics', urgency: 'urgent' },
        { position: 2, redFlag: 'spo2_low', specialityCode: 'general_medicine', urgency: 'emergency' },
      ],
    });
    expect(set.statusCode, set.body).toBe(200);
    const after = await draft(officer);
    expect(after.request).toMatchObject({ suggestedSpeciality: 'paediatrics', suggestedUrgency: 'urgent' });
    expect(after.request.triage.reasons).toEqual(['complaint fever']);
    const sent = await send(officer, after.request.id);
    expect(sent.json<RequestBody>()).toMatchObject({ hubId: paeds, specialityCode: 'paediatrics' });
    // Emptied, the country's defaults apply again.
    await call(admin, 'PUT', `/api/v1/states/${UP.stateId}/triage-rules`, { rules: [] });
    expect((await draft(officer)).request.suggestedSpeciality).toBe('general_medicine');
  });
});

describe('routing', () => {
  it('goes to the first mapped hub with a doctor available, and overflows to the next after the state wait', async () => {
    const first = await hub();
    const second = await hub();
    const { officer } = await spoke({ general_medicine: [first, second] });
    const firstDoctor = await hubDoctor(first, ['general_medicine'], { onShift: true });
    const secondDoctor = await hubDoctor(second, ['general_medicine'], { onShift: true });
    const { request } = await draft(officer);
    const sent = (await send(officer, request.id)).json<RequestBody>();
    expect(sent.hubId).toBe(first);

    const secondQueue = await call(secondDoctor, 'GET', '/api/v1/hub/queue');
    expect(secondQueue.json<{ waiting: { id: string }[] }>().waiting.map((r) => r.id)).not.toContain(request.id);
    const firstQueue = await call(firstDoctor, 'GET', '/api/v1/hub/queue');
    expect(firstQueue.json<{ waiting: { id: string }[] }>().waiting.map((r) => r.id)).toContain(request.id);

    minutes(14);
    await test.app.services.hubSpoke.sweep();
    expect((await call(officer, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).json<RequestBody>().hubId).toBe(
      first,
    );
    minutes(2);
    await test.app.services.hubSpoke.sweep();
    const moved = (await call(officer, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).json<RequestBody>();
    expect(moved.hubId).toBe(second);
    expect(moved.events.map((e) => e.kind)).toEqual(['sent', 'overflowed']);
    // The first hub no longer has it; the second can take it.
    expect(taken(await takeNext(firstDoctor))?.id).not.toBe(request.id);
    expect(taken(await takeNext(secondDoctor))?.id).toBe(request.id);
  });

  it('skips a mapped hub with nobody available now', async () => {
    const empty = await hub();
    const staffed = await hub();
    const { officer } = await spoke({ general_medicine: [empty, staffed] });
    await hubDoctor(empty, ['general_medicine']);
    await hubDoctor(staffed, ['general_medicine'], { onShift: true });
    const { request } = await draft(officer);
    expect((await send(officer, request.id)).json<RequestBody>().hubId).toBe(staffed);
  });

  it('moves requests away from a hub whose doctors all left to another hub of the route', async () => {
    const first = await hub();
    const second = await hub();
    const { officer } = await spoke({ general_medicine: [first, second] });
    const leaving = await hubDoctor(first, ['general_medicine'], { onShift: true });
    await hubDoctor(second, ['general_medicine'], { onShift: true });
    const { request } = await draft(officer);
    expect((await send(officer, request.id)).json<RequestBody>().hubId).toBe(first);
    const away = await call(leaving, 'PUT', '/api/v1/me/availability', { status: 'off_shift' });
    expect(away.statusCode, away.body).toBe(200);
    minutes(1);
    await test.app.services.hubSpoke.sweep();
    const moved = (await call(officer, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).json<RequestBody>();
    expect(moved.hubId).toBe(second);
    expect(moved.events.at(-1)).toMatchObject({ kind: 'overflowed', detail: { reason: 'nobody available' } });
  });

  it('moves a request off an unstaffed hub forward, with its next overflow time, and back only when nobody later is there', async () => {
    const hubs = [await hub(), await hub(), await hub(), await hub()];
    const [a, b, c, d] = hubs as [string, string, string, string];
    const { officer } = await spoke({ general_medicine: hubs });
    const doctors = await Promise.all(hubs.map((h) => hubDoctor(h, ['general_medicine'], { onShift: true })));
    const { request } = await draft(officer);
    expect((await send(officer, request.id)).json<RequestBody>().hubId).toBe(a);
    const at = async () => (await call(officer, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).json<RequestBody>();
    minutes(16);
    await test.app.services.hubSpoke.sweep();
    expect((await at()).hubId).toBe(b);

    // Nobody at B: on to C (not back to A, which it left), and it overflows from C in time.
    await call(doctors[1] as Doctor, 'PUT', '/api/v1/me/availability', { status: 'off_shift' });
    minutes(1);
    await test.app.services.hubSpoke.sweep();
    expect((await at()).hubId).toBe(c);
    minutes(14);
    await test.app.services.hubSpoke.sweep();
    expect((await at()).hubId).toBe(c);
    minutes(2);
    await test.app.services.hubSpoke.sweep();
    expect((await at()).hubId).toBe(d);

    // Nobody at D, the last hub, nor anywhere later: back to the first earlier hub with someone,
    // where it stays (no overflow time) rather than shuttling between hubs.
    await call(doctors[3] as Doctor, 'PUT', '/api/v1/me/availability', { status: 'off_shift' });
    minutes(1);
    await test.app.services.hubSpoke.sweep();
    const back = await at();
    expect(back.hubId).toBe(a);
    expect(back.events.at(-1)).toMatchObject({ kind: 'overflowed', detail: { from: d, back: true } });
    minutes(16);
    await test.app.services.hubSpoke.sweep();
    expect((await at()).hubId).toBe(a);
  });

  it('hands out urgent requests first, and only to doctors of the hub pool and speciality', async () => {
    const hubId = await hub();
    const member = await createFacility(test, UP.stateId, UP.districtId, 'referral');
    await new FacilityRepository(test.database.db).addPoolMember(hubId, member);
    const { officer } = await spoke({ general_medicine: [hubId] });
    const routine = await draft(officer);
    await send(officer, routine.request.id, { urgency: 'routine' });
    minutes(1);
    const urgent = await draft(officer);
    await send(officer, urgent.request.id, { urgency: 'urgent' });
    const dermatologist = await hubDoctor(hubId, ['dermatology']);
    expect(taken(await takeNext(dermatologist))).toBeNull();
    const pooled = await hubDoctor(member, ['general_medicine']);
    expect(taken(await takeNext(pooled))?.id).toBe(urgent.request.id);
    expect(taken(await takeNext(pooled))?.id).toBe(routine.request.id);
  });

  it('gives one request to exactly one doctor when doctors on two instances take at once', async () => {
    const hubId = await hub();
    const { officer } = await spoke({ general_medicine: [hubId] });
    const doctors = await Promise.all([1, 2, 3, 4].map(() => hubDoctor(hubId, ['general_medicine'])));
    const { request } = await draft(officer);
    await send(officer, request.id);
    const second = await startSecondInstance(test);
    try {
      const results = await Promise.all(doctors.map((d, i) => takeNext(d, i % 2 === 0 ? test.app : second)));
      const winners = results.map(taken).filter((r) => r !== null);
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.id).toBe(request.id);
      // Taking the named request on the other instance is refused.
      const loser = doctors.find((d) => d.practitionerId !== winners[0]?.practitionerId);
      if (loser === undefined) throw new Error('no loser');
      const late = await call(loser, 'POST', `/api/v1/hub/requests/${request.id}/take`, {}, second);
      expect(late.statusCode).toBe(409);
    } finally {
      await second.close();
    }
  });

  it('re-routes "not my speciality" to the right speciality instead of ending it, and ends other declines with the reason', async () => {
    const general = await hub();
    const skin = await hub();
    const { officer } = await spoke({ general_medicine: [general], dermatology: [skin] });
    const physician = await hubDoctor(general, ['general_medicine']);
    const dermatologist = await hubDoctor(skin, ['dermatology']);
    const { request } = await draft(officer);
    await send(officer, request.id);
    expect(taken(await takeNext(physician))?.id).toBe(request.id);
    const noReason = await call(physician, 'POST', `/api/v1/hub/requests/${request.id}/decline`, {
      reason: 'not_my_speciality',
    });
    expect(noReason.statusCode).toBe(400);
    const rerouted = await call(physician, 'POST', `/api/v1/hub/requests/${request.id}/decline`, {
      reason: 'not_my_speciality',
      specialityCode: 'dermatology',
      text: 'a skin rash, not fever',
    });
    expect(rerouted.statusCode, rerouted.body).toBe(200);
    expect(rerouted.json<RequestBody>()).toMatchObject({
      status: 'waiting',
      specialityCode: 'dermatology',
      hubId: skin,
      practitionerId: null,
      reroutes: 1,
    });
    const seen = (await call(officer, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).json<RequestBody>();
    expect(seen.events.find((e) => e.kind === 'rerouted')?.detail).toMatchObject({
      from: 'general_medicine',
      to: 'dermatology',
    });
    expect(taken(await takeNext(dermatologist))?.id).toBe(request.id);

    const declined = await call(dermatologist, 'POST', `/api/v1/hub/requests/${request.id}/decline`, {
      reason: 'not_suitable_for_teleconsultation',
      text: 'needs to be examined in person',
    });
    expect(declined.json<RequestBody>().status).toBe('declined');
    const list = await call(officer, 'GET', '/api/v1/spoke/requests');
    expect(list.json<{ items: RequestBody[] }>().items.find((r) => r.id === request.id)?.status).toBe('declined');
  });

  it('alerts coordinators when a request is about to miss its service level', async () => {
    const hubId = await hub();
    const { officer } = await spoke({ general_medicine: [hubId] });
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const { request } = await draft(officer);
    await send(officer, request.id, { urgency: 'emergency' });
    const alerts = () =>
      call(coordinator, 'GET', `/api/v1/states/${UP.stateId}/hubspoke/alerts`).then((r) =>
        r.json<{ items: { id: string }[] }>().items.map((i) => i.id),
      );
    minutes(19);
    await test.app.services.hubSpoke.sweep();
    expect(await alerts()).not.toContain(request.id);
    minutes(2);
    const swept = await test.app.services.hubSpoke.sweep();
    expect(swept.alerted).toBeGreaterThanOrEqual(1);
    expect(await alerts()).toContain(request.id);
  });
});

describe('at the hub', () => {
  it('answers with advice, refers, rates and sets a follow-up, all seen back at the spoke; the referral is tracked to its end', async () => {
    const hubId = await hub();
    const destination = await createFacility(test, UP.stateId, UP.districtId, 'referral');
    const { officer, spokeId } = await spoke({ general_medicine: [hubId] });
    const doctor = await hubDoctor(hubId, ['general_medicine']);
    const specialist = await hubDoctor(await hub(), ['cardiology']);
    const { request } = await draft(officer);
    await send(officer, request.id);
    const mine = taken(await takeNext(doctor));
    expect(mine?.consultationId).not.toBeNull();

    const invite = await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/invites`, {
      practitionerId: specialist.practitionerId,
      note: 'ECG looks odd?',
    });
    expect(invite.statusCode).toBe(201);
    const invitations = (await call(specialist, 'GET', '/api/v1/hub/queue')).json<{ invites: { id: string }[] }>()
      .invites;
    expect(invitations).toHaveLength(1);
    expect((await call(specialist, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).statusCode).toBe(200);
    const opinion = await call(specialist, 'POST', `/api/v1/hub/invites/${invitations[0]?.id ?? ''}/opinion`, {
      opinion: 'Normal sinus rhythm',
    });
    expect(opinion.statusCode).toBe(200);

    const emptyAdvice = await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/answer`, { advice: '  ' });
    expect(emptyAdvice.statusCode).toBe(400);
    const answered = await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/answer`, {
      advice: 'Paracetamol 500 mg when feverish; fluids; refer if fever beyond 5 days.',
      record: { diagnoses: [{ code: 'R50.9' }], followUp: { afterDays: 7, with: 'same_doctor' } },
    });
    expect(answered.statusCode, answered.body).toBe(200);

    const referral = await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/referrals`, {
      destinationId: destination,
      reason: 'Persistent fever, needs blood tests',
      urgency: 'urgent',
      summary: 'Fever 3 days, 38.4 °C, stable vitals',
    });
    expect(referral.statusCode, referral.body).toBe(201);
    const referralId = referral.json<{ id: string; status: string; dueAt: string }>().id;

    const rated = await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/feedback`, {
      complete: true,
      appropriateSpeciality: true,
      neededVideo: false,
    });
    expect(rated.statusCode).toBe(200);
    expect(
      (
        await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/feedback`, {
          complete: true,
          appropriateSpeciality: true,
          neededVideo: false,
        })
      ).statusCode,
    ).toBe(409);

    const atSpoke = (await call(officer, 'GET', '/api/v1/spoke/requests')).json<{ items: RequestBody[] }>().items;
    expect(atSpoke.find((r) => r.id === request.id)).toMatchObject({
      status: 'answered',
      advice: expect.stringContaining('Paracetamol') as string,
      followUp: { dueDate: '2026-11-29', with: 'same_doctor' },
      feedback: { complete: true, appropriateSpeciality: true },
      referralStatus: 'sent',
    });
    const figures = await call(officer, 'GET', `/api/v1/hubspoke/feedback-figures?spokeId=${spokeId}`);
    expect(figures.json<{ total: { rated: number; completeShare: number } }>().total).toMatchObject({
      rated: 1,
      completeShare: 1,
    });

    // The destination tracks the referral; the doctor who referred cannot mark it.
    const desk = await createStaff(test, 'hub_doctor', { facilityId: destination });
    expect((await call(doctor, 'POST', `/api/v1/referrals/${referralId}/received`, {})).statusCode).toBe(403);
    const incoming = await call(desk, 'GET', `/api/v1/referrals/incoming?facilityId=${destination}`);
    expect(incoming.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual([referralId]);
    expect(
      (await call(desk, 'POST', `/api/v1/referrals/${referralId}/received`, {})).json<{ status: string }>().status,
    ).toBe('received');
    expect((await call(desk, 'POST', `/api/v1/referrals/${referralId}/received`, {})).statusCode).toBe(409);
    expect(
      (await call(desk, 'POST', `/api/v1/referrals/${referralId}/attended`, {})).json<{ status: string }>().status,
    ).toBe('attended');
    const done = await call(desk, 'POST', `/api/v1/referrals/${referralId}/outcome`, {
      outcome: 'treated_discharged',
      note: 'Typhoid ruled out',
    });
    expect(done.json<{ status: string; outcome: string; completedAt: string | null }>()).toMatchObject({
      status: 'completed',
      outcome: 'treated_discharged',
    });
    const back = (await call(officer, 'GET', `/api/v1/hubspoke/requests/${request.id}`)).json<RequestBody>();
    expect(back.referralStatus).toBe('completed');
  });

  it('shows coordinators the referrals not attended by their due time', async () => {
    const hubId = await hub();
    const destination = await createFacility(test, UP.stateId, UP.districtId, 'referral');
    const { officer } = await spoke({ general_medicine: [hubId] });
    const doctor = await hubDoctor(hubId, ['general_medicine']);
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const { request } = await draft(officer);
    await send(officer, request.id);
    await takeNext(doctor);
    const referral = await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/referrals`, {
      destinationId: destination,
      reason: 'Chest pain',
      urgency: 'emergency',
      summary: 'Chest pain since morning',
    });
    const id = referral.json<{ id: string }>().id;
    const overdue = () =>
      call(coordinator, 'GET', `/api/v1/states/${UP.stateId}/referrals/overdue`).then(
        (r) => r.json<{ items: { id: string; overdue: boolean }[] }>().items,
      );
    expect((await overdue()).map((r) => r.id)).not.toContain(id);
    minutes(24 * 60 + 1);
    expect((await overdue()).find((r) => r.id === id)?.overdue).toBe(true);
    await call(coordinator, 'POST', `/api/v1/referrals/${id}/attended`, {});
    expect((await overdue()).map((r) => r.id)).not.toContain(id);
  });
});

describe('continuity', () => {
  it("shows the patient's timeline only to those treating them, and audits every look and refusal", async () => {
    const hubId = await hub();
    const { officer } = await spoke({ general_medicine: [hubId] });
    const { officer: otherOfficer } = await spoke({ general_medicine: [hubId] });
    const doctor = await hubDoctor(hubId, ['general_medicine']);
    const stranger = await hubDoctor(await hub(), ['general_medicine']);
    const { request, patientId } = await draft(officer);
    await send(officer, request.id);
    await takeNext(doctor);
    await call(doctor, 'POST', `/api/v1/hub/requests/${request.id}/answer`, { advice: 'Rest and fluids' });

    const forDoctor = await call(doctor, 'GET', `/api/v1/patients/${patientId}/timeline`);
    expect(forDoctor.statusCode).toBe(200);
    const body = forDoctor.json<{
      consultations: { kind: string; advice: string }[];
      vitals: { bmi: number | null }[];
      requests: unknown[];
    }>();
    expect(body.consultations).toEqual([expect.objectContaining({ kind: 'hub_spoke', advice: 'Rest and fluids' })]);
    expect(body.vitals[0]?.bmi).toBe(23.4);
    expect(body.requests).toHaveLength(1);
    expect((await call(officer, 'GET', `/api/v1/patients/${patientId}/timeline`)).statusCode).toBe(200);
    expect((await call(stranger, 'GET', `/api/v1/patients/${patientId}/timeline`)).statusCode).toBe(403);
    expect((await call(otherOfficer, 'GET', `/api/v1/patients/${patientId}/timeline`)).statusCode).toBe(403);

    await test.app.services.audit.drain();
    const entries = await test.database.db.query<{ actorId: string; outcome: string }>(
      `select actor_id as "actorId", outcome from audit_log where resource_type = 'PatientTimeline' and patient_id = $1`,
      [patientId],
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        { actorId: doctor.userId, outcome: 'success' },
        { actorId: officer.userId, outcome: 'success' },
        { actorId: stranger.userId, outcome: 'denied' },
        { actorId: otherOfficer.userId, outcome: 'denied' },
      ]),
    );
  });

  it('sends a follow-up back to the same hub and waits for the same doctor first', async () => {
    const near = await hub();
    const far = await hub();
    const { officer } = await spoke({ general_medicine: [far, near] });
    const nearDoctor = await hubDoctor(near, ['general_medicine']);
    const colleague = await hubDoctor(near, ['general_medicine']);
    const farDoctor = await hubDoctor(far, ['general_medicine']);
    const { request, patientId } = await draft(officer);
    await send(officer, request.id);
    minutes(16);
    await test.app.services.hubSpoke.sweep();
    expect(taken(await takeNext(nearDoctor))?.id).toBe(request.id);
    await call(nearDoctor, 'POST', `/api/v1/hub/requests/${request.id}/answer`, {
      advice: 'Review in a week',
      record: { followUp: { afterDays: 7, with: 'same_doctor' } },
    });
    const followUp = await call(officer, 'POST', '/api/v1/spoke/requests', {
      patientId,
      followUpOf: request.id,
      complaints: [{ code: 'fever' }],
      vitals: FULL_VITALS,
    });
    const followUpId = followUp.json<RequestBody>().id;
    expect((await send(officer, followUpId)).json<RequestBody>().hubId).toBe(near);
    expect(taken(await takeNext(farDoctor))).toBeNull();
    expect(taken(await takeNext(colleague))).toBeNull();
    expect(taken(await takeNext(nearDoctor))?.id).toBe(followUpId);
  });

  it("does not list a follow-up kept for its own doctor in a colleague's queue until the preference lapses", async () => {
    const hubId = await hub();
    const { officer } = await spoke({ general_medicine: [hubId] });
    const own = await hubDoctor(hubId, ['general_medicine']);
    const colleague = await hubDoctor(hubId, ['general_medicine']);
    const { request, patientId } = await draft(officer);
    await send(officer, request.id);
    expect(taken(await takeNext(own))?.id).toBe(request.id);
    await call(own, 'POST', `/api/v1/hub/requests/${request.id}/answer`, { advice: 'Review in a week' });
    const followUp = await call(officer, 'POST', '/api/v1/spoke/requests', {
      patientId,
      followUpOf: request.id,
      complaints: [{ code: 'fever' }],
      vitals: FULL_VITALS,
    });
    const followUpId = followUp.json<RequestBody>().id;
    await send(officer, followUpId);
    const waiting = async (doctor: Doctor) =>
      (await call(doctor, 'GET', '/api/v1/hub/queue')).json<{ waiting: { id: string }[] }>().waiting.map((r) => r.id);
    expect(await waiting(own)).toContain(followUpId);
    expect(await waiting(colleague)).not.toContain(followUpId);
    minutes(31);
    expect(await waiting(colleague)).toContain(followUpId);
    expect(taken(await takeNext(colleague))?.id).toBe(followUpId);
  });

  it("lets the next hub take a follow-up at once when it leaves (or never reaches) its doctor's hub", async () => {
    const near = await hub();
    const far = await hub();
    const { officer } = await spoke({ general_medicine: [near, far] });
    const nearDoctor = await hubDoctor(near, ['general_medicine'], { onShift: true });
    const farDoctor = await hubDoctor(far, ['general_medicine'], { onShift: true });
    const { request, patientId } = await draft(officer);
    await send(officer, request.id);
    expect(taken(await takeNext(nearDoctor))?.id).toBe(request.id);
    await call(nearDoctor, 'POST', `/api/v1/hub/requests/${request.id}/answer`, { advice: 'Review in a week' });
    const sendFollowUp = async () => {
      const created = await call(officer, 'POST', '/api/v1/spoke/requests', {
        patientId,
        followUpOf: request.id,
        complaints: [{ code: 'fever' }],
        vitals: FULL_VITALS,
      });
      return (await send(officer, created.json<RequestBody>().id)).json<RequestBody>();
    };

    // Overflow: the doctor's hub did not take it in time.
    const overflowed = await sendFollowUp();
    expect(overflowed.hubId).toBe(near);
    minutes(16);
    await test.app.services.hubSpoke.sweep();
    expect(taken(await takeNext(farDoctor))?.id).toBe(overflowed.id);

    // Nobody left at the doctor's hub: the request moves, and the next hub may take it.
    const moved = await sendFollowUp();
    expect(moved.hubId).toBe(near);
    await call(nearDoctor, 'PUT', '/api/v1/me/availability', { status: 'off_shift' });
    minutes(1);
    await test.app.services.hubSpoke.sweep();
    expect(taken(await takeNext(farDoctor))?.id).toBe(moved.id);

    // Sent while nobody is at the doctor's hub: it starts at the next one, free for anyone there.
    const elsewhere = await sendFollowUp();
    expect(elsewhere.hubId).toBe(far);
    expect(taken(await takeNext(farDoctor))?.id).toBe(elsewhere.id);
  });
});
