import { Type } from 'typebox';
import { PRESCRIBING_MODES, ROUTES } from './catalogue.js';

export const MedicineSchema = Type.Object({
  code: Type.String(),
  name: Type.String({ description: 'Generic name' }),
  form: Type.String({ description: 'Dosage form, e.g. Tablet, Oral liquid, Eye drops' }),
  strengths: Type.Array(Type.String()),
  route: Type.Enum(ROUTES),
  section: Type.String(),
  level: Type.String({ description: 'Levels of care: P primary, S secondary, T tertiary' }),
  notes: Type.Union([Type.String(), Type.Null()]),
  listCode: Type.String({ description: 'The prescribing list it is on (O, A, B, prohibited)' }),
  listReason: Type.Union([Type.String(), Type.Null()]),
  allergyGroups: Type.Array(Type.String()),
});

export const MedicineList = Type.Object({ items: Type.Array(MedicineSchema) });

export const MedicineQuery = Type.Object(
  {
    q: Type.String({ maxLength: 100, description: 'Start of a generic name, or words of it' }),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
  },
  { additionalProperties: false },
);

const Mode = Type.Enum(PRESCRIBING_MODES);

export const PrescribingListSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  firstModes: Type.Array(Mode, { description: 'Modes a first consultation may prescribe it in' }),
  followUpModes: Type.Array(Mode, { description: 'Modes a follow-up may prescribe it in' }),
  unlistedDefault: Type.Boolean({ description: 'Medicines the rules do not name are on this list' }),
  description: Type.String(),
});

export const PrescribingListList = Type.Object({ items: Type.Array(PrescribingListSchema) });
