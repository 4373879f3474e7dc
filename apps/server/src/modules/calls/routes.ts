import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from '@fastify/websocket';
import { STAFF_ROLES } from '@sanjog/shared';
import { actorOf } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses, Uuid } from '../../platform/http/schemas.js';
import type { Member, SignallingHub, SignalMessage } from './hub.js';
import type { InviteRow } from './repository.js';
import {
  CallbackBody,
  CallbackSchema,
  CallCredentialsSchema,
  CallEventSchema,
  InviteBody,
  InviteSchema,
  MessageBody,
  MessageSchema,
  SignalQuery,
} from './schemas.js';
import { callbackToWire, JoinRefused, messageToWire, type Admission, type CallService } from './service.js';

const tags = ['calls'];
const ANYONE = { roles: ['patient', ...STAFF_ROLES] } as const;
const STAFF = { roles: STAFF_ROLES } as const;
/** A socket that has not answered a ping within this long is dropped (and counted as left). */
const PING_MS = 25_000;
const PRESENCE_REFRESH_MS = 30_000;
/**
 * Signalling a participant may send: a burst (ICE gathering sends tens of candidates at once),
 * then a steady rate. Beyond it messages are dropped, so that one socket cannot flood a room.
 */
export const SIGNAL_BURST = 200;
export const SIGNAL_PER_SECOND = 50;

function inviteToWire(row: InviteRow & { patientName?: string; practitionerName?: string }) {
  return {
    id: row.id,
    consultationId: row.consultationId,
    userId: row.userId,
    name: row.displayName,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    ...(row.patientName === undefined ? {} : { patientName: row.patientName }),
    ...(row.practitionerName === undefined ? {} : { practitionerName: row.practitionerName }),
  };
}

/**
 * Calls: credentials (`POST …/call`), the signalling WebSocket, invites, chat, call-back
 * requests and the join/leave record. Needs @fastify/websocket registered on the app.
 */
