import { useEffect, useId, useState, type ReactNode } from 'react';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { BackLink, DistrictName } from './components';
import { FacilityForm } from './FacilityForm';
import { HubMappings } from './HubMappings';
import { HubPool, HubSpokes } from './HubNetwork';
import { useAdminI18n, useAdminT } from './i18n';
import type { Facility } from './types';

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const headingId = useId();
  return (
    <section className="admin-section" aria-labelledby={headingId} data-testid={testId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** One facility: its details to read and change, and its place in the hub-and-spoke network. */
export function FacilityPage({ id }: { id: string }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const load = useApi<Facility>(`/api/v1/facilities/${id}`);
  const [facility, setFacility] = useState<Facility | undefined>();
  // A new load (first, or after "reload" on a conflict) replaces what the form started from.
  useEffect(() => {
    if (load.data !== undefined) setFacility(load.data);
  }, [load.data]);
  const created = query.get('created') === '1';

  if (load.error?.status === 404) {
    return (
      <Page title={t('facility.notFound')}>
        <BackLink to="/admin/facilities">{t('facilities.back')}</BackLink>
        <Notice kind="error">{t('facility.notFoundBody')}</Notice>
      </Page>
    );
  }
  if (facility === undefined) {
    return (
      <>
        {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
        <Loading />
      </>
    );
  }
  return (
    <Page title={facility.name}>
      <BackLink to="/admin/facilities">{t('facilities.back')}</BackLink>
      <p className="facts" data-testid="facility-facts">
        {t(`facilityKind.${facility.kind}`)} ·{' '}
        <DistrictName stateId={facility.stateId} districtId={facility.districtId} />
        {facility.registryId !== null && ` · ${facility.registryId}`}
        {!facility.active && ` · ${t('facilities.closed')}`}
      </p>
      {created && <Notice kind="success">{t('facility.created')}</Notice>}
      {facility.kind === 'opd' && (
        <p>
          <Link to={`/admin/opds/${facility.id}`}>{t('opd.settingsLink')}</Link>
        </p>
      )}
      {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
      <Section title={t('facility.details')}>
        <FacilityForm facility={facility} onSaved={(saved) => setFacility(saved)} onReload={load.reload} />
      </Section>
      {facility.kind === 'spoke' && (
        <Section title={t('mapping.title')} testId="mapping-section">
          <p className="hint">{t('mapping.intro')}</p>
          <HubMappings spoke={facility} />
        </Section>
      )}
      {facility.kind === 'hub' && (
        <>
          <Section title={t('pool.title')}>
            <HubPool hub={facility} />
          </Section>
          <Section title={t('spokes.title')}>
            <HubSpokes hub={facility} />
          </Section>
        </>
      )}
    </Page>
  );
}

export function NewFacilityPage() {
  const t = useAdminT();
  return (
    <Page title={t('facilities.add')}>
      <BackLink to="/admin/facilities">{t('facilities.back')}</BackLink>
      <FacilityForm onSaved={(facility) => navigate(`/admin/facilities/${facility.id}?created=1`, { replace: true })} />
    </Page>
  );
}
