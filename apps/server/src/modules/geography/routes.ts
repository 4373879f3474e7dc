import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import type { FacilityRow } from './repository.js';
import { FACILITY_READERS, FACILITY_WRITERS, type GeographyService } from './service.js';
import {
  DistrictSchema,
  FacilityChangesBody,
  FacilityPage,
  FacilityQuery,
  FacilitySchema,
  NewFacilityBody,
  StateParams,
  StateSchema,
} from './schemas.js';
import { Type } from 'typebox';

const wire = (facility: FacilityRow) => ({
  ...facility,
  createdAt: facility.createdAt.toISOString(),
  updatedAt: facility.updatedAt.toISOString(),
});

export function geographyRoutes(service: GeographyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/geography/states',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['geography'],
          summary: 'States of the country',
          response: responses({ 200: Type.Object({ states: Type.Array(StateSchema) }) }),
        },
      },
      async () => ({ states: await service.listStates() }),
    );

    app.get(
      '/api/v1/geography/states/:stateId/districts',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['geography'],
          summary: 'Districts of a state',
          params: StateParams,
          response: responses({ 200: Type.Object({ districts: Type.Array(DistrictSchema) }) }),
        },
      },
      async (request) => ({ districts: await service.listDistricts(request.params.stateId) }),
    );

    app.get(
      '/api/v1/facilities',
      {
        config: { auth: { roles: FACILITY_READERS } },
        schema: {
          tags: ['facilities'],
          summary: 'Search facilities you may see',
          querystring: FacilityQuery,
          response: responses({ 200: FacilityPage }),
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        const page = await service.searchFacilities(actorOf(request), { ...rest, text: q });
        return { total: page.total, items: page.rows.map(wire) };
      },
    );

    app.get(
      '/api/v1/facilities/:id',
      {
        config: { auth: { roles: FACILITY_READERS } },
        schema: {
          tags: ['facilities'],
          summary: 'One facility',
          params: IdParams,
          response: responses({ 200: FacilitySchema }),
        },
      },
      async (request) => wire(await service.getFacility(actorOf(request), request.params.id)),
    );

    app.post(
      '/api/v1/facilities',
      {
        config: { auth: { roles: FACILITY_WRITERS }, idempotent: true },
        schema: {
          tags: ['facilities'],
          summary: 'Add a facility to your state',
          body: NewFacilityBody,
          response: responses({ 201: FacilitySchema, 200: FacilitySchema }),
        },
      },
      async (request, reply) => {
        const { facility, created } = await service.createFacility(actorOf(request), request.body);
        return reply.status(created ? 201 : 200).send(wire(facility));
      },
    );

    app.patch(
      '/api/v1/facilities/:id',
      {
        config: { auth: { roles: FACILITY_WRITERS } },
        schema: {
          tags: ['facilities'],
          summary: 'Change a facility of your state',
          params: IdParams,
          body: FacilityChangesBody,
          response: responses({ 200: FacilitySchema }),
        },
      },
      async (request) => wire(await service.updateFacility(actorOf(request), request.params.id, request.body)),
    );
  };
}
