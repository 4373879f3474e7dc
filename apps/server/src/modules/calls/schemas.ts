import { Type } from 'typebox';
import { INVITE_ROLES } from './service.js';

const IsoDate = Type.String({ format: 'date-time' });

export const IceServerSchema = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});

export const CallCredentialsSchema = Type.Object({
  consultationId: Type.String({ format: 'uuid' }),
  roomId: Type.String({ description: '128 random bits; not derived from any id' }),
  participantId: Type.String(),
  role: Type.String({ description: 'patient, doctor, or the invited role' }),
  name: Type.String(),
  token: Type.String({ description: 'Opens GET /api/v1/calls/signal?token=… until expiresAt' }),
  expiresAt: IsoDate,
  iceServers: Type.Array(IceServerSchema, { description: 'STUN, and TURN with a short-lived credential' }),
  maxParticipants: Type.Integer(),
});

export const InviteBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100, description: "The staff member's sign-in name" }),
    role: Type.Union(INVITE_ROLES.map((role) => Type.Literal(role))),
  },
  { additionalProperties: false },
);

export const InviteSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  consultationId: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: Type.String(),
  createdAt: IsoDate,
  revokedAt: Type.Union([IsoDate, Type.Null()]),
  patientName: Type.Optional(Type.String()),
  practitionerName: Type.Optional(Type.String()),
});

export const MessageBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const MessageSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  consultationId: Type.String({ format: 'uuid' }),
  senderName: Type.String(),
  senderRole: Type.String(),
  body: Type.String(),
  createdAt: IsoDate,
});

export const CallbackBody = Type.Object(
  {
    phone: Type.Optional(Type.String({ pattern: '^[6-9][0-9]{9}$', description: "Default: the account's mobile" })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const CallbackSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  consultationId: Type.String({ format: 'uuid' }),
  phone: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('done')]),
  createdAt: IsoDate,
  handledAt: Type.Union([IsoDate, Type.Null()]),
});

export const CallEventSchema = Type.Object({
  id: Type.Integer(),
  userId: Type.Union([Type.String(), Type.Null()]),
  participantId: Type.Union([Type.String(), Type.Null()]),
  event: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: IsoDate,
});

export const SignalQuery = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 4096 }),
    session: Type.String({
      pattern: '^[A-Za-z0-9_-]{8,64}$',
      description: "The page's own id, kept across reconnections",
    }),
  },
  { additionalProperties: false },
);
