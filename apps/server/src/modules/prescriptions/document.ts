/**
 * The signed prescription: what it contains (the Telemedicine Practice Guidelines' required
 * content and the items), and the canonical JSON form its signature covers. Pure code.
 */
import { PRESCRIPTION_FORMAT, type PrescriptionDocument, type PrescriptionItem } from '@sanjog/shared';

export const DOCUMENT_FORMAT = PRESCRIPTION_FORMAT;
export type { PrescriptionDocument, PrescriptionItem };

/**
 * Canonical JSON (as RFC 8785 for the values a prescription holds): object keys sorted by code
 * unit, no whitespace, undefined members left out. The same document always gives the same bytes,
 * whatever order the database returns its keys in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON has no place for NaN');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** Whole years between a birth date (or year) and a day, both YYYY-MM-DD. */
export function ageOn(day: string, birthDate: string | null, birthYear: number | null): number | null {
  if (birthDate !== null) {
    const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
    const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
    return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
  }
  return birthYear === null ? null : Number(day.slice(0, 4)) - birthYear;
}

/** A name as the public verification shows it: the first name whole, the others as initials. */
export function maskedName(name: string): string {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return [first, ...rest.map((part) => `${part.charAt(0)}.`)].join(' ');
}
