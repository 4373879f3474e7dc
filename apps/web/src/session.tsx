import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { api, ApiError, toApiError, waitToRetry, type Me } from './api';
import { navigate } from './router';

export type Session =
  /** `error`: the last failed attempt, while we keep trying. */
  | { status: 'loading'; error?: ApiError }
  /** `expired`: the server ended a session that this page was using. */
  | { status: 'signedOut'; reason: 'none' | 'expired' }
  | { status: 'signedIn'; me: Me };

interface SessionApi {
  session: Session;
  /**
   * After a successful sign-in. The sign-in page does not navigate itself: its route sees the
   * session and redirects, so the address and the session never disagree for a render.
   */
  signedIn: (me: Me) => void;
  /** The server said 401 to a signed-in call: the session ended elsewhere or timed out. */
  expire: () => void;
  /** Ends the session on the server and goes to the start page; throws ApiError when offline. */
  signOut: () => Promise<void>;
}

const KIND_KEY = 'sanjog.lastKind';
/** The patient sign-in's pending code request (sessionStorage). */
export const OTP_CHALLENGE_KEY = 'sanjog.otpChallenge';
/** Things kept in sessionStorage for one person's visit; dropped at sign-out on a shared phone. */
const VISIT_KEYS = [OTP_CHALLENGE_KEY];

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage blocked: only the convenience is lost.
  }
}

/** Where to send someone who must sign in: the kind of sign-in this device used last. */
export function signInPath(): string {
  let kind: string | null = null;
  try {
    kind = localStorage.getItem(KIND_KEY);
  } catch {
    kind = null;
  }
  return kind === 'staff' ? '/staff/sign-in' : '/patient/sign-in';
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ status: 'loading' });

  // Who is signed in. Offline or a server hiccup is not "signed out": keep asking until we know.
  useEffect(() => {
    const controller = new AbortController();
    // A call, not a property read: the signal changes while we await.
    const stopped = () => controller.signal.aborted;
    void (async () => {
      for (let attempt = 1; !stopped(); attempt++) {
        try {
          const me = await api.get<Me>('/api/v1/auth/me', { signal: controller.signal });
          setSession({ status: 'signedIn', me });
          return;
        } catch (error) {
          if (stopped()) return;
          const failure = toApiError(error);
          if (failure.status === 401 || failure.status === 403) {
            setSession({ status: 'signedOut', reason: 'none' });
            return;
          }
          setSession({ status: 'loading', error: failure });
          await waitToRetry(attempt, controller.signal);
        }
      }
    })();
    return () => controller.abort();
  }, []);

  const signedIn = useCallback((me: Me) => {
    remember(KIND_KEY, me.kind);
    setSession({ status: 'signedIn', me });
  }, []);

  const expire = useCallback(() => setSession({ status: 'signedOut', reason: 'expired' }), []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/sign-out', {});
    } catch (error) {
      // Already signed out on the server is the outcome we wanted.
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
    }
    try {
      for (const key of VISIT_KEYS) sessionStorage.removeItem(key);
    } catch {
      // Nothing stored.
    }
    // One render for both changes: on the way out, no page may see the old session at the new
    // address or the new session at the old one (either would redirect somewhere else).
    flushSync(() => {
      navigate('/', { replace: true });
      setSession({ status: 'signedOut', reason: 'none' });
    });
  }, []);

  const value = useMemo(() => ({ session, signedIn, expire, signOut }), [session, signedIn, expire, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession outside SessionProvider');
  return value;
}
