import type { Database, Queryable } from '../../platform/db/database.js';

export const TOKEN_STATUSES = [
  'booked',
  'waiting',
  'called',
  'in_consultation',
  'completed',
  'not_happened',
  'no_show',
  'lapsed',
  'cancelled',
  'transferred',
  'closed',
] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];
export const PRIORITIES = ['normal', 'emergency', 'elderly', 'pregnant', 'disabled'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type SpecialPriority = Exclude<Priority, 'normal'>;

export interface TokenRow {
  id: string;
  opdId: string;
  stateId: string;
  serviceDate: string;
  tokenNumber: number;
  patientId: string;
  accountUserId: string;
  priority: Priority;
  joinedAt: Date;
  queueAt: Date;
  status: TokenStatus;
  practitionerId: string | null;
  preferredPractitionerId: string | null;
  calledAt: Date | null;
  callDeadline: Date | null;
  missedCalls: number;
  consultationId: string | null;
  transferredTo: string | null;
  outcomeReason: string | null;
  /** A booked token: when its session opens. */
  bookedFor: Date | null;
  carriedFrom: string | null;
  followUpOf: string | null;
  /** A token closed at closing: when the next session opens. */
  nextSessionAt: Date | null;
  updatedAt: Date;
}

const COLUMNS = `id, opd_id as "opdId", state_id as "stateId", service_date as "serviceDate", token_number as "tokenNumber",
  patient_id as "patientId", account_user_id as "accountUserId", priority, joined_at as "joinedAt", queue_at as "queueAt",
  status, practitioner_id as "practitionerId", preferred_practitioner_id as "preferredPractitionerId", called_at as "calledAt",
  call_deadline as "callDeadline", missed_calls as "missedCalls", consultation_id as "consultationId",
  transferred_to as "transferredTo", outcome_reason as "outcomeReason", booked_for as "bookedFor",
  carried_from as "carriedFrom", follow_up_of as "followUpOf", next_session_at as "nextSessionAt", updated_at as "updatedAt"`;

export const LIVE_STATUSES: readonly TokenStatus[] = ['waiting', 'called', 'in_consultation'];

export interface NewToken {
  id: string;
  opdId: string;
  stateId: string;
  serviceDate: string;
  patientId: string;
  accountUserId: string;
  priority: Priority;
  joinedAt: Date;
  queueAt: Date;
  preferredPractitionerId: string | null;
  /** Set for a booking in a later session: the token waits as `booked` until then. */
  booking?: { bookedFor: Date; carriedFrom: string | null; followUpOf: string | null } | undefined;
}

/** What a new token must fit in: the day's capacity, and for a token that waits now the waiting room. */
export interface TokenLimits {
  dailyCapacity: number;
  waitingRoomSize?: number | undefined;
}

export type InsertResult =
  | { kind: 'inserted'; token: TokenRow }
  /** The patient already has a live token (or a booking), or the id was taken. */
  | { kind: 'clash' }
  | { kind: 'full'; limit: 'capacity' | 'waiting_room' };

export class QueueRepository {
  constructor(private readonly db: Database) {}

  async priorityAdvances(stateId: string): Promise<Map<SpecialPriority, number>> {
    const rows = await this.db.query<{ priority: SpecialPriority; advanceMinutes: number }>(
      'select priority, advance_minutes as "advanceMinutes" from queue_priority_rules where state_id = $1',
      [stateId],
    );
    return new Map(rows.map((r) => [r.priority, r.advanceMinutes]));
  }

  async setPriorityAdvances(
    stateId: string,
    advances: { priority: SpecialPriority; advanceMinutes: number }[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('delete from queue_priority_rules where state_id = $1', [stateId]);
      for (const rule of advances) {
        await tx.query('insert into queue_priority_rules (state_id, priority, advance_minutes) values ($1, $2, $3)', [
          stateId,
          rule.priority,
          rule.advanceMinutes,
        ]);
      }
    });
  }

  /**
   * Issues the next number of the day and inserts the token in one transaction, within the
   * limits: the OPD's day counter row is locked first, so that counting the tokens given (and
   * waiting) and inserting the new one is one step for every request on every instance. A clash
   * is a patient who already has a live token (or a booking, when this is one), decided by the
   * unique indexes also across instances.
   */
  insert(token: NewToken, limits: TokenLimits): Promise<InsertResult> {
    return this.db.transaction((tx) => insertWithin(tx, token, limits));
  }

  /**
   * Moves a live token to another OPD in one transaction: the old token is marked transferred
   * (if it is still in one of `from`), the new one inserted within the target's limits, and the
   * old one pointed at it. If any step fails or the target is full, nothing changes: the patient
   * is never left without a token.
   */
  async transfer(
    id: string,
    from: readonly TokenStatus[],
    to: NewToken,
    limits: TokenLimits,
    at: Date,
  ): Promise<
    { kind: 'moved'; old: TokenRow; token: TokenRow } | { kind: 'gone' } | Exclude<InsertResult, { kind: 'inserted' }>
  > {
    try {
      return await this.db.transaction(async (tx) => {
        const [old] = await tx.query<TokenRow>(
          `update opd_tokens set status = 'transferred', call_deadline = null, updated_at = $3
           where id = $1 and status = any($2::text[]) returning ${COLUMNS}`,
          [id, from, at],
        );
        if (old === undefined) return { kind: 'gone' } as const;
        const inserted = await insertWithin(tx, to, limits);
        if (inserted.kind !== 'inserted') throw new Rollback(inserted);
        const token = inserted.token;
        await tx.query('update opd_tokens set transferred_to = $2 where id = $1', [id, token.id]);
        return { kind: 'moved', old: { ...old, transferredTo: token.id }, token } as const;
      });
    } catch (error) {
      if (error instanceof Rollback) return error.result;
      throw error;
    }
  }

  /** The booking made from a closed token, or for a follow-up, if there is one. */
  async findBooking(by: { carriedFrom: string } | { followUpOf: string }): Promise<TokenRow | undefined> {
    const [row] =
      'carriedFrom' in by
        ? await this.db.query<TokenRow>(`select ${COLUMNS} from opd_tokens where carried_from = $1`, [by.carriedFrom])
        : await this.db.query<TokenRow>(`select ${COLUMNS} from opd_tokens where follow_up_of = $1`, [by.followUpOf]);
    return row;
  }

  /** An account's booked tokens, soonest first. */
  bookedForAccount(accountUserId: string): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(
      `select ${COLUMNS} from opd_tokens where account_user_id = $1 and status = 'booked' order by booked_for`,
      [accountUserId],
    );
  }

  /**
   * Booked tokens whose session has opened join the queue at the place they were given. A patient
   * still in another live token waits until it ends (the one-live-token rule holds).
   */
  activateBooked(now: Date, limit: number): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(
      `update opd_tokens set status = 'waiting', updated_at = $1
       where id in (
         select t.id from opd_tokens t
         where t.status = 'booked' and t.booked_for <= $1
           and not exists (select 1 from opd_tokens o where o.patient_id = t.patient_id
                           and o.status in ('waiting', 'called', 'in_consultation'))
         order by t.booked_for limit $2 for update skip locked)
       returning ${COLUMNS}`,
      [now, limit],
    );
  }

  /** Waiting tokens per OPD, for the OPD list. */
  async waitingCounts(opdIds: readonly string[]): Promise<Map<string, number>> {
    if (opdIds.length === 0) return new Map();
    const rows = await this.db.query<{ opdId: string; waiting: number }>(
      `select opd_id as "opdId", count(*)::int as waiting from opd_tokens
       where opd_id = any($1::uuid[]) and status = 'waiting' group by opd_id`,
      [opdIds],
    );
    return new Map(rows.map((r) => [r.opdId, r.waiting]));
  }

  async find(id: string): Promise<TokenRow | undefined> {
    const [row] = await this.db.query<TokenRow>(`select ${COLUMNS} from opd_tokens where id = $1`, [id]);
    return row;
  }

  liveForAccount(accountUserId: string): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(
      `select ${COLUMNS} from opd_tokens where account_user_id = $1 and status in ('waiting', 'called', 'in_consultation')
       order by joined_at`,
      [accountUserId],
    );
  }

  /** How many waiting tokens are ahead of this one (0 = next). */
  async ahead(token: Pick<TokenRow, 'opdId' | 'queueAt' | 'tokenNumber'>): Promise<number> {
    const [row] = await this.db.query<{ ahead: number }>(
      `select count(*)::int as ahead from opd_tokens
       where opd_id = $1 and status = 'waiting' and (queue_at, token_number) < ($2::timestamptz, $3::int)`,
      [token.opdId, token.queueAt, token.tokenNumber],
    );
    return row?.ahead ?? 0;
  }

  waiting(opdId: string, limit: number): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(
      `select ${COLUMNS} from opd_tokens where opd_id = $1 and status = 'waiting' order by queue_at, token_number limit $2`,
      [opdId, limit],
    );
  }

  /** The token a doctor has in hand (called or in consultation), if any. */
  async inHand(practitionerId: string): Promise<TokenRow | undefined> {
    const [row] = await this.db.query<TokenRow>(
      `select ${COLUMNS} from opd_tokens where practitioner_id = $1 and status in ('called', 'in_consultation') limit 1`,
      [practitionerId],
    );
    return row;
  }

  /**
   * Hands the first waiting token to this doctor, in one statement (one round trip, no explicit
   * transaction). `for update skip locked` lets doctors on every instance call at once without
   * waiting for each other, and never gives one token to two. A token waiting for another doctor
   * (a follow-up) is passed over unless it has waited longer than `preferenceExpiresBefore`.
   */
  async claimNext(
    opdId: string,
    practitionerId: string,
    now: Date,
    deadline: Date,
    preferenceExpiresBefore: Date,
  ): Promise<(TokenRow & { patientName: string }) | undefined> {
    const [row] = await this.db.query<TokenRow & { patientName: string }>(
      `with claimed as (
         update opd_tokens set status = 'called', practitioner_id = $2, called_at = $4, call_deadline = $5, updated_at = $4
         where id = (
           select id from opd_tokens
           where opd_id = $1 and status = 'waiting'
             and (preferred_practitioner_id is null or preferred_practitioner_id = $2 or joined_at < $3)
           order by queue_at, token_number
           limit 1 for update skip locked)
         and status = 'waiting'
         returning *)
       select ${COLUMNS}, (select name from patients where id = claimed.patient_id) as "patientName" from claimed`,
      [opdId, practitionerId, preferenceExpiresBefore, now, deadline],
    );
    return row;
  }

  /**
   * The practitioner of a user who is an active OPD doctor of this OPD, with the token they hold
   * (called or in consultation), in one query; undefined when they are not a doctor here.
   */
  async doctorAt(
    userId: string,
    opdId: string,
  ): Promise<{ practitionerId: string; held: { id: string; tokenNumber: number } | null } | undefined> {
    const [row] = await this.db.query<{ practitionerId: string; heldId: string | null; heldNumber: number | null }>(
      `select p.id as "practitionerId", h.id as "heldId", h.token_number as "heldNumber"
       from practitioners p
       join practitioner_roles r on r.practitioner_id = p.id and r.facility_id = $2 and r.role = 'opd_doctor' and r.active
       left join lateral (
         select id, token_number from opd_tokens
         where practitioner_id = p.id and status in ('called', 'in_consultation') limit 1) h on true
       where p.user_id = $1
       limit 1`,
      [userId, opdId],
    );
    if (row === undefined) return undefined;
    return {
      practitionerId: row.practitionerId,
      held: row.heldId === null ? null : { id: row.heldId, tokenNumber: row.heldNumber ?? 0 },
    };
  }

  /** Moves a token from one of `from` to `to`, setting fields; undefined when it was not in `from`. */
  async transition(
    id: string,
    from: readonly TokenStatus[],
    to: TokenStatus,
    at: Date,
    set: Partial<{
      practitionerId: string | null;
      calledAt: Date | null;
      callDeadline: Date | null;
      consultationId: string;
      outcomeReason: string | null;
      queueAt: Date;
      priority: Priority;
      transferredTo: string;
      missedCalls: number;
      nextSessionAt: Date | null;
    }> = {},
    /** Only when no doctor holds the token, or this one does. */
    guard: { heldByNoneOr?: string } = {},
  ): Promise<(TokenRow & { patientName: string }) | undefined> {
    const columns: Record<string, string> = {
      practitionerId: 'practitioner_id',
      calledAt: 'called_at',
      callDeadline: 'call_deadline',
      consultationId: 'consultation_id',
      outcomeReason: 'outcome_reason',
      queueAt: 'queue_at',
      priority: 'priority',
      transferredTo: 'transferred_to',
      missedCalls: 'missed_calls',
      nextSessionAt: 'next_session_at',
    };
    const params: unknown[] = [id, from, to, at];
    const sets = ['status = $3', 'updated_at = $4'];
    for (const [key, value] of Object.entries(set)) {
      params.push(value);
      sets.push(`${columns[key] ?? key} = $${params.length}`);
    }
    let where = 'id = $1 and status = any($2::text[])';
    if (guard.heldByNoneOr !== undefined) {
      params.push(guard.heldByNoneOr);
      where += ` and (practitioner_id is null or practitioner_id = $${params.length})`;
    }
    // The patient's name comes back with the change: the answer names them, without another query.
    const [row] = await this.db.query<TokenRow & { patientName: string }>(
      `with changed as (
         update opd_tokens set ${sets.join(', ')} where ${where} returning *)
       select ${COLUMNS}, (select name from patients where id = changed.patient_id) as "patientName" from changed`,
      params,
    );
    return row;
  }

  /**
   * Puts a called token back in the queue just behind the first one waiting, so that the next
   * call hands out someone else and the one after calls this patient; never ahead of their own
   * place. One statement, so a call made meanwhile cannot be overtaken twice.
   */
  async skip(id: string, at: Date): Promise<(TokenRow & { patientName: string }) | undefined> {
    const [row] = await this.db.query<TokenRow & { patientName: string }>(
      `with changed as (
         update opd_tokens t set status = 'waiting', practitioner_id = null, called_at = null, call_deadline = null,
           updated_at = $2,
           queue_at = greatest(t.queue_at, coalesce(
             (select n.queue_at + interval '1 millisecond' from opd_tokens n
              where n.opd_id = t.opd_id and n.status = 'waiting' order by n.queue_at, n.token_number limit 1),
             t.queue_at))
         where t.id = $1 and t.status = 'called' returning t.*)
       select ${COLUMNS}, (select name from patients where id = changed.patient_id) as "patientName" from changed`,
      [id, at],
    );
    return row;
  }

  /** Calls whose window has passed. */
  expiredCalls(now: Date, limit: number): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(
      `select ${COLUMNS} from opd_tokens where status = 'called' and call_deadline < $1 order by call_deadline limit $2`,
      [now, limit],
    );
  }

  async opdsWithWaiting(): Promise<string[]> {
    const rows = await this.db.query<{ opdId: string }>(
      `select distinct opd_id as "opdId" from opd_tokens where status = 'waiting'`,
    );
    return rows.map((r) => r.opdId);
  }

  /** Closes every waiting token of an OPD (the session ended), noting the next session; returns them. */
  closeWaiting(opdId: string, at: Date, reason: string, nextSessionAt: Date | null): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(
      `update opd_tokens set status = 'closed', outcome_reason = $3, next_session_at = $4, updated_at = $2
       where opd_id = $1 and status = 'waiting' returning ${COLUMNS}`,
      [opdId, at, reason, nextSessionAt],
    );
  }

  /** The front of the queue, for re-offering a missed call: just before the first waiting token. */
  async frontOf(opdId: string): Promise<Date | undefined> {
    const [row] = await this.db.query<{ first: Date | null }>(
      `select min(queue_at) as first from opd_tokens where opd_id = $1 and status = 'waiting'`,
      [opdId],
    );
    return row?.first ?? undefined;
  }

  /** Patients a doctor marked as not come between two instants. */
  async noShowCount(practitionerId: string, from: Date, to: Date): Promise<number> {
    const [row] = await this.db.query<{ count: number }>(
      `select count(*)::int as count from opd_tokens
       where practitioner_id = $1 and status = 'no_show' and updated_at >= $2 and updated_at < $3`,
      [practitionerId, from, to],
    );
    return row?.count ?? 0;
  }

  /** A doctor's tokens of a local day, by outcome, for the day summary. */
  async dayCounts(practitionerId: string, serviceDate: string): Promise<Record<string, number>> {
    const rows = await this.db.query<{ status: string; count: number }>(
      `select status, count(*)::int as count from opd_tokens where practitioner_id = $1 and service_date = $2 group by status`,
      [practitionerId, serviceDate],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.count]));
  }

  /** The waiting tokens of several OPDs with their places, in one query (for live positions). */
  waitingOrders(
    opdIds: readonly string[],
  ): Promise<{ opdId: string; id: string; accountUserId: string; ahead: number }[]> {
    if (opdIds.length === 0) return Promise.resolve([]);
    return this.db.query(
      `select opd_id as "opdId", id, account_user_id as "accountUserId",
         (row_number() over (partition by opd_id order by queue_at, token_number) - 1)::int as ahead
       from opd_tokens where opd_id = any($1::uuid[]) and status = 'waiting'`,
      [opdIds],
    );
  }

  async patientNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; name: string }>(
      'select id, name from patients where id = any($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}

/** Ends a transfer's transaction without its changes, answering `result`. */
class Rollback extends Error {
  constructor(readonly result: Exclude<InsertResult, { kind: 'inserted' }>) {
    super('rolled back');
  }
}

/** See QueueRepository.insert: the steps, inside a transaction the caller holds. */
async function insertWithin(tx: Queryable, token: NewToken, limits: TokenLimits): Promise<InsertResult> {
  const clash = await tx.query<{ id: string }>(
    token.booking === undefined
      ? `select id from opd_tokens where patient_id = $1 and status in ('waiting', 'called', 'in_consultation') for update`
      : `select id from opd_tokens where patient_id = $1 and status = 'booked' for update`,
    [token.patientId],
  );
  if (clash.length > 0) return { kind: 'clash' };
  // Locks the OPD's day (the no-op update takes the row lock, also when the row is new).
  await tx.query(
    `insert into opd_token_counters (opd_id, service_date, last_number) values ($1, $2, 0)
     on conflict (opd_id, service_date) do update set last_number = opd_token_counters.last_number`,
    [token.opdId, token.serviceDate],
  );
  const [counts] = await tx.query<{ issued: number; waiting: number }>(
    `select count(*) filter (where status <> 'cancelled')::int as issued,
       count(*) filter (where status = 'waiting')::int as waiting
     from opd_tokens where opd_id = $1 and service_date = $2`,
    [token.opdId, token.serviceDate],
  );
  if ((counts?.issued ?? 0) >= limits.dailyCapacity) return { kind: 'full', limit: 'capacity' };
  if (limits.waitingRoomSize !== undefined && (counts?.waiting ?? 0) >= limits.waitingRoomSize)
    return { kind: 'full', limit: 'waiting_room' };
  const [counter] = await tx.query<{ number: number }>(
    `update opd_token_counters set last_number = last_number + 1 where opd_id = $1 and service_date = $2
     returning last_number as number`,
    [token.opdId, token.serviceDate],
  );
  const [row] = await tx.query<TokenRow>(
    `insert into opd_tokens (id, opd_id, state_id, service_date, token_number, patient_id, account_user_id, priority,
       joined_at, queue_at, status, preferred_practitioner_id, booked_for, carried_from, follow_up_of)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $11, $13, $14, $15)
     on conflict do nothing returning ${COLUMNS}`,
    [
      token.id,
      token.opdId,
      token.stateId,
      token.serviceDate,
      counter?.number ?? 1,
      token.patientId,
      token.accountUserId,
      token.priority,
      token.joinedAt,
      token.queueAt,
      token.preferredPractitionerId,
      token.booking === undefined ? 'waiting' : 'booked',
      token.booking?.bookedFor ?? null,
      token.booking?.carriedFrom ?? null,
      token.booking?.followUpOf ?? null,
    ],
  );
  return row === undefined ? { kind: 'clash' } : { kind: 'inserted', token: row };
}
