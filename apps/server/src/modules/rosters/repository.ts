import type { StateScope } from '../../platform/auth.js';
import type { Database } from '../../platform/db/database.js';
import { stateScopeCondition } from '../../platform/db/sql.js';
import type { WeeklyShift } from './schedule.js';

export const AVAILABILITY_STATUSES = ['available', 'break', 'off_shift'] as const;
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];
export type ExceptionKind = 'leave' | 'holiday';

/** What the rosters need to know of a practitioner. */
export interface PractitionerRef {
  id: string;
  stateId: string;
  userId: string | null;
  name: string;
  active: boolean;
  timeZone: string;
}

export interface FacilityRef {
  id: string;
  stateId: string;
  kind: string;
  active: boolean;
}

export interface ShiftRow extends WeeklyShift {
  id: string;
  practitionerId: string;
  facilityId: string;
  stateId: string;
}

export type NewShift = WeeklyShift & { id: string };

export interface ExceptionRow {
  id: string;
  stateId: string;
  practitionerId: string | null;
  onDate: string;
  kind: ExceptionKind;
  note: string | null;
}

export interface ExceptionQuery {
  scope: StateScope;
  stateId?: string | undefined;
  /** Leave of this practitioner plus the holidays of `stateId`. */
  practitionerId?: string | undefined;
  kind?: ExceptionKind | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

export interface AvailabilityRow {
  status: AvailabilityStatus;
  changedAt: Date;
}

/** A shift of a practitioner who works at one of the facilities asked about, with what decides their status. */
export interface RosterLine extends ShiftRow {
  timeZone: string;
  setStatus: AvailabilityStatus | null;
  setAt: Date | null;
  /** Whether this shift is at one of the facilities asked about (the others still join up stretches). */
  atAskedFacility: boolean;
}

const SHIFT_COLUMNS = `s.id, s.practitioner_id as "practitionerId", s.facility_id as "facilityId", s.state_id as "stateId",
  s.weekday, to_char(s.starts_at, 'HH24:MI') as "startsAt", to_char(s.ends_at, 'HH24:MI') as "endsAt",
  s.valid_from as "validFrom", s.valid_to as "validTo"`;

const EXCEPTION_COLUMNS = `id, state_id as "stateId", practitioner_id as "practitionerId", on_date as "onDate", kind, note`;

const PRACTITIONER_COLUMNS = `p.id, p.state_id as "stateId", p.user_id as "userId", p.name, p.active, st.time_zone as "timeZone"`;

export class RosterRepository {
  constructor(private readonly db: Database) {}

  /** A practitioner within `scope`, or (when `selfUserId` is given) the caller's own record. */
  async findPractitioner(id: string, scope: StateScope, selfUserId?: string): Promise<PractitionerRef | undefined> {
    const params: unknown[] = [id];
    let condition = stateScopeCondition(scope, params, 'p.state_id');
    if (selfUserId !== undefined) {
      params.push(selfUserId);
      condition = `(${condition} or p.user_id = $${params.length})`;
    }
    const [row] = await this.db.query<PractitionerRef>(
      `select ${PRACTITIONER_COLUMNS} from practitioners p join states st on st.id = p.state_id
       where p.id = $1 and ${condition}`,
      params,
    );
    return row;
  }

  async findPractitionerByUser(userId: string): Promise<PractitionerRef | undefined> {
    const [row] = await this.db.query<PractitionerRef>(
      `select ${PRACTITIONER_COLUMNS} from practitioners p join states st on st.id = p.state_id where p.user_id = $1`,
      [userId],
    );
    return row;
  }

  async findFacility(id: string): Promise<FacilityRef | undefined> {
    const [row] = await this.db.query<FacilityRef>(
      'select id, state_id as "stateId", kind, active from facilities where id = $1',
      [id],
    );
    return row;
  }

  async stateExists(id: string): Promise<boolean> {
    return (await this.db.query('select 1 from states where id = $1', [id])).length === 1;
  }

  listShifts(practitionerId: string, facilityId?: string): Promise<ShiftRow[]> {
    return this.db.query<ShiftRow>(
      `select ${SHIFT_COLUMNS} from shifts s
       where s.practitioner_id = $1 and ($2::uuid is null or s.facility_id = $2)
       order by s.facility_id, s.weekday, s.starts_at, s.valid_from nulls first`,
      [practitionerId, facilityId ?? null],
    );
  }

