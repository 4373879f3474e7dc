/**
 * FHIR R4 OperationOutcome: the one error shape on the wire, for the API and for /fhir/R4.
 * Kept free of Node so that the web app reads errors with the same types.
 */
export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** The subset of the FHIR issue-type value set that the platform uses. */
export type IssueCode =
  | 'invalid'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'duplicate'
  | 'throttled'
  | 'lock-error'
  | 'exception'
  | 'not-supported'
  | 'processing'
  | 'expired'
  | 'informational'
  | 'transient'
  | 'too-costly';

export interface OperationOutcomeIssue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics?: string;
  /** FHIRPath-like location of the offending input, e.g. `body.mobile`. */
  expression?: string[];
  details?: { text: string };
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  id?: string;
  issue: OperationOutcomeIssue[];
}

export function operationOutcome(issue: OperationOutcomeIssue | OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: Array.isArray(issue) ? issue : [issue] };
}

export function isOperationOutcome(value: unknown): value is OperationOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { resourceType?: unknown }).resourceType === 'OperationOutcome' &&
    Array.isArray((value as { issue?: unknown }).issue)
  );
}

/** A one-line human summary of an outcome, for toasts and logs. */
export function outcomeMessage(outcome: OperationOutcome): string {
  return outcome.issue.map((issue) => issue.details?.text ?? issue.diagnostics ?? issue.code).join('; ');
}
