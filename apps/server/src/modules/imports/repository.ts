import type { StateScope } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';
import { stateScopeCondition } from '../../platform/db/sql.js';
import {
  timeOrderedId,
  type FacilityImportRow,
  type ImportKind,
  type MappingImportRow,
  type PractitionerImportRow,
  type RowError,
} from './formats.js';

export type ImportStatus = 'validating' | 'writing' | 'succeeded' | 'rejected' | 'failed';

/** What an import did to one kind of record. `retired`: roles made inactive, mappings closed. */
export interface ImportCount {
  inserted: number;
  updated: number;
  unchanged: number;
  retired: number;
}

export type ImportCounts = Partial<Record<'facilities' | 'practitioners' | 'roles' | 'mappings', ImportCount>>;

export interface ImportProgress {
  status: ImportStatus;
  bytesRead: number;
  rowsRead: number;
  rowsValidated: number;
  rowsWritten: number;
  rowsTotal: number | null;
}

export interface ImportJobRow extends ImportProgress {
  id: string;
  kind: ImportKind;
  stateId: string | null;
  dryRun: boolean;
  errorCount: number;
  errors: RowError[];
  counts: ImportCounts;
  startedAt: Date;
  checkedAt: Date | null;
  updatedAt: Date;
  finishedAt: Date | null;
  createdBy: string | null;
}

export interface FacilityRef {
  registryId: string;
  id: string;
  stateId: string;
  kind: string;
  active: boolean;
}

export interface CurrentMapping {
  spoke: string;
  speciality: string;
  hubs: string[];
  ranks: number[];
}

const JOB_COLUMNS = `id, kind, state_id as "stateId", dry_run as "dryRun", status, bytes_read as "bytesRead",
  rows_read as "rowsRead", rows_validated as "rowsValidated", rows_written as "rowsWritten", rows_total as "rowsTotal",
  error_count as "errorCount", counts, started_at as "startedAt", checked_at as "checkedAt", updated_at as "updatedAt",
  finished_at as "finishedAt", created_by as "createdBy"`;

/** Any constant; only imports take it, so that two imports never write at the same time. */
const IMPORT_LOCK_ID = 4_711_2027;

/** Escapes values for a PostgreSQL array literal, so that one list per row can travel in a text[]. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** Runs an insert/update with `returning (xmax = 0) as inserted` and counts what it returned. */
async function countChanges(
  tx: Queryable,
  statement: string,
  params: unknown[],
): Promise<{ inserted: number; changed: number }> {
  const [row] = await tx.query<{ inserted: number; changed: number }>(
    `with changed as (${statement}) select count(*) filter (where inserted)::int as inserted, count(*)::int as changed from changed`,
    params,
  );
  return { inserted: row?.inserted ?? 0, changed: row?.changed ?? 0 };
}

async function countRows(tx: Queryable, statement: string, params: unknown[]): Promise<number> {
  const [row] = await tx.query<{ n: number }>(
    `with done as (${statement}) select count(*)::int as n from done`,
    params,
  );
  return row?.n ?? 0;
}

export class ImportRepository {
  constructor(private readonly db: Database) {}

  /** Runs `work` in one transaction that holds the import lock; it rolls back when `work` throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [IMPORT_LOCK_ID]);
      return work(tx);
    });
  }

  /**
   * Refreshes the planner's statistics of the tables an import of `kind` fills. They grow inside
   * one transaction, where autovacuum cannot see them; without this the planner keeps the
   * estimates of a small table and picks plans that get slower with every batch.
   */
  async refreshStatistics(tx: Queryable, kind: ImportKind): Promise<void> {
    const tables = {
      facilities: ['facilities'],
      practitioners: ['practitioners', 'practitioner_roles'],
      mappings: ['spoke_hub_mappings'],
    }[kind];
    for (const table of tables) await tx.query(`analyze ${table}`);
  }

  /** PostgreSQL can record progress on another connection while the import's transaction runs. */
  get progressBesideTransaction(): boolean {
    return this.db.kind === 'postgres';
  }

  // --- jobs

  async createJob(job: {
    id: string;
    kind: ImportKind;
    stateId: string | null;
    dryRun: boolean;
    createdBy: string;
  }): Promise<ImportJobRow | undefined> {
    const [row] = await this.db.query<ImportJobRow>(
      `insert into import_jobs (id, kind, state_id, dry_run, status, created_by) values ($1, $2, $3, $4, 'validating', $5)
       on conflict (id) do nothing returning ${JOB_COLUMNS}, errors`,
      [job.id, job.kind, job.stateId, job.dryRun, job.createdBy],
    );
    return row;
  }

