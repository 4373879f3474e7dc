import type { Priority, SpecialPriority } from './repository.js';

/** Minutes ahead of their arrival each priority is placed when a state has not set its own. */
export const DEFAULT_ADVANCE_MINUTES: Record<SpecialPriority, number> = {
  emergency: 60,
  elderly: 15,
  pregnant: 15,
  disabled: 15,
};

export const ELDERLY_FROM_AGE = 60;

/**
 * The queue order is "virtual arrival": arrival less the advance of the patient's highest
 * priority. Because every advance is bounded, a later arrival overtakes an earlier one only if
 * it came less than that many minutes after: nobody waits forever behind later arrivals.
 */
export function queuePlacement(
  joinedAt: Date,
  claims: readonly SpecialPriority[],
  advances: ReadonlyMap<SpecialPriority, number>,
): { priority: Priority; queueAt: Date } {
  let best: { priority: Priority; minutes: number } = { priority: 'normal', minutes: 0 };
  for (const claim of claims) {
    const minutes = advances.get(claim) ?? DEFAULT_ADVANCE_MINUTES[claim];
    if (minutes > best.minutes) best = { priority: claim, minutes };
  }
  return { priority: best.priority, queueAt: new Date(joinedAt.getTime() - best.minutes * 60_000) };
}

/** Age in whole years on a local date, from a birth date or (roughly) a birth year. */
export function ageOn(localDate: string, birthDate: string | null, birthYear: number | null): number | null {
  const [year, month, day] = localDate.split('-').map(Number) as [number, number, number];
  if (birthDate !== null) {
    const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
    return year - by - (month < bm || (month === bm && day < bd) ? 1 : 0);
  }
  return birthYear === null ? null : year - birthYear;
}
