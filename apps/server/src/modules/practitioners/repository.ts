import type { StateScope } from '../../platform/auth.js';
import type { Database } from '../../platform/db/database.js';
import { startsWithPattern, stateScopeCondition } from '../../platform/db/sql.js';

export type Gender = 'female' | 'male' | 'other' | 'unknown';
export const PRACTITIONER_ROLE_KINDS = [
  'hub_doctor',
  'opd_doctor',
  'spoke_operator',
  'specialist',
  'pharmacist',
  'coordinator',
] as const;
export type PractitionerRoleKind = (typeof PRACTITIONER_ROLE_KINDS)[number];

export interface PractitionerFields {
  name: string;
  gender: Gender;
  qualification: string | null;
  registrationCouncil: string | null;
  registrationNumber: string | null;
  registryId: string | null;
  languages: string[];
  specialities: string[];
  mobile: string | null;
  active: boolean;
}

export interface PractitionerRow extends PractitionerFields {
  id: string;
  stateId: string;
  userId: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface PractitionerRoleRow {
  id: string;
  practitionerId: string;
  facilityId: string;
  facilityName: string;
  stateId: string;
  role: PractitionerRoleKind;
  specialities: string[];
  active: boolean;
  updatedAt: Date;
}

export interface PractitionerSearch {
  scope: StateScope;
  stateId?: string | undefined;
  namePrefix?: string | undefined;
  registryId?: string | undefined;
  speciality?: string | undefined;
  facilityId?: string | undefined;
  role?: PractitionerRoleKind | undefined;
  ids?: string[] | undefined;
  updatedSince?: Date | undefined;
  limit: number;
  offset: number;
}

export function practitionerColumns(alias = 'p'): string {
  const a = `${alias}.`;
  return `${a}id, ${a}state_id as "stateId", ${a}user_id as "userId", ${a}name, ${a}gender, ${a}qualification,
    ${a}registration_council as "registrationCouncil", ${a}registration_number as "registrationNumber",
    ${a}registry_id as "registryId", ${a}languages, ${a}specialities, ${a}mobile, ${a}active,
    ${a}created_at as "createdAt", ${a}updated_at as "updatedAt", ${a}version`;
}

const FIELD_COLUMNS = [
  ['name', 'name'],
  ['gender', 'gender'],
  ['qualification', 'qualification'],
  ['registrationCouncil', 'registration_council'],
  ['registrationNumber', 'registration_number'],
  ['registryId', 'registry_id'],
  ['languages', 'languages'],
  ['specialities', 'specialities'],
  ['mobile', 'mobile'],
  ['active', 'active'],
] as const;

const ROLE_COLUMNS = `r.id, r.practitioner_id as "practitionerId", r.facility_id as "facilityId", f.name as "facilityName",
  r.state_id as "stateId", r.role, r.specialities, r.active, r.updated_at as "updatedAt"`;

export class PractitionerRepository {
  constructor(private readonly db: Database) {}

