import type { StateScope } from '../../platform/auth.js';
import type { Database } from '../../platform/db/database.js';
import { containsPattern, stateScopeCondition } from '../../platform/db/sql.js';

export type Sex = 'female' | 'male' | 'other' | 'unknown';

export interface PatientRow {
  id: string;
  stateId: string;
  districtId: string | null;
  accountUserId: string | null;
  name: string;
  sex: Sex;
  birthDate: string | null;
  birthYear: number | null;
  mobile: string | null;
  village: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export type PatientFields = Pick<
  PatientRow,
  'name' | 'sex' | 'birthDate' | 'birthYear' | 'mobile' | 'village' | 'districtId'
>;

const COLUMNS = `id, state_id as "stateId", district_id as "districtId", account_user_id as "accountUserId", name, sex,
  birth_date as "birthDate", birth_year as "birthYear", mobile, village, created_by as "createdBy",
  created_at as "createdAt", updated_at as "updatedAt", version`;

export class PatientRepository {
  constructor(private readonly db: Database) {}

  /** Inserts unless the id exists; returns whether it was inserted. */
  async insert(
    patient: PatientFields & { id: string; stateId: string; accountUserId: string | null; createdBy: string | null },
  ): Promise<boolean> {
    const rows = await this.db.query(
      `insert into patients (id, state_id, district_id, account_user_id, name, sex, birth_date, birth_year, mobile, village, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (id) do nothing returning id`,
      [
        patient.id,
        patient.stateId,
        patient.districtId,
        patient.accountUserId,
        patient.name,
        patient.sex,
        patient.birthDate,
        patient.birthYear,
        patient.mobile,
        patient.village,
        patient.createdBy,
      ],
    );
    return rows.length === 1;
  }

  async find(id: string, scope: StateScope): Promise<PatientRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<PatientRow>(
      `select ${COLUMNS} from patients where id = $1 and ${stateScopeCondition(scope, params)}`,
      params,
    );
    return row;
  }

  /** Any row with this id, whatever its state: only to tell a retried create from a clash. */
  async exists(id: string): Promise<boolean> {
    return (await this.db.query('select 1 from patients where id = $1', [id])).length === 1;
  }

  search(
    scope: StateScope,
    query: { text?: string | undefined; mobile?: string | undefined; limit: number; offset: number },
  ): Promise<PatientRow[]> {
    const params: unknown[] = [];
    const where = [stateScopeCondition(scope, params)];
    if (query.text !== undefined) {
      params.push(containsPattern(query.text.toLowerCase()));
      where.push(`lower(name) like $${params.length}`);
    }
    if (query.mobile !== undefined) {
      params.push(query.mobile);
      where.push(`mobile = $${params.length}`);
    }
    params.push(query.limit, query.offset);
    return this.db.query<PatientRow>(
      `select ${COLUMNS} from patients where ${where.join(' and ')} order by name, id limit $${params.length - 1} offset $${params.length}`,
      params,
    );
  }

  listForAccount(accountUserId: string): Promise<PatientRow[]> {
    return this.db.query<PatientRow>(`select ${COLUMNS} from patients where account_user_id = $1 order by created_at`, [
      accountUserId,
    ]);
  }

  /** Updates in scope and at the expected version; undefined when either does not hold. */
  async update(
    id: string,
    scope: StateScope,
    version: number | undefined,
    changes: Partial<PatientFields>,
  ): Promise<PatientRow | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, column] of [
      ['name', 'name'],
      ['sex', 'sex'],
      ['birthDate', 'birth_date'],
      ['birthYear', 'birth_year'],
      ['mobile', 'mobile'],
      ['village', 'village'],
      ['districtId', 'district_id'],
    ] as const) {
      if (changes[key] === undefined) continue;
      params.push(changes[key]);
      sets.push(`${column} = $${params.length}`);
    }
    params.push(version ?? null);
    const versionParam = params.length;
    const [row] = await this.db.query<PatientRow>(
      `update patients set ${[...sets, 'updated_at = now()', 'version = version + 1'].join(', ')}
       where id = $1 and ($${versionParam}::int is null or version = $${versionParam}) and ${stateScopeCondition(scope, params)}
       returning ${COLUMNS}`,
      params,
    );
    return row;
  }
}
