import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { DIRECTORY_TYPES, NRCES_PROFILE_BASE } from './constants.js';
import { DEFAULT_COUNT, INCLUDES, MAX_COUNT, SEARCH_PARAMETERS } from './search.js';

/** When this statement last changed: bump it with the search parameters or resources served. */
export const CAPABILITY_DATE = '2026-12-08';

const PROFILES: Record<(typeof DIRECTORY_TYPES)[number], string> = {
  Organization: 'http://hl7.org/fhir/StructureDefinition/Organization',
  Location: 'http://hl7.org/fhir/StructureDefinition/Location',
  Practitioner: 'http://hl7.org/fhir/StructureDefinition/Practitioner',
  PractitionerRole: 'http://hl7.org/fhir/StructureDefinition/PractitionerRole',
  HealthcareService: 'http://hl7.org/fhir/StructureDefinition/HealthcareService',
};

const READ_ONLY = {
  interaction: [{ code: 'read' }],
  versioning: 'no-version',
  readHistory: false,
  updateCreate: false,
  conditionalCreate: false,
  conditionalRead: 'not-supported',
  conditionalUpdate: false,
  conditionalDelete: 'not-supported',
} satisfies Partial<CapabilityStatementRestResource>;

/**
 * The e-prescriptions served under the same base (by the prescriptions module), read by id only:
 * the patient's account and the doctor who signed them read them too, not only staff of the state.
 */
const PRESCRIPTION_RESOURCES: CapabilityStatementRestResource[] = [
  {
    type: 'Bundle',
    profile: 'http://hl7.org/fhir/StructureDefinition/Bundle',
    supportedProfile: [`${NRCES_PROFILE_BASE}/DocumentBundle`],
    documentation:
      'A signed e-prescription as an NRCeS PrescriptionRecord document Bundle; its id is the prescription id.',
    ...READ_ONLY,
  },
  {
    type: 'MedicationRequest',
    profile: 'http://hl7.org/fhir/StructureDefinition/MedicationRequest',
    supportedProfile: [`${NRCES_PROFILE_BASE}/MedicationRequest`],
    documentation:
      'One medicine of a signed e-prescription; its id is the prescription id, "-", and the item number (from 1).',
    ...READ_ONLY,
  },
];

/** What the directory serves, built from the same table that parses searches, and the prescriptions' reads. */
export function capabilityStatement(baseUrl: string, softwareVersion: string): CapabilityStatement {
  const resources: CapabilityStatementRestResource[] = DIRECTORY_TYPES.map((type) => ({
    type,
    profile: PROFILES[type],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    ...(Object.keys(INCLUDES[type]).length === 0 ? {} : { searchInclude: Object.keys(INCLUDES[type]) }),
    searchParam: Object.entries(SEARCH_PARAMETERS[type]).map(([name, definition]) => ({
      name,
      type: definition.type,
      ...(definition.definition === undefined ? {} : { definition: definition.definition }),
      documentation: definition.documentation,
    })),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: CAPABILITY_DATE,
    publisher: 'Sanjog',
    kind: 'instance',
    software: { name: 'Sanjog', version: softwareVersion },
    implementation: {
      description:
        'Sanjog care network directory (IHE mCSD Care Services Selective Supplier, read and search) and e-prescriptions (read)',
      url: baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          `Searches return a searchset Bundle of ${DEFAULT_COUNT} entries by default (_count up to ${MAX_COUNT}), ` +
          'with a next link while there are more; _total=accurate adds the total. Unknown parameters are refused ' +
          'with a 400 OperationOutcome unless the request says Prefer: handling=lenient.',
        security: {
          description:
            "A bearer token (Authorization: Bearer ...) or a session cookie from /api/v1/auth. Results are limited to the caller's states.",
        },
        resource: [...resources, ...PRESCRIPTION_RESOURCES],
        searchParam: [
          {
            name: '_count',
            type: 'number',
            documentation: `Page size, ${DEFAULT_COUNT} by default, at most ${MAX_COUNT}.`,
          },
          { name: '_total', type: 'token', documentation: 'accurate (or estimate) adds Bundle.total.' },
          { name: '_include', type: 'special', documentation: 'Adds the referenced resources (see searchInclude).' },
        ],
      },
    ],
  };
}
