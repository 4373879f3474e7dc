import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import { NETWORK_READERS, NETWORK_WRITERS } from '../facilities/index.js';
import type { MappingRow } from './repository.js';
import type { MappingService } from './service.js';
import { MappingBody, MappingList, MappingParams, SpokeList } from './schemas.js';

const wire = ({ stateId: _state, spokeId: _spoke, ...row }: MappingRow) => ({
  ...row,
  validFrom: row.validFrom.toISOString(),
  validTo: row.validTo === null ? null : row.validTo.toISOString(),
});

export function mappingRoutes(service: MappingService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/facilities/:id/hub-mappings',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: "A spoke's hubs per speciality, in order",
          params: IdParams,
          response: responses({ 200: MappingList }),
        },
      },
      async (request) => ({ items: (await service.current(actorOf(request), request.params.id)).map(wire) }),
    );

    app.get(
      '/api/v1/facilities/:id/hub-mappings/:speciality/history',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'Every mapping the spoke had for a speciality',
          params: MappingParams,
          response: responses({ 200: MappingList }),
        },
      },
      async (request) => ({
        items: (await service.history(actorOf(request), request.params.id, request.params.speciality)).map(wire),
      }),
    );

    app.put(
      '/api/v1/facilities/:id/hub-mappings/:speciality',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: "Set a spoke's hubs for a speciality, in order (an empty list removes them)",
          params: MappingParams,
          body: MappingBody,
          response: responses({ 200: MappingList }),
        },
      },
      async (request) => ({
        items: (
          await service.replace(actorOf(request), request.params.id, request.params.speciality, request.body.hubIds)
        ).map(wire),
      }),
    );

    app.get(
      '/api/v1/facilities/:id/spokes',
      {
        config: { auth: { roles: NETWORK_READERS } },
        schema: {
          tags: ['care network'],
          summary: 'The spokes mapped to a hub',
          params: IdParams,
          response: responses({ 200: SpokeList }),
        },
      },
      async (request) => ({ items: await service.spokesOf(actorOf(request), request.params.id) }),
    );
  };
}
