import type { StateScope } from '../../platform/auth.js';
import type { Database } from '../../platform/db/database.js';
import { containsPattern, startsWithPattern, stateScopeCondition } from '../../platform/db/sql.js';
import type { FacilityKind } from '../facilities/index.js';
import type { PractitionerRoleKind } from '../practitioners/index.js';
import {
  FACILITY_REGISTRY_SYSTEMS,
  PRACTITIONER_REGISTRY_SYSTEMS,
  SYSTEMS,
  type DirectoryType,
  type ServiceType,
} from './constants.js';
import type { Criterion, Cursor, DateRange, Token } from './search.js';

/**
 * The FHIR directory's read model: read-only queries over the care network tables, shaped for
 * the mappers. Each resource type is served from one or more sources (a state-level jurisdiction
 * and the facilities both become Organizations); a page walks the sources in order, each by its
 * own key, so that paging is stable (keyset, no offsets) and each source can use its index.
 */

export interface JurisdictionRow {
  id: string;
  name: string;
  code: string;
  countryId: string;
  updatedAt: Date;
}

export interface FacilityDirectoryRow {
  id: string;
  stateId: string;
  stateName: string;
  countryId: string;
  districtId: string;
  districtName: string;
  name: string;
  kind: FacilityKind;
  subtype: string | null;
  registryId: string | null;
  addressLine: string | null;
  city: string | null;
  pincode: string | null;
  latitude: number | null;
  longitude: number | null;
  phone: string | null;
  active: boolean;
  updatedAt: Date;
  version: number;
}

export interface PractitionerDirectoryRow {
  id: string;
  stateId: string;
  countryId: string;
  name: string;
  gender: 'female' | 'male' | 'other' | 'unknown';
  qualification: string | null;
  registrationCouncil: string | null;
  registrationNumber: string | null;
  registryId: string | null;
  languages: string[];
  active: boolean;
  updatedAt: Date;
  version: number;
}

export interface RoleDirectoryRow {
  id: string;
  stateId: string;
  practitionerId: string;
  practitionerName: string;
  facilityId: string;
  facilityName: string;
  role: PractitionerRoleKind;
  /** The role's specialities, or for a doctor's role without any, the practitioner's. */
  specialities: string[];
  /** The role and the practitioner are both active. */
  active: boolean;
  /** The latest change of the role, the practitioner or the facility (names are shown). */
  updatedAt: Date;
}

export interface OpdHours {
  weekday: number;
  opensAt: string;
  closesAt: string;
}

export interface OpdServiceRow {
  id: string;
  stateId: string;
  name: string;
  phone: string | null;
  active: boolean;
  updatedAt: Date;
  version: number;
  specialityCode: string | null;
  dailyCapacity: number;
  waitingRoomSize: number;
  consultationMinutes: number;
  languages: string[];
  hours: OpdHours[];
}

export interface HubServiceRow {
  /** `<hub id>.<speciality code with - for _>` (see HUB_SERVICE_SUFFIX) */
  id: string;
  facilityId: string;
  facilityName: string;
  stateId: string;
  name: string;
  specialityCode: string;
  phone: string | null;
  /** The hub is active and at least one active doctor offers the speciality there. */
  active: boolean;
  updatedAt: Date;
  doctors: number;
}

export type DirectoryItem =
  | { source: 'jurisdiction'; row: JurisdictionRow }
  | { source: 'facility'; row: FacilityDirectoryRow }
  | { source: 'practitioner'; row: PractitionerDirectoryRow }
  | { source: 'role'; row: RoleDirectoryRow }
  | { source: 'opd'; row: OpdServiceRow }
  | { source: 'hub'; row: HubServiceRow };

type SourceName = DirectoryItem['source'];

/** Collects positional parameters while a statement is built. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A condition over the source's columns (alias `s`), or false when it can never match. */
type Condition = string | false;

