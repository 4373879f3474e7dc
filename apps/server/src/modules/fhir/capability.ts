import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { DIRECTORY_TYPES } from './constants.js';
import { DEFAULT_COUNT, INCLUDES, MAX_COUNT, SEARCH_PARAMETERS } from './search.js';

/** When this statement last changed: bump it with the search parameters or resources served. */
export const CAPABILITY_DATE = '2026-11-22';

const PROFILES: Record<(typeof DIRECTORY_TYPES)[number], string> = {
  Organization: 'http://hl7.org/fhir/StructureDefinition/Organization',
  Location: 'http://hl7.org/fhir/StructureDefinition/Location',
  Practitioner: 'http://hl7.org/fhir/StructureDefinition/Practitioner',
  PractitionerRole: 'http://hl7.org/fhir/StructureDefinition/PractitionerRole',
  HealthcareService: 'http://hl7.org/fhir/StructureDefinition/HealthcareService',
};

/** What the directory serves, built from the same table that parses searches. */
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
      description: 'Sanjog care network directory (IHE mCSD Care Services Selective Supplier, read and search)',
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
        resource: resources,
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
