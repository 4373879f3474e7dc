import { Type } from 'typebox';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const SpecialitySchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameHi: NullableString,
  snomedCode: NullableString,
  snomedDisplay: NullableString,
});

export const SpecialityList = Type.Object({ items: Type.Array(SpecialitySchema) });

export const TermQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'code prefix or words of the name' })),
    limit: Type.Integer({ minimum: 1, maximum: 20, default: 20 }),
  },
  { additionalProperties: false },
);

export const ComplaintTermSchema = Type.Object({
  code: Type.String({ description: 'code of the country pack, e.g. fever' }),
  name: Type.String(),
  nameHi: NullableString,
  snomedCode: Type.Union([Type.String(), Type.Null()], {
    description: 'SNOMED CT finding; null where none is confirmed',
  }),
  snomedDisplay: NullableString,
  specialityCode: Type.Union([Type.String(), Type.Null()], { description: 'suggested speciality' }),
  redFlag: Type.Boolean({ description: 'needs urgent attention' }),
  verified: Type.Boolean({ description: 'the SNOMED CT id was checked against a public artefact' }),
});

export const ComplaintTermList = Type.Object({ items: Type.Array(ComplaintTermSchema) });

export const DiagnosisTermSchema = Type.Object({
  code: Type.String({ description: 'WHO ICD-10 code' }),
  title: Type.String(),
});

export const DiagnosisTermList = Type.Object({ items: Type.Array(DiagnosisTermSchema) });
