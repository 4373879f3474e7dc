import { Icon } from '../components/Icon';
import { arrow, check, phone, worker } from '../components/icons';
import { Page } from '../components/Page';
import { useT } from '../i18n';
import { Link } from '../router';

/** The first screen: two large doors, and the promise that it costs nothing. */
export function Landing() {
  const t = useT();
  return (
    <Page title={t('landing.title')}>
      <p className="lead">{t('landing.intro')}</p>
      <p className="free" data-testid="free-note">
        <Icon d={check} />
        <span>{t('landing.free')}</span>
      </p>
      <h2>{t('landing.choose')}</h2>
      <ul className="choices">
        <li>
          <Link to="/patient/sign-in" className="choice choice-patient" data-testid="choose-patient">
            <Icon d={phone} className="choice-icon" />
            <span className="choice-text">
              <span className="choice-title">{t('landing.patient')}</span>
              <span className="choice-hint">{t('landing.patientHint')}</span>
            </span>
            <Icon d={arrow} className="choice-arrow" />
          </Link>
        </li>
        <li>
          <Link to="/staff/sign-in" className="choice choice-staff" data-testid="choose-staff">
            <Icon d={worker} className="choice-icon" />
            <span className="choice-text">
              <span className="choice-title">{t('landing.staff')}</span>
              <span className="choice-hint">{t('landing.staffHint')}</span>
            </span>
            <Icon d={arrow} className="choice-arrow" />
          </Link>
        </li>
      </ul>
    </Page>
  );
}
