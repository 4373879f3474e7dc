import { addDays, localParts, minutesOf, zonedInstant } from '../rosters/index.js';

/** One opening session on a weekday, in the state's local time ('HH:MM'; closesAt may be '24:00'). */
export interface OpdSession {
  weekday: number;
  opensAt: string;
  closesAt: string;
}

export interface OpeningStatus {
  openNow: boolean;
  /** The start of the current session, or of the next one when closed; null when there are no hours. */
  opensAt: Date | null;
  /** The end of that session (back-to-back sessions count as one). */
  closesAt: Date | null;
}

/**
 * Whether an OPD is open at `instant`, judged on the local weekday and time of its state, and
 * the current or next session. Sessions do not run past midnight (closesAt is after opensAt),
 * but one closing at 24:00 joins one opening at 00:00 the next day.
 */
export function openingStatus(sessions: readonly OpdSession[], instant: Date, timeZone: string): OpeningStatus {
  if (sessions.length === 0) return { openNow: false, opensAt: null, closesAt: null };
  const now = localParts(instant, timeZone);
  const sessionsOn = (weekday: number) =>
    sessions
      .filter((s) => s.weekday === weekday)
      .map((s) => ({ opens: minutesOf(s.opensAt), closes: minutesOf(s.closesAt) }))
      .sort((a, b) => a.opens - b.opens);

  // Today, the next six days, and today a week on (for a session earlier today than now).
  for (let offset = 0; offset <= 7; offset += 1) {
    const weekday = (now.weekday + offset) % 7;
    for (const session of sessionsOn(weekday)) {
      if (offset === 0 && session.closes <= now.minutes) continue;
      const date = addDays(now.date, offset);
      let dayOffset = 0;
      let closes = session.closes;
      // Join back-to-back sessions, also across midnight, for up to a week.
      for (let step = 0; step < 7 * 24; step += 1) {
        const dayMinutes = closes - dayOffset * 1440;
        const next =
          dayMinutes === 1440
            ? sessionsOn((weekday + dayOffset + 1) % 7).find((s) => s.opens === 0)
            : sessionsOn((weekday + dayOffset) % 7).find((s) => s.opens === dayMinutes);
        if (next === undefined) break;
        if (dayMinutes === 1440) dayOffset += 1;
        closes = dayOffset * 1440 + next.closes;
      }
      return {
        openNow: offset === 0 && session.opens <= now.minutes,
        opensAt: zonedInstant(date, session.opens, timeZone),
        closesAt: zonedInstant(date, closes, timeZone),
      };
    }
  }
  return { openNow: false, opensAt: null, closesAt: null };
}

/** The first session (index) that overlaps an earlier one on the same weekday, or undefined. */
export function overlappingSession(sessions: readonly OpdSession[]): { index: number; other: number } | undefined {
  for (let i = 0; i < sessions.length; i += 1) {
    for (let j = 0; j < i; j += 1) {
      const a = sessions[i];
      const b = sessions[j];
      if (a === undefined || b === undefined || a.weekday !== b.weekday) continue;
      if (minutesOf(a.opensAt) < minutesOf(b.closesAt) && minutesOf(b.opensAt) < minutesOf(a.closesAt)) {
        return { index: i, other: j };
      }
    }
  }
  return undefined;
}
