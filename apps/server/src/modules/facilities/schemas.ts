import { Type } from 'typebox';
import { ClientId } from '../../platform/http/schemas.js';

export const FacilityKindSchema = Type.Union([
  Type.Literal('spoke'),
  Type.Literal('hub'),
  Type.Literal('opd'),
  Type.Literal('referral'),
  Type.Literal('pharmacy'),
]);

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Language = Type.String({ pattern: '^[a-z]{2,3}$', description: 'ISO 639 code, e.g. hi' });

export const FacilitySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  stateId: Type.String(),
  districtId: Type.String(),
  name: Type.String(),
  kind: FacilityKindSchema,
  subtype: NullableString,
  registryId: NullableString,
  addressLine: NullableString,
  city: NullableString,
  pincode: NullableString,
  latitude: NullableNumber,
  longitude: NullableNumber,
  languages: Type.Array(Type.String()),
  phone: NullableString,
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
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'name starts with' })),
    active: Type.Optional(Type.Boolean()),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const FacilityPage = Type.Object({ total: Type.Integer(), items: Type.Array(FacilitySchema) });

const editable = {
  name: Type.String({ minLength: 2, maxLength: 200 }),
  subtype: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]),
  registryId: Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()]),
  addressLine: Type.Union([Type.String({ maxLength: 300 }), Type.Null()]),
  city: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
  pincode: Type.Union([Type.String({ pattern: '^[0-9]{6}$' }), Type.Null()]),
  latitude: Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()]),
  longitude: Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()]),
  languages: Type.Array(Language, { maxItems: 20 }),
  phone: Type.Union([Type.String({ pattern: '^[0-9+ -]{6,20}$' }), Type.Null()]),
  active: Type.Boolean(),
};

export const NewFacilityBody = Type.Object(
  {
    id: ClientId,
    stateId: Type.String(),
    districtId: Type.String(),
    kind: FacilityKindSchema,
    name: editable.name,
    subtype: Type.Optional(editable.subtype),
    registryId: Type.Optional(editable.registryId),
    addressLine: Type.Optional(editable.addressLine),
    city: Type.Optional(editable.city),
    pincode: Type.Optional(editable.pincode),
    latitude: Type.Optional(editable.latitude),
    longitude: Type.Optional(editable.longitude),
    languages: Type.Optional(editable.languages),
    phone: Type.Optional(editable.phone),
    active: Type.Optional(editable.active),
  },
  { additionalProperties: false },
);

export const FacilityChangesBody = Type.Object(
  {
    districtId: Type.Optional(Type.String()),
    name: Type.Optional(editable.name),
    subtype: Type.Optional(editable.subtype),
    registryId: Type.Optional(editable.registryId),
    addressLine: Type.Optional(editable.addressLine),
    city: Type.Optional(editable.city),
    pincode: Type.Optional(editable.pincode),
    latitude: Type.Optional(editable.latitude),
    longitude: Type.Optional(editable.longitude),
    languages: Type.Optional(editable.languages),
    phone: Type.Optional(editable.phone),
    active: Type.Optional(editable.active),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: 'the version you edited; a newer one is a conflict' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PoolMemberBody = Type.Object(
  { facilityId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export const PoolMemberParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  memberId: Type.String({ format: 'uuid' }),
});
