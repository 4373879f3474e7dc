import { Type } from 'typebox';
import { ClientId } from '../../platform/http/schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const PrioritySchema = Type.Union([
  Type.Literal('normal'),
  Type.Literal('emergency'),
  Type.Literal('elderly'),
  Type.Literal('pregnant'),
  Type.Literal('disabled'),
]);

export const TokenSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  opdId: Type.String(),
  opdName: Type.String(),
  stateId: Type.String(),
  serviceDate: Type.String(),
  tokenNumber: Type.Integer(),
  patientId: Type.String(),
  patientName: Type.String(),
  priority: PrioritySchema,
  status: Type.String(),
  joinedAt: DateTime,
  calledAt: Nullable(DateTime),
  callDeadline: Nullable(DateTime),
  missedCalls: Type.Integer(),
  consultationId: Nullable(Type.String()),
  outcomeReason: Nullable(Type.String()),
  ahead: Nullable(Type.Integer({ description: 'patients ahead (waiting tokens only)' })),
  estimatedWaitMinutes: Nullable(Type.Integer()),
  waitingMinutes: Type.Integer({ description: 'minutes since the patient joined' }),
  bookedFor: Nullable(DateTime),
  nextSessionAt: Nullable(Type.String({ format: 'date-time', description: 'for a token closed at closing' })),
  followUpOf: Nullable(Type.String({ description: 'the consultation whose follow-up this booking is' })),
});

export const FollowUpBookingBody = Type.Object(
  {
    id: ClientId,
    consultationId: Type.String({ format: 'uuid', description: 'the consultation that asked for a follow-up' }),
  },
  { additionalProperties: false },
);

export const TokenList = Type.Object({ items: Type.Array(TokenSchema) });

export const TakeTokenBody = Type.Object(
  {
    id: ClientId,
    opdId: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid', description: 'one of the family profiles of this mobile number' }),
    claims: Type.Optional(
      Type.Array(Type.Union([Type.Literal('pregnant'), Type.Literal('disabled')]), {
        maxItems: 2,
        description: 'priorities the patient declares; the elderly priority follows from age',
      }),
    ),
  },
  { additionalProperties: false },
);

export const JoinBody = Type.Object(
  { mode: Type.Optional(Type.Union([Type.Literal('video'), Type.Literal('audio'), Type.Literal('text')])) },
  { additionalProperties: false },
);

export const OpdParams = Type.Object({ opdId: Type.String({ format: 'uuid' }) });

export const NoShowBody = Type.Object(
  { reason: Type.String({ minLength: 2, maxLength: 300 }) },
  { additionalProperties: false },
);
export const TransferBody = Type.Object({ opdId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const PriorityBody = Type.Object({ priority: PrioritySchema }, { additionalProperties: false });

export const CallNextResponse = Type.Object({ token: Nullable(TokenSchema) });

export const DaySummary = Type.Object({ date: Type.String(), counts: Type.Record(Type.String(), Type.Integer()) });
export const DaySummaryQuery = Type.Object(
  { date: Type.Optional(Type.String({ format: 'date' })) },
  { additionalProperties: false },
);

const SpecialPriority = Type.Union([
  Type.Literal('emergency'),
  Type.Literal('elderly'),
  Type.Literal('pregnant'),
  Type.Literal('disabled'),
]);
const Rule = Type.Object(
  {
    priority: SpecialPriority,
    advanceMinutes: Type.Integer({ minimum: 0, maximum: 240, description: 'minutes ahead of arrival' }),
  },
  { additionalProperties: false },
);
export const PriorityRules = Type.Object({ rules: Type.Array(Rule, { maxItems: 4 }) }, { additionalProperties: false });
export const StateParams = Type.Object({ stateId: Type.String({ pattern: '^[A-Z]{2}-[0-9A-Za-z]+$' }) });
