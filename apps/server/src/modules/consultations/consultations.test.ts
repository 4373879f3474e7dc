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
import type { ConsultationService, StartConsultationInput } from './service.js';

/**
 * Consultations: started by the OPD queue (idempotent per token), written and completed by the
 * treating doctor, rated once by the patient; follow-ups detected; every access audited. The
 * clock starts at 2026-11-22T10:00Z (15:30 in India).
 */
let test: TestApp;
let service: ConsultationService;
let upOpd: string;
let upOpd2: string;
let kaOpd: string;
let upHub: string;

interface Doctor {
  staff: StaffFixture;
  practitionerId: string;
}
let doctorA: Doctor; // UP OPD
let doctorB: Doctor; // UP OPD, same OPD as A
let doctorC: Doctor; // UP OPD 2
let kaDoctor: Doctor;
let spokeOperator: StaffFixture;
let upAdmin: StaffFixture;

let family: { cookie: string; userId: string };
let stranger: { cookie: string; userId: string };
let patientId: string; // a UP patient on the family account
let childId: string; // another profile on the same account
let kaPatientId: string;

async function addDoctor(facilityId: string, stateId: string): Promise<Doctor> {
  const staff = await createStaff(test, 'opd_doctor', { facilityId });
  const practitionerId = randomUUID();
  await test.database.db.query(
    "insert into practitioners (id, state_id, user_id, name, gender) values ($1, $2, $3, $4, 'female')",
    [practitionerId, stateId, staff.userId, `Dr ${practitionerId.slice(0, 6)}`],
  );
  return { staff, practitionerId };
}

async function addPatient(stateId: string, accountUserId: string | null, name: string): Promise<string> {
  const id = randomUUID();
  await test.database.db.query(
    "insert into patients (id, state_id, account_user_id, name, sex, birth_year) values ($1, $2, $3, $4, 'female', 1990)",
    [id, stateId, accountUserId, name],
  );
  return id;
}

function setClock(iso: string): void {
  test.clock.advance(new Date(iso).getTime() - test.clock.now().getTime());
}

const startInput = (overrides: Partial<StartConsultationInput> = {}): StartConsultationInput => ({
  kind: 'opd',
  stateId: UP.stateId,
  patientId,
  practitionerId: doctorA.practitionerId,
  facilityId: upOpd,
  tokenId: randomUUID(),
  mode: 'video',
  ...overrides,
});

type Who = { authorization: string } | { cookie: string };
const headersOf = (who: StaffFixture | Doctor | { cookie: string }): Who =>
  'staff' in who ? who.staff.auth : 'auth' in who ? who.auth : { cookie: who.cookie };

const read = (who: StaffFixture | Doctor | { cookie: string }, id: string) =>
  test.app.inject({ method: 'GET', url: `/api/v1/consultations/${id}`, headers: headersOf(who) });
const patch = (who: Doctor, id: string, payload: object) =>
  test.app.inject({ method: 'PATCH', url: `/api/v1/consultations/${id}/record`, headers: who.staff.auth, payload });
const complete = (who: Doctor, id: string, payload: object) =>
  test.app.inject({ method: 'POST', url: `/api/v1/consultations/${id}/complete`, headers: who.staff.auth, payload });
const notHappened = (who: Doctor, id: string, payload: object) =>
  test.app.inject({
    method: 'POST',
    url: `/api/v1/consultations/${id}/not-happened`,
    headers: who.staff.auth,
    payload,
  });
const rate = (who: StaffFixture | { cookie: string }, id: string, payload: object) =>
  test.app.inject({ method: 'POST', url: `/api/v1/consultations/${id}/rating`, headers: headersOf(who), payload });

const fever = { chiefComplaints: [{ code: 'fever', duration: { value: 3, unit: 'days' }, severity: 'moderate' }] };

