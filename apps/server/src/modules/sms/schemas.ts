import { Type } from 'typebox';
import { INDIAN_MOBILE_PATTERN } from '@sanjog/shared';

export const OutboxQuery = Type.Object({
  mobile: Type.Optional(Type.String({ pattern: INDIAN_MOBILE_PATTERN })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});

export const OutboxList = Type.Object({
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      toMobile: Type.String(),
      body: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
});
