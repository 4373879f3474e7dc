import { Type, type TSchema } from 'typebox';

/** The OperationOutcome schema used in every route's error responses. */
export const OperationOutcomeSchema = Type.Object(
  {
    resourceType: Type.Literal('OperationOutcome'),
    id: Type.Optional(Type.String()),
    issue: Type.Array(
      Type.Object({
        severity: Type.String(),
        code: Type.String(),
        diagnostics: Type.Optional(Type.String()),
        expression: Type.Optional(Type.Array(Type.String())),
        details: Type.Optional(Type.Object({ text: Type.String() })),
      }),
    ),
  },
  { $id: 'OperationOutcome', description: 'FHIR R4 OperationOutcome' },
);

const outcomeRef = Type.Unsafe<unknown>({ $ref: 'OperationOutcome#' });

/** The error answers any authenticated route may give. */
export const errorResponses = {
  400: outcomeRef,
  401: outcomeRef,
  403: outcomeRef,
  404: outcomeRef,
  409: outcomeRef,
  422: outcomeRef,
  429: outcomeRef,
  500: outcomeRef,
} as const;

/** Success responses plus the standard error ones. */
export function responses<T extends Record<number, TSchema>>(success: T): T & typeof errorResponses {
  return { ...errorResponses, ...success };
}

export const Uuid = Type.String({ format: 'uuid' });

export const IdParams = Type.Object({ id: Uuid });

/** Creates accept an optional client-generated id, so that an offline retry never duplicates. */
export const ClientId = Type.Optional(
  Type.String({
    format: 'uuid',
    description: 'Client-generated id; a retry with the same id returns the first result',
  }),
);

/** The body of an action that takes no input: `{}`. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });
