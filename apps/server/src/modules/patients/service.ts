import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import { actingRole, assertInScope, scopeFor } from '../../platform/auth.js';
import { conflict, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
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

export type NewPatient = Partial<PatientFields> &
  Pick<PatientFields, 'name' | 'sex'> & { id?: string | undefined; stateId: string };

export class PatientService {
  constructor(
    private readonly repository: PatientRepository,
    private readonly geography: Pick<GeographyService, 'stateExists' | 'districtInState'>,
    private readonly audit: AuditRecorder,
  ) {}

  async register(actor: Actor, input: NewPatient): Promise<{ patient: PatientRow; created: boolean }> {
    const scope = scopeFor(actor.principal, PATIENT_STAFF);
    assertInScope(scope, input.stateId);
    await this.checkPlace(input.stateId, input.districtId ?? null);
    const id = input.id ?? randomUUID();
    const created = await this.repository.insert({
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
    });
    const patient = await this.repository.find(id, scope);
    if (patient === undefined || (!created && patient.createdBy !== actor.principal.userId)) {
      throw conflict('This id is already used by another record', 'body.id');
    }
    if (created) await this.record(actor, 'create', patient);
    return { patient, created };
  }

  async get(actor: Actor, id: string): Promise<PatientRow> {
    const patient = await this.repository.find(id, scopeFor(actor.principal, PATIENT_STAFF));
    if (patient === undefined) throw notFound('Patient');
    await this.record(actor, 'read', patient);
    return patient;
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
    const updated = await this.repository.update(id, scope, version, fields);
    if (updated === undefined)
      throw conflict(
        `The record was changed by someone else (now version ${current.version}); reload and try again`,
        'body.version',
      );
    await this.record(actor, 'update', updated, { fields: Object.keys(fields) });
    return updated;
  }

  /** The profiles a patient's mobile account manages. */
  async listOwn(actor: Actor): Promise<PatientRow[]> {
    const rows = await this.repository.listForAccount(actor.principal.userId);
    await this.audit.record(rows.map((patient) => this.entry(actor, 'read', patient)));
    return rows;
  }

  private async checkPlace(stateId: string, districtId: string | null): Promise<void> {
    if (!(await this.geography.stateExists(stateId)))
      throw invalidFields([{ field: 'body.stateId', message: `Unknown state ${stateId}` }]);
    if (districtId !== null && !(await this.geography.districtInState(districtId, stateId))) {
      throw invalidFields([{ field: 'body.districtId', message: `District ${districtId} is not in state ${stateId}` }]);
    }
  }

  private entry(actor: Actor, action: AuditAction, patient: PatientRow, detail?: Record<string, unknown>) {
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, actor.principal.kind === 'patient' ? ['patient'] : PATIENT_STAFF),
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
  ): Promise<void> {
    return this.audit.record(this.entry(actor, action, patient, detail));
  }
}
