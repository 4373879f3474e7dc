import { notFound } from '../../platform/errors.js';
import type { DistrictRow, GeographyRepository, StateRow } from './repository.js';

/**
 * Country → state → district: reference data of the country pack. States carry their time
 * zone, so that "today" for a state starts at its local midnight.
 */
export class GeographyService {
  private readonly states = new Map<string, StateRow>();

  constructor(
    private readonly repository: GeographyRepository,
    private readonly countryId: string,
  ) {}

  listStates(): Promise<StateRow[]> {
    return this.repository.listStates(this.countryId);
  }

  async listDistricts(stateId: string): Promise<DistrictRow[]> {
    if ((await this.state(stateId)) === undefined) throw notFound(`State ${stateId}`);
    return this.repository.listDistricts(stateId);
  }

  /** A state, cached: states change only with a new country pack. */
  async state(id: string): Promise<StateRow | undefined> {
    const cached = this.states.get(id);
    if (cached !== undefined) return cached;
    const row = await this.repository.findState(id);
    if (row !== undefined) this.states.set(id, row);
    return row;
  }

  async stateExists(id: string): Promise<boolean> {
    return (await this.state(id)) !== undefined;
  }

  async countryOfState(id: string): Promise<string | undefined> {
    return (await this.state(id))?.countryId;
  }

  async timeZoneOf(stateId: string): Promise<string> {
    const state = await this.state(stateId);
    if (state === undefined) throw notFound(`State ${stateId}`);
    return state.timeZone;
  }

  async districtInState(districtId: string, stateId: string): Promise<boolean> {
    return (await this.repository.findDistrict(districtId))?.stateId === stateId;
  }
}
