import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { SignedIn } from '../components/SignedIn';
import { NotFound } from '../pages/NotFound';
import { Link } from '../router';
import { OpdI18nProvider, useOpdI18n } from './i18n';
import { Start } from './Start';
import { WaitingRoom } from './WaitingRoom';
import '../pages/pages.css';
import './opd.css';

// One chunk for the whole flow: on a 2G link, each extra chunk is another wait.

const TOKEN = /^\/consult\/token\/([0-9a-fA-F-]{36})$/;

/** "See a doctor now": choosing who and where, taking a token, the waiting room and the consultation. */
export function OpdApp({ path }: { path: string }) {
  return (
    <SignedIn>
      {(me) => <OpdI18nProvider>{me.kind !== 'patient' ? <PatientsOnly /> : <OpdRoute path={path} />}</OpdI18nProvider>}
    </SignedIn>
  );
}

function OpdRoute({ path }: { path: string }) {
  if (path === '/consult') return <Start />;
  const token = TOKEN.exec(path)?.[1];
  if (token !== undefined) return <WaitingRoom key={token} id={token.toLowerCase()} />;
  return <NotFound />;
}

function PatientsOnly() {
  const { t } = useOpdI18n();
  return (
    <Page title={t('opd.title')}>
      <Notice kind="info">{t('opd.patientsOnly')}</Notice>
      <p>
        <Link to="/home" className="button">
          {t('opd.backHome')}
        </Link>
      </p>
    </Page>
  );
}
