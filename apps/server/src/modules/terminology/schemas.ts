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
