import type {
  Address,
  Bundle,
  BundleEntry,
  CodeableConcept,
  ContactPoint,
  HealthcareService,
  HealthcareServiceAvailableTime,
  Identifier,
  Location,
  Meta,
  Organization,
  Practitioner,
  PractitionerRole,
  Resource,
} from '@medplum/fhirtypes';
import type { SpecialityRow } from '../terminology/index.js';
import {
  FACILITY_KIND_DISPLAY,
  FACILITY_REGISTRY_SYSTEMS,
  PRACTITIONER_REGISTRY_SYSTEMS,
  ROLE_DISPLAY,
  SERVICE_TYPE_DISPLAY,
  SYSTEMS,
  type DirectoryType,
  type ServiceType,
} from './constants.js';
import type {
  DirectoryItem,
  FacilityDirectoryRow,
  HubServiceRow,
  JurisdictionRow,
  OpdHours,
  OpdServiceRow,
  PractitionerDirectoryRow,
  RoleDirectoryRow,
} from './repository.js';

/**
 * Rows of the care network as FHIR R4 resources (IHE mCSD). Pure functions: the same row always
 * gives the same resource, and nothing here reads the database or the clock.
 */

export type Specialities = ReadonlyMap<string, SpecialityRow>;

function meta(updatedAt: Date, version?: number): Meta {
  return version === undefined
    ? { lastUpdated: updatedAt.toISOString() }
    : { versionId: String(version), lastUpdated: updatedAt.toISOString() };
}

function identifierType(code: 'PRN' | 'MD', display: string): CodeableConcept {
  return { coding: [{ system: SYSTEMS.identifierType, code, display }] };
}

