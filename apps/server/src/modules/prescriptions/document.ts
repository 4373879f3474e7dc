/**
 * The signed prescription: what it contains (the Telemedicine Practice Guidelines' required
 * content and the items), and the canonical JSON form its signature covers. Pure code.
 */
import type { DoseUnit, DurationUnit, Frequency, Language, Timing } from './phrases.js';

export const DOCUMENT_FORMAT = 'sanjog.prescription.v1';

export interface PrescriptionItem {
  /** 1-based, as printed. */
  index: number;
  medicineCode: string;
  /** Generic name, form and strength as the formulary had them when signed. */
  name: string;
  form: string;
  strength: string | null;
  route: string;
  dose: { value: number; unit: DoseUnit };
  frequency: Frequency;
  timing: Timing | null;
  duration: { value: number; unit: DurationUnit } | null;
  instructions: string | null;
  /** The doctor's instructions in the patient's language, when they wrote them. */
  instructionsLocal: string | null;
  /** The directions in words: English and the patient's language (null when that is English). */
  directions: { en: string; local: string | null };
  /** The prescribing list it was checked against (O, A, B). */
  listCode: string;
}

export interface PrescriptionDocument {
  format: typeof DOCUMENT_FORMAT;
  id: string;
  consultationId: string;
  issuedAt: string;
  /** The date in the facility's time zone, as printed. */
  date: string;
  timeZone: string;
  doctor: {
    practitionerId: string;
    name: string;
    qualification: string;
    registrationCouncil: string | null;
    registrationNumber: string;
    registryId: string | null;
  };
  patient: { id: string; name: string; ageYears: number | null; sex: string };
  facility: { id: string; name: string; kind: string; registryId: string | null; address: string | null };
  consultation: { kind: string; mode: string; type: string };
  /** The health officer who presented the patient at the spoke, when known. */
  presentedBy: { name: string; role: string } | null;
  language: Language;
  items: PrescriptionItem[];
  investigations: string[];
  advice: string | null;
  adviceLocal: string | null;
  followUpDate: string | null;
  /** The prescription this one replaces (that one is cancelled). */
  replaces: string | null;
  signingKeyId: string;
}

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
