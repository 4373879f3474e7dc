import { Type, type TSchema } from 'typebox';
import {
  CONSULTATION_KINDS,
  CONSULTATION_MODES,
  CONSULTATION_STATUSES,
  CONSULTATION_TYPES,
  DURATION_UNITS,
  FOLLOW_UP_WITH,
  GLUCOSE_TIMINGS,
  GLUCOSE_UNITS,
  HEIGHT_UNITS,
  NOT_HAPPENED_REASONS,
  SEVERITIES,
  TEMPERATURE_UNITS,
  WEIGHT_UNITS,
} from './model.js';

const Enum = Type.Enum;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (maxLength = 5000) => Type.String({ maxLength });
const LocalDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Quantity = <const U extends string[]>(units: readonly [...U]) =>
  Type.Object(
    { value: Type.Number(), unit: Enum(units, { description: 'UCUM unit' }) },
    { additionalProperties: false },
  );

const Duration = Type.Object(
  { value: Type.Integer({ minimum: 1, maximum: 999 }), unit: Enum(DURATION_UNITS) },
  { additionalProperties: false },
);

/** Ranges are checked per unit by the service, so that every caller gets the same answer. */
export const VitalsSchema = Type.Object(
  {
    bloodPressure: Type.Optional(
      Type.Object(
        {
          systolic: Type.Integer({ description: 'mmHg' }),
          diastolic: Type.Integer({ description: 'mmHg' }),
        },
        { additionalProperties: false },
      ),
    ),
    pulse: Type.Optional(Type.Integer({ description: 'beats per minute' })),
    temperature: Type.Optional(Quantity(TEMPERATURE_UNITS)),
    spo2: Type.Optional(Type.Integer({ description: '%' })),
    respiratoryRate: Type.Optional(Type.Integer({ description: 'breaths per minute' })),
    weight: Type.Optional(Quantity(WEIGHT_UNITS)),
    height: Type.Optional(Quantity(HEIGHT_UNITS)),
    bloodGlucose: Type.Optional(
      Type.Object(
        { value: Type.Number(), unit: Enum(GLUCOSE_UNITS), timing: Type.Optional(Enum(GLUCOSE_TIMINGS)) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const RecordFields = {
  chiefComplaints: Type.Optional(
    Type.Array(
      Type.Object(
        {
          code: Type.String({ maxLength: 100, description: 'a code of /api/v1/terminology/complaints' }),
          duration: Type.Optional(Duration),
          severity: Type.Optional(Enum(SEVERITIES)),
          note: Type.Optional(Text(500)),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
  ),
  complaintText: Type.Optional(Nullable(Text())),
  history: Type.Optional(Nullable(Text())),
  examination: Type.Optional(Nullable(Text())),
  vitals: Type.Optional(Nullable(VitalsSchema)),
  diagnoses: Type.Optional(
    Type.Array(
      Type.Object(
        {
          code: Type.String({ maxLength: 10, description: 'an ICD-10 code of /api/v1/terminology/diagnoses' }),
          note: Type.Optional(Text(500)),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10, description: 'provisional diagnoses' },
    ),
  ),
  investigations: Type.Optional(Type.Array(Text(200), { maxItems: 30, description: 'investigations advised' })),
  advice: Type.Optional(Nullable(Text())),
  followUp: Type.Optional(
    Nullable(
      Type.Object(
        {
          afterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
          date: Type.Optional(LocalDate),
          with: Enum(FOLLOW_UP_WITH),
          specialityCode: Type.Optional(Type.String({ maxLength: 100 })),
          note: Type.Optional(Text(500)),
        },
        { additionalProperties: false, description: 'either afterDays or date' },
      ),
    ),
  ),
  mode: Type.Optional(Enum(CONSULTATION_MODES)),
  consultationType: Type.Optional(Enum(CONSULTATION_TYPES, { description: 'overrides the automatic one' })),
};

export const RecordDraftBody = Type.Object(
  { ...RecordFields, version: Type.Integer({ minimum: 1, description: 'the version the draft was based on' }) },
  { additionalProperties: false, minProperties: 2 },
);

export const CompleteBody = Type.Object(
  { ...RecordFields, version: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

export const NotHappenedBody = Type.Object(
  { reason: Enum(NOT_HAPPENED_REASONS), text: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

export const RatingBody = Type.Object(
  { rating: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Text(1000)) },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const DaySummaryQuery = Type.Object({ date: Type.Optional(LocalDate) }, { additionalProperties: false });

const DateTime = Type.String({ format: 'date-time' });
const NullableString = Nullable(Type.String());

export const ConsultationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Enum(CONSULTATION_KINDS),
  stateId: Type.String(),
  patientId: Type.String({ format: 'uuid' }),
  patientName: Type.String(),
  practitionerId: Type.String({ format: 'uuid' }),
  practitionerName: Type.String(),
  facilityId: Type.String({ format: 'uuid' }),
  facilityName: Type.String(),
  tokenId: NullableString,
  mode: Enum(CONSULTATION_MODES),
  consultationType: Enum(CONSULTATION_TYPES),
  consultationTypeSource: Enum(['auto', 'doctor'] as const),
  previousConsultationId: NullableString,
  status: Enum(CONSULTATION_STATUSES),
  startedAt: DateTime,
  endedAt: Nullable(DateTime),
  durationMinutes: Nullable(Type.Number()),
  record: Type.Object({
    chiefComplaints: Type.Array(
      Type.Object({
        code: Type.String(),
        snomedCode: NullableString,
        display: Type.String(),
        displayHi: NullableString,
        redFlag: Type.Boolean(),
        duration: Nullable(Type.Object({ value: Type.Integer(), unit: Type.String() })),
        severity: NullableString,
        note: NullableString,
      }),
    ),
    complaintText: NullableString,
    history: NullableString,
    examination: NullableString,
    vitals: VitalsSchema,
    diagnoses: Type.Array(Type.Object({ code: Type.String(), title: Type.String(), note: NullableString })),
    investigations: Type.Array(Type.String()),
    advice: NullableString,
    followUp: Nullable(
      Type.Object({
        afterDays: Nullable(Type.Integer()),
        date: NullableString,
        dueDate: Type.String(),
        with: Type.String(),
        specialityCode: NullableString,
        note: NullableString,
      }),
    ),
  }),
  notHappened: Nullable(Type.Object({ reason: Enum(NOT_HAPPENED_REASONS), text: NullableString })),
  rating: Nullable(Type.Object({ rating: Type.Integer(), comment: NullableString, ratedAt: DateTime })),
  createdAt: DateTime,
  updatedAt: DateTime,
  version: Type.Integer(),
});

export const ConsultationList = Type.Object({ items: Type.Array(ConsultationSchema) });

export const DaySummarySchema = Type.Object({
  date: Type.String(),
  timeZone: Type.String(),
  practitionerId: Type.String({ format: 'uuid' }),
  completed: Type.Integer(),
  notHappened: Type.Integer(),
  inProgress: Type.Integer(),
  noShow: Type.Integer({ description: 'OPD patients called and marked as not come' }),
  averageMinutes: Nullable(Type.Number({ description: 'of the completed consultations' })),
  totalMinutes: Type.Number(),
});
