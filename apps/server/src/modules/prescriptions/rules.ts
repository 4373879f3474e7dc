/**
 * The prescribing rules, checked when a doctor signs: each medicine's list (O, A, B,
 * prohibited) against the consultation's mode and type, and the patient's recorded allergies.
 * The lists and the classification are data of the country pack; this code only applies them.
 */
import type { FormularyMedicine, PrescribingList } from '../formulary/index.js';

export interface RuleViolation {
  /** 0-based item position in the request. */
  itemIndex: number;
  medicine: string;
  rule: string;
  message: string;
}

const MODE_WORDS: Record<string, string> = { video: 'video', audio: 'audio', text: 'text (chat)' };

export function checkPrescribingRules(
  medicines: { itemIndex: number; medicine: FormularyMedicine }[],
  lists: readonly PrescribingList[],
  consultation: { mode: string; type: 'first' | 'follow_up' },
): RuleViolation[] {
  const byCode = new Map(lists.map((list) => [list.code, list]));
  const violations: RuleViolation[] = [];
  for (const { itemIndex, medicine } of medicines) {
    const list = byCode.get(medicine.listCode);
    const label = `${medicine.name} (${medicine.form})`;
    const rule =
      list === undefined
        ? medicine.listCode
        : `${list.name}${medicine.listReason === null ? '' : `: ${medicine.listReason}`}`;
    if (list === undefined) {
      violations.push({
        itemIndex,
        medicine: label,
        rule,
        message: `${label} is on an unknown list ${medicine.listCode}`,
      });
      continue;
    }
    const allowed = consultation.type === 'first' ? list.firstModes : list.followUpModes;
    if (allowed.includes(consultation.mode as never)) continue;
    const kind = consultation.type === 'first' ? 'a first consultation' : 'a follow-up';
    const message =
      list.firstModes.length === 0 && list.followUpModes.length === 0
        ? `${label} may not be prescribed by teleconsultation (${rule}).`
        : allowed.length === 0
          ? `${label} may not be prescribed in ${kind} (${rule}); it is allowed only in a ${list.followUpModes.length > 0 ? 'follow-up' : 'first consultation'}.`
          : `${label} may not be prescribed in ${kind} by ${MODE_WORDS[consultation.mode] ?? consultation.mode} (${rule}); in ${kind} it needs ${allowed.map((mode) => MODE_WORDS[mode] ?? mode).join(' or ')}.`;
    violations.push({ itemIndex, medicine: label, rule, message });
  }
  return violations;
}

const normalise = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/s$/, '');

/**
 * Items the patient is recorded as allergic to: the allergy names the medicine (or a part of a
 * combination, e.g. amoxicillin in amoxicillin + clavulanic acid) or one of its groups
 * (penicillin, sulfa, NSAID ...).
 */
export function checkAllergies(
  medicines: { itemIndex: number; medicine: FormularyMedicine }[],
  allergies: readonly { substance: string }[],
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  for (const { itemIndex, medicine } of medicines) {
    const words = normalise(medicine.name);
    const parts = medicine.name
      .split(/\s*\+\s*|\s*\(|\)/)
      .map(normalise)
      .filter((part) => part !== '');
    const groups = medicine.allergyGroups.map(normalise);
    for (const allergy of allergies) {
      const substance = normalise(allergy.substance);
      if (substance === '') continue;
      const matches =
        words === substance || parts.includes(substance) || groups.includes(substance) || substance.includes(words);
      if (!matches) continue;
      const label = `${medicine.name} (${medicine.form})`;
      violations.push({
        itemIndex,
        medicine: label,
        rule: 'Recorded allergy',
        message: `The patient is recorded as allergic to ${allergy.substance}; ${label} is refused.`,
      });
      break;
    }
  }
  return violations;
}
