/**
 * The e-prescription as both sides read it: the structured choices of an item and the signed
 * document's shape. The server signs exactly this shape; the web app shows it.
 */

export const FREQUENCIES = [
  'once_daily',
  'twice_daily',
  'thrice_daily',
  'four_times_daily',
  'morning',
  'at_bedtime',
  'as_needed',
  'once_weekly',
  'once',
] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** When a dose is taken relative to food. */
export const TIMINGS = ['after_food', 'before_food', 'with_food', 'empty_stomach', 'any_time'] as const;
export type Timing = (typeof TIMINGS)[number];

export const DOSE_UNITS = [
  'tablet',
  'capsule',
  'ml',
  'drop',
  'puff',
  'application',
  'sachet',
  'unit',
  'mg',
  'injection',
] as const;
export type DoseUnit = (typeof DOSE_UNITS)[number];

export const DURATION_UNITS = ['days', 'weeks', 'months'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/**
 * The language a prescription is written for: English alone, or English with the patient's
 * language (Hindi, Kannada) beside it. A language here needs its words (the server's phrases)
 * and a font for the PDF.
 */
export const PRESCRIPTION_LANGUAGES = ['en', 'hi', 'kn'] as const;
export type PrescriptionLanguage = (typeof PRESCRIPTION_LANGUAGES)[number];

export const PRESCRIPTION_FORMAT = 'sanjog.prescription.v1';

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
  format: typeof PRESCRIPTION_FORMAT;
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
  language: PrescriptionLanguage;
  items: PrescriptionItem[];
  investigations: string[];
  advice: string | null;
  adviceLocal: string | null;
  followUpDate: string | null;
  /** The prescription this one replaces (that one is cancelled). */
  replaces: string | null;
  signingKeyId: string;
}
