import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import { actingRole, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { invalidFields, notFound } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import { NETWORK_READERS, NETWORK_WRITERS, type FacilityRow } from '../facilities/index.js';
import type { TerminologyService } from '../terminology/index.js';
import type { MappingRepository, MappingRow } from './repository.js';

interface FacilityLookup {
  findMany(ids: string[]): Promise<FacilityRow[]>;
}

/**
 * Which hubs serve a spoke, per speciality, in order: the first choice, then overflow. A change
 * closes the old rows and adds new ones, so a case routed earlier keeps the mapping it used.
 */
export class MappingService {
  constructor(
    private readonly repository: MappingRepository,
    private readonly facilities: FacilityLookup,
    private readonly terminology: Pick<TerminologyService, 'unknownSpecialities'>,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
  ) {}

  async current(actor: Actor, spokeId: string): Promise<MappingRow[]> {
    await this.facilityInScope(actor, spokeId, NETWORK_READERS);
    return this.repository.current(spokeId);
  }

  async history(actor: Actor, spokeId: string, specialityCode: string): Promise<MappingRow[]> {
    await this.facilityInScope(actor, spokeId, NETWORK_READERS);
    return this.repository.history(spokeId, specialityCode);
  }

  async spokesOf(actor: Actor, hubId: string) {
    await this.facilityInScope(actor, hubId, NETWORK_READERS);
    return this.repository.spokesOf(hubId);
  }

  /** For routing: the ordered hubs and the facilities whose doctors each hub pools. */
  route(spokeId: string, specialityCode: string) {
    return this.repository.route(spokeId, specialityCode);
  }

  async replace(actor: Actor, spokeId: string, specialityCode: string, hubIds: string[]): Promise<MappingRow[]> {
    const spoke = await this.facilityInScope(actor, spokeId, NETWORK_WRITERS);
    const problems: { field: string; message: string }[] = [];
    if (spoke.kind !== 'spoke') problems.push({ field: 'params.id', message: 'Only a spoke maps to hubs' });
    if ((await this.terminology.unknownSpecialities([specialityCode])).length > 0) {
      problems.push({ field: 'params.speciality', message: `Unknown speciality ${specialityCode}` });
    }
    const hubs = new Map((await this.facilities.findMany(hubIds)).map((f) => [f.id, f]));
    for (const [index, hubId] of hubIds.entries()) {
      const hub = hubs.get(hubId);
      if (hubIds.indexOf(hubId) !== index)
        problems.push({ field: `body.hubIds.${index}`, message: 'This hub is listed twice' });
      else if (hub?.stateId !== spoke.stateId)
        problems.push({ field: `body.hubIds.${index}`, message: 'No such hub in this state' });
      else if (hub.kind !== 'hub')
        problems.push({ field: `body.hubIds.${index}`, message: `${hub.name} is not a hub` });
      else if (!hub.active) problems.push({ field: `body.hubIds.${index}`, message: `${hub.name} is not active` });
    }
    if (problems.length > 0) throw invalidFields(problems);
    const changed = await this.repository.replace(
      spokeId,
      spoke.stateId,
      specialityCode,
      hubIds,
      this.clock.now(),
      actor.principal.userId,
      randomUUID,
    );
    if (changed) {
      await this.audit.record({
        actorId: actor.principal.userId,
        actorRole: actingRole(actor.principal, NETWORK_WRITERS),
        action: 'update',
        resourceType: 'SpokeHubMapping',
        resourceId: spokeId,
        stateId: spoke.stateId,
        ip: actor.ip,
        detail: { speciality: specialityCode, hubIds },
      });
    }
    return (await this.repository.current(spokeId)).filter((m) => m.specialityCode === specialityCode);
  }

  private async facilityInScope(
    actor: Actor,
    id: string,
    roles: readonly (typeof NETWORK_READERS)[number][],
  ): Promise<FacilityRow> {
    const [facility] = await this.facilities.findMany([id]);
    const scope = scopeFor(actor.principal, roles);
    if (facility === undefined || !(scope.all || scope.stateIds.includes(facility.stateId))) throw notFound('Facility');
    return facility;
  }
}
