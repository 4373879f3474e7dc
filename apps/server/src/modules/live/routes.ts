import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { STAFF_ROLES } from '@sanjog/shared';
import type { Actor } from '../../platform/auth.js';
import { actorOf, requirePrincipal } from '../../platform/http/authenticate.js';
import type { LiveHub, LiveMessage } from './hub.js';

const LiveQuery = Type.Object(
  { opdId: Type.Optional(Type.String({ format: 'uuid', description: 'staff: the OPD whose queue to follow' })) },
  { additionalProperties: false },
);

/**
 * `GET /api/v1/live` upgraded to a WebSocket: patients receive their tokens' events and places;
 * staff pass `opdId` to follow a queue. Authenticated like every request (cookie or bearer).
 * @fastify/websocket is registered once on the app (app.ts), for this and call signalling.
 */
export function liveRoutes(
  hub: LiveHub,
  canWatch: (actor: Actor, opdId: string) => Promise<void>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/live',
      {
        websocket: true,
        config: { auth: { roles: ['patient', ...STAFF_ROLES] } },
        schema: {
          tags: ['live'],
          summary: 'Live updates over WebSocket (queue places, calls)',
          querystring: LiveQuery,
        },
      },
      async (socket, request) => {
        const principal = requirePrincipal(request);
        const send = (message: LiveMessage) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
        };
        const opdId = request.query.opdId;
        if (principal.kind !== 'patient' && opdId !== undefined) {
          try {
            await canWatch(actorOf(request), opdId);
          } catch {
            socket.close(4403, 'not allowed to follow this OPD');
            return;
          }
        }
        const disconnect =
          principal.kind === 'patient'
            ? await hub.connectPatient(principal.userId, { send })
            : opdId !== undefined
              ? hub.connectStaff(opdId, { send })
              : () => undefined;
        // Closed while being connected (a phone dropping at once): its close event has passed.
        if (socket.readyState !== socket.OPEN) disconnect();
        else socket.on('close', disconnect);
        // Clients only listen; anything they send is ignored.
        socket.on('message', () => undefined);
      },
    );
  };
}
