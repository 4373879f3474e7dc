import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { EmptyBody, IdParams, responses } from '../../platform/http/schemas.js';
import type { FacilityRow } from './repository.js';
import { NETWORK_READERS, NETWORK_WRITERS, type FacilityService } from './service.js';
import {
  FacilityChangesBody,
  FacilityPage,
  FacilityQuery,
  FacilitySchema,
  NewFacilityBody,
  PoolMemberBody,
  PoolMemberParams,
} from './schemas.js';

export const facilityToWire = (facility: FacilityRow) => ({
  ...facility,
  createdAt: facility.createdAt.toISOString(),
  updatedAt: facility.updatedAt.toISOString(),
});

export function facilityRoutes(service: FacilityService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/facilities',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'Search facilities you may see',
          querystring: FacilityQuery,
          response: responses({ 200: FacilityPage }),
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        const page = await service.search(actorOf(request), { ...rest, namePrefix: q });
        return { total: page.total, items: page.rows.map(facilityToWire) };
      },
    );

    app.get(
      '/api/v1/facilities/:id',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'One facility',
          params: IdParams,
          response: responses({ 200: FacilitySchema }),
        },
      },
      async (request) => facilityToWire(await service.get(actorOf(request), request.params.id)),
    );

    app.post(
      '/api/v1/facilities',
      {
        config: { auth: { roles: NETWORK_WRITERS }, idempotent: true },
        schema: {
          tags: ['care network'],
          summary: 'Add a facility to your state',
          body: NewFacilityBody,
          response: responses({ 201: FacilitySchema, 200: FacilitySchema }),
        },
      },
      async (request, reply) => {
        const { facility, created } = await service.create(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(facilityToWire(facility));
      },
    );

    app.patch(
      '/api/v1/facilities/:id',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'Change a facility of your state',
          params: IdParams,
          body: FacilityChangesBody,
          response: responses({ 200: FacilitySchema }),
        },
      },
      async (request) => facilityToWire(await service.update(actorOf(request), request.params.id, request.body)),
    );

    app.get(
      '/api/v1/facilities/:id/pool',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'The facilities whose doctors this hub pools',
          params: IdParams,
          response: responses({ 200: Type.Object({ items: Type.Array(FacilitySchema) }) }),
        },
      },
      async (request) => ({
        items: (await service.poolMembers(actorOf(request), request.params.id)).map(facilityToWire),
      }),
    );

    app.post(
      '/api/v1/facilities/:id/pool',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'Pool another facility into this hub',
          params: IdParams,
          body: PoolMemberBody,
          response: responses({ 200: EmptyBody }),
        },
      },
      async (request) => {
        await service.addPoolMember(actorOf(request), request.params.id, request.body.facilityId);
        return {};
      },
    );

    app.delete(
      '/api/v1/facilities/:id/pool/:memberId',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'Take a facility out of this hub pool',
          params: PoolMemberParams,
          response: responses({ 200: EmptyBody }),
        },
      },
      async (request) => {
        await service.removePoolMember(actorOf(request), request.params.id, request.params.memberId);
        return {};
      },
    );
  };
}
