import { randomUUID } from 'node:crypto';
import type { Role } from '@sanjog/shared';
import type { Actor } from '../../platform/auth.js';
import { actingRole, hasAnyRole, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { badRequest, conflict, forbidden, invalidFields, notFound, type AppError } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import { addDays, localParts, zonedInstant } from '../rosters/index.js';
import type { TerminologyService } from '../terminology/index.js';
import {
  CONSULTATION_KINDS,
  CONSULTATION_MODES,
  type ConsultationKind,
  type ConsultationMode,
  type DiagnosisEntry,
  type FollowUp,
  type NotHappenedReason,
  type RecordInput,
} from './model.js';
import type {
  ConsultationAccess,
  ConsultationRepository,
  ConsultationRow,
  DayCounts,
  PractitionerRef,
  RecordChanges,
} from './repository.js';
import { codeComplaints } from './complaints.js';
import { checkVitals, compactVitals, type FieldIssue } from './vitals.js';

/** Doctors who treat patients in consultations. */
export const TREATING_ROLES = ['opd_doctor', 'hub_doctor'] as const;

/**
 * Clinical staff who may read the consultations of the states they serve (besides the treating
 * doctor and the patient's own account). The hub-and-spoke issue narrows this to those treating
 * the patient.
 */
export const CONSULTATION_READERS = ['opd_doctor', 'hub_doctor', 'spoke_operator'] as const;

/** A completed consultation with the same doctor or facility this recently makes the next one a follow-up. */
export const FOLLOW_UP_WINDOW_DAYS = 183;

const DAY_MS = 86_400_000;
const MAX_TEXT = 5000;

/** What the OPD queue (and later hub-and-spoke) passes to start a consultation. */
export interface StartConsultationInput {
  kind: ConsultationKind;
  stateId: string;
  patientId: string;
  /** The treating doctor's practitioner id. */
  practitionerId: string;
  /** The OPD (kind 'opd') or the hub (kind 'hub_spoke'). */
  facilityId: string;
  /** The queue token; a second start with the same token returns the same consultation. */
  tokenId: string | null;
  mode: ConsultationMode;
  /** When it started; default now. */
  at?: Date | undefined;
  /** A caller-chosen id (retries without a token); default a new one. */
  id?: string | undefined;
}

export interface NotHappenedInput {
  reason: NotHappenedReason;
  /** Required for 'other'. */
  text?: string | undefined;
}

export interface RatingInput {
  rating: number;
  comment?: string | undefined;
}

export interface DaySummary extends DayCounts {
  noShow: number;
  date: string;
  timeZone: string;
  practitionerId: string;
}

const trimmed = (text: string | null | undefined): string | null | undefined =>
  text === undefined ? undefined : text === null || text.trim() === '' ? null : text.trim();

/**
 * Consultations: started by the OPD queue when a doctor takes a patient (and by hub-and-spoke
 * later), written by the treating doctor, completed or marked as not happened, rated by the
 * patient. Every read and write is audited as patient data.
 */
export class ConsultationService {
  constructor(
    private readonly repository: ConsultationRepository,
    private readonly terminology: Pick<TerminologyService, 'complaint' | 'diagnosis' | 'speciality'>,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    /** No-shows a doctor marked between two instants (the OPD queue knows them). */
    private readonly noShows: (practitionerId: string, from: Date, to: Date) => Promise<number> = () =>
      Promise.resolve(0),
  ) {}

  /**
   * How a consultation ended, for the queue closing its token; no patient data, so not audited
   * here (the queue audits the token change).
   */
  async outcome(
    id: string,
  ): Promise<{ status: ConsultationRow['status']; notHappenedReason: NotHappenedReason | null } | undefined> {
    const row = await this.repository.findAny(id);
    return row === undefined ? undefined : { status: row.status, notHappenedReason: row.notHappenedReason };
  }

  /**
   * Starts a consultation. Idempotent per token: while the token's consultation is in progress
   * or completed, a repeated start (e.g. after a dropped call) returns it. A token whose
   * consultation did not happen may be started again. `actor`, when given, is audited as the
   * one who started it (the doctor who took the patient); otherwise the system is.
   */
  async start(input: StartConsultationInput, actor?: Actor): Promise<ConsultationRow> {
    if (!CONSULTATION_KINDS.includes(input.kind)) throw badRequest(`Unknown consultation kind ${input.kind}`, 'kind');
    if (!CONSULTATION_MODES.includes(input.mode)) throw badRequest(`Unknown consultation mode ${input.mode}`, 'mode');
    if (input.tokenId !== null) {
      const existing = await this.repository.findByToken(input.tokenId);
      if (existing !== undefined) return this.repeatedStart(existing, input, actor);
    }
    const context = await this.repository.startContext(input.patientId, input.practitionerId, input.facilityId);
    if (context.patient === undefined) throw notFound(`Patient ${input.patientId}`);
    if (context.practitioner === undefined) throw notFound(`Practitioner ${input.practitionerId}`);
    if (!context.practitioner.active) throw conflict(`Practitioner ${input.practitionerId} is not active`);
    const facility = context.facility;
    if (facility === undefined) throw notFound(`Facility ${input.facilityId}`);
    if (facility.stateId !== input.stateId)
      throw badRequest(`Facility ${facility.id} is in state ${facility.stateId}, not ${input.stateId}`, 'stateId');
    const expectedKind = input.kind === 'opd' ? 'opd' : 'hub';
    if (facility.kind !== expectedKind)
      throw badRequest(
        `A ${input.kind} consultation takes place at a ${expectedKind}, not a ${facility.kind}`,
        'facilityId',
      );

    const at = input.at ?? this.clock.now();
    const previous = await this.repository.previousCompleted({
      patientId: input.patientId,
      practitionerId: input.practitionerId,
      facilityId: input.facilityId,
      since: new Date(at.getTime() - FOLLOW_UP_WINDOW_DAYS * DAY_MS),
      until: at,
    });
    const id = input.id ?? randomUUID();
    const inserted = await this.repository.insert({
      id,
      kind: input.kind,
      stateId: input.stateId,
      patientId: input.patientId,
      practitionerId: input.practitionerId,
      facilityId: input.facilityId,
      tokenId: input.tokenId,
      mode: input.mode,
      consultationType: previous === undefined ? 'first' : 'follow_up',
      previousConsultationId: previous ?? null,
      startedAt: at,
    });
    if (!inserted) {
      // Another start won the race for this token, or this id was used before.
      const existing =
        (input.tokenId === null ? undefined : await this.repository.findByToken(input.tokenId)) ??
        (await this.repository.findAny(id));
      if (existing === undefined) throw conflict('The consultation could not be started; try again');
      return this.repeatedStart(existing, input, actor);
    }
    const row = await this.repository.findAny(id);
    if (row === undefined) throw new Error(`consultation ${id} vanished after insert`);
    await this.audit.record(
      this.entry(actor ?? null, 'create', row, {
        event: 'start',
        tokenId: row.tokenId,
        consultationType: row.consultationType,
        previousConsultationId: row.previousConsultationId,
      }),
    );
    return row;
  }

  /** A repeated start returns the same consultation, if it is the same patient and doctor. */
  private async repeatedStart(
    existing: ConsultationRow,
    input: StartConsultationInput,
    actor: Actor | undefined,
  ): Promise<ConsultationRow> {
    if (
      existing.patientId !== input.patientId ||
      existing.practitionerId !== input.practitionerId ||
      existing.facilityId !== input.facilityId ||
      (input.tokenId !== null && existing.tokenId !== input.tokenId)
    ) {
      throw conflict(
        input.tokenId !== null && existing.tokenId === input.tokenId
          ? `Token ${input.tokenId} already has a consultation ${existing.status === 'completed' ? 'completed' : 'in progress'} with another patient or doctor; end it as not happened first`
          : `Consultation id ${existing.id} is already used`,
        input.tokenId === null ? 'id' : 'tokenId',
      );
    }
    await this.audit.record(this.entry(actor ?? null, 'read', existing, { event: 'start', repeated: true }));
    return existing;
  }

  /** One consultation, for its treating doctor, the patient's own account, or clinical staff of its state. */
  async get(actor: Actor, id: string): Promise<ConsultationRow> {
    const { practitioner: _practitioner, ...access } = await this.accessOf(actor);
    const row = await this.repository.find(id, access);
    if (row === undefined) throw notFound('Consultation');
    await this.audit.record(this.entry(actor, 'read', row));
    return row;
  }

  /** Saves a draft of the record while the consultation is in progress. */
  async saveRecord(actor: Actor, id: string, input: RecordInput & { version: number }): Promise<ConsultationRow> {
    const { row, practitioner } = await this.asTreatingDoctor(actor, id, 'edit its record');
    this.assertInProgress(row);
    const { version, ...record } = input;
    const changes = await this.checkRecord(record, row);
    const kept = await this.ruleInputsConflict(row, changes);
    if (kept !== undefined) throw kept;
    const saved = await this.repository.saveRecord(id, practitioner.id, version, changes);
    if (saved === undefined) throw await this.writeConflict(id, 'body.version', changes);
    await this.audit.record(this.entry(actor, 'update', saved, { event: 'record', fields: Object.keys(changes) }));
    return saved;
  }

  /**
   * Completes the consultation with the record's last changes. It must name at least one
   * complaint (coded or in words); mode and type are always set.
   */
  async complete(
    actor: Actor,
    id: string,
    input: RecordInput & { version?: number | undefined },
  ): Promise<ConsultationRow> {
    const { row, practitioner } = await this.asTreatingDoctor(actor, id, 'complete it');
    this.assertInProgress(row);
    const { version, ...record } = input;
    const changes = await this.checkRecord(record, row);
    const complaints = changes.chiefComplaints ?? row.chiefComplaints;
    const complaintText = changes.complaintText === undefined ? row.complaintText : changes.complaintText;
    if (complaints.length === 0 && (complaintText === null || complaintText === '')) {
      throw invalidFields([
        {
          field: 'body.chiefComplaints',
          message: 'Record at least one chief complaint, from the list or in words (complaintText)',
        },
      ]);
    }
    const kept = await this.ruleInputsConflict(row, changes);
    if (kept !== undefined) throw kept;
    const completed = await this.repository.complete(id, practitioner.id, version ?? null, changes, this.clock.now());
    if (completed === undefined) throw await this.writeConflict(id, 'body.version', changes);
    await this.audit.record(
      this.entry(actor, 'update', completed, {
        event: 'complete',
        fields: Object.keys(changes),
        diagnoses: completed.diagnoses.map((d) => d.code),
      }),
    );
    return completed;
  }

  /** Ends a consultation that did not take place, with the reason. */
  async notHappened(actor: Actor, id: string, input: NotHappenedInput): Promise<ConsultationRow> {
    const { row, practitioner } = await this.asTreatingDoctor(actor, id, 'end it');
    const text = trimmed(input.text) ?? null;
    if (input.reason === 'other' && text === null)
      throw invalidFields([{ field: 'body.text', message: 'Say why the consultation did not happen' }]);
    this.assertInProgress(row);
    const ended = await this.repository.markNotHappened(id, practitioner.id, input.reason, text, this.clock.now());
    if (ended === undefined) throw await this.writeConflict(id);
    await this.audit.record(this.entry(actor, 'update', ended, { event: 'not_happened', reason: input.reason }));
    return ended;
  }

  /** The patient's rating of a completed consultation: once, by the account that manages the patient. */
  async rate(actor: Actor, id: string, input: RatingInput): Promise<ConsultationRow> {
    if (actor.principal.kind !== 'patient') throw forbidden('Only the patient may rate a consultation');
    const { practitioner: _practitioner, ...access } = await this.accessOf(actor);
    const row = await this.repository.find(id, access);
    if (row === undefined) throw notFound('Consultation');
    if (row.status !== 'completed') throw conflict('A consultation can be rated once it is completed');
    if (row.rating !== null) throw conflict('This consultation has already been rated');
    const comment = trimmed(input.comment) ?? null;
    const rated = await this.repository.rate(id, actor.principal.userId, input.rating, comment, this.clock.now());
    if (rated === undefined) throw conflict('This consultation has already been rated');
    await this.audit.record(this.entry(actor, 'update', rated, { event: 'rating', rating: input.rating }));
    return rated;
  }

  /** A patient's earlier consultations, for the doctor treating them now (clinical roles of the state for now). */
  async listForPatient(
    actor: Actor,
    patientId: string,
    page: { limit: number; offset: number },
  ): Promise<ConsultationRow[]> {
    const { practitioner: _practitioner, ...access } = await this.accessOf(actor);
    const rows = await this.repository.listForPatient(patientId, access, page);
    await this.audit.record(rows.map((row) => this.entry(actor, 'search', row)));
    return rows;
  }

  /** The consultations of every family profile the signed-in patient manages. */
  async listOwn(actor: Actor, page: { limit: number; offset: number }): Promise<ConsultationRow[]> {
    const rows = await this.repository.listForAccount(actor.principal.userId, page);
    await this.audit.record(rows.map((row) => this.entry(actor, 'read', row)));
    return rows;
  }

  /** A doctor's day (default today) in their state's time zone: what their consultations came to. */
  async daySummary(actor: Actor, date?: string): Promise<DaySummary> {
    const practitioner = await this.practitionerOf(actor);
    if (practitioner === undefined) throw notFound('A practitioner record linked to your account');
    const day = date ?? localParts(this.clock.now(), practitioner.timeZone).date;
    const from = zonedInstant(day, 0, practitioner.timeZone);
    const to = zonedInstant(addDays(day, 1), 0, practitioner.timeZone);
    const [counts, noShow] = await Promise.all([
      this.repository.dayCounts(practitioner.id, from, to),
      this.noShows(practitioner.id, from, to),
    ]);
    const round = (minutes: number) => Math.round(minutes * 10) / 10;
    return {
      date: day,
      timeZone: practitioner.timeZone,
      practitionerId: practitioner.id,
      ...counts,
      noShow,
      averageMinutes: counts.averageMinutes === null ? null : round(counts.averageMinutes),
      totalMinutes: round(counts.totalMinutes),
    };
  }

  private async practitionerOf(actor: Actor): Promise<PractitionerRef | undefined> {
    return actor.principal.kind === 'staff' && hasAnyRole(actor.principal, TREATING_ROLES)
      ? this.repository.practitionerForUser(actor.principal.userId)
      : undefined;
  }

  private async accessOf(actor: Actor): Promise<ConsultationAccess & { practitioner: PractitionerRef | undefined }> {
    if (actor.principal.kind === 'patient') {
      return {
        scope: { all: false, stateIds: [] },
        practitionerId: null,
        accountUserId: actor.principal.userId,
        practitioner: undefined,
      };
    }
    const practitioner = await this.practitionerOf(actor);
    return {
      scope: scopeFor(actor.principal, CONSULTATION_READERS),
      practitionerId: practitioner?.id ?? null,
      accountUserId: null,
      practitioner,
    };
  }

  /** The consultation, if the caller is its treating doctor: not found if they cannot see it, forbidden if they can. */
  private async asTreatingDoctor(
    actor: Actor,
    id: string,
    what: string,
  ): Promise<{ row: ConsultationRow; practitioner: PractitionerRef }> {
    const { practitioner, ...access } = await this.accessOf(actor);
    const row = await this.repository.find(id, access);
    if (row === undefined) throw notFound('Consultation');
    if (practitioner === undefined || row.practitionerId !== practitioner.id)
      throw forbidden(`Only the treating doctor may ${what}`);
    return { row, practitioner };
  }

  /** Why a consultation can no longer change, if it cannot. */
  private statusConflict(row: ConsultationRow): AppError | undefined {
    if (row.status === 'completed') return conflict('The consultation is completed; its record can no longer change');
    if (row.status === 'not_happened') return conflict('The consultation did not happen; it can no longer change');
    return undefined;
  }

  private assertInProgress(row: ConsultationRow): void {
    const error = this.statusConflict(row);
    if (error !== undefined) throw error;
  }

  /**
   * Why the mode or the first/follow-up kind cannot change, if the changes would change either:
   * a prescription signed in this consultation was checked against them by the prescribing rules.
   */
  private async ruleInputsConflict(row: ConsultationRow, changes: RecordChanges): Promise<AppError | undefined> {
    const field =
      changes.mode !== undefined && changes.mode !== row.mode
        ? 'body.mode'
        : changes.consultationType !== undefined && changes.consultationType !== row.consultationType
          ? 'body.consultationType'
          : undefined;
    if (field === undefined || !(await this.repository.hasPrescription(row.id))) return undefined;
    return conflict(
      `A prescription has been signed in this consultation, checked against the prescribing rules for its mode (${row.mode}) and ${row.consultationType === 'first' ? 'first' : 'follow-up'} consultation; the mode and whether it is a first or follow-up consultation can no longer change`,
      field,
    );
  }

  /** Why a conditional write matched nothing: the status or the version moved on, or a prescription was signed. */
  private async writeConflict(id: string, versionField?: string, changes?: RecordChanges): Promise<AppError> {
    const now = await this.repository.findAny(id);
    if (now === undefined) return notFound('Consultation');
    return (
      this.statusConflict(now) ??
      (changes === undefined ? undefined : await this.ruleInputsConflict(now, changes)) ??
      conflict(`The record was changed elsewhere (now version ${now.version}); reload and try again`, versionField)
    );
  }

  /**
   * Checks what a doctor sent against the lists and the ranges, and turns it into the stored
   * record: coded entries carry their display, follow-ups their due date. Every bad field is
   * named at once.
   */
  private async checkRecord(input: RecordInput, row: ConsultationRow): Promise<RecordChanges> {
    const issues: FieldIssue[] = [];
    const changes: RecordChanges = {};

    if (input.chiefComplaints !== undefined) {
      changes.chiefComplaints = await codeComplaints(
        this.terminology,
        input.chiefComplaints,
        'body.chiefComplaints',
        issues,
      );
    }

    if (input.diagnoses !== undefined) {
      const seen = new Set<string>();
      const entries: DiagnosisEntry[] = [];
      for (const [index, diagnosis] of input.diagnoses.entries()) {
        const field = `body.diagnoses.${index}.code`;
        const term = await this.terminology.diagnosis(diagnosis.code);
        if (term === undefined) {
          issues.push({ field, message: `${diagnosis.code} is not an ICD-10 code of the list` });
          continue;
        }
        if (seen.has(term.code)) {
          issues.push({ field, message: `${term.code} is listed twice` });
          continue;
        }
        seen.add(term.code);
        entries.push({ code: term.code, title: term.title, note: trimmed(diagnosis.note) ?? null });
      }
      changes.diagnoses = entries;
    }

    if (input.vitals !== undefined) {
      const vitals = compactVitals(input.vitals ?? {});
      issues.push(...checkVitals(vitals));
      changes.vitals = vitals;
    }

    if (input.followUp !== undefined) {
      changes.followUp = input.followUp === null ? null : await this.checkFollowUp(input.followUp, row, issues);
    }

    for (const key of ['complaintText', 'history', 'examination', 'advice'] as const) {
      const value = trimmed(input[key]);
      if (value === undefined) continue;
      if (value !== null && value.length > MAX_TEXT)
        issues.push({ field: `body.${key}`, message: `At most ${MAX_TEXT} characters` });
      changes[key] = value;
    }
    if (input.investigations !== undefined) {
      changes.investigations = [...new Set(input.investigations.map((i) => i.trim()).filter((i) => i !== ''))];
    }
    if (input.mode !== undefined) changes.mode = input.mode;
    if (input.consultationType !== undefined) {
      changes.consultationType = input.consultationType;
      changes.consultationTypeSource = 'doctor';
    }

    if (issues.length > 0) throw invalidFields(issues);
    return changes;
  }

  private async checkFollowUp(
    input: NonNullable<RecordInput['followUp']>,
    row: ConsultationRow,
    issues: FieldIssue[],
  ): Promise<FollowUp | null> {
    const startDate = localParts(row.startedAt, row.timeZone).date;
    const given = (input.afterDays === undefined ? 0 : 1) + (input.date === undefined ? 0 : 1);
    if (given !== 1) {
      issues.push({ field: 'body.followUp', message: 'Give either a date or after how many days, not both' });
      return null;
    }
    if (input.date !== undefined && input.date <= startDate) {
      issues.push({ field: 'body.followUp.date', message: `The follow-up date must be after ${startDate}` });
    }
    const specialityCode = input.specialityCode ?? null;
    if (input.with === 'specialist' && specialityCode === null) {
      issues.push({ field: 'body.followUp.specialityCode', message: 'Name the speciality to follow up with' });
    } else if (specialityCode !== null && (await this.terminology.speciality(specialityCode)) === undefined) {
      issues.push({ field: 'body.followUp.specialityCode', message: `Unknown speciality ${specialityCode}` });
    }
    return {
      afterDays: input.afterDays ?? null,
      date: input.date ?? null,
      dueDate: input.date ?? addDays(startDate, input.afterDays ?? 0),
      with: input.with,
      specialityCode,
      note: trimmed(input.note) ?? null,
    };
  }

  private entry(actor: Actor | null, action: AuditAction, row: ConsultationRow, detail?: Record<string, unknown>) {
    const roles: readonly Role[] =
      actor?.principal.kind === 'patient' ? ['patient'] : [...TREATING_ROLES, ...CONSULTATION_READERS];
    return {
      actorId: actor?.principal.userId ?? null,
      actorRole: actor === null ? 'system' : actingRole(actor.principal, roles),
      action,
      resourceType: 'Consultation',
      resourceId: row.id,
      patientId: row.patientId,
      stateId: row.stateId,
      ip: actor?.ip ?? null,
      detail: { kind: row.kind, ...detail },
    };
  }
}
