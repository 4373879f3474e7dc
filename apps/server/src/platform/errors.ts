import { operationOutcome, type IssueCode, type OperationOutcome, type OperationOutcomeIssue } from '@sanjog/shared';

/**
 * The one error type of the server. It carries the HTTP status and the OperationOutcome that
 * goes on the wire, so that a repository, a service and a route all speak the same language.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly outcome: OperationOutcome,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(outcome.issue.map((issue) => issue.diagnostics ?? issue.code).join('; '));
    this.name = 'AppError';
  }
}

function issue(code: IssueCode, diagnostics: string, field?: string): OperationOutcomeIssue {
  return {
    severity: 'error',
    code,
    diagnostics,
    ...(field === undefined ? {} : { expression: [field] }),
  };
}

export const badRequest = (diagnostics: string, field?: string): AppError =>
  new AppError(400, operationOutcome(issue('invalid', diagnostics, field)));

export const invalidFields = (issues: { field: string; message: string }[]): AppError =>
  new AppError(400, operationOutcome(issues.map((i) => issue('invalid', i.message, i.field))));

export const unauthenticated = (diagnostics = 'Sign in first'): AppError =>
  new AppError(401, operationOutcome(issue('login', diagnostics)));

export const forbidden = (diagnostics = 'You are not allowed to do this'): AppError =>
  new AppError(403, operationOutcome(issue('forbidden', diagnostics)));

export const notFound = (what: string): AppError =>
  new AppError(404, operationOutcome(issue('not-found', `${what} was not found`)));

export const conflict = (diagnostics: string, field?: string): AppError =>
  new AppError(409, operationOutcome(issue('conflict', diagnostics, field)));

export const unprocessable = (diagnostics: string, field?: string): AppError =>
  new AppError(422, operationOutcome(issue('processing', diagnostics, field)));

export const tooManyRequests = (diagnostics: string, retryAfterSeconds: number): AppError =>
  new AppError(429, operationOutcome(issue('throttled', diagnostics)), {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

export const locked = (diagnostics: string, retryAfterSeconds: number): AppError =>
  new AppError(423, operationOutcome(issue('lock-error', diagnostics)), {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

export const unavailable = (diagnostics: string): AppError =>
  new AppError(503, operationOutcome({ severity: 'error', code: 'transient', diagnostics }));

/** What a 5xx looks like on the wire: nothing of the cause leaks out. */
export const internalErrorOutcome = (requestId: string): OperationOutcome =>
  operationOutcome({
    severity: 'fatal',
    code: 'exception',
    diagnostics: `An unexpected error occurred. Quote reference ${requestId} when reporting it.`,
  });
