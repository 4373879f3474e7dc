import { Type, type TSchema } from 'typebox';
import { ClientId } from '../../platform/http/schemas.js';
import { DOSE_UNITS, DURATION_UNITS, FREQUENCIES, LANGUAGES, TIMINGS } from './phrases.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Enum = Type.Enum;
const Date = Type.String({ format: 'date' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

const Dose = Type.Object(
  { value: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }), unit: Enum(DOSE_UNITS) },
  { additionalProperties: false },
);
const Duration = Type.Object(
  { value: Type.Integer({ minimum: 1, maximum: 365 }), unit: Enum(DURATION_UNITS) },
  { additionalProperties: false },
);

export const ItemInput = Type.Object(
  {
    medicineCode: Type.String({
      maxLength: 120,
      description: 'A formulary medicine code (GET /api/v1/formulary/medicines)',
    }),
    strength: Type.Optional(Type.String({ maxLength: 120, description: "One of the medicine's strengths" })),
    route: Type.Optional(Type.String({ maxLength: 30, description: "Default: the form's route" })),
    dose: Dose,
    frequency: Enum(FREQUENCIES),
    timing: Type.Optional(Enum(TIMINGS, { description: 'Before or after food ...' })),
    duration: Type.Optional(Duration),
    instructions: Type.Optional(Text(500)),
    instructionsLocal: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);

export const SignBody = Type.Object(
  {
    id: ClientId,
    language: Type.Optional(
      Enum(LANGUAGES, {
        description:
          "The patient's language for directions, printed beside English (default: the patient's chosen language, else their state's)",
      }),
    ),
    items: Type.Array(ItemInput, { maxItems: 30 }),
    investigations: Type.Optional(Type.Array(Text(200), { maxItems: 30 })),
    advice: Type.Optional(Text(2000)),
    adviceLocal: Type.Optional(Text(2000)),
    followUpDate: Type.Optional(Date),
    replaces: Type.Optional(
      Type.Object(
        { id: Type.String({ format: 'uuid' }), reason: Text(500) },
        {
          additionalProperties: false,
          description: 'A signed prescription of this consultation to cancel and replace',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CancelBody = Type.Object({ reason: Text(500) }, { additionalProperties: false });

export const DispenseBody = Type.Object(
  {
    items: Type.Optional(
      Type.Array(
        Type.Object(
          {
            index: Type.Integer({ minimum: 1 }),
            dispensed: Type.Boolean(),
            quantity: Type.Optional(Text(100)),
          },
          { additionalProperties: false },
        ),
        { maxItems: 30, description: 'Default: every item dispensed' },
      ),
    ),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);

export const AllergyBody = Type.Object(
  {
    id: ClientId,
    substance: Text(200),
    reaction: Type.Optional(Text(500)),
    severity: Type.Optional(Enum(['mild', 'moderate', 'severe'] as const)),
  },
  { additionalProperties: false },
);

export const AllergySchema = Type.Object({
  id: Type.String(),
  patientId: Type.String(),
  substance: Type.String(),
  reaction: Nullable(Type.String()),
  severity: Nullable(Type.String()),
  recordedAt: Type.String({ format: 'date-time' }),
});
export const AllergyList = Type.Object({ items: Type.Array(AllergySchema) });

export const AllergyParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  allergyId: Type.String({ format: 'uuid' }),
});

const Item = Type.Object({
  index: Type.Integer(),
  medicineCode: Type.String(),
  name: Type.String(),
  form: Type.String(),
  strength: Nullable(Type.String()),
  route: Type.String(),
  dose: Type.Object({ value: Type.Number(), unit: Type.String() }),
  frequency: Type.String(),
  timing: Nullable(Type.String()),
  duration: Nullable(Type.Object({ value: Type.Integer(), unit: Type.String() })),
  instructions: Nullable(Type.String()),
  instructionsLocal: Nullable(Type.String()),
  directions: Type.Object({ en: Type.String(), local: Nullable(Type.String()) }),
  listCode: Type.String(),
});

/** The signed document, exactly as signed. */
export const DocumentSchema = Type.Object({
  format: Type.String(),
  id: Type.String(),
  consultationId: Type.String(),
  issuedAt: Type.String(),
  date: Type.String(),
  timeZone: Type.String(),
  doctor: Type.Object({
    practitionerId: Type.String(),
    name: Type.String(),
    qualification: Type.String(),
    registrationCouncil: Nullable(Type.String()),
    registrationNumber: Type.String(),
    registryId: Nullable(Type.String()),
  }),
  patient: Type.Object({
    id: Type.String(),
    name: Type.String(),
    ageYears: Nullable(Type.Integer()),
    sex: Type.String(),
  }),
  facility: Type.Object({
    id: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    registryId: Nullable(Type.String()),
    address: Nullable(Type.String()),
  }),
  consultation: Type.Object({ kind: Type.String(), mode: Type.String(), type: Type.String() }),
  presentedBy: Nullable(Type.Object({ name: Type.String(), role: Type.String() })),
  language: Type.String(),
  items: Type.Array(Item),
  investigations: Type.Array(Type.String()),
  advice: Nullable(Type.String()),
  adviceLocal: Nullable(Type.String()),
  followUpDate: Nullable(Type.String()),
  replaces: Nullable(Type.String()),
  signingKeyId: Type.String(),
});

const Dispensing = Type.Object({
  dispensedAt: Type.String({ format: 'date-time' }),
  pharmacy: Nullable(Type.String()),
  items: Type.Array(
    Type.Object({ index: Type.Integer(), dispensed: Type.Boolean(), quantity: Nullable(Type.String()) }),
  ),
  dispensedItems: Type.Integer(),
  totalItems: Type.Integer(),
});

export const PrescriptionSchema = Type.Object({
  id: Type.String(),
  consultationId: Type.String(),
  patientId: Type.String(),
  status: Enum(['active', 'cancelled'] as const),
  signedAt: Type.String({ format: 'date-time' }),
  document: DocumentSchema,
  signature: Type.String({ description: 'Ed25519 over the canonical JSON of the document, base64url' }),
  signingKeyId: Type.String(),
  replacesId: Nullable(Type.String()),
  replacedById: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String({ format: 'date-time' })),
  cancelReason: Nullable(Type.String()),
  verifyUrl: Type.String(),
  pdfUrl: Type.String(),
  dispensing: Nullable(Dispensing),
});
export const PrescriptionList = Type.Object({ items: Type.Array(PrescriptionSchema) });
export const ConsultationPrescriptionList = Type.Object({
  items: Type.Array(PrescriptionSchema),
  defaultLanguage: Nullable(
    Enum(LANGUAGES, {
      description:
        "The language a new prescription is written in when the doctor names none: the patient's, else their state's",
    }),
  ),
});

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 10000, default: 0 }),
  },
  { additionalProperties: false },
);

