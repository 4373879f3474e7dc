import { createHash, randomUUID } from 'node:crypto';
import { operationOutcome, type Role } from '@sanjog/shared';
import type { Actor } from '../../platform/auth.js';
import { actingRole, assertInScope, inScope, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { AppError, badRequest, conflict, invalidFields, notFound, unprocessable } from '../../platform/errors.js';
import type { Queryable } from '../../platform/db/database.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import { baseMediaType, isAcceptedMediaType, sniffMediaType, type FileStore, type StoredFile } from '../files/index.js';
import type { GeographyService } from '../geography/index.js';
import type { PatientFields, PatientRepository, PatientRow } from './repository.js';

/** Staff who may read and register patients of the states they serve. */
export const PATIENT_STAFF = [
  'spoke_operator',
  'hub_doctor',
  'opd_doctor',
  'coordinator',
  'state_admin',
  'national_admin',
] as const;

/**
 * Staff who may see a patient's uploaded records: those who treat patients, in the patient's
 * state. A later issue narrows this to "treating this patient now" (an open consultation).
 */
export const CLINICAL_STAFF = ['hub_doctor', 'opd_doctor', 'spoke_operator'] as const;

/** How many profiles one mobile number may hold (eSanjeevani: a family on one number). */
export const MAX_PROFILES_PER_ACCOUNT = 10;
/** The largest upload; the route's body limit is the same. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** How many earlier records one profile may keep at a time. */
export const MAX_FILES_PER_PATIENT = 50;

export type NewPatient = Partial<PatientFields> &
  Pick<PatientFields, 'name' | 'sex'> & { id?: string | undefined; stateId: string };

/** What a patient gives to add a family profile: a date of birth or an age, never both. */
export interface NewProfile {
  id?: string | undefined;
  self?: boolean | undefined;
  name: string;
  sex: PatientFields['sex'];
  birthDate?: string | undefined;
  ageYears?: number | undefined;
  stateId: string;
  districtId: string;
  mobile?: string | undefined;
}

export interface ProfileChanges {
  name?: string | undefined;
  sex?: PatientFields['sex'] | undefined;
  birthDate?: string | undefined;
  ageYears?: number | undefined;
  districtId?: string | undefined;
  mobile?: string | null | undefined;
  version?: number | undefined;
}

export interface NewUpload {
  id?: string | undefined;
  title?: string | undefined;
  /** The Content-Type the sender declared. */
  declaredType: string | undefined;
  content: Buffer;
}

/** The identity module's answer to "which mobile number signs in to this account". */
export interface PatientAccounts {
  mobileOf(accountUserId: string): Promise<string | null>;
}

export const unsupportedMediaType = (diagnostics: string): AppError =>
  new AppError(415, operationOutcome({ severity: 'error', code: 'not-supported', diagnostics }));

export const payloadTooLarge = (diagnostics: string): AppError =>
  new AppError(413, operationOutcome({ severity: 'error', code: 'too-costly', diagnostics }));

/** The calendar date at `now` in a time zone, as YYYY-MM-DD. */
function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export class PatientService {
  constructor(
    private readonly repository: PatientRepository,
    private readonly geography: Pick<GeographyService, 'stateExists' | 'districtInState' | 'timeZoneOf'>,
    private readonly audit: AuditRecorder,
    private readonly ports: { files: FileStore; accounts: PatientAccounts; clock: Clock },
  ) {}

  // ---- Staff ---------------------------------------------------------------------------------

  /**
   * Registers a patient; a retry with the same id returns the record. `alongside` writes what must
   * exist with a new patient or not at all (a module's identifiers), in the insert's transaction:
   * when it throws, nothing is registered and its error is the answer.
   */
  async register(
    actor: Actor,
    input: NewPatient,
    alongside?: (tx: Queryable, patientId: string) => Promise<void>,
  ): Promise<{ patient: PatientRow; created: boolean }> {
    const scope = scopeFor(actor.principal, PATIENT_STAFF);
    assertInScope(scope, input.stateId);
    await this.checkPlace(input.stateId, input.districtId ?? null);
    const id = input.id ?? randomUUID();
    const created = await this.repository.insert(
      {
        id,
        stateId: input.stateId,
        districtId: input.districtId ?? null,
        accountUserId: null,
        name: input.name.trim(),
        sex: input.sex,
        birthDate: input.birthDate ?? null,
        birthYear: input.birthYear ?? (input.birthDate ? Number(input.birthDate.slice(0, 4)) : null),
        mobile: input.mobile ?? null,
        village: input.village ?? null,
        createdBy: actor.principal.userId,
      },
      alongside === undefined ? undefined : (tx) => alongside(tx, id),
    );
    const patient = await this.repository.find(id, scope);
    if (patient === undefined || (!created && patient.createdBy !== actor.principal.userId)) {
      throw conflict('This id is already used by another record', 'body.id');
    }
    if (created) await this.record(actor, 'create', patient);
    return { patient, created };
  }

  /** One patient for a member of staff, in the states they serve for `roles`; audited. */
  async getForStaff(actor: Actor, id: string, roles: readonly Role[] = PATIENT_STAFF): Promise<PatientRow> {
    if (actor.principal.kind !== 'staff') throw notFound('Patient');
    const patient = await this.repository.find(id, scopeFor(actor.principal, roles));
    if (patient === undefined) throw notFound('Patient');
    await this.record(actor, 'read', patient, undefined, roles);
    return patient;
  }

  /** The same as `getForStaff` with the default roles. */
  get(actor: Actor, id: string): Promise<PatientRow> {
    return this.getForStaff(actor, id);
  }

  async search(
    actor: Actor,
    query: { text?: string | undefined; mobile?: string | undefined; limit: number; offset: number },
  ): Promise<PatientRow[]> {
    const rows = await this.repository.search(scopeFor(actor.principal, PATIENT_STAFF), query);
    // A search shows each patient it returns: one entry per patient, so that "who saw X" is answerable.
    await this.audit.record(rows.map((patient) => this.entry(actor, 'search', patient)));
    return rows;
  }

  async update(
    actor: Actor,
    id: string,
    changes: Partial<PatientFields> & { version?: number | undefined },
  ): Promise<PatientRow> {
    const scope = scopeFor(actor.principal, PATIENT_STAFF);
    const current = await this.repository.find(id, scope);
    if (current === undefined) throw notFound('Patient');
    if (changes.districtId !== undefined && changes.districtId !== null)
      await this.checkPlace(current.stateId, changes.districtId);
    const { version, ...fields } = changes;
    // A new date of birth brings its year along unless the year is given too.
    if (typeof fields.birthDate === 'string' && fields.birthYear === undefined)
      fields.birthYear = Number(fields.birthDate.slice(0, 4));
    const updated = await this.repository.update(id, scope, version, fields);
    if (updated === undefined) throw this.versionConflict(current);
    await this.record(actor, 'update', updated, { fields: Object.keys(fields) });
    return updated;
  }

  // ---- The patient's own family profiles -----------------------------------------------------

  /** The profiles a patient's mobile account manages (removed ones left out); audited per profile. */
  async listOwn(actor: Actor): Promise<PatientRow[]> {
    const rows = await this.repository.listForAccount(actor.principal.userId);
    await this.audit.record(rows.map((patient) => this.entry(actor, 'read', patient)));
    return rows;
  }

  /** One profile of the caller's account; another account's (or a removed one) is not found. */
  async getOwn(actor: Actor, id: string): Promise<PatientRow> {
    const patient = await this.ownProfile(actor, id);
    await this.record(actor, 'read', patient);
    return patient;
  }

  /**
   * Adds a family profile to the caller's mobile account. A retry with the same client id
   * returns the first result; the account holds at most MAX_PROFILES_PER_ACCOUNT profiles.
   */
  async addOwn(actor: Actor, input: NewProfile): Promise<{ patient: PatientRow; created: boolean }> {
    const accountUserId = this.accountOf(actor);
    await this.checkPlace(input.stateId, input.districtId);
    const birth = await this.birthOf(input, input.stateId, true);
    const mobile = input.self === true ? await this.ports.accounts.mobileOf(accountUserId) : (input.mobile ?? null);
    const id = input.id ?? randomUUID();
    const outcome = await this.repository.insertForAccount(
      {
        id,
        stateId: input.stateId,
        districtId: input.districtId,
        accountUserId,
        name: input.name.trim(),
        sex: input.sex,
        birthDate: birth.birthDate ?? null,
        birthYear: birth.birthYear ?? null,
        mobile,
        village: null,
        createdBy: accountUserId,
      },
      MAX_PROFILES_PER_ACCOUNT,
    );
    if (outcome === 'full')
      throw unprocessable(
        `One mobile number can hold at most ${MAX_PROFILES_PER_ACCOUNT} profiles; remove one you no longer need first`,
      );
    const patient = await this.repository.findForAccount(id, accountUserId);
    if (patient === undefined) {
      // The id is taken by a record this account does not hold (or no longer holds).
      const owner = await this.repository.accountOf(id);
      throw conflict(
        owner?.accountUserId === accountUserId
          ? 'This profile was removed from your account'
          : 'This id is already used by another record',
        'body.id',
      );
    }
    if (outcome === 'created') await this.record(actor, 'create', patient);
    return { patient, created: outcome === 'created' };
  }

  async updateOwn(actor: Actor, id: string, changes: ProfileChanges): Promise<PatientRow> {
    const accountUserId = this.accountOf(actor);
    const current = await this.ownProfile(actor, id);
    if (changes.districtId !== undefined) await this.checkPlace(current.stateId, changes.districtId);
    const fields: Partial<PatientFields> = {};
    if (changes.name !== undefined) fields.name = changes.name.trim();
    if (changes.sex !== undefined) fields.sex = changes.sex;
    if (changes.districtId !== undefined) fields.districtId = changes.districtId;
    if (changes.mobile !== undefined) fields.mobile = changes.mobile;
    if (changes.birthDate !== undefined || changes.ageYears !== undefined) {
      const birth = await this.birthOf(changes, current.stateId, false);
      // An age replaces a known date with an estimated year, so the date is cleared.
      fields.birthDate = birth.birthDate ?? null;
      fields.birthYear = birth.birthYear ?? null;
    }
    const updated = await this.repository.updateForAccount(id, accountUserId, changes.version, fields);
    if (updated === undefined) throw this.versionConflict(current);
    const changed = Object.keys(changes).filter((key) => key !== 'version');
    await this.record(actor, 'update', updated, { fields: changed });
    return updated;
  }

  /**
   * Takes a profile off the caller's account. The record stays: a consultation, prescription or
   * upload may refer to it, and clinical records are never lost. Staff still find it.
   */
  async removeOwn(actor: Actor, id: string): Promise<void> {
    const accountUserId = this.accountOf(actor);
    const patient = await this.ownProfile(actor, id);
    if (!(await this.repository.removeFromAccount(id, accountUserId))) throw notFound('Patient profile');
    await this.record(actor, 'delete', patient, { removedFromAccount: true });
  }

  // ---- Uploaded earlier records --------------------------------------------------------------

  /**
   * Stores an earlier record (image or PDF) for one of the caller's profiles. The type is
   * checked by the file's own bytes; a mismatch with the declared type is refused, so that a
   * page or script cannot be passed off as an image. A retry with the same client id and the
   * same bytes returns the first result.
   */
  async uploadOwnFile(
    actor: Actor,
    patientId: string,
    upload: NewUpload,
  ): Promise<{ file: StoredFile; created: boolean }> {
    const patient = await this.ownProfile(actor, patientId);
    const declared = baseMediaType(upload.declaredType);
    if (!isAcceptedMediaType(declared))
      throw unsupportedMediaType('Upload a photo (JPEG, PNG or WebP) or a PDF; this kind of file is not accepted');
    if (upload.content.length === 0) throw badRequest('The file is empty', 'body');
    if (upload.content.length > MAX_FILE_BYTES)
      throw payloadTooLarge(`A file may be at most ${MAX_FILE_BYTES / (1024 * 1024)} MB`);
    const actual = sniffMediaType(upload.content);
    if (actual !== declared)
      throw unsupportedMediaType(
        actual === undefined
          ? `This file is not a real ${declared} file; upload a photo (JPEG, PNG or WebP) or a PDF`
          : `This file is ${actual}, not ${declared} as declared`,
      );
    const sha256 = createHash('sha256').update(upload.content).digest('hex');
    const title = upload.title?.trim();
    if (upload.id !== undefined) {
      const retried = await this.ports.files.head(upload.id);
      if (retried !== undefined) return { file: this.sameUpload(retried, actor, patient, sha256), created: false };
    }
    if ((await this.ports.files.countForPatient(patient.id)) >= MAX_FILES_PER_PATIENT)
      throw unprocessable(
        `A profile can keep at most ${MAX_FILES_PER_PATIENT} uploaded records; delete one you no longer need first`,
      );
    const { file, created } = await this.ports.files.put({
      id: upload.id ?? randomUUID(),
      stateId: patient.stateId,
      patientId: patient.id,
      title: title === undefined || title === '' ? null : title,
      mediaType: actual,
      content: upload.content,
      sha256,
      uploadedBy: actor.principal.userId,
    });
    if (!created) return { file: this.sameUpload(file, actor, patient, sha256), created: false };
    await this.recordFile(actor, 'create', file, ['patient'], { mediaType: file.mediaType, sizeBytes: file.sizeBytes });
    return { file, created };
  }

  /** The uploads of one of the caller's profiles, oldest first; audited per file shown. */
  async listOwnFiles(actor: Actor, patientId: string): Promise<StoredFile[]> {
    const patient = await this.ownProfile(actor, patientId);
    const files = await this.ports.files.listForPatient(patient.id);
    await this.audit.record(files.map((file) => this.fileEntry(actor, 'search', file, ['patient'])));
    return files;
  }

  /** The uploads of a patient, for clinical staff of the patient's state; audited per file shown. */
  async listFilesForStaff(actor: Actor, patientId: string): Promise<StoredFile[]> {
    const patient = await this.getForStaff(actor, patientId, CLINICAL_STAFF);
    const files = await this.ports.files.listForPatient(patient.id);
    await this.audit.record(files.map((file) => this.fileEntry(actor, 'search', file, CLINICAL_STAFF)));
    return files;
  }

  /**
   * A patient's uploads without their bytes, for other modules (the doctor's view of earlier
   * records in a consultation). It neither authorises nor audits: the caller has already
   * authorised its actor for this patient and records what it shows.
   */
  files(patientId: string): Promise<StoredFile[]> {
    return this.ports.files.listForPatient(patientId);
  }

  /**
   * A file's bytes for the account that holds its patient, or for clinical staff of the
   * patient's state; anyone else is told it was not found. Every download is audited.
   */
  async download(actor: Actor, fileId: string): Promise<{ file: StoredFile; content: Buffer }> {
    const head = await this.ports.files.head(fileId);
    if (head === undefined) throw notFound('File');
    const roles = await this.fileReaderRoles(actor, head);
    const stored = await this.ports.files.get(fileId);
    if (stored === undefined) throw notFound('File');
    await this.recordFile(actor, 'read', stored.file, roles, { download: true });
    return stored;
  }

  /**
   * The account holder deletes an upload. It is hidden from everyone from then on, but its row
   * and bytes are kept: a doctor may already have read it and acted on it, and the medical
   * record must show what they saw. Erasure (e.g. under the DPDP Act, where no retention duty
   * applies) is a separate, audited process for a later issue.
   */
  async deleteOwnFile(actor: Actor, fileId: string): Promise<void> {
    if (actor.principal.kind !== 'patient') throw notFound('File');
    const head = await this.ports.files.head(fileId);
    if (head === undefined) throw notFound('File');
    await this.ownProfile(actor, head.patientId, 'File');
    if (!(await this.ports.files.delete(fileId, actor.principal.userId))) throw notFound('File');
    await this.recordFile(actor, 'delete', head, ['patient']);
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private accountOf(actor: Actor): string {
    // The routes allow only patients; a staff member holds no profiles.
    if (actor.principal.kind !== 'patient') throw notFound('Patient profile');
    return actor.principal.userId;
  }

  private async ownProfile(actor: Actor, id: string, what = 'Patient profile'): Promise<PatientRow> {
    const patient = await this.repository.findForAccount(id, this.accountOf(actor));
    if (patient === undefined) throw notFound(what);
    return patient;
  }

  /** The roles in which the caller may read this file; not found when they may not. */
  private async fileReaderRoles(actor: Actor, file: StoredFile): Promise<readonly Role[]> {
    if (actor.principal.kind === 'patient') {
      await this.ownProfile(actor, file.patientId, 'File');
      return ['patient'];
    }
    const scope = scopeFor(actor.principal, CLINICAL_STAFF);
    if (!inScope(scope, file.stateId) || (await this.repository.find(file.patientId, scope)) === undefined)
      throw notFound('File');
    return CLINICAL_STAFF;
  }

  /** A retried upload must be the same file from the same person for the same profile. */
  private sameUpload(existing: StoredFile, actor: Actor, patient: PatientRow, sha256: string): StoredFile {
    if (
      existing.patientId !== patient.id ||
      existing.uploadedBy !== actor.principal.userId ||
      existing.sha256 !== sha256
    )
      throw conflict('This id is already used by another file', 'query.id');
    return existing;
  }

  /** Birth date and year from a date of birth or an age in years (one of them, not both). */
  private async birthOf(
    input: { birthDate?: string | undefined; ageYears?: number | undefined },
    stateId: string,
    required: boolean,
  ): Promise<{ birthDate?: string; birthYear?: number }> {
    if (input.birthDate !== undefined && input.ageYears !== undefined)
      throw invalidFields([{ field: 'body.ageYears', message: 'Give a date of birth or an age, not both' }]);
    if (input.birthDate === undefined && input.ageYears === undefined) {
      if (required)
        throw invalidFields([{ field: 'body.birthDate', message: 'Give a date of birth, or an age in years' }]);
      return {};
    }
    const today = localDate(this.ports.clock.now(), await this.geography.timeZoneOf(stateId));
    const thisYear = Number(today.slice(0, 4));
    if (input.birthDate !== undefined) {
      if (input.birthDate > today)
        throw invalidFields([{ field: 'body.birthDate', message: 'The date of birth is in the future' }]);
      if (input.birthDate < '1890-01-01')
        throw invalidFields([{ field: 'body.birthDate', message: 'The date of birth is too far in the past' }]);
      return { birthDate: input.birthDate, birthYear: Number(input.birthDate.slice(0, 4)) };
    }
    // An age says little about the day: the year of birth is this year less the age.
    return { birthYear: thisYear - (input.ageYears ?? 0) };
  }

  private versionConflict(current: PatientRow): AppError {
    return conflict(
      `The record was changed by someone else (now version ${current.version}); reload and try again`,
      'body.version',
    );
  }

  private async checkPlace(stateId: string, districtId: string | null): Promise<void> {
    if (!(await this.geography.stateExists(stateId)))
      throw invalidFields([{ field: 'body.stateId', message: `Unknown state ${stateId}` }]);
    if (districtId !== null && !(await this.geography.districtInState(districtId, stateId))) {
      throw invalidFields([{ field: 'body.districtId', message: `District ${districtId} is not in state ${stateId}` }]);
    }
  }

  private entry(
    actor: Actor,
    action: AuditAction,
    patient: PatientRow,
    detail?: Record<string, unknown>,
    roles: readonly Role[] = PATIENT_STAFF,
  ) {
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, actor.principal.kind === 'patient' ? ['patient'] : roles),
      action,
      resourceType: 'Patient',
      resourceId: patient.id,
      patientId: patient.id,
      stateId: patient.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    };
  }

  private record(
    actor: Actor,
    action: AuditAction,
    patient: PatientRow,
    detail?: Record<string, unknown>,
    roles?: readonly Role[],
  ): Promise<void> {
    return this.audit.record(this.entry(actor, action, patient, detail, roles));
  }

  /** Uploaded records are FHIR DocumentReferences (with the bytes as their Binary). */
  private fileEntry(
    actor: Actor,
    action: AuditAction,
    file: StoredFile,
    roles: readonly Role[],
    detail?: Record<string, unknown>,
  ) {
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, roles),
      action,
      resourceType: 'DocumentReference',
      resourceId: file.id,
      patientId: file.patientId,
      stateId: file.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    };
  }

  private recordFile(
    actor: Actor,
    action: AuditAction,
    file: StoredFile,
    roles: readonly Role[],
    detail?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(this.fileEntry(actor, action, file, roles, detail));
  }
}