/** A consultation started and completed now, with doctor A unless told otherwise. */
async function completedConsultation(overrides: Partial<StartConsultationInput> = {}): Promise<string> {
  const started = await service.start(startInput(overrides));
  const doctor = [doctorA, doctorB, doctorC, kaDoctor].find((d) => d.practitionerId === started.practitionerId);
  if (doctor === undefined) throw new Error('unknown doctor');
  const done = await complete(doctor, started.id, fever);
  expect(done.statusCode).toBe(200);
  return started.id;
}

const expression = (response: { json(): unknown }) =>
  (response.json() as { issue: { expression?: string[] }[] }).issue.flatMap((i) => i.expression ?? []);

beforeAll(async () => {
  test = await startTestApp();
  service = test.app.services.consultations;
  upOpd = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  upOpd2 = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  kaOpd = await createFacility(test, KA.stateId, KA.districtId, 'opd');
  upHub = await createFacility(test, UP.stateId, UP.districtId, 'hub');
  doctorA = await addDoctor(upOpd, UP.stateId);
  doctorB = await addDoctor(upOpd, UP.stateId);
  doctorC = await addDoctor(upOpd2, UP.stateId);
  kaDoctor = await addDoctor(kaOpd, KA.stateId);
  spokeOperator = await createStaff(test, 'spoke_operator', { stateId: UP.stateId });
  upAdmin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
  family = await signInPatient(test, '9876500001');
  stranger = await signInPatient(test, '9876500002');
  patientId = await addPatient(UP.stateId, family.userId, 'Asha Devi');
  childId = await addPatient(UP.stateId, family.userId, 'Munni');
  kaPatientId = await addPatient(KA.stateId, null, 'Kaveri');
});
afterAll(async () => {
  await test.close();
});

describe('starting (the service the OPD queue calls)', () => {
  it('starts a first consultation in progress, with mode and type', async () => {
    const fresh = await addPatient(UP.stateId, null, 'New Patient');
    const tokenId = randomUUID();
    const row = await service.start(startInput({ patientId: fresh, tokenId, mode: 'audio' }));
    expect(row).toMatchObject({
      kind: 'opd',
      stateId: UP.stateId,
      patientId: fresh,
      patientName: 'New Patient',
      practitionerId: doctorA.practitionerId,
      facilityId: upOpd,
      tokenId,
      mode: 'audio',
      consultationType: 'first',
      consultationTypeSource: 'auto',
      previousConsultationId: null,
      status: 'in_progress',
      endedAt: null,
      version: 1,
    });
    expect(row.startedAt).toEqual(test.clock.now());
  });

  it('is idempotent per token: a repeated or concurrent start returns the same consultation', async () => {
    const input = startInput();
    const [first, second] = await Promise.all([service.start(input), service.start(input)]);
    const third = await service.start({ ...input, at: new Date(test.clock.now().getTime() + 60_000) });
    expect(second.id).toBe(first.id);
    expect(third.id).toBe(first.id);
    const [row] = await test.database.db.query<{ n: number }>(
      'select count(*)::int as n from consultations where token_id = $1',
      [input.tokenId],
    );
    expect(row?.n).toBe(1);
  });

  it('refuses the same token for another patient or doctor', async () => {
    const input = startInput();
    await service.start(input);
    await expect(service.start({ ...input, patientId: childId })).rejects.toMatchObject({ statusCode: 409 });
    await expect(service.start({ ...input, practitionerId: doctorB.practitionerId })).rejects.toMatchObject({
      statusCode: 409,
    });
  });

  it('starts a token again once its consultation did not happen (e.g. the network failed)', async () => {
    const input = startInput();
    const first = await service.start(input);
    expect((await notHappened(doctorA, first.id, { reason: 'network_failure' })).statusCode).toBe(200);
    const again = await service.start({ ...input, practitionerId: doctorB.practitionerId });
    expect(again.id).not.toBe(first.id);
    expect(again.status).toBe('in_progress');
    expect((await service.start({ ...input, practitionerId: doctorB.practitionerId })).id).toBe(again.id);
  });

  it('refuses unknown patients, doctors and facilities, and the wrong place', async () => {
    await expect(service.start(startInput({ patientId: randomUUID() }))).rejects.toMatchObject({ statusCode: 404 });
    await expect(service.start(startInput({ practitionerId: randomUUID() }))).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(service.start(startInput({ facilityId: randomUUID() }))).rejects.toMatchObject({ statusCode: 404 });
    await expect(service.start(startInput({ stateId: KA.stateId }))).rejects.toMatchObject({ statusCode: 400 });
    await expect(service.start(startInput({ facilityId: upHub }))).rejects.toMatchObject({ statusCode: 400 });
    const hubSpoke = await service.start(startInput({ kind: 'hub_spoke', facilityId: upHub, tokenId: null }));
    expect(hubSpoke).toMatchObject({ kind: 'hub_spoke', tokenId: null });
  });
});

