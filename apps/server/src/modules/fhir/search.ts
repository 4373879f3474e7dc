import { operationOutcome } from '@sanjog/shared';
import { AppError, badRequest } from '../../platform/errors.js';
import type { DirectoryType } from './constants.js';

/**
 * FHIR search for the directory: which parameters each resource type takes (this table also
 * writes the CapabilityStatement) and the parsing of a query string into typed criteria. Pure:
 * no SQL and no HTTP; invalid input is an AppError carrying an OperationOutcome.
 */

export type ParamType = 'token' | 'string' | 'reference' | 'date';

export interface ParamDefinition {
  type: ParamType;
  /** The FHIR core SearchParameter this one implements, when there is one. */
  definition?: string;
  documentation: string;
  /** Modifiers accepted after a colon, e.g. `name:contains`. */
  modifiers?: readonly string[];
  /** For references: the resource type they point to. */
  target?: DirectoryType;
}

const SP = 'http://hl7.org/fhir/SearchParameter/';

const id: ParamDefinition = {
  type: 'token',
  definition: `${SP}Resource-id`,
  documentation: 'The logical id; several may be given, comma-separated.',
};
const lastUpdated: ParamDefinition = {
  type: 'date',
  definition: `${SP}Resource-lastUpdated`,
  documentation:
    'meta.lastUpdated, with the prefixes eq (default), ne, gt, ge, lt and le; repeat the parameter for a range. A date or time without a zone is UTC.',
};
const name = (type: DirectoryType, what: string): ParamDefinition => ({
  type: 'string',
  definition: `${SP}${type}-name`,
  modifiers: ['contains', 'exact'],
  documentation: `${what} starts with the text (case-insensitive); name:contains matches anywhere, name:exact matches exactly.`,
});
const token = (definition: string, documentation: string): ParamDefinition => ({
  type: 'token',
  definition: `${SP}${definition}`,
  documentation,
});
const reference = (definition: string, target: DirectoryType, documentation: string): ParamDefinition => ({
  type: 'reference',
  definition: `${SP}${definition}`,
  target,
  documentation,
});

export const SEARCH_PARAMETERS: Readonly<Record<DirectoryType, Readonly<Record<string, ParamDefinition>>>> = {
  Organization: {
    _id: id,
    _lastUpdated: lastUpdated,
    name: name('Organization', 'The name'),
    identifier: token(
      'Organization-identifier',
      'system|value or value: the HFR id (https://facility.abdm.gov.in), our facility id (urn:sanjog:facility) or a state id (urn:sanjog:state).',
    ),
    type: token(
      'Organization-type',
      'The facility kind (spoke, hub, opd, referral, pharmacy), its subtype (PHC, CHC, ...), or the mCSD type facility or jurisdiction.',
    ),
    partof: reference('Organization-partof', 'Organization', 'The state-level Organization a facility belongs to.'),
    active: token('Organization-active', 'true or false.'),
  },
  Location: {
    _id: id,
    _lastUpdated: lastUpdated,
    name: name('Location', 'The name'),
    identifier: token('Location-identifier', 'system|value or value: the HFR id or our facility id.'),
    type: token('Location-type', 'The facility kind or subtype, or the mCSD type facility.'),
    organization: reference('Location-organization', 'Organization', 'The managing Organization.'),
    status: token('Location-status', 'active or inactive.'),
  },
  Practitioner: {
    _id: id,
    _lastUpdated: lastUpdated,
    name: {
      ...name('Practitioner', 'A word of the name'),
      documentation:
        'A word of the name starts with the text (case-insensitive); name:contains matches anywhere, name:exact matches the whole name.',
    },
    identifier: token(
      'Practitioner-identifier',
      'system|value or value: the HPR id (https://hpr.abdm.gov.in), the council registration number (urn:sanjog:council-registration) or our id (urn:sanjog:practitioner).',
    ),
    gender: token('individual-gender', 'female, male, other or unknown.'),
    active: token('Practitioner-active', 'true or false.'),
  },
  PractitionerRole: {
    _id: id,
    _lastUpdated: lastUpdated,
    practitioner: reference('PractitionerRole-practitioner', 'Practitioner', 'The practitioner.'),
    organization: reference('PractitionerRole-organization', 'Organization', 'The facility, as an Organization.'),
    location: reference('PractitionerRole-location', 'Location', 'The facility, as a Location.'),
    role: token(
      'PractitionerRole-role',
      'The role: hub_doctor, opd_doctor, spoke_operator, specialist, pharmacist or coordinator.',
    ),
    specialty: token(
      'PractitionerRole-specialty',
      'A SNOMED CT code (http://snomed.info/sct|394579002) or our speciality code (e.g. cardiology).',
    ),
    active: token('PractitionerRole-active', 'true or false.'),
  },
  HealthcareService: {
    _id: id,
    _lastUpdated: lastUpdated,
    name: name('HealthcareService', 'The name'),
    identifier: token('HealthcareService-identifier', 'Our id (urn:sanjog:healthcare-service).'),
    'service-type': token('HealthcareService-service-type', 'online-opd or hub-teleconsultation.'),
    type: {
      type: 'token',
      documentation: 'The same as service-type (an alias kept for clients that say type).',
    },
    organization: reference('HealthcareService-organization', 'Organization', 'The facility providing it.'),
    location: reference('HealthcareService-location', 'Location', 'Where it is offered.'),
    specialty: token('HealthcareService-specialty', 'A SNOMED CT code or our speciality code.'),
    active: token('HealthcareService-active', 'true or false.'),
  },
};

