import { useState } from 'react';
import { api } from '../api';
import { Icon } from '../components/Icon';
import { LoadError, Loading, Notice } from '../components/Notice';
import { errorMessage } from '../errors';
import { Link } from '../router';
import { useApi } from '../useApi';
import { FacilityPicker, icons, LiveMessage } from './components';
import { useAdminI18n } from './i18n';
import { fieldIssues, specialityName, useAnnouncer, useSpecialities } from './shared';
import type { Facility, SpokeOfHub } from './types';

/** The facilities whose doctors a hub may call on, besides its own. */
export function HubPool({ hub }: { hub: Facility }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const pool = useApi<{ items: Facility[] }>(`/api/v1/facilities/${hub.id}/pool`);
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [message, announce] = useAnnouncer();

  const change = async (member: Facility, add: boolean) => {
    setBusy(member.id);
    setError(undefined);
    try {
      if (add) await api.post(`/api/v1/facilities/${hub.id}/pool`, { facilityId: member.id });
      else await api.delete(`/api/v1/facilities/${hub.id}/pool/${member.id}`);
      announce(add ? t('pool.added', { name: member.name }) : t('pool.removed', { name: member.name }));
      pool.reload();
    } catch (failure) {
      setError(fieldIssues(failure)[0]?.message ?? errorMessage(failure, i18n));
    } finally {
      setBusy(undefined);
    }
  };

  if (pool.error !== undefined && pool.data === undefined)
    return <LoadError error={pool.error} onRetry={pool.reload} />;
  if (pool.data === undefined) return <Loading />;
  const members = pool.data.items;
  return (
    <div data-testid="hub-pool">
      <p className="hint">{t('pool.intro')}</p>
      {members.length === 0 ? (
        <p>{t('pool.none')}</p>
      ) : (
        <ul className="rows rows-actions">
          {members.map((member) => (
            <li key={member.id} data-testid="pool-member">
              <span className="ranked-text">
                <Link to={`/admin/facilities/${member.id}`} className="row-title">
                  {member.name}
                </Link>
                <span className="row-meta">{t(`facilityKind.${member.kind}`)}</span>
              </span>
              <button
                type="button"
                className="small-button small-button-danger"
                disabled={busy !== undefined}
                aria-label={t('pool.removeLabel', { name: member.name })}
                onClick={() => void change(member, false)}
              >
                <Icon d={icons.remove} /> <span>{t('admin.remove')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <LiveMessage message={message} />
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <FacilityPicker
        label={t('pool.add')}
        stateId={hub.stateId}
        exclude={[hub.id, ...members.map((member) => member.id)]}
        onPick={(facility) => void change(facility, true)}
        testId="pool-picker"
      />
    </div>
  );
}

/** The spokes that send cases to a hub, with the specialities and the hub's place in their order. */
export function HubSpokes({ hub }: { hub: Facility }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const spokes = useApi<{ items: SpokeOfHub[] }>(`/api/v1/facilities/${hub.id}/spokes`);
  const specialities = useSpecialities();
  if (spokes.error !== undefined && spokes.data === undefined)
    return <LoadError error={spokes.error} onRetry={spokes.reload} />;
  if (spokes.data === undefined) return <Loading />;
  if (spokes.data.items.length === 0) return <p>{t('spokes.none')}</p>;
  const byCode = new Map((specialities.data?.items ?? []).map((speciality) => [speciality.code, speciality]));
  const grouped = new Map<string, { name: string; links: SpokeOfHub[] }>();
  for (const item of spokes.data.items) {
    const group = grouped.get(item.spokeId) ?? { name: item.spokeName, links: [] };
    group.links.push(item);
    grouped.set(item.spokeId, group);
  }
  const rows = [...grouped.entries()].sort(([, a], [, b]) => a.name.localeCompare(b.name, i18n.locale));
  return (
    <>
      <p className="count">{t('spokes.count', { count: rows.length })}</p>
      <table className="data-table" role="table" data-testid="hub-spokes">
        <caption className="visually-hidden">{t('spokes.title')}</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th role="columnheader" scope="col">
              {t('spokes.spoke')}
            </th>
            <th role="columnheader" scope="col">
              {t('spokes.specialities')}
            </th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map(([spokeId, group]) => (
            <tr key={spokeId} role="row">
              <th role="rowheader" scope="row" data-label={t('spokes.spoke')}>
                <Link to={`/admin/facilities/${spokeId}`}>{group.name}</Link>
              </th>
              <td role="cell" data-label={t('spokes.specialities')}>
                {group.links
                  .map((link) =>
                    t('spokes.specialityRank', {
                      speciality: specialityName(byCode.get(link.specialityCode), link.specialityCode, i18n.lang),
                      rank: link.rank,
                    }),
                  )
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
