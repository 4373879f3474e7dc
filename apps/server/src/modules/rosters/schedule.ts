/**
 * Weekly rosters in a state's local time, computed without a date library: `Intl.DateTimeFormat`
 * tells the wall clock of an instant in a time zone, and that is all the time zone logic needs.
 * Everything here is pure: no clock, no database.
 *
 * Times of day travel as 'HH:MM' (or 'HH:MM:SS'); dates as 'YYYY-MM-DD' local dates; weekdays
 * as 0 = Sunday … 6 = Saturday, the local weekday.
 */

export interface LocalParts {
  /** The local date, 'YYYY-MM-DD'. */
  date: string;
  /** The local weekday, 0 = Sunday. */
  weekday: number;
  /** Whole minutes since local midnight, 0–1439. */
  minutes: number;
}

/** A weekly shift: `endsAt` at or before `startsAt` runs past midnight into the next day. */
export interface WeeklyShift {
  weekday: number;
  startsAt: string;
  endsAt: string;
  validFrom: string | null;
  validTo: string | null;
}

/** A local date on which shifts do not happen (the practitioner's leave, or a holiday of the state). */
export interface DayOff {
  onDate: string;
}

/** One occurrence of a weekly shift: the local date it started on and its bounds as instants. */
export interface ShiftOccurrence<S extends WeeklyShift = WeeklyShift> {
  shift: S;
  date: string;
  start: Date;
  end: Date;
}

