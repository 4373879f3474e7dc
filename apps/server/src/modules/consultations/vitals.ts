import { VITAL_RANGES } from '@sanjog/shared';
import type { Vitals } from './model.js';

const UNIT_LABELS: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  '/min': 'per minute',
  '%': '%',
  Cel: '°C',
  '[degF]': '°F',
  kg: 'kg',
  '[lb_av]': 'lb',
  cm: 'cm',
  '[in_i]': 'in',
  'mg/dL': 'mg/dL',
  'mmol/L': 'mmol/L',
};

const LABELS: Record<keyof typeof VITAL_RANGES, string> = {
  systolic: 'Systolic blood pressure',
  diastolic: 'Diastolic blood pressure',
  pulse: 'Pulse',
  spo2: 'SpO2',
  respiratoryRate: 'Respiratory rate',
  temperature: 'Temperature',
  weight: 'Weight',
  height: 'Height',
  bloodGlucose: 'Blood glucose',
};

export interface FieldIssue {
  field: string;
  message: string;
}

function checkRange(
  issues: FieldIssue[],
  field: string,
  measure: keyof typeof VITAL_RANGES,
  value: number,
  unit: string,
): void {
  const ranges: Record<string, readonly [number, number]> = VITAL_RANGES[measure];
  const range = ranges[unit];
  if (range === undefined) {
    issues.push({ field, message: `${LABELS[measure]} cannot be given in ${unit}` });
    return;
  }
  const [min, max] = range;
  if (!Number.isFinite(value) || value < min || value > max) {
    const label = UNIT_LABELS[unit] ?? unit;
    const other = Object.entries(ranges).find(([u, [lo, hi]]) => u !== unit && value >= lo && value <= hi);
    const hint = other === undefined ? '' : ` (is it in ${UNIT_LABELS[other[0]] ?? other[0]}?)`;
    issues.push({
      field,
      message: `${LABELS[measure]} ${value} ${label} is not possible: it must be between ${min} and ${max} ${label}${hint}`,
    });
  }
}

/** The impossible values among reported vital signs, each naming its field under `prefix`. */
export function checkVitals(vitals: Vitals, prefix = 'body.vitals'): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const bp = vitals.bloodPressure;
  if (bp !== undefined) {
    checkRange(issues, `${prefix}.bloodPressure.systolic`, 'systolic', bp.systolic, 'mm[Hg]');
    checkRange(issues, `${prefix}.bloodPressure.diastolic`, 'diastolic', bp.diastolic, 'mm[Hg]');
    if (issues.length === 0 && bp.diastolic >= bp.systolic) {
      issues.push({
        field: `${prefix}.bloodPressure.diastolic`,
        message: `Diastolic blood pressure ${bp.diastolic} must be below the systolic ${bp.systolic}`,
      });
    }
  }
  if (vitals.pulse !== undefined) checkRange(issues, `${prefix}.pulse`, 'pulse', vitals.pulse, '/min');
  if (vitals.spo2 !== undefined) checkRange(issues, `${prefix}.spo2`, 'spo2', vitals.spo2, '%');
  if (vitals.respiratoryRate !== undefined)
    checkRange(issues, `${prefix}.respiratoryRate`, 'respiratoryRate', vitals.respiratoryRate, '/min');
  for (const measure of ['temperature', 'weight', 'height', 'bloodGlucose'] as const) {
    const quantity = vitals[measure];
    if (quantity !== undefined)
      checkRange(issues, `${prefix}.${measure}.value`, measure, quantity.value, quantity.unit);
  }
  return issues;
}

/** The vitals with only the measures given, so that the stored record has no empty keys. */
export function compactVitals(vitals: Vitals): Vitals {
  return Object.fromEntries(Object.entries(vitals).filter(([, value]) => value !== undefined));
}
