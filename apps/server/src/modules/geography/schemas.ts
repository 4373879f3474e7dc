import { Type } from 'typebox';
import { ClientId } from '../../platform/http/schemas.js';

export const FacilityKindSchema = Type.Union([
  Type.Literal('spoke'),
  Type.Literal('hub'),
  Type.Literal('opd'),
  Type.Literal('referral'),
  Type.Literal('pharmacy'),
]);

export const StateSchema = Type.Object({
  id: Type.String(),
  countryId: Type.String(),
  code: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
});

export const DistrictSchema = Type.Object({
  id: Type.String(),
  stateId: Type.String(),
  code: Type.String(),
  name: Type.String(),
});

export const StateParams = Type.Object({ stateId: Type.String({ pattern: '^[A-Z]{2}-[0-9A-Za-z]+$' }) });

export const FacilitySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  stateId: Type.String(),
  districtId: Type.String(),
  name: Type.String(),
  kind: FacilityKindSchema,
  registryId: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});

export const FacilityQuery = Type.Object(
  {
    stateId: Type.Optional(Type.String()),
    districtId: Type.Optional(Type.String()),
    kind: Type.Optional(FacilityKindSchema),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const FacilityPage = Type.Object({ total: Type.Integer(), items: Type.Array(FacilitySchema) });

export const NewFacilityBody = Type.Object(
  {
    id: ClientId,
    stateId: Type.String(),
    districtId: Type.String(),
    name: Type.String({ minLength: 2, maxLength: 200 }),
    kind: FacilityKindSchema,
    registryId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const FacilityChangesBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 2, maxLength: 200 })),
    active: Type.Optional(Type.Boolean()),
    registryId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()])),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: 'the version you edited; a newer one is a conflict' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
