import { api } from '../api';
import type { DurationUnit, FollowUpWith, Mode, NotHappenedReason, Priority, Profile, Severity } from '../opd/types';
import { ageOf } from '../opd/util';
import type { DoctorI18n } from './i18n';

/** Patients seen in this visit, fetched once each however many rows show them. */
const patients = new Map<string, Promise<Profile>>();

export function patientById(id: string): Promise<Profile> {
  let call = patients.get(id);
  if (call === undefined) {
    call = api.get<Profile>(`/api/v1/patients/${encodeURIComponent(id)}`);
    patients.set(id, call);
    call.catch(() => patients.delete(id));
  }
  return call;
}

/** "Ram Kumar · 40 years · Male" */
export function patientLine(patient: Profile, i18n: DoctorI18n): string {
  const age = ageOf(patient);
  return [patient.name, age === null ? null : i18n.t('doc.years', { age }), i18n.t(`sex.${patient.sex}`)]
    .filter((part): part is string => part !== null)
    .join(' · ');
}

/** localStorage that never throws. */
export const kept = {
  get(key: string): unknown {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      return undefined;
    }
  },
  set(key: string, value: unknown): void {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Not kept: only the convenience is lost.
    }
  },
  remove(key: string): void {
    try {
      localStorage.removeItem(key);
    } catch {
      // Nothing kept.
    }
  },
};

// Choices of the record form, in the order they are offered.
export const PRIORITIES: readonly Priority[] = ['normal', 'emergency', 'elderly', 'pregnant', 'disabled'];
export const MODES: readonly Mode[] = ['video', 'audio', 'text'];
export const DURATION_UNITS: readonly DurationUnit[] = ['hours', 'days', 'weeks', 'months', 'years'];
export const SEVERITIES: readonly Severity[] = ['mild', 'moderate', 'severe'];
export const FOLLOW_UP_WITH: readonly FollowUpWith[] = [
  'same_doctor',
  'same_facility',
  'specialist',
  'nearby_health_facility',
];
export const NOT_HAPPENED_REASONS: readonly NotHappenedReason[] = [
  'patient_did_not_join',
  'network_failure',
  'not_suitable_for_teleconsultation',
  'other',
];