/** What anyone holding the QR code may learn: whether it is genuine, what it holds, what was dispensed. */
export const VerificationSchema = Type.Object({
  id: Type.String(),
  genuine: Type.Boolean(),
  checks: Type.Object({
    signatureValid: Type.Boolean(),
    doctorRegistered: Type.Boolean(),
    doctorActive: Type.Boolean(),
    notCancelled: Type.Boolean(),
    matchesRecord: Type.Optional(Type.Boolean({ description: 'A checked PDF carries exactly the signed record' })),
  }),
  problems: Type.Array(Type.String()),
  signedAt: Type.String({ format: 'date-time' }),
  cancelledAt: Nullable(Type.String({ format: 'date-time' })),
  replacedById: Nullable(Type.String()),
  doctor: Type.Object({
    name: Type.String(),
    qualification: Type.String(),
    registrationNumber: Type.String(),
    registrationCouncil: Nullable(Type.String()),
  }),
  patient: Type.Object({
    name: Type.String({ description: 'First name and initials' }),
    ageYears: Nullable(Type.Integer()),
    sex: Type.String(),
  }),
  facility: Type.Object({ name: Type.String() }),
  date: Type.String(),
  consultation: Type.Object({ kind: Type.String(), mode: Type.String(), type: Type.String() }),
  language: Type.String({ description: "The language of the local directions (BCP 47), or 'en' when there are none" }),
  items: Type.Array(
    Type.Object({
      index: Type.Integer(),
      name: Type.String(),
      form: Type.String(),
      strength: Nullable(Type.String()),
      directions: Type.Object({ en: Type.String(), local: Nullable(Type.String()) }),
      instructions: Nullable(Type.String()),
      instructionsLocal: Nullable(Type.String()),
    }),
  ),
  investigations: Type.Array(Type.String()),
  advice: Nullable(Type.String()),
  followUpDate: Nullable(Type.String()),
  dispensing: Nullable(Dispensing),
});

export const FhirIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9\\-.]{1,64}$' }) });
export const FhirResource = Type.Object(
  { resourceType: Type.String(), id: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
