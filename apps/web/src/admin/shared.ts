import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { api, ApiError, request, toApiError, type Me } from '../api';
import { useSession } from '../session';
import type { District, Speciality, State } from './types';

/** Where an administrator may act: every state (national) or the states of their roles. */
export interface AdminScope {
  all: boolean;
  stateIds: string[];
}

export function adminScope(me: Me): AdminScope | null {
  if (me.roles.includes('national_admin')) return { all: true, stateIds: [] };
  const stateIds = me.bindings
    .filter((binding) => binding.role === 'state_admin' && binding.stateId !== null)
    .map((binding) => binding.stateId as string);
  return stateIds.length === 0 ? null : { all: false, stateIds: [...new Set(stateIds)] };
}

export interface AdminContextValue {
  me: Me;
  scope: AdminScope;
}

export const AdminContext = createContext<AdminContextValue | null>(null);

export function useAdmin(): AdminContextValue {
  const value = useContext(AdminContext);
  if (value === null) throw new Error('useAdmin outside AdminContext');
  return value;
}

/** The one state an administrator works in, when there is exactly one. */
export function onlyState(scope: AdminScope): string | undefined {
  return !scope.all && scope.stateIds.length === 1 ? scope.stateIds[0] : undefined;
}

// ---- Reference data: read once per visit --------------------------------------------------

const referenceData = new Map<string, unknown>();
const referenceCalls = new Map<string, Promise<unknown>>();

export interface Reference<T> {
  data: T | undefined;
  error: ApiError | undefined;
  reload: () => void;
}

/**
 * Lists that hardly change (states, districts, specialities): fetched once per visit however many
 * parts of the page ask at the same moment (a table of 50 rows asks for one district list).
 */
export function useReference<T>(path: string | null): Reference<T> {
  const { expire } = useSession();
  const [, setVersion] = useState(0);
  const [failure, setFailure] = useState<{ path: string; error: ApiError } | undefined>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (path === null || referenceData.has(path)) return;
    let live = true;
    let call = referenceCalls.get(path);
    if (call === undefined) {
      call = api.get<unknown>(path).then((data) => {
        referenceData.set(path, data);
        return data;
      });
      referenceCalls.set(path, call);
      call.catch(() => referenceCalls.delete(path));
    }
    call.then(
      () => live && setVersion((n) => n + 1),
      (error: unknown) => {
        const apiError = toApiError(error);
        if (apiError.status === 401) expire();
        if (live) setFailure({ path, error: apiError });
      },
    );
    return () => {
      live = false;
    };
  }, [path, attempt, expire]);
  const reload = useCallback(() => {
    setFailure(undefined);
    setAttempt((n) => n + 1);
  }, []);
  const data = path === null ? undefined : (referenceData.get(path) as T | undefined);
  return { data, error: failure?.path === path && data === undefined ? failure.error : undefined, reload };
}

export function useStates(): State[] | undefined {
  return useReference<{ states: State[] }>('/api/v1/geography/states').data?.states;
}

export function useDistricts(stateId: string | undefined): District[] | undefined {
  return useReference<{ districts: District[] }>(
    stateId === undefined || stateId === ''
      ? null
      : `/api/v1/geography/states/${encodeURIComponent(stateId)}/districts`,
  ).data?.districts;
}

export function useSpecialities(): Reference<{ items: Speciality[] }> {
  return useReference<{ items: Speciality[] }>('/api/v1/terminology/specialities');
}

/** A speciality's name in Hindi when the reader reads Hindi and the terminology has one. */
export function specialityName(speciality: Speciality | undefined, code: string, lang: string): string {
  if (speciality === undefined) return code;
  return lang === 'hi' && speciality.nameHi !== null ? speciality.nameHi : speciality.name;
}

// ---- Lists ---------------------------------------------------------------------------------

/** Rows per page: enough to scan, small enough for a 2G link. */
export const PAGE_SIZE = 50;

/** Page numbers in the address start at 1; anything odd is page 1. */
export function pageFrom(query: URLSearchParams): number {
  const page = Number(query.get('page'));
  return Number.isInteger(page) && page > 1 ? page : 1;
}

// ---- Small hooks ----------------------------------------------------------------------------

/** `value`, once it has stopped changing for `ms` (search boxes: one request per pause). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The last data a load had, so that a page turn keeps the old rows (dimmed) instead of blanking. */
export function useKept<T>(data: T | undefined): T | undefined {
  const kept = useRef<T | undefined>(data);
  if (data !== undefined) kept.current = data;
  return data ?? kept.current;
}

/** A polite message for screen readers ("Moved to position 2"), for changes with no other text. */
export function useAnnouncer(): [string, (message: string) => void] {
  const [message, setMessage] = useState('');
  const announce = useCallback((next: string) => {
    // The same words twice in a row must still be read out: clear, then set.
    setMessage('');
    window.setTimeout(() => setMessage(next), 50);
  }, []);
  return [message, announce];
}

// ---- Calls ---------------------------------------------------------------------------------

/** PUT: replaces a whole set (a speciality's hubs, a person's roles). */
export const put = <T>(path: string, body: object): Promise<T> => request<T>('PUT', path, body);

// ---- Forms ------------------------------------------------------------------------------------

/** A fresh key per submission; the same key for a retry of the same content. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Keeps one Idempotency-Key while the content sent stays the same: a retry after a dropped link
 * never creates twice, and a corrected form is a new submission.
 */
export function useIdempotencyKey(): (content: unknown) => string {
  const last = useRef<{ content: string; key: string } | null>(null);
  return useCallback((content: unknown) => {
    const text = JSON.stringify(content);
    if (last.current?.content !== text) last.current = { content: text, key: newIdempotencyKey() };
    return last.current.key;
  }, []);
}

export interface ServerIssue {
  /** The field path without its `body.` prefix: `pincode`, `roles.2.facilityId`. */
  field: string;
  code: string;
  /** The server's words (English), without a leading `body.pincode: `. */
  message: string;
}

/** Every issue of a failed call that names a field. */
export function fieldIssues(error: unknown): ServerIssue[] {
  if (!(error instanceof ApiError)) return [];
  return error.outcome.issue.flatMap((issue) => {
    const expression = issue.expression?.[0];
    if (expression === undefined) return [];
    const field = expression.replace(/^(body|query|params|querystring)\./, '');
    const message = (issue.diagnostics ?? issue.code).replace(/^[\w.]+: /, '');
    return [{ field, code: issue.code, message }];
  });
}

// ---- Languages --------------------------------------------------------------------------------

/** India's scheduled languages and English, as ISO 639 codes; names come from the browser (Intl). */
export const LANGUAGE_CODES = [
  'hi',
  'en',
  'bn',
  'te',
  'mr',
  'ta',
  'ur',
  'gu',
  'kn',
  'ml',
  'or',
  'pa',
  'as',
  'mai',
  'sat',
  'ks',
  'ne',
  'sd',
  'kok',
  'doi',
  'mni',
  'brx',
  'sa',
] as const;

/** Languages some browsers have no name for. */
const FALLBACK_NAMES: Record<string, string> = { sat: 'Santali', ks: 'Kashmiri', brx: 'Bodo', mni: 'Manipuri' };

/** "Kannada" (or "कन्नड़"), from the browser's own data, so no dictionary carries it. */
export function languageNamer(locale: string): (code: string) => string {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([locale], { type: 'language' });
  } catch {
    names = undefined;
  }
  return (code) => {
    const name = names?.of(code);
    return name === undefined || name === code ? (FALLBACK_NAMES[code] ?? code) : name;
  };
}
