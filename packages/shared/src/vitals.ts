/**
 * The widest values a living patient in a teleconsultation can have, per UCUM unit. They catch
 * typing slips (SpO2 140, systolic 20, 98.6 entered as °C), not clinical abnormality: a value
 * inside the range may still be alarming. The server refuses values outside them and the web
 * form says so before sending.
 */
export const VITAL_RANGES = {
  systolic: { 'mm[Hg]': [50, 300] },
  diastolic: { 'mm[Hg]': [20, 200] },
  pulse: { '/min': [20, 250] },
  spo2: { '%': [50, 100] },
  respiratoryRate: { '/min': [4, 80] },
  temperature: { Cel: [30, 45], '[degF]': [86, 113] },
  weight: { kg: [0.3, 350], '[lb_av]': [0.7, 770] },
  height: { cm: [20, 250], '[in_i]': [8, 100] },
  bloodGlucose: { 'mg/dL': [10, 1000], 'mmol/L': [0.5, 55] },
} as const satisfies Record<string, Record<string, readonly [number, number]>>;
