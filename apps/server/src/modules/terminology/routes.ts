import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { responses } from '../../platform/http/schemas.js';
import type { TerminologyService } from './service.js';
import { ComplaintTermList, DiagnosisTermList, SpecialityList, TermQuery } from './schemas.js';

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

    app.get(
      '/api/v1/terminology/complaints',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['terminology'],
          summary: 'Chief complaints (SNOMED CT findings), search as you type',
          description:
            'Matches a SNOMED CT id prefix, a code, or words of the English or Hindi name; code matches first, then names starting with the query, then names containing it.',
          querystring: TermQuery,
          response: responses({ 200: ComplaintTermList }),
        },
      },
      async (request) => ({ items: await service.searchComplaints(request.query.q, request.query.limit) }),
    );

    app.get(
      '/api/v1/terminology/diagnoses',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['terminology'],
          summary: 'Diagnoses (WHO ICD-10), search as you type',
          description:
            'Matches an ICD-10 code prefix (with or without the dot) or words of the title; code matches first, then titles starting with the query, then titles containing it.',
          querystring: TermQuery,
          response: responses({ 200: DiagnosisTermList }),
        },
      },
      async (request) => ({ items: await service.searchDiagnoses(request.query.q, request.query.limit) }),
    );
  };
}