interface Source {
  name: SourceName;
  keyType: 'uuid' | 'text';
  /** A subquery with an `id` column (the key) and the row's columns, limited to the scope. */
  from(params: Params, scope: StateScope): string;
  condition(criterion: Criterion, params: Params): Condition;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

function scoped(params: Params, scope: StateScope, column: string): string {
  return stateScopeCondition(scope, params.values, column);
}

function any(conditions: Condition[]): Condition {
  const possible = conditions.filter((c): c is string => c !== false);
  if (possible.length === 0) return false;
  return possible.length === 1 ? (possible[0] ?? false) : `(${possible.join(' or ')})`;
}

function uuidIn(column: string, ids: string[], params: Params): Condition {
  const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
  return valid.length === 0 ? false : `${column} = any(${params.add(valid)}::uuid[])`;
}

function textIn(column: string, values: string[], params: Params): Condition {
  return values.length === 0 ? false : `${column} = any(${params.add(values)}::text[])`;
}

function booleanIn(column: string, values: boolean[], params: Params): Condition {
  return values.length === 0 ? false : `${column} = any(${params.add(values)}::boolean[])`;
}

/** String search: starts with (or, with `words`, a word starts with), contains, exact. */
function nameCondition(
  column: string,
  criterion: Extract<Criterion, { param: 'name' }>,
  params: Params,
  words = false,
): Condition {
  return any(
    criterion.values.map((value) => {
      switch (criterion.mode) {
        case 'exact':
          return `${column} = ${params.add(value)}`;
        case 'contains':
          return `lower(${column}) like ${params.add(containsPattern(value.toLowerCase()))}`;
        case 'starts': {
          const pattern = params.add(startsWithPattern(value));
          return words
            ? `(lower(${column}) like ${pattern} or lower(${column}) like ('% ' || ${pattern}))`
            : `lower(${column}) like ${pattern}`;
        }
      }
    }),
  );
}

function dateCondition(column: string, ranges: DateRange[], params: Params): Condition {
  return any(
    ranges.map((range) => {
      const bounds: string[] = [];
      if (range.from !== undefined) bounds.push(`${column} >= ${params.add(range.from)}::timestamptz`);
      if (range.to !== undefined) bounds.push(`${column} < ${params.add(range.to)}::timestamptz`);
      const inside = bounds.length === 0 ? 'true' : bounds.join(' and ');
      return range.negate ? `not (${inside})` : `(${inside})`;
    }),
  );
}

/** A token condition: for each token, the columns its system may match. */
function tokenCondition(tokens: Token[], match: (token: Token) => Condition): Condition {
  return any(tokens.map(match));
}

/** A registry id in the registry system of the record's country. */
function registryMatch(
  systems: Readonly<Record<string, string>>,
  token: Token,
  params: Params,
  column: string,
): Condition {
  return any(
    Object.entries(systems)
      .filter(([, system]) => system === token.system)
      .map(([country]) => `(${column} = ${params.add(token.code)} and s."countryId" = ${params.add(country)})`),
  );
}

function unsupported(source: SourceName, criterion: Criterion): never {
  throw new Error(`The ${source} source has no condition for ${criterion.param}`);
}

const jurisdictionSource: Source = {
  name: 'jurisdiction',
  keyType: 'text',
  from: (params, scope) => `
    select st.id, st.name, st.code, st.country_id as "countryId",
      (select max(applied_at) from schema_migrations) as "updatedAt"
    from states st where ${scoped(params, scope, 'st.id')}`,
  condition(criterion, params) {
    switch (criterion.param) {
      case '_id':
        return textIn('s.id', criterion.values, params);
      case '_lastUpdated':
        return dateCondition('s."updatedAt"', criterion.ranges, params);
      case 'name':
        return nameCondition('s.name', criterion, params);
      case 'active':
        return criterion.values.includes(true) ? 'true' : false;
      case 'identifier':
        return tokenCondition(criterion.tokens, (token) =>
          token.system === undefined || token.system === SYSTEMS.stateId ? `s.id = ${params.add(token.code)}` : false,
        );
      case 'type':
        return tokenCondition(criterion.tokens, (token) =>
          (token.system === undefined || token.system === SYSTEMS.mcsdTypes) && token.code === 'jurisdiction'
            ? 'true'
            : false,
        );
      case 'partof':
        return false;
      case 'gender':
      case 'location':
      case 'organization':
      case 'practitioner':
      case 'role':
      case 'specialty':
        return unsupported('jurisdiction', criterion);
    }
  },
};

const facilitySource: Source = {
  name: 'facility',
  keyType: 'uuid',
  from: (params, scope) => `
    select f.id, f.state_id as "stateId", st.name as "stateName", st.country_id as "countryId",
      f.district_id as "districtId", d.name as "districtName", f.name, f.kind, f.subtype,
      f.registry_id as "registryId", f.address_line as "addressLine", f.city, f.pincode, f.latitude, f.longitude,
      f.phone, f.active, f.updated_at as "updatedAt", f.version
    from facilities f join states st on st.id = f.state_id join districts d on d.id = f.district_id
    where ${scoped(params, scope, 'f.state_id')}`,
  condition(criterion, params) {
    switch (criterion.param) {
      case '_id':
        return uuidIn('s.id', criterion.values, params);
      case '_lastUpdated':
        return dateCondition('s."updatedAt"', criterion.ranges, params);
      case 'name':
        return nameCondition('s.name', criterion, params);
      case 'active':
        return booleanIn('s.active', criterion.values, params);
      case 'identifier':
        return tokenCondition(criterion.tokens, (token) => {
          if (token.system === undefined) {
            const value = params.add(token.code);
            return `(s."registryId" = ${value} or s.id::text = lower(${value}))`;
          }
          if (token.system === SYSTEMS.facilityId) return uuidIn('s.id', [token.code], params);
          return registryMatch(FACILITY_REGISTRY_SYSTEMS, token, params, 's."registryId"');
        });
      case 'type':
        return tokenCondition(criterion.tokens, (token) => {
          if (token.system === undefined) {
            if (token.code === 'facility') return 'true';
            const value = params.add(token.code);
            return `(s.kind = ${value} or s.subtype = ${value})`;
          }
          if (token.system === SYSTEMS.facilityKind) return `s.kind = ${params.add(token.code)}`;
          if (token.system === SYSTEMS.facilitySubtype) return `s.subtype = ${params.add(token.code)}`;
          if (token.system === SYSTEMS.mcsdTypes && token.code === 'facility') return 'true';
          return false;
        });
      case 'partof':
        return textIn('s."stateId"', criterion.ids, params);
      case 'organization':
        return uuidIn('s.id', criterion.ids, params);
      case 'gender':
      case 'location':
      case 'practitioner':
      case 'role':
      case 'specialty':
        return unsupported('facility', criterion);
    }
  },
};

const practitionerSource: Source = {
  name: 'practitioner',
  keyType: 'uuid',
  from: (params, scope) => `
    select p.id, p.state_id as "stateId", st.country_id as "countryId", p.name, p.gender, p.qualification,
      p.registration_council as "registrationCouncil", p.registration_number as "registrationNumber",
      p.registry_id as "registryId", p.languages, p.active, p.updated_at as "updatedAt", p.version
    from practitioners p join states st on st.id = p.state_id
    where ${scoped(params, scope, 'p.state_id')}`,
  condition(criterion, params) {
    switch (criterion.param) {
      case '_id':
        return uuidIn('s.id', criterion.values, params);
      case '_lastUpdated':
        return dateCondition('s."updatedAt"', criterion.ranges, params);
      case 'name':
        return nameCondition('s.name', criterion, params, true);
      case 'active':
        return booleanIn('s.active', criterion.values, params);
      case 'gender':
        return tokenCondition(criterion.tokens, (token) =>
          token.system === undefined || token.system === SYSTEMS.administrativeGender
            ? `s.gender = ${params.add(token.code)}`
            : false,
        );
      case 'identifier':
        return tokenCondition(criterion.tokens, (token) => {
          if (token.system === undefined) {
            const value = params.add(token.code);
            return `(s."registryId" = ${value} or s."registrationNumber" = ${value} or s.id::text = lower(${value}))`;
          }
          if (token.system === SYSTEMS.practitionerId) return uuidIn('s.id', [token.code], params);
          if (token.system === SYSTEMS.councilRegistration) {
            return `s."registrationNumber" = ${params.add(token.code)}`;
          }
          return registryMatch(PRACTITIONER_REGISTRY_SYSTEMS, token, params, 's."registryId"');
        });
      case 'location':
      case 'organization':
      case 'partof':
      case 'practitioner':
      case 'role':
      case 'specialty':
      case 'type':
        return unsupported('practitioner', criterion);
    }
  },
};

/** Doctors' roles without specialities of their own practise the practitioner's. */
const EFFECTIVE_SPECIALITIES = `case when cardinality(r.specialities) > 0 or r.role not in ('hub_doctor', 'opd_doctor', 'specialist')
  then r.specialities else p.specialities end`;

const roleSource: Source = {
  name: 'role',
  keyType: 'uuid',
  from: (params, scope) => `
    select r.id, r.state_id as "stateId", r.practitioner_id as "practitionerId", p.name as "practitionerName",
      r.facility_id as "facilityId", f.name as "facilityName", r.role,
      ${EFFECTIVE_SPECIALITIES} as specialities,
      r.active and p.active as active, greatest(r.updated_at, p.updated_at, f.updated_at) as "updatedAt"
    from practitioner_roles r join practitioners p on p.id = r.practitioner_id join facilities f on f.id = r.facility_id
    where ${scoped(params, scope, 'r.state_id')}`,
  condition(criterion, params) {
    switch (criterion.param) {
      case '_id':
        return uuidIn('s.id', criterion.values, params);
      case '_lastUpdated':
        return dateCondition('s."updatedAt"', criterion.ranges, params);
      case 'active':
        return booleanIn('s.active', criterion.values, params);
      case 'practitioner':
        return uuidIn('s."practitionerId"', criterion.ids, params);
      case 'organization':
      case 'location':
        return uuidIn('s."facilityId"', criterion.ids, params);
      case 'specialty':
        return criterion.codes.length === 0 ? false : `s.specialities && ${params.add(criterion.codes)}::text[]`;
      case 'role':
        return tokenCondition(criterion.tokens, (token) =>
          token.system === undefined || token.system === SYSTEMS.practitionerRole
            ? `s.role = ${params.add(token.code)}`
            : false,
        );
      case 'gender':
      case 'identifier':
      case 'name':
      case 'partof':
      case 'type':
        return unsupported('role', criterion);
    }
  },
};

/** Conditions shared by the two kinds of HealthcareService. */
function serviceCondition(
  source: 'opd' | 'hub',
  serviceType: ServiceType,
  criterion: Criterion,
  params: Params,
): Condition {
  switch (criterion.param) {
    case '_id':
      return source === 'opd' ? uuidIn('s.id', criterion.values, params) : textIn('s.id', criterion.values, params);
    case '_lastUpdated':
      return dateCondition('s."updatedAt"', criterion.ranges, params);
    case 'name':
      return nameCondition('s.name', criterion, params);
    case 'active':
      return booleanIn('s.active', criterion.values, params);
    case 'identifier':
      return tokenCondition(criterion.tokens, (token) =>
        token.system === undefined || token.system === SYSTEMS.healthcareServiceId
          ? `s.id::text = ${params.add(token.code)}`
          : false,
      );
    case 'type':
      return tokenCondition(criterion.tokens, (token) =>
        (token.system === undefined || token.system === SYSTEMS.serviceType) && token.code === serviceType
          ? 'true'
          : false,
      );
    case 'organization':
    case 'location':
      return uuidIn('s."facilityId"', criterion.ids, params);
    case 'specialty':
      return textIn('s."specialityCode"', criterion.codes, params);
    case 'gender':
    case 'partof':
    case 'practitioner':
    case 'role':
      return unsupported(source, criterion);
  }
}

const opdSource: Source = {
  name: 'opd',
  keyType: 'uuid',
  from: (params, scope) => `
    select f.id, f.id as "facilityId", f.state_id as "stateId", f.name, f.phone, f.active,
      f.updated_at as "updatedAt", f.version, o.speciality_code as "specialityCode",
      o.daily_capacity as "dailyCapacity", o.waiting_room_size as "waitingRoomSize",
      o.consultation_minutes as "consultationMinutes", o.languages
    from facilities f join opd_settings o on o.facility_id = f.id
    where f.kind = 'opd' and ${scoped(params, scope, 'f.state_id')}`,
  condition: (criterion, params) => serviceCondition('opd', 'online-opd', criterion, params),
};

/**
 * The part of a hub service's id after the hub's: the speciality code with - for _, or when that
 * would make the id longer than FHIR's 64 characters, h and 16 hex digits of its MD5.
 */
const HUB_SERVICE_SUFFIX = `(case when length(x.code) <= 27 then replace(x.code, '_', '-') else 'h' || left(md5(x.code), 16) end)`;

/**
 * One service per hub and speciality that its doctors (its own and those of the facilities it
 * pools) offer. A service whose doctors have all left stays, inactive, so that a client
 * synchronising by _lastUpdated learns that it ended.
 */
const hubSource: Source = {
  name: 'hub',
  keyType: 'text',
  from: (params, scope) => `
    select h.id::text || '.' || ${HUB_SERVICE_SUFFIX} as id, h.id as "facilityId", h.name as "facilityName",
      h.state_id as "stateId", h.name || ' – ' || coalesce(sp.name, x.code) as name, x.code as "specialityCode",
      h.phone, h.active and x.active as active, greatest(h.updated_at, x.updated_at) as "updatedAt", x.doctors
    from facilities h
    join (
      select m.hub_id, c.code, bool_or(r.active and p.active) as active,
        max(greatest(r.updated_at, p.updated_at)) as updated_at,
        (count(distinct p.id) filter (where r.active and p.active))::int as doctors
      from (
        select id as hub_id, id as member_id from facilities where kind = 'hub' and ${scoped(params, scope, 'state_id')}
        union select hub_id, member_id from hub_pool_members
      ) m
      join practitioner_roles r on r.facility_id = m.member_id and r.role in ('hub_doctor', 'specialist')
      join practitioners p on p.id = r.practitioner_id
      cross join lateral unnest(${EFFECTIVE_SPECIALITIES}) as c(code)
      group by m.hub_id, c.code
    ) x on x.hub_id = h.id
    left join specialities sp on sp.code = x.code
    where h.kind = 'hub' and ${scoped(params, scope, 'h.state_id')}`,
  condition: (criterion, params) => serviceCondition('hub', 'hub-teleconsultation', criterion, params),
};

const SOURCES: Readonly<Record<DirectoryType, readonly Source[]>> = {
  Organization: [jurisdictionSource, facilitySource],
  Location: [facilitySource],
  Practitioner: [practitionerSource],
  PractitionerRole: [roleSource],
  HealthcareService: [opdSource, hubSource],
};

export class FhirRepository {
  constructor(private readonly db: Database) {}

