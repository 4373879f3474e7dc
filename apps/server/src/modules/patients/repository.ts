import type { StateScope } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';
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
  /** When the account holder removed the profile from their account; the record stays. */
  accountRemovedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export type PatientFields = Pick<
  PatientRow,
  'name' | 'sex' | 'birthDate' | 'birthYear' | 'mobile' | 'village' | 'districtId'
>;

type NewPatientRow = PatientFields & {
  id: string;
  stateId: string;
  accountUserId: string | null;
  createdBy: string | null;
};

const COLUMNS = `id, state_id as "stateId", district_id as "districtId", account_user_id as "accountUserId", name, sex,
  birth_date as "birthDate", birth_year as "birthYear", mobile, village, created_by as "createdBy",
  account_removed_at as "accountRemovedAt", created_at as "createdAt", updated_at as "updatedAt", version`;

export class PatientRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts unless the id exists; returns whether it was inserted. With `alongside`, a new patient's
   * insert and `alongside` run in one transaction: when it throws, no patient is inserted. A retry
   * of an existing id does not run it (the first insert did).
   */
  insert(patient: NewPatientRow, alongside?: (tx: Queryable) => Promise<void>): Promise<boolean> {
    if (alongside === undefined) return insertPatient(this.db, patient);
    return this.db.transaction(async (tx) => {
      const inserted = await insertPatient(tx, patient);
      if (inserted) await alongside(tx);
      return inserted;
    });
  }

  /**
   * Adds a profile to a mobile account unless the account already holds `max` profiles. The
   * count and the insert run under a lock on the account, so that parallel adds cannot pass it.
   * A retry of an existing id is `exists`, whatever the count.
   */
  insertForAccount(
    patient: NewPatientRow & { accountUserId: string },
    max: number,
  ): Promise<'created' | 'exists' | 'full'> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`patients:account:${patient.accountUserId}`]);
      if ((await tx.query('select 1 from patients where id = $1', [patient.id])).length === 1) return 'exists';
      const [row] = await tx.query<{ count: number }>(
        'select count(*)::int as count from patients where account_user_id = $1 and account_removed_at is null',
        [patient.accountUserId],
      );
      if ((row?.count ?? 0) >= max) return 'full';
      return (await insertPatient(tx, patient)) ? 'created' : 'exists';
    });
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

  /** A profile the account holds now (not removed from it); no state scope, the account is the key. */
  async findForAccount(id: string, accountUserId: string): Promise<PatientRow | undefined> {
    const [row] = await this.db.query<PatientRow>(
      `select ${COLUMNS} from patients where id = $1 and account_user_id = $2 and account_removed_at is null`,
      [id, accountUserId],
    );
    return row;
  }

  /** Who manages a record, whatever its state: only to tell a retried add from a clash. */
  async accountOf(id: string): Promise<{ accountUserId: string | null } | undefined> {
    const [row] = await this.db.query<{ accountUserId: string | null }>(
      'select account_user_id as "accountUserId" from patients where id = $1',
      [id],
    );
    return row;
  }

  /** Takes a profile off its account, keeping the record; false when the account does not hold it. */
  async removeFromAccount(id: string, accountUserId: string): Promise<boolean> {
    const rows = await this.db.query(
      `update patients set account_removed_at = now(), updated_at = now(), version = version + 1
       where id = $1 and account_user_id = $2 and account_removed_at is null returning id`,
      [id, accountUserId],
    );
    return rows.length === 1;
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

  /** The profiles an account holds now, oldest first; removed ones are left out. */
  listForAccount(accountUserId: string): Promise<PatientRow[]> {
    return this.db.query<PatientRow>(
      `select ${COLUMNS} from patients where account_user_id = $1 and account_removed_at is null order by created_at, id`,
      [accountUserId],
    );
  }

  /**
   * Updates in scope and at the expected version; undefined when either does not hold. An
   * undefined change leaves a field as it is; null clears it.
   */
  update(
    id: string,
    scope: StateScope,
    version: number | undefined,
    changes: Partial<PatientFields>,
  ): Promise<PatientRow | undefined> {
    return this.updateWhere(id, version, changes, (params) => stateScopeCondition(scope, params));
  }

  /** Updates a profile the account holds, at the expected version; undefined when either does not hold. */
  updateForAccount(
    id: string,
    accountUserId: string,
    version: number | undefined,
    changes: Partial<PatientFields>,
  ): Promise<PatientRow | undefined> {
    return this.updateWhere(id, version, changes, (params) => {
      params.push(accountUserId);
      return `account_user_id = $${params.length} and account_removed_at is null`;
    });
  }

  private async updateWhere(
    id: string,
    version: number | undefined,
    changes: Partial<PatientFields>,
    condition: (params: unknown[]) => string,
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
       where id = $1 and ($${versionParam}::int is null or version = $${versionParam}) and ${condition(params)}
       returning ${COLUMNS}`,
      params,
    );
    return row;
  }
}

async function insertPatient(db: Queryable, patient: NewPatientRow): Promise<boolean> {
  const rows = await db.query(
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
