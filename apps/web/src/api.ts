import { isOperationOutcome, operationOutcome, type OperationOutcome, type Role } from '@sanjog/shared';

/**
 * A failed call. `status` is 0 when the server could not be reached at all (offline, timed
 * out): the request may or may not have arrived, so only safe calls are retried by themselves.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  /** The form field the server blamed, from `expression` (`body.mobile` → `mobile`). */
  readonly field: string | undefined;
  /** Seconds from the Retry-After header (429, 423). */
  readonly retryAfter: number | undefined;

  constructor(status: number, outcome: OperationOutcome, retryAfter?: number) {
    super(outcome.issue.map((issue) => issue.diagnostics ?? issue.code).join('; '));
    this.name = 'ApiError';
    this.status = status;
    this.outcome = outcome;
    this.retryAfter = retryAfter;
    const expression = outcome.issue.find((issue) => issue.expression?.length)?.expression?.[0];
    this.field = expression?.replace(/^(body|query|params|querystring)\./, '');
  }

  get offline(): boolean {
    return this.status === 0;
  }

  /** Worth trying again later without the person doing anything. */
  get transient(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }

  /** The server's own words (English), for cases the app has no translation for. */
  get diagnostics(): string | undefined {
    return this.outcome.issue.find((issue) => issue.diagnostics !== undefined)?.diagnostics;
  }
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** For routes that accept one, so that a retried create does not create twice. */
  idempotencyKey?: string | undefined;
  /** Give up after this long; slow 2G links make the default generous. */
  timeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;

// Phones often keep the wrong time; countdowns must follow the server's clock, not theirs.
let serverClockOffsetMs = 0;

/** The server's time now, as learnt from the Date header of the last answer. */
export function serverNow(): number {
  return Date.now() + serverClockOffsetMs;
}

function networkError(reason: string): ApiError {
  return new ApiError(0, operationOutcome({ severity: 'error', code: 'transient', diagnostics: reason }));
}

/** Any failure as an ApiError, so that callers handle one type. */
export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : networkError(error instanceof Error ? error.message : 'unknown failure');
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Any call; `api` below has the usual ones. */
export async function request<T>(
  method: string,
  path: string,
  body: unknown,
  options: RequestOptions = {},
): Promise<T> {
  // One controller for both the caller's cancel and our timeout (AbortSignal.any is too new
  // for the WebViews we support).
  const controller = new AbortController();
  const cancel = () => controller.abort();
  if (options.signal?.aborted) throw new DOMException('Aborted', 'AbortError');
  options.signal?.addEventListener('abort', cancel);
  const timer = window.setTimeout(cancel, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;

  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
      signal: controller.signal,
    });
    text = await response.text();
  } catch (error) {
    // The caller's cancel stays a cancel; our own timeout counts as a network failure.
    if (options.signal?.aborted) throw error;
    throw networkError(isAbort(error) ? 'timed out' : 'network unreachable');
  } finally {
    window.clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }

  // The header has whole seconds: assume the middle of that second.
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isFinite(date)) serverClockOffsetMs = date + 500 - Date.now();

  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;

  // A proxy or captive portal may answer in HTML; still give the caller an outcome to read.
  const outcome = isOperationOutcome(parsed)
    ? parsed
    : operationOutcome({
        severity: 'error',
        code: response.status >= 500 ? 'exception' : 'processing',
        diagnostics: `HTTP ${response.status}`,
      });
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(response.status, outcome, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  /** Every POST carries a JSON body, `{}` when there is nothing to say (the server requires it). */
  post: <T>(path: string, body: object = {}, options?: RequestOptions) => request<T>('POST', path, body, options),
  patch: <T>(path: string, body: object, options?: RequestOptions) => request<T>('PATCH', path, body, options),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};

/**
 * Waits before retry number `attempt` (1, 2, …): until the browser says it is back online, or
 * a growing pause (2 s, 4 s, … at most 30 s), whichever comes first.
 */
export function waitToRetry(attempt: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      window.clearTimeout(timer);
      window.removeEventListener('online', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = window.setTimeout(done, Math.min(30_000, 1000 * 2 ** attempt));
    window.addEventListener('online', done);
    signal.addEventListener('abort', done);
  });
}

/** Builds a query string from the defined values only. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

// ---- Wire types of the endpoints the shell uses -------------------------------------------

export interface RoleBinding {
  role: string;
  stateId: string | null;
  facilityId: string | null;
}

export interface Me {
  userId: string;
  kind: 'staff' | 'patient';
  displayName: string;
  roles: Role[];
  bindings: RoleBinding[];
}

export interface SignInResponse {
  me: Me;
  expiresAt: string;
}