  /** Whether a cursor could have come from a page of this type (so its key is safe to bind). */
  validCursor(type: DirectoryType, cursor: Cursor): boolean {
    const source = SOURCES[type].find((s) => s.name === cursor.source);
    if (source === undefined) return false;
    return source.keyType === 'uuid' ? isUuid(cursor.key) : /^[A-Za-z0-9\-.]{1,64}$/.test(cursor.key);
  }

  /**
   * Up to `limit` matches after the cursor, in key order, and the cursor of the next page when
   * there are more.
   */
  async page(
    type: DirectoryType,
    scope: StateScope,
    criteria: Criterion[],
    after: Cursor | undefined,
    limit: number,
  ): Promise<{ items: DirectoryItem[]; next: Cursor | undefined }> {
    const sources = SOURCES[type];
    const start = after === undefined ? 0 : sources.findIndex((s) => s.name === after.source);
    const items: DirectoryItem[] = [];
    for (const source of sources.slice(Math.max(start, 0))) {
      const remaining = limit - items.length;
      const key = after?.source === source.name ? after.key : undefined;
      const rows = await this.query(source, scope, criteria, key, remaining + 1);
      const taken = rows.slice(0, remaining);
      items.push(...(await this.complete(source.name, taken)));
      if (rows.length > remaining) {
        // More remain: the next page starts after the last item given, which may be of an earlier source.
        const last = items.at(-1);
        return { items, next: last === undefined ? undefined : { source: last.source, key: last.row.id } };
      }
    }
    return { items, next: undefined };
  }

