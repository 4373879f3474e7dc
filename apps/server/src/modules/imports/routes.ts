import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { operationOutcome } from '@sanjog/shared';
import { AppError } from '../../platform/errors.js';
import { actorOf } from '../../platform/http/authenticate.js';
import { IdParams, responses } from '../../platform/http/schemas.js';
import { NETWORK_WRITERS } from '../facilities/index.js';
import { headerLine } from './formats.js';
import type { ImportJobRow } from './repository.js';
import {
  CsvBody,
  IMPORT_DESCRIPTION,
  ImportJobList,
  ImportJobSchema,
  ImportListQuery,
  ImportParams,
  ImportQuery,
} from './schemas.js';
import { asByteStream, payloadTooLarge, type ImportService } from './service.js';

/** The largest file one request may carry. */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

const outcome = Type.Unsafe<unknown>({ $ref: 'OperationOutcome#' });

export const importJobToWire = (job: Omit<ImportJobRow, 'errors'> & { errors?: ImportJobRow['errors'] }) => ({
  ...job,
  startedAt: job.startedAt.toISOString(),
  checkedAt: job.checkedAt === null ? null : job.checkedAt.toISOString(),
  updatedAt: job.updatedAt.toISOString(),
  finishedAt: job.finishedAt === null ? null : job.finishedAt.toISOString(),
});

export function importRoutes(service: ImportService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The body reaches the handler as the raw stream: a 100 MB file is never held whole.
    app.addContentTypeParser('text/csv', (_request, payload, done) => {
      done(null, payload);
    });

    app.post(
      '/api/v1/imports/:kind',
      {
        bodyLimit: MAX_IMPORT_BYTES,
        config: { auth: { roles: NETWORK_WRITERS } },
        onRequest: async (request) => {
          const type = request.headers['content-type'] ?? '';
          if (!/^text\/csv\s*(;|$)/i.test(type)) {
            throw new AppError(
              415,
              operationOutcome({
                severity: 'error',
                code: 'not-supported',
                diagnostics: 'Send the file as the request body with content-type: text/csv',
              }),
            );
          }
          const length = Number(request.headers['content-length']);
          if (length > MAX_IMPORT_BYTES) throw payloadTooLarge(MAX_IMPORT_BYTES);
        },
        schema: {
          tags: ['care network'],
          summary: 'Import facilities, practitioners or spoke-hub mappings from a CSV file',
          description: IMPORT_DESCRIPTION,
          consumes: ['text/csv'],
          params: ImportParams,
          querystring: ImportQuery,
          body: CsvBody,
          response: responses({ 200: ImportJobSchema, 202: ImportJobSchema, 413: outcome, 415: outcome }),
        },
      },
      async (request, reply) => {
        const { job, finished } = await service.start(actorOf(request), {
          kind: request.params.kind,
          dryRun: request.query.dryRun,
          id: request.query.id,
          body: asByteStream(request.body),
          maxBytes: MAX_IMPORT_BYTES,
          respondAsync: /respond-async/i.test(String(request.headers.prefer ?? '')),
        });
        if (!finished) void reply.header('location', `/api/v1/imports/${job.id}`);
        return reply.status(finished ? 200 : 202).send(importJobToWire(job));
      },
    );

    app.get(
      '/api/v1/imports/:id',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'An import: its progress, its errors, what it changed',
          params: IdParams,
          response: responses({ 200: ImportJobSchema }),
        },
      },
      async (request) => importJobToWire(await service.get(actorOf(request), request.params.id)),
    );

    app.get(
      '/api/v1/imports',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'The latest imports of your states (without their error lists)',
          querystring: ImportListQuery,
          response: responses({ 200: ImportJobList }),
        },
      },
      async (request) => ({
        items: (await service.list(actorOf(request), request.query.limit)).map(importJobToWire),
      }),
    );

    app.get(
      '/api/v1/imports/:kind/template',
      {
        config: { auth: { roles: NETWORK_WRITERS } },
        schema: {
          tags: ['care network'],
          summary: 'An empty CSV file of this kind: its header line',
          params: ImportParams,
          produces: ['text/csv'],
          response: responses({ 200: Type.String({ description: 'The column names, as the first line of a file' }) }),
        },
      },
      async (request, reply) =>
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${request.params.kind}.csv"`)
          .send(`${headerLine(request.params.kind)}\r\n`),
    );
  };
}
