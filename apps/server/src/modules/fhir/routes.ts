import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { actorOf } from '../../platform/http/authenticate.js';
import { responses } from '../../platform/http/schemas.js';
import { NETWORK_READERS } from '../facilities/index.js';
import { DIRECTORY_TYPES, FHIR_CONTENT_TYPE } from './constants.js';
import type { QueryValues } from './search.js';
import { unsupportedType, type FhirService } from './service.js';
import {
  BundleSchema,
  CapabilityStatementSchema,
  FhirIdParams,
  FhirResourceSchema,
  searchQuerySchema,
  TypeIdParams,
  TypeParams,
} from './schemas.js';

export const FHIR_BASE_PATH = '/fhir/R4';

/** The FHIR base as this client reached it (behind a proxy too, when trustProxy is set). */
function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${FHIR_BASE_PATH}`;
}

function lenient(request: FastifyRequest): boolean {
  const prefer = request.headers.prefer;
  const values = Array.isArray(prefer) ? prefer : [prefer ?? ''];
  return values.some((value) => /(^|[;,\s])handling\s*=\s*lenient\b/i.test(value));
}

const auth = { roles: NETWORK_READERS };

export function fhirRoutes(service: FhirService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Everything under /fhir answers as FHIR JSON, errors (OperationOutcome) included.
    app.addHook('onSend', async (_request, reply, payload) => {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('application/json'))
        reply.header('content-type', FHIR_CONTENT_TYPE);
      return payload;
    });

    app.get(
      `${FHIR_BASE_PATH}/metadata`,
      {
        config: { auth },
        schema: {
          tags: ['FHIR'],
          summary: 'CapabilityStatement: what the FHIR directory serves',
          response: responses({ 200: CapabilityStatementSchema }),
        },
      },
      async (request, reply) => reply.type(FHIR_CONTENT_TYPE).send(service.capabilities(baseUrlOf(request))),
    );

    for (const type of DIRECTORY_TYPES) {
      app.get(
        `${FHIR_BASE_PATH}/${type}`,
        {
          config: { auth },
          schema: {
            tags: ['FHIR'],
            summary: `Search ${type} (IHE mCSD ITI-90)`,
            querystring: searchQuerySchema(type),
            response: responses({ 200: BundleSchema, 406: FhirResourceSchema }),
          },
        },
        async (request, reply) => {
          const bundle = await service.search(actorOf(request), type, request.query as QueryValues, {
            baseUrl: baseUrlOf(request),
            lenient: lenient(request),
          });
          return reply.type(FHIR_CONTENT_TYPE).send(bundle);
        },
      );

      app.get(
        `${FHIR_BASE_PATH}/${type}/:id`,
        {
          config: { auth },
          schema: {
            tags: ['FHIR'],
            summary: `Read one ${type}`,
            params: FhirIdParams,
            response: responses({ 200: FhirResourceSchema }),
          },
        },
        async (request, reply) =>
          reply.type(FHIR_CONTENT_TYPE).send(await service.read(actorOf(request), type, request.params.id)),
      );
    }

    // Any other resource type: a FHIR answer rather than a bare 404.
    app.get(
      `${FHIR_BASE_PATH}/:type`,
      {
        config: { auth },
        schema: { tags: ['FHIR'], summary: 'Types not served', params: TypeParams, response: responses({}) },
      },
      async (request) => {
        throw unsupportedType(request.params.type);
      },
    );
    app.get(
      `${FHIR_BASE_PATH}/:type/:id`,
      {
        config: { auth },
        schema: { tags: ['FHIR'], summary: 'Types not served', params: TypeIdParams, response: responses({}) },
      },
      async (request) => {
        throw unsupportedType(request.params.type);
      },
    );
  };
}