  async count(type: DirectoryType, scope: StateScope, criteria: Criterion[]): Promise<number> {
    let total = 0;
    for (const source of SOURCES[type]) {
      const params = new Params();
      const from = source.from(params, scope);
      const where = this.where(source, criteria, params);
      if (where === false) continue;
      const [row] = await this.db.query<{ total: number }>(
        `select count(*)::int as total from (${from}) s where ${where}`,
        params.values,
      );
      total += row?.total ?? 0;
    }
    return total;
  }

  private where(source: Source, criteria: Criterion[], params: Params): string | false {
    const conditions: string[] = [];
    for (const criterion of criteria) {
      const condition = source.condition(criterion, params);
      if (condition === false) return false;
      conditions.push(condition);
    }
    return conditions.length === 0 ? 'true' : conditions.join(' and ');
  }

  private async query(
    source: Source,
    scope: StateScope,
    criteria: Criterion[],
    after: string | undefined,
    limit: number,
  ): Promise<{ id: string }[]> {
    if (limit <= 0) return [];
    const params = new Params();
    const from = source.from(params, scope);
    const where = this.where(source, criteria, params);
    if (where === false) return [];
    // Text keys sort byte-wise, the same on every database whatever its collation.
    const key = source.keyType === 'uuid' ? 's.id' : 's.id collate "C"';
    const keyset =
      after === undefined ? '' : ` and ${key} > ${params.add(after)}${source.keyType === 'uuid' ? '::uuid' : ''}`;
    return this.db.query<{ id: string }>(
      `select s.* from (${from}) s where ${where}${keyset} order by ${key} limit ${params.add(limit)}`,
      params.values,
    );
  }

