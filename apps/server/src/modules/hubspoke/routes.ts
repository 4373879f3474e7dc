import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Clock } from '../../platform/clock.js';
import { actorOf } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses } from '../../platform/http/schemas.js';
import type { TriageRule } from './model.js';
import type { ReferralService } from './referrals.js';
import {
  AnswerBody,
  AttachmentParams,
  CancelBody,
  ChunkQuery,
  ConsentBody,
  ConsentSchema,
  CreateRequestBody,
  DeclineBody,
  FacilityQuery,
  FeedbackBody,
  FiguresQuery,
  FiguresSchema,
  FindPatientsQuery,
  FoundPatients,
  HubQueue,
  InviteBody,
  InviteParams,
  InviteSchema,
  ListQuery,
  OpinionBody,
  OutcomeBody,
  ReferBody,
  ReferralList,
  ReferralSchema,
  RegisterPatientBody,
  RequestList,
  RequestSchema,
  SendBody,
  SettingsSchema,
  SpokePatientSchema,
  StateParams,
  TakeResponse,
  TimelineSchema,
  TriageRules,
  TriageRulesBody,
  UpdateRequestBody,
  UploadBody,
  UploadSchema,
} from './schemas.js';
import { HUB_ROLES, OVERSEERS, RULE_READERS, RULE_WRITERS, SPOKE_ROLES, type HubSpokeService } from './service.js';
import type { TimelineService } from './timeline.js';
import { MAX_CHUNK_BYTES, unsupported, type UploadService } from './uploads.js';

type Wired<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wired<U>[]
    : T extends object
      ? { [K in keyof T]: Wired<T[K]> }
      : T;

/** Dates as ISO strings, all the way down: what every answer of this module sends. */
function wire<T>(value: T): Wired<T> {
  if (value instanceof Date) return value.toISOString() as Wired<T>;
  if (Array.isArray(value)) return value.map((v: unknown) => wire(v)) as Wired<T>;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v)])) as Wired<T>;
  return value as Wired<T>;
}

/** Rules on the wire name only the complaint or the red flag they match. */
const rulesWire = (table: { own: boolean; rules: TriageRule[] }) => ({
  own: table.own,
  rules: table.rules.map(({ complaintCode, redFlag, ...rule }) => ({
    ...rule,
    ...(complaintCode === null ? {} : { complaintCode }),
    ...(redFlag === null ? {} : { redFlag }),
  })),
});

const SPOKE = { roles: SPOKE_ROLES } as const;
const HUB = { roles: HUB_ROLES } as const;
const EVERYONE = { roles: [...SPOKE_ROLES, ...HUB_ROLES, ...OVERSEERS] } as const;
const TAGS = ['hub and spoke'];
const DAY = 86_400_000;

