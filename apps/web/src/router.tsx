import { useLayoutEffect, useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A router in a page: the History API is the store, React subscribes to it. Paths are matched
 * exactly by the App; there are few of them and no parameters yet.
 */
const listeners = new Set<() => void>();
let clientNavigations = 0;

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', () => {
  clientNavigations++;
  notify();
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  const previousPath = window.location.pathname;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  clientNavigations++;
  // A new page starts at the top, as after a full load; a changed query (a filter) stays put.
  if (window.location.pathname !== previousPath) window.scrollTo(0, 0);
  notify();
}

/** True once the person has moved within the app, i.e. the current page was not the first load. */
export function hasNavigated(): boolean {
  return clientNavigations > 0;
}

export interface Location {
  /** Without a trailing slash, except for `/` itself. */
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => {
    const url = new URL(href, window.location.origin);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    return { path, query: url.searchParams };
  }, [href]);
}

/** Only same-site paths are followed after sign-in, never another origin (`//evil.example`). */
export function safeNext(value: string | null, fallback: string): string {
  return value !== null && value.startsWith('/') && !value.startsWith('//') ? value : fallback;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** A real link (works with middle-click, long-press and no script) that navigates in place. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const plainClick = event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
    if (event.defaultPrevented || !plainClick || (rest.target !== undefined && rest.target !== '_self')) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

/** Replaces the current entry, so that Back does not bounce the person into the redirect again. */
export function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
