import { Component, lazy, useMemo, type ErrorInfo, type ReactNode } from 'react';
import type { Me } from '../api';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { NotFound } from '../pages/NotFound';
import { Link, Redirect, useLocation } from '../router';
import { signInPath, useSession } from '../session';
import { AdminI18nProvider, useAdminT } from './i18n';
import { AdminContext, adminScope } from './shared';
import '../pages/pages.css';
import './admin.css';

// Each screen is its own chunk: an administrator who only fixes one facility loads no import page.
const FacilitiesPage = lazy(() => import('./FacilitiesPage').then((module) => ({ default: module.FacilitiesPage })));
const FacilityPage = lazy(() => import('./FacilityPage').then((module) => ({ default: module.FacilityPage })));
const NewFacilityPage = lazy(() => import('./FacilityPage').then((module) => ({ default: module.NewFacilityPage })));
const PractitionersPage = lazy(() =>
  import('./PractitionersPage').then((module) => ({ default: module.PractitionersPage })),
);
const PractitionerPage = lazy(() =>
  import('./PractitionerPage').then((module) => ({ default: module.PractitionerPage })),
);
const NewPractitionerPage = lazy(() =>
  import('./PractitionerPage').then((module) => ({ default: module.NewPractitionerPage })),
);

const ImportPage = lazy(() => import('./ImportPage').then((module) => ({ default: module.ImportPage })));

const OpdsPage = lazy(() => import('./OpdPages').then((module) => ({ default: module.OpdsPage })));
const OpdPage = lazy(() => import('./OpdPages').then((module) => ({ default: module.OpdPage })));
const RostersPage = lazy(() => import('./Rosters').then((module) => ({ default: module.RostersPage })));

const UUID = '([0-9a-fA-F-]{36})';
const FACILITY = new RegExp(`^/admin/facilities/${UUID}$`);
const PRACTITIONER = new RegExp(`^/admin/practitioners/${UUID}$`);
const OPD = new RegExp(`^/admin/opds/${UUID}$`);

/**
 * The care-network administration: for state administrators (their states) and national ones.
 * Signed-out visitors are asked to sign in and brought back to the same address, filters included.
 */
export function AdminApp({ path }: { path: string }) {
  const { session } = useSession();
  const { query } = useLocation();
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
  return <SignedInAdmin me={session.me} path={path} />;
}

function SignedInAdmin({ me, path }: { me: Me; path: string }) {
  const scope = useMemo(() => adminScope(me), [me]);
  const context = useMemo(() => (scope === null ? null : { me, scope }), [me, scope]);
  return (
    <AdminI18nProvider>
      {context === null ? (
        <Forbidden />
      ) : (
        <AdminContext.Provider value={context}>
          <Crashed>
            <AdminRoute path={path} />
          </Crashed>
        </AdminContext.Provider>
      )}
    </AdminI18nProvider>
  );
}

function AdminRoute({ path }: { path: string }) {
  if (path === '/admin' || path === '/admin/facilities') return <FacilitiesPage />;
  if (path === '/admin/facilities/new') return <NewFacilityPage />;
  const facility = FACILITY.exec(path)?.[1];
  if (facility !== undefined) return <FacilityPage id={facility.toLowerCase()} />;
  if (path === '/admin/practitioners') return <PractitionersPage />;
  if (path === '/admin/practitioners/new') return <NewPractitionerPage />;
  const practitioner = PRACTITIONER.exec(path)?.[1];
  if (practitioner !== undefined) return <PractitionerPage id={practitioner.toLowerCase()} />;
  if (path === '/admin/import') return <ImportPage />;
  if (path === '/admin/opds') return <OpdsPage />;
  const opd = OPD.exec(path)?.[1];
  if (opd !== undefined) return <OpdPage id={opd.toLowerCase()} />;
  if (path === '/admin/rosters') return <RostersPage />;
  return <NotFound />;
}

function Forbidden() {
  const t = useAdminT();
  return (
    <Page title={t('admin.title')}>
      <Notice kind="error">{t('error.forbidden')}</Notice>
      <p>
        <Link to="/home" className="button">
          {t('admin.home')}
        </Link>
      </p>
    </Page>
  );
}

// The home page's administrator cards come with this chunk (and its words), not with every home.
export { AdminCards } from './HomeCards';

/** A fault in one admin page says so and offers a reload, instead of blanking the whole app. */
class Crashed extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('admin page failed', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.failed ? <CrashNotice /> : this.props.children;
  }
}

function CrashNotice() {
  const t = useAdminT();
  return (
    <Notice kind="error">
      <p>{t('admin.crashed')}</p>
      <button type="button" className="button button-secondary" onClick={() => window.location.reload()}>
        {t('admin.reloadPage')}
      </button>
    </Notice>
  );
}