function phone(value: string | null): { telecom?: ContactPoint[] } {
  return value === null ? {} : { telecom: [{ system: 'phone', value, use: 'work' }] };
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** A language as a BCP-47 coded concept, with its English name when known. */
export function languageConcept(code: string): CodeableConcept {
  let display: string | undefined;
  try {
    display = languageNames.of(code);
  } catch {
    display = undefined;
  }
  const known = display !== undefined && display !== code;
  return known
    ? { coding: [{ system: SYSTEMS.bcp47, code, display }], text: display }
    : { coding: [{ system: SYSTEMS.bcp47, code }] };
}

/** A speciality: its SNOMED CT concept when it has one, and always our code. */
export function specialtyConcept(code: string, specialities: Specialities): CodeableConcept {
  const speciality = specialities.get(code);
  const coding: NonNullable<CodeableConcept['coding']> = [];
  if (speciality?.snomedCode) {
    coding.push({
      system: SYSTEMS.snomed,
      code: speciality.snomedCode,
      ...(speciality.snomedDisplay ? { display: speciality.snomedDisplay } : {}),
    });
  }
  coding.push({ system: SYSTEMS.speciality, code, ...(speciality ? { display: speciality.name } : {}) });
  return { coding, text: speciality?.name ?? code };
}

function serviceTypeConcept(type: ServiceType): CodeableConcept {
  const display = SERVICE_TYPE_DISPLAY[type];
  return { coding: [{ system: SYSTEMS.serviceType, code: type, display }], text: display };
}

function facilityIdentifiers(row: FacilityDirectoryRow): Identifier[] {
  const identifiers: Identifier[] = [];
  if (row.registryId !== null) {
    const system = FACILITY_REGISTRY_SYSTEMS[row.countryId];
    identifiers.push({
      use: 'official',
      type: { ...identifierType('PRN', 'Provider number'), text: 'Facility registry id' },
      ...(system === undefined ? {} : { system }),
      value: row.registryId,
    });
  }
  identifiers.push({ system: SYSTEMS.facilityId, value: row.id });
  return identifiers;
}

function facilityTypes(row: FacilityDirectoryRow): CodeableConcept[] {
  const display = FACILITY_KIND_DISPLAY[row.kind];
  return [
    { coding: [{ system: SYSTEMS.facilityKind, code: row.kind, display }], text: display },
    ...(row.subtype === null
      ? []
      : [{ coding: [{ system: SYSTEMS.facilitySubtype, code: row.subtype }], text: row.subtype }]),
    { coding: [{ system: SYSTEMS.mcsdTypes, code: 'facility', display: 'Facility' }] },
  ];
}

function facilityAddress(row: FacilityDirectoryRow): Address {
  const text = [row.addressLine, row.city, row.districtName, row.stateName, row.pincode]
    .filter((part): part is string => part !== null && part !== '')
    .join(', ');
  return {
    use: 'work',
    type: 'physical',
    text,
    ...(row.addressLine === null ? {} : { line: [row.addressLine] }),
    ...(row.city === null ? {} : { city: row.city }),
    district: row.districtName,
    state: row.stateName,
    ...(row.pincode === null ? {} : { postalCode: row.pincode }),
    country: row.countryId,
  };
}

/** A facility as the Organization that runs it, part of its state's jurisdiction. */
export function facilityToOrganization(row: FacilityDirectoryRow): Organization {
  return {
    resourceType: 'Organization',
    id: row.id,
    meta: meta(row.updatedAt, row.version),
    identifier: facilityIdentifiers(row),
    active: row.active,
    type: facilityTypes(row),
    name: row.name,
    ...phone(row.phone),
    address: [facilityAddress(row)],
    partOf: { reference: `Organization/${row.stateId}`, display: row.stateName },
  };
}

/** A state as an mCSD jurisdiction: the parent of its facilities' Organizations. */
export function jurisdictionToOrganization(row: JurisdictionRow): Organization {
  return {
    resourceType: 'Organization',
    id: row.id,
    meta: meta(row.updatedAt),
    identifier: [{ system: SYSTEMS.stateId, value: row.id }],
    active: true,
    type: [{ coding: [{ system: SYSTEMS.mcsdTypes, code: 'jurisdiction', display: 'Jurisdiction' }] }],
    name: row.name,
    address: [{ state: row.name, country: row.countryId }],
  };
}

/** A facility as the place (a building) where care is given. */
export function facilityToLocation(row: FacilityDirectoryRow): Location {
  return {
    resourceType: 'Location',
    id: row.id,
    meta: meta(row.updatedAt, row.version),
    identifier: facilityIdentifiers(row),
    status: row.active ? 'active' : 'inactive',
    name: row.name,
    mode: 'instance',
    type: facilityTypes(row),
    ...phone(row.phone),
    address: facilityAddress(row),
    physicalType: {
      coding: [{ system: SYSTEMS.locationPhysicalType, code: 'bu', display: 'Building' }],
      text: 'Building',
    },
    ...(row.latitude === null || row.longitude === null
      ? {}
      : { position: { longitude: row.longitude, latitude: row.latitude } }),
    managingOrganization: { reference: `Organization/${row.id}`, display: row.name },
  };
}

export function practitionerToFhir(row: PractitionerDirectoryRow): Practitioner {
  const identifiers: Identifier[] = [];
  if (row.registryId !== null) {
    const system = PRACTITIONER_REGISTRY_SYSTEMS[row.countryId];
    identifiers.push({
      use: 'official',
      type: { ...identifierType('MD', 'Medical License number'), text: 'Professional registry id' },
      ...(system === undefined ? {} : { system }),
      value: row.registryId,
    });
  }
  const registration: Identifier | undefined =
    row.registrationNumber === null
      ? undefined
      : {
          use: 'official',
          type: { ...identifierType('MD', 'Medical License number'), text: 'Council registration number' },
          system: SYSTEMS.councilRegistration,
          value: row.registrationNumber,
          ...(row.registrationCouncil === null ? {} : { assigner: { display: row.registrationCouncil } }),
        };
  if (registration !== undefined) identifiers.push(registration);
  identifiers.push({ system: SYSTEMS.practitionerId, value: row.id });
  return {
    resourceType: 'Practitioner',
    id: row.id,
    meta: meta(row.updatedAt, row.version),
    identifier: identifiers,
    active: row.active,
    name: [{ use: 'official', text: row.name }],
    gender: row.gender,
    ...(row.qualification === null
      ? {}
      : {
          qualification: [
            {
              ...(registration === undefined ? {} : { identifier: [registration] }),
              code: { text: row.qualification },
              ...(row.registrationCouncil === null ? {} : { issuer: { display: row.registrationCouncil } }),
            },
          ],
        }),
    ...(row.languages.length === 0 ? {} : { communication: row.languages.map(languageConcept) }),
  };
}

export function roleToFhir(row: RoleDirectoryRow, specialities: Specialities): PractitionerRole {
  const display = ROLE_DISPLAY[row.role];
  return {
    resourceType: 'PractitionerRole',
    id: row.id,
    meta: meta(row.updatedAt),
    identifier: [{ system: SYSTEMS.practitionerRoleId, value: row.id }],
    active: row.active,
    practitioner: { reference: `Practitioner/${row.practitionerId}`, display: row.practitionerName },
    organization: { reference: `Organization/${row.facilityId}`, display: row.facilityName },
    code: [{ coding: [{ system: SYSTEMS.practitionerRole, code: row.role, display }], text: display }],
    ...(row.specialities.length === 0
      ? {}
      : { specialty: row.specialities.map((code) => specialtyConcept(code, specialities)) }),
    location: [{ reference: `Location/${row.facilityId}`, display: row.facilityName }],
  };
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const WEEK_ORDER = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A database time (`09:00:00`, possibly with fractions) as a FHIR time; midnight at the end is 23:59:59. */
function fhirTime(value: string): string {
  const [hours = '00', minutes = '00', seconds = '00'] = value.split(':');
  if (hours === '24') return '23:59:59';
  return `${hours.padStart(2, '0')}:${minutes.padStart(2, '0')}:${seconds.slice(0, 2).padStart(2, '0')}`;
}

/** Weekly opening hours, with the days that share the same hours grouped together. */
export function availableTimes(hours: readonly OpdHours[]): HealthcareServiceAvailableTime[] {
  const groups = new Map<string, { start: string; end: string; days: Set<(typeof WEEKDAYS)[number]> }>();
  for (const slot of hours) {
    const day = WEEKDAYS[slot.weekday];
    if (day === undefined) continue;
    const start = fhirTime(slot.opensAt);
    const end = fhirTime(slot.closesAt);
    const key = `${start}-${end}`;
    const group = groups.get(key) ?? { start, end, days: new Set() };
    group.days.add(day);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => (a.start === b.start ? a.end.localeCompare(b.end) : a.start.localeCompare(b.start)))
    .map((group) => ({
      daysOfWeek: WEEK_ORDER.filter((day) => group.days.has(day)),
      availableStartTime: group.start,
      availableEndTime: group.end,
    }));
}

export function opdToHealthcareService(row: OpdServiceRow, specialities: Specialities): HealthcareService {
  return {
    resourceType: 'HealthcareService',
    id: row.id,
    meta: meta(row.updatedAt),
    identifier: [{ system: SYSTEMS.healthcareServiceId, value: row.id }],
    active: row.active,
    providedBy: { reference: `Organization/${row.id}`, display: row.name },
    type: [serviceTypeConcept('online-opd')],
    ...(row.specialityCode === null ? {} : { specialty: [specialtyConcept(row.specialityCode, specialities)] }),
    location: [{ reference: `Location/${row.id}`, display: row.name }],
    name: row.name,
    comment: row.specialityCode === null ? 'General online OPD' : 'Speciality online OPD',
    extraDetails:
      `Up to ${row.dailyCapacity} consultations a day, about ${row.consultationMinutes} minutes each; ` +
      `up to ${row.waitingRoomSize} patients wait at a time.`,
    ...phone(row.phone),
    ...(row.languages.length === 0 ? {} : { communication: row.languages.map(languageConcept) }),
    appointmentRequired: false,
    ...(row.hours.length === 0 ? {} : { availableTime: availableTimes(row.hours) }),
  };
}

export function hubServiceToHealthcareService(row: HubServiceRow, specialities: Specialities): HealthcareService {
  return {
    resourceType: 'HealthcareService',
    id: row.id,
    meta: meta(row.updatedAt),
    identifier: [{ system: SYSTEMS.healthcareServiceId, value: row.id }],
    active: row.active,
    providedBy: { reference: `Organization/${row.facilityId}`, display: row.facilityName },
    type: [serviceTypeConcept('hub-teleconsultation')],
    specialty: [specialtyConcept(row.specialityCode, specialities)],
    location: [{ reference: `Location/${row.facilityId}`, display: row.facilityName }],
    name: row.name,
    comment: 'Teleconsultation for patients referred by spokes',
    extraDetails: `${row.doctors} ${row.doctors === 1 ? 'doctor offers' : 'doctors offer'} this speciality here.`,
    ...phone(row.phone),
  };
}

/** An item of the read model as the resource of the type that was asked for. */
export function toResource(type: DirectoryType, item: DirectoryItem, specialities: Specialities): Resource {
  switch (item.source) {
    case 'jurisdiction':
      return jurisdictionToOrganization(item.row);
    case 'facility':
      return type === 'Location' ? facilityToLocation(item.row) : facilityToOrganization(item.row);
    case 'practitioner':
      return practitionerToFhir(item.row);
    case 'role':
      return roleToFhir(item.row, specialities);
    case 'opd':
      return opdToHealthcareService(item.row, specialities);
    case 'hub':
      return hubServiceToHealthcareService(item.row, specialities);
  }
}

/** The references a resource makes through an `_include` parameter, as ids. */
export function includedIds(resource: Resource, param: string): string[] {
  const id = (reference: string | undefined) => (reference === undefined ? [] : [reference.split('/').at(-1) ?? '']);
  switch (param) {
    case 'Organization:partof':
      return resource.resourceType === 'Organization' ? id(resource.partOf?.reference) : [];
    case 'Location:organization':
      return resource.resourceType === 'Location' ? id(resource.managingOrganization?.reference) : [];
    case 'PractitionerRole:practitioner':
      return resource.resourceType === 'PractitionerRole' ? id(resource.practitioner?.reference) : [];
    case 'PractitionerRole:organization':
      return resource.resourceType === 'PractitionerRole' ? id(resource.organization?.reference) : [];
    case 'PractitionerRole:location':
      return resource.resourceType === 'PractitionerRole'
        ? (resource.location ?? []).flatMap((l) => id(l.reference))
        : [];
    case 'HealthcareService:organization':
      return resource.resourceType === 'HealthcareService' ? id(resource.providedBy?.reference) : [];
    case 'HealthcareService:location':
      return resource.resourceType === 'HealthcareService'
        ? (resource.location ?? []).flatMap((l) => id(l.reference))
        : [];
    default:
      return [];
  }
}

export interface SearchBundleInput {
  id: string;
  now: Date;
  baseUrl: string;
  selfUrl: string;
  nextUrl?: string | undefined;
  total?: number | undefined;
  matches: Resource[];
  included: Resource[];
  /** Warnings, e.g. the parameters ignored under lenient handling. */
  warnings: string[];
}

/** A searchset Bundle: the matches, then what `_include` brought, then any warnings. */
export function searchBundle(input: SearchBundleInput): Bundle {
  const entry = (resource: Resource, mode: 'match' | 'include'): BundleEntry => ({
    fullUrl: `${input.baseUrl}/${resource.resourceType}/${resource.id ?? ''}`,
    resource,
    search: { mode },
  });
  const entries: BundleEntry[] = [
    ...input.matches.map((resource) => entry(resource, 'match')),
    ...input.included.map((resource) => entry(resource, 'include')),
  ];
  if (input.warnings.length > 0) {
    entries.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: input.warnings.map((diagnostics) => ({ severity: 'warning', code: 'not-supported', diagnostics })),
      },
      search: { mode: 'outcome' },
    });
  }
  return {
    resourceType: 'Bundle',
    id: input.id,
    meta: { lastUpdated: input.now.toISOString() },
    type: 'searchset',
    ...(input.total === undefined ? {} : { total: input.total }),
    link: [
      { relation: 'self', url: input.selfUrl },
      ...(input.nextUrl === undefined ? [] : [{ relation: 'next', url: input.nextUrl }]),
    ],
    ...(entries.length === 0 ? {} : { entry: entries }),
  };
}
