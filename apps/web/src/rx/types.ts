import type { PrescriptionDocument, PrescriptionLanguage } from '@sanjog/shared';

/** Wire types of the prescription endpoints. */

/** The signed document, as the server signed it. */
export type RxDocument = PrescriptionDocument;

export interface Dispensing {
  dispensedAt: string;
  pharmacy: string | null;
  items: { index: number; dispensed: boolean; quantity: string | null }[];
  dispensedItems: number;
  totalItems: number;
}

export interface Prescription {
  id: string;
  consultationId: string;
  patientId: string;
  status: 'active' | 'cancelled';
  signedAt: string;
  document: RxDocument;
  replacesId: string | null;
  replacedById: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  verifyUrl: string;
  pdfUrl: string;
  dispensing: Dispensing | null;
}

export interface Verification {
  id: string;
  genuine: boolean;
  checks: { signatureValid: boolean; doctorRegistered: boolean; doctorActive: boolean; notCancelled: boolean };
  problems: string[];
  signedAt: string;
  cancelledAt: string | null;
  replacedById: string | null;
  doctor: { name: string; qualification: string; registrationNumber: string; registrationCouncil: string | null };
  patient: { name: string; ageYears: number | null; sex: string };
  facility: { name: string };
  date: string;
  /** The language of the local directions and instructions ('en' when there are none). */
  language: PrescriptionLanguage;
  items: {
    index: number;
    name: string;
    form: string;
    strength: string | null;
    directions: { en: string; local: string | null };
    instructions: string | null;
    instructionsLocal: string | null;
  }[];
  investigations: string[];
  advice: string | null;
  followUpDate: string | null;
  dispensing: Dispensing | null;
}

export interface Medicine {
  code: string;
  name: string;
  form: string;
  strengths: string[];
  route: string;
  listCode: string;
}

export interface Allergy {
  id: string;
  substance: string;
  reaction: string | null;
}
