import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { responses } from '../../platform/http/schemas.js';
import type { FormularyService } from './service.js';
import { MedicineList, MedicineQuery, PrescribingListList } from './schemas.js';

const tags = ['formulary'];

/** The formulary is public reference data of the country pack, as the terminology lists are. */
export function formularyRoutes(service: FormularyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/formulary/medicines',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Medicines of the formulary (India: NLEM 2022), search as you type',
          description: 'Names starting with the query first, then names or forms containing it.',
          querystring: MedicineQuery,
          response: responses({ 200: MedicineList }),
        },
      },
      async (request) => ({
        items: (await service.search(request.query.q, request.query.limit)).map(
          ({ position: _position, active: _active, ...medicine }) => medicine,
        ),
      }),
    );

    app.get(
      '/api/v1/formulary/lists',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'The prescribing lists (India: Telemedicine Practice Guidelines 2020) and when each is allowed',
          response: responses({ 200: PrescribingListList }),
        },
      },
      async () => ({ items: (await service.lists()).map(({ position: _position, ...list }) => list) }),
    );
  };
}
