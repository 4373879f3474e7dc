/** Wire types of the OPD queue, the patient profiles and consultations (see /openapi.json). */

export type Sex = 'female' | 'male' | 'other' | 'unknown';

export interface Profile {
  id: string;
  stateId: string;
  districtId: string | null;
  name: string;
  sex: Sex;
  birthDate: string | null;
  birthYear: number | null;
  mobile: string | null;
  version: number;
}

export interface State {
  id: string;
  name: string;
}

export interface District {
  id: string;
  stateId: string;
  name: string;
}

export interface Opd {
  id: string;
  name: string;
  stateId: string;
  specialityCode: string | null;
  specialityName: string | null;
  languages: string[];
  consultationMinutes: number;
  openNow: boolean;
  opensAt?: string;
  closesAt?: string;
  doctorsAvailable: number;
  /** For a token taken now; null when closed. */
  estimatedWaitMinutes: number | null;
  waiting: number;
}

export type Priority = 'normal' | 'emergency' | 'elderly' | 'pregnant' | 'disabled';

export type TokenStatus =
  | 'booked'
  | 'waiting'
  | 'called'
  | 'in_consultation'
  | 'completed'
  | 'not_happened'
  | 'no_show'
  | 'lapsed'
  | 'cancelled'
  | 'transferred'
  | 'closed';

export interface Token {
  id: string;
  opdId: string;
  opdName: string;
  stateId: string;
  tokenNumber: number;
  patientId: string;
  /** Often empty in lists: use the profile's name. */
  patientName: string;
  priority: Priority;
  status: TokenStatus;
  joinedAt: string;
  calledAt: string | null;
  callDeadline: string | null;
  missedCalls: number;
  consultationId: string | null;
  outcomeReason: string | null;
  ahead: number | null;
  estimatedWaitMinutes: number | null;
  waitingMinutes: number;
  /** A booking: when its session opens and it joins the queue. */
  bookedFor: string | null;
  /** A token closed at closing: when the next session opens. */
  nextSessionAt: string | null;
  followUpOf: string | null;
}

export interface UploadedFile {
  id: string;
  patientId: string;
  title: string | null;
  mediaType: 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/webp';
  sizeBytes: number;
  createdAt: string;
}

export type Mode = 'video' | 'audio' | 'text';

export type DurationUnit = 'hours' | 'days' | 'weeks' | 'months' | 'years';
export type Severity = 'mild' | 'moderate' | 'severe';

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

export interface Vitals {
  bloodPressure?: { systolic: number; diastolic: number };
  pulse?: number;
  temperature?: { value: number; unit: 'Cel' | '[degF]' };
  spo2?: number;
  respiratoryRate?: number;
  weight?: { value: number; unit: 'kg' | '[lb_av]' };
  height?: { value: number; unit: 'cm' | '[in_i]' };
  bloodGlucose?: { value: number; unit: 'mg/dL' | 'mmol/L'; timing?: 'fasting' | 'random' | 'after_meal' };
}

export type FollowUpWith = 'same_doctor' | 'same_facility' | 'specialist' | 'nearby_health_facility';

export interface ConsultationRecord {
  chiefComplaints: ComplaintEntry[];
  complaintText: string | null;
  history: string | null;
  examination: string | null;
  vitals: Vitals;
  diagnoses: { code: string; title: string; note: string | null }[];
  investigations: string[];
  advice: string | null;
  followUp: {
    afterDays: number | null;
    date: string | null;
    dueDate: string;
    with: FollowUpWith;
    specialityCode: string | null;
    note: string | null;
  } | null;
}

export type NotHappenedReason =
  'patient_did_not_join' | 'network_failure' | 'not_suitable_for_teleconsultation' | 'other';

export interface Consultation {
  id: string;
  kind: 'opd' | 'hub_spoke';
  patientId: string;
  patientName: string;
  practitionerId: string;
  practitionerName: string;
  facilityId: string;
  facilityName: string;
  tokenId: string | null;
  mode: Mode;
  consultationType: 'first' | 'follow_up';
  status: 'in_progress' | 'completed' | 'not_happened';
  startedAt: string;
  endedAt: string | null;
  record: ConsultationRecord;
  notHappened: { reason: NotHappenedReason; text: string | null } | null;
  rating: { rating: number; comment: string | null; ratedAt: string } | null;
  version: number;
}
