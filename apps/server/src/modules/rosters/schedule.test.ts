import { describe, expect, it } from 'vitest';
import {
  addDays,
  coveringShifts,
  findOverlap,
  isOnShift,
  localParts,
  shiftStretch,
  weekdayOf,
  zonedInstant,
  type WeeklyShift,
} from './schedule.js';

const IST = 'Asia/Kolkata';
const at = (iso: string) => new Date(iso);
const shift = (weekday: number, startsAt: string, endsAt: string, valid: Partial<WeeklyShift> = {}): WeeklyShift => ({
  weekday,
  startsAt,
  endsAt,
  validFrom: null,
  validTo: null,
  ...valid,
});

// 2026-11-21 is a Saturday, 2026-11-22 a Sunday.
const SATURDAY = 6;
const SUNDAY = 0;
const MONDAY = 1;

describe('localParts', () => {
  it('moves to the next local date at local midnight, not UTC midnight (18:29 vs 18:31 UTC in India)', () => {
    expect(localParts(at('2026-11-21T18:29:00Z'), IST)).toEqual({
      date: '2026-11-21',
      weekday: SATURDAY,
      minutes: 1439,
    });
    expect(localParts(at('2026-11-21T18:31:00Z'), IST)).toEqual({ date: '2026-11-22', weekday: SUNDAY, minutes: 1 });
    expect(localParts(at('2026-11-21T18:30:00Z'), IST)).toEqual({ date: '2026-11-22', weekday: SUNDAY, minutes: 0 });
  });

  it('uses the zone given, including ones behind UTC and ones with daylight saving', () => {
    expect(localParts(at('2026-11-22T03:00:00Z'), 'America/New_York')).toEqual({
      date: '2026-11-21',
      weekday: SATURDAY,
      minutes: 22 * 60,
    });
    expect(localParts(at('2026-07-01T03:00:00Z'), 'America/New_York').minutes).toBe(23 * 60);
    expect(localParts(at('2026-11-22T10:00:00Z'), 'UTC')).toEqual({
      date: '2026-11-22',
      weekday: SUNDAY,
      minutes: 600,
    });
  });

  it('counts whole minutes: seconds do not round up', () => {
    expect(localParts(at('2026-11-22T03:29:59Z'), IST).minutes).toBe(8 * 60 + 59);
  });
});

