import { lazy, Suspense, useEffect, useState, type MouseEvent } from 'react';
import { ApiError } from './api';
import { Icon, Logo } from './components/Icon';
import { alert, globe, signOut as signOutIcon } from './components/icons';
import { LoadError, Loading, Notice } from './components/Notice';
import { errorMessage } from './errors';
import { useOnline } from './hooks';
import { isLang, LANGUAGES, useI18n } from './i18n';
import { Landing } from './pages/Landing';
import { NotFound } from './pages/NotFound';
import { Link, Redirect, safeNext, useLocation } from './router';
import { signInPath, useSession } from './session';

// The start page is in the main bundle; every other page is its own chunk, so a patient's
// first load carries no staff screens. The service worker fetches the chunks in the background.
const PatientSignIn = lazy(() => import('./pages/PatientSignIn').then((module) => ({ default: module.PatientSignIn })));
const StaffSignIn = lazy(() => import('./pages/StaffSignIn').then((module) => ({ default: module.StaffSignIn })));
const Home = lazy(() => import('./pages/Home').then((module) => ({ default: module.Home })));
const Outbox = lazy(() => import('./pages/Outbox').then((module) => ({ default: module.Outbox })));
// Administration: its own chunks and words; it checks the session itself.
const Admin = lazy(() => import('./admin/AdminApp').then((module) => ({ default: module.AdminApp })));
// Seeing a doctor now (patients) and the OPD doctor's console: chunks with their own words.
const Opd = lazy(() => import('./opd/OpdApp').then((module) => ({ default: module.OpdApp })));
const Doctor = lazy(() => import('./doctor/DoctorApp').then((module) => ({ default: module.DoctorApp })));
// e-Prescriptions: the public check behind the QR code (no sign-in), dispensing, the patient's list.
const Rx = lazy(() => import('./rx/RxApp').then((module) => ({ default: module.RxApp })));
// Hub and spoke: the health officer's requests and the hub doctor's queue, one chunk with its words.
const HubSpoke = lazy(() => import('./hubspoke/HubSpokeApp').then((module) => ({ default: module.HubSpokeApp })));
// Watching over a state's service (coordinators, administrators) and the referral desk.
const Overseer = lazy(() => import('./overseer/OverseerApp').then((module) => ({ default: module.OverseerApp })));
// A consultation's video call for anyone taking part (invited specialists, interpreters); the
// waiting room and the doctor's console load the same chunk.
const Call = lazy(() => import('./call/CallPage'));

export function App() {
  const { t } = useI18n();
  const { path } = useLocation();
  const online = useOnline();
  const [signOutError, setSignOutError] = useState<string | undefined>();
  useEffect(() => setSignOutError(undefined), [path]);

  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    // Move focus without adding #main to the address.
    event.preventDefault();
    document.getElementById('main')?.focus();
  };

  return (
    <>
      <a className="skip-link" href="#main" onClick={skip}>
        {t('app.skipLink')}
      </a>
      <Header onSignOutError={setSignOutError} />
      {!online && (
        <div className="offline-banner" role="status" data-testid="offline-banner">
          <Icon d={alert} /> <span>{t('app.offline')}</span>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {signOutError !== undefined && <Notice kind="error">{signOutError}</Notice>}
        {/* Keyed by path so that each page starts fresh (state, focus) when it is entered. */}
        <Suspense fallback={<Loading />}>
          <Route key={path} path={path} />
        </Suspense>
      </main>
    </>
  );
}

function Route({ path }: { path: string }) {
  const { session } = useSession();
  const { query } = useLocation();
  const signedIn = session.status === 'signedIn';
  const afterSignIn = safeNext(query.get('next'), '/home');

  switch (path) {
    case '/':
      return signedIn ? <Redirect to="/home" /> : <Landing />;
    case '/patient/sign-in':
      return signedIn ? <Redirect to={afterSignIn} /> : <PatientSignIn />;
    case '/staff/sign-in':
      return signedIn ? <Redirect to={afterSignIn} /> : <StaffSignIn />;
    case '/home':
      if (session.status === 'loading') {
        return (
          <>
            {session.error !== undefined && <LoadError error={session.error} />}
            <Loading />
          </>
        );
      }
      // Ask to sign in, then come back here.
      if (session.status === 'signedOut') return <Redirect to={`${signInPath()}?next=${encodeURIComponent(path)}`} />;
      return <Home me={session.me} />;
    case '/dev/outbox':
      return <Outbox />;
    default:
      if (path === '/consult' || path.startsWith('/consult/')) return <Opd path={path} />;
      if (path === '/doctor' || path.startsWith('/doctor/')) return <Doctor path={path} />;
      if (path.startsWith('/rx/') || path === '/pharmacy' || path === '/prescriptions') return <Rx path={path} />;
      if (path === '/spoke' || path === '/hub') return <HubSpoke path={path} />;
      if (path === '/service' || path === '/referrals' || path === '/triage-rules') return <Overseer path={path} />;
      if (path === '/call' || path.startsWith('/call/')) return <Call path={path} />;
      return path.startsWith('/admin') ? <Admin path={path} /> : <NotFound />;
  }
}

function Header({ onSignOutError }: { onSignOutError: (message: string | undefined) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { session, signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);

  const leave = async () => {
    setSigningOut(true);
    onSignOutError(undefined);
    try {
      await signOut();
    } catch (error) {
      onSignOutError(error instanceof ApiError && error.offline ? t('error.signOutFailed') : errorMessage(error, i18n));
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <header className="site-header">
      <div className="header-bar">
        <Link to={session.status === 'signedIn' ? '/home' : '/'} className="brand" aria-label={t('app.homeLink')}>
          <Logo />
          <span className="brand-name">{t('app.name')}</span>
        </Link>
        <div className="language">
          <label htmlFor="language-select">
            <Icon d={globe} />
            <span className="language-label">{t('app.language')}</span>
          </label>
          <select
            id="language-select"
            data-testid="language-switcher"
            value={i18n.lang}
            onChange={(event) => {
              if (isLang(event.target.value)) void i18n.setLang(event.target.value);
            }}
          >
            {LANGUAGES.map((language) => (
              <option key={language.code} value={language.code} lang={language.code}>
                {language.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {session.status === 'signedIn' && (
        <div className="header-user">
          <span className="user-name" data-testid="user-name">
            {t('app.signedInAs', { name: i18n.person(session.me.displayName) })}
          </span>
          <button
            type="button"
            className="button button-header"
            data-testid="sign-out"
            onClick={() => void leave()}
            disabled={signingOut}
          >
            <Icon d={signOutIcon} />
            <span>{signingOut ? t('app.signingOut') : t('app.signOut')}</span>
          </button>
        </div>
      )}
    </header>
  );
}