export function hubSpokeRoutes(
  service: HubSpokeService,
  referrals: ReferralService,
  timeline: TimelineService,
  uploads: UploadService,
  clock: Clock,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    // ---- Spoke: patients ----
    app.get(
      '/api/v1/spoke/patients/find',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: 'Find a patient before registering: ABHA, mobile, or name with year of birth and village',
          querystring: FindPatientsQuery,
          response: responses({ 200: FoundPatients }),
        },
      },
      async (request) => wire(await service.findPatients(actorOf(request), request.query)),
    );
    app.post(
      '/api/v1/spoke/patients',
      {
        config: { auth: SPOKE, idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Register a patient with the minimum fields (complete later)',
          body: RegisterPatientBody,
          response: responses({ 201: SpokePatientSchema, 200: SpokePatientSchema }),
        },
      },
      async (request, reply) => {
        const { patient, created } = await service.registerPatient(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(patient));
      },
    );
    app.post(
      '/api/v1/spoke/patients/:id/consent',
      {
        config: { auth: SPOKE, idempotent: true },
        schema: {
          tags: TAGS,
          summary: "Record the patient's consent to teleconsultation",
          params: IdParams,
          body: ConsentBody,
          response: responses({ 201: ConsentSchema }),
        },
      },
      async (request, reply) =>
        reply.status(201).send(wire(await service.recordConsent(actorOf(request), request.params.id, request.body))),
    );

    // ---- Spoke: requests ----
    app.post(
      '/api/v1/spoke/requests',
      {
        config: { auth: SPOKE, idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Start a teleconsultation request (a draft with vitals, complaints and triage)',
          body: CreateRequestBody,
          response: responses({ 201: RequestSchema, 200: RequestSchema }),
        },
      },
      async (request, reply) => {
        const { request: created, created: isNew } = await service.createRequest(actorOf(request), request.body);
        return reply.status(isNew ? 201 : 200).send(wire(created));
      },
    );
    app.patch(
      '/api/v1/spoke/requests/:id',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: 'Change a draft request; triage is worked out again',
          params: IdParams,
          body: UpdateRequestBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.updateDraft(actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/api/v1/spoke/requests/:id/send',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: 'Send a complete request to the mapped hubs (422 names each missing essential)',
          params: IdParams,
          body: SendBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.send(actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/api/v1/spoke/requests/:id/cancel',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: 'Withdraw a request nobody has taken',
          params: IdParams,
          body: CancelBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.cancel(actorOf(request), request.params.id, request.body.reason)),
    );
    app.get(
      '/api/v1/spoke/requests',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: "The spoke's requests: status, with whom, advice, feedback, follow-up",
          querystring: ListQuery,
          response: responses({ 200: RequestList }),
        },
      },
      async (request) => ({ items: wire(await service.spokeList(actorOf(request), request.query)) }),
    );
    app.get(
      '/api/v1/hubspoke/requests/:id',
      {
        config: { auth: EVERYONE },
        schema: {
          tags: TAGS,
          summary: 'The whole case of one request',
          params: IdParams,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.get(actorOf(request), request.params.id)),
    );

    // Chunked uploads take raw bytes; the parser lives in this inner scope only.
    await app.register(async (scope) => {
      const chunks = scope.withTypeProvider<TypeBoxTypeProvider>();
      chunks.addContentTypeParser(
        'application/octet-stream',
        { parseAs: 'buffer', bodyLimit: MAX_CHUNK_BYTES },
        (_r, body, done) => {
          done(null, body);
        },
      );
      chunks.put(
        '/api/v1/spoke/uploads/:id/chunks',
        {
          bodyLimit: MAX_CHUNK_BYTES,
          config: { auth: SPOKE },
          schema: {
            tags: TAGS,
            summary: 'Send one chunk of a resumable upload at a byte offset',
            description: 'The body is the bytes (application/octet-stream). A chunk already received is ignored.',
            params: IdParams,
            querystring: ChunkQuery,
            consumes: ['application/octet-stream'],
            body: Type.Unsafe<Buffer>({ description: 'the bytes' }),
            response: responses({ 200: UploadSchema }),
          },
        },
        async (request) => {
          if (!Buffer.isBuffer(request.body)) throw unsupported('Send the chunk as application/octet-stream');
          return wire(await uploads.putChunk(actorOf(request), request.params.id, request.query.offset, request.body));
        },
      );
    });
    app.post(
      '/api/v1/spoke/uploads',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: "Start (or look up) a resumable upload of a request's attachment",
          body: UploadBody,
          response: responses({ 200: UploadSchema }),
        },
      },
      async (request) => wire(await uploads.create(actorOf(request), request.body)),
    );
    app.get(
      '/api/v1/spoke/uploads/:id',
      {
        config: { auth: SPOKE },
        schema: {
          tags: TAGS,
          summary: 'Where an upload stands (resume from receivedBytes)',
          params: IdParams,
          response: responses({ 200: UploadSchema }),
        },
      },
      async (request) => wire(await uploads.get(actorOf(request), request.params.id)),
    );
    app.get(
      '/api/v1/hubspoke/requests/:id/attachments/:fileId',
      {
        config: { auth: EVERYONE },
        schema: { tags: TAGS, summary: "Download one of a request's attachments", params: AttachmentParams },
      },
      async (request, reply) => {
        const { file, content } = await uploads.download(actorOf(request), request.params.id, request.params.fileId);
        return reply
          .header('content-type', file.mediaType)
          .header('content-disposition', `attachment; filename="${file.id}"`)
          .header('content-security-policy', 'sandbox')
          .send(content);
      },
    );

    // ---- Hub ----
    app.get(
      '/api/v1/hub/queue',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Requests waiting for my hubs and speciality, those I have, my invitations',
          response: responses({ 200: HubQueue }),
        },
      },
      async (request) => wire(await service.hubQueue(actorOf(request))),
    );
    app.post(
      '/api/v1/hub/take-next',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Take the next waiting request (urgent first); null when none',
          body: EmptyBody,
          response: responses({ 200: TakeResponse }),
        },
      },
      async (request) => ({ request: wire(await service.take(actorOf(request))) }),
    );
    app.post(
      '/api/v1/hub/requests/:id/take',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Take this waiting request (409 if another doctor has it)',
          params: IdParams,
          body: EmptyBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => {
        const taken = await service.take(actorOf(request), request.params.id);
        return wire(taken as NonNullable<typeof taken>);
      },
    );
    app.post(
      '/api/v1/hub/requests/:id/release',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Give a taken request back to the hub queue',
          params: IdParams,
          body: EmptyBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.release(actorOf(request), request.params.id)),
    );
    app.post(
      '/api/v1/hub/requests/:id/decline',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Decline with a reason; "not my speciality" re-routes to the right one',
          params: IdParams,
          body: DeclineBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.decline(actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/api/v1/hub/requests/:id/answer',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Answer: advice to the officer with the consultation record; completes the consultation',
          params: IdParams,
          body: AnswerBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.answer(actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/api/v1/hub/requests/:id/invites',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Invite another specialist for a second opinion',
          params: IdParams,
          body: InviteBody,
          response: responses({ 201: InviteSchema }),
        },
      },
      async (request, reply) =>
        reply.status(201).send(wire(await service.invite(actorOf(request), request.params.id, request.body))),
    );
    app.post(
      '/api/v1/hub/invites/:id/opinion',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Give the second opinion I was invited for',
          params: InviteParams,
          body: OpinionBody,
          response: responses({ 200: InviteSchema }),
        },
      },
      async (request) => wire(await service.giveOpinion(actorOf(request), request.params.id, request.body.opinion)),
    );
    app.post(
      '/api/v1/hub/requests/:id/feedback',
      {
        config: { auth: HUB },
        schema: {
          tags: TAGS,
          summary: 'Rate the request: complete, appropriate speciality, needed video',
          params: IdParams,
          body: FeedbackBody,
          response: responses({ 200: RequestSchema }),
        },
      },
      async (request) => wire(await service.feedback(actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/api/v1/hub/requests/:id/referrals',
      {
        config: { auth: HUB, idempotent: true },
        schema: {
          tags: TAGS,
          summary: 'Refer the patient to a physical facility',
          params: IdParams,
          body: ReferBody,
          response: responses({ 201: ReferralSchema }),
        },
      },
      async (request, reply) =>
        reply.status(201).send(wire(await referrals.refer(actorOf(request), request.params.id, request.body))),
    );

    // ---- Referrals at the destination, and coordinators ----
    const REFERRAL_DESK = {
      roles: ['hub_doctor', 'spoke_operator', 'opd_doctor', 'pharmacist', ...OVERSEERS],
    } as const;
    app.get(
      '/api/v1/referrals/incoming',
      {
        config: { auth: REFERRAL_DESK },
        schema: {
          tags: TAGS,
          summary: 'Referrals coming to a facility',
          querystring: FacilityQuery,
          response: responses({ 200: ReferralList }),
        },
      },
      async (request) => ({ items: wire(await referrals.incoming(actorOf(request), request.query.facilityId)) }),
    );
    app.get(
      '/api/v1/referrals/:id',
      {
        config: { auth: REFERRAL_DESK },
        schema: {
          tags: TAGS,
          summary: 'One referral and where it stands',
          params: IdParams,
          response: responses({ 200: ReferralSchema }),
        },
      },
      async (request) => wire(await referrals.get(actorOf(request), request.params.id)),
    );
    for (const step of ['received', 'attended'] as const) {
      app.post(
        `/api/v1/referrals/:id/${step}`,
        {
          config: { auth: REFERRAL_DESK },
          schema: {
            tags: TAGS,
            summary: `The destination marks the patient ${step}`,
            params: IdParams,
            body: EmptyBody,
            response: responses({ 200: ReferralSchema }),
          },
        },
        async (request) => wire(await referrals[step](actorOf(request), request.params.id)),
      );
    }
    app.post(
      '/api/v1/referrals/:id/outcome',
      {
        config: { auth: REFERRAL_DESK },
        schema: {
          tags: TAGS,
          summary: "The destination records the referral's outcome",
          params: IdParams,
          body: OutcomeBody,
          response: responses({ 200: ReferralSchema }),
        },
      },
      async (request) => wire(await referrals.outcome(actorOf(request), request.params.id, request.body)),
    );
    app.get(
      '/api/v1/states/:stateId/referrals/overdue',
      {
        config: { auth: { roles: OVERSEERS } },
        schema: {
          tags: TAGS,
          summary: 'Open referrals past their due time',
          params: StateParams,
          response: responses({ 200: ReferralList }),
        },
      },
      async (request) => ({ items: wire(await referrals.overdue(actorOf(request), request.params.stateId)) }),
    );
    app.get(
      '/api/v1/states/:stateId/hubspoke/alerts',
      {
        config: { auth: { roles: OVERSEERS } },
        schema: {
          tags: TAGS,
          summary: 'Requests about to miss (or past) their service level',
          params: StateParams,
          response: responses({ 200: RequestList }),
        },
      },
      async (request) => ({ items: wire(await service.alerts(actorOf(request), request.params.stateId)) }),
    );
    app.get(
      '/api/v1/hubspoke/feedback-figures',
      {
        config: { auth: { roles: [...SPOKE_ROLES, ...OVERSEERS] } },
        schema: {
          tags: TAGS,
          summary: 'Weekly feedback figures of a spoke or a state',
          querystring: FiguresQuery,
          response: responses({ 200: FiguresSchema }),
        },
      },
      async (request) => {
        const to = request.query.to === undefined ? clock.now() : new Date(`${request.query.to}T00:00:00Z`);
        const from =
          request.query.from === undefined
            ? new Date(to.getTime() - 90 * DAY)
            : new Date(`${request.query.from}T00:00:00Z`);
        return service.feedbackFigures(actorOf(request), { ...request.query, from, to: new Date(to.getTime() + DAY) });
      },
    );

    // ---- Rules and settings ----
    app.get(
      '/api/v1/states/:stateId/triage-rules',
      {
        config: { auth: { roles: RULE_READERS } },
        schema: {
          tags: TAGS,
          summary: "The state's triage rules (or the country's defaults)",
          params: StateParams,
          response: responses({ 200: TriageRules }),
        },
      },
      async (request) => rulesWire(await service.triageRules(actorOf(request), request.params.stateId)),
    );
    app.put(
      '/api/v1/states/:stateId/triage-rules',
      {
        config: { auth: { roles: RULE_WRITERS } },
        schema: {
          tags: TAGS,
          summary: "Replace the state's triage rules (an empty list restores the defaults)",
          params: StateParams,
          body: TriageRulesBody,
          response: responses({ 200: TriageRules }),
        },
      },
      async (request) =>
        rulesWire(
          await service.setTriageRules(
            actorOf(request),
            request.params.stateId,
            request.body.rules.map((r) => ({
              ...r,
              complaintCode: r.complaintCode ?? null,
              redFlag: r.redFlag ?? null,
            })),
          ),
        ),
    );
    app.get(
      '/api/v1/states/:stateId/hubspoke/settings',
      {
        config: { auth: { roles: RULE_READERS } },
        schema: {
          tags: TAGS,
          summary: 'Overflow wait, service levels, alert lead, referral due days',
          params: StateParams,
          response: responses({ 200: SettingsSchema }),
        },
      },
      async (request) => service.settings(actorOf(request), request.params.stateId),
    );
    app.put(
      '/api/v1/states/:stateId/hubspoke/settings',
      {
        config: { auth: { roles: RULE_WRITERS } },
        schema: {
          tags: TAGS,
          summary: "Set the state's hub-and-spoke settings",
          params: StateParams,
          body: SettingsSchema,
          response: responses({ 200: SettingsSchema }),
        },
      },
      async (request) => service.setSettings(actorOf(request), request.params.stateId, request.body),
    );

    // ---- Continuity ----
    app.get(
      '/api/v1/patients/:id/timeline',
      {
        config: { auth: { roles: ['spoke_operator', 'hub_doctor', 'opd_doctor'] } },
        schema: {
          tags: TAGS,
          summary: "A patient's timeline for those treating them: consultations, requests, referrals, vitals",
          params: IdParams,
          response: responses({ 200: TimelineSchema }),
        },
      },
      async (request) => wire(await timeline.timeline(actorOf(request), request.params.id)),
    );
  };
}
