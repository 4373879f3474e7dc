import type { StateScope } from '../../platform/auth.js';
import type { Database } from '../../platform/db/database.js';
import { stateScopeCondition } from '../../platform/db/sql.js';
import type {
  ConsultationKind,
  ConsultationMode,
  ConsultationRecord,
  ConsultationStatus,
  ConsultationType,
  ConsultationTypeSource,
  NotHappenedReason,
} from './model.js';

export interface ConsultationRow extends ConsultationRecord {
  id: string;
  kind: ConsultationKind;
  stateId: string;
  patientId: string;
  patientName: string;
  practitionerId: string;
  practitionerName: string;
  facilityId: string;
  facilityName: string;
  tokenId: string | null;
  mode: ConsultationMode;
  consultationType: ConsultationType;
  consultationTypeSource: ConsultationTypeSource;
  previousConsultationId: string | null;
  status: ConsultationStatus;
  startedAt: Date;
  endedAt: Date | null;
  notHappenedReason: NotHappenedReason | null;
  notHappenedText: string | null;
  rating: number | null;
  ratingComment: string | null;
  ratedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** The state's time zone (not on the wire). */
  timeZone: string;
  /** The mobile account that manages the patient's profile (not on the wire). */
  patientAccountUserId: string | null;
}

export interface NewConsultationRow {
  id: string;
  kind: ConsultationKind;
  stateId: string;
  patientId: string;
  practitionerId: string;
  facilityId: string;
  tokenId: string | null;
  mode: ConsultationMode;
  consultationType: ConsultationType;
  previousConsultationId: string | null;
  startedAt: Date;
}

/**
 * Who may see which consultations: those of the states in scope, of a treating doctor, or of the
 * profiles an account manages (not those it has removed).
 */
export interface ConsultationAccess {
  scope: StateScope;
  practitionerId: string | null;
  accountUserId: string | null;
}

/** The fields a save or a completion may change. */
export type RecordChanges = Partial<
  ConsultationRecord & { mode: ConsultationMode; consultationType: ConsultationType; consultationTypeSource: 'doctor' }
>;

/** What a start checks: that the patient, doctor and place exist, and where they are. */
export interface StartContext {
  patient: { id: string; stateId: string } | undefined;
  practitioner: { id: string; active: boolean; userId: string | null } | undefined;
  facility: { id: string; stateId: string; kind: string; active: boolean } | undefined;
}

export interface PractitionerRef {
  id: string;
  stateId: string;
  timeZone: string;
}

export interface DayCounts {
  completed: number;
  notHappened: number;
  inProgress: number;
  averageMinutes: number | null;
  totalMinutes: number;
}

const COLUMNS = `c.id, c.kind, c.state_id as "stateId", c.patient_id as "patientId", p.name as "patientName",
  c.practitioner_id as "practitionerId", pr.name as "practitionerName", c.facility_id as "facilityId",
  f.name as "facilityName", c.token_id as "tokenId", c.mode, c.consultation_type as "consultationType",
  c.consultation_type_source as "consultationTypeSource", c.previous_consultation_id as "previousConsultationId",
  c.status, c.started_at as "startedAt", c.ended_at as "endedAt", c.chief_complaints as "chiefComplaints",
  c.complaint_text as "complaintText", c.history, c.examination, c.vitals, c.diagnoses, c.investigations, c.advice,
  c.follow_up as "followUp", c.not_happened_reason as "notHappenedReason", c.not_happened_text as "notHappenedText",
  c.rating, c.rating_comment as "ratingComment", c.rated_at as "ratedAt", c.created_at as "createdAt",
  c.updated_at as "updatedAt", c.version, st.time_zone as "timeZone", p.account_user_id as "patientAccountUserId"`;

/** `c` is a consultations row (the table or a CTE of updated rows). */
const FROM = `c join patients p on p.id = c.patient_id
  join practitioners pr on pr.id = c.practitioner_id
  join facilities f on f.id = c.facility_id
  join states st on st.id = c.state_id`;

