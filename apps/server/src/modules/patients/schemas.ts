import { Type } from 'typebox';
import { INDIAN_MOBILE_PATTERN } from '@sanjog/shared';
import { ClientId } from '../../platform/http/schemas.js';

const Sex = Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('other'), Type.Literal('unknown')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const BirthDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const BirthYear = Type.Integer({ minimum: 1900, maximum: 2100 });

export const PatientSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  stateId: Type.String(),
  districtId: NullableString,
  name: Type.String(),
  sex: Sex,
  birthDate: NullableString,
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  mobile: NullableString,
  village: NullableString,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});

export const NewPatientBody = Type.Object(
  {
    id: ClientId,
    stateId: Type.String(),
    districtId: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    sex: Sex,
    birthDate: Type.Optional(BirthDate),
    birthYear: Type.Optional(BirthYear),
    mobile: Type.Optional(Type.String({ pattern: INDIAN_MOBILE_PATTERN })),
    village: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const PatientChangesBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    sex: Type.Optional(Sex),
    birthDate: Type.Optional(BirthDate),
    birthYear: Type.Optional(BirthYear),
    mobile: Type.Optional(Type.String({ pattern: INDIAN_MOBILE_PATTERN })),
    village: Type.Optional(Type.String({ maxLength: 200 })),
    districtId: Type.Optional(Type.String()),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PatientQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 2, maxLength: 100 })),
    mobile: Type.Optional(Type.String({ pattern: INDIAN_MOBILE_PATTERN })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const PatientList = Type.Object({ items: Type.Array(PatientSchema) });
