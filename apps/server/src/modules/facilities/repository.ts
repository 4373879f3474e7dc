import type { StateScope } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';
import { startsWithPattern, stateScopeCondition } from '../../platform/db/sql.js';

export const FACILITY_KINDS = ['spoke', 'hub', 'opd', 'referral', 'pharmacy'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

export interface FacilityFields {
  name: string;
  kind: FacilityKind;
  subtype: string | null;
  registryId: string | null;
  addressLine: string | null;
  city: string | null;
  pincode: string | null;
  latitude: number | null;
  longitude: number | null;
  languages: string[];
  phone: string | null;
  active: boolean;
}

export interface FacilityRow extends FacilityFields {
  id: string;
  stateId: string;
  districtId: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface FacilitySearch {
  scope: StateScope;
  stateId?: string | undefined;
  districtId?: string | undefined;
  kind?: FacilityKind | undefined;
  /** Name starting with this text (case-insensitive), as FHIR string search does. */
  namePrefix?: string | undefined;
  registryId?: string | undefined;
  ids?: string[] | undefined;
  updatedSince?: Date | undefined;
  active?: boolean | undefined;
  limit: number;
  offset: number;
}

/** The select list of a facility row, optionally qualified by a table alias. */
export function facilityColumns(alias = ''): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `${a}id, ${a}state_id as "stateId", ${a}district_id as "districtId", ${a}name, ${a}kind, ${a}subtype,
    ${a}registry_id as "registryId", ${a}address_line as "addressLine", ${a}city, ${a}pincode, ${a}latitude, ${a}longitude,
    ${a}languages, ${a}phone, ${a}active, ${a}created_at as "createdAt", ${a}updated_at as "updatedAt", ${a}version`;
}

const FACILITY_COLUMNS = facilityColumns();

/** The writable columns, in one order, for inserts and batch upserts. */
const WRITE_COLUMNS = [
  ['stateId', 'state_id', 'text'],
  ['districtId', 'district_id', 'text'],
  ['name', 'name', 'text'],
  ['kind', 'kind', 'text'],
  ['subtype', 'subtype', 'text'],
  ['registryId', 'registry_id', 'text'],
  ['addressLine', 'address_line', 'text'],
  ['city', 'city', 'text'],
  ['pincode', 'pincode', 'text'],
  ['latitude', 'latitude', 'float8'],
  ['longitude', 'longitude', 'float8'],
  ['phone', 'phone', 'text'],
  ['active', 'active', 'bool'],
] as const;

export type NewFacilityRow = FacilityFields & { id: string; stateId: string; districtId: string };

/** A facility row with only the essentials filled in. */
export function blankFacility(
  essentials: Pick<NewFacilityRow, 'id' | 'stateId' | 'districtId' | 'name' | 'kind'>,
): NewFacilityRow {
  return {
    subtype: null,
    registryId: null,
    addressLine: null,
    city: null,
    pincode: null,
    latitude: null,
    longitude: null,
    languages: [],
    phone: null,
    active: true,
    ...essentials,
  };
}

/** Escapes a value for a PostgreSQL array literal, so that `languages` can travel as text. */
function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export class FacilityRepository {
  constructor(private readonly db: Database) {}

  async search(search: FacilitySearch): Promise<{ rows: FacilityRow[]; total: number }> {
    const params: unknown[] = [];
    const where = [stateScopeCondition(search.scope, params)];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (search.stateId !== undefined) add((n) => `state_id = $${n}`, search.stateId);
    if (search.districtId !== undefined) add((n) => `district_id = $${n}`, search.districtId);
    if (search.kind !== undefined) add((n) => `kind = $${n}`, search.kind);
    if (search.registryId !== undefined) add((n) => `registry_id = $${n}`, search.registryId);
    if (search.ids !== undefined) add((n) => `id = any($${n}::uuid[])`, search.ids);
    if (search.updatedSince !== undefined) add((n) => `updated_at >= $${n}`, search.updatedSince);
    if (search.active !== undefined) add((n) => `active = $${n}`, search.active);
    if (search.namePrefix !== undefined) {
      add((n) => `lower(name) like $${n}`, startsWithPattern(search.namePrefix));
    }
    // One round trip: the total rides along on every row of the page.
    const rows = await this.db.query<FacilityRow & { total: number }>(
      `select ${FACILITY_COLUMNS}, count(*) over ()::int as total from facilities where ${where.join(' and ')}
       order by lower(name), id limit $${params.length + 1} offset $${params.length + 2}`,
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

  async find(id: string, scope: StateScope): Promise<FacilityRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<FacilityRow>(
      `select ${FACILITY_COLUMNS} from facilities where id = $1 and ${stateScopeCondition(scope, params)}`,
      params,
    );
    return row;
  }

  async findMany(ids: string[]): Promise<FacilityRow[]> {
    if (ids.length === 0) return [];
    return this.db.query<FacilityRow>(`select ${FACILITY_COLUMNS} from facilities where id = any($1::uuid[])`, [ids]);
  }

  /** Inserts unless the id exists; returns whether it was inserted. */
  async insert(facility: NewFacilityRow, tx: Queryable = this.db): Promise<boolean> {
    const columns = ['id', ...WRITE_COLUMNS.map(([, column]) => column), 'languages'];
    const values = [facility.id, ...WRITE_COLUMNS.map(([key]) => facility[key]), facility.languages];
    const rows = await tx.query(
      `insert into facilities (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})
       on conflict (id) do nothing returning id`,
      values,
    );
    return rows.length === 1;
  }

  /**
   * Inserts or updates many facilities by id in one statement; a row whose content is unchanged
   * is not touched (its version and updated_at stay), so re-importing a file changes nothing.
   * Returns how many rows were inserted and how many changed.
   */
  async upsertMany(rows: NewFacilityRow[], tx: Queryable = this.db): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const arrays = [
      rows.map((r) => r.id),
      ...WRITE_COLUMNS.map(([key]) => rows.map((r) => r[key])),
      rows.map((r) => arrayLiteral(r.languages)),
    ];
    const casts = ['uuid', ...WRITE_COLUMNS.map(([, , type]) => type), 'text'];
    const names = ['id', ...WRITE_COLUMNS.map(([, column]) => column), 'languages_text'];
    const changed = WRITE_COLUMNS.filter(([, column]) => column !== 'state_id')
      .map(([, column]) => `facilities.${column} is distinct from excluded.${column}`)
      .concat('facilities.languages is distinct from excluded.languages')
      .join(' or ');
    const result = await tx.query<{ inserted: boolean }>(
      `insert into facilities (id, ${WRITE_COLUMNS.map(([, c]) => c).join(', ')}, languages)
       select id, ${WRITE_COLUMNS.map(([, c]) => c).join(', ')}, languages_text::text[]
       from unnest(${arrays.map((_, i) => `$${i + 1}::${casts[i] ?? 'text'}[]`).join(', ')}) as t(${names.join(', ')})
       on conflict (id) do update set ${WRITE_COLUMNS.filter(([, c]) => c !== 'state_id')
         .map(([, c]) => `${c} = excluded.${c}`)
         .join(', ')}, languages = excluded.languages, updated_at = now(), version = facilities.version + 1
       where facilities.state_id = excluded.state_id and (${changed})
       returning (xmax = 0) as inserted`,
      arrays,
    );
    const inserted = result.filter((r) => r.inserted).length;
    return { inserted, updated: result.length - inserted };
  }

  /** Updates in scope only, and only when `version` still matches; undefined otherwise. */
  async update(
    id: string,
    scope: StateScope,
    version: number | undefined,
    changes: Partial<FacilityFields & { districtId: string }>,
  ): Promise<FacilityRow | undefined> {
    const params: unknown[] = [id];
    const sets: string[] = [];
    for (const [key, column] of [
      ...WRITE_COLUMNS.map(([k, c]) => [k, c] as const),
      ['languages', 'languages'] as const,
    ]) {
      if (key === 'stateId' || changes[key] === undefined) continue;
      params.push(changes[key]);
      sets.push(`${column} = $${params.length}`);
    }
    params.push(version ?? null);
    const versionParam = params.length;
    const [row] = await this.db.query<FacilityRow>(
      `update facilities set ${[...sets, 'updated_at = now()', 'version = version + 1'].join(', ')}
       where id = $1 and ($${versionParam}::int is null or version = $${versionParam}) and ${stateScopeCondition(scope, params)}
       returning ${FACILITY_COLUMNS}`,
      params,
    );
    return row;
  }

  listPoolMembers(hubId: string): Promise<FacilityRow[]> {
    return this.db.query<FacilityRow>(
      `select ${facilityColumns('f')}
       from hub_pool_members m join facilities f on f.id = m.member_id where m.hub_id = $1 order by f.name`,
      [hubId],
    );
  }

  async addPoolMember(hubId: string, memberId: string): Promise<void> {
    await this.db.query('insert into hub_pool_members (hub_id, member_id) values ($1, $2) on conflict do nothing', [
      hubId,
      memberId,
    ]);
  }

  async removePoolMember(hubId: string, memberId: string): Promise<boolean> {
    return (
      (
        await this.db.query('delete from hub_pool_members where hub_id = $1 and member_id = $2 returning hub_id', [
          hubId,
          memberId,
        ])
      ).length === 1
    );
  }
}
