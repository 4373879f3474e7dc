import { Type, type TSchema } from 'typebox';
import type { DirectoryType } from './constants.js';
import { RESULT_PARAMETERS, SEARCH_PARAMETERS } from './search.js';

/**
 * FHIR resources are large and open-ended: the response schemas only pin the resource type and
 * let every other property through untouched (the mappers are typed with @medplum/fhirtypes and
 * the tests validate what goes out against the FHIR R4 definitions).
 */
export const FhirResourceSchema = Type.Object(
  { resourceType: Type.String(), id: Type.Optional(Type.String()) },
  { additionalProperties: true, description: 'A FHIR R4 resource' },
);

export const BundleSchema = Type.Object(
  { resourceType: Type.Literal('Bundle'), type: Type.String() },
  { additionalProperties: true, description: 'A FHIR R4 searchset Bundle' },
);

export const CapabilityStatementSchema = Type.Object(
  { resourceType: Type.Literal('CapabilityStatement') },
  { additionalProperties: true, description: 'A FHIR R4 CapabilityStatement' },
);

/** A FHIR id: letters, digits, - and ., up to 64. */
export const FhirIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9\\-.]{1,64}$' }) });
export const TypeParams = Type.Object({ type: Type.String({ maxLength: 64 }) });
export const TypeIdParams = Type.Object({ type: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 200 }) });

const Values = (description: string) =>
  Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 20, description }));

/**
 * The query of a search: every parameter the type takes (each may repeat), the result
 * parameters, and anything else, which the service refuses with an OperationOutcome naming it
 * (or ignores under `Prefer: handling=lenient`).
 */
export function searchQuerySchema(type: DirectoryType): TSchema {
  const properties: Record<string, TSchema> = {};
  for (const [name, definition] of Object.entries(SEARCH_PARAMETERS[type])) {
    properties[name] = Values(definition.documentation);
    for (const modifier of definition.modifiers ?? [])
      properties[`${name}:${modifier}`] = Values(`${name}, ${modifier}`);
  }
  for (const name of RESULT_PARAMETERS) properties[name] = Values(name);
  return Type.Object(properties, { additionalProperties: true });
}
