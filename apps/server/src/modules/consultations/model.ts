/**
 * What a consultation holds: its kind, mode and type (the Telemedicine Practice Guidelines ask
 * for both), its state, and the clinical record the doctor writes. Pure types and constants.
 */

export const CONSULTATION_KINDS = ['opd', 'hub_spoke'] as const;
export type ConsultationKind = (typeof CONSULTATION_KINDS)[number];

export const CONSULTATION_MODES = ['video', 'audio', 'text'] as const;
export type ConsultationMode = (typeof CONSULTATION_MODES)[number];

export const CONSULTATION_TYPES = ['first', 'follow_up'] as const;
export type ConsultationType = (typeof CONSULTATION_TYPES)[number];

/** `auto`: worked out at the start from earlier consultations; `doctor`: set by the treating doctor. */
export type ConsultationTypeSource = 'auto' | 'doctor';

export const CONSULTATION_STATUSES = ['in_progress', 'completed', 'not_happened'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

export const NOT_HAPPENED_REASONS = [
  'patient_did_not_join',
  'network_failure',
  'not_suitable_for_teleconsultation',
  'other',
] as const;
export type NotHappenedReason = (typeof NOT_HAPPENED_REASONS)[number];

export const DURATION_UNITS = ['hours', 'days', 'weeks', 'months', 'years'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A chief complaint as recorded: the list's code with its SNOMED CT finding, as they were when saved. */
export interface ComplaintEntry {
  code: string;
  snomedCode: string | null;
  display: string;
  displayHi: string | null;
  redFlag: boolean;
  duration: { value: number; unit: DurationUnit } | null;
  severity: Severity | null;
  note: string | null;
}

/** A provisional diagnosis: an ICD-10 code of the list with its title as it was when saved. */
export interface DiagnosisEntry {
  code: string;
  title: string;
  note: string | null;
}

export const TEMPERATURE_UNITS = ['Cel', '[degF]'] as const;
export const WEIGHT_UNITS = ['kg', '[lb_av]'] as const;
export const HEIGHT_UNITS = ['cm', '[in_i]'] as const;
export const GLUCOSE_UNITS = ['mg/dL', 'mmol/L'] as const;
export const GLUCOSE_TIMINGS = ['fasting', 'random', 'after_meal'] as const;

/**
 * Vital signs reported during the consultation. Units are UCUM codes (as FHIR Observations use):
 * blood pressure in mm[Hg], pulse and respiratory rate per minute, SpO2 in %.
 */
export interface Vitals {
  bloodPressure?: { systolic: number; diastolic: number };
  pulse?: number;
  temperature?: { value: number; unit: (typeof TEMPERATURE_UNITS)[number] };
  spo2?: number;
  respiratoryRate?: number;
  weight?: { value: number; unit: (typeof WEIGHT_UNITS)[number] };
  height?: { value: number; unit: (typeof HEIGHT_UNITS)[number] };
  bloodGlucose?: {
    value: number;
    unit: (typeof GLUCOSE_UNITS)[number];
    timing?: (typeof GLUCOSE_TIMINGS)[number] | undefined;
  };
}

export const FOLLOW_UP_WITH = ['same_doctor', 'same_facility', 'specialist', 'nearby_health_facility'] as const;
export type FollowUpWith = (typeof FOLLOW_UP_WITH)[number];

/** When and with whom to follow up; `dueDate` is worked out in the state's time zone. */
export interface FollowUp {
  afterDays: number | null;
  date: string | null;
  dueDate: string;
  with: FollowUpWith;
  specialityCode: string | null;
  note: string | null;
}

/** The clinical record of a consultation. */
export interface ConsultationRecord {
  chiefComplaints: ComplaintEntry[];
  complaintText: string | null;
  history: string | null;
  examination: string | null;
  vitals: Vitals;
  diagnoses: DiagnosisEntry[];
  investigations: string[];
  advice: string | null;
  followUp: FollowUp | null;
}

/** What a doctor sends to save or complete the record: each field given replaces the saved one. */
export interface RecordInput {
  chiefComplaints?:
    | {
        code: string;
        duration?: { value: number; unit: DurationUnit } | undefined;
        severity?: Severity | undefined;
        note?: string | undefined;
      }[]
    | undefined;
  complaintText?: string | null | undefined;
  history?: string | null | undefined;
  examination?: string | null | undefined;
  vitals?: Vitals | null | undefined;
  diagnoses?: { code: string; note?: string | undefined }[] | undefined;
  investigations?: string[] | undefined;
  advice?: string | null | undefined;
  followUp?:
    | {
        afterDays?: number | undefined;
        date?: string | undefined;
        with: FollowUpWith;
        specialityCode?: string | undefined;
        note?: string | undefined;
      }
    | null
    | undefined;
  mode?: ConsultationMode | undefined;
  consultationType?: ConsultationType | undefined;
}
