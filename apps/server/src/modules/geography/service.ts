import { randomUUID } from 'node:crypto';
import type { Actor, StateScope } from '../../platform/auth.js';
import { actingRole, assertInScope, scopeFor } from '../../platform/auth.js';
import { conflict, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import type { DistrictRow, FacilityKind, FacilityRow, GeographyRepository, StateRow } from './repository.js';

/** Who may read and who may change the care network's facilities. */
export const FACILITY_READERS = [
  'spoke_operator',
  'hub_doctor',
  'opd_doctor',
  'coordinator',
  'pharmacist',
  'state_admin',
  'national_admin',
  'auditor',
] as const;
export const FACILITY_WRITERS = ['state_admin', 'national_admin'] as const;

export interface NewFacility {
  id?: string | undefined;
  stateId: string;
  districtId: string;
  name: string;
  kind: FacilityKind;
  registryId?: string | null | undefined;
}

export class GeographyService {
  constructor(
    private readonly repository: GeographyRepository,
    private readonly audit: AuditRecorder,
    private readonly countryId: string,
  ) {}

  listStates(): Promise<StateRow[]> {
    return this.repository.listStates(this.countryId);
  }

  async listDistricts(stateId: string): Promise<DistrictRow[]> {
    if ((await this.repository.findState(stateId)) === undefined) throw notFound(`State ${stateId}`);
    return this.repository.listDistricts(stateId);
  }

  searchFacilities(
    actor: Actor,
    query: {
      stateId?: string | undefined;
      districtId?: string | undefined;
      kind?: FacilityKind | undefined;
      text?: string | undefined;
      limit: number;
      offset: number;
    },
  ): Promise<{ rows: FacilityRow[]; total: number }> {
    return this.repository.searchFacilities({ ...query, scope: scopeFor(actor.principal, FACILITY_READERS) });
  }

  async getFacility(actor: Actor, id: string): Promise<FacilityRow> {
    // Out of scope looks the same as absent: another state's records are not even confirmed to exist.
    const facility = await this.repository.findFacility(id, scopeFor(actor.principal, FACILITY_READERS));
    if (facility === undefined) throw notFound('Facility');
    return facility;
  }

  async createFacility(actor: Actor, input: NewFacility): Promise<{ facility: FacilityRow; created: boolean }> {
    const scope = scopeFor(actor.principal, FACILITY_WRITERS);
    assertInScope(scope, input.stateId);
    const district = await this.repository.findDistrict(input.districtId);
    if (district?.stateId !== input.stateId) {
      throw invalidFields([
        { field: 'body.districtId', message: `District ${input.districtId} is not in state ${input.stateId}` },
      ]);
    }
    const id = input.id ?? randomUUID();
    const created = await this.repository.insertFacility({
      id,
      stateId: input.stateId,
      districtId: input.districtId,
      name: input.name.trim(),
      kind: input.kind,
      registryId: input.registryId ?? null,
    });
    const facility = await this.repository.findFacility(id, scope);
    if (facility === undefined) throw conflict('This id is already used by a record you cannot see', 'body.id');
    if (!created && (facility.name !== input.name.trim() || facility.stateId !== input.stateId)) {
      throw conflict('A different facility already has this id', 'body.id');
    }
    if (created) await this.recordChange(actor, 'create', facility);
    return { facility, created };
  }

  async updateFacility(
    actor: Actor,
    id: string,
    changes: {
      name?: string | undefined;
      active?: boolean | undefined;
      registryId?: string | null | undefined;
      version?: number | undefined;
    },
  ): Promise<FacilityRow> {
    const scope = scopeFor(actor.principal, FACILITY_WRITERS);
    const updated = await this.repository.updateFacility(id, scope, changes.version, changes);
    if (updated === undefined) {
      const current = await this.repository.findFacility(id, scope);
      if (current === undefined) throw notFound('Facility');
      throw conflict(
        `The facility was changed by someone else (now version ${current.version}); reload and try again`,
        'body.version',
      );
    }
    await this.recordChange(actor, 'update', updated);
    return updated;
  }

  private recordChange(actor: Actor, action: 'create' | 'update', facility: FacilityRow): Promise<void> {
    return this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, FACILITY_WRITERS),
      action,
      resourceType: 'Facility',
      resourceId: facility.id,
      stateId: facility.stateId,
      ip: actor.ip,
    });
  }

  /** Used by other modules to check a state exists. */
  async stateExists(id: string): Promise<boolean> {
    return (await this.repository.findState(id)) !== undefined;
  }

  async districtInState(districtId: string, stateId: string): Promise<boolean> {
    return (await this.repository.findDistrict(districtId))?.stateId === stateId;
  }

  scopeForReaders(actor: Actor): StateScope {
    return scopeFor(actor.principal, FACILITY_READERS);
  }
}
