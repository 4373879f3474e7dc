import { Type } from 'typebox';
import { ClientId, Uuid } from '../../platform/http/schemas.js';

/** A local time of day, 'HH:MM' (24-hour clock). */
export const TimeOfDay = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: "local time, 'HH:MM'",
});
export const LocalDate = Type.String({ format: 'date', description: "local date, 'YYYY-MM-DD'" });
export const Weekday = Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday … 6 = Saturday (local)' });

const NullableDate = Type.Union([LocalDate, Type.Null()]);

const availabilityStatus = (description?: string) =>
  Type.Union([Type.Literal('available'), Type.Literal('break'), Type.Literal('off_shift')], { description });
export const AvailabilityStatusSchema = availabilityStatus();
const ExceptionKindSchema = Type.Union([Type.Literal('leave'), Type.Literal('holiday')]);

export const ShiftSchema = Type.Object({
  id: Uuid,
  practitionerId: Uuid,
  facilityId: Uuid,
  stateId: Type.String(),
  weekday: Weekday,
  startsAt: TimeOfDay,
  endsAt: TimeOfDay,
  overnight: Type.Boolean({ description: 'ends on the next day (endsAt at or before startsAt)' }),
  validFrom: NullableDate,
  validTo: NullableDate,
});

export const ShiftList = Type.Object({ items: Type.Array(ShiftSchema) });

export const ShiftListQuery = Type.Object({ facilityId: Type.Optional(Uuid) }, { additionalProperties: false });

export const ShiftInputSchema = Type.Object(
  {
    weekday: Weekday,
    startsAt: TimeOfDay,
    endsAt: Type.String({
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      description: "local time, 'HH:MM'; at or before startsAt means the next day",
    }),
    validFrom: Type.Optional(NullableDate),
    validTo: Type.Optional(NullableDate),
  },
  { additionalProperties: false },
);

export const ReplaceShiftsBody = Type.Object(
  {
    facilityId: Uuid,
    shifts: Type.Array(ShiftInputSchema, { maxItems: 50, description: "the practitioner's whole week there" }),
  },
  { additionalProperties: false },
);

export const ExceptionSchema = Type.Object({
  id: Uuid,
  kind: ExceptionKindSchema,
  stateId: Type.String(),
  practitionerId: Type.Union([Uuid, Type.Null()]),
  date: LocalDate,
  note: Type.Union([Type.String(), Type.Null()]),
});

export const ExceptionList = Type.Object({ items: Type.Array(ExceptionSchema) });

export const ExceptionQuery = Type.Object(
  {
    stateId: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    practitionerId: Type.Optional(Uuid),
    kind: Type.Optional(ExceptionKindSchema),
    from: Type.Optional(LocalDate),
    to: Type.Optional(LocalDate),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
  },
  { additionalProperties: false },
);

export const NewExceptionBody = Type.Object(
  {
    id: ClientId,
    kind: ExceptionKindSchema,
    practitionerId: Type.Optional(Type.String({ format: 'uuid', description: 'for leave' })),
    stateId: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'for a holiday' })),
    date: LocalDate,
    note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const AvailabilityBody = Type.Object({ status: AvailabilityStatusSchema }, { additionalProperties: false });

export const AvailabilitySchema = Type.Object({
  practitionerId: Uuid,
  status: availabilityStatus('effective: off_shift whenever the roster says so, else what you set (default available)'),
  onShift: Type.Boolean(),
  setStatus: Type.Union([AvailabilityStatusSchema, Type.Null()], {
    description: 'what you last set; it counts only within the stretch of shifts you set it in',
  }),
  setAt: Type.Optional(Type.String({ format: 'date-time' })),
  shiftEndsAt: Type.Optional(Type.String({ format: 'date-time' })),
});