const MINUTES_PER_DAY = 24 * 60;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type in wall) wall[part.type as keyof WallClock] = Number(part.value);
  }
  // Some engines write midnight as 24 even with h23.
  if (wall.hour === 24) wall.hour = 0;
  return wall;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function dateOf(epochDayMs: number): string {
  const d = new Date(epochDayMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function parseDate(date: string): [number, number, number] {
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  return [year, month, day];
}

/**
 * `Intl` formatting costs microseconds per call and rosters ask the same questions over and over
 * (the same shift starts for every doctor, the same minute for every request), so answers are
 * remembered. Both functions are pure; the memos are bounded and simply start again when full.
 */
const MEMO_LIMIT = 50_000;
const localPartsMemo = new Map<string, LocalParts>();
const zonedInstantMemo = new Map<string, number>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/** The wall clock of `instant` in `timeZone`: local date, local weekday and minutes since local midnight. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  // Every zone in use today is offset by whole minutes, so the answer is the same all minute long.
  const key = `${timeZone}|${String(Math.floor(instant.getTime() / 60_000))}`;
  const known = localPartsMemo.get(key);
  if (known !== undefined) return { ...known };
  const wall = wallClock(instant, timeZone);
  const parts = {
    date: `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`,
    weekday: new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay(),
    minutes: wall.hour * 60 + wall.minute,
  };
  return { ...remember(localPartsMemo, key, parts) };
}

/** A local date moved by whole days. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = parseDate(date);
  return dateOf(Date.UTC(year, month - 1, day + days));
}

/** The weekday of a local date, 0 = Sunday. */
export function weekdayOf(date: string): number {
  const [year, month, day] = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

const minutesMemo = new Map<string, number>();

/** 'HH:MM' or 'HH:MM:SS' → minutes since midnight ('24:00' → 1440). */
export function minutesOf(time: string): number {
  const known = minutesMemo.get(time);
  if (known !== undefined) return known;
  const [hours = NaN, minutes = NaN] = time.split(':').map(Number);
  return remember(minutesMemo, time, hours * 60 + minutes);
}

/** How far the zone's wall clock is ahead of UTC at `epochMs`, in milliseconds. */
function offsetAt(epochMs: number, timeZone: string): number {
  const wall = wallClock(new Date(epochMs), timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant at which the wall clock of `timeZone` shows `minutes` after midnight of the local
 * `date` (minutes may reach 1440 or more: the next day). As Temporal's 'compatible' rule: a wall
 * time shown twice (clocks going back) gives the earlier instant; one never shown (clocks going
 * forward) is read with the offset from before the jump, so 02:30 in a 02:00→03:00 gap is 03:30.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): Date {
  const key = `${timeZone}|${date}|${String(minutes)}`;
  const known = zonedInstantMemo.get(key);
  if (known !== undefined) return new Date(known);
  return new Date(remember(zonedInstantMemo, key, computeZonedInstant(date, minutes, timeZone)));
}

function computeZonedInstant(date: string, minutes: number, timeZone: string): number {
  const [year, month, day] = parseDate(date);
  const wallAsUtc = Date.UTC(year, month - 1, day, 0, minutes);
  // The offset a day either side brackets any transition near this wall time.
  const offsets = new Set([
    offsetAt(wallAsUtc - MINUTES_PER_DAY * 60_000, timeZone),
    offsetAt(wallAsUtc, timeZone),
    offsetAt(wallAsUtc + MINUTES_PER_DAY * 60_000, timeZone),
  ]);
  const candidates = [...offsets].map((offset) => wallAsUtc - offset);
  const exact = candidates.filter((instant) => offsetAt(instant, timeZone) === wallAsUtc - instant);
  return exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
}

/** Whether a shift happens on the local date it would start on: its validity and the days off. */
function happensOn(shift: WeeklyShift, date: string, daysOff: readonly DayOff[]): boolean {
  if (shift.validFrom !== null && date < shift.validFrom) return false;
  if (shift.validTo !== null && date > shift.validTo) return false;
  return !daysOff.some((off) => off.onDate === date);
}

function occurrence<S extends WeeklyShift>(shift: S, date: string, timeZone: string): ShiftOccurrence<S> {
  const start = minutesOf(shift.startsAt);
  let end = minutesOf(shift.endsAt);
  if (end <= start) end += MINUTES_PER_DAY;
  return { shift, date, start: zonedInstant(date, start, timeZone), end: zonedInstant(date, end, timeZone) };
}

/**
 * The shifts that cover `instant`, each with the local date it started on.
 *
 * A shift belongs to the day it starts: a Saturday 22:00–06:00 shift covers Sunday 03:00, and
 * its validity and days off are judged on Saturday's date. So leave or a holiday on Saturday
 * cancels the whole shift, including the part after midnight, while a holiday on Sunday leaves
 * it alone (Sunday's own shifts are the ones cancelled).
 */
export function coveringShifts<S extends WeeklyShift>(
  shifts: readonly S[],
  daysOff: readonly DayOff[],
  instant: Date,
  timeZone: string,
): ShiftOccurrence<S>[] {
  const now = localParts(instant, timeZone);
  const yesterday = addDays(now.date, -1);
  const yesterdayWeekday = (now.weekday + 6) % 7;
  const found: ShiftOccurrence<S>[] = [];
  for (const shift of shifts) {
    const start = minutesOf(shift.startsAt);
    const end = minutesOf(shift.endsAt);
    const overnight = end <= start;
    if (
      shift.weekday === now.weekday &&
      now.minutes >= start &&
      (overnight || now.minutes < end) &&
      happensOn(shift, now.date, daysOff)
    ) {
      found.push(occurrence(shift, now.date, timeZone));
    } else if (
      overnight &&
      shift.weekday === yesterdayWeekday &&
      now.minutes < end &&
      happensOn(shift, yesterday, daysOff)
    ) {
      found.push(occurrence(shift, yesterday, timeZone));
    }
  }
  return found;
}

/** Whether the roster has the practitioner on shift at `instant` (see `coveringShifts`). */
export function isOnShift(
  shifts: readonly WeeklyShift[],
  daysOff: readonly DayOff[],
  instant: Date,
  timeZone: string,
): boolean {
  return coveringShifts(shifts, daysOff, instant, timeZone).length > 0;
}

/**
 * The stretch of shifts that covers `instant`: back-to-back shifts (say 08:00–14:00 then
 * 14:00–20:00) make one stretch. Undefined when off shift.
 */
export function shiftStretch(
  shifts: readonly WeeklyShift[],
  daysOff: readonly DayOff[],
  instant: Date,
  timeZone: string,
): { start: Date; end: Date } | undefined {
  const covering = coveringShifts(shifts, daysOff, instant, timeZone);
  if (covering.length === 0) return undefined;
  let start = Math.min(...covering.map((o) => o.start.getTime()));
  let end = Math.max(...covering.map((o) => o.end.getTime()));
  // A week of back-to-back shifts at most; a roster that never ends would otherwise loop.
  for (let step = 0; step < 21; step += 1) {
    const next = coveringShifts(shifts, daysOff, new Date(end), timeZone);
    const later = Math.max(end, ...next.map((o) => o.end.getTime()));
    if (later === end) break;
    end = later;
  }
  for (let step = 0; step < 21; step += 1) {
    const previous = coveringShifts(shifts, daysOff, new Date(start - 60_000), timeZone);
    const earlier = Math.min(start, ...previous.map((o) => o.start.getTime()));
    if (earlier === start) break;
    start = earlier;
  }
  return { start: new Date(start), end: new Date(end) };
}

/**
 * The first pair of shifts (indexes) that overlap in the week while their validity overlaps too,
 * or undefined. A shift past midnight on Saturday runs into Sunday of the next week.
 */
export function findOverlap(shifts: readonly WeeklyShift[]): [number, number] | undefined {
  const week = 7 * MINUTES_PER_DAY;
  const spans = shifts.map((shift) => {
    const start = shift.weekday * MINUTES_PER_DAY + minutesOf(shift.startsAt);
    let end = shift.weekday * MINUTES_PER_DAY + minutesOf(shift.endsAt);
    if (end <= start) end += MINUTES_PER_DAY;
    return { start, end, from: shift.validFrom ?? '0000-00-00', to: shift.validTo ?? '9999-99-99' };
  });
  for (let i = 0; i < spans.length; i += 1) {
    for (let j = i + 1; j < spans.length; j += 1) {
      const a = spans[i];
      const b = spans[j];
      if (a === undefined || b === undefined) continue;
      if (a.from > b.to || b.from > a.to) continue;
      for (const shift of [-week, 0, week]) {
        if (a.start < b.end + shift && b.start + shift < a.end) return [i, j];
      }
    }
  }
  return undefined;
}
