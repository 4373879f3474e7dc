import { useCallback, useEffect, useState } from 'react';
import { api, toApiError, waitToRetry, type ApiError } from './api';
import { useSession } from './session';

export interface Load<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer for this path. */
  loading: boolean;
  /** When the data shown was fetched (client clock). */
  updatedAt: number | undefined;
  reload: () => void;
}

interface LoadState<T> {
  path: string | null;
  data: T | undefined;
  error: ApiError | undefined;
  updatedAt: number | undefined;
}

/** Resolves when the page is visible again, so that a phone in a pocket does not poll. */
function whenVisible(signal: AbortSignal): Promise<void> {
  if (!document.hidden) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (document.hidden && !signal.aborted) return;
      document.removeEventListener('visibilitychange', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    document.addEventListener('visibilitychange', done);
    signal.addEventListener('abort', done);
  });
}

/**
 * GETs `path` (null: nothing to load). Network failures and 502–504 are retried by themselves
 * with a growing pause, so a dropped 2G link heals without a tap; a 401 ends the session.
 * With `refreshMs`, the data is fetched again that often while the page is visible.
 */
export function useApi<T>(path: string | null, options: { refreshMs?: number } = {}): Load<T> {
  const { expire } = useSession();
  const { refreshMs } = options;
  const [state, setState] = useState<LoadState<T>>({ path, data: undefined, error: undefined, updatedAt: undefined });
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    const { signal } = controller;
    // A call, not a property read: the signal changes while we await.
    const stopped = () => signal.aborted;
    void (async () => {
      let failures = 0;
      while (!stopped()) {
        await whenVisible(signal);
        if (stopped()) return;
        try {
          const data = await api.get<T>(path, { signal });
          failures = 0;
          setState({ path, data, error: undefined, updatedAt: Date.now() });
          if (refreshMs === undefined) return;
          await new Promise((resolve) => window.setTimeout(resolve, refreshMs));
        } catch (error) {
          if (stopped()) return;
          const failure = toApiError(error);
          if (failure.status === 401) {
            expire();
            return;
          }
          // Keep what was shown before (stale data beats an empty page) next to the error.
          setState((previous) => ({
            path,
            data: previous.path === path ? previous.data : undefined,
            error: failure,
            updatedAt: previous.path === path ? previous.updatedAt : undefined,
          }));
          if (!failure.transient) return;
          failures++;
          await waitToRetry(failures, signal);
        }
      }
    })();
    return () => controller.abort();
  }, [path, refreshMs, nonce, expire]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: path !== null && (!current || (state.data === undefined && state.error === undefined)),
    updatedAt: current ? state.updatedAt : undefined,
    reload,
  };
}
