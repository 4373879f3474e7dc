import { Type, type TSchema } from 'typebox';
import { ClientId, Uuid } from '../../platform/http/schemas.js';
import { DURATION_UNITS, SEVERITIES, VitalsSchema } from '../consultations/index.js';
import {
  ATTACHMENT_KINDS,
  DECLINE_REASONS,
  PREGNANCY_STATUSES,
  RED_FLAGS,
  REFERRAL_OUTCOMES,
  REFERRAL_STATUSES,
  REQUEST_MODES,
  REQUEST_STATUSES,
  URGENCIES,
} from './model.js';

const Enum = Type.Enum;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableString = Nullable(Type.String());
const DateTime = Type.String({ format: 'date-time' });
const Text = (maxLength = 5000) => Type.String({ maxLength });
const strict = { additionalProperties: false } as const;

export const StateParams = Type.Object({ stateId: Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' }) });
export const InviteParams = Type.Object({ id: Uuid });
export const AttachmentParams = Type.Object({ id: Uuid, fileId: Uuid });

export const FindPatientsQuery = Type.Object(
  {
    abhaNumber: Type.Optional(Type.String({ maxLength: 20 })),
    abhaAddress: Type.Optional(Type.String({ maxLength: 100 })),
    mobile: Type.Optional(Type.String({ pattern: '^[6-9][0-9]{9}$' })),
    name: Type.Optional(Type.String({ minLength: 2, maxLength: 100 })),
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
    village: Type.Optional(Type.String({ maxLength: 100 })),
  },
  strict,
);

const PatientFields = {
  id: Type.String(),
  stateId: Type.String(),
  name: Type.String(),
  sex: Type.String(),
  birthYear: Nullable(Type.Integer()),
  mobile: NullableString,
  village: NullableString,
  abhaNumber: Type.Optional(Type.String()),
  abhaAddress: Type.Optional(Type.String()),
};
export const SpokePatientSchema = Type.Object(PatientFields);
export const FoundPatients = Type.Object({
  matches: Type.Array(Type.Object({ ...PatientFields, matchedBy: Type.String() })),
  likely: Type.Array(Type.Object({ ...PatientFields, score: Type.Number(), reasons: Type.Array(Type.String()) })),
});

export const RegisterPatientBody = Type.Object(
  {
    id: ClientId,
    spokeId: Type.Optional(Uuid),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    sex: Enum(['female', 'male', 'other', 'unknown'] as const),
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
    age: Type.Optional(Type.Integer({ minimum: 0, maximum: 130 })),
    mobile: Type.Optional(Type.String({ pattern: '^[6-9][0-9]{9}$' })),
    village: Type.Optional(Type.String({ maxLength: 100 })),
    abhaNumber: Type.Optional(Type.String({ maxLength: 20, description: '14 digits, dashes allowed' })),
    abhaAddress: Type.Optional(Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9._-]+@[A-Za-z]+$' })),
  },
  strict,
);

export const ConsentBody = Type.Object(
  {
    id: ClientId,
    spokeId: Type.Optional(Uuid),
    method: Enum(['verbal', 'written'] as const),
    givenBy: Enum(['patient', 'guardian'] as const),
  },
  strict,
);
export const ConsentSchema = Type.Object({
  id: Type.String(),
  patientId: Type.String(),
  method: Type.String(),
  givenBy: Type.String(),
  recordedAt: DateTime,
});

const DraftFields = {
  mode: Type.Optional(Enum(REQUEST_MODES)),
  complaints: Type.Optional(
    Type.Array(
      Type.Object(
        {
          code: Type.String({ maxLength: 100 }),
          duration: Type.Optional(
            Type.Object({ value: Type.Integer({ minimum: 1, maximum: 999 }), unit: Enum(DURATION_UNITS) }, strict),
          ),
          severity: Type.Optional(Enum(SEVERITIES)),
          note: Type.Optional(Text(500)),
        },
        strict,
      ),
      { maxItems: 20 },
    ),
  ),
  complaintText: Type.Optional(Nullable(Text())),
  history: Type.Optional(Nullable(Text())),
  vitals: Type.Optional(VitalsSchema),
  pregnancy: Type.Optional(Nullable(Enum(PREGNANCY_STATUSES))),
  specialityCode: Type.Optional(Nullable(Type.String({ maxLength: 60 }))),
  urgency: Type.Optional(Nullable(Enum(URGENCIES))),
};

export const CreateRequestBody = Type.Object(
  {
    id: ClientId,
    patientId: Uuid,
    spokeId: Type.Optional(Uuid),
    followUpOf: Type.Optional(Uuid),
    ...DraftFields,
  },
  strict,
);
export const UpdateRequestBody = Type.Object({ version: Type.Optional(Type.Integer()), ...DraftFields }, strict);
export const SendBody = Type.Object(
  {
    specialityCode: Type.Optional(Type.String({ maxLength: 60 })),
    urgency: Type.Optional(Enum(URGENCIES)),
    mode: Type.Optional(Enum(REQUEST_MODES)),
  },
  strict,
);
export const CancelBody = Type.Object({ reason: Text(500) }, strict);
export const ListQuery = Type.Object(
  { spokeId: Type.Optional(Uuid), status: Type.Optional(Enum(REQUEST_STATUSES)) },
  strict,
);

const RequestFields = {
  id: Type.String(),
  stateId: Type.String(),
  spokeId: Type.String(),
  spokeName: Type.String(),
  patientId: Type.String(),
  patientName: Type.String(),
  patientSex: Type.String(),
  patientBirthYear: Nullable(Type.Integer()),
  status: Enum(REQUEST_STATUSES),
  mode: Enum(REQUEST_MODES),
  specialityCode: NullableString,
  urgency: NullableString,
  suggestedSpeciality: NullableString,
  suggestedUrgency: NullableString,
  complaints: Type.Array(Type.Unknown()),
  complaintText: NullableString,
  history: NullableString,
  vitals: Type.Unknown(),
  redFlags: Type.Array(Type.String()),
  pregnancy: NullableString,
  consentId: NullableString,
  followUpOf: NullableString,
  hubId: NullableString,
  hubName: NullableString,
  routeIndex: Type.Integer(),
  routeHubs: Type.Array(Type.String()),
  sentAt: Nullable(DateTime),
  overflowAt: Nullable(DateTime),
  slaDueAt: Nullable(DateTime),
  slaAlertedAt: Nullable(DateTime),
  practitionerId: NullableString,
  practitionerName: NullableString,
  takenAt: Nullable(DateTime),
  consultationId: NullableString,
  answeredAt: Nullable(DateTime),
  reroutes: Type.Integer(),
  advice: NullableString,
  diagnoses: Type.Array(Type.Unknown()),
  followUp: Type.Unknown(),
  feedback: Type.Unknown(),
  referralStatus: NullableString,
  createdAt: DateTime,
  updatedAt: DateTime,
  version: Type.Integer(),
};
export const RequestSummarySchema = Type.Object(RequestFields);
export const RequestList = Type.Object({ items: Type.Array(RequestSummarySchema) });

const EventSchema = Type.Object({
  at: DateTime,
  kind: Type.String(),
  hubId: NullableString,
  hubName: NullableString,
  practitionerId: NullableString,
  practitionerName: NullableString,
  detail: Type.Unknown(),
});
export const InviteSchema = Type.Object({
  id: Type.String(),
  requestId: Type.String(),
  practitionerId: Type.String(),
  practitionerName: Type.String(),
  invitedBy: Type.String(),
  note: NullableString,
  opinion: NullableString,
  invitedAt: DateTime,
  answeredAt: Nullable(DateTime),
});
export const RequestSchema = Type.Object({
  ...RequestFields,
  age: Nullable(Type.Integer()),
  bmi: Nullable(Type.Number()),
  redFlagFindings: Type.Array(Type.Object({ flag: Enum(RED_FLAGS), message: Type.String() })),
  triage: Type.Object({ specialityCode: Type.String(), urgency: Type.String(), reasons: Type.Array(Type.String()) }),
  missing: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
  events: Type.Array(EventSchema),
  attachments: Type.Array(
    Type.Object({
      fileId: Type.String(),
      kind: Type.String(),
      title: NullableString,
      mediaType: Type.String(),
      sizeBytes: Type.Integer(),
      addedAt: DateTime,
    }),
  ),
  invites: Type.Array(InviteSchema),
});
export const TakeResponse = Type.Object({ request: Nullable(RequestSchema) });
export const HubQueue = Type.Object({
  waiting: Type.Array(RequestSummarySchema),
  mine: Type.Array(RequestSummarySchema),
  answered: Type.Array(RequestSummarySchema),
  invites: Type.Array(InviteSchema),
});

export const DeclineBody = Type.Object(
  {
    reason: Enum(DECLINE_REASONS),
    text: Type.Optional(Text(1000)),
    specialityCode: Type.Optional(
      Type.String({ maxLength: 60, description: 'for not_my_speciality: where it belongs' }),
    ),
  },
  strict,
);
export const AnswerBody = Type.Object(
  {
    advice: Text(),
    record: Type.Optional(
      Type.Object(
        {
          examination: Type.Optional(Nullable(Text())),
          diagnoses: Type.Optional(
            Type.Array(Type.Object({ code: Type.String({ maxLength: 10 }), note: Type.Optional(Text(500)) }, strict), {
              maxItems: 10,
            }),
          ),
          investigations: Type.Optional(Type.Array(Text(200), { maxItems: 30 })),
          followUp: Type.Optional(
            Nullable(
              Type.Object(
                {
                  afterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
                  date: Type.Optional(Type.String({ format: 'date' })),
                  with: Enum(['same_doctor', 'same_facility', 'specialist', 'nearby_health_facility'] as const),
                  specialityCode: Type.Optional(Type.String({ maxLength: 60 })),
                  note: Type.Optional(Text(500)),
                },
                strict,
              ),
            ),
          ),
        },
        strict,
      ),
    ),
  },
  strict,
);
export const InviteBody = Type.Object({ practitionerId: Uuid, note: Type.Optional(Text(1000)) }, strict);
export const OpinionBody = Type.Object({ opinion: Text() }, strict);
export const FeedbackBody = Type.Object(
  {
    complete: Type.Boolean(),
    appropriateSpeciality: Type.Boolean(),
    neededVideo: Type.Boolean(),
    reason: Type.Optional(Text(1000)),
  },
  strict,
);
export const FiguresQuery = Type.Object(
  {
    spokeId: Type.Optional(Uuid),
    stateId: Type.Optional(Type.String()),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
  },
  strict,
);
const Shares = {
  rated: Type.Integer(),
  complete: Type.Integer(),
  appropriateSpeciality: Type.Integer(),
  neededVideo: Type.Integer(),
  completeShare: Nullable(Type.Number()),
  appropriateShare: Nullable(Type.Number()),
  videoShare: Nullable(Type.Number()),
};
export const FiguresSchema = Type.Object({
  spokeId: Type.Optional(Type.String()),
  stateId: Type.Optional(Type.String()),
  weeks: Type.Array(Type.Object({ week: Type.String(), ...Shares })),
  total: Type.Object(Shares),
});

const TriageRuleSchema = Type.Object(
  {
    position: Type.Integer({ minimum: 0, maximum: 100000 }),
    // Absent rather than null: the app coerces types, and a null would arrive as ''.
    complaintCode: Type.Optional(Type.String({ maxLength: 100 })),
    redFlag: Type.Optional(Type.String({ maxLength: 60 })),
    specialityCode: Type.String({ maxLength: 60 }),
    urgency: Enum(URGENCIES),
  },
  strict,
);
export const TriageRules = Type.Object({ own: Type.Boolean(), rules: Type.Array(TriageRuleSchema) });
export const TriageRulesBody = Type.Object({ rules: Type.Array(TriageRuleSchema, { maxItems: 2000 }) }, strict);
const PerUrgency = (min: number, max: number) =>
  Type.Object(
    {
      emergency: Type.Integer({ minimum: min, maximum: max }),
      urgent: Type.Integer({ minimum: min, maximum: max }),
      routine: Type.Integer({ minimum: min, maximum: max }),
    },
    strict,
  );
export const SettingsSchema = Type.Object(
  {
    overflowMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    slaMinutes: PerUrgency(1, 10080),
    alertBeforeMinutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    referralDueDays: PerUrgency(1, 365),
  },
  strict,
);

export const ReferBody = Type.Object(
  {
    id: ClientId,
    destinationId: Uuid,
    reason: Text(1000),
    urgency: Enum(URGENCIES),
    summary: Text(),
  },
  strict,
);
export const OutcomeBody = Type.Object({ outcome: Enum(REFERRAL_OUTCOMES), note: Type.Optional(Text(1000)) }, strict);
export const ReferralSchema = Type.Object({
  id: Type.String(),
  stateId: Type.String(),
  requestId: NullableString,
  consultationId: NullableString,
  patientId: Type.String(),
  patientName: Type.String(),
  fromFacilityId: Type.String(),
  fromFacilityName: Type.String(),
  referredBy: Type.String(),
  referredByName: Type.String(),
  destinationId: Type.String(),
  destinationName: Type.String(),
  reason: Type.String(),
  urgency: Enum(URGENCIES),
  summary: Type.String(),
  status: Enum(REFERRAL_STATUSES),
  dueAt: DateTime,
  sentAt: DateTime,
  receivedAt: Nullable(DateTime),
  attendedAt: Nullable(DateTime),
  completedAt: Nullable(DateTime),
  outcome: NullableString,
  outcomeNote: NullableString,
  overdue: Type.Boolean(),
});
export const ReferralList = Type.Object({ items: Type.Array(ReferralSchema) });
export const FacilityQuery = Type.Object({ facilityId: Uuid }, strict);

export const TimelineSchema = Type.Object({
  patient: Type.Object({
    id: Type.String(),
    name: Type.String(),
    sex: Type.String(),
    birthYear: Nullable(Type.Integer()),
    village: NullableString,
  }),
  consultations: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      status: Type.String(),
      mode: Type.String(),
      startedAt: DateTime,
      endedAt: Nullable(DateTime),
      facilityName: Type.String(),
      practitionerName: Type.String(),
      chiefComplaints: Type.Array(Type.Unknown()),
      complaintText: NullableString,
      vitals: Type.Unknown(),
      diagnoses: Type.Array(Type.Unknown()),
      advice: NullableString,
      followUp: Type.Unknown(),
    }),
  ),
  requests: Type.Array(RequestSummarySchema),
  referrals: Type.Array(ReferralSchema),
  prescriptions: Type.Array(Type.Object({ id: Type.String(), at: DateTime, detail: Type.Unknown() })),
  vitals: Type.Array(
    Type.Object({ at: DateTime, source: Type.String(), vitals: Type.Unknown(), bmi: Nullable(Type.Number()) }),
  ),
});

export const UploadBody = Type.Object(
  {
    id: Uuid,
    requestId: Uuid,
    kind: Enum(ATTACHMENT_KINDS),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    mediaType: Type.String({ maxLength: 100 }),
    sizeBytes: Type.Integer({ minimum: 1 }),
    sha256: Type.String({ maxLength: 64 }),
  },
  strict,
);
export const UploadSchema = Type.Object({
  id: Type.String(),
  requestId: NullableString,
  kind: Type.String(),
  mediaType: Type.String(),
  sizeBytes: Type.Integer(),
  receivedBytes: Type.Integer(),
  complete: Type.Boolean(),
  fileId: NullableString,
});
export const ChunkQuery = Type.Object({ offset: Type.Integer({ minimum: 0 }) }, strict);