  /** Replaces all shifts of a practitioner at one facility, atomically; returns how many there were. */
  replaceShifts(
    practitionerId: string,
    facilityId: string,
    stateId: string,
    shifts: readonly NewShift[],
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const removed = await tx.query(
        'delete from shifts where practitioner_id = $1 and facility_id = $2 returning id',
        [practitionerId, facilityId],
      );
      if (shifts.length > 0) {
        await tx.query(
          `insert into shifts (id, practitioner_id, facility_id, state_id, weekday, starts_at, ends_at, valid_from, valid_to)
           select id, $1, $2, $3, weekday, starts_at, ends_at, valid_from, valid_to
           from unnest($4::uuid[], $5::smallint[], $6::time[], $7::time[], $8::date[], $9::date[])
             as t(id, weekday, starts_at, ends_at, valid_from, valid_to)`,
          [
            practitionerId,
            facilityId,
            stateId,
            shifts.map((s) => s.id),
            shifts.map((s) => s.weekday),
            shifts.map((s) => s.startsAt),
            shifts.map((s) => s.endsAt),
            shifts.map((s) => s.validFrom),
            shifts.map((s) => s.validTo),
          ],
        );
      }
      return removed.length;
    });
  }

  async findShift(id: string, scope: StateScope): Promise<ShiftRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<ShiftRow>(
      `select ${SHIFT_COLUMNS} from shifts s where s.id = $1 and ${stateScopeCondition(scope, params, 's.state_id')}`,
      params,
    );
    return row;
  }

  async deleteShift(id: string): Promise<boolean> {
    return (await this.db.query('delete from shifts where id = $1 returning id', [id])).length === 1;
  }

  listExceptions(query: ExceptionQuery): Promise<ExceptionRow[]> {
    const params: unknown[] = [];
    const where = [stateScopeCondition(query.scope, params)];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (query.practitionerId !== undefined) {
      params.push(query.practitionerId, query.stateId ?? null);
      where.push(
        `(practitioner_id = $${params.length - 1} or (kind = 'holiday' and state_id = $${params.length}::text))`,
      );
    } else if (query.stateId !== undefined) {
      add((n) => `state_id = $${n}`, query.stateId);
    }
    if (query.kind !== undefined) add((n) => `kind = $${n}`, query.kind);
    if (query.from !== undefined) add((n) => `on_date >= $${n}::date`, query.from);
    if (query.to !== undefined) add((n) => `on_date <= $${n}::date`, query.to);
    params.push(query.limit);
    return this.db.query<ExceptionRow>(
      `select ${EXCEPTION_COLUMNS} from roster_exceptions where ${where.join(' and ')}
       order by on_date, kind, id limit $${params.length}`,
      params,
    );
  }

  async findException(id: string, scope: StateScope): Promise<ExceptionRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<ExceptionRow>(
      `select ${EXCEPTION_COLUMNS} from roster_exceptions where id = $1 and ${stateScopeCondition(scope, params)}`,
      params,
    );
    return row;
  }

  /** The same leave or holiday already recorded (another id), if any. */
  async findSameException(exception: Omit<ExceptionRow, 'id' | 'note'>): Promise<ExceptionRow | undefined> {
    const [row] = await this.db.query<ExceptionRow>(
      `select ${EXCEPTION_COLUMNS} from roster_exceptions
       where kind = $1 and state_id = $2 and practitioner_id is not distinct from $3::uuid and on_date = $4::date`,
      [exception.kind, exception.stateId, exception.practitionerId, exception.onDate],
    );
    return row;
  }

  /** Inserts unless the id exists; returns whether it was inserted. */
  async insertException(exception: ExceptionRow): Promise<boolean> {
    const rows = await this.db.query(
      `insert into roster_exceptions (id, state_id, practitioner_id, on_date, kind, note)
       values ($1, $2, $3, $4, $5, $6) on conflict (id) do nothing returning id`,
      [exception.id, exception.stateId, exception.practitionerId, exception.onDate, exception.kind, exception.note],
    );
    return rows.length === 1;
  }

  async deleteException(id: string): Promise<boolean> {
    return (await this.db.query('delete from roster_exceptions where id = $1 returning id', [id])).length === 1;
  }

  /**
   * The days off between two local dates for some practitioners: their leave, and the holidays
   * of the states given. One query for any number of practitioners.
   */
  daysOff(
    practitionerIds: readonly string[],
    stateIds: readonly string[],
    from: string,
    to: string,
  ): Promise<ExceptionRow[]> {
    if (practitionerIds.length === 0 && stateIds.length === 0) return Promise.resolve([]);
    return this.db.query<ExceptionRow>(
      `select ${EXCEPTION_COLUMNS} from roster_exceptions
       where on_date between $1::date and $2::date
         and ((kind = 'leave' and practitioner_id = any($3::uuid[])) or (kind = 'holiday' and state_id = any($4::text[])))`,
      [from, to, practitionerIds, stateIds],
    );
  }

  async availability(practitionerId: string): Promise<AvailabilityRow | undefined> {
    const [row] = await this.db.query<AvailabilityRow>(
      'select status, changed_at as "changedAt" from practitioner_availability where practitioner_id = $1',
      [practitionerId],
    );
    return row;
  }

  async setAvailability(practitionerId: string, status: AvailabilityStatus, at: Date): Promise<void> {
    await this.db.query(
      `insert into practitioner_availability (practitioner_id, status, changed_at) values ($1, $2, $3)
       on conflict (practitioner_id) do update set status = excluded.status, changed_at = excluded.changed_at`,
      [practitionerId, status, at],
    );
  }

  /**
   * Every shift of the active practitioners who have a shift at one of `facilityIds` and an
   * active role there (of `role`, when given), with their time zone and the status they set.
   * One query, however many facilities and practitioners.
   */
  rosterLines(facilityIds: readonly string[], role?: string): Promise<RosterLine[]> {
    if (facilityIds.length === 0) return Promise.resolve([]);
    return this.db.query<RosterLine>(
      `with staffed as (
         select distinct s.practitioner_id
         from shifts s
         join practitioner_roles r on r.practitioner_id = s.practitioner_id and r.facility_id = s.facility_id and r.active
           and ($2::text is null or r.role = $2)
         where s.facility_id = any($1::uuid[])
       )
       select ${SHIFT_COLUMNS}, st.time_zone as "timeZone", a.status as "setStatus", a.changed_at as "setAt",
         (s.facility_id = any($1::uuid[]) and exists (
           select 1 from practitioner_roles r
           where r.practitioner_id = s.practitioner_id and r.facility_id = s.facility_id and r.active
             and ($2::text is null or r.role = $2)
         )) as "atAskedFacility"
       from staffed
       join practitioners p on p.id = staffed.practitioner_id and p.active
       join shifts s on s.practitioner_id = p.id
       join states st on st.id = s.state_id
       left join practitioner_availability a on a.practitioner_id = p.id`,
      [facilityIds, role ?? null],
    );
  }
}
