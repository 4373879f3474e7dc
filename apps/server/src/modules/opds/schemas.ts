import { Type } from 'typebox';
import { Uuid } from '../../platform/http/schemas.js';
import { TimeOfDay, Weekday } from '../rosters/index.js';

const Language = Type.String({ pattern: '^[a-z]{2,3}$', description: 'ISO 639 code, e.g. hi' });
const ClosingTime = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  description: "local time, 'HH:MM'; 24:00 for midnight",
});
const Instant = (description: string) => Type.String({ format: 'date-time', description });
const SpecialityCode = Type.String({ pattern: '^[a-z0-9_]{2,60}$', description: 'e.g. general_medicine' });

export const OpdParams = Type.Object({ facilityId: Uuid });

export const OpdSessionSchema = Type.Object(
  { weekday: Weekday, opensAt: TimeOfDay, closesAt: ClosingTime },
  { additionalProperties: false },
);

export const OpdSettingsBody = Type.Object(
  {
    specialityCode: Type.Union([SpecialityCode, Type.Null()], { description: 'null for a general OPD' }),
    dailyCapacity: Type.Integer({ minimum: 1, maximum: 100_000, description: 'consultations a day' }),
    waitingRoomSize: Type.Integer({ minimum: 1, maximum: 10_000, description: 'patients waiting at once' }),
    consultationMinutes: Type.Integer({ minimum: 1, maximum: 120, description: 'time limit of one consultation' }),
    languages: Type.Array(Language, { maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const OpdHoursBody = Type.Object(
  {
    sessions: Type.Array(OpdSessionSchema, {
      maxItems: 70,
      description: "the whole week, in the state's local time; several sessions a day allowed",
    }),
  },
  { additionalProperties: false },
);

export const OpdQuery = Type.Object(
  {
    stateId: Type.String({ minLength: 1, maxLength: 20 }),
    speciality: Type.Optional(SpecialityCode),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const now = {
  openNow: Type.Boolean({ description: "open now, in the state's time zone" }),
  opensAt: Type.Optional(Instant('start of the current or next session; absent when there are no hours')),
  closesAt: Type.Optional(Instant('end of the current or next session (back-to-back sessions join)')),
  activeDoctors: Type.Integer({ description: 'active OPD doctors of this OPD' }),
  doctorsOnShift: Type.Integer({ description: 'of them, on shift now by the roster' }),
  doctorsAvailable: Type.Integer({ description: 'of them, on shift and available now' }),
  waiting: Type.Integer({ description: 'patients waiting now' }),
  estimatedWaitMinutes: Type.Union([Type.Integer(), Type.Null()], {
    description: 'for a token taken now; null when closed',
  }),
};

export const OpdSummarySchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  stateId: Type.String(),
  districtId: Type.String(),
  specialityCode: Type.Union([Type.String(), Type.Null()]),
  specialityName: Type.Union([Type.String(), Type.Null()]),
  languages: Type.Array(Type.String()),
  dailyCapacity: Type.Integer(),
  waitingRoomSize: Type.Integer(),
  consultationMinutes: Type.Integer(),
  ...now,
});

export const OpdPage = Type.Object({ total: Type.Integer(), items: Type.Array(OpdSummarySchema) });

export const OpdDetailSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  stateId: Type.String(),
  districtId: Type.String(),
  active: Type.Boolean(),
  timeZone: Type.String(),
  settings: Type.Union([
    Type.Object({
      specialityCode: Type.Union([Type.String(), Type.Null()]),
      specialityName: Type.Union([Type.String(), Type.Null()]),
      dailyCapacity: Type.Integer(),
      waitingRoomSize: Type.Integer(),
      consultationMinutes: Type.Integer(),
      languages: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  hours: Type.Array(OpdSessionSchema),
  ...now,
});