/** Record fields and their columns; json ones are sent as text and cast. */
const RECORD_COLUMNS: readonly [keyof RecordChanges, string, boolean][] = [
  ['chiefComplaints', 'chief_complaints', true],
  ['complaintText', 'complaint_text', false],
  ['history', 'history', false],
  ['examination', 'examination', false],
  ['vitals', 'vitals', true],
  ['diagnoses', 'diagnoses', true],
  ['investigations', 'investigations', true],
  ['advice', 'advice', false],
  ['followUp', 'follow_up', true],
  ['mode', 'mode', false],
  ['consultationType', 'consultation_type', false],
  ['consultationTypeSource', 'consultation_type_source', false],
];

function accessCondition(access: ConsultationAccess, params: unknown[]): string {
  const parts = [stateScopeCondition(access.scope, params, 'c.state_id')];
  if (access.practitionerId !== null) {
    params.push(access.practitionerId);
    parts.push(`c.practitioner_id = $${params.length}`);
  }
  if (access.accountUserId !== null) {
    params.push(access.accountUserId);
    parts.push(`(p.account_user_id = $${params.length} and p.account_removed_at is null)`);
  }
  return `(${parts.join(' or ')})`;
}

/** `set` clauses for the record changes given, appending their parameters. */
function recordSets(changes: RecordChanges, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [key, column, json] of RECORD_COLUMNS) {
    const value = changes[key];
    if (value === undefined) continue;
    params.push(json && value !== null ? JSON.stringify(value) : value);
    sets.push(`${column} = $${params.length}${json ? '::jsonb' : ''}`);
  }
  return sets;
}

/**
 * Once a prescription is signed in the consultation, its mode and first or follow-up kind (what the
 * prescribing rules were checked against) stay: a write that changes either matches only without one.
 */
function ruleInputsKept(changes: RecordChanges, params: unknown[]): string[] {
  const same: string[] = [];
  if (changes.mode !== undefined) {
    params.push(changes.mode);
    same.push(`mode = $${params.length}`);
  }
  if (changes.consultationType !== undefined) {
    params.push(changes.consultationType);
    same.push(`consultation_type = $${params.length}`);
  }
  if (same.length === 0) return [];
  return [`((${same.join(' and ')}) or not exists (select 1 from prescriptions rx where rx.consultation_id = $1))`];
}

export class ConsultationRepository {
  constructor(private readonly db: Database) {}

  async startContext(patientId: string, practitionerId: string, facilityId: string): Promise<StartContext> {
    const [patient, practitioner, facility] = await Promise.all([
      this.db.query<{ id: string; stateId: string }>('select id, state_id as "stateId" from patients where id = $1', [
        patientId,
      ]),
      this.db.query<{ id: string; active: boolean; userId: string | null }>(
        'select id, active, user_id as "userId" from practitioners where id = $1',
        [practitionerId],
      ),
      this.db.query<{ id: string; stateId: string; kind: string; active: boolean }>(
        'select id, state_id as "stateId", kind, active from facilities where id = $1',
        [facilityId],
      ),
    ]);
    return { patient: patient[0], practitioner: practitioner[0], facility: facility[0] };
  }

  /** The practitioner record of a signed-in doctor, with their state's time zone. */
  async practitionerForUser(userId: string): Promise<PractitionerRef | undefined> {
    const [row] = await this.db.query<PractitionerRef>(
      `select pr.id, pr.state_id as "stateId", st.time_zone as "timeZone"
       from practitioners pr join states st on st.id = pr.state_id where pr.user_id = $1`,
      [userId],
    );
    return row;
  }

