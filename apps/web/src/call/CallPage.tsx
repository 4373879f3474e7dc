import { Loading, LoadError } from '../components/Notice';
import { Page } from '../components/Page';
import { SignedIn } from '../components/SignedIn';
import { Link } from '../router';
import { useApi } from '../useApi';
import CallPanel from './CallPanel';
import { CallI18nProvider, useCallI18n } from './i18n';

interface Invite {
  id: string;
  consultationId: string;
  role: string;
  patientName?: string;
  practitionerName?: string;
}

/**
 * `/call`: the calls a staff member is invited into (a second opinion, interpreting);
 * `/call/:consultationId`: the call itself, for any of its participants.
 */
export default function CallPage({ path }: { path: string }) {
  return (
    <SignedIn>
      {() => (
        <CallI18nProvider>
          <CallRoute path={path} />
        </CallI18nProvider>
      )}
    </SignedIn>
  );
}

function CallRoute({ path }: { path: string }) {
  const { t } = useCallI18n();
  const id = /^\/call\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (id !== undefined) {
    return (
      <Page title={t('call.heading')}>
        <CallPanel consultationId={id} />
      </Page>
    );
  }
  return (
    <Page title={t('call.myInvites')}>
      <Invites />
    </Page>
  );
}

function Invites() {
  const { t } = useCallI18n();
  const invites = useApi<{ items: Invite[] }>('/api/v1/me/call-invites');
  if (invites.error !== undefined) return <LoadError error={invites.error} onRetry={invites.reload} />;
  if (invites.data === undefined) return <Loading />;
  if (invites.data.items.length === 0) return <p>{t('call.noInvites')}</p>;
  return (
    <ul className="rows" data-testid="call-invites">
      {invites.data.items.map((invite) => (
        <li key={invite.id}>
          {t('call.inviteWith', { patient: invite.patientName ?? '', doctor: invite.practitionerName ?? '' })} ·{' '}
          <Link to={`/call/${invite.consultationId}`}>{t('call.open')}</Link>
        </li>
      ))}
    </ul>
  );
}