/** What `_include` may follow for each type: `Type:param` → the target type. */
export const INCLUDES: Readonly<Record<DirectoryType, Readonly<Record<string, DirectoryType>>>> = {
  Organization: { 'Organization:partof': 'Organization' },
  Location: { 'Location:organization': 'Organization' },
  Practitioner: {},
  PractitionerRole: {
    'PractitionerRole:practitioner': 'Practitioner',
    'PractitionerRole:organization': 'Organization',
    'PractitionerRole:location': 'Location',
  },
  HealthcareService: {
    'HealthcareService:organization': 'Organization',
    'HealthcareService:location': 'Location',
  },
};

/** Parameters that shape the result rather than select. */
export const RESULT_PARAMETERS = ['_count', '_total', '_cursor', '_format', '_include'] as const;

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 200;

export interface Token {
  /** undefined: any system; '': explicitly no system (`|code`). */
  system: string | undefined;
  code: string;
}

/** A time range: `from` inclusive, `to` exclusive; `negate` for ne. */
export interface DateRange {
  from?: Date | undefined;
  to?: Date | undefined;
  negate: boolean;
}

/** One search criterion; all criteria must hold, the values within one are alternatives. */
export type ParsedCriterion =
  | { param: '_id'; values: string[] }
  | { param: '_lastUpdated'; ranges: DateRange[] }
  | { param: 'name'; mode: 'starts' | 'contains' | 'exact'; values: string[] }
  | { param: 'active'; values: boolean[] }
  | { param: 'identifier' | 'type' | 'role' | 'gender'; tokens: Token[] }
  | { param: 'specialty'; tokens: Token[] }
  | { param: 'partof' | 'organization' | 'location' | 'practitioner'; ids: string[] };

/** A criterion after the specialty tokens have been resolved to our speciality codes. */
export type Criterion = Exclude<ParsedCriterion, { param: 'specialty' }> | { param: 'specialty'; codes: string[] };

export interface Cursor {
  source: string;
  key: string;
}

export interface ParsedSearch {
  criteria: ParsedCriterion[];
  count: number;
  cursor: Cursor | undefined;
  total: boolean;
  /** `_include` targets: the parameter (e.g. PractitionerRole:practitioner) and its type. */
  includes: { param: string; target: DirectoryType }[];
  /** Parameters ignored under `Prefer: handling=lenient`. */
  ignored: string[];
  /** The parameters as used, in order, for the self link (without `_cursor`). */
  echo: [string, string][];
}

export type QueryValues = Record<string, unknown>;

/** Splits a parameter value on commas that are not escaped, and unescapes `\,` `\|` `\$` `\\`. */
export function splitValues(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i += 1) {
    const char = value.charAt(i);
    if (char === '\\' && i + 1 < value.length) {
      current += value.charAt(i + 1);
      i += 1;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.filter((part) => part !== '');
}

/** `system|code`, `|code` or `code`; the split is on the first unescaped bar. */
export function parseToken(value: string): Token {
  for (let i = 0; i < value.length; i += 1) {
    if (value.charAt(i) === '\\') i += 1;
    else if (value.charAt(i) === '|')
      return { system: unescape(value.slice(0, i)), code: unescape(value.slice(i + 1)) };
  }
  return { system: undefined, code: unescape(value) };
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+ -]\d{2}:\d{2})?)?)?)?$/;
const DATE_PREFIXES = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;

