import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../platform/http/schemas.js';
import type { GeographyService } from './service.js';
import { DistrictSchema, StateParams, StateSchema } from './schemas.js';

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
  };
}