  async search(search: PractitionerSearch): Promise<{ rows: PractitionerRow[]; total: number }> {
    const params: unknown[] = [];
    const where = [stateScopeCondition(search.scope, params, 'p.state_id')];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (search.stateId !== undefined) add((n) => `p.state_id = $${n}`, search.stateId);
    if (search.registryId !== undefined) add((n) => `p.registry_id = $${n}`, search.registryId);
    if (search.speciality !== undefined) add((n) => `$${n} = any(p.specialities)`, search.speciality);
    if (search.ids !== undefined) add((n) => `p.id = any($${n}::uuid[])`, search.ids);
    if (search.updatedSince !== undefined) add((n) => `p.updated_at >= $${n}`, search.updatedSince);
    if (search.namePrefix !== undefined) {
      add((n) => `lower(p.name) like $${n}`, startsWithPattern(search.namePrefix));
    }
    if (search.facilityId !== undefined || search.role !== undefined) {
      const conditions = ['r.practitioner_id = p.id', 'r.active'];
      if (search.facilityId !== undefined) {
        params.push(search.facilityId);
        conditions.push(`r.facility_id = $${params.length}`);
      }
      if (search.role !== undefined) {
        params.push(search.role);
        conditions.push(`r.role = $${params.length}`);
      }
      where.push(`exists (select 1 from practitioner_roles r where ${conditions.join(' and ')})`);
    }
    const rows = await this.db.query<PractitionerRow & { total: number }>(
      `select ${practitionerColumns()}, count(*) over ()::int as total from practitioners p where ${where.join(' and ')}
       order by lower(p.name), p.id limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, search.limit, search.offset],
    );
    return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
  }

  async find(id: string, scope: StateScope): Promise<PractitionerRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<PractitionerRow>(
      `select ${practitionerColumns()} from practitioners p where p.id = $1 and ${stateScopeCondition(scope, params, 'p.state_id')}`,
      params,
    );
    return row;
  }

  async findByUser(userId: string): Promise<PractitionerRow | undefined> {
    const [row] = await this.db.query<PractitionerRow>(
      `select ${practitionerColumns()} from practitioners p where p.user_id = $1`,
      [userId],
    );
    return row;
  }

  async insert(row: PractitionerFields & { id: string; stateId: string; userId: string | null }): Promise<boolean> {
    const rows = await this.db.query(
      `insert into practitioners (id, state_id, user_id, ${FIELD_COLUMNS.map(([, c]) => c).join(', ')})
       values ($1, $2, $3, ${FIELD_COLUMNS.map((_, i) => `$${i + 4}`).join(', ')}) on conflict (id) do nothing returning id`,
      [row.id, row.stateId, row.userId, ...FIELD_COLUMNS.map(([key]) => row[key])],
    );
    return rows.length === 1;
  }

  async update(
    id: string,
    scope: StateScope,
    version: number | undefined,
    changes: Partial<PractitionerFields>,
  ): Promise<PractitionerRow | undefined> {
    const params: unknown[] = [id];
    const sets: string[] = [];
    for (const [key, column] of FIELD_COLUMNS) {
      if (changes[key] === undefined) continue;
      params.push(changes[key]);
      sets.push(`${column} = $${params.length}`);
    }
    params.push(version ?? null);
    const versionParam = params.length;
    const [row] = await this.db.query<PractitionerRow>(
      `update practitioners p set ${[...sets, 'updated_at = now()', 'version = version + 1'].join(', ')}
       where p.id = $1 and ($${versionParam}::int is null or p.version = $${versionParam}) and ${stateScopeCondition(scope, params, 'p.state_id')}
       returning ${practitionerColumns()}`,
      params,
    );
    return row;
  }

  rolesOf(practitionerIds: string[]): Promise<PractitionerRoleRow[]> {
    if (practitionerIds.length === 0) return Promise.resolve([]);
    return this.db.query<PractitionerRoleRow>(
      `select ${ROLE_COLUMNS} from practitioner_roles r join facilities f on f.id = r.facility_id
       where r.practitioner_id = any($1::uuid[]) order by f.name, r.role`,
      [practitionerIds],
    );
  }

  /** Replaces a practitioner's roles: missing ones become inactive (kept for history), new ones are added. */
  async replaceRoles(
    practitionerId: string,
    roles: { id: string; facilityId: string; stateId: string; role: PractitionerRoleKind; specialities: string[] }[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `update practitioner_roles set active = false, updated_at = now()
         where practitioner_id = $1 and active and (facility_id, role) not in (select * from unnest($2::uuid[], $3::text[]))`,
        [practitionerId, roles.map((r) => r.facilityId), roles.map((r) => r.role)],
      );
      for (const role of roles) {
        await tx.query(
          `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role, specialities)
           values ($1, $2, $3, $4, $5, $6)
           on conflict (practitioner_id, facility_id, role) do update set specialities = excluded.specialities, active = true,
             updated_at = now()
           where practitioner_roles.specialities is distinct from excluded.specialities or not practitioner_roles.active`,
          [role.id, practitionerId, role.facilityId, role.stateId, role.role, role.specialities],
        );
      }
    });
  }
}
