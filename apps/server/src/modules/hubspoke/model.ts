/**
 * Pure rules of hub-and-spoke teleconsultation: red flags of the vitals, BMI, triage from the
 * state's rule table, and what a request must hold before it leaves the spoke. No I/O.
 */
import type { Vitals } from '../consultations/index.js';

export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];
/** The hand-out order: emergency first. */
export const URGENCY_RANK: Record<Urgency, number> = { emergency: 0, urgent: 1, routine: 2 };

export const REQUEST_MODES = ['live', 'async'] as const;
export type RequestMode = (typeof REQUEST_MODES)[number];

export const REQUEST_STATUSES = ['draft', 'waiting', 'taken', 'answered', 'declined', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const PREGNANCY_STATUSES = ['pregnant', 'not_pregnant', 'unknown'] as const;
export type PregnancyStatus = (typeof PREGNANCY_STATUSES)[number];

export const DECLINE_REASONS = [
  'not_my_speciality',
  'incomplete',
  'not_suitable_for_teleconsultation',
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export const ATTACHMENT_KINDS = ['photo', 'ecg', 'lab_report', 'other'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const REFERRAL_STATUSES = ['sent', 'received', 'attended', 'completed', 'cancelled'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const REFERRAL_OUTCOMES = [
  'treated_discharged',
  'admitted',
  'referred_on',
  'not_attended',
  'died',
  'left_against_advice',
] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

export const RED_FLAGS = [
  'spo2_low',
  'systolic_high',
  'systolic_low',
  'diastolic_high',
  'pulse_abnormal',
  'temperature_high',
  'respiratory_rate_high',
  'glucose_abnormal',
] as const;
export type RedFlag = (typeof RED_FLAGS)[number];

/** A red flag found in the vitals, with the words the officer sees at once. */
export interface RedFlagFinding {
  flag: RedFlag;
  message: string;
}

const celsius = (t: NonNullable<Vitals['temperature']>) => (t.unit === 'Cel' ? t.value : ((t.value - 32) * 5) / 9);
const mgPerDl = (g: NonNullable<Vitals['bloodGlucose']>) => (g.unit === 'mg/dL' ? g.value : g.value * 18.016);

/**
 * Values that need a doctor soon (adult thresholds of common primary-care protocols). They are
 * warnings, not range errors: the consultations module refuses impossible values.
 */
export function redFlagsOf(vitals: Vitals): RedFlagFinding[] {
  const found: RedFlagFinding[] = [];
  const bp = vitals.bloodPressure;
  if (vitals.spo2 !== undefined && vitals.spo2 < 90)
    found.push({ flag: 'spo2_low', message: `SpO2 ${vitals.spo2}% is below 90%` });
  if (bp !== undefined && bp.systolic > 180)
    found.push({ flag: 'systolic_high', message: `Systolic pressure ${bp.systolic} mmHg is above 180` });
  if (bp !== undefined && bp.systolic < 90)
    found.push({ flag: 'systolic_low', message: `Systolic pressure ${bp.systolic} mmHg is below 90` });
  if (bp !== undefined && bp.diastolic > 120)
    found.push({ flag: 'diastolic_high', message: `Diastolic pressure ${bp.diastolic} mmHg is above 120` });
  if (vitals.pulse !== undefined && (vitals.pulse > 120 || vitals.pulse < 50))
    found.push({ flag: 'pulse_abnormal', message: `Pulse ${vitals.pulse} per minute is outside 50–120` });
  if (vitals.temperature !== undefined && celsius(vitals.temperature) >= 39.5)
    found.push({ flag: 'temperature_high', message: 'Temperature is 39.5 °C (103.1 °F) or more' });
  if (vitals.respiratoryRate !== undefined && vitals.respiratoryRate > 30)
    found.push({ flag: 'respiratory_rate_high', message: `Respiratory rate ${vitals.respiratoryRate} is above 30` });
  if (vitals.bloodGlucose !== undefined) {
    const value = mgPerDl(vitals.bloodGlucose);
    if (value < 70 || value > 300)
      found.push({ flag: 'glucose_abnormal', message: 'Blood glucose is below 70 or above 300 mg/dL' });
  }
  return found;
}

/** Body-mass index from weight and height in any of their units, to one decimal; null without both. */
export function bmiOf(vitals: Vitals): number | null {
  const { weight, height } = vitals;
  if (weight === undefined || height === undefined) return null;
  const kg = weight.unit === 'kg' ? weight.value : weight.value * 0.45359237;
  const metres = (height.unit === 'cm' ? height.value : height.value * 2.54) / 100;
  if (metres <= 0) return null;
  return Math.round((kg / (metres * metres)) * 10) / 10;
}

export interface TriageRule {
  position: number;
  complaintCode: string | null;
  redFlag: string | null;
  specialityCode: string;
  urgency: Urgency;
}

/**
 * The country pack's default rules for the vitals' red flags, used by a state that has set none.
 * A complaint no rule names falls back to its list entry's speciality (urgent when a red flag).
 */
export const DEFAULT_TRIAGE_RULES: readonly TriageRule[] = [
  { position: 1, complaintCode: null, redFlag: 'spo2_low', specialityCode: 'general_medicine', urgency: 'emergency' },
  {
    position: 2,
    complaintCode: null,
    redFlag: 'systolic_high',
    specialityCode: 'general_medicine',
    urgency: 'emergency',
  },
  {
    position: 3,
    complaintCode: null,
    redFlag: 'systolic_low',
    specialityCode: 'general_medicine',
    urgency: 'emergency',
  },
  {
    position: 4,
    complaintCode: null,
    redFlag: 'pulse_abnormal',
    specialityCode: 'general_medicine',
    urgency: 'urgent',
  },
  {
    position: 5,
    complaintCode: null,
    redFlag: 'temperature_high',
    specialityCode: 'general_medicine',
    urgency: 'urgent',
  },
  {
    position: 6,
    complaintCode: null,
    redFlag: 'respiratory_rate_high',
    specialityCode: 'general_medicine',
    urgency: 'urgent',
  },
  {
    position: 7,
    complaintCode: null,
    redFlag: 'glucose_abnormal',
    specialityCode: 'general_medicine',
    urgency: 'urgent',
  },
  {
    position: 8,
    complaintCode: null,
    redFlag: 'diastolic_high',
    specialityCode: 'general_medicine',
    urgency: 'urgent',
  },
];

export interface TriageSuggestion {
  specialityCode: string;
  urgency: Urgency;
  /** Why: the rules and list entries that matched, for the officer to judge. */
  reasons: string[];
}

/**
 * The suggestion from the rule table: every matching rule counts, the most urgent wins and among
 * equals the first in the table. A complaint no rule names falls back to its list entry's
 * speciality (urgent when the list marks it a red flag). Nothing matched: general medicine, routine.
 */
export function triage(
  rules: readonly TriageRule[],
  complaints: readonly { code: string; speciality: string | null; redFlag: boolean }[],
  flags: readonly string[],
): TriageSuggestion {
  const candidates: { rank: number; position: number; speciality: string; urgency: Urgency; reason: string }[] = [];
  const sorted = [...rules].sort((a, b) => a.position - b.position);
  for (const flag of flags) {
    const rule = sorted.find((r) => r.redFlag === flag);
    if (rule !== undefined)
      candidates.push({
        rank: URGENCY_RANK[rule.urgency],
        position: rule.position,
        speciality: rule.specialityCode,
        urgency: rule.urgency,
        reason: `red flag ${flag}`,
      });
  }
  for (const complaint of complaints) {
    const rule = sorted.find((r) => r.complaintCode === complaint.code);
    if (rule !== undefined) {
      candidates.push({
        rank: URGENCY_RANK[rule.urgency],
        position: rule.position,
        speciality: rule.specialityCode,
        urgency: rule.urgency,
        reason: `complaint ${complaint.code}`,
      });
    } else if (complaint.speciality !== null || complaint.redFlag) {
      const urgency: Urgency = complaint.redFlag ? 'urgent' : 'routine';
      candidates.push({
        rank: URGENCY_RANK[urgency],
        position: Number.MAX_SAFE_INTEGER,
        speciality: complaint.speciality ?? 'general_medicine',
        urgency,
        reason: `complaint ${complaint.code} (list)`,
      });
    }
  }
  if (candidates.length === 0) return { specialityCode: 'general_medicine', urgency: 'routine', reasons: [] };
  const best = [...candidates].sort((a, b) => a.rank - b.rank || a.position - b.position)[0];
  if (best === undefined) throw new Error('unreachable');
  // A red flag's general rule should not hide a complaint's speciality of the same urgency.
  const sameUrgencySpecific = candidates.find(
    (c) => c.rank === best.rank && c.speciality !== 'general_medicine' && best.speciality === 'general_medicine',
  );
  const chosen = sameUrgencySpecific ?? best;
  return { specialityCode: chosen.speciality, urgency: best.urgency, reasons: candidates.map((c) => c.reason) };
}

/**
 * A patient's age in whole years at `at`: from the date of birth when known, else from the year
 * alone. The one age the draft's missing list and the send's check both use.
 */
export function ageOf(patient: { birthDate: string | null; birthYear: number | null }, at: Date): number | null {
  if (patient.birthDate !== null) {
    const [y, m, d] = patient.birthDate.split('-').map(Number) as [number, number, number];
    let age = at.getUTCFullYear() - y;
    if (at.getUTCMonth() + 1 < m || (at.getUTCMonth() + 1 === m && at.getUTCDate() < d)) age -= 1;
    return age;
  }
  return patient.birthYear === null ? null : at.getUTCFullYear() - patient.birthYear;
}

export interface MissingEssential {
  field: string;
  message: string;
}

/**
 * What a request must hold before it leaves: the patient's consent, at least one complaint, the
 * basic vitals, pregnancy status for women of child-bearing age, and a speciality and urgency.
 * Each missing essential is named, so that the officer can add it rather than send half a case.
 */
export function missingEssentials(request: {
  consentId: string | null;
  complaints: readonly unknown[];
  complaintText: string | null;
  vitals: Vitals;
  pregnancy: PregnancyStatus | null;
  specialityCode: string | null;
  urgency: Urgency | null;
  patient: { sex: string; age: number | null };
}): MissingEssential[] {
  const missing: MissingEssential[] = [];
  if (request.consentId === null)
    missing.push({ field: 'consent', message: "Record the patient's consent to teleconsultation" });
  if (request.complaints.length === 0 && (request.complaintText ?? '').trim() === '')
    missing.push({ field: 'complaints', message: 'Add at least one chief complaint' });
  const v = request.vitals;
  if (v.bloodPressure === undefined) missing.push({ field: 'vitals.bloodPressure', message: 'Measure blood pressure' });
  if (v.pulse === undefined) missing.push({ field: 'vitals.pulse', message: 'Measure the pulse' });
  if (v.temperature === undefined) missing.push({ field: 'vitals.temperature', message: 'Measure the temperature' });
  if (v.spo2 === undefined) missing.push({ field: 'vitals.spo2', message: 'Measure SpO2' });
  const { sex, age } = request.patient;
  if (sex === 'female' && age !== null && age >= 12 && age <= 50 && request.pregnancy === null)
    missing.push({ field: 'pregnancy', message: 'Say whether she is pregnant' });
  if (request.specialityCode === null) missing.push({ field: 'specialityCode', message: 'Choose the speciality' });
  if (request.urgency === null) missing.push({ field: 'urgency', message: 'Choose the urgency' });
  return missing;
}

/** Similarity of two names from 0 to 1 (Dice coefficient of letter pairs, spelling variants folded). */
export function nameSimilarity(a: string, b: string): number {
  const fold = (s: string) =>
    s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N} ]/gu, '')
      .replace(/(aa|ee|oo)/g, (m) => m.charAt(0))
      .replace(/\s+/g, ' ')
      .trim();
  const pairs = (s: string) => {
    const out: string[] = [];
    for (const word of fold(s).split(' ')) for (let i = 0; i < word.length - 1; i += 1) out.push(word.slice(i, i + 2));
    return out;
  };
  const x = pairs(a);
  const y = pairs(b);
  if (x.length === 0 || y.length === 0) return fold(a) === fold(b) ? 1 : 0;
  const counts = new Map<string, number>();
  for (const p of y) counts.set(p, (counts.get(p) ?? 0) + 1);
  let shared = 0;
  for (const p of x) {
    const n = counts.get(p) ?? 0;
    if (n > 0) {
      shared += 1;
      counts.set(p, n - 1);
    }
  }
  return (2 * shared) / (x.length + y.length);
}
