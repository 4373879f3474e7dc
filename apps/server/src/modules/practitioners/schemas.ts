import { Type } from 'typebox';
import { INDIAN_MOBILE_PATTERN } from '@sanjog/shared';
import { ClientId } from '../../platform/http/schemas.js';
import type { PRACTITIONER_ROLE_KINDS } from './repository.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Gender = Type.Union([
  Type.Literal('female'),
  Type.Literal('male'),
  Type.Literal('other'),
  Type.Literal('unknown'),
]);
const RoleKind = Type.Union([
  Type.Literal('hub_doctor'),
  Type.Literal('opd_doctor'),
  Type.Literal('spoke_operator'),
  Type.Literal('specialist'),
  Type.Literal('pharmacist'),
  Type.Literal('coordinator'),
]) satisfies { anyOf: { const: (typeof PRACTITIONER_ROLE_KINDS)[number] }[] };
const Codes = Type.Array(Type.String({ pattern: '^[a-z_]+$' }), { maxItems: 20 });
const Languages = Type.Array(Type.String({ pattern: '^[a-z]{2,3}$' }), { maxItems: 20 });

export const PractitionerRoleSchema = Type.Object({
  id: Type.String(),
  facilityId: Type.String(),
  facilityName: Type.String(),
  stateId: Type.String(),
  role: RoleKind,
  specialities: Type.Array(Type.String()),
  active: Type.Boolean(),
});

export const PractitionerSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  stateId: Type.String(),
  userId: NullableString,
  name: Type.String(),
  gender: Gender,
  qualification: NullableString,
  registrationCouncil: NullableString,
  registrationNumber: NullableString,
  registryId: NullableString,
  languages: Type.Array(Type.String()),
  specialities: Type.Array(Type.String()),
  mobile: NullableString,
  active: Type.Boolean(),
  roles: Type.Array(PractitionerRoleSchema),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});

export const PractitionerQuery = Type.Object(
  {
    stateId: Type.Optional(Type.String()),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'name starts with' })),
    speciality: Type.Optional(Type.String()),
    facilityId: Type.Optional(Type.String({ format: 'uuid' })),
    role: Type.Optional(RoleKind),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const PractitionerPage = Type.Object({ total: Type.Integer(), items: Type.Array(PractitionerSchema) });

const editable = {
  name: Type.String({ minLength: 2, maxLength: 200 }),
  gender: Gender,
  qualification: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  registrationCouncil: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
  registrationNumber: Type.Union([Type.String({ maxLength: 50 }), Type.Null()]),
  registryId: Type.Union([Type.String({ maxLength: 50 }), Type.Null()]),
  languages: Languages,
  specialities: Codes,
  mobile: Type.Union([Type.String({ pattern: INDIAN_MOBILE_PATTERN }), Type.Null()]),
  active: Type.Boolean(),
};

export const NewPractitionerBody = Type.Object(
  {
    id: ClientId,
    stateId: Type.String(),
    name: editable.name,
    gender: editable.gender,
    qualification: Type.Optional(editable.qualification),
    registrationCouncil: Type.Optional(editable.registrationCouncil),
    registrationNumber: Type.Optional(editable.registrationNumber),
    registryId: Type.Optional(editable.registryId),
    languages: Type.Optional(editable.languages),
    specialities: Type.Optional(editable.specialities),
    mobile: Type.Optional(editable.mobile),
    active: Type.Optional(editable.active),
  },
  { additionalProperties: false },
);

export const PractitionerChangesBody = Type.Object(
  {
    name: Type.Optional(editable.name),
    gender: Type.Optional(editable.gender),
    qualification: Type.Optional(editable.qualification),
    registrationCouncil: Type.Optional(editable.registrationCouncil),
    registrationNumber: Type.Optional(editable.registrationNumber),
    registryId: Type.Optional(editable.registryId),
    languages: Type.Optional(editable.languages),
    specialities: Type.Optional(editable.specialities),
    mobile: Type.Optional(editable.mobile),
    active: Type.Optional(editable.active),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RolesBody = Type.Object(
  {
    roles: Type.Array(
      Type.Object(
        { facilityId: Type.String({ format: 'uuid' }), role: RoleKind, specialities: Type.Optional(Codes) },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
