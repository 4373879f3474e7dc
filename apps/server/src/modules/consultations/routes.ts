import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import type { ConsultationRow } from './repository.js';
import { CONSULTATION_READERS, TREATING_ROLES, type ConsultationService } from './service.js';
import {
  CompleteBody,
  ConsultationList,
  ConsultationSchema,
  DaySummaryQuery,
  DaySummarySchema,
  NotHappenedBody,
  PageQuery,
  RatingBody,
  RecordDraftBody,
} from './schemas.js';

/** A consultation on the wire: the record grouped, dates as ISO strings, internals left out. */
export function consultationToWire(row: ConsultationRow) {
  return {
    id: row.id,
    kind: row.kind,
    stateId: row.stateId,
    patientId: row.patientId,
    patientName: row.patientName,
    practitionerId: row.practitionerId,
    practitionerName: row.practitionerName,
    facilityId: row.facilityId,
    facilityName: row.facilityName,
    tokenId: row.tokenId,
    mode: row.mode,
    consultationType: row.consultationType,
    consultationTypeSource: row.consultationTypeSource,
    previousConsultationId: row.previousConsultationId,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    durationMinutes:
      row.endedAt === null ? null : Math.round((row.endedAt.getTime() - row.startedAt.getTime()) / 6000) / 10,
    record: {
      chiefComplaints: row.chiefComplaints,
      complaintText: row.complaintText,
      history: row.history,
      examination: row.examination,
      vitals: row.vitals,
      diagnoses: row.diagnoses,
      investigations: row.investigations,
      advice: row.advice,
      followUp: row.followUp,
    },
    notHappened: row.notHappenedReason === null ? null : { reason: row.notHappenedReason, text: row.notHappenedText },
    rating:
      row.rating === null || row.ratedAt === null
        ? null
        : { rating: row.rating, comment: row.ratingComment, ratedAt: row.ratedAt.toISOString() },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

const tags = ['consultations'];

export function consultationRoutes(service: ConsultationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/consultations/:id',
      {
        config: { auth: { roles: ['patient', ...TREATING_ROLES, ...CONSULTATION_READERS] } },
        schema: {
          tags,
          summary:
            "One consultation: for its treating doctor, the patient's own account, or clinical staff of its state",
          params: IdParams,
          response: responses({ 200: ConsultationSchema }),
        },
      },
      async (request) => consultationToWire(await service.get(actorOf(request), request.params.id)),
    );

    app.patch(
      '/api/v1/consultations/:id/record',
      {
        config: { auth: { roles: TREATING_ROLES } },
        schema: {
          tags,
          summary: 'Save a draft of the record while the consultation is in progress (the treating doctor)',
          description:
            'Each field given replaces the saved one (null clears it). Send the version the draft was based on; a newer one answers 409.',
          params: IdParams,
          body: RecordDraftBody,
          response: responses({ 200: ConsultationSchema }),
        },
      },
      async (request) =>
        consultationToWire(await service.saveRecord(actorOf(request), request.params.id, request.body)),
    );

    app.post(
      '/api/v1/consultations/:id/complete',
      {
        config: { auth: { roles: TREATING_ROLES } },
        schema: {
          tags,
          summary: 'Complete the consultation, with the last changes to its record (the treating doctor)',
          description: 'Needs at least one chief complaint, from the list or in words. Sets the end time.',
          params: IdParams,
          body: CompleteBody,
          response: responses({ 200: ConsultationSchema }),
        },
      },
      async (request) => consultationToWire(await service.complete(actorOf(request), request.params.id, request.body)),
    );

    app.post(
      '/api/v1/consultations/:id/not-happened',
      {
        config: { auth: { roles: TREATING_ROLES } },
        schema: {
          tags,
          summary: 'End a consultation that did not take place, with the reason (the treating doctor)',
          params: IdParams,
          body: NotHappenedBody,
          response: responses({ 200: ConsultationSchema }),
        },
      },
      async (request) =>
        consultationToWire(await service.notHappened(actorOf(request), request.params.id, request.body)),
    );

    app.post(
      '/api/v1/consultations/:id/rating',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags,
          summary: 'Rate a completed consultation, once (the patient)',
          params: IdParams,
          body: RatingBody,
          response: responses({ 200: ConsultationSchema }),
        },
      },
      async (request) => consultationToWire(await service.rate(actorOf(request), request.params.id, request.body)),
    );

    app.get(
      '/api/v1/patients/:id/consultations',
      {
        config: { auth: { roles: [...TREATING_ROLES, ...CONSULTATION_READERS] } },
        schema: {
          tags,
          summary:
            "A patient's consultations, newest first (clinical staff of the state; the doctors who treated them)",
          params: IdParams,
          querystring: PageQuery,
          response: responses({ 200: ConsultationList }),
        },
      },
      async (request) => ({
        items: (await service.listForPatient(actorOf(request), request.params.id, request.query)).map(
          consultationToWire,
        ),
      }),
    );

    app.get(
      '/api/v1/me/consultations',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags,
          summary: 'My consultations and those of my family profiles, newest first',
          querystring: PageQuery,
          response: responses({ 200: ConsultationList }),
        },
      },
      async (request) => ({
        items: (await service.listOwn(actorOf(request), request.query)).map(consultationToWire),
      }),
    );

    app.get(
      '/api/v1/me/day-summary',
      {
        config: { auth: { roles: TREATING_ROLES } },
        schema: {
          tags,
          summary:
            "A doctor's day in their state's time zone (default today): completed, not happened, average minutes",
          querystring: DaySummaryQuery,
          response: responses({ 200: DaySummarySchema }),
        },
      },
      async (request) => service.daySummary(actorOf(request), request.query.date),
    );
  };
}
