import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { responses } from '../../platform/http/schemas.js';
import type { SmsOutboxRepository } from './repository.js';
import { OutboxList, OutboxQuery } from './schemas.js';

/**
 * The demo's SMS outbox. Registered only when the outbox adapter is on (never with a real
 * gateway), so that a new user can read the one-time code sent to a demo mobile number.
 */
export function smsOutboxRoutes(outbox: SmsOutboxRepository): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/dev/sms-outbox',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['demo'],
          summary: 'Messages sent by the development SMS adapter (demo only)',
          querystring: OutboxQuery,
          response: responses({ 200: OutboxList }),
        },
      },
      async (request) => ({ messages: await outbox.latest(request.query.limit, request.query.mobile) }),
    );
  };
}
