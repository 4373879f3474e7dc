import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http/authenticate.js';
import { responses } from '../../platform/http/schemas.js';
import { StateParams } from '../geography/index.js';
import { DailyCountsQuery, DailyCountsSchema } from './schemas.js';
import { FIGURE_READERS, type StatsService } from './service.js';

export function statsRoutes(service: StatsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/states/:stateId/consultations/daily',
      {
        config: { auth: { roles: FIGURE_READERS } },
        schema: {
          tags: ['stats'],
          summary: "A state's consultations per local day, by kind and outcome (default: the last 30 days)",
          params: StateParams,
          querystring: DailyCountsQuery,
          response: responses({ 200: DailyCountsSchema }),
        },
      },
      async (request) => service.dailyCounts(actorOf(request), request.params.stateId, request.query),
    );
  };
}
