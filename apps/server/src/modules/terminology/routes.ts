import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { responses } from '../../platform/http/schemas.js';
import type { TerminologyService } from './service.js';
import { SpecialityList } from './schemas.js';

export function terminologyRoutes(service: TerminologyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/terminology/specialities',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['terminology'],
          summary: 'Clinical specialities with their SNOMED CT codes',
          response: responses({ 200: SpecialityList }),
        },
      },
      async () => ({ items: await service.listSpecialities() }),
    );
  };
}
