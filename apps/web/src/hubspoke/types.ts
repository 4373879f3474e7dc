/** What the hub-and-spoke pages read from the server (only the fields they show). */
export interface Vitals {
  bloodPressure?: { systolic: number; diastolic: number };
  pulse?: number;
  temperature?: { value: number; unit: 'Cel' | '[degF]' };
  spo2?: number;
  respiratoryRate?: number;
  weight?: { value: number; unit: 'kg' | '[lb_av]' };
  height?: { value: number; unit: 'cm' | '[in_i]' };
  bloodGlucose?: { value: number; unit: 'mg/dL' | 'mmol/L' };
}

export interface Complaint {
  code: string;
  display: string;
  displayHi: string | null;
  redFlag: boolean;
  duration: { value: number; unit: string } | null;
  severity: string | null;
}

export interface RequestSummary {
  id: string;
  status: 'draft' | 'waiting' | 'taken' | 'answered' | 'declined' | 'cancelled';
  mode: 'live' | 'async';
  patientId: string;
  patientName: string;
  patientSex: string;
  patientBirthYear: number | null;
  spokeName: string;
  hubName: string | null;
  practitionerName: string | null;
  specialityCode: string | null;
  urgency: 'emergency' | 'urgent' | 'routine' | null;
  suggestedSpeciality: string | null;
  suggestedUrgency: 'emergency' | 'urgent' | 'routine' | null;
  complaints: Complaint[];
  complaintText: string | null;
  history: string | null;
  vitals: Vitals;
  redFlags: string[];
  pregnancy: string | null;
  consentId: string | null;
  /** Set once a hub doctor has taken the request. */
  consultationId: string | null;
  reroutes: number;
  advice: string | null;
  followUp: { dueDate: string } | null;
  feedback: { complete: boolean; appropriateSpeciality: boolean; neededVideo: boolean; reason: string | null } | null;
  referralStatus: string | null;
  sentAt: string | null;
  version: number;
}

export interface RequestView extends RequestSummary {
  age: number | null;
  bmi: number | null;
  redFlagFindings: { flag: string; message: string }[];
  missing: { field: string; message: string }[];
  /** What the suggestion rests on: `red flag <flag>` or `complaint <code>`, one per rule that matched. */
  triage: { specialityCode: string; urgency: string; reasons: string[] };
  attachments: { fileId: string; kind: string; title: string | null; mediaType: string }[];
  events: { at: string; kind: string; hubName: string | null; practitionerName: string | null }[];
}

export interface FoundPatient {
  id: string;
  name: string;
  sex: string;
  birthYear: number | null;
  village: string | null;
  mobile: string | null;
  reasons?: string[];
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
  redFlag: boolean;
}