/** A FHIR date search value as the time range it denotes at its precision. */
export function parseDateValue(raw: string): { start: Date; end: Date } | undefined {
  const match = DATE_PATTERN.exec(raw);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const y = Number(year);
  const mo = month === undefined ? 0 : Number(month) - 1;
  const d = day === undefined ? 1 : Number(day);
  const h = hour === undefined ? 0 : Number(hour);
  const mi = minute === undefined ? 0 : Number(minute);
  const s = second === undefined ? 0 : Number(second);
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    // A + that was not percent-encoded arrives as a space.
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const local = Date.UTC(y, mo, d, h, mi, s, ms);
  if (new Date(local).getUTCDate() !== d) return undefined; // e.g. 2026-02-30
  const start = new Date(local - offsetMinutes * 60_000);
  const end = new Date(start.getTime());
  if (month === undefined) end.setUTCFullYear(end.getUTCFullYear() + 1);
  else if (day === undefined) end.setUTCMonth(end.getUTCMonth() + 1);
  else if (hour === undefined) end.setUTCDate(end.getUTCDate() + 1);
  else if (second === undefined) end.setUTCMinutes(end.getUTCMinutes() + 1);
  else if (fraction === undefined) end.setUTCSeconds(end.getUTCSeconds() + 1);
  else end.setUTCMilliseconds(end.getUTCMilliseconds() + (fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length)));
  return { start, end };
}

/** A prefixed date value (`ge2026-01-01`) as a range over the target instant. */
export function parseDateCriterion(raw: string): DateRange | undefined {
  const prefix = DATE_PREFIXES.find((p) => raw.startsWith(p)) ?? 'eq';
  const value = parseDateValue(raw.startsWith(prefix) ? raw.slice(2) : raw);
  if (value === undefined) return undefined;
  switch (prefix) {
    case 'eq':
      return { from: value.start, to: value.end, negate: false };
    case 'ne':
      return { from: value.start, to: value.end, negate: true };
    case 'gt':
      return { from: value.end, negate: false };
    case 'ge':
      return { from: value.start, negate: false };
    case 'lt':
      return { to: value.start, negate: false };
    case 'le':
      return { to: value.end, negate: false };
  }
}

const LOCATION_STATUS_SYSTEM = 'http://hl7.org/fhir/location-status';

function invalid(param: string, message: string): AppError {
  return badRequest(`Search parameter ${param}: ${message}`, param);
}

/** A reference search value (`Type/id`, an absolute URL, or a bare id) as the id. */
export function parseReference(param: string, raw: string, target: DirectoryType): string {
  const parts = raw.split('/');
  const idPart = parts.at(-1) ?? '';
  if (parts.length >= 2) {
    const type = parts.at(-2);
    if (type !== target) throw invalid(param, `expected a reference to ${target}, got ${raw}`);
  }
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(idPart)) throw invalid(param, `${raw} is not a valid reference`);
  return idPart;
}

function parseBoolean(param: string, token: Token): boolean {
  if (token.code === 'true') return true;
  if (token.code === 'false') return false;
  throw invalid(param, `expected true or false, got ${token.code}`);
}

/** The values of a query parameter as strings (Fastify gives a string or an array of them). */
function valuesOf(value: unknown): string[] {
  const text = (item: unknown): string =>
    typeof item === 'string' ? item : typeof item === 'number' || typeof item === 'boolean' ? String(item) : '';
  if (Array.isArray(value)) return value.map(text);
  if (value === undefined || value === null) return [];
  return [text(value)];
}

/**
 * Parses the query of a search on `type`. Unknown parameters and modifiers are refused with a
 * 400 naming them, unless `lenient` (the client sent `Prefer: handling=lenient`): then they are
 * ignored and listed in `ignored`.
 */
export function parseSearch(type: DirectoryType, query: QueryValues, options: { lenient: boolean }): ParsedSearch {
  const definitions = SEARCH_PARAMETERS[type];
  const result: ParsedSearch = {
    criteria: [],
    count: DEFAULT_COUNT,
    cursor: undefined,
    total: false,
    includes: [],
    ignored: [],
    echo: [],
  };
  const unknown: string[] = [];

  for (const [key, rawValue] of Object.entries(query)) {
    const values = valuesOf(rawValue);
    const [param = '', modifier, ...rest] = key.split(':');
    if ((RESULT_PARAMETERS as readonly string[]).includes(param) && modifier === undefined) {
      parseResultParameter(type, param, values, result, options.lenient);
      continue;
    }
    const definition = Object.hasOwn(definitions, param) ? definitions[param] : undefined;
    const modifierOk = modifier === undefined || (definition?.modifiers ?? []).includes(modifier);
    if (definition === undefined || !modifierOk || rest.length > 0) {
      unknown.push(key);
      continue;
    }
    for (const value of values) {
      const alternatives = splitValues(value);
      if (alternatives.length === 0) continue; // an empty parameter is ignored
      result.echo.push([key, value]);
      result.criteria.push(criterionOf(type, param, modifier, definition, alternatives, value));
    }
  }

  if (unknown.length > 0) {
    if (!options.lenient) {
      throw new AppError(
        400,
        operationOutcome(
          unknown.map((key) => ({
            severity: 'error' as const,
            code: 'not-supported' as const,
            diagnostics: `Unknown search parameter ${key} for ${type}. Supported: ${[
              ...Object.keys(definitions),
              ...RESULT_PARAMETERS,
            ].join(', ')}`,
            expression: [key],
          })),
        ),
      );
    }
    result.ignored.push(...unknown);
  }
  return result;
}

