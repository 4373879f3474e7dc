import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { SignedIn } from '../components/SignedIn';
import { NotFound } from '../pages/NotFound';
import { Link } from '../router';
import { DoctorConsole } from './Console';
import { DoctorI18nProvider, useDoctorI18n } from './i18n';
import '../pages/pages.css';
import '../opd/opd.css';
import './doctor.css';

/** The online OPD doctor's console: availability, the queue, the call and the consultation record. */
export function DoctorApp({ path }: { path: string }) {
  return (
    <SignedIn>
      {(me) => (
        <DoctorI18nProvider>
          {!me.roles.includes('opd_doctor') ? (
            <DoctorsOnly />
          ) : path === '/doctor' ? (
            <DoctorConsole me={me} />
          ) : (
            <NotFound />
          )}
        </DoctorI18nProvider>
      )}
    </SignedIn>
  );
}

function DoctorsOnly() {
  const { t } = useDoctorI18n();
  return (
    <Page title={t('doc.title')}>
      <Notice kind="error">{t('doc.doctorsOnly')}</Notice>
      <p>
        <Link to="/home" className="button">
          {t('doc.home')}
        </Link>
      </p>
    </Page>
  );
}
