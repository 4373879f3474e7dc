import type { Me } from '../api';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { SignedIn } from '../components/SignedIn';
import { NotFound } from '../pages/NotFound';
import { Link } from '../router';
import { OverseerI18nProvider, useOverseerI18n } from './i18n';
import { ownFacilities, ReferralDesk } from './ReferralDesk';
import { OVERSEERS, scopeOf } from './scope';
import { ServicePage } from './ServicePage';
import { TriageRulesPage } from './TriageRules';
import '../pages/pages.css';
import './overseer.css';

/**
 * Watching over a state's hub-and-spoke service: the overview (/service) and the triage rules
 * (/triage-rules) for coordinators and administrators; the referral desk (/referrals) for them and
 * for staff of the facilities patients are referred to. One chunk with its own words.
 */
export function OverseerApp({ path }: { path: string }) {
  return (
    <SignedIn>
      {(me) => (
        <OverseerI18nProvider>
          <Routed me={me} path={path} />
        </OverseerI18nProvider>
      )}
    </SignedIn>
  );
}

function Routed({ me, path }: { me: Me; path: string }) {
  const { t } = useOverseerI18n();
  const scope = scopeOf(me, OVERSEERS);
  switch (path) {
    case '/service':
      return scope === null ? <Only title={t('service.title')} /> : <ServicePage scope={scope} />;
    case '/triage-rules':
      return scope === null ? <Only title={t('rules.title')} /> : <TriageRulesPage me={me} scope={scope} />;
    case '/referrals':
      return scope === null && ownFacilities(me).length === 0 ? (
        <Only title={t('desk.title')} message={t('desk.noFacility')} />
      ) : (
        <ReferralDesk me={me} />
      );
    default:
      return <NotFound />;
  }
}

function Only({ title, message }: { title: string; message?: string }) {
  const { t } = useOverseerI18n();
  return (
    <Page title={title}>
      <Notice kind="error">{message ?? t('ov.notForYou')}</Notice>
      <p>
        <Link to="/home" className="button">
          {t('ov.home')}
        </Link>
      </p>
    </Page>
  );
}
