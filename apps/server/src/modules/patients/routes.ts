import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import type { PatientRow } from './repository.js';
import { PATIENT_STAFF, type PatientService } from './service.js';
import { NewPatientBody, PatientChangesBody, PatientList, PatientQuery, PatientSchema } from './schemas.js';

const wire = ({ accountUserId: _account, createdBy: _by, ...patient }: PatientRow) => ({
  ...patient,
  createdAt: patient.createdAt.toISOString(),
  updatedAt: patient.updatedAt.toISOString(),
});

export function patientRoutes(service: PatientService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/v1/patients',
      {
        config: { auth: { roles: PATIENT_STAFF }, idempotent: true },
        schema: {
          tags: ['patients'],
          summary: 'Register a patient (minimum fields; complete later)',
          body: NewPatientBody,
          response: responses({ 201: PatientSchema, 200: PatientSchema }),
        },
      },
      async (request, reply) => {
        const { patient, created } = await service.register(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(patient));
      },
    );

    app.get(
      '/api/v1/patients',
      {
        config: { auth: { roles: PATIENT_STAFF } },
        schema: {
          tags: ['patients'],
          summary: 'Find patients by name or mobile',
          querystring: PatientQuery,
          response: responses({ 200: PatientList }),
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        return { items: (await service.search(actorOf(request), { ...rest, text: q })).map(wire) };
      },
    );

    app.get(
      '/api/v1/patients/:id',
      {
        config: { auth: { roles: PATIENT_STAFF } },
        schema: {
          tags: ['patients'],
          summary: 'One patient',
          params: IdParams,
          response: responses({ 200: PatientSchema }),
        },
      },
      async (request) => wire(await service.get(actorOf(request), request.params.id)),
    );

    app.patch(
      '/api/v1/patients/:id',
      {
        config: { auth: { roles: PATIENT_STAFF } },
        schema: {
          tags: ['patients'],
          summary: 'Complete or correct a patient record',
          params: IdParams,
          body: PatientChangesBody,
          response: responses({ 200: PatientSchema }),
        },
      },
      async (request) => wire(await service.update(actorOf(request), request.params.id, request.body)),
    );

    app.get(
      '/api/v1/me/patients',
      {
        config: { auth: { roles: ['patient'] } },
        schema: {
          tags: ['patients'],
          summary: 'The family profiles under my mobile number',
          response: responses({ 200: PatientList }),
        },
      },
      async (request) => ({ items: (await service.listOwn(actorOf(request))).map(wire) }),
    );
  };
}
