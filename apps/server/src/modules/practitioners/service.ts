import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import { actingRole, assertInScope, scopeFor } from '../../platform/auth.js';
import { conflict, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import { NETWORK_READERS, NETWORK_WRITERS, type FacilityRow } from '../facilities/index.js';
import type { GeographyService } from '../geography/index.js';
import type { TerminologyService } from '../terminology/index.js';
import type {
  PractitionerFields,
  PractitionerRepository,
  PractitionerRoleKind,
  PractitionerRoleRow,
  PractitionerRow,
  PractitionerSearch,
} from './repository.js';

/** India's professional registry (HPR) ids: 14 digits. */
export const HPR_ID_PATTERN = /^[0-9]{14}$/;

export type NewPractitioner = Partial<PractitionerFields> & {
  id?: string | undefined;
  stateId: string;
  name: string;
  gender: PractitionerFields['gender'];
};

export interface RoleInput {
  facilityId: string;
  role: PractitionerRoleKind;
  specialities?: string[] | undefined;
}

export interface PractitionerWithRoles extends PractitionerRow {
  roles: PractitionerRoleRow[];
}

interface FacilityLookup {
  findMany(ids: string[]): Promise<FacilityRow[]>;
}

export class PractitionerService {
  constructor(
    private readonly repository: PractitionerRepository,
    private readonly facilities: FacilityLookup,
    private readonly geography: Pick<GeographyService, 'stateExists' | 'countryOfState'>,
    private readonly terminology: Pick<TerminologyService, 'unknownSpecialities'>,
    private readonly audit: AuditRecorder,
  ) {}

  async search(
    actor: Actor,
    query: Omit<PractitionerSearch, 'scope'>,
  ): Promise<{ rows: PractitionerWithRoles[]; total: number }> {
    const page = await this.repository.search({ ...query, scope: scopeFor(actor.principal, NETWORK_READERS) });
    return { rows: await this.withRoles(page.rows), total: page.total };
  }

  async get(actor: Actor, id: string): Promise<PractitionerWithRoles> {
    const row = await this.repository.find(id, scopeFor(actor.principal, NETWORK_READERS));
    if (row === undefined) throw notFound('Practitioner');
    const [withRoles] = await this.withRoles([row]);
    return withRoles ?? { ...row, roles: [] };
  }

  /** The practitioner record of a signed-in user (doctors and officers), if any. */
  forUser(userId: string): Promise<PractitionerRow | undefined> {
    return this.repository.findByUser(userId);
  }

  async create(
    actor: Actor,
    input: NewPractitioner,
  ): Promise<{ practitioner: PractitionerWithRoles; created: boolean }> {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    assertInScope(scope, input.stateId);
    await this.checkFields(input.stateId, input);
    const id = input.id ?? randomUUID();
    const created = await this.repository
      .insert({
        id,
        stateId: input.stateId,
        userId: null,
        name: input.name.trim(),
        gender: input.gender,
        qualification: input.qualification ?? null,
        registrationCouncil: input.registrationCouncil ?? null,
        registrationNumber: input.registrationNumber ?? null,
        registryId: input.registryId ?? null,
        languages: input.languages ?? [],
        specialities: input.specialities ?? [],
        mobile: input.mobile ?? null,
        active: input.active ?? true,
      })
      .catch((error: unknown) => {
        if (String(error).includes('practitioners_registry_idx'))
          throw conflict('Another practitioner has this HPR id', 'body.registryId');
        if (String(error).includes('practitioners_registration_idx')) {
          throw conflict(
            'Another practitioner has this registration number with this council',
            'body.registrationNumber',
          );
        }
        throw error;
      });
    const row = await this.repository.find(id, scope);
    if (row === undefined || (!created && row.name !== input.name.trim()))
      throw conflict('A different record already has this id', 'body.id');
    if (created) await this.record(actor, 'create', row);
    return { practitioner: await this.get(actor, id), created };
  }

  async update(
    actor: Actor,
    id: string,
    changes: Partial<PractitionerFields> & { version?: number | undefined },
  ): Promise<PractitionerWithRoles> {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    const current = await this.repository.find(id, scope);
    if (current === undefined) throw notFound('Practitioner');
    await this.checkFields(current.stateId, changes);
    const { version, ...fields } = changes;
    const updated = await this.repository.update(id, scope, version, fields).catch((error: unknown) => {
      throw registryConflict(error);
    });
    if (updated === undefined)
      throw conflict(
        `The record was changed by someone else (now version ${current.version}); reload and try again`,
        'body.version',
      );
    await this.record(actor, 'update', updated, { fields: Object.keys(fields) });
    return this.get(actor, id);
  }

  /** Sets where the practitioner works and in which role; facilities must be in the caller's states. */
  async replaceRoles(actor: Actor, id: string, roles: RoleInput[]): Promise<PractitionerWithRoles> {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    const practitioner = await this.repository.find(id, scope);
    if (practitioner === undefined) throw notFound('Practitioner');
    const facilities = new Map(
      (await this.facilities.findMany([...new Set(roles.map((r) => r.facilityId))])).map((f) => [f.id, f]),
    );
    const problems: { field: string; message: string }[] = [];
    const seen = new Set<string>();
    for (const [index, role] of roles.entries()) {
      const facility = facilities.get(role.facilityId);
      if (facility === undefined || !(scope.all || scope.stateIds.includes(facility.stateId))) {
        problems.push({ field: `body.roles.${index}.facilityId`, message: 'No such facility in your states' });
      }
      const key = `${role.facilityId}:${role.role}`;
      if (seen.has(key))
        problems.push({ field: `body.roles.${index}`, message: 'This facility and role are listed twice' });
      seen.add(key);
      const unknown = await this.terminology.unknownSpecialities(role.specialities ?? []);
      if (unknown.length > 0)
        problems.push({
          field: `body.roles.${index}.specialities`,
          message: `Unknown speciality ${unknown.join(', ')}`,
        });
    }
    if (problems.length > 0) throw invalidFields(problems);
    await this.repository.replaceRoles(
      id,
      roles.map((role) => ({
        id: randomUUID(),
        facilityId: role.facilityId,
        stateId: facilities.get(role.facilityId)?.stateId ?? practitioner.stateId,
        role: role.role,
        specialities: role.specialities ?? [],
      })),
    );
    await this.record(actor, 'update', practitioner, { roles: roles.map((r) => `${r.role}@${r.facilityId}`) });
    return this.get(actor, id);
  }

  private async withRoles(rows: PractitionerRow[]): Promise<PractitionerWithRoles[]> {
    const roles = await this.repository.rolesOf(rows.map((r) => r.id));
    return rows.map((row) => ({ ...row, roles: roles.filter((role) => role.practitionerId === row.id) }));
  }

  private async checkFields(stateId: string, fields: Partial<PractitionerFields>): Promise<void> {
    const problems: { field: string; message: string }[] = [];
    if (!(await this.geography.stateExists(stateId)))
      problems.push({ field: 'body.stateId', message: `Unknown state ${stateId}` });
    if (
      fields.registryId !== undefined &&
      fields.registryId !== null &&
      (await this.geography.countryOfState(stateId)) === 'IN' &&
      !HPR_ID_PATTERN.test(fields.registryId)
    ) {
      problems.push({ field: 'body.registryId', message: 'An HPR id is 14 digits' });
    }
    const unknown = await this.terminology.unknownSpecialities(fields.specialities ?? []);
    if (unknown.length > 0)
      problems.push({ field: 'body.specialities', message: `Unknown speciality ${unknown.join(', ')}` });
    if (problems.length > 0) throw invalidFields(problems);
  }

  private record(
    actor: Actor,
    action: 'create' | 'update',
    row: PractitionerRow,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, NETWORK_WRITERS),
      action,
      resourceType: 'Practitioner',
      resourceId: row.id,
      stateId: row.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    });
  }
}

/** Names the field behind a unique index, so the form can show the error beside it. */
function registryConflict(error: unknown): unknown {
  if (String(error).includes('practitioners_registry_idx'))
    return conflict('Another practitioner has this HPR id', 'body.registryId');
  if (String(error).includes('practitioners_registration_idx')) {
    return conflict('Another practitioner has this registration number with this council', 'body.registrationNumber');
  }
  return error;
}
