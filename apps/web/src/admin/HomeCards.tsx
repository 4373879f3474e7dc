import { withQuery } from '../api';
import { Card } from '../components/Card';
import { Link } from '../router';
import { useApi } from '../useApi';
import { AdminI18nProvider, useAdminT } from './i18n';
import type { Facility, Page } from './types';

/** The cards' icons (24 × 24 paths). */
const icons = {
  building: 'M4 21V5l8-3 8 3v16M2 21h20M10 21v-5h4v5M12 6v5M9.5 8.5h5',
  staff: 'M4 4h16v16H4zM12 12a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM7.5 17.5a4.5 4.5 0 0 1 9 0',
  upload: 'M12 16V4M6 10l6-6 6 6M4 20h16',
  calendar: 'M3 5h18v16H3zM3 10h18M8 3v4M16 3v4',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 3',
  chart: 'M5 20V11M11 20V5M17 20v-7M2 20h20',
  service: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 3',
  hospital: 'M3 21h18M5 21V7l7-4 7 4v14M9 12h6M12 9v6',
  rules: 'M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01',
};

/** What state and national administrators do: the care network first, most frequent first. */
export function AdminCards() {
  return (
    <AdminI18nProvider>
      <Cards />
    </AdminI18nProvider>
  );
}

function Cards() {
  const t = useAdminT();
  return (
    <ul className="cards">
      <li>
        <Card
          name="facilities"
          title={t('card.facilities')}
          body={t('card.facilitiesBody')}
          icon={icons.building}
          to="/admin/facilities"
        >
          <FacilityCount />
          <p>
            <Link to="/admin/facilities/new">{t('facilities.add')}</Link>
          </p>
        </Card>
      </li>
      <li>
        <Card
          name="staff"
          title={t('card.staff')}
          body={t('card.staffBody')}
          icon={icons.staff}
          to="/admin/practitioners"
        >
          <p>
            <Link to="/admin/practitioners/new">{t('practitioners.add')}</Link>
          </p>
        </Card>
      </li>
      <li>
        <Card
          name="import"
          title={t('card.import')}
          body={t('card.importBody')}
          icon={icons.upload}
          to="/admin/import"
        />
      </li>
      <li>
        <Card
          name="rosters"
          title={t('card.rosters')}
          body={t('card.rostersBody')}
          icon={icons.calendar}
          to="/admin/rosters"
        />
      </li>
      <li>
        <Card name="opds" title={t('card.opds')} body={t('card.opdsBody')} icon={icons.clock} to="/admin/opds" />
      </li>
      <li>
        <Card
          name="service"
          title={t('card.service')}
          body={t('card.serviceBody')}
          icon={icons.service}
          to="/service"
        />
      </li>
      <li>
        <Card
          name="referralDesk"
          title={t('card.referralDesk')}
          body={t('card.referralDeskStateBody')}
          icon={icons.hospital}
          to="/referrals"
        />
      </li>
      <li>
        <Card
          name="triageRules"
          title={t('card.triageRules')}
          body={t('card.triageRulesBody')}
          icon={icons.rules}
          to="/triage-rules"
        />
      </li>
      <li>
        <Card name="reports" title={t('card.reports')} body={t('card.reportsBody')} icon={icons.chart} />
      </li>
    </ul>
  );
}

/** How many facilities the administrator looks after (one row fetched: the total is what counts). */
function FacilityCount() {
  const t = useAdminT();
  const { data } = useApi<Page<Facility>>(withQuery('/api/v1/facilities', { limit: 1 }));
  if (data === undefined) return null;
  return (
    <p className="count" data-testid="facility-total" data-total={data.total}>
      {t('facilities.count', { count: data.total })}
    </p>
  );
}
