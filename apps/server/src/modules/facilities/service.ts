import { randomUUID } from 'node:crypto';
import type { Actor, StateScope } from '../../platform/auth.js';
import { actingRole, assertInScope, scopeFor } from '../../platform/auth.js';
import { conflict, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import type { GeographyService } from '../geography/index.js';
import type { FacilityFields, FacilityKind, FacilityRepository, FacilityRow, FacilitySearch } from './repository.js';

/** Who may read and who may change the care network. */
export const NETWORK_READERS = [
  'spoke_operator',
  'hub_doctor',
  'opd_doctor',
  'coordinator',
  'pharmacist',
  'state_admin',
  'national_admin',
  'auditor',
] as const;
export const NETWORK_WRITERS = ['state_admin', 'national_admin'] as const;

/** India's facility registry (HFR) ids: IN followed by 10 digits. */
export const HFR_ID_PATTERN = /^IN[0-9]{10}$/;

export type NewFacility = Partial<FacilityFields> & {
  id?: string | undefined;
  stateId: string;
  districtId: string;
  name: string;
  kind: FacilityKind;
};

export class FacilityService {
  constructor(
    private readonly repository: FacilityRepository,
    private readonly geography: Pick<GeographyService, 'districtInState' | 'countryOfState'>,
    private readonly audit: AuditRecorder,
  ) {}

  readScope(actor: Actor): StateScope {
    return scopeFor(actor.principal, NETWORK_READERS);
  }

  search(actor: Actor, query: Omit<FacilitySearch, 'scope'>): Promise<{ rows: FacilityRow[]; total: number }> {
    return this.repository.search({ ...query, scope: this.readScope(actor) });
  }

  async get(actor: Actor, id: string): Promise<FacilityRow> {
    // Out of scope looks the same as absent: another state's records are not even confirmed to exist.
    const facility = await this.repository.find(id, this.readScope(actor));
    if (facility === undefined) throw notFound('Facility');
    return facility;
  }

  async create(actor: Actor, input: NewFacility): Promise<{ facility: FacilityRow; created: boolean }> {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    assertInScope(scope, input.stateId);
    await this.checkFields(input.stateId, input.districtId, input.registryId ?? null);
    const id = input.id ?? randomUUID();
    const created = await this.repository
      .insert({
        id,
        stateId: input.stateId,
        districtId: input.districtId,
        name: input.name.trim(),
        kind: input.kind,
        subtype: input.subtype ?? null,
        registryId: input.registryId ?? null,
        addressLine: input.addressLine ?? null,
        city: input.city ?? null,
        pincode: input.pincode ?? null,
        latitude: input.latitude ?? null,
        longitude: input.longitude ?? null,
        languages: input.languages ?? [],
        phone: input.phone ?? null,
        active: input.active ?? true,
      })
      .catch((error: unknown) => {
        if (String(error).includes('facilities_registry_idx'))
          throw conflict('Another facility has this registry id', 'body.registryId');
        throw error;
      });
    const facility = await this.repository.find(id, scope);
    if (facility === undefined) throw conflict('This id is already used by a record you cannot see', 'body.id');
    if (!created && (facility.name !== input.name.trim() || facility.stateId !== input.stateId)) {
      throw conflict('A different facility already has this id', 'body.id');
    }
    if (created) await this.recordChange(actor, 'create', facility);
    return { facility, created };
  }

  async update(
    actor: Actor,
    id: string,
    changes: Partial<FacilityFields & { districtId: string }> & { version?: number | undefined },
  ): Promise<FacilityRow> {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    const current = await this.repository.find(id, scope);
    if (current === undefined) throw notFound('Facility');
    await this.checkFields(current.stateId, changes.districtId ?? current.districtId, changes.registryId ?? null);
    const { version, ...fields } = changes;
    const updated = await this.repository.update(id, scope, version, fields).catch((error: unknown) => {
      if (String(error).includes('facilities_registry_idx'))
        throw conflict('Another facility has this registry id', 'body.registryId');
      throw error;
    });
    if (updated === undefined) {
      throw conflict(
        `The facility was changed by someone else (now version ${current.version}); reload and try again`,
        'body.version',
      );
    }
    await this.recordChange(actor, 'update', updated, { fields: Object.keys(fields) });
    return updated;
  }

  async poolMembers(actor: Actor, hubId: string): Promise<FacilityRow[]> {
    await this.get(actor, hubId);
    return this.repository.listPoolMembers(hubId);
  }

  /** Adds a facility's doctors to a hub's pool: both in the caller's state, the first a hub. */
  async addPoolMember(actor: Actor, hubId: string, memberId: string): Promise<void> {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    const [hub, member] = await Promise.all([
      this.repository.find(hubId, scope),
      this.repository.find(memberId, scope),
    ]);
    if (hub === undefined) throw notFound('Hub');
    if (member === undefined) throw notFound('Facility');
    if (hub.kind !== 'hub') throw invalidFields([{ field: 'params.id', message: 'Only a hub has a pool' }]);
    if (hub.id === member.id)
      throw invalidFields([{ field: 'body.facilityId', message: 'A hub is always in its own pool' }]);
    if (hub.stateId !== member.stateId)
      throw invalidFields([{ field: 'body.facilityId', message: 'A pool stays within one state' }]);
    await this.repository.addPoolMember(hubId, memberId);
    await this.recordChange(actor, 'update', hub, { poolAdded: memberId });
  }

  async removePoolMember(actor: Actor, hubId: string, memberId: string): Promise<void> {
    const hub = await this.repository.find(hubId, scopeFor(actor.principal, NETWORK_WRITERS));
    if (hub === undefined || !(await this.repository.removePoolMember(hubId, memberId))) throw notFound('Pool member');
    await this.recordChange(actor, 'update', hub, { poolRemoved: memberId });
  }

  private async checkFields(stateId: string, districtId: string, registryId: string | null): Promise<void> {
    const problems: { field: string; message: string }[] = [];
    if (!(await this.geography.districtInState(districtId, stateId))) {
      problems.push({ field: 'body.districtId', message: `District ${districtId} is not in state ${stateId}` });
    }
    if (
      registryId !== null &&
      (await this.geography.countryOfState(stateId)) === 'IN' &&
      !HFR_ID_PATTERN.test(registryId)
    ) {
      problems.push({ field: 'body.registryId', message: 'An HFR id is IN followed by 10 digits' });
    }
    if (problems.length > 0) throw invalidFields(problems);
  }

  private recordChange(
    actor: Actor,
    action: 'create' | 'update',
    facility: FacilityRow,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, NETWORK_WRITERS),
      action,
      resourceType: 'Facility',
      resourceId: facility.id,
      stateId: facility.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    });
  }
}