describe('dates and instants', () => {
  it('adds days across months and years, and knows weekdays', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-11-22')).toBe(SUNDAY);
  });

  it('turns a local wall time into an instant', () => {
    expect(zonedInstant('2026-11-22', 9 * 60, IST).toISOString()).toBe('2026-11-22T03:30:00.000Z');
    expect(zonedInstant('2026-11-22', 0, IST).toISOString()).toBe('2026-11-21T18:30:00.000Z');
    expect(zonedInstant('2026-11-21', 24 * 60 + 6 * 60, IST).toISOString()).toBe('2026-11-22T00:30:00.000Z');
  });

  it('handles daylight saving gaps and overlaps as Temporal does', () => {
    // New York, 2026-03-08: 02:00 jumps to 03:00; 2026-11-01: 02:00 falls back to 01:00.
    expect(zonedInstant('2026-03-08', 9 * 60, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(zonedInstant('2026-03-08', 150, 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(zonedInstant('2026-11-01', 90, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(zonedInstant('2026-11-01', 9 * 60, 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z');
  });
});

describe('isOnShift', () => {
  const sundayDay = [shift(SUNDAY, '00:00', '08:00')];

  it('uses the local weekday and date: 18:29 UTC Saturday is off a Sunday shift, 18:31 UTC is on', () => {
    expect(isOnShift(sundayDay, [], at('2026-11-21T18:29:00Z'), IST)).toBe(false);
    expect(isOnShift(sundayDay, [], at('2026-11-21T18:31:00Z'), IST)).toBe(true);
  });

  it('applies a holiday on the local date at 18:31 UTC of the previous UTC day', () => {
    const holiday = [{ onDate: '2026-11-22' }];
    expect(isOnShift(sundayDay, holiday, at('2026-11-21T18:31:00Z'), IST)).toBe(false);
    // The same holiday does not touch Saturday evening, which is still 2026-11-21 locally.
    const saturdayEvening = [shift(SATURDAY, '20:00', '23:59')];
    expect(isOnShift(saturdayEvening, holiday, at('2026-11-21T18:20:00Z'), IST)).toBe(true);
  });

  it('ends a shift at its end minute (start inclusive, end exclusive)', () => {
    const day = [shift(SUNDAY, '09:00', '17:00')];
    expect(isOnShift(day, [], at('2026-11-22T03:29:00Z'), IST)).toBe(false); // 08:59
    expect(isOnShift(day, [], at('2026-11-22T03:30:00Z'), IST)).toBe(true); // 09:00
    expect(isOnShift(day, [], at('2026-11-22T11:29:59Z'), IST)).toBe(true); // 16:59:59
    expect(isOnShift(day, [], at('2026-11-22T11:30:00Z'), IST)).toBe(false); // 17:00
  });

  describe('an overnight Saturday 22:00–06:00 shift', () => {
    const night = [shift(SATURDAY, '22:00', '06:00')];

    it('covers Saturday 23:00 and Sunday 03:00, not Sunday 06:00 nor Saturday 21:59', () => {
      expect(isOnShift(night, [], at('2026-11-21T16:29:00Z'), IST)).toBe(false); // Sat 21:59
      expect(isOnShift(night, [], at('2026-11-21T17:30:00Z'), IST)).toBe(true); // Sat 23:00
      expect(isOnShift(night, [], at('2026-11-21T21:30:00Z'), IST)).toBe(true); // Sun 03:00
      expect(isOnShift(night, [], at('2026-11-22T00:30:00Z'), IST)).toBe(false); // Sun 06:00
      // Sunday 23:00 is not covered: the shift is Saturday's, not every night's.
      expect(isOnShift(night, [], at('2026-11-22T17:30:00Z'), IST)).toBe(false);
    });

    it("belongs to Saturday: leave on Saturday's date cancels the part after midnight too", () => {
      const leave = [{ onDate: '2026-11-21' }];
      expect(isOnShift(night, leave, at('2026-11-21T17:30:00Z'), IST)).toBe(false); // Sat 23:00
      expect(isOnShift(night, leave, at('2026-11-21T21:30:00Z'), IST)).toBe(false); // Sun 03:00
    });

    it("is not cancelled by a holiday on Sunday's date", () => {
      expect(isOnShift(night, [{ onDate: '2026-11-22' }], at('2026-11-21T21:30:00Z'), IST)).toBe(true);
    });

    it("reports the occurrence as Saturday's, ending Sunday 06:00", () => {
      const [found] = coveringShifts(night, [], at('2026-11-21T21:30:00Z'), IST);
      expect(found?.date).toBe('2026-11-21');
      expect(found?.start.toISOString()).toBe('2026-11-21T16:30:00.000Z');
      expect(found?.end.toISOString()).toBe('2026-11-22T00:30:00.000Z');
    });

    it('runs to midnight exactly when it ends at 00:00', () => {
      const toMidnight = [shift(SATURDAY, '18:00', '00:00')];
      expect(isOnShift(toMidnight, [], at('2026-11-21T18:29:00Z'), IST)).toBe(true); // Sat 23:59
      expect(isOnShift(toMidnight, [], at('2026-11-21T18:30:00Z'), IST)).toBe(false); // Sun 00:00
    });
  });

  it('honours valid_from and valid_to (inclusive local dates, judged on the day the shift starts)', () => {
    const sundayNoon = at('2026-11-22T06:30:00Z');
    expect(isOnShift([shift(SUNDAY, '09:00', '17:00', { validFrom: '2026-11-22' })], [], sundayNoon, IST)).toBe(true);
    expect(isOnShift([shift(SUNDAY, '09:00', '17:00', { validFrom: '2026-11-23' })], [], sundayNoon, IST)).toBe(false);
    expect(isOnShift([shift(SUNDAY, '09:00', '17:00', { validTo: '2026-11-22' })], [], sundayNoon, IST)).toBe(true);
    expect(isOnShift([shift(SUNDAY, '09:00', '17:00', { validTo: '2026-11-21' })], [], sundayNoon, IST)).toBe(false);
    // Saturday's overnight shift valid until Saturday still covers Sunday 03:00.
    const night = [shift(SATURDAY, '22:00', '06:00', { validTo: '2026-11-21' })];
    expect(isOnShift(night, [], at('2026-11-21T21:30:00Z'), IST)).toBe(true);
    const startsSunday = [shift(SATURDAY, '22:00', '06:00', { validFrom: '2026-11-22' })];
    expect(isOnShift(startsSunday, [], at('2026-11-21T21:30:00Z'), IST)).toBe(false);
  });
});

describe('shiftStretch', () => {
  it('joins back-to-back shifts, also across midnight', () => {
    const shifts = [shift(SUNDAY, '08:00', '14:00'), shift(SUNDAY, '14:00', '22:00'), shift(SUNDAY, '22:00', '02:00')];
    const stretch = shiftStretch(shifts, [], at('2026-11-22T04:00:00Z'), IST);
    expect(stretch?.start.toISOString()).toBe('2026-11-22T02:30:00.000Z');
    expect(stretch?.end.toISOString()).toBe('2026-11-22T20:30:00.000Z'); // Monday 02:00 IST
    expect(shiftStretch(shifts, [], at('2026-11-22T21:00:00Z'), IST)).toBeUndefined();
  });

  it('stops at a day off', () => {
    const shifts = [shift(SUNDAY, '20:00', '00:00'), shift(MONDAY, '00:00', '08:00')];
    const stretch = shiftStretch(shifts, [{ onDate: '2026-11-23' }], at('2026-11-22T15:00:00Z'), IST);
    expect(stretch?.end.toISOString()).toBe('2026-11-22T18:30:00.000Z');
  });
});

describe('findOverlap', () => {
  it('finds overlapping shifts, including one running past Saturday midnight into Sunday', () => {
    expect(findOverlap([shift(MONDAY, '09:00', '13:00'), shift(MONDAY, '13:00', '17:00')])).toBeUndefined();
    expect(findOverlap([shift(MONDAY, '09:00', '13:00'), shift(MONDAY, '12:00', '17:00')])).toEqual([0, 1]);
    expect(findOverlap([shift(SATURDAY, '22:00', '06:00'), shift(SUNDAY, '05:00', '09:00')])).toEqual([0, 1]);
    expect(findOverlap([shift(SATURDAY, '22:00', '06:00'), shift(SUNDAY, '06:00', '09:00')])).toBeUndefined();
  });

  it('lets shifts overlap in the week when their validity does not', () => {
    expect(
      findOverlap([
        shift(MONDAY, '09:00', '17:00', { validTo: '2026-12-31' }),
        shift(MONDAY, '10:00', '18:00', { validFrom: '2027-01-01' }),
      ]),
    ).toBeUndefined();
  });
});