  async saveProgress(id: string, progress: ImportProgress): Promise<void> {
    await this.db.query(
      `update import_jobs set status = $2, bytes_read = $3, rows_read = $4, rows_validated = $5, rows_written = $6,
         rows_total = $7, updated_at = now(),
         checked_at = case when $2 = 'writing' then coalesce(checked_at, now()) else checked_at end
       where id = $1`,
      [
        id,
        progress.status,
        progress.bytesRead,
        progress.rowsRead,
        progress.rowsValidated,
        progress.rowsWritten,
        progress.rowsTotal,
      ],
    );
  }

  async finishJob(
    id: string,
    result: ImportProgress & { errorCount: number; errors: RowError[]; counts: ImportCounts },
  ): Promise<ImportJobRow | undefined> {
    const [row] = await this.db.query<ImportJobRow>(
      `update import_jobs set status = $2, bytes_read = $3, rows_read = $4, rows_validated = $5, rows_written = $6,
         rows_total = $7, error_count = $8, errors = $9::jsonb, counts = $10::jsonb, updated_at = now(), finished_at = now(),
         checked_at = case when $2 = 'rejected' then now() else checked_at end
       where id = $1 returning ${JOB_COLUMNS}, errors`,
      [
        id,
        result.status,
        result.bytesRead,
        result.rowsRead,
        result.rowsValidated,
        result.rowsWritten,
        result.rowsTotal,
        result.errorCount,
        JSON.stringify(result.errors),
        JSON.stringify(result.counts),
      ],
    );
    return row;
  }

  async findJob(id: string): Promise<ImportJobRow | undefined> {
    const [row] = await this.db.query<ImportJobRow>(`select ${JOB_COLUMNS}, errors from import_jobs where id = $1`, [
      id,
    ]);
    return row;
  }

  /** The newest jobs of the caller's states and their own, without the error lists. */
  listJobs(scope: StateScope, userId: string, limit: number): Promise<Omit<ImportJobRow, 'errors'>[]> {
    const params: unknown[] = scope.all ? [] : [userId];
    const visible = scope.all ? 'true' : `(created_by = $1 or ${stateScopeCondition(scope, params)})`;
    params.push(limit);
    return this.db.query(
      `select ${JOB_COLUMNS} from import_jobs where ${visible} order by started_at desc limit $${params.length}`,
      params,
    );
  }

  // --- reference data and lookups for validation

  async specialityCodes(): Promise<string[]> {
    return (await this.db.query<{ code: string }>('select code from specialities')).map((row) => row.code);
  }

  facilitiesByRegistryId(registryIds: string[]): Promise<FacilityRef[]> {
    if (registryIds.length === 0) return Promise.resolve([]);
    return this.db.query<FacilityRef>(
      `select registry_id as "registryId", id, state_id as "stateId", kind, active
       from facilities where registry_id = any($1::text[])`,
      [registryIds],
    );
  }

  practitionersByRegistryId(registryIds: string[]): Promise<{ registryId: string; stateId: string }[]> {
    if (registryIds.length === 0) return Promise.resolve([]);
    return this.db.query(
      `select registry_id as "registryId", state_id as "stateId" from practitioners where registry_id = any($1::text[])`,
      [registryIds],
    );
  }

  /** Who holds these council registrations now (a practitioner may hold only their own). */
  registrationHolders(
    registrations: { council: string; number: string }[],
  ): Promise<{ council: string; number: string; registryId: string | null }[]> {
    if (registrations.length === 0) return Promise.resolve([]);
    return this.db.query(
      `select p.registration_council as council, p.registration_number as number, p.registry_id as "registryId"
       from unnest($1::text[], $2::text[]) as t(council, number)
       join practitioners p on p.registration_council = t.council and p.registration_number = t.number`,
      [registrations.map((r) => r.council), registrations.map((r) => r.number)],
    );
  }

  // --- writes, inside the import's transaction