describe('the record', () => {
  it('saves drafts by the treating doctor, with versions for conflicts', async () => {
    const { id } = await service.start(startInput());
    const saved = await patch(doctorA, id, {
      version: 1,
      ...fever,
      complaintText: '  Fever with chills since Sunday  ',
      vitals: {
        bloodPressure: { systolic: 128, diastolic: 84 },
        pulse: 96,
        temperature: { value: 101.2, unit: '[degF]' },
        spo2: 97,
        respiratoryRate: 18,
        weight: { value: 62, unit: 'kg' },
        height: { value: 158, unit: 'cm' },
        bloodGlucose: { value: 7.2, unit: 'mmol/L', timing: 'random' },
      },
      diagnoses: [{ code: 'r50.9' }],
      investigations: ['CBC', ' Malaria rapid test ', 'CBC'],
      followUp: { afterDays: 3, with: 'same_doctor' },
    });
    expect(saved.statusCode).toBe(200);
    const body = saved.json();
    expect(body.version).toBe(2);
    expect(body.record.chiefComplaints).toEqual([
      {
        code: 'fever',
        snomedCode: '386661006',
        display: 'Fever',
        displayHi: 'बुखार',
        redFlag: false,
        duration: { value: 3, unit: 'days' },
        severity: 'moderate',
        note: null,
      },
    ]);
    expect(body.record.complaintText).toBe('Fever with chills since Sunday');
    expect(body.record.diagnoses).toEqual([{ code: 'R50.9', title: 'Fever, unspecified', note: null }]);
    expect(body.record.investigations).toEqual(['CBC', 'Malaria rapid test']);
    expect(body.record.vitals.temperature).toEqual({ value: 101.2, unit: '[degF]' });
    // Started 2026-11-22 in India: three days later.
    expect(body.record.followUp).toMatchObject({
      afterDays: 3,
      date: null,
      dueDate: '2026-11-25',
      with: 'same_doctor',
    });

    const stale = await patch(doctorA, id, { version: 1, advice: 'Rest' });
    expect(stale.statusCode).toBe(409);
    expect(expression(stale)).toEqual(['body.version']);
    const next = await patch(doctorA, id, { version: 2, advice: 'Rest, fluids', history: null });
    expect(next.json()).toMatchObject({ version: 3, record: { advice: 'Rest, fluids', history: null } });
    // Fields not sent are kept.
    expect(next.json().record.chiefComplaints).toHaveLength(1);
  });

  it('names every code that is not on the lists', async () => {
    const { id } = await service.start(startInput());
    const response = await patch(doctorA, id, {
      version: 1,
      chiefComplaints: [{ code: 'fever' }, { code: 'made_up' }, { code: 'fever' }],
      diagnoses: [{ code: 'Z99.99' }],
      followUp: { with: 'specialist', afterDays: 7 },
    });
    expect(response.statusCode).toBe(400);
    expect(expression(response)).toEqual([
      'body.chiefComplaints.1.code',
      'body.chiefComplaints.2.code',
      'body.diagnoses.0.code',
      'body.followUp.specialityCode',
    ]);
  });

  it('refuses a follow-up with both or neither of a date and a number of days, or in the past', async () => {
    const { id } = await service.start(startInput());
    const both = await patch(doctorA, id, {
      version: 1,
      followUp: { with: 'same_facility', afterDays: 7, date: '2026-12-01' },
    });
    expect(expression(both)).toEqual(['body.followUp']);
    const past = await patch(doctorA, id, { version: 1, followUp: { with: 'same_facility', date: '2026-11-01' } });
    expect(expression(past)).toEqual(['body.followUp.date']);
    const ok = await patch(doctorA, id, {
      version: 1,
      followUp: { with: 'specialist', specialityCode: 'cardiology', date: '2026-12-01' },
    });
    expect(ok.json().record.followUp).toMatchObject({ dueDate: '2026-12-01', specialityCode: 'cardiology' });
  });

  it('rejects impossible vitals with 400 naming each field, whatever the unit', async () => {
    const { id } = await service.start(startInput());
    const impossible = await complete(doctorA, id, {
      ...fever,
      vitals: {
        spo2: 140,
        bloodPressure: { systolic: 20, diastolic: 10 },
        temperature: { value: 98.6, unit: 'Cel' },
        weight: { value: 900, unit: 'kg' },
        bloodGlucose: { value: 110, unit: 'mmol/L' },
      },
    });
    expect(impossible.statusCode).toBe(400);
    expect(expression(impossible).sort()).toEqual(
      [
        'body.vitals.bloodGlucose.value',
        'body.vitals.bloodPressure.diastolic',
        'body.vitals.bloodPressure.systolic',
        'body.vitals.spo2',
        'body.vitals.temperature.value',
        'body.vitals.weight.value',
      ].sort(),
    );
    const diagnostics = (impossible.json().issue as { diagnostics: string }[]).map((i) => i.diagnostics).join(' | ');
    expect(diagnostics).toContain('SpO2 140 % is not possible');
    expect(diagnostics).toContain('°F'); // 98.6 °C: was it Fahrenheit?

    const inverted = await patch(doctorA, id, {
      version: 1,
      vitals: { bloodPressure: { systolic: 80, diastolic: 120 } },
    });
    expect(expression(inverted)).toEqual(['body.vitals.bloodPressure.diastolic']);
    const fahrenheit = await patch(doctorA, id, {
      version: 1,
      vitals: { temperature: { value: 98.6, unit: '[degF]' } },
    });
    expect(fahrenheit.statusCode).toBe(200);
    const unknownUnit = await patch(doctorA, id, { version: 2, vitals: { temperature: { value: 37, unit: 'K' } } });
    expect(unknownUnit.statusCode).toBe(400);
    expect(expression(unknownUnit)[0]).toMatch(/^body\.vitals\.temperature\.unit/);
    // Nothing was stored by the refused requests.
    const stored = await read(doctorA, id);
    expect(stored.json()).toMatchObject({ status: 'in_progress', version: 2 });
  });

  it('completes only with a complaint, sets the end, and then stays as it is', async () => {
    const { id } = await service.start(startInput());
    const empty = await complete(doctorA, id, {});
    expect(empty.statusCode).toBe(400);
    expect(expression(empty)).toEqual(['body.chiefComplaints']);

    test.clock.advance(12 * 60_000);
    const done = await complete(doctorA, id, { complaintText: 'Headache for two days', advice: 'Paracetamol SOS' });
    test.clock.advance(-12 * 60_000);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'completed',
      durationMinutes: 12,
      mode: 'video',
      consultationType: 'first',
      record: { complaintText: 'Headache for two days', advice: 'Paracetamol SOS' },
    });
    expect(done.json().endedAt).not.toBeNull();

    expect((await complete(doctorA, id, fever)).statusCode).toBe(409);
    expect((await patch(doctorA, id, { version: 2, advice: 'Changed' })).statusCode).toBe(409);
    expect((await notHappened(doctorA, id, { reason: 'patient_did_not_join' })).statusCode).toBe(409);
  });

  it('lets the doctor change the mode when the video drops to audio', async () => {
    const { id } = await service.start(startInput());
    const audio = await patch(doctorA, id, { version: 1, mode: 'audio' });
    expect(audio.json().mode).toBe('audio');
  });

  it('ends a consultation that did not happen, with a reason from the list', async () => {
    const { id } = await service.start(startInput());
    const noText = await notHappened(doctorA, id, { reason: 'other' });
    expect(noText.statusCode).toBe(400);
    expect(expression(noText)).toEqual(['body.text']);
    const unknown = await notHappened(doctorA, id, { reason: 'bored' });
    expect(unknown.statusCode).toBe(400);
    const ended = await notHappened(doctorA, id, { reason: 'other', text: 'Patient was driving' });
    expect(ended.json()).toMatchObject({
      status: 'not_happened',
      notHappened: { reason: 'other', text: 'Patient was driving' },
    });
    expect(ended.json().endedAt).not.toBeNull();
  });
});

