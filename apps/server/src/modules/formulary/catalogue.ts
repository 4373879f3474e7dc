/**
 * The country pack's formulary and prescribing rules, built from its CSV files: the essential
 * medicines list (one row per medicine with its dosage forms and strengths), the lists of the
 * prescribing rules with the modes and consultation types each allows, and the classification
 * of medicines into those lists (and into allergy groups). Pure functions; the loader reads
 * the files.
 */

export const ROUTES = [
  'oral',
  'sublingual',
  'topical',
  'ophthalmic',
  'otic',
  'nasal',
  'inhalation',
  'rectal',
  'vaginal',
  'injection',
  'device',
] as const;
export type MedicineRoute = (typeof ROUTES)[number];

export const PRESCRIBING_MODES = ['video', 'audio', 'text'] as const;
export type PrescribingMode = (typeof PRESCRIBING_MODES)[number];

export interface PrescribingList {
  code: string;
  name: string;
  firstModes: PrescribingMode[];
  followUpModes: PrescribingMode[];
  unlistedDefault: boolean;
  description: string;
  position: number;
}

export interface FormularyMedicine {
  code: string;
  name: string;
  form: string;
  strengths: string[];
  route: MedicineRoute;
  section: string;
  level: string;
  notes: string | null;
  listCode: string;
  listReason: string | null;
  allergyGroups: string[];
  position: number;
}

/** One row of the classification: a medicine (and optionally its forms) put on a list or in allergy groups. */
export interface MedicineClass {
  medicine: string;
  form: string | null;
  list: string | null;
  ruleItem: string | null;
  allergyGroups: string[];
}

export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The route a dosage form is given by, read from the form's words. */
export function routeOfForm(form: string, section: string): MedicineRoute {
  const f = form.toLowerCase();
  if (/\beye\b/.test(f) || section.toLowerCase().includes('ophthalm')) return 'ophthalmic';
  if (/\bear\b/.test(f)) return 'otic';
  if (/\bnasal\b/.test(f)) return 'nasal';
  if (/inhalation|respule|respirator/.test(f)) return 'inhalation';
  if (/sublingual/.test(f)) return 'sublingual';
  if (/suppositor/.test(f)) return 'rectal';
  if (/vaginal/.test(f)) return 'vaginal';
  if (/inject/.test(f)) return 'injection';
  if (/device/.test(f)) return 'device';
  if (/cream|ointment|lotion|gel|topical/.test(f)) return 'topical';
  if (/^solution/.test(f) && /disinfect|antisept|dermat/i.test(section)) return 'topical';
  return 'oral';
}

/**
 * Splits an NLEM "dosage form and strength" cell into forms with their strengths:
 * "Tablet 500 mg, 650 mg; Oral liquid 120 mg/5 ml" → Tablet [500 mg, 650 mg], Oral liquid [120 mg/5 ml].
 */
export function splitForms(cell: string): { form: string; strengths: string[] }[] {
  return cell
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const digit = part.search(/\d/);
      if (digit <= 0) return { form: part, strengths: [] };
      const form = part.slice(0, digit).trim();
      const strengths = part
        .slice(digit)
        .split(/,\s*(?=\d)/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
      return { form: form === '' ? part : form, strengths };
    });
}

export function parseModes(cell: string): PrescribingMode[] {
  return cell
    .split('|')
    .map((mode) => mode.trim())
    .filter((mode): mode is PrescribingMode => (PRESCRIBING_MODES as readonly string[]).includes(mode));
}

/**
 * Builds the formulary: each medicine in each form once (a medicine listed in two sections
 * keeps the first and gains the other's strengths), classified into the rules' lists. A medicine
 * no class names goes on the list marked as the default for unlisted medicines.
 */
export function buildFormulary(
  nlemRows: string[][],
  classes: MedicineClass[],
  lists: PrescribingList[],
): FormularyMedicine[] {
  const fallback = lists.find((list) => list.unlistedDefault);
  if (fallback === undefined) throw new Error('The prescribing lists name no default list for unlisted medicines');
  const known = new Set(lists.map((list) => list.code));
  for (const entry of classes) {
    if (entry.list !== null && !known.has(entry.list))
      throw new Error(`The classification of ${entry.medicine} names an unknown list ${entry.list}`);
  }
  const byCode = new Map<string, FormularyMedicine>();
  for (const [section = '', name = '', forms = '', level = '', notes = ''] of nlemRows) {
    if (name.trim() === '') continue;
    for (const { form, strengths } of splitForms(forms)) {
      const code = slug(`${name} ${form}`);
      const existing = byCode.get(code);
      if (existing !== undefined) {
        for (const strength of strengths) if (!existing.strengths.includes(strength)) existing.strengths.push(strength);
        continue;
      }
      const matching = classes.filter(
        (entry) =>
          entry.medicine.toLowerCase() === name.trim().toLowerCase() &&
          (entry.form === null || form.toLowerCase().startsWith(entry.form.toLowerCase())),
      );
      const listed = matching.find((entry) => entry.list !== null);
      byCode.set(code, {
        code,
        name: name.trim(),
        form,
        strengths: [...strengths],
        route: routeOfForm(form, section),
        section: section.trim(),
        level: level.trim(),
        notes: notes.trim() === '' ? null : notes.trim(),
        listCode: listed?.list ?? fallback.code,
        listReason: listed?.ruleItem ?? null,
        allergyGroups: [...new Set(matching.flatMap((entry) => entry.allergyGroups))],
        position: byCode.size + 1,
      });
    }
  }
  return [...byCode.values()];
}
