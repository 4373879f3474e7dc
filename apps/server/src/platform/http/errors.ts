import type { FastifyError, FastifyInstance } from 'fastify';
import { operationOutcome } from '@sanjog/shared';
import { AppError, internalErrorOutcome } from '../errors.js';

/** PostgreSQL's SQLSTATE for a unique index violation (PGlite reports the same). */
const UNIQUE_VIOLATION = '23505';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** `body` + `/mobile` → `body.mobile`; a missing property is named too. */
function fieldOf(context: string, issue: ValidationIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
    parts.push(issue.params.missingProperty);
  }
  if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
    parts.push(issue.params.additionalProperty);
  }
  return [context, ...parts].join('.');
}

/**
 * One error handler: every failure leaves as a FHIR OperationOutcome. Input errors name the
 * field; unexpected errors are logged in full and answered without internals.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.statusCode).headers(error.headers).send(error.outcome);
    }
    if (error.validation !== undefined) {
      const context = error.validationContext ?? 'request';
      const issues = (error.validation as ValidationIssue[]).map((issue) => {
        const field = fieldOf(context, issue);
        return {
          severity: 'error' as const,
          code: issue.keyword === 'required' ? ('required' as const) : ('invalid' as const),
          diagnostics: `${field}: ${issue.keyword === 'required' ? 'is required' : (issue.message ?? 'is invalid')}`,
          expression: [field],
        };
      });
      return reply.status(400).send(operationOutcome(issues));
    }
    // A unique index refused a write that a service did not foresee (two requests racing, say):
    // that is a conflict with an existing record, not a server failure.
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
      request.log.info({ constraint: (error as { constraint?: unknown }).constraint }, 'unique violation');
      return reply.status(409).send(
        operationOutcome({
          severity: 'error',
          code: 'duplicate',
          diagnostics: 'This conflicts with an existing record',
        }),
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Errors raised by Fastify itself: malformed JSON, wrong content type, body too large.
      return reply.status(status).send(
        operationOutcome({
          severity: 'error',
          code: status === 413 ? 'too-costly' : 'invalid',
          diagnostics: error.message,
        }),
      );
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send(internalErrorOutcome(request.id));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(
      operationOutcome({
        severity: 'error',
        code: 'not-found',
        diagnostics: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
      }),
    ),
  );
}
