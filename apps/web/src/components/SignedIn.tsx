import type { ReactNode } from 'react';
import type { Me } from '../api';
import { useLocation, Redirect } from '../router';
import { signInPath, useSession } from '../session';
import { LoadError, Loading } from './Notice';

/**
 * Shows `children` to a signed-in person; asks anyone else to sign in and brings them back to
 * the same address afterwards (query included).
 */
export function SignedIn({ children }: { children: (me: Me) => ReactNode }) {
  const { session } = useSession();
  const { path, query } = useLocation();
  if (session.status === 'loading') {
    return (
      <>
        {session.error !== undefined && <LoadError error={session.error} />}
        <Loading />
      </>
    );
  }
  if (session.status === 'signedOut') {
    const search = query.toString();
    const here = search === '' ? path : `${path}?${search}`;
    return <Redirect to={`${signInPath()}?next=${encodeURIComponent(here)}`} />;
  }
  return <>{children(session.me)}</>;
}
