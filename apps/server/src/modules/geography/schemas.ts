import { Type } from 'typebox';

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
