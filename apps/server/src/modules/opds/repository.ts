import type { StateScope } from '../../platform/auth.js';
import type { Database } from '../../platform/db/database.js';
import { stateScopeCondition } from '../../platform/db/sql.js';
import type { OpdSession } from './hours.js';

export interface OpdSettings {
  /** null: a general OPD. */
  specialityCode: string | null;
  dailyCapacity: number;
  waitingRoomSize: number;
  consultationMinutes: number;
  languages: string[];
}

/** An OPD facility with its settings (null until set), hours and count of active OPD doctors. */
export interface OpdRow {
  id: string;
  name: string;
  stateId: string;
  districtId: string;
  active: boolean;
  kind: string;
  timeZone: string;
  settings: (OpdSettings & { specialityName: string | null }) | null;
  hours: OpdSession[];
  activeDoctors: number;
}

export interface OpdSearch {
  stateId: string;
  scope: StateScope;
  specialityCode?: string | undefined;
  limit: number;
  offset: number;
}

interface FlatRow {
  id: string;
  name: string;
  stateId: string;
  districtId: string;
  active: boolean;
  kind: string;
  timeZone: string;
  configured: boolean;
  specialityCode: string | null;
  specialityName: string | null;
  dailyCapacity: number | null;
  waitingRoomSize: number | null;
  consultationMinutes: number | null;
  languages: string[] | null;
  hours: OpdSession[];
  activeDoctors: number;
  total?: number;
}

/** The select list of an OPD: facility, state time zone, settings, hours and doctor count in one row. */
const OPD_SELECT = `select f.id, f.name, f.state_id as "stateId", f.district_id as "districtId", f.active, f.kind,
    st.time_zone as "timeZone", (o.facility_id is not null) as configured,
    o.speciality_code as "specialityCode", sp.name as "specialityName", o.daily_capacity as "dailyCapacity",
    o.waiting_room_size as "waitingRoomSize", o.consultation_minutes as "consultationMinutes", o.languages,
    coalesce((
      select jsonb_agg(jsonb_build_object('weekday', h.weekday, 'opensAt', to_char(h.opens_at, 'HH24:MI'),
        'closesAt', to_char(h.closes_at, 'HH24:MI')) order by h.weekday, h.opens_at)
      from opd_hours h where h.facility_id = f.id
    ), '[]'::jsonb) as hours,
    (select count(distinct r.practitioner_id)::int from practitioner_roles r
      join practitioners p on p.id = r.practitioner_id and p.active
      where r.facility_id = f.id and r.role = 'opd_doctor' and r.active) as "activeDoctors"
  from facilities f
  join states st on st.id = f.state_id`;

function toRow({ configured, specialityCode, specialityName, total: _total, ...row }: FlatRow): OpdRow {
  const { dailyCapacity, waitingRoomSize, consultationMinutes, languages, ...rest } = row;
  return {
    ...rest,
    settings:
      configured && dailyCapacity !== null && waitingRoomSize !== null && consultationMinutes !== null
        ? {
            specialityCode,
            specialityName,
            dailyCapacity,
            waitingRoomSize,
            consultationMinutes,
            languages: languages ?? [],
          }
        : null,
  };
}

export class OpdRepository {
  constructor(private readonly db: Database) {}

  /** The active, configured OPDs of a state, by name; one query. */
  async list(search: OpdSearch): Promise<{ rows: OpdRow[]; total: number }> {
    const params: unknown[] = [search.stateId];
    const where = [
      'f.state_id = $1',
      "f.kind = 'opd'",
      'f.active',
      stateScopeCondition(search.scope, params, 'f.state_id'),
    ];
    if (search.specialityCode !== undefined) {
      params.push(search.specialityCode);
      where.push(`o.speciality_code = $${params.length}`);
    }
    const rows = await this.db.query<FlatRow>(
      `${OPD_SELECT}
       join opd_settings o on o.facility_id = f.id
       left join specialities sp on sp.code = o.speciality_code
       where ${where.join(' and ')}
       order by lower(f.name), f.id
       limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, search.limit, search.offset],
    );
    let total = rows.length + search.offset;
    if (rows.length === search.limit || (rows.length === 0 && search.offset > 0)) {
      const [count] = await this.db.query<{ total: number }>(
        `select count(*)::int as total from facilities f join opd_settings o on o.facility_id = f.id
         where ${where.join(' and ')}`,
        params,
      );
      total = count?.total ?? 0;
    }
    return { rows: rows.map(toRow), total };
  }

  /** A facility of any kind within `scope`, with its OPD settings and hours when it has them. */
  async find(id: string, scope: StateScope): Promise<OpdRow | undefined> {
    const params: unknown[] = [id];
    const [row] = await this.db.query<FlatRow>(
      `${OPD_SELECT}
       left join opd_settings o on o.facility_id = f.id
       left join specialities sp on sp.code = o.speciality_code
       where f.id = $1 and ${stateScopeCondition(scope, params, 'f.state_id')}`,
      params,
    );
    return row === undefined ? undefined : toRow(row);
  }

  async specialityExists(code: string): Promise<boolean> {
    return (await this.db.query('select 1 from specialities where code = $1', [code])).length === 1;
  }

  /** Inserts or replaces the settings; returns whether they were new. */
  async saveSettings(facilityId: string, settings: OpdSettings): Promise<boolean> {
    const [row] = await this.db.query<{ inserted: boolean }>(
      `insert into opd_settings (facility_id, speciality_code, daily_capacity, waiting_room_size, consultation_minutes, languages)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (facility_id) do update set speciality_code = excluded.speciality_code,
         daily_capacity = excluded.daily_capacity, waiting_room_size = excluded.waiting_room_size,
         consultation_minutes = excluded.consultation_minutes, languages = excluded.languages
       returning (xmax = 0) as inserted`,
      [
        facilityId,
        settings.specialityCode,
        settings.dailyCapacity,
        settings.waitingRoomSize,
        settings.consultationMinutes,
        settings.languages,
      ],
    );
    return row?.inserted ?? false;
  }

  /** Replaces the week's sessions atomically; returns how many there were. */
  replaceHours(facilityId: string, sessions: readonly OpdSession[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      const removed = await tx.query('delete from opd_hours where facility_id = $1 returning weekday', [facilityId]);
      if (sessions.length > 0) {
        await tx.query(
          `insert into opd_hours (facility_id, weekday, opens_at, closes_at)
           select $1, weekday, opens_at, closes_at
           from unnest($2::smallint[], $3::time[], $4::time[]) as t(weekday, opens_at, closes_at)`,
          [facilityId, sessions.map((s) => s.weekday), sessions.map((s) => s.opensAt), sessions.map((s) => s.closesAt)],
        );
      }
      return removed.length;
    });
  }
}
