import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { SignedIn } from '../components/SignedIn';
import { NotFound } from '../pages/NotFound';
import { Link } from '../router';
import { HubHome } from './Hub';
import { HubSpokeI18nProvider, useHubSpokeI18n } from './i18n';
import { SpokeHome } from './Spoke';
import '../pages/pages.css';
import './hubspoke.css';

/** Hub-and-spoke teleconsultation: the health officer at /spoke, the hub doctor at /hub. */
export function HubSpokeApp({ path }: { path: string }) {
  return (
    <SignedIn>
      {(me) => (
        <HubSpokeI18nProvider>
          {path === '/spoke' ? (
            me.roles.includes('spoke_operator') ? (
              <SpokeHome />
            ) : (
              <Only message="hs.officersOnly" />
            )
          ) : path === '/hub' ? (
            me.roles.includes('hub_doctor') ? (
              <HubHome stateId={me.bindings.find((b) => b.role === 'hub_doctor')?.stateId ?? null} />
            ) : (
              <Only message="hs.doctorsOnly" />
            )
          ) : (
            <NotFound />
          )}
        </HubSpokeI18nProvider>
      )}
    </SignedIn>
  );
}

function Only({ message }: { message: 'hs.officersOnly' | 'hs.doctorsOnly' }) {
  const { t } = useHubSpokeI18n();
  return (
    <Page title={t('hs.spokeTitle')}>
      <Notice kind="error">{t(message)}</Notice>
      <p>
        <Link to="/home" className="button">
          {t('hs.home')}
        </Link>
      </p>
    </Page>
  );
}
