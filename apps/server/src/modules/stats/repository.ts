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
   * both included), counted now. The bounds are turned into instants once, so the state index
   * (state_id, started_at) include (kind, status) answers it with an index-only scan.
   */
  countConsultations(stateId: string, timeZone: string, from: string, to: string): Promise<DailyCountRow[]> {
    // The local day is worked out on the aggregated rows' dates, not formatted per consultation.
    return this.db.query<DailyCountRow>(
      `select to_char(day, 'YYYY-MM-DD') as day, kind, started, completed, "notHappened"
       from (
         select (started_at at time zone $2)::date as day, kind,
           count(*)::int as started,
           (count(*) filter (where status = 'completed'))::int as completed,
           (count(*) filter (where status = 'not_happened'))::int as "notHappened"
         from consultations
         where state_id = $1
           and started_at >= ($3::date)::timestamp at time zone $2
           and started_at < ($4::date + 1)::timestamp at time zone $2
         group by 1, 2
       ) counted
       order by 1, 2`,
      [stateId, timeZone, from, to],
    );
  }

  /** The stored counts of finished days in the range (both kinds of a day, zeros included). */
  storedCounts(stateId: string, from: string, to: string): Promise<DailyCountRow[]> {
    return this.db.query<DailyCountRow>(
      `select to_char(day, 'YYYY-MM-DD') as day, kind, started, completed, not_happened as "notHappened"
       from consultation_daily_counts where state_id = $1 and day between $2::date and $3::date
       order by day, kind`,
      [stateId, from, to],
    );
  }

  /** Keeps the counts of finished days; a day counted again replaces what was kept. */
  async storeCounts(stateId: string, rows: DailyCountRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `insert into consultation_daily_counts (state_id, day, kind, started, completed, not_happened)
       select $1, d, k, s, c, n
       from unnest($2::date[], $3::text[], $4::int[], $5::int[], $6::int[]) as t(d, k, s, c, n)
       on conflict (state_id, day, kind) do update
         set started = excluded.started, completed = excluded.completed,
           not_happened = excluded.not_happened, computed_at = now()`,
      [
        stateId,
        rows.map((r) => r.day),
        rows.map((r) => r.kind),
        rows.map((r) => r.started),
        rows.map((r) => r.completed),
        rows.map((r) => r.notHappened),
      ],
    );
  }
}
