import type { Database } from '../../platform/db/database.js';

export interface DailyCountRow {
  day: string;
  kind: 'opd' | 'hub_spoke';
  started: number;
  completed: number;
  notHappened: number;
}

export class StatsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Consultations of a state per local day and kind, started from `from` to `to` (local dates,
   * both included). The bounds are turned into instants once, so the state index
   * (state_id, started_at) include (kind, status) answers it with an index-only scan.
   */
  dailyCounts(stateId: string, timeZone: string, from: string, to: string): Promise<DailyCountRow[]> {
    return this.db.query<DailyCountRow>(
      `select to_char((started_at at time zone $2)::date, 'YYYY-MM-DD') as day, kind,
         count(*)::int as started,
         (count(*) filter (where status = 'completed'))::int as completed,
         (count(*) filter (where status = 'not_happened'))::int as "notHappened"
       from consultations
       where state_id = $1
         and started_at >= ($3::date)::timestamp at time zone $2
         and started_at < ($4::date + 1)::timestamp at time zone $2
       group by 1, 2
       order by 1, 2`,
      [stateId, timeZone, from, to],
    );
  }
}