  /**
   * The latest consultation of the patient completed after `since` (and not after `until`) with
   * this doctor or at this facility; one with the same doctor wins.
   */
  async previousCompleted(query: {
    patientId: string;
    practitionerId: string;
    facilityId: string;
    since: Date;
    until: Date;
  }): Promise<string | undefined> {
    const [row] = await this.db.query<{ id: string }>(
      `select id from consultations
       where patient_id = $1 and status = 'completed' and (practitioner_id = $2 or facility_id = $3)
         and ended_at > $4 and ended_at <= $5
       order by (practitioner_id = $2) desc, ended_at desc limit 1`,
      [query.patientId, query.practitionerId, query.facilityId, query.since, query.until],
    );
    return row?.id;
  }

  /**
   * Inserts unless the id exists or the token already has a live or completed consultation;
   * returns whether it was inserted.
   */
  async insert(row: NewConsultationRow): Promise<boolean> {
    const inserted = await this.db.query(
      `insert into consultations (id, kind, state_id, patient_id, practitioner_id, facility_id, token_id, mode,
         consultation_type, consultation_type_source, previous_consultation_id, started_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'auto', $10, $11)
       on conflict do nothing returning id`,
      [
        row.id,
        row.kind,
        row.stateId,
        row.patientId,
        row.practitionerId,
        row.facilityId,
        row.tokenId,
        row.mode,
        row.consultationType,
        row.previousConsultationId,
        row.startedAt,
      ],
    );
    return inserted.length === 1;
  }

  /** Any consultation by id, whatever its state: for the service's own follow-up of a write. */
  async findAny(id: string): Promise<ConsultationRow | undefined> {
    const [row] = await this.db.query<ConsultationRow>(`select ${COLUMNS} from consultations ${FROM} where c.id = $1`, [
      id,
    ]);
    return row;
  }

  /** The live or completed consultation of a queue token. */
  async findByToken(tokenId: string): Promise<ConsultationRow | undefined> {
    const [row] = await this.db.query<ConsultationRow>(
      `select ${COLUMNS} from consultations ${FROM} where c.token_id = $1 and c.status <> 'not_happened'`,
      [tokenId],
    );
    return row;
  }

