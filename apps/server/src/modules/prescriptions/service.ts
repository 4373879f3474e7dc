import { createHash, randomUUID } from 'node:crypto';
import { operationOutcome, type Role } from '@sanjog/shared';
import type { Actor } from '../../platform/auth.js';
import { actingRole, hasAnyRole, inScope, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { AppError, badRequest, conflict, forbidden, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import { CONSULTATION_READERS, TREATING_ROLES } from '../consultations/index.js';
import type { FormularyMedicine, FormularyService } from '../formulary/index.js';
import { localParts } from '../rosters/index.js';
import type { SmsSender } from '../sms/index.js';
import { ageOn, canonicalJson, DOCUMENT_FORMAT, type PrescriptionDocument, type PrescriptionItem } from './document.js';
import { medicationRequestId, toMedicationRequest, toPrescriptionBundle } from './fhir.js';
import { envelopeOfPdf, renderPrescriptionPdf } from './pdf.js';
import {
  defaultLanguage,
  directions,
  LINK_SMS,
  type DoseUnit,
  type DurationUnit,
  type Frequency,
  type Language,
  type Timing,
} from './phrases.js';
import type {
  AllergyRow,
  ConsultationContext,
  PrescriptionAccess,
  PrescriptionRepository,
  PrescriptionRow,
  SignerRow,
} from './repository.js';
import { checkAllergies, checkPrescribingRules, type RuleViolation } from './rules.js';
import type { PrescriptionSigner } from './signing.js';

/** Doctors who write prescriptions: the treating doctors of consultations. */
export const PRESCRIBERS = TREATING_ROLES;
/** Clinical staff who may read the prescriptions of their states (as they read consultations). */
export const PRESCRIPTION_READERS = CONSULTATION_READERS;
/** Who records dispensing. Any pharmacist may: a patient may take a prescription to any pharmacy. */
export const DISPENSERS = ['pharmacist'] as const;
/** Who may record and remove a patient's allergies. */
export const ALLERGY_RECORDERS = ['opd_doctor', 'hub_doctor', 'spoke_operator'] as const;

export interface ItemInput {
  medicineCode: string;
  strength?: string | undefined;
  route?: string | undefined;
  dose: { value: number; unit: DoseUnit };
  frequency: Frequency;
  timing?: Timing | undefined;
  duration?: { value: number; unit: DurationUnit } | undefined;
  instructions?: string | undefined;
  instructionsLocal?: string | undefined;
}

export interface SignInput {
  id?: string | undefined;
  language?: Language | undefined;
  items: ItemInput[];
  investigations?: string[] | undefined;
  advice?: string | undefined;
  adviceLocal?: string | undefined;
  followUpDate?: string | undefined;
  replaces?: { id: string; reason: string } | undefined;
}

export interface DispenseInput {
  items?: { index: number; dispensed: boolean; quantity?: string | undefined }[] | undefined;
  note?: string | undefined;
}

export interface Verification {
  id: string;
  genuine: boolean;
  checks: {
    signatureValid: boolean;
    doctorRegistered: boolean;
    doctorActive: boolean;
    notCancelled: boolean;
    matchesRecord?: boolean;
  };
  problems: string[];
  row: PrescriptionRow;
}

/**
 * How long a public check may reuse what it read. A QR code is scanned again and again at the
 * counter; this instance forgets at once what it changes itself (cancel, replace, dispense), and
 * another instance's change shows within this time. Dispensing itself always reads afresh.
 */
export const VERIFY_CACHE_MS = 2000;
const VERIFY_CACHE_ENTRIES = 10_000;

export interface PrescriptionOptions {
  /** Where the public verification page lives (the QR code's target). */
  publicBaseUrl: string;
  /** Told of an SMS that could not be sent (the prescription stands; the patient still has it in the app). */
  onSmsFailure?: ((error: unknown, prescriptionId: string) => void) | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ruleRefusal = (violations: RuleViolation[]): AppError =>
  new AppError(
    422,
    operationOutcome(
      violations.map((violation) => ({
        severity: 'error' as const,
        code: 'processing' as const,
        diagnostics: violation.message,
        expression: [`body.items.${violation.itemIndex}.medicineCode`],
        details: { text: `${violation.medicine} — ${violation.rule}` },
      })),
    ),
  );

const missingContent = (issues: { field: string; message: string }[]): AppError =>
  new AppError(
    422,
    operationOutcome(
      issues.map((issue) => ({
        severity: 'error' as const,
        code: 'required' as const,
        diagnostics: issue.message,
        expression: [issue.field],
      })),
    ),
  );

/** A dispensed prescription (even in part) stays as it is: the medicines it names may have been handed over. */
const cancellingDispensed = (): AppError =>
  conflict(
    'The prescription has been dispensed (at least in part); it can no longer be cancelled. Write a new prescription if the treatment must change.',
  );
const replacingDispensed = (): AppError =>
  conflict(
    'The prescription to replace has been dispensed (at least in part); it cannot be cancelled or replaced, or it could be filled twice. Write a new prescription without replacing it.',
    'body.replaces.id',
  );

/**
 * e-Prescriptions: written and signed by the treating doctor at the end of a consultation,
 * checked against the prescribing rules and the patient's allergies on signing; immutable once
 * signed (cancel and replace keeps both); verified by anyone with the QR code; dispensed once.
 */
export class PrescriptionService {
  private readonly checked = new Map<string, { verification: Verification; until: number }>();

  constructor(
    private readonly repository: PrescriptionRepository,
    private readonly formulary: FormularyService,
    private readonly signer: PrescriptionSigner,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly sms: SmsSender,
    private readonly options: PrescriptionOptions,
  ) {}

  verifyUrl(id: string): string {
    return `${this.options.publicBaseUrl.replace(/\/$/, '')}/rx/${id}`;
  }

  /** Checks, signs and stores a prescription for a consultation the caller treats. */
  async sign(actor: Actor, consultationId: string, input: SignInput): Promise<PrescriptionRow> {
    const signer = await this.signerOf(actor);
    const consultation = await this.repository.consultationContext(consultationId, { all: true });
    if (consultation === undefined) throw notFound('Consultation');
    if (consultation.practitionerId !== signer.id) {
      // Not theirs: forbidden if they may see it, not found otherwise (nothing leaks across states).
      if (inScope(scopeFor(actor.principal, PRESCRIPTION_READERS), consultation.stateId))
        throw forbidden('Only the treating doctor may prescribe in this consultation');
      throw notFound('Consultation');
    }
    if (consultation.status === 'not_happened')
      throw conflict('The consultation did not happen; nothing can be prescribed');

    if (input.id !== undefined) {
      const existing = await this.repository.findAny(input.id);
      if (existing !== undefined) {
        if (existing.consultationId !== consultationId || existing.practitionerId !== signer.id)
          throw conflict(`Prescription id ${input.id} is already used`, 'body.id');
        return existing; // a retry of a signing that went through
      }
    }

    const required: { field: string; message: string }[] = [];
    if (signer.qualification === null || signer.qualification.trim() === '')
      required.push({
        field: 'doctor.qualification',
        message: 'Your qualification is not recorded; a prescription must show it. Ask your administrator to add it.',
      });
    if (signer.registrationNumber === null || signer.registrationNumber.trim() === '')
      required.push({
        field: 'doctor.registrationNumber',
        message:
          'Your registration number is not recorded; a prescription must show it. Ask your administrator to add it.',
      });
    if (!signer.active) required.push({ field: 'doctor', message: 'Your practitioner record is not active' });
    if (required.length > 0) throw missingContent(required);

    const investigations = [...new Set((input.investigations ?? []).map((i) => i.trim()).filter((i) => i !== ''))];
    const advice = input.advice?.trim() || null;
    if (input.items.length === 0 && investigations.length === 0 && advice === null)
      throw invalidFields([
        { field: 'body.items', message: 'Prescribe at least one medicine, investigation or advice' },
      ]);

    const now = this.clock.now();
    const today = localParts(now, consultation.timeZone).date;
    if (input.followUpDate !== undefined && input.followUpDate <= today)
      throw invalidFields([{ field: 'body.followUpDate', message: `The follow-up date must be after ${today}` }]);

    const medicines = await this.formulary.medicines(input.items.map((item) => item.medicineCode));
    const issues: { field: string; message: string }[] = [];
    const chosen: { itemIndex: number; medicine: FormularyMedicine }[] = [];
    for (const [index, item] of input.items.entries()) {
      const medicine = medicines.get(item.medicineCode);
      if (medicine === undefined || !medicine.active) {
        issues.push({
          field: `body.items.${index}.medicineCode`,
          message: `${item.medicineCode} is not a medicine of the formulary`,
        });
        continue;
      }
      if (item.strength !== undefined && medicine.strengths.length > 0 && !medicine.strengths.includes(item.strength))
        issues.push({
          field: `body.items.${index}.strength`,
          message: `${medicine.name} ${medicine.form} comes as ${medicine.strengths.join(', ')}`,
        });
      if (item.strength === undefined && medicine.strengths.length > 1)
        issues.push({
          field: `body.items.${index}.strength`,
          message: `Choose a strength: ${medicine.strengths.join(', ')}`,
        });
      chosen.push({ itemIndex: index, medicine });
    }
    if (issues.length > 0) throw invalidFields(issues);

    // The rules of the country pack, then the patient's allergies: every violation named at once.
    const violations = [
      ...checkPrescribingRules(chosen, await this.formulary.lists(), {
        mode: consultation.mode,
        type: consultation.consultationType,
      }),
      ...checkAllergies(chosen, await this.repository.allergies(consultation.patient.id)),
    ];
    if (violations.length > 0) {
      await this.audit.record(
        this.entry(
          actor,
          'create',
          consultation.patient.id,
          consultation.stateId,
          input.id ?? null,
          {
            event: 'refused',
            consultationId,
            violations: violations.map((v) => ({ medicine: v.medicine, rule: v.rule })),
          },
          'denied',
        ),
      );
      throw ruleRefusal(violations);
    }

    let replaces: { id: string; reason: string; by: string } | null = null;
    if (input.replaces !== undefined) {
      const original = await this.repository.findAny(input.replaces.id);
      if (original === undefined || original.consultationId !== consultationId)
        throw invalidFields([
          { field: 'body.replaces.id', message: 'The prescription to replace is not one of this consultation' },
        ]);
      if (original.cancelledAt !== null)
        throw conflict('The prescription to replace is already cancelled', 'body.replaces.id');
      if (original.dispensing !== null) throw replacingDispensed();
      replaces = { id: original.id, reason: input.replaces.reason.trim(), by: actor.principal.userId };
    }

    const language: Language =
      input.language ?? defaultLanguage(consultation.stateId, consultation.patient.preferredLanguage);
    const id = input.id ?? randomUUID();
    const key = await this.currentKey(signer.id, now);
    const document: PrescriptionDocument = {
      format: DOCUMENT_FORMAT,
      id,
      consultationId,
      issuedAt: now.toISOString(),
      date: today,
      timeZone: consultation.timeZone,
      doctor: {
        practitionerId: signer.id,
        name: signer.name,
        qualification: signer.qualification ?? '',
        registrationCouncil: signer.registrationCouncil,
        registrationNumber: signer.registrationNumber ?? '',
        registryId: signer.registryId,
      },
      patient: {
        id: consultation.patient.id,
        name: consultation.patient.name,
        ageYears: ageOn(today, consultation.patient.birthDate, consultation.patient.birthYear),
        sex: consultation.patient.sex,
      },
      facility: consultation.facility,
      consultation: { kind: consultation.kind, mode: consultation.mode, type: consultation.consultationType },
      presentedBy: consultation.kind === 'hub_spoke' ? consultation.presentedBy : null,
      language,
      items: chosen.map(({ itemIndex, medicine }) =>
        this.item(input.items[itemIndex] as ItemInput, itemIndex, medicine, language),
      ),
      investigations,
      advice,
      adviceLocal: language === 'en' ? null : input.adviceLocal?.trim() || null,
      followUpDate: input.followUpDate ?? null,
      replaces: replaces?.id ?? null,
      signingKeyId: key.id,
    };
    const signature = this.signer.sign(key, canonicalJson(document));
    const stored = await this.repository.insert({
      id,
      stateId: consultation.stateId,
      consultationId,
      patientId: consultation.patient.id,
      practitionerId: signer.id,
      facilityId: consultation.facility.id,
      document,
      signature,
      signingKeyId: key.id,
      signedAt: now,
      replaces,
    });
    if (!stored) {
      const again = await this.repository.findAny(id);
      if (again !== undefined && again.consultationId === consultationId && again.practitionerId === signer.id)
        return again;
      if (replaces === null) throw conflict(`Prescription id ${id} is already used`);
      this.checked.delete(replaces.id);
      if (((await this.repository.findAny(replaces.id))?.dispensing ?? null) !== null) throw replacingDispensed();
      throw conflict('The prescription to replace was cancelled or replaced meanwhile', 'body.replaces.id');
    }
    if (replaces !== null) this.checked.delete(replaces.id);
    const row = await this.repository.findAny(id);
    if (row === undefined) throw new Error(`prescription ${id} vanished after insert`);
    await this.audit.record(
      this.entry(actor, 'create', row.patientId, row.stateId, row.id, {
        event: 'sign',
        consultationId,
        items: document.items.map((item) => item.medicineCode),
        replaces: row.replacesId,
      }),
    );
    this.sendLink(consultation, document);
    return row;
  }

  private item(input: ItemInput, index: number, medicine: FormularyMedicine, language: Language): PrescriptionItem {
    const route = input.route?.trim() || medicine.route;
    const parts = {
      dose: input.dose,
      frequency: input.frequency,
      timing: input.timing ?? null,
      duration: input.duration ?? null,
      route,
    };
    return {
      index: index + 1,
      medicineCode: medicine.code,
      name: medicine.name,
      form: medicine.form,
      strength: input.strength ?? medicine.strengths[0] ?? null,
      route,
      dose: input.dose,
      frequency: input.frequency,
      timing: parts.timing,
      duration: parts.duration,
      instructions: input.instructions?.trim() || null,
      instructionsLocal: language === 'en' ? null : input.instructionsLocal?.trim() || null,
      directions: { en: directions(parts, 'en'), local: language === 'en' ? null : directions(parts, language) },
      listCode: medicine.listCode,
    };
  }

  /** The doctor's current key, made on their first signature (and kept encrypted). */
  private async currentKey(practitionerId: string, now: Date) {
    const existing = await this.repository.currentKey(practitionerId);
    if (existing !== undefined) return existing;
    await this.repository.addKey(this.signer.newKey(randomUUID(), practitionerId), now);
    const key = await this.repository.currentKey(practitionerId);
    if (key === undefined) throw new Error(`no signing key for ${practitionerId}`);
    return key;
  }

  /** Sends the patient the link by SMS without holding up the signature; a failure is reported, not thrown. */
  private sendLink(consultation: ConsultationContext, document: PrescriptionDocument): void {
    const mobile = consultation.patient.mobile;
    if (mobile === null) return;
    const body = LINK_SMS[document.language](document.doctor.name, document.date, this.verifyUrl(document.id));
    this.sms.send({ to: mobile, body }).catch((error: unknown) => this.options.onSmsFailure?.(error, document.id));
  }

  private async signerOf(actor: Actor): Promise<SignerRow> {
    const signer =
      actor.principal.kind === 'staff' && hasAnyRole(actor.principal, PRESCRIBERS)
        ? await this.repository.signerForUser(actor.principal.userId)
        : undefined;
    if (signer === undefined) throw forbidden('Only a doctor with a practitioner record may prescribe');
    return signer;
  }

  private async accessOf(actor: Actor): Promise<PrescriptionAccess> {
    if (actor.principal.kind === 'patient')
      return { scope: { all: false, stateIds: [] }, practitionerId: null, accountUserId: actor.principal.userId };
    const practitioner = hasAnyRole(actor.principal, PRESCRIBERS)
      ? await this.repository.signerForUser(actor.principal.userId)
      : undefined;
    return {
      scope: scopeFor(actor.principal, PRESCRIPTION_READERS),
      practitionerId: practitioner?.id ?? null,
      accountUserId: null,
    };
  }

  async get(actor: Actor, id: string): Promise<PrescriptionRow> {
    const row = await this.repository.find(id, await this.accessOf(actor));
    if (row === undefined) throw notFound('Prescription');
    await this.audit.record(this.entry(actor, 'read', row.patientId, row.stateId, row.id));
    return row;
  }

  async listForConsultation(actor: Actor, consultationId: string): Promise<PrescriptionRow[]> {
    const rows = await this.repository.listForConsultation(consultationId, await this.accessOf(actor));
    await this.audit.record(rows.map((row) => this.entry(actor, 'search', row.patientId, row.stateId, row.id)));
    return rows;
  }

  /**
   * The language a new prescription of this consultation is written in unless its doctor
   * chooses another (the patient's, else their state's); null when the caller cannot see it.
   */
  async defaultLanguage(actor: Actor, consultationId: string): Promise<Language | null> {
    const consultation = await this.repository.consultationContext(consultationId, (await this.accessOf(actor)).scope);
    return consultation === undefined
      ? null
      : defaultLanguage(consultation.stateId, consultation.patient.preferredLanguage);
  }

  /** A patient's prescriptions, newest first, for the doctors treating them (a refill needs the last one). */
  async listForPatient(
    actor: Actor,
    patientId: string,
    page: { limit: number; offset: number },
  ): Promise<PrescriptionRow[]> {
    const rows = await this.repository.listForPatient(patientId, await this.accessOf(actor), page);
    await this.audit.record(rows.map((row) => this.entry(actor, 'search', row.patientId, row.stateId, row.id)));
    return rows;
  }

  async listOwn(actor: Actor, page: { limit: number; offset: number }): Promise<PrescriptionRow[]> {
    const rows = await this.repository.listForAccount(actor.principal.userId, page);
    await this.audit.record(rows.map((row) => this.entry(actor, 'read', row.patientId, row.stateId, row.id)));
    return rows;
  }

  /** Cancels a signed prescription (its doctor only). It stays readable, marked cancelled. */
  async cancel(actor: Actor, id: string, reason: string): Promise<PrescriptionRow> {
    const signer = await this.signerOf(actor);
    const row = await this.repository.find(id, await this.accessOf(actor));
    if (row === undefined) throw notFound('Prescription');
    if (row.practitionerId !== signer.id) throw forbidden('Only the doctor who signed it may cancel a prescription');
    if (row.cancelledAt !== null) throw conflict('The prescription is already cancelled');
    if (row.dispensing !== null) throw cancellingDispensed();
    const cancelled = await this.repository.cancel(id, actor.principal.userId, reason.trim(), this.clock.now());
    this.checked.delete(id);
    if (!cancelled) {
      // Dispensed (or cancelled) between the read above and the write: the write refused it.
      if (((await this.repository.findAny(id))?.dispensing ?? null) !== null) throw cancellingDispensed();
      throw conflict('The prescription is already cancelled');
    }
    await this.audit.record(this.entry(actor, 'update', row.patientId, row.stateId, row.id, { event: 'cancel' }));
    const after = await this.repository.findAny(id);
    if (after === undefined) throw notFound('Prescription');
    return after;
  }

  /** The PDF: rendered on its first download, after signing, and kept. */
  async pdf(actor: Actor, id: string): Promise<{ row: PrescriptionRow; pdf: Buffer }> {
    const row = await this.repository.find(id, await this.accessOf(actor));
    if (row === undefined) throw notFound('Prescription');
    await this.audit.record(this.entry(actor, 'export', row.patientId, row.stateId, row.id, { event: 'pdf' }));
    const cached = await this.repository.pdf(id);
    if (cached !== undefined) return { row, pdf: cached };
    const rendered = await this.render(row);
    return {
      row,
      pdf: await this.repository.storePdf(
        id,
        rendered,
        createHash('sha256').update(rendered).digest('hex'),
        this.clock.now(),
      ),
    };
  }

  render(row: Pick<PrescriptionRow, 'document' | 'signature'>): Promise<Buffer> {
    return renderPrescriptionPdf({ document: row.document, signature: row.signature }, this.verifyUrl(row.document.id));
  }

  /** The public check behind the QR code: is it genuine, what does it say, what was dispensed. */
  async verify(id: string, ip: string): Promise<Verification> {
    const now = this.clock.now().getTime();
    let verification = this.checked.get(id);
    if (verification === undefined || verification.until < now) {
      const row = await this.repository.findAny(id);
      if (row === undefined) throw notFound('Prescription');
      if (this.checked.size >= VERIFY_CACHE_ENTRIES) this.checked.clear();
      verification = { verification: this.check(row), until: now + VERIFY_CACHE_MS };
      this.checked.set(id, verification);
    }
    const { row, genuine } = verification.verification;
    await this.audit.record(this.publicEntry(row, ip, { genuine }));
    return verification.verification;
  }

  /**
   * Checks a PDF someone holds: the signed data it carries must carry a valid signature and be
   * exactly the record that was signed, and that record must be genuine now.
   */
  async verifyDocument(pdf: Buffer, ip: string): Promise<Verification> {
    const envelope = envelopeOfPdf(pdf);
    const id: unknown = envelope?.document.id;
    if (envelope === undefined || typeof id !== 'string' || !UUID.test(id))
      throw badRequest('This file carries no prescription data of ours; open the QR code link instead');
    let carried: string;
    try {
      carried = canonicalJson(envelope.document);
    } catch {
      // Nested past any real prescription, or holding values JSON cannot carry: not ours.
      throw badRequest('This file carries no prescription data of ours; open the QR code link instead');
    }
    const row = await this.repository.findAny(id);
    if (row === undefined) throw notFound('Prescription');
    const verification = this.check(row);
    const signatureValid = this.signer.verify(row.publicKey, carried, envelope.signature);
    const matchesRecord = signatureValid && carried === canonicalJson(row.document);
    const problems = [...verification.problems];
    if (!signatureValid)
      problems.unshift('The data in this PDF does not carry a valid signature: it was changed after signing');
    else if (!matchesRecord) problems.unshift('The data in this PDF is not the prescription that was signed');
    const checks = {
      ...verification.checks,
      signatureValid: verification.checks.signatureValid && signatureValid,
      matchesRecord,
    };
    await this.audit.record(
      this.publicEntry(row, ip, { genuine: verification.genuine && matchesRecord, document: true }),
    );
    return { ...verification, checks, genuine: verification.genuine && matchesRecord, problems };
  }

  private check(row: PrescriptionRow): Verification {
    const document = row.document;
    const signatureValid =
      this.signer.verify(row.publicKey, canonicalJson(document), row.signature) &&
      document.id === row.id &&
      document.signingKeyId === row.signingKeyId &&
      document.consultationId === row.consultationId &&
      document.patient.id === row.patientId &&
      document.doctor.practitionerId === row.practitionerId;
    const doctorRegistered =
      row.doctorRegistrationNumber !== null && row.doctorRegistrationNumber === document.doctor.registrationNumber;
    const checks = {
      signatureValid,
      doctorRegistered,
      doctorActive: row.doctorActive,
      notCancelled: row.cancelledAt === null,
    };
    const problems: string[] = [];
    if (!signatureValid) problems.push('The signature does not match the prescription: it was changed after signing');
    if (!doctorRegistered) problems.push("The doctor's registration does not match the register");
    if (!row.doctorActive) problems.push('The doctor is no longer active');
    if (row.cancelledAt !== null)
      problems.push(
        row.replacedById === null ? 'The prescription was cancelled' : 'The prescription was cancelled and replaced',
      );
    return { id: row.id, genuine: problems.length === 0, checks, problems, row };
  }

  /** Records what a pharmacist dispensed; a prescription is dispensed once, whoever tries twice. */
  async dispense(actor: Actor, id: string, input: DispenseInput): Promise<Verification> {
    if (actor.principal.kind !== 'staff' || !hasAnyRole(actor.principal, DISPENSERS))
      throw forbidden('Only a pharmacist may dispense');
    const row = await this.repository.findAny(id);
    if (row === undefined) throw notFound('Prescription');
    const verification = this.check(row);
    if (row.dispensing !== null) throw this.alreadyDispensed(row);
    if (!verification.genuine)
      throw new AppError(
        422,
        operationOutcome({
          severity: 'error',
          code: 'processing',
          diagnostics: `Not dispensable: ${verification.problems.join('; ')}`,
        }),
      );
    const given = new Map((input.items ?? []).map((item) => [item.index, item]));
    const issues = [...given.keys()]
      .filter((index) => !row.document.items.some((item) => item.index === index))
      .map((index) => ({ field: 'body.items', message: `The prescription has no item ${index}` }));
    if (issues.length > 0) throw invalidFields(issues);
    const items = row.document.items.map((item) => {
      const entry = given.get(item.index);
      return {
        index: item.index,
        dispensed: entry === undefined ? input.items === undefined : entry.dispensed,
        quantity: entry?.quantity?.trim() || null,
      };
    });
    const dispensed = await this.repository.dispense({
      prescriptionId: id,
      stateId: row.stateId,
      pharmacistUserId: actor.principal.userId,
      facilityId: await this.repository.pharmacyOf(actor.principal.userId),
      items,
      note: input.note?.trim() || null,
      at: this.clock.now(),
    });
    this.checked.delete(id);
    const after = await this.repository.findAny(id);
    if (after === undefined) throw notFound('Prescription');
    if (!dispensed) {
      if (after.dispensing !== null) throw this.alreadyDispensed(after);
      throw conflict('The prescription was cancelled meanwhile; it cannot be dispensed');
    }
    await this.audit.record(
      this.entry(actor, 'update', row.patientId, row.stateId, row.id, {
        event: 'dispense',
        items: items.filter((item) => item.dispensed).map((item) => item.index),
      }),
    );
    return this.check(after);
  }

  private alreadyDispensed(row: PrescriptionRow): AppError {
    const dispensing = row.dispensing;
    return conflict(
      dispensing === null
        ? 'The prescription was already dispensed'
        : `The prescription was already dispensed on ${dispensing.dispensedAt.toISOString()}${dispensing.facilityName === null ? '' : ` at ${dispensing.facilityName}`}; it cannot be filled twice`,
    );
  }

  // FHIR.

  async fhirBundle(actor: Actor, id: string) {
    if (!UUID.test(id)) throw notFound(`Bundle/${id}`);
    const row = await this.get(actor, id);
    return toPrescriptionBundle(row.document, row.signature, this.fhirState(row), row.signedAt.toISOString());
  }

  async fhirMedicationRequest(actor: Actor, fhirId: string) {
    const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d{1,2})$/.exec(fhirId);
    if (match === null) throw notFound(`MedicationRequest/${fhirId}`);
    const row = await this.get(actor, match[1] as string);
    const item = row.document.items.find((candidate) => medicationRequestId(row.id, candidate.index) === fhirId);
    if (item === undefined) throw notFound(`MedicationRequest/${fhirId}`);
    return toMedicationRequest(row.document, item, this.fhirState(row));
  }

  private fhirState(row: PrescriptionRow) {
    return { cancelled: row.cancelledAt !== null, dispensed: row.dispensing !== null };
  }

  // Allergies.

  private async patientFor(actor: Actor, patientId: string, roles: readonly Role[]) {
    const patient = await this.repository.patientRef(patientId);
    const visible =
      patient !== undefined &&
      (actor.principal.kind === 'patient'
        ? patient.accountUserId === actor.principal.userId
        : inScope(scopeFor(actor.principal, roles), patient.stateId));
    if (!visible) throw notFound('Patient');
    return patient;
  }

  async allergies(actor: Actor, patientId: string): Promise<AllergyRow[]> {
    const patient = await this.patientFor(actor, patientId, [...PRESCRIPTION_READERS, ...DISPENSERS]);
    const rows = await this.repository.allergies(patientId);
    await this.audit.record(
      this.entry(actor, 'read', patientId, patient.stateId, null, { resource: 'AllergyIntolerance' }),
    );
    return rows;
  }

  async addAllergy(
    actor: Actor,
    patientId: string,
    input: {
      id?: string | undefined;
      substance: string;
      reaction?: string | undefined;
      severity?: AllergyRow['severity'] | undefined;
    },
  ): Promise<AllergyRow[]> {
    const patient = await this.patientFor(actor, patientId, ALLERGY_RECORDERS);
    const id = input.id ?? randomUUID();
    await this.repository.addAllergy({
      id,
      patientId,
      stateId: patient.stateId,
      substance: input.substance.trim(),
      reaction: input.reaction?.trim() || null,
      severity: input.severity ?? null,
      recordedBy: actor.principal.userId,
      recordedAt: this.clock.now(),
    });
    await this.audit.record(
      this.entry(actor, 'create', patientId, patient.stateId, id, { resource: 'AllergyIntolerance' }),
    );
    return this.repository.allergies(patientId);
  }

  async removeAllergy(actor: Actor, patientId: string, allergyId: string): Promise<AllergyRow[]> {
    const patient = await this.patientFor(actor, patientId, ALLERGY_RECORDERS);
    if (!(await this.repository.removeAllergy(patientId, allergyId, actor.principal.userId, this.clock.now())))
      throw notFound('Allergy');
    await this.audit.record(
      this.entry(actor, 'delete', patientId, patient.stateId, allergyId, { resource: 'AllergyIntolerance' }),
    );
    return this.repository.allergies(patientId);
  }

  private entry(
    actor: Actor,
    action: AuditAction,
    patientId: string,
    stateId: string,
    resourceId: string | null,
    detail?: Record<string, unknown>,
    outcome: 'success' | 'denied' = 'success',
  ) {
    const roles: readonly Role[] =
      actor.principal.kind === 'patient'
        ? ['patient']
        : [...PRESCRIBERS, ...PRESCRIPTION_READERS, ...DISPENSERS, ...ALLERGY_RECORDERS];
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, roles),
      action,
      resourceType: 'Prescription',
      resourceId,
      patientId,
      stateId,
      ip: actor.ip,
      outcome,
      ...(detail === undefined ? {} : { detail }),
    };
  }

  private publicEntry(row: PrescriptionRow, ip: string, detail: Record<string, unknown>) {
    return {
      actorId: null,
      actorRole: 'public',
      action: 'read' as const,
      resourceType: 'Prescription',
      resourceId: row.id,
      patientId: row.patientId,
      stateId: row.stateId,
      ip,
      detail: { event: 'verify', ...detail },
    };
  }
}