  /** Inserts or updates by HFR id; a row whose content is unchanged is not touched. */
  async upsertFacilities(tx: Queryable, rows: FacilityImportRow[]): Promise<ImportCount> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, retired: 0 };
    const columns: readonly (readonly [string, string, (r: FacilityImportRow) => unknown])[] = [
      ['id', 'uuid', (r: FacilityImportRow) => r.id],
      ['registry_id', 'text', (r: FacilityImportRow) => r.registryId],
      ['state_id', 'text', (r: FacilityImportRow) => r.stateId],
      ['district_id', 'text', (r: FacilityImportRow) => r.districtId],
      ['name', 'text', (r: FacilityImportRow) => r.name],
      ['kind', 'text', (r: FacilityImportRow) => r.kind],
      ['subtype', 'text', (r: FacilityImportRow) => r.subtype],
      ['address_line', 'text', (r: FacilityImportRow) => r.addressLine],
      ['city', 'text', (r: FacilityImportRow) => r.city],
      ['pincode', 'text', (r: FacilityImportRow) => r.pincode],
      ['latitude', 'float8', (r: FacilityImportRow) => r.latitude],
      ['longitude', 'float8', (r: FacilityImportRow) => r.longitude],
      ['languages', 'text', (r: FacilityImportRow) => arrayLiteral(r.languages)],
      ['phone', 'text', (r: FacilityImportRow) => r.phone],
      ['active', 'bool', (r: FacilityImportRow) => r.active],
    ];
    const updatable = columns.map(([name]) => name).filter((name) => !['id', 'registry_id', 'state_id'].includes(name));
    const value = (name: string) => (name === 'languages' ? 't.languages::text[]' : `t.${name}`);
    // Unchanged rows are left out before the insert, so that they are not even locked.
    const { inserted, changed } = await countChanges(
      tx,
      `insert into facilities as f (${columns.map(([name]) => name).join(', ')})
       select ${columns.map(([name]) => value(name)).join(', ')}
       from unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
         as t(${columns.map(([name]) => name).join(', ')})
       left join facilities e on e.registry_id = t.registry_id
       where e.id is null
         or (e.state_id = t.state_id and (${updatable.map((c) => `e.${c} is distinct from ${value(c)}`).join(' or ')}))
       on conflict (registry_id) where registry_id is not null do update
         set ${updatable.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now(), version = f.version + 1
         where f.state_id = excluded.state_id
           and (${updatable.map((c) => `f.${c} is distinct from excluded.${c}`).join(' or ')})
       returning (xmax = 0) as inserted`,
      columns.map(([, , value]) => rows.map(value)),
    );
    return { inserted, updated: changed - inserted, unchanged: rows.length - changed, retired: 0 };
  }

  /** Inserts or updates practitioners by HPR id (one row each); unchanged ones are not touched. */
  async upsertPractitioners(tx: Queryable, rows: PractitionerImportRow[]): Promise<ImportCount> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, retired: 0 };
    const columns: readonly (readonly [string, string, (r: PractitionerImportRow) => unknown])[] = [
      ['id', 'uuid', (r: PractitionerImportRow) => r.id],
      ['registry_id', 'text', (r: PractitionerImportRow) => r.registryId],
      ['state_id', 'text', (r: PractitionerImportRow) => r.stateId],
      ['name', 'text', (r: PractitionerImportRow) => r.name],
      ['gender', 'text', (r: PractitionerImportRow) => r.gender],
      ['qualification', 'text', (r: PractitionerImportRow) => r.qualification],
      ['registration_council', 'text', (r: PractitionerImportRow) => r.registrationCouncil],
      ['registration_number', 'text', (r: PractitionerImportRow) => r.registrationNumber],
      ['languages', 'text', (r: PractitionerImportRow) => arrayLiteral(r.languages)],
      ['specialities', 'text', (r: PractitionerImportRow) => arrayLiteral(r.specialities)],
      ['mobile', 'text', (r: PractitionerImportRow) => r.mobile],
      ['active', 'bool', (r: PractitionerImportRow) => r.active],
    ];
    const lists = new Set(['languages', 'specialities']);
    const updatable = columns.map(([name]) => name).filter((name) => !['id', 'registry_id', 'state_id'].includes(name));
    const value = (name: string) => (lists.has(name) ? `t.${name}::text[]` : `t.${name}`);
    const { inserted, changed } = await countChanges(
      tx,
      `insert into practitioners as p (${columns.map(([name]) => name).join(', ')})
       select ${columns.map(([name]) => value(name)).join(', ')}
       from unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
         as t(${columns.map(([name]) => name).join(', ')})
       left join practitioners e on e.registry_id = t.registry_id
       where e.id is null
         or (e.state_id = t.state_id and (${updatable.map((c) => `e.${c} is distinct from ${value(c)}`).join(' or ')}))
       on conflict (registry_id) where registry_id is not null do update
         set ${updatable.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now(), version = p.version + 1
         where p.state_id = excluded.state_id
           and (${updatable.map((c) => `p.${c} is distinct from excluded.${c}`).join(' or ')})
       returning (xmax = 0) as inserted`,
      columns.map(([, , value]) => rows.map(value)),
    );
    return { inserted, updated: changed - inserted, unchanged: rows.length - changed, retired: 0 };
  }

  /**
   * Sets the roles of a batch of practitioners: each listed role is added or updated (and made
   * active again); their other active roles at facilities in `scope` become inactive.
   */
  async replaceRoles(
    tx: Queryable,
    practitionerRegistryIds: string[],
    roles: { practitioner: string; facility: string; role: string; specialities: string[] }[],
    scope: StateScope,
  ): Promise<ImportCount> {
    const keys = [roles.map((r) => r.practitioner), roles.map((r) => r.facility), roles.map((r) => r.role)];
    const retireParams: unknown[] = [practitionerRegistryIds, ...keys];
    const retired = await countRows(
      tx,
      `update practitioner_roles r set active = false, updated_at = now()
       from practitioners p
       where p.registry_id = any($1::text[]) and r.practitioner_id = p.id and r.active
         and ${stateScopeCondition(scope, retireParams, 'r.state_id')}
         and not exists (
           select 1 from unnest($2::text[], $3::text[], $4::text[]) as k(practitioner, facility, role)
           join facilities f on f.registry_id = k.facility
           where k.practitioner = p.registry_id and f.id = r.facility_id and k.role = r.role)
       returning r.id`,
      retireParams,
    );
    if (roles.length === 0) return { inserted: 0, updated: 0, unchanged: 0, retired };
    const { inserted, changed } = await countChanges(
      tx,
      `insert into practitioner_roles as r (id, practitioner_id, facility_id, state_id, role, specialities)
       select t.id, p.id, f.id, f.state_id, t.role, t.specialities::text[]
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[])
         as t(practitioner, facility, role, specialities, id)
       join practitioners p on p.registry_id = t.practitioner
       join facilities f on f.registry_id = t.facility
       left join practitioner_roles e on e.practitioner_id = p.id and e.facility_id = f.id and e.role = t.role
       where e.id is null or not e.active or e.specialities is distinct from t.specialities::text[]
       on conflict (practitioner_id, facility_id, role) do update
         set specialities = excluded.specialities, active = true, updated_at = now()
         where r.specialities is distinct from excluded.specialities or not r.active
       returning (xmax = 0) as inserted`,
      [...keys, roles.map((r) => arrayLiteral(r.specialities)), roles.map(() => timeOrderedId())],
    );
    return { inserted, updated: changed - inserted, unchanged: roles.length - changed, retired };
  }

  /** The current hub lists of these spokes and specialities, by registry ids. */
  currentMappings(tx: Queryable, pairs: { spoke: string; speciality: string }[]): Promise<CurrentMapping[]> {
    if (pairs.length === 0) return Promise.resolve([]);
    return tx.query<CurrentMapping>(
      `select s.registry_id as spoke, m.speciality_code as speciality,
         array_agg(h.registry_id order by m.rank) as hubs, array_agg(m.rank order by m.rank) as ranks
       from unnest($1::text[], $2::text[]) as p(spoke, speciality)
       join facilities s on s.registry_id = p.spoke
       join spoke_hub_mappings m on m.spoke_id = s.id and m.speciality_code = p.speciality and m.valid_to is null
       join facilities h on h.id = m.hub_id
       group by s.registry_id, m.speciality_code`,
      [pairs.map((p) => p.spoke), pairs.map((p) => p.speciality)],
    );
  }

  /** Closes the current rows of these spokes and specialities; returns how many. */
  closeMappings(tx: Queryable, pairs: { spoke: string; speciality: string }[]): Promise<number> {
    if (pairs.length === 0) return Promise.resolve(0);
    return countRows(
      tx,
      `update spoke_hub_mappings m set valid_to = now()
       from unnest($1::text[], $2::text[]) as p(spoke, speciality)
       join facilities s on s.registry_id = p.spoke
       where m.spoke_id = s.id and m.speciality_code = p.speciality and m.valid_to is null
       returning m.id`,
      [pairs.map((p) => p.spoke), pairs.map((p) => p.speciality)],
    );
  }

  insertMappings(tx: Queryable, rows: MappingImportRow[], createdBy: string): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return countRows(
      tx,
      `insert into spoke_hub_mappings (id, state_id, spoke_id, speciality_code, hub_id, rank, created_by)
       select t.id, s.state_id, s.id, t.speciality, h.id, t.rank, $5
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $6::uuid[]) as t(spoke, speciality, hub, rank, id)
       join facilities s on s.registry_id = t.spoke
       join facilities h on h.registry_id = t.hub
       returning id`,
      [
        rows.map((r) => r.spokeRegistryId),
        rows.map((r) => r.specialityCode),
        rows.map((r) => r.hubRegistryId),
        rows.map((r) => r.rank),
        createdBy,
        rows.map(() => timeOrderedId()),
      ],
    );
  }
}