  async find(id: string, access: ConsultationAccess): Promise<ConsultationRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<ConsultationRow>(
      `select ${COLUMNS} from consultations ${FROM} where c.id = $1 and ${accessCondition(access, params)}`,
      params,
    );
    return row;
  }

  /**
   * Saves record fields of a consultation in progress, by its treating doctor, at the expected
   * version; undefined when any of those does not hold.
   */
  async saveRecord(
    id: string,
    practitionerId: string,
    version: number | null,
    changes: RecordChanges,
  ): Promise<ConsultationRow | undefined> {
    const params: unknown[] = [id, practitionerId, version];
    const sets = recordSets(changes, params);
    return this.updateInProgress(
      params,
      [...sets, 'updated_at = now()', 'version = version + 1'],
      ruleInputsKept(changes, params),
    );
  }

  /** Saves the last changes and completes the consultation; undefined as for `saveRecord`. */
  async complete(
    id: string,
    practitionerId: string,
    version: number | null,
    changes: RecordChanges,
    endedAt: Date,
  ): Promise<ConsultationRow | undefined> {
    const params: unknown[] = [id, practitionerId, version];
    const sets = recordSets(changes, params);
    params.push(endedAt);
    const endedAtParam = params.length;
    return this.updateInProgress(
      params,
      [
        ...sets,
        `status = 'completed'`,
        `ended_at = greatest($${endedAtParam}::timestamptz, started_at)`,
        'updated_at = now()',
        'version = version + 1',
      ],
      ruleInputsKept(changes, params),
    );
  }

  async markNotHappened(
    id: string,
    practitionerId: string,
    reason: NotHappenedReason,
    text: string | null,
    endedAt: Date,
  ): Promise<ConsultationRow | undefined> {
    const params: unknown[] = [id, practitionerId, null, reason, text, endedAt];
    return this.updateInProgress(params, [
      `status = 'not_happened'`,
      'not_happened_reason = $4',
      'not_happened_text = $5',
      'ended_at = greatest($6::timestamptz, started_at)',
      'updated_at = now()',
      'version = version + 1',
    ]);
  }

  /** Whether any prescription (cancelled or not) has been signed in the consultation. */
  async hasPrescription(id: string): Promise<boolean> {
    const rows = await this.db.query('select 1 from prescriptions where consultation_id = $1 limit 1', [id]);
    return rows.length > 0;
  }

  /** `params` starts with the id, the treating doctor and the expected version (or null). */
  private async updateInProgress(
    params: unknown[],
    sets: string[],
    guards: string[] = [],
  ): Promise<ConsultationRow | undefined> {
    const [row] = await this.db.query<ConsultationRow>(
      `with c as (
         update consultations set ${sets.join(', ')}
         where id = $1 and practitioner_id = $2 and status = 'in_progress' and ($3::int is null or version = $3)
           ${guards.map((guard) => `and ${guard}`).join(' ')}
         returning *
       )
       select ${COLUMNS} from ${FROM}`,
      params,
    );
    return row;
  }

  /** Records the patient's rating of a completed consultation, once; undefined if it cannot. */
  async rate(
    id: string,
    accountUserId: string,
    rating: number,
    comment: string | null,
    at: Date,
  ): Promise<ConsultationRow | undefined> {
    const [row] = await this.db.query<ConsultationRow>(
      `with c as (
         update consultations set rating = $3, rating_comment = $4, rated_at = $5, updated_at = now(), version = version + 1
         where id = $1 and status = 'completed' and rating is null
           and patient_id in (select id from patients where account_user_id = $2 and account_removed_at is null)
         returning *
       )
       select ${COLUMNS} from ${FROM}`,
      [id, accountUserId, rating, comment, at],
    );
    return row;
  }

  /** A patient's consultations, newest first, that the caller may see. */
  listForPatient(
    patientId: string,
    access: ConsultationAccess,
    page: { limit: number; offset: number },
  ): Promise<ConsultationRow[]> {
    const params: unknown[] = [patientId];
    const where = accessCondition(access, params);
    params.push(page.limit, page.offset);
    return this.db.query<ConsultationRow>(
      `select ${COLUMNS} from consultations ${FROM} where c.patient_id = $1 and ${where}
       order by c.started_at desc, c.id limit $${params.length - 1} offset $${params.length}`,
      params,
    );
  }

  /** The consultations of every profile an account manages, newest first. */
  listForAccount(accountUserId: string, page: { limit: number; offset: number }): Promise<ConsultationRow[]> {
    return this.db.query<ConsultationRow>(
      `select ${COLUMNS} from consultations ${FROM} where p.account_user_id = $1 and p.account_removed_at is null
       order by c.started_at desc, c.id limit $2 offset $3`,
      [accountUserId, page.limit, page.offset],
    );
  }

  /** What a doctor's consultations started in [from, to) came to. */
  async dayCounts(practitionerId: string, from: Date, to: Date): Promise<DayCounts> {
    const [row] = await this.db.query<DayCounts>(
      `select count(*) filter (where status = 'completed')::int as completed,
         count(*) filter (where status = 'not_happened')::int as "notHappened",
         count(*) filter (where status = 'in_progress')::int as "inProgress",
         (avg(extract(epoch from ended_at - started_at)) filter (where status = 'completed') / 60)::float8 as "averageMinutes",
         coalesce(sum(extract(epoch from ended_at - started_at)) filter (where status = 'completed') / 60, 0)::float8 as "totalMinutes"
       from consultations where practitioner_id = $1 and started_at >= $2 and started_at < $3`,
      [practitionerId, from, to],
    );
    return row ?? { completed: 0, notHappened: 0, inProgress: 0, averageMinutes: null, totalMinutes: 0 };
  }
}