function criterionOf(
  type: DirectoryType,
  param: string,
  modifier: string | undefined,
  definition: ParamDefinition,
  alternatives: string[],
  raw: string,
): ParsedCriterion {
  if (param === '_id') return { param: '_id', values: alternatives };
  if (param === '_lastUpdated') {
    return {
      param: '_lastUpdated',
      ranges: alternatives.map((value) => {
        const range = parseDateCriterion(value);
        if (range === undefined) throw invalid(param, `${value} is not a date (e.g. ge2026-01-31T10:00:00Z)`);
        return range;
      }),
    };
  }
  if (param === 'name') {
    const mode = modifier === 'contains' ? 'contains' : modifier === 'exact' ? 'exact' : 'starts';
    return { param: 'name', mode, values: alternatives };
  }
  const tokens = alternatives.map(parseToken);
  switch (param) {
    case 'active':
      return { param: 'active', values: tokens.map((token) => parseBoolean(param, token)) };
    case 'status':
      // Location.status: active or inactive (suspended never matches here).
      return {
        param: 'active',
        values: tokens.flatMap((token) => {
          if (token.system !== undefined && token.system !== LOCATION_STATUS_SYSTEM) return [];
          if (token.code === 'active') return [true];
          if (token.code === 'inactive') return [false];
          if (token.code === 'suspended') return [];
          throw invalid(param, `expected active, inactive or suspended, got ${token.code}`);
        }),
      };
    case 'identifier':
    case 'role':
    case 'gender':
      return { param, tokens };
    case 'specialty':
      return { param, tokens };
    case 'type':
    case 'service-type':
      return { param: 'type', tokens };
    case 'partof':
    case 'organization':
    case 'location':
    case 'practitioner': {
      const target = definition.target;
      if (target === undefined) throw new Error(`${type}.${param} has no target`);
      return { param, ids: alternatives.map((value) => parseReference(param, value, target)) };
    }
    default:
      throw new Error(`No parser for ${type}.${param} (${raw})`);
  }
}

const JSON_FORMATS = ['json', 'application/json', 'application/fhir+json'];

function parseResultParameter(
  type: DirectoryType,
  param: string,
  values: string[],
  result: ParsedSearch,
  lenient: boolean,
): void {
  const last = values.at(-1);
  if (last === undefined || last === '') return;
  switch (param) {
    case '_count': {
      if (!/^\d{1,6}$/.test(last)) throw invalid(param, `expected a whole number, got ${last}`);
      result.count = Math.min(Number(last), MAX_COUNT);
      result.echo.push([param, String(result.count)]);
      return;
    }
    case '_total': {
      if (!['none', 'estimate', 'accurate'].includes(last)) {
        throw invalid(param, `expected none, estimate or accurate, got ${last}`);
      }
      result.total = last !== 'none';
      result.echo.push([param, last]);
      return;
    }
    case '_cursor': {
      const colon = last.indexOf(':');
      if (colon <= 0) throw invalid(param, 'not a cursor of this server; follow the next link as given');
      result.cursor = { source: last.slice(0, colon), key: last.slice(colon + 1) };
      return;
    }
    case '_format': {
      const format = last.split(';')[0]?.trim() ?? '';
      if (!JSON_FORMATS.includes(format)) {
        throw new AppError(
          406,
          operationOutcome({
            severity: 'error',
            code: 'not-supported',
            diagnostics: `_format ${last} is not supported; this server speaks application/fhir+json`,
            expression: ['_format'],
          }),
        );
      }
      result.echo.push([param, last]);
      return;
    }
    case '_include': {
      for (const value of values) {
        // `Type:param` or `Type:param:Target`.
        const parts = value.split(':');
        const source = parts.slice(0, 2).join(':');
        const target = parts[2];
        const includeTarget = INCLUDES[type][source];
        if (includeTarget === undefined || (target !== undefined && target !== includeTarget)) {
          if (lenient) {
            result.ignored.push(`_include=${value}`);
            continue;
          }
          throw new AppError(
            400,
            operationOutcome({
              severity: 'error',
              code: 'not-supported',
              diagnostics: `_include ${value} is not supported for ${type}. Supported: ${
                Object.keys(INCLUDES[type]).join(', ') || 'none'
              }`,
              expression: ['_include'],
            }),
          );
        }
        if (!result.includes.some((include) => include.param === source)) {
          result.includes.push({ param: source, target: includeTarget });
          result.echo.push([param, value]);
        }
      }
      return;
    }
    default:
      return;
  }
}
