import type { Role } from '@sanjog/shared';
import { assertInScope, scopeFor, type Actor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { badRequest, notFound } from '../../platform/errors.js';
import type { DailyCountRow, StatsRepository } from './repository.js';

/** Who reads a state's figures: those who run the state's service, and the national team. */
export const FIGURE_READERS: readonly Role[] = ['coordinator', 'state_admin', 'national_admin'];
/** A year and a day at most: a longer range is a report, not a chart. */
export const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

interface Counts {
  started: number;
  completed: number;
  notHappened: number;
}

export interface DailyCounts {
  stateId: string;
  timeZone: string;
  from: string;
  to: string;
  days: { day: string; opd: Counts; hubSpoke: Counts }[];
  totals: { opd: Counts; hubSpoke: Counts };
}

/** The state's time zone, as the geography module knows it. */
export interface StateTimeZones {
  state(id: string): Promise<{ timeZone: string } | undefined>;
}

const zero = (): Counts => ({ started: 0, completed: 0, notHappened: 0 });
const add = (into: Counts, row: Counts) => {
  into.started += row.started;
  into.completed += row.completed;
  into.notHappened += row.notHappened;
};

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
function localDate(at: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const shiftDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * Figures for those who oversee the service: a state's consultations per local day, by kind
 * (OPD, hub and spoke) and outcome. Counts only, nothing of any patient.
 */
export class StatsService {
  /**
   * The counts of the range: finished days from what was kept, the others counted now. A day is
   * finished once it is over before yesterday (in the state's time) and nothing of it is still in
   * progress: consultations start "now", so nothing is added to it later.
   */
  private async counts(stateId: string, timeZone: string, from: string, to: string): Promise<DailyCountRow[]> {
    const lastFinishable = shiftDays(localDate(this.clock.now(), timeZone), -2);
    const stored = await this.repository.storedCounts(stateId, from, to < lastFinishable ? to : lastFinishable);
    const storedDays = new Set(stored.map((row) => row.day));
    const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
    const open = Array.from({ length: days }, (_, i) => shiftDays(from, i)).filter((day) => !storedDays.has(day));
    const [first] = open;
    const last = open.at(-1);
    if (first === undefined || last === undefined) return stored;
    // One count over the span of the days not kept (usually yesterday and today).
    const counted = await this.repository.countConsultations(stateId, timeZone, first, last);
    const fresh = counted.filter((row) => !storedDays.has(row.day));
    const finished = open
      .filter((day) => day <= lastFinishable)
      .flatMap((day) => {
        const ofDay = (kind: DailyCountRow['kind']) =>
          fresh.find((row) => row.day === day && row.kind === kind) ?? { day, kind, ...zero() };
        const both = [ofDay('opd'), ofDay('hub_spoke')];
        return both.every((row) => row.started === row.completed + row.notHappened) ? both : [];
      });
    await this.repository.storeCounts(stateId, finished);
    return [...stored, ...fresh];
  }

  constructor(
    private readonly repository: StatsRepository,
    private readonly states: StateTimeZones,
    private readonly clock: Clock,
  ) {}

  async dailyCounts(actor: Actor, stateId: string, range: { from?: string; to?: string }): Promise<DailyCounts> {
    assertInScope(scopeFor(actor.principal, FIGURE_READERS), stateId);
    const state = await this.states.state(stateId);
    if (state === undefined) throw notFound(`State ${stateId}`);
    const to = range.to ?? localDate(this.clock.now(), state.timeZone);
    const from = range.from ?? shiftDays(to, -29);
    const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
    if (days < 1) throw badRequest('from must not be after to', 'from');
    if (days > MAX_DAYS) throw badRequest(`At most ${String(MAX_DAYS)} days at a time`, 'from');

    const rows = await this.counts(stateId, state.timeZone, from, to);
    const byDay = new Map<string, DailyCountRow[]>();
    for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
    const totals = { opd: zero(), hubSpoke: zero() };
    const series = Array.from({ length: days }, (_, index) => {
      const day = shiftDays(from, index);
      const entry = { day, opd: zero(), hubSpoke: zero() };
      for (const row of byDay.get(day) ?? []) add(row.kind === 'opd' ? entry.opd : entry.hubSpoke, row);
      add(totals.opd, entry.opd);
      add(totals.hubSpoke, entry.hubSpoke);
      return entry;
    });
    return { stateId, timeZone: state.timeZone, from, to, days: series, totals };
  }
}