  /** Types the rows of a source, adding what a second query holds (an OPD's hours). */
  private async complete(source: SourceName, rows: { id: string }[]): Promise<DirectoryItem[]> {
    switch (source) {
      case 'jurisdiction':
        return (rows as JurisdictionRow[]).map((row) => ({ source, row }));
      case 'facility':
        return (rows as FacilityDirectoryRow[]).map((row) => ({ source, row }));
      case 'practitioner':
        return (rows as PractitionerDirectoryRow[]).map((row) => ({ source, row }));
      case 'role':
        return (rows as RoleDirectoryRow[]).map((row) => ({ source, row }));
      case 'hub':
        return (rows as HubServiceRow[]).map((row) => ({ source, row }));
      case 'opd': {
        const opds = rows as Omit<OpdServiceRow, 'hours'>[];
        const hours = await this.opdHours(opds.map((row) => row.id));
        return opds.map((row) => ({ source, row: { ...row, hours: hours.get(row.id) ?? [] } }));
      }
    }
  }

  private async opdHours(facilityIds: string[]): Promise<Map<string, OpdHours[]>> {
    const byFacility = new Map<string, OpdHours[]>();
    if (facilityIds.length === 0) return byFacility;
    const rows = await this.db.query<OpdHours & { facilityId: string }>(
      `select facility_id as "facilityId", weekday, opens_at::text as "opensAt", closes_at::text as "closesAt"
       from opd_hours where facility_id = any($1::uuid[]) order by facility_id, weekday, opens_at`,
      [facilityIds],
    );
    for (const { facilityId, ...hours } of rows) {
      const list = byFacility.get(facilityId) ?? [];
      list.push(hours);
      byFacility.set(facilityId, list);
    }
    return byFacility;
  }
}
