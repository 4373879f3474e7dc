import type { StateScope } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';
import { containsPattern, stateScopeCondition } from '../../platform/db/sql.js';

export interface StateRow {
  id: string;
  countryId: string;
  code: string;
  name: string;
  timeZone: string;
}

export interface DistrictRow {
  id: string;
  stateId: string;
  code: string;
  name: string;
}

export type FacilityKind = 'spoke' | 'hub' | 'opd' | 'referral' | 'pharmacy';

export interface FacilityRow {
  id: string;
  stateId: string;
  districtId: string;
  name: string;
  kind: FacilityKind;
  registryId: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface FacilitySearch {
  scope: StateScope;
  stateId?: string | undefined;
  districtId?: string | undefined;
  kind?: FacilityKind | undefined;
  text?: string | undefined;
  limit: number;
  offset: number;
}

const FACILITY_COLUMNS = `id, state_id as "stateId", district_id as "districtId", name, kind, registry_id as "registryId",
  active, created_at as "createdAt", updated_at as "updatedAt", version`;

export class GeographyRepository {
  constructor(private readonly db: Database) {}

  listStates(countryId: string): Promise<StateRow[]> {
    return this.db.query<StateRow>(
      `select id, country_id as "countryId", code, name, time_zone as "timeZone" from states where country_id = $1 order by name`,
      [countryId],
    );
  }

  async findState(id: string): Promise<StateRow | undefined> {
    const [row] = await this.db.query<StateRow>(
      `select id, country_id as "countryId", code, name, time_zone as "timeZone" from states where id = $1`,
      [id],
    );
    return row;
  }

  listDistricts(stateId: string): Promise<DistrictRow[]> {
    return this.db.query<DistrictRow>(
      `select id, state_id as "stateId", code, name from districts where state_id = $1 order by name`,
      [stateId],
    );
  }

  async findDistrict(id: string): Promise<DistrictRow | undefined> {
    const [row] = await this.db.query<DistrictRow>(
      `select id, state_id as "stateId", code, name from districts where id = $1`,
      [id],
    );
    return row;
  }

  async searchFacilities(search: FacilitySearch): Promise<{ rows: FacilityRow[]; total: number }> {
    const params: unknown[] = [];
    const where = [stateScopeCondition(search.scope, params)];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (search.stateId !== undefined) add((n) => `state_id = $${n}`, search.stateId);
    if (search.districtId !== undefined) add((n) => `district_id = $${n}`, search.districtId);
    if (search.kind !== undefined) add((n) => `kind = $${n}`, search.kind);
    if (search.text !== undefined) add((n) => `name ilike $${n}`, containsPattern(search.text));
    // One round trip: the total rides along on every row of the page.
    const rows = await this.db.query<FacilityRow & { total: number }>(
      `select ${FACILITY_COLUMNS}, count(*) over ()::int as total from facilities where ${where.join(' and ')}
       order by name, id limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, search.limit, search.offset],
    );
    if (rows.length === 0 && search.offset > 0) {
      const [count] = await this.db.query<{ total: number }>(
        `select count(*)::int as total from facilities where ${where.join(' and ')}`,
        params,
      );
      return { rows: [], total: count?.total ?? 0 };
    }
    return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
  }

  async findFacility(id: string, scope: StateScope): Promise<FacilityRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<FacilityRow>(
      `select ${FACILITY_COLUMNS} from facilities where id = $1 and ${stateScopeCondition(scope, params)}`,
      params,
    );
    return row;
  }

  /** Inserts unless the id exists; returns whether it was inserted. */
  async insertFacility(
    facility: Omit<FacilityRow, 'createdAt' | 'updatedAt' | 'version' | 'active'>,
    tx: Queryable = this.db,
  ): Promise<boolean> {
    const rows = await tx.query(
      `insert into facilities (id, state_id, district_id, name, kind, registry_id) values ($1, $2, $3, $4, $5, $6)
       on conflict (id) do nothing returning id`,
      [facility.id, facility.stateId, facility.districtId, facility.name, facility.kind, facility.registryId],
    );
    return rows.length === 1;
  }

  /** Updates in scope only, and only when `version` still matches; undefined otherwise. */
  async updateFacility(
    id: string,
    scope: StateScope,
    version: number | undefined,
    changes: { name?: string | undefined; active?: boolean | undefined; registryId?: string | null | undefined },
  ): Promise<FacilityRow | undefined> {
    const params: unknown[] = [
      id,
      changes.name ?? null,
      changes.active ?? null,
      changes.registryId !== undefined,
      changes.registryId ?? null,
      version ?? null,
    ];
    const [row] = await this.db.query<FacilityRow>(
      `update facilities set name = coalesce($2, name), active = coalesce($3, active),
         registry_id = case when $4 then $5 else registry_id end, updated_at = now(), version = version + 1
       where id = $1 and ($6::int is null or version = $6) and ${stateScopeCondition(scope, params)}
       returning ${FACILITY_COLUMNS}`,
      params,
    );
    return row;
  }

  /** Loads a country's states and districts; rows already present are left as they are. */
  async loadReference(
    country: { id: string; name: string; timeZone: string },
    states: { code: string; name: string }[],
    districts: { stateCode: string; code: string; name: string }[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        'insert into countries (id, name, default_time_zone) values ($1, $2, $3) on conflict (id) do nothing',
        [country.id, country.name, country.timeZone],
      );
      await tx.query(
        `insert into states (id, country_id, code, name, time_zone)
         select $1 || '-' || lpad(code, 2, '0'), $1, code, name, $2 from unnest($3::text[], $4::text[]) as s(code, name)
         on conflict (id) do nothing`,
        [country.id, country.timeZone, states.map((s) => s.code), states.map((s) => s.name)],
      );
      await tx.query(
        `insert into districts (id, state_id, code, name)
         select $1 || '-' || lpad(state_code, 2, '0') || '-' || code, $1 || '-' || lpad(state_code, 2, '0'), code, name
         from unnest($2::text[], $3::text[], $4::text[]) as d(state_code, code, name)
         on conflict (id) do nothing`,
        [country.id, districts.map((d) => d.stateCode), districts.map((d) => d.code), districts.map((d) => d.name)],
      );
    });
  }
}
