import { describe, expect, it } from 'vitest';
import { openingStatus, overlappingSession, type OpdSession } from './hours.js';

const IST = 'Asia/Kolkata';
const iso = (date: Date | null) => date?.toISOString() ?? null;
const status = (sessions: OpdSession[], at: string) => {
  const result = openingStatus(sessions, new Date(at), IST);
  return { openNow: result.openNow, opensAt: iso(result.opensAt), closesAt: iso(result.closesAt) };
};

// 2026-11-22 is a Sunday.
const everyDay = (opensAt: string, closesAt: string) =>
  [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opensAt, closesAt }));

describe('openingStatus', () => {
  it('is open 09:00–17:00 India time: open at 03:45 UTC, closed at 11:31 UTC, with the next session', () => {
    const hours = everyDay('09:00', '17:00');
    expect(status(hours, '2026-11-22T03:45:00Z')).toEqual({
      openNow: true,
      opensAt: '2026-11-22T03:30:00.000Z',
      closesAt: '2026-11-22T11:30:00.000Z',
    });
    expect(status(hours, '2026-11-22T11:31:00Z')).toEqual({
      openNow: false,
      opensAt: '2026-11-23T03:30:00.000Z',
      closesAt: '2026-11-23T11:30:00.000Z',
    });
    expect(status(hours, '2026-11-22T03:29:00Z').openNow).toBe(false); // 08:59
    expect(status(hours, '2026-11-22T11:30:00Z').openNow).toBe(false); // 17:00 closes
  });

  it('uses the local weekday: 18:45 UTC on Saturday is Sunday 00:15 in India', () => {
    const sundayNight = [{ weekday: 0, opensAt: '00:00', closesAt: '06:00' }];
    expect(status(sundayNight, '2026-11-21T18:45:00Z')).toEqual({
      openNow: true,
      opensAt: '2026-11-21T18:30:00.000Z',
      closesAt: '2026-11-22T00:30:00.000Z',
    });
    expect(status(sundayNight, '2026-11-21T18:29:00Z').openNow).toBe(false); // Saturday 23:59
    const saturdayOnly = [{ weekday: 6, opensAt: '09:00', closesAt: '23:00' }];
    expect(status(saturdayOnly, '2026-11-21T18:45:00Z')).toEqual({
      openNow: false,
      opensAt: '2026-11-28T03:30:00.000Z',
      closesAt: '2026-11-28T17:30:00.000Z',
    });
  });

  it('finds the next session of the day, and a session earlier today as next week', () => {
    const split = [
      { weekday: 0, opensAt: '09:00', closesAt: '12:00' },
      { weekday: 0, opensAt: '14:00', closesAt: '17:00' },
    ];
    expect(status(split, '2026-11-22T07:00:00Z')).toEqual({
      openNow: false,
      opensAt: '2026-11-22T08:30:00.000Z',
      closesAt: '2026-11-22T11:30:00.000Z',
    });
    expect(status(split, '2026-11-22T12:00:00Z').opensAt).toBe('2026-11-29T03:30:00.000Z');
  });

  it('joins back-to-back sessions, also across midnight with 24:00', () => {
    const joined = [
      { weekday: 0, opensAt: '09:00', closesAt: '13:00' },
      { weekday: 0, opensAt: '13:00', closesAt: '24:00' },
      { weekday: 1, opensAt: '00:00', closesAt: '02:00' },
    ];
    expect(status(joined, '2026-11-22T04:00:00Z')).toEqual({
      openNow: true,
      opensAt: '2026-11-22T03:30:00.000Z',
      closesAt: '2026-11-22T20:30:00.000Z', // Monday 02:00 IST
    });
  });

  it('is closed with nothing next when there are no hours', () => {
    expect(status([], '2026-11-22T04:00:00Z')).toEqual({ openNow: false, opensAt: null, closesAt: null });
  });
});

describe('overlappingSession', () => {
  it('finds sessions of a day that overlap, and allows back-to-back ones', () => {
    expect(
      overlappingSession([
        { weekday: 1, opensAt: '09:00', closesAt: '13:00' },
        { weekday: 1, opensAt: '13:00', closesAt: '17:00' },
        { weekday: 2, opensAt: '10:00', closesAt: '11:00' },
      ]),
    ).toBeUndefined();
    expect(
      overlappingSession([
        { weekday: 1, opensAt: '09:00', closesAt: '13:00' },
        { weekday: 1, opensAt: '12:00', closesAt: '17:00' },
      ]),
    ).toEqual({ index: 1, other: 0 });
  });
});
