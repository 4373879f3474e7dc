import { Type } from 'typebox';
import { INDIAN_MOBILE_PATTERN, OTP_PATTERN, ROLES, STAFF_ROLES, TOTP_PATTERN } from '@sanjog/shared';

export const OtpRequestBody = Type.Object(
  { mobile: Type.String({ pattern: INDIAN_MOBILE_PATTERN, description: '10-digit mobile number' }) },
  { additionalProperties: false },
);

export const OtpRequestResponse = Type.Object({
  challengeId: Type.String({ format: 'uuid' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const TokenDelivery = Type.Union([Type.Literal('cookie'), Type.Literal('bearer')], {
  default: 'cookie',
  description: 'cookie (browsers) or bearer (API clients: the token is returned in the body)',
});

export const OtpVerifyBody = Type.Object(
  {
    challengeId: Type.String({ format: 'uuid' }),
    code: Type.String({ pattern: OTP_PATTERN, description: 'the 6-digit code' }),
    tokenDelivery: Type.Optional(TokenDelivery),
  },
  { additionalProperties: false },
);

export const StaffSignInBody = Type.Object(
  {
    login: Type.String({ minLength: 3, maxLength: 100, description: 'user name or mobile number' }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    totp: Type.Optional(Type.String({ pattern: TOTP_PATTERN })),
    tokenDelivery: Type.Optional(TokenDelivery),
  },
  { additionalProperties: false },
);

export const RoleBindingSchema = Type.Object({
  role: Type.Union(STAFF_ROLES.map((role) => Type.Literal(role))),
  stateId: Type.Union([Type.String(), Type.Null()]),
  facilityId: Type.Union([Type.String(), Type.Null()]),
});

export const Me = Type.Object({
  userId: Type.String(),
  kind: Type.Union([Type.Literal('staff'), Type.Literal('patient')]),
  displayName: Type.String(),
  roles: Type.Array(Type.Union(ROLES.map((role) => Type.Literal(role)))),
  bindings: Type.Array(RoleBindingSchema),
});

export const SignInResponse = Type.Object({
  me: Me,
  expiresAt: Type.String({ format: 'date-time' }),
  token: Type.Optional(Type.String({ description: 'Only for tokenDelivery = bearer' })),
});

export const ApiTokenBody = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const ApiTokenResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const SessionList = Type.Object({
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      label: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.String({ format: 'date-time' }),
      expiresAt: Type.String({ format: 'date-time' }),
      lastSeenAt: Type.String({ format: 'date-time' }),
      ip: Type.Union([Type.String(), Type.Null()]),
      userAgent: Type.Union([Type.String(), Type.Null()]),
      current: Type.Boolean(),
    }),
  ),
});

export const TotpSetupResponse = Type.Object({ secret: Type.String(), otpauthUri: Type.String() });

export const TotpCodeBody = Type.Object(
  { code: Type.String({ pattern: TOTP_PATTERN }) },
  { additionalProperties: false },
);

export const Empty = Type.Object({});