export function callRoutes(
  service: CallService,
  hub: SignallingHub,
  onError: (error: unknown) => void = () => undefined,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const alive = new Map<WebSocket, boolean>();
    const pinger = setInterval(() => {
      for (const [socket, answered] of alive) {
        if (!answered) {
          socket.terminate();
          continue;
        }
        alive.set(socket, false);
        socket.ping();
      }
    }, PING_MS);
    pinger.unref();
    const refresher = setInterval(() => {
      service.refreshPresence().catch(onError);
    }, PRESENCE_REFRESH_MS);
    refresher.unref();
    const leaving = new Set<Promise<void>>();
    app.addHook('onClose', async () => {
      clearInterval(pinger);
      clearInterval(refresher);
      hub.closeAll(1012, 'server restarting');
      await Promise.allSettled([...leaving]);
      await hub.stop();
    });

    app.post(
      '/api/v1/consultations/:id/call',
      {
        config: { auth: ANYONE },
        schema: {
          tags,
          summary: "The caller's credentials for the consultation's video call: join token, STUN and TURN",
          description:
            'Only the patient (their account), the treating doctor and invited participants, while the consultation is in progress.',
          params: IdParams,
          body: EmptyBody,
          response: responses({ 200: CallCredentialsSchema }),
        },
      },
      async (request) => {
        const credentials = await service.credentials(actorOf(request), request.params.id);
        return { ...credentials, expiresAt: credentials.expiresAt.toISOString() };
      },
    );

    app.get(
      '/api/v1/calls/signal',
      {
        websocket: true,
        config: { auth: ANYONE },
        schema: { tags, summary: 'Signalling of a call over WebSocket', querystring: SignalQuery },
      },
      async (socket, request) => {
        const actor = actorOf(request);
        const connectionId = randomUUID();
        const send = (message: SignalMessage) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
        };
        // Set once admitted; `closed` once the socket is gone (possibly while being admitted).
        const state: { member?: Member; admission?: Admission; closed: boolean } = { closed: false };
        const early: string[] = [];
        alive.set(socket, true);
        socket.on('pong', () => alive.set(socket, true));

        let allowance = SIGNAL_BURST;
        let allowanceAt = Date.now();
        const onMessage = (text: string) => {
          const member = state.member;
          if (member === undefined) {
            if (early.length < 50) early.push(text);
            return;
          }
          let message: { type?: unknown; to?: unknown; data?: unknown };
          try {
            message = JSON.parse(text) as typeof message;
          } catch {
            return;
          }
          if (message.type === 'signal' && typeof message.to === 'string' && message.to.length <= 64) {
            const now = Date.now();
            allowance = Math.min(SIGNAL_BURST, allowance + ((now - allowanceAt) * SIGNAL_PER_SECOND) / 1000);
            allowanceAt = now;
            if (allowance < 1) return;
            allowance -= 1;
            hub.relay(member, message.to, message.data).catch(onError);
          } else if (message.type === 'ping') {
            send({ type: 'pong' });
          }
        };
        const recordLeave = () => {
          const { member, admission } = state;
          if (member === undefined || admission === undefined) return;
          hub.remove(member);
          const done = service
            .leave(actor, admission, connectionId, 'socket closed')
            .then(async (left) => {
              if (left) await hub.broadcast(member.roomId, { type: 'peer-left', id: member.peer.id });
            })
            .catch(onError)
            .finally(() => leaving.delete(done));
          leaving.add(done);
        };
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary) onMessage(data.toString('utf8'));
        });
        socket.on('close', () => {
          state.closed = true;
          alive.delete(socket);
          recordLeave();
        });

        let admission: Admission;
        try {
          admission = await service.admit(actor, request.query.token, {
            connectionId,
            session: request.query.session,
          });
        } catch (error) {
          if (error instanceof JoinRefused) {
            socket.close(error.code, error.message);
          } else {
            onError(error);
            socket.close(1011, 'could not join; try again');
          }
          return;
        }
        const { claims } = admission;
        const self = { id: claims.participantId, name: claims.name, role: claims.role, session: request.query.session };
        const member: Member = {
          roomId: claims.roomId,
          peer: self,
          connectionId,
          socket: { send, close: (code, reason) => socket.close(code, reason) },
        };
        state.admission = admission;
        state.member = member;
        // Read through a function: the socket may close during each await.
        const closed = () => state.closed;
        // Gone while being admitted: its leave is recorded as for any other.
        if (closed()) return recordLeave();
        await hub.add(member);
        if (closed()) return hub.remove(member);
        // Read who is here only now that this socket hears the room: someone admitted while this
        // one was being admitted announced itself before we listened (see CallService.peersOf).
        const peers = await service.peersOf(claims.roomId, self.id);
        if (closed()) return hub.remove(member);
        send({
          type: 'welcome',
          self,
          peers: peers.map((p) => ({ id: p.participantId, name: p.name, role: p.role, session: p.session })),
        });
        await hub.broadcast(claims.roomId, { type: 'peer-joined', peer: self }, self.id);
        for (const text of early.splice(0)) onMessage(text);
      },
    );

    app.post(
      '/api/v1/consultations/:id/call/invites',
      {
        config: { auth: STAFF },
        schema: {
          tags,
          summary: 'Invite a staff member (a second-opinion specialist, an interpreter) into the call',
          description: 'Treating doctor only; at most four in a call.',
          params: IdParams,
          body: InviteBody,
          response: responses({ 201: InviteSchema }),
        },
      },
      async (request, reply) => {
        const invite = await service.invite(actorOf(request), request.params.id, request.body);
        return reply.code(201).send(inviteToWire(invite));
      },
    );

    app.get(
      '/api/v1/consultations/:id/call/invites',
      {
        config: { auth: ANYONE },
        schema: {
          tags,
          summary: "Who is invited into the consultation's call",
          params: IdParams,
          response: responses({ 200: Type.Object({ items: Type.Array(InviteSchema) }) }),
        },
      },
      async (request) => ({ items: (await service.invites(actorOf(request), request.params.id)).map(inviteToWire) }),
    );

    app.delete(
      '/api/v1/consultations/:id/call/invites/:inviteId',
      {
        config: { auth: STAFF },
        schema: {
          tags,
          summary: 'Withdraw an invite (treating doctor)',
          params: Type.Object({ id: Uuid, inviteId: Uuid }),
          response: responses({ 200: InviteSchema }),
        },
      },
      async (request) =>
        inviteToWire(await service.revokeInvite(actorOf(request), request.params.id, request.params.inviteId)),
    );

    app.get(
      '/api/v1/me/call-invites',
      {
        config: { auth: STAFF },
        schema: {
          tags,
          summary: 'Calls I am invited into, of consultations in progress',
          response: responses({ 200: Type.Object({ items: Type.Array(InviteSchema) }) }),
        },
      },
      async (request) => ({ items: (await service.invitesOf(actorOf(request))).map(inviteToWire) }),
    );

    app.get(
      '/api/v1/consultations/:id/messages',
      {
        config: { auth: ANYONE },
        schema: {
          tags,
          summary: "The consultation's text chat (participants)",
          params: IdParams,
          response: responses({ 200: Type.Object({ items: Type.Array(MessageSchema) }) }),
        },
      },
      async (request) => ({
        items: (await service.messages(actorOf(request), request.params.id)).map(messageToWire),
      }),
    );

    app.post(
      '/api/v1/consultations/:id/messages',
      {
        config: { auth: ANYONE },
        schema: {
          tags,
          summary: 'Send a chat message; it is kept with the consultation and passed to the call at once',
          params: IdParams,
          body: MessageBody,
          response: responses({ 201: MessageSchema }),
        },
      },
      async (request, reply) => {
        const message = await service.postMessage(actorOf(request), request.params.id, request.body.body);
        return reply.code(201).send(messageToWire(message));
      },
    );

    app.post(
      '/api/v1/consultations/:id/callbacks',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags,
          summary: 'Ask the doctor to call back by phone (when the video call cannot be made)',
          params: IdParams,
          body: CallbackBody,
          response: responses({ 201: CallbackSchema }),
        },
      },
      async (request, reply) => {
        const callback = await service.requestCallback(actorOf(request), request.params.id, request.body);
        return reply.code(201).send(callbackToWire(callback));
      },
    );

    app.get(
      '/api/v1/consultations/:id/callbacks',
      {
        config: { auth: ANYONE },
        schema: {
          tags,
          summary: 'Requests to be called back by phone',
          params: IdParams,
          response: responses({ 200: Type.Object({ items: Type.Array(CallbackSchema) }) }),
        },
      },
      async (request) => ({
        items: (await service.callbacks(actorOf(request), request.params.id)).map(callbackToWire),
      }),
    );

    app.post(
      '/api/v1/consultations/:id/callbacks/:callbackId/done',
      {
        config: { auth: STAFF },
        schema: {
          tags,
          summary: 'Mark a call-back request as done (treating doctor)',
          params: Type.Object({ id: Uuid, callbackId: Uuid }),
          body: EmptyBody,
          response: responses({ 200: CallbackSchema }),
        },
      },
      async (request) =>
        callbackToWire(await service.completeCallback(actorOf(request), request.params.id, request.params.callbackId)),
    );

    app.get(
      '/api/v1/consultations/:id/call/events',
      {
        config: { auth: STAFF },
        schema: {
          tags,
          summary: 'Every join and leave of the call, in order (treating doctor)',
          params: IdParams,
          response: responses({ 200: Type.Object({ items: Type.Array(CallEventSchema) }) }),
        },
      },
      async (request) => ({
        items: (await service.events(actorOf(request), request.params.id)).map((row) => ({
          ...row,
          at: row.at.toISOString(),
        })),
      }),
    );
  };
}
