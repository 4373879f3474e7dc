import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  buildFormulary,
  parseModes,
  type FormularyMedicine,
  type FormularyRepository,
  type MedicineClass,
  type PrescribingList,
} from '../modules/formulary/index.js';
import type { GeographyRepository } from '../modules/geography/index.js';
import type { TerminologyRepository } from '../modules/terminology/index.js';

const REFERENCE_DIR = fileURLToPath(new URL('../../reference-data/', import.meta.url));

/** Splits one CSV line, honouring double quotes. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line.charAt(i);
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/** India's states and districts with their LGD codes (the country pack's geography). */
export async function loadIndiaGeography(repository: GeographyRepository): Promise<void> {
  const text = await readFile(`${REFERENCE_DIR}india-states-districts.csv`, 'utf8');
  const rows = text.trim().split(/\r?\n/).slice(1).map(parseCsvLine);
  const states = new Map<string, string>();
  const districts: { stateCode: string; code: string; name: string }[] = [];
  for (const [stateCode, stateName, districtCode, districtName] of rows) {
    if (stateCode === undefined || stateName === undefined || districtCode === undefined || districtName === undefined)
      continue;
    states.set(stateCode, stateName);
    districts.push({ stateCode, code: districtCode, name: districtName });
  }
  await repository.loadReference(
    { id: 'IN', name: 'India', timeZone: 'Asia/Kolkata' },
    [...states].map(([code, name]) => ({ code, name })),
    districts,
  );
}

/** Clinical specialities with SNOMED CT codes (blank where none was verified). */
export async function loadSpecialities(repository: TerminologyRepository): Promise<void> {
  const text = await readFile(`${REFERENCE_DIR}specialities.csv`, 'utf8');
  const rows = text.trim().split(/\r?\n/).slice(1).map(parseCsvLine);
  await repository.loadSpecialities(
    rows
      .filter((row) => row[0] !== undefined && row[1] !== undefined)
      .map(([code = '', name = '', nameHi, snomedCode, snomedDisplay]) => ({
        code,
        name,
        nameHi: nameHi || null,
        snomedCode: snomedCode || null,
        snomedDisplay: snomedDisplay || null,
      })),
  );
}

/** Reads a reference CSV: its data rows, split, without the header and blank lines. */
async function readReferenceCsv(file: string): Promise<string[][]> {
  const text = await readFile(`${REFERENCE_DIR}${file}`, 'utf8');
  return text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map(parseCsvLine);
}

/**
 * The clinical lists a consultation is coded with: chief complaints with SNOMED CT findings
 * (blank where no id was confirmed) and the primary-care ICD-10 diagnoses. Safe at every start.
 */
export async function loadClinicalTerms(repository: TerminologyRepository): Promise<void> {
  const complaints = await readReferenceCsv('chief-complaints.csv');
  await repository.loadComplaints(
    complaints
      .filter((row) => row[0] && row[1])
      .map(([code = '', name = '', nameHi, snomedCode, snomedDisplay, speciality, redFlag, verified]) => ({
        code,
        name,
        nameHi: nameHi || null,
        snomedCode: snomedCode || null,
        snomedDisplay: snomedDisplay || null,
        specialityCode: speciality || null,
        redFlag: redFlag === 'yes',
        verified: verified === 'yes',
      })),
  );
  const diagnoses = await readReferenceCsv('icd10-primary-care.csv');
  await repository.loadDiagnoses(
    diagnoses.filter((row) => row[0] && row[1]).map(([code = '', title = '']) => ({ code, title })),
  );
}

/**
 * The formulary (India: selected entries of NLEM 2022) and the prescribing rules as data: the
 * lists of the Telemedicine Practice Guidelines with the modes each allows, and which medicines
 * are on which list or in which allergy group. Safe at every start; a changed file takes effect.
 */
export async function readFormularyPack(): Promise<{ lists: PrescribingList[]; medicines: FormularyMedicine[] }> {
  const lists: PrescribingList[] = (await readReferenceCsv('prescribing-lists.csv'))
    .filter((row) => row[0])
    .map(([code = '', name = '', first = '', followUp = '', unlistedDefault, description = ''], index) => ({
      code,
      name,
      firstModes: parseModes(first),
      followUpModes: parseModes(followUp),
      unlistedDefault: unlistedDefault === 'yes',
      description,
      position: index + 1,
    }));
  const classes: MedicineClass[] = (await readReferenceCsv('tpg-medicine-classes.csv'))
    .filter((row) => row[0])
    .map(([medicine = '', form, list, ruleItem, groups]) => ({
      medicine,
      form: form || null,
      list: list || null,
      ruleItem: ruleItem || null,
      allergyGroups: (groups ?? '').split('|').filter((group) => group !== ''),
    }));
  const nlem = await readReferenceCsv('nlem-2022.csv');
  return { lists, medicines: buildFormulary(nlem, classes, lists) };
}

export async function loadFormulary(repository: FormularyRepository): Promise<void> {
  const { lists, medicines } = await readFormularyPack();
  await repository.load(lists, medicines);
}
