import { Type } from 'typebox';
import { INDIAN_MOBILE_PATTERN } from '@sanjog/shared';
import { ClientId, Uuid } from '../../platform/http/schemas.js';

const Sex = Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('other'), Type.Literal('unknown')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const BirthDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const BirthYear = Type.Integer({ minimum: 1900, maximum: 2100 });
const AgeYears = Type.Integer({
  minimum: 0,
  maximum: 130,
  description: 'Age in whole years, when the date of birth is not known; stored as a birth year',
});
const Mobile = Type.String({ pattern: INDIAN_MOBILE_PATTERN });
const Name = Type.String({ minLength: 1, maxLength: 200 });

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

/**
 * A family profile a patient adds under their mobile number: what a doctor needs to know who
 * they are talking to, nothing more (no socioeconomic data). Give birthDate or ageYears.
 */
export const NewProfileBody = Type.Object(
  {
    id: ClientId,
    self: Type.Optional(
      Type.Boolean({ description: "This profile is the account holder: the account's mobile number is filled in" }),
    ),
    name: Name,
    sex: Sex,
    birthDate: Type.Optional(BirthDate),
    ageYears: Type.Optional(AgeYears),
    stateId: Type.String({ minLength: 1, maxLength: 20 }),
    districtId: Type.String({ minLength: 1, maxLength: 30 }),
    mobile: Type.Optional(Mobile),
  },
  { additionalProperties: false },
);

export const ProfileChangesBody = Type.Object(
  {
    name: Type.Optional(Name),
    sex: Type.Optional(Sex),
    birthDate: Type.Optional(BirthDate),
    ageYears: Type.Optional(AgeYears),
    districtId: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
    mobile: Type.Optional(Type.Union([Mobile, Type.Null()], { description: 'null removes the number' })),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** An uploaded earlier record, without its bytes. The media types are those of `ACCEPTED_MEDIA_TYPES`. */
export const PatientFileSchema = Type.Object({
  id: Uuid,
  patientId: Uuid,
  title: NullableString,
  mediaType: Type.Union([
    Type.Literal('application/pdf'),
    Type.Literal('image/jpeg'),
    Type.Literal('image/png'),
    Type.Literal('image/webp'),
  ]),
  sizeBytes: Type.Integer(),
  sha256: Type.String({ description: 'Hex SHA-256 of the content' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const PatientFileList = Type.Object({ items: Type.Array(PatientFileSchema) });

export const UploadQuery = Type.Object(
  {
    id: ClientId,
    title: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: '^[^\\u0000-\\u001f\\u007f]*$',
        description: 'e.g. "Blood test, March"',
      }),
    ),
  },
  { additionalProperties: false },
);

export const FileParams = Type.Object({ fileId: Uuid });
