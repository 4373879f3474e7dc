import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../platform/clock.js';
import { actorOf } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses } from '../../platform/http/schemas.js';
import {
  QUEUE_DOCTORS,
  QUEUE_MANAGERS,
  RULE_READERS,
  RULE_WRITERS,
  type QueueService,
  type TokenView,
} from './service.js';
import {
  CallNextResponse,
  DaySummary,
  DaySummaryQuery,
  FollowUpBookingBody,
  JoinBody,
  NoShowBody,
  OpdParams,
  PriorityBody,
  PriorityRules,
  StateParams,
  TakeTokenBody,
  TokenList,
  TokenSchema,
  TransferBody,
} from './schemas.js';

const PATIENT = { roles: ['patient'] } as const;

export function queueRoutes(service: QueueService, clock: Clock): FastifyPluginAsyncTypebox {
  const wire = (token: TokenView) => ({
    ...token,
    joinedAt: token.joinedAt.toISOString(),
    calledAt: token.calledAt?.toISOString() ?? null,
    callDeadline: token.callDeadline?.toISOString() ?? null,
    bookedFor: token.bookedFor?.toISOString() ?? null,
    nextSessionAt: token.nextSessionAt?.toISOString() ?? null,
    waitingMinutes: Math.max(0, Math.floor((clock.now().getTime() - token.joinedAt.getTime()) / 60_000)),
  });

  return async (app) => {
    app.post(
      '/api/v1/opd/tokens',
      {
        config: { auth: PATIENT, idempotent: true },
        schema: {
          tags: ['OPD queue'],
          summary: 'Take a token in an OPD for one of my family',
          body: TakeTokenBody,
          response: responses({ 201: TokenSchema, 200: TokenSchema }),
        },
      },
      async (request, reply) => {
        const { token, created } = await service.takeToken(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(token));
      },
    );

    app.post(
      '/api/v1/opd/follow-ups',
      {
        config: { auth: PATIENT, idempotent: true },
        schema: {
          tags: ['OPD queue'],
          summary: 'Book the follow-up a doctor asked for, with the same doctor, in its session',
          body: FollowUpBookingBody,
          response: responses({ 201: TokenSchema, 200: TokenSchema }),
        },
      },
      async (request, reply) => {
        const { token, created } = await service.bookFollowUp(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(token));
      },
    );

    app.post(
      '/api/v1/opd/tokens/:id/next-session',
      {
        config: { auth: PATIENT },
        schema: {
          tags: ['OPD queue'],
          summary: 'Accept the next session for a token closed at closing, keeping its place in order',
          params: IdParams,
          body: EmptyBody,
          response: responses({ 201: TokenSchema, 200: TokenSchema }),
        },
      },
      async (request, reply) => {
        const { token, created } = await service.bookNextSession(actorOf(request), request.params.id);
        return reply.status(created ? 201 : 200).send(wire(token));
      },
    );

    app.get(
      '/api/v1/me/tokens',
      {
        config: { auth: PATIENT },
        schema: {
          tags: ['OPD queue'],
          summary: 'My live and booked tokens with place and wait',
          response: responses({ 200: TokenList }),
        },
      },
      async (request) => ({ items: (await service.myTokens(actorOf(request))).map(wire) }),
    );

    app.get(
      '/api/v1/opd/tokens/:id',
      {
        config: { auth: { roles: ['patient', ...QUEUE_MANAGERS] } },
        schema: {
          tags: ['OPD queue'],
          summary: 'One token, also after it ended (with the reason)',
          params: IdParams,
          response: responses({ 200: TokenSchema }),
        },
      },
      async (request) => wire(await service.token(actorOf(request), request.params.id)),
    );

    app.get(
      '/api/v1/me/opd-call',
      {
        config: { auth: { roles: QUEUE_DOCTORS } },
        schema: {
          tags: ['OPD queue'],
          summary: 'The patient I have called or am seeing now, if any',
          response: responses({ 200: CallNextResponse }),
        },
      },
      async (request) => {
        const token = await service.inHand(actorOf(request));
        return { token: token === null ? null : wire(token) };
      },
    );

    app.post(
      '/api/v1/opd/tokens/:id/cancel',
      {
        config: { auth: PATIENT },
        schema: {
          tags: ['OPD queue'],
          summary: 'Leave the queue',
          params: IdParams,
          body: EmptyBody,
          response: responses({ 200: TokenSchema }),
        },
      },
      async (request) => wire(await service.cancel(actorOf(request), request.params.id)),
    );

    app.post(
      '/api/v1/opd/tokens/:id/join',
      {
        config: { auth: PATIENT },
        schema: {
          tags: ['OPD queue'],
          summary: 'Answer the call (again after a dropped call)',
          params: IdParams,
          body: JoinBody,
          response: responses({ 200: TokenSchema }),
        },
      },
      async (request) => wire(await service.join(actorOf(request), request.params.id, request.body.mode)),
    );

    app.get(
      '/api/v1/opd/:opdId/queue',
      {
        config: { auth: { roles: QUEUE_MANAGERS } },
        schema: {
          tags: ['OPD queue'],
          summary: 'Who is waiting, in order, with waiting times and priorities',
          params: OpdParams,
          response: responses({ 200: TokenList }),
        },
      },
      async (request) => ({ items: (await service.queue(actorOf(request), request.params.opdId)).map(wire) }),
    );

    app.post(
      '/api/v1/opd/:opdId/call-next',
      {
        config: { auth: { roles: QUEUE_DOCTORS } },
        schema: {
          tags: ['OPD queue'],
          summary: 'Call the next patient (null when nobody waits)',
          params: OpdParams,
          body: EmptyBody,
          response: responses({ 200: CallNextResponse }),
        },
      },
      async (request) => {
        const token = await service.callNext(actorOf(request), request.params.opdId);
        return { token: token === null ? null : wire(token) };
      },
    );

    const tokenAction = { tags: ['OPD queue'], params: IdParams, response: responses({ 200: TokenSchema }) };
    const doctors = { auth: { roles: QUEUE_DOCTORS } };
    const managers = { auth: { roles: QUEUE_MANAGERS } };

    app.post(
      '/api/v1/opd/tokens/:id/recall',
      {
        config: doctors,
        schema: {
          ...tokenAction,
          summary: 'Call this patient again (after a skip or a dropped call)',
          body: EmptyBody,
        },
      },
      async (request) => wire(await service.recall(actorOf(request), request.params.id)),
    );
    app.post(
      '/api/v1/opd/tokens/:id/skip',
      {
        config: doctors,
        schema: { ...tokenAction, summary: 'Pass this patient for now; they keep their place', body: EmptyBody },
      },
      async (request) => wire(await service.skip(actorOf(request), request.params.id)),
    );
    app.post(
      '/api/v1/opd/tokens/:id/no-show',
      { config: doctors, schema: { ...tokenAction, summary: 'The patient did not come; say why', body: NoShowBody } },
      async (request) => wire(await service.noShow(actorOf(request), request.params.id, request.body.reason)),
    );
    app.post(
      '/api/v1/opd/tokens/:id/finish',
      { config: doctors, schema: { ...tokenAction, summary: 'The consultation is over', body: EmptyBody } },
      async (request) => wire(await service.finish(actorOf(request), request.params.id)),
    );
    app.post(
      '/api/v1/opd/tokens/:id/transfer',
      {
        config: managers,
        schema: { ...tokenAction, summary: 'Move the patient to another OPD or speciality', body: TransferBody },
      },
      async (request) => wire(await service.transfer(actorOf(request), request.params.id, request.body.opdId)),
    );
    app.post(
      '/api/v1/opd/tokens/:id/priority',
      {
        config: managers,
        schema: { ...tokenAction, summary: 'Mark a waiting patient (e.g. emergency)', body: PriorityBody },
      },
      async (request) => wire(await service.setPriority(actorOf(request), request.params.id, request.body.priority)),
    );

    app.get(
      '/api/v1/states/:stateId/queue-priorities',
      {
        config: { auth: { roles: RULE_READERS } },
        schema: {
          tags: ['OPD queue'],
          summary: "How far ahead of arrival each priority goes in this state's queues",
          params: StateParams,
          response: responses({ 200: PriorityRules }),
        },
      },
      async (request) => ({ rules: await service.priorityRules(actorOf(request), request.params.stateId) }),
    );

    app.put(
      '/api/v1/states/:stateId/queue-priorities',
      {
        config: { auth: { roles: RULE_WRITERS } },
        schema: {
          tags: ['OPD queue'],
          summary: 'Set the priority rules of this state',
          params: StateParams,
          body: PriorityRules,
          response: responses({ 200: PriorityRules }),
        },
      },
      async (request) => ({
        rules: await service.setPriorityRules(actorOf(request), request.params.stateId, request.body.rules),
      }),
    );

    app.get(
      '/api/v1/me/opd-day',
      {
        config: { auth: { roles: QUEUE_DOCTORS } },
        schema: {
          tags: ['OPD queue'],
          summary: "My day's tokens by outcome",
          querystring: DaySummaryQuery,
          response: responses({ 200: DaySummary }),
        },
      },
      async (request) => service.daySummary(actorOf(request), request.query.date),
    );
  };
}