describe('who may see and change a consultation', () => {
  let id: string;
  beforeAll(async () => {
    id = (await service.start(startInput())).id;
  });

  it('lets the treating doctor, the patient account and clinical staff of the state read it', async () => {
    expect((await read(doctorA, id)).statusCode).toBe(200);
    expect((await read(family, id)).json()).toMatchObject({ id, patientName: 'Asha Devi' });
    expect((await read(doctorB, id)).statusCode).toBe(200);
    expect((await read(spokeOperator, id)).statusCode).toBe(200);
  });

  it('hides it from other accounts, other states and non-clinical roles', async () => {
    expect((await read(stranger, id)).statusCode).toBe(404);
    expect((await read(kaDoctor, id)).statusCode).toBe(404);
    expect((await read(upAdmin, id)).statusCode).toBe(403);
    expect((await test.app.inject({ method: 'GET', url: `/api/v1/consultations/${id}` })).statusCode).toBe(401);
  });

  it('lets only the treating doctor write: another doctor of the state 403, of another state 404', async () => {
    expect((await patch(doctorB, id, { version: 1, advice: 'x' })).statusCode).toBe(403);
    expect((await complete(doctorB, id, fever)).statusCode).toBe(403);
    expect((await notHappened(doctorB, id, { reason: 'network_failure' })).statusCode).toBe(403);
    expect((await patch(kaDoctor, id, { version: 1, advice: 'x' })).statusCode).toBe(404);
    const patientTries = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/consultations/${id}/record`,
      headers: { cookie: family.cookie },
      payload: { version: 1, advice: 'x' },
    });
    expect(patientTries.statusCode).toBe(403);
    expect((await read(doctorA, id)).json().version).toBe(1);
  });

  it('treats a doctor of another state as the treating doctor of their own consultation', async () => {
    // A doctor of a cross-state pool: the consultation belongs to UP, the doctor to Karnataka.
    const cross = await service.start(startInput({ practitionerId: kaDoctor.practitionerId }));
    expect((await read(kaDoctor, cross.id)).statusCode).toBe(200);
    expect((await patch(kaDoctor, cross.id, { version: 1, advice: 'Rest' })).statusCode).toBe(200);
  });
});

describe('first or follow-up', () => {
  it('is a follow-up after a completed consultation with the same doctor within six months', async () => {
    const patient = await addPatient(UP.stateId, null, 'Follow Up');
    const earlier = await completedConsultation({ patientId: patient });
    const next = await service.start(startInput({ patientId: patient }));
    expect(next).toMatchObject({
      consultationType: 'follow_up',
      consultationTypeSource: 'auto',
      previousConsultationId: earlier,
    });
  });

  it('is a follow-up at the same facility with another doctor, and first elsewhere', async () => {
    const patient = await addPatient(UP.stateId, null, 'Same Place');
    const earlier = await completedConsultation({ patientId: patient });
    const sameOpd = await service.start(startInput({ patientId: patient, practitionerId: doctorB.practitionerId }));
    expect(sameOpd).toMatchObject({ consultationType: 'follow_up', previousConsultationId: earlier });
    const elsewhere = await service.start(
      startInput({ patientId: patient, practitionerId: doctorC.practitionerId, facilityId: upOpd2 }),
    );
    expect(elsewhere).toMatchObject({ consultationType: 'first', previousConsultationId: null });
  });

  it('ignores consultations that did not happen, or ended more than six months ago', async () => {
    const patient = await addPatient(UP.stateId, null, 'Long Ago');
    const missed = await service.start(startInput({ patientId: patient }));
    await notHappened(doctorA, missed.id, { reason: 'patient_did_not_join' });
    expect((await service.start(startInput({ patientId: patient }))).consultationType).toBe('first');

    const other = await addPatient(UP.stateId, null, 'Seven Months');
    await completedConsultation({ patientId: other });
    const later = new Date(test.clock.now().getTime() + 200 * 86_400_000);
    expect((await service.start(startInput({ patientId: other, at: later }))).consultationType).toBe('first');
    const sooner = new Date(test.clock.now().getTime() + 150 * 86_400_000);
    expect((await service.start(startInput({ patientId: other, at: sooner }))).consultationType).toBe('follow_up');
  });

  it('can be overridden by the doctor', async () => {
    const patient = await addPatient(UP.stateId, null, 'Override');
    await completedConsultation({ patientId: patient });
    const next = await service.start(startInput({ patientId: patient }));
    const changed = await patch(doctorA, next.id, { version: 1, consultationType: 'first' });
    expect(changed.json()).toMatchObject({ consultationType: 'first', consultationTypeSource: 'doctor' });
  });
});

describe('rating by the patient', () => {
  it('is possible once, only after completion, only for the account of the patient', async () => {
    const { id } = await service.start(startInput());
    const early = await rate(family, id, { rating: 5 });
    expect(early.statusCode).toBe(409);
    await complete(doctorA, id, fever);
    expect((await rate(stranger, id, { rating: 1 })).statusCode).toBe(404);
    expect((await rate(doctorA.staff, id, { rating: 5 })).statusCode).toBe(403);
    expect((await rate(family, id, { rating: 6 })).statusCode).toBe(400);
    const rated = await rate(family, id, { rating: 4, comment: ' Good doctor, poor sound ' });
    expect(rated.statusCode).toBe(200);
    expect(rated.json().rating).toMatchObject({ rating: 4, comment: 'Good doctor, poor sound' });
    expect((await rate(family, id, { rating: 5 })).statusCode).toBe(409);
    expect((await read(family, id)).json().rating.rating).toBe(4);
  });

  it('answers once when two ratings race', async () => {
    const id = await completedConsultation();
    const answers = await Promise.all([rate(family, id, { rating: 5 }), rate(family, id, { rating: 1 })]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
  });
});

describe('histories', () => {
  it("shows a patient's own consultations across family profiles, newest first", async () => {
    const mine = await completedConsultation({ patientId: childId });
    const list = await test.app.inject({
      method: 'GET',
      url: '/api/v1/me/consultations?limit=100',
      headers: { cookie: family.cookie },
    });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; patientId: string; startedAt: string }[];
    expect(items.map((c) => c.id)).toContain(mine);
    expect(new Set(items.map((c) => c.patientId))).toEqual(new Set([patientId, childId]));
    const none = await test.app.inject({
      method: 'GET',
      url: '/api/v1/me/consultations',
      headers: { cookie: stranger.cookie },
    });
    expect(none.json().items).toEqual([]);
  });

  it('stops showing a profile the account removed', async () => {
    const account = await signInPatient(test, '9876500003');
    const profile = await addPatient(UP.stateId, account.userId, 'Moved Away');
    const id = await completedConsultation({ patientId: profile });
    expect((await read(account, id)).statusCode).toBe(200);
    await test.database.db.query('update patients set account_removed_at = now() where id = $1', [profile]);
    expect((await read(account, id)).statusCode).toBe(404);
    expect((await rate(account, id, { rating: 5 })).statusCode).toBe(404);
    const list = await test.app.inject({
      method: 'GET',
      url: '/api/v1/me/consultations',
      headers: { cookie: account.cookie },
    });
    expect(list.json().items).toEqual([]);
    // The record stays for the doctor.
    expect((await read(doctorA, id)).statusCode).toBe(200);
  });

  it("shows a patient's earlier consultations to clinical staff of the state only", async () => {
    const patient = await addPatient(UP.stateId, null, 'History');
    const first = await completedConsultation({ patientId: patient });
    const second = await completedConsultation({ patientId: patient, practitionerId: doctorB.practitionerId });
    const url = `/api/v1/patients/${patient}/consultations`;
    const forDoctor = await test.app.inject({ method: 'GET', url, headers: doctorC.staff.auth });
    expect(forDoctor.statusCode).toBe(200);
    expect((forDoctor.json().items as { id: string }[]).map((c) => c.id).sort()).toEqual([first, second].sort());
    const forKa = await test.app.inject({ method: 'GET', url, headers: kaDoctor.staff.auth });
    expect(forKa.json().items).toEqual([]);
    expect((await test.app.inject({ method: 'GET', url, headers: upAdmin.auth })).statusCode).toBe(403);
  });
});

describe('cross-state isolation', () => {
  it('keeps a Karnataka consultation from Uttar Pradesh staff, in reads, lists and writes', async () => {
    const ka = await service.start(
      startInput({
        stateId: KA.stateId,
        patientId: kaPatientId,
        practitionerId: kaDoctor.practitionerId,
        facilityId: kaOpd,
      }),
    );
    for (const who of [doctorA, doctorB, spokeOperator]) expect((await read(who, ka.id)).statusCode).toBe(404);
    expect((await read(kaDoctor, ka.id)).statusCode).toBe(200);
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${kaPatientId}/consultations`,
      headers: doctorA.staff.auth,
    });
    expect(list.json().items).toEqual([]);
    expect((await complete(doctorA, ka.id, fever)).statusCode).toBe(404);
    expect((await read(kaDoctor, ka.id)).json().status).toBe('in_progress');
  });
});

