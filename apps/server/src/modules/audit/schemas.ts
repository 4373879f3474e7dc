import { Type } from 'typebox';

export const AuditSearchQuery = Type.Object(
  {
    patientId: Type.Optional(Type.String({ format: 'uuid' })),
    actorId: Type.Optional(Type.String({ format: 'uuid' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    beforeSeq: Type.Optional(Type.Integer({ minimum: 1, description: 'page backwards: entries older than this one' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const AuditEventSchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorId: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  action: Type.String(),
  resourceType: Type.String(),
  resourceId: Nullable(Type.String()),
  patientId: Nullable(Type.String()),
  stateId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  outcome: Type.String(),
  hash: Type.String(),
});

export const AuditSearchResponse = Type.Object({
  events: Type.Array(AuditEventSchema),
  nextBeforeSeq: Type.Union([Type.Integer(), Type.Null()]),
});

export const AuditVerifyResponse = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  headSeq: Type.Integer(),
  firstBrokenSeq: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
});
