import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import { NETWORK_READERS, NETWORK_WRITERS } from '../facilities/index.js';
import type { PractitionerService, PractitionerWithRoles } from './service.js';
import {
  NewPractitionerBody,
  PractitionerChangesBody,
  PractitionerPage,
  PractitionerQuery,
  PractitionerSchema,
  RolesBody,
} from './schemas.js';

export const practitionerToWire = (row: PractitionerWithRoles) => ({
  ...row,
  roles: row.roles.map(({ updatedAt: _updated, practitionerId: _p, ...role }) => role),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export function practitionerRoutes(service: PractitionerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/practitioners',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'Search doctors, specialists and health officers',
          querystring: PractitionerQuery,
          response: responses({ 200: PractitionerPage }),
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        const page = await service.search(actorOf(request), { ...rest, namePrefix: q });
        return { total: page.total, items: page.rows.map(practitionerToWire) };
      },
    );

    app.get(
      '/api/v1/practitioners/:id',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'One practitioner with their roles',
          params: IdParams,
          response: responses({ 200: PractitionerSchema }),
        },
      },
      async (request) => practitionerToWire(await service.get(actorOf(request), request.params.id)),
    );

    app.post(
      '/api/v1/practitioners',
      {
        config: { auth: { roles: NETWORK_WRITERS }, idempotent: true },
        schema: {
          tags: ['care network'],
          summary: 'Add a practitioner to your state',
          body: NewPractitionerBody,
          response: responses({ 201: PractitionerSchema, 200: PractitionerSchema }),
        },
      },
      async (request, reply) => {
        const { practitioner, created } = await service.create(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(practitionerToWire(practitioner));
      },
    );

    app.patch(
      '/api/v1/practitioners/:id',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'Change a practitioner',
          params: IdParams,
          body: PractitionerChangesBody,
          response: responses({ 200: PractitionerSchema }),
        },
      },
      async (request) => practitionerToWire(await service.update(actorOf(request), request.params.id, request.body)),
    );

    app.put(
      '/api/v1/practitioners/:id/roles',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'Set where the practitioner works and in which role',
          params: IdParams,
          body: RolesBody,
          response: responses({ 200: PractitionerSchema }),
        },
      },
      async (request) =>
        practitionerToWire(await service.replaceRoles(actorOf(request), request.params.id, request.body.roles)),
    );
  };
}