describe("a doctor's day", () => {
  it("counts in the state's time zone, across the UTC date boundary", async () => {
    const doctor = await addDoctor(upOpd2, UP.stateId);
    const at = async (startIso: string, minutes: number, outcome: 'complete' | 'not_happened' | 'open') => {
      setClock(startIso);
      const { id } = await service.start(
        startInput({ practitionerId: doctor.practitionerId, facilityId: upOpd2, patientId: childId }),
      );
      if (outcome === 'open') return;
      test.clock.advance(minutes * 60_000);
      const response =
        outcome === 'complete'
          ? await complete(doctor, id, fever)
          : await notHappened(doctor, id, { reason: 'patient_did_not_join' });
      expect(response.statusCode).toBe(200);
    };
    // India is UTC+5:30: 23 November runs from 22 Nov 18:30Z to 23 Nov 18:30Z.
    await at('2026-11-22T18:00:00Z', 10, 'complete'); // 23:30 on the 22nd
    await at('2026-11-22T18:45:00Z', 20, 'complete'); // 00:15 on the 23rd
    await at('2026-11-23T09:00:00Z', 15, 'complete'); // 14:30 on the 23rd
    await at('2026-11-23T18:00:00Z', 2, 'not_happened'); // 23:30 on the 23rd
    await at('2026-11-23T18:40:00Z', 0, 'open'); // 00:10 on the 24th
    const summary = async (query: string) => {
      const response = await test.app.inject({
        method: 'GET',
        url: `/api/v1/me/day-summary${query}`,
        headers: doctor.staff.auth,
      });
      expect(response.statusCode).toBe(200);
      return response.json<Record<string, unknown>>();
    };
    expect(await summary('?date=2026-11-23')).toEqual({
      date: '2026-11-23',
      timeZone: 'Asia/Kolkata',
      practitionerId: doctor.practitionerId,
      completed: 2,
      notHappened: 1,
      inProgress: 0,
      noShow: 0,
      averageMinutes: 17.5,
      totalMinutes: 35,
    });
    expect(await summary('?date=2026-11-22')).toMatchObject({ completed: 1, notHappened: 0, averageMinutes: 10 });
    expect(await summary('?date=2026-11-21')).toMatchObject({ completed: 0, averageMinutes: null, totalMinutes: 0 });
    // At 2026-11-23T20:00Z it is already the 24th in India.
    setClock('2026-11-23T20:00:00Z');
    expect(await summary('')).toMatchObject({ date: '2026-11-24', completed: 0, inProgress: 1 });
    setClock('2026-11-22T10:00:00Z');

    const notADoctor = await test.app.inject({ method: 'GET', url: '/api/v1/me/day-summary', headers: upAdmin.auth });
    expect(notADoctor.statusCode).toBe(403);
    const bad = await test.app.inject({
      method: 'GET',
      url: '/api/v1/me/day-summary?date=23-11-2026',
      headers: doctor.staff.auth,
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('audit', () => {
  it('records every read and write with the patient and the state', async () => {
    const { id } = await service.start(startInput(), {
      principal: {
        userId: doctorA.staff.userId,
        kind: 'staff',
        displayName: 'A',
        sessionId: 's',
        roles: [{ role: 'opd_doctor', stateId: UP.stateId, facilityId: upOpd }],
      },
      ip: '10.0.0.1',
    });
    await service.start({ ...startInput(), tokenId: null, id }).catch(() => undefined);
    await read(doctorB, id);
    await patch(doctorA, id, { version: 1, advice: 'Rest' });
    await complete(doctorA, id, fever);
    await read(family, id);
    await rate(family, id, { rating: 5 });
    await read(kaDoctor, id); // not found: nothing shown, nothing recorded
    const entries = await test.database.db.query<{
      action: string;
      actorId: string | null;
      actorRole: string | null;
      patientId: string;
      stateId: string;
      detail: Record<string, unknown>;
    }>(
      `select action, actor_id as "actorId", actor_role as "actorRole", patient_id as "patientId", state_id as "stateId", detail
       from audit_log where resource_type = 'Consultation' and resource_id = $1 order by seq`,
      [id],
    );
    expect(entries.map((e) => [e.action, e.actorId, e.detail.event ?? null])).toEqual([
      ['create', doctorA.staff.userId, 'start'],
      ['read', null, 'start'], // the repeated start by id, by the system
      ['read', doctorB.staff.userId, null],
      ['update', doctorA.staff.userId, 'record'],
      ['update', doctorA.staff.userId, 'complete'],
      ['read', family.userId, null],
      ['update', family.userId, 'rating'],
    ]);
    expect(entries.every((e) => e.patientId === patientId && e.stateId === UP.stateId)).toBe(true);
    expect(entries.map((e) => e.actorRole)).toEqual([
      'opd_doctor',
      'system',
      'opd_doctor',
      'opd_doctor',
      'opd_doctor',
      'patient',
      'patient',
    ]);
  });

  it('records a start by the queue without an actor as the system, and list reads per consultation', async () => {
    const patient = await addPatient(UP.stateId, null, 'Audited');
    const id = await completedConsultation({ patientId: patient });
    await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${patient}/consultations`,
      headers: doctorC.staff.auth,
    });
    const entries = await test.database.db.query<{ action: string; actorRole: string | null; actorId: string | null }>(
      `select action, actor_role as "actorRole", actor_id as "actorId" from audit_log
       where resource_type = 'Consultation' and resource_id = $1 order by seq`,
      [id],
    );
    expect(entries).toEqual([
      { action: 'create', actorRole: 'system', actorId: null },
      { action: 'update', actorRole: 'opd_doctor', actorId: doctorA.staff.userId },
      { action: 'search', actorRole: 'opd_doctor', actorId: doctorC.staff.userId },
    ]);
  });
});
