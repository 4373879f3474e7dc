import { createHash, randomFillSync } from 'node:crypto';
import { INDIAN_MOBILE_PATTERN, normaliseIndianMobile } from '@sanjog/shared';
import type { StateScope } from '../../platform/auth.js';
import { FACILITY_KINDS, HFR_ID_PATTERN, type FacilityKind } from '../facilities/index.js';
import { HPR_ID_PATTERN, PRACTITIONER_ROLE_KINDS, type PractitionerRoleKind } from '../practitioners/index.js';

/**
 * The three CSV files of the care network, their columns and the checks of one row. Everything
 * here is pure: the checks that need the database (references, other states) are in service.ts.
 *
 * Common rules: the first line names the columns (any order; case, spaces and hyphens are
 * ignored: `Registry ID` = `registry_id`); unknown columns are refused; optional columns may be
 * left out, and an empty or left-out value means "none" (a re-import clears it). Lists are
 * separated by `;`. Booleans are true/false, yes/no, y/n or 1/0; empty means true.
 */

export const IMPORT_KINDS = ['facilities', 'practitioners', 'mappings'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ColumnSpec {
  name: string;
  required: boolean;
  description: string;
}

const col = (name: string, required: boolean, description: string): ColumnSpec => ({ name, required, description });

const STATE_CODE = col('state_code', true, 'LGD state code, e.g. 9 or 09 (or the state id IN-09)');
const LANGUAGES = col('languages', false, 'ISO 639 language codes separated by ;, e.g. hi;en');

/**
 * facilities.csv: one row per facility; the natural key is `registry_id` (the HFR id), so that
 * a re-import updates the same facility. A facility cannot move to another state by import.
 */
export const FACILITY_COLUMNS: readonly ColumnSpec[] = [
  col('registry_id', true, 'HFR facility id: IN followed by 10 digits (the key)'),
  col('name', true, '2 to 200 characters'),
  col('kind', true, FACILITY_KINDS.join(' | ')),
  col('subtype', false, 'e.g. SC, PHC, UPHC, CHC, HWC, DH, MC (at most 20 characters)'),
  STATE_CODE,
  col('district_code', true, 'LGD district code of that state, e.g. 140 (or the district id IN-09-140)'),
  col('address_line', false, 'at most 300 characters'),
  col('city', false, 'at most 100 characters'),
  col('pincode', false, '6 digits'),
  col('latitude', false, 'decimal degrees, -90 to 90'),
  col('longitude', false, 'decimal degrees, -180 to 180'),
  LANGUAGES,
  col('phone', false, '6 to 20 of: digits, +, space, -'),
  col('active', false, 'true/false; empty = true'),
];

/**
 * practitioners.csv: one row per practitioner, facility and role; the natural key of a
 * practitioner is `registry_id` (the HPR id). The rows of one practitioner must follow each other
 * and repeat the same practitioner columns. Together they list all of the practitioner's roles at
 * facilities in your states: a role there that the file does not list is made inactive (kept for
 * history). A practitioner with no role has one row with `facility_registry_id` and `role` empty.
 */
export const PRACTITIONER_COLUMNS: readonly ColumnSpec[] = [
  col('registry_id', true, 'HPR id: 14 digits (the key)'),
  col('name', true, '2 to 200 characters'),
  col('gender', true, 'female | male | other | unknown'),
  col('qualification', false, 'e.g. MBBS, MD (Medicine); at most 200 characters'),
  col('registration_council', false, 'e.g. UPMC; at most 100 characters'),
  col('registration_number', false, 'at most 50 characters; unique with the council'),
  STATE_CODE,
  LANGUAGES,
  col('specialities', false, 'speciality codes separated by ;, e.g. general_medicine;paediatrics'),
  col('mobile', false, '10-digit Indian mobile number'),
  col('active', false, 'true/false; empty = true'),
  col('facility_registry_id', false, 'HFR id of the facility of this role (an existing facility)'),
  col('role', false, PRACTITIONER_ROLE_KINDS.join(' | ')),
  col('role_specialities', false, 'speciality codes of this role, separated by ;'),
];

/**
 * mappings.csv: which hubs serve a spoke for a speciality, in order. The rows of one spoke and
 * speciality must follow each other with ranks 1, 2, 3 ... in order; they replace that spoke's
 * current list for that speciality (the old rows are closed, never deleted). Spoke and hub must
 * exist already, in the same state; the hub must be an active hub.
 */
export const MAPPING_COLUMNS: readonly ColumnSpec[] = [
  col('spoke_registry_id', true, 'HFR id of the spoke'),
  col('speciality_code', true, 'speciality code, e.g. general_medicine'),
  col('hub_registry_id', true, 'HFR id of the hub'),
  col('rank', true, '1 = first choice, then 2, 3 ... (at most 20)'),
];

export const COLUMNS: Record<ImportKind, readonly ColumnSpec[]> = {
  facilities: FACILITY_COLUMNS,
  practitioners: PRACTITIONER_COLUMNS,
  mappings: MAPPING_COLUMNS,
};

/** The header of a kind, ready to paste as the first line of a file. */
export function headerLine(kind: ImportKind): string {
  return COLUMNS[kind].map((c) => c.name).join(',');
}

/** The columns as a Markdown list, for the API documentation. */
export function describeColumns(kind: ImportKind): string {
  return COLUMNS[kind].map((c) => `- \`${c.name}\`${c.required ? ' (required)' : ''}: ${c.description}`).join('\n');
}

/** One problem with the file: a line (1 = the header; 0 = the file as a whole), a column, a reason. */
export interface RowError {
  line: number;
  field: string;
  reason: string;
}

export interface Problem {
  field: string;
  reason: string;
}

/** Reference data a row is checked against, loaded once per import. */
export interface ReferenceData {
  /** LGD state code without padding ('9') → state id ('IN-09'), and state id → itself. */
  states: Map<string, string>;
  districts: Set<string>;
  specialities: Set<string>;
  scope: StateScope;
}

export interface Header {
  index: Map<string, number>;
  width: number;
}

const canonical = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Maps the header line to column positions; every problem is reported on line 1. */
export function readHeader(kind: ImportKind, fields: string[]): { header: Header; problems: Problem[] } {
  const known = new Set(COLUMNS[kind].map((c) => c.name));
  const index = new Map<string, number>();
  const problems: Problem[] = [];
  fields.forEach((raw, i) => {
    const name = canonical(raw);
    if (name === '' && i === fields.length - 1 && fields.length > 1) return; // a trailing comma
    if (!known.has(name)) problems.push({ field: raw.trim(), reason: `Unknown column; expected: ${headerLine(kind)}` });
    else if (index.has(name)) problems.push({ field: name, reason: 'This column appears twice' });
    else index.set(name, i);
  });
  for (const column of COLUMNS[kind]) {
    if (column.required && !index.has(column.name))
      problems.push({ field: column.name, reason: 'Required column missing' });
  }
  return { header: { index, width: fields.length }, problems };
}

/** Reads the trimmed values of one record by column name. */
export type Cells = (column: string) => string;

export function cellsOf(header: Header, fields: string[]): Cells {
  return (column) => {
    const i = header.index.get(column);
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };
}

/** Checks the number of fields; a record of another width cannot be read column by column. */
export function widthProblem(header: Header, fields: string[]): Problem | undefined {
  // A trailing empty field beyond the header (a trailing comma) is tolerated.
  if (fields.length === header.width || (fields.length === header.width + 1 && fields.at(-1) === '')) return undefined;
  return { field: 'row', reason: `Expected ${header.width} fields, found ${fields.length}` };
}

const PINCODE = /^[0-9]{6}$/;
const PHONE = /^[0-9+ -]{6,20}$/;
const LANGUAGE = /^[a-z]{2,3}$/;
const SPECIALITY = /^[a-z0-9_]{1,60}$/;
const MOBILE = new RegExp(INDIAN_MOBILE_PATTERN);

class RowReader {
  readonly problems: Problem[] = [];
  constructor(readonly cells: Cells) {}

  fail(field: string, reason: string): void {
    this.problems.push({ field, reason });
  }

  required(column: string, max: number): string {
    const value = this.cells(column);
    if (value === '') this.fail(column, 'Required');
    else if (value.length > max) this.fail(column, `At most ${max} characters`);
    return value;
  }

  optional(column: string, max: number): string | null {
    const value = this.cells(column);
    if (value === '') return null;
    if (value.length > max) this.fail(column, `At most ${max} characters`);
    return value;
  }

  name(column: string): string {
    const value = this.required(column, 200).replace(/\s+/g, ' ');
    if (value !== '' && value.length < 2) this.fail(column, 'At least 2 characters');
    return value;
  }

  pattern(column: string, pattern: RegExp, reason: string): string | null {
    const value = this.cells(column);
    if (value === '') return null;
    if (!pattern.test(value)) this.fail(column, reason);
    return value;
  }

  number(column: string, min: number, max: number): number | null {
    const value = this.cells(column);
    if (value === '') return null;
    const number = Number(value);
    if (!/^[-+]?[0-9]*\.?[0-9]+$/.test(value) || number < min || number > max) {
      this.fail(column, `A number from ${min} to ${max}`);
      return null;
    }
    return number;
  }

  boolean(column: string): boolean {
    const value = this.cells(column).toLowerCase();
    if (value === '' || value === 'true' || value === 'yes' || value === 'y' || value === '1') return true;
    if (value === 'false' || value === 'no' || value === 'n' || value === '0') return false;
    this.fail(column, 'true or false');
    return true;
  }

  oneOf<T extends string>(column: string, values: readonly T[]): T {
    const value = this.cells(column).toLowerCase();
    if (value === '') this.fail(column, 'Required');
    else if (!(values as readonly string[]).includes(value)) this.fail(column, `One of: ${values.join(', ')}`);
    return value as T;
  }

  list(column: string, pattern: RegExp, what: string, max = 20, lowerCase = false): string[] {
    const text = this.cells(column);
    if (text === '') return [];
    const value = lowerCase ? text.toLowerCase() : text;
    const items = [
      ...new Set(
        value
          .split(';')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      ),
    ];
    const bad = items.filter((item) => !pattern.test(item));
    if (bad.length > 0) this.fail(column, `Not ${what}: ${bad.join(', ')}`);
    if (items.length > max) this.fail(column, `At most ${max} items`);
    return items;
  }

  /** Language codes are lower case; "HI; En" is read as hi;en. */
  languages(column = 'languages'): string[] {
    return this.list(column, LANGUAGE, 'ISO 639 codes (2 or 3 letters)', 20, true);
  }

  specialities(column: string, known: Set<string>): string[] {
    const codes = this.list(column, SPECIALITY, 'speciality codes');
    const unknown = codes.filter((code) => SPECIALITY.test(code) && !known.has(code));
    if (unknown.length > 0) this.fail(column, `Unknown speciality code: ${unknown.join(', ')}`);
    return codes;
  }

  /** The state id of `state_code`, which must be one of the caller's states. */
  state(reference: ReferenceData): string {
    const value = this.cells('state_code');
    if (value === '') {
      this.fail('state_code', 'Required');
      return '';
    }
    const stateId = reference.states.get(value.toUpperCase()) ?? reference.states.get(lgdStateKey(value));
    if (stateId === undefined) {
      this.fail('state_code', `Unknown state code ${value}`);
      return '';
    }
    const { scope } = reference;
    if (!scope.all && !scope.stateIds.includes(stateId)) {
      this.fail('state_code', `State ${stateId} is not one of yours (${scope.stateIds.join(', ')})`);
    }
    return stateId;
  }
}

export function lgdStateKey(code: string): string {
  return code.replace(/^0+(?=.)/, '');
}

export interface FacilityImportRow {
  id: string;
  registryId: string;
  name: string;
  kind: FacilityKind;
  subtype: string | null;
  stateId: string;
  districtId: string;
  addressLine: string | null;
  city: string | null;
  pincode: string | null;
  latitude: number | null;
  longitude: number | null;
  languages: string[];
  phone: string | null;
  active: boolean;
}

export function readFacility(cells: Cells, reference: ReferenceData): { row: FacilityImportRow; problems: Problem[] } {
  const r = new RowReader(cells);
  const registryId = r.cells('registry_id').toUpperCase();
  if (registryId === '') r.fail('registry_id', 'Required');
  else if (!HFR_ID_PATTERN.test(registryId)) r.fail('registry_id', 'An HFR id is IN followed by 10 digits');
  const name = r.name('name');
  const kind = r.oneOf('kind', FACILITY_KINDS);
  const subtype = r.optional('subtype', 20);
  const stateId = r.state(reference);
  const district = r.cells('district_code');
  let districtId = '';
  if (district === '') r.fail('district_code', 'Required');
  else if (stateId !== '') {
    districtId = district.toUpperCase().startsWith('IN-') ? district.toUpperCase() : `${stateId}-${district}`;
    if (!districtId.startsWith(`${stateId}-`) || !reference.districts.has(districtId)) {
      r.fail('district_code', `No district ${district} in state ${stateId}`);
    }
  }
  const row: FacilityImportRow = {
    id: stableId('facility', registryId),
    registryId,
    name,
    kind,
    subtype,
    stateId,
    districtId,
    addressLine: r.optional('address_line', 300),
    city: r.optional('city', 100),
    pincode: r.pattern('pincode', PINCODE, '6 digits'),
    latitude: r.number('latitude', -90, 90),
    longitude: r.number('longitude', -180, 180),
    languages: r.languages(),
    phone: r.pattern('phone', PHONE, '6 to 20 of: digits, +, space, -'),
    active: r.boolean('active'),
  };
  return { row, problems: r.problems };
}

export type Gender = 'female' | 'male' | 'other' | 'unknown';
const GENDERS = ['female', 'male', 'other', 'unknown'] as const;

export interface PractitionerImportRow {
  id: string;
  registryId: string;
  name: string;
  gender: Gender;
  qualification: string | null;
  registrationCouncil: string | null;
  registrationNumber: string | null;
  stateId: string;
  languages: string[];
  specialities: string[];
  mobile: string | null;
  active: boolean;
  /** The role of this row, if it has one. */
  role: { facilityRegistryId: string; role: PractitionerRoleKind; specialities: string[] } | null;
}

/** The practitioner columns that every row of one practitioner must repeat, for comparison. */
export const PRACTITIONER_FIELDS = [
  'name',
  'gender',
  'qualification',
  'registrationCouncil',
  'registrationNumber',
  'stateId',
  'languages',
  'specialities',
  'mobile',
  'active',
] as const;

const FIELD_COLUMN: Record<(typeof PRACTITIONER_FIELDS)[number], string> = {
  name: 'name',
  gender: 'gender',
  qualification: 'qualification',
  registrationCouncil: 'registration_council',
  registrationNumber: 'registration_number',
  stateId: 'state_code',
  languages: 'languages',
  specialities: 'specialities',
  mobile: 'mobile',
  active: 'active',
};

/** The practitioner columns in which two rows of one practitioner differ. */
export function practitionerDifferences(a: PractitionerImportRow, b: PractitionerImportRow): string[] {
  return PRACTITIONER_FIELDS.filter((field) => {
    const x = a[field];
    const y = b[field];
    return Array.isArray(x) && Array.isArray(y) ? x.join(';') !== y.join(';') : x !== y;
  }).map((field) => FIELD_COLUMN[field]);
}

export function readPractitioner(
  cells: Cells,
  reference: ReferenceData,
): { row: PractitionerImportRow; problems: Problem[] } {
  const r = new RowReader(cells);
  const registryId = r.cells('registry_id').replace(/[\s-]/g, '');
  if (registryId === '') r.fail('registry_id', 'Required');
  else if (!HPR_ID_PATTERN.test(registryId)) r.fail('registry_id', 'An HPR id is 14 digits');
  const name = r.name('name');
  const gender = r.oneOf('gender', GENDERS);
  const qualification = r.optional('qualification', 200);
  const registrationCouncil = r.optional('registration_council', 100);
  const registrationNumber = r.optional('registration_number', 50);
  const stateId = r.state(reference);
  const languages = r.languages();
  const specialities = r.specialities('specialities', reference.specialities);
  let mobile: string | null = null;
  if (r.cells('mobile') !== '') {
    mobile = normaliseIndianMobile(r.cells('mobile'));
    if (!MOBILE.test(mobile)) r.fail('mobile', 'A 10-digit Indian mobile number');
  }
  const active = r.boolean('active');
  const facilityRegistryId = r.cells('facility_registry_id').toUpperCase();
  const roleName = r.cells('role');
  let role: PractitionerImportRow['role'] = null;
  if (facilityRegistryId !== '' || roleName !== '') {
    if (facilityRegistryId === '') r.fail('facility_registry_id', 'Required with a role');
    else if (!HFR_ID_PATTERN.test(facilityRegistryId))
      r.fail('facility_registry_id', 'An HFR id is IN followed by 10 digits');
    const kind = r.oneOf('role', PRACTITIONER_ROLE_KINDS);
    role = {
      facilityRegistryId,
      role: kind,
      specialities: r.specialities('role_specialities', reference.specialities),
    };
  } else if (r.cells('role_specialities') !== '') {
    r.fail('role_specialities', 'Only with a facility and role');
  }
  const row: PractitionerImportRow = {
    id: stableId('practitioner', registryId),
    registryId,
    name,
    gender,
    qualification,
    registrationCouncil,
    registrationNumber,
    stateId,
    languages,
    specialities,
    mobile,
    active,
    role,
  };
  return { row, problems: r.problems };
}

export interface MappingImportRow {
  spokeRegistryId: string;
  specialityCode: string;
  hubRegistryId: string;
  rank: number;
}

export function readMapping(cells: Cells, reference: ReferenceData): { row: MappingImportRow; problems: Problem[] } {
  const r = new RowReader(cells);
  const facility = (column: string) => {
    const value = r.cells(column).toUpperCase();
    if (value === '') r.fail(column, 'Required');
    else if (!HFR_ID_PATTERN.test(value)) r.fail(column, 'An HFR id is IN followed by 10 digits');
    return value;
  };
  const spokeRegistryId = facility('spoke_registry_id');
  const specialityCode = r.cells('speciality_code');
  if (specialityCode === '') r.fail('speciality_code', 'Required');
  else if (!reference.specialities.has(specialityCode))
    r.fail('speciality_code', `Unknown speciality code ${specialityCode}`);
  const hubRegistryId = facility('hub_registry_id');
  const rankText = r.cells('rank');
  const rank = Number(rankText);
  if (rankText === '') r.fail('rank', 'Required');
  else if (!/^[0-9]{1,2}$/.test(rankText) || rank < 1 || rank > 20) r.fail('rank', 'A whole number from 1 to 20');
  return { row: { spokeRegistryId, specialityCode, hubRegistryId, rank }, problems: r.problems };
}

/**
 * A UUID (version 5, RFC 9562) derived from a natural key, so that a facility or practitioner
 * created by import has the same id in every environment the same file is loaded into.
 */
const NAMESPACE = Buffer.from('6f1c2a4e8b3d4f0a9c5e7d2b1a3f4e5d', 'hex');

export function stableId(kind: string, key: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${kind}:${key}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes.writeUInt8(((bytes.readUInt8(6) & 0x0f) | 0x50) >>> 0, 6);
  bytes.writeUInt8(((bytes.readUInt8(8) & 0x3f) | 0x80) >>> 0, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let lastMillis = 0;
let sequence = 0;
const randomPool = Buffer.alloc(8 * 4096);
let randomAt = randomPool.length;

/**
 * A time-ordered UUID (version 7, RFC 9562) for rows without a natural key (roles, mapping
 * rows). Ids made one after another sort together, so a batch of inserts touches a few pages
 * of the primary key index instead of one page per row.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now > lastMillis) {
    lastMillis = now;
    sequence = 0;
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMillis += 1;
      sequence = 0;
    }
  }
  if (randomAt + 8 > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(lastMillis, 0, 6);
  bytes.writeUInt16BE(0x7000 | sequence, 6);
  randomPool.copy(bytes, 8, randomAt, randomAt + 8);
  randomAt += 8;
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
