import { useEffect, useRef, useState } from 'react';

/** What the server's live connection (`GET /api/v1/live`, a WebSocket) sends. */
export type LiveMessage =
  | { type: 'position'; tokenId: string; ahead: number; estimatedWaitMinutes: number }
  | { type: 'token'; tokenId: string; event: string; status: string }
  | { type: 'queue'; opdId: string; waiting: number };

export interface Live {
  /** `open`: updates arrive by themselves; otherwise the page should poll meanwhile. */
  state: 'connecting' | 'open' | 'reconnecting';
  /** Counts the (re)connections: anything missed while disconnected should be fetched again when it changes. */
  opens: number;
}

function isLiveMessage(value: unknown): value is LiveMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'position' || type === 'token' || type === 'queue';
}

/**
 * Keeps a WebSocket to `path` (same origin: the session cookie authenticates it) open while the
 * page is shown, and reconnects after a drop with a growing pause (1 s, 2 s, … at most 30 s),
 * at once when the browser says it is back online or the page is shown again.
 */
export function useLive(path: string | null, onMessage: (message: LiveMessage) => void): Live {
  const [live, setLive] = useState<Live>({ state: 'connecting', opens: 0 });
  const handler = useRef(onMessage);
  useEffect(() => {
    handler.current = onMessage;
  }, [onMessage]);

  useEffect(() => {
    if (path === null || typeof WebSocket === 'undefined') {
      setLive((previous) => ({ ...previous, state: 'reconnecting' }));
      return;
    }
    let socket: WebSocket | null = null;
    let timer: number | undefined;
    let failures = 0;
    let stopped = false;

    const connect = () => {
      window.clearTimeout(timer);
      timer = undefined;
      if (stopped || socket !== null) return;
      const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}${path}`;
      let opened = false;
      const current = new WebSocket(url);
      socket = current;
      current.onopen = () => {
        opened = true;
        failures = 0;
        setLive((previous) => ({ state: 'open', opens: previous.opens + 1 }));
      };
      current.onmessage = (event: MessageEvent) => {
        if (typeof event.data !== 'string') return;
        try {
          const message: unknown = JSON.parse(event.data);
          if (isLiveMessage(message)) handler.current(message);
        } catch {
          // Not ours: ignore.
        }
      };
      current.onclose = () => {
        if (socket === current) socket = null;
        if (stopped) return;
        setLive((previous) => ({ ...previous, state: 'reconnecting' }));
        if (!opened) failures++;
        const pause = Math.min(30_000, 1000 * 2 ** failures) * (0.75 + Math.random() * 0.5);
        timer = window.setTimeout(connect, opened ? 1000 : pause);
      };
    };

    // A phone that lost its link often keeps a dead socket for minutes: drop it and start again.
    const offline = () => {
      const current = socket;
      socket = null;
      current?.close();
      setLive((previous) => ({ ...previous, state: 'reconnecting' }));
    };
    const wake = () => {
      if (document.hidden || !navigator.onLine) return;
      failures = 0;
      connect();
    };

    connect();
    window.addEventListener('online', wake);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', wake);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      window.removeEventListener('online', wake);
      window.removeEventListener('offline', offline);
      document.removeEventListener('visibilitychange', wake);
      socket?.close();
      socket = null;
    };
  }, [path]);

  return live;
}

/** Calls `tick` every `ms` while `active` (and the page is visible): the fallback while the live link is down. */
export function usePolling(active: boolean, ms: number, tick: () => void): void {
  const callback = useRef(tick);
  useEffect(() => {
    callback.current = tick;
  }, [tick]);
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => {
      if (!document.hidden) callback.current();
    }, ms);
    return () => window.clearInterval(timer);
  }, [active, ms]);
}
