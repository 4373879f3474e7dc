import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsvLine, readFormularyPack } from '../../seed/reference.js';
import { buildFormulary, routeOfForm, splitForms, type PrescribingList } from './catalogue.js';

const lists: PrescribingList[] = [
  {
    code: 'O',
    name: 'List O',
    firstModes: ['video', 'audio', 'text'],
    followUpModes: ['video', 'audio', 'text'],
    unlistedDefault: false,
    description: '',
    position: 1,
  },
  {
    code: 'A',
    name: 'List A',
    firstModes: ['video'],
    followUpModes: ['video', 'audio', 'text'],
    unlistedDefault: true,
    description: '',
    position: 2,
  },
];

describe('the formulary built from the country pack', () => {
  it('splits a list cell into forms and strengths', () => {
    expect(splitForms('Tablet 500 mg, 650 mg; Oral liquid 120 mg/5 ml; Injection 150 mg/ml')).toEqual([
      { form: 'Tablet', strengths: ['500 mg', '650 mg'] },
      { form: 'Oral liquid', strengths: ['120 mg/5 ml'] },
      { form: 'Injection', strengths: ['150 mg/ml'] },
    ]);
    expect(splitForms('Tablet 400 mg + 80 mg, 800 mg + 160 mg')[0]?.strengths).toEqual([
      '400 mg + 80 mg',
      '800 mg + 160 mg',
    ]);
    expect(splitForms('Powder for solution (WHO low-osmolarity formula)')).toEqual([
      { form: 'Powder for solution (WHO low-osmolarity formula)', strengths: [] },
    ]);
    expect(routeOfForm('Eye drops', '22 Ophthalmological medicines')).toBe('ophthalmic');
    expect(routeOfForm('Ear drops', '17 Ear, nose and throat medicines')).toBe('otic');
    expect(routeOfForm('Cream', '12 Dermatological medicines (topical)')).toBe('topical');
    expect(routeOfForm('Powder for injection', '6 Anti-infective medicines')).toBe('injection');
  });

  it('merges a medicine listed in two sections and puts unlisted medicines on the default list', () => {
    const medicines = buildFormulary(
      [
        ['2 Analgesics', 'Acetylsalicylic acid', 'Tablet 300-500 mg', 'P,S,T', ''],
        ['11 Cardiovascular medicines', 'Acetylsalicylic acid', 'Tablet 75 mg, 150 mg (antiplatelet)', 'P,S,T', ''],
        ['2 Analgesics', 'Paracetamol', 'Tablet 500 mg', 'P,S,T', ''],
      ],
      [{ medicine: 'Paracetamol', form: null, list: 'O', ruleItem: 'Paracetamol', allergyGroups: [] }],
      lists,
    );
    expect(medicines.map((m) => [m.code, m.strengths, m.listCode])).toEqual([
      ['acetylsalicylic-acid-tablet', ['300-500 mg', '75 mg', '150 mg (antiplatelet)'], 'A'],
      ['paracetamol-tablet', ['500 mg'], 'O'],
    ]);
    expect(() =>
      buildFormulary([], [{ medicine: 'X', form: null, list: 'Z', ruleItem: null, allergyGroups: [] }], lists),
    ).toThrow(/unknown list Z/);
  });

  it("classifies every medicine the rules' data names (no typo leaves one on the default list)", async () => {
    const pack = await readFormularyPack();
    const file = fileURLToPath(new URL('../../../reference-data/tpg-medicine-classes.csv', import.meta.url));
    const rows = (await readFile(file, 'utf8')).trim().split('\n').slice(1).map(parseCsvLine);
    for (const [medicine = '', form = ''] of rows) {
      const matches = pack.medicines.filter(
        (m) => m.name === medicine && (form === '' || m.form.toLowerCase().startsWith(form.toLowerCase())),
      );
      expect(matches.length, `${medicine} ${form}`).toBeGreaterThan(0);
    }
    expect(pack.medicines.length).toBeGreaterThan(250);
    const byCode = new Map(pack.medicines.map((m) => [m.code, m]));
    expect(byCode.get('clotrimazole-cream')?.listCode).toBe('A');
    expect(byCode.get('clotrimazole-vaginal-tablet')?.listCode).toBe('A');
    expect(byCode.get('morphine-injection')?.listCode).toBe('prohibited');
    expect(byCode.get('amoxicillin-clavulanic-acid-tablet')?.allergyGroups).toEqual(['penicillin']);
  });
});
