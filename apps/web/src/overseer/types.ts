/** What the overseers' pages read from the server (only the fields they show). */

export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** The server's red flags of the vital signs (hubspoke/model.ts RED_FLAGS), in its order. */
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

export const REFERRAL_OUTCOMES = [
  'treated_discharged',
  'admitted',
  'referred_on',
  'not_attended',
  'died',
  'left_against_advice',
] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

export type ReferralStatus = 'sent' | 'received' | 'attended' | 'completed' | 'cancelled';

export interface Referral {
  id: string;
  stateId: string;
  requestId: string | null;
  patientId: string;
  patientName: string;
  fromFacilityId: string;
  fromFacilityName: string;
  referredByName: string;
  destinationId: string;
  destinationName: string;
  reason: string;
  urgency: Urgency;
  summary: string;
  status: ReferralStatus;
  dueAt: string;
  sentAt: string;
  receivedAt: string | null;
  attendedAt: string | null;
  completedAt: string | null;
  outcome: string | null;
  outcomeNote: string | null;
  overdue: boolean;
}

/** A hub-and-spoke request as the alerts list sends it. */
export interface AlertRequest {
  id: string;
  status: 'draft' | 'waiting' | 'taken' | 'answered' | 'declined' | 'cancelled';
  patientName: string;
  spokeName: string;
  hubName: string | null;
  practitionerName: string | null;
  specialityCode: string | null;
  urgency: string | null;
  sentAt: string | null;
  slaDueAt: string | null;
}

export interface Counts {
  started: number;
  completed: number;
  notHappened: number;
}

export interface DailyCounts {
  stateId: string;
  from: string;
  to: string;
  days: { day: string; opd: Counts; hubSpoke: Counts }[];
  totals: { opd: Counts; hubSpoke: Counts };
}

export interface TriageRule {
  position: number;
  complaintCode?: string;
  redFlag?: string;
  specialityCode: string;
  urgency: Urgency;
}

export interface Speciality {
  code: string;
  name: string;
  nameHi: string | null;
}

export interface ComplaintTerm {
  code: string;
  name: string;
  nameHi: string | null;
}
