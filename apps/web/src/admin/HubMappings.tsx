import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { withQuery } from '../api';
import { Icon } from '../components/Icon';
import { LoadError, Loading, Notice } from '../components/Notice';
import { errorMessage } from '../errors';
import { useApi } from '../useApi';
import { icons, LiveMessage, SelectField } from './components';
import { useAdminI18n } from './i18n';
import { fieldIssues, put, specialityName, useAnnouncer, useSpecialities } from './shared';
import type { Facility, HubMapping, Page, Speciality } from './types';

interface HubInfo {
  id: string;
  name: string;
  active: boolean;
}

/**
 * A spoke's hubs for each speciality, in the order cases go to them: the first choice, then the
 * overflow. Each speciality is saved on its own; every change is kept in the history.
 */
export function HubMappings({ spoke }: { spoke: Facility }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const mappings = useApi<{ items: HubMapping[] }>(`/api/v1/facilities/${spoke.id}/hub-mappings`);
  const hubs = useApi<Page<Facility>>(
    withQuery('/api/v1/facilities', { stateId: spoke.stateId, kind: 'hub', limit: 200 }),
  );
  const specialities = useSpecialities();
  const [added, setAdded] = useState<string[]>([]);
  const [adding, setAdding] = useState('');
  const [focusCode, setFocusCode] = useState<string | undefined>();

  const saved = useMemo(() => {
    const bySpeciality = new Map<string, string[]>();
    const sorted = [...(mappings.data?.items ?? [])].sort((a, b) => a.rank - b.rank);
    for (const mapping of sorted) {
      bySpeciality.set(mapping.specialityCode, [...(bySpeciality.get(mapping.specialityCode) ?? []), mapping.hubId]);
    }
    return bySpeciality;
  }, [mappings.data]);

  const hubInfo = useMemo(() => {
    const info = new Map<string, HubInfo>();
    for (const mapping of mappings.data?.items ?? [])
      info.set(mapping.hubId, { id: mapping.hubId, name: mapping.hubName, active: true });
    for (const hub of hubs.data?.items ?? []) info.set(hub.id, { id: hub.id, name: hub.name, active: hub.active });
    return info;
  }, [mappings.data, hubs.data]);

  if (mappings.error !== undefined && mappings.data === undefined)
    return <LoadError error={mappings.error} onRetry={mappings.reload} />;
  if (mappings.data === undefined || specialities.data === undefined) {
    return specialities.error === undefined ? (
      <Loading />
    ) : (
      <LoadError error={specialities.error} onRetry={specialities.reload} />
    );
  }

  const byCode = new Map(specialities.data.items.map((speciality) => [speciality.code, speciality]));
  const name = (code: string) => specialityName(byCode.get(code), code, i18n.lang);
  const codes = [
    ...[...saved.keys()].sort((a, b) => name(a).localeCompare(name(b), i18n.locale)),
    ...added.filter((code) => !saved.has(code)),
  ];
  const unmapped = specialities.data.items.filter((speciality) => !codes.includes(speciality.code));
  const activeHubs = (hubs.data?.items ?? []).filter((hub) => hub.active);

  return (
    <div className="mappings" data-testid="hub-mappings">
      {hubs.error !== undefined && <LoadError error={hubs.error} onRetry={hubs.reload} />}
      {codes.length === 0 && <p>{t('mapping.none')}</p>}
      {codes.map((code) => (
        <SpecialityHubs
          key={code}
          spokeId={spoke.id}
          code={code}
          title={name(code)}
          saved={saved.get(code) ?? []}
          hubInfo={hubInfo}
          activeHubs={activeHubs}
          focusOnMount={focusCode === code}
          onSaved={() => {
            // A list saved empty stays on screen, so that focus and the "saved" message have a place.
            setAdded((current) => (current.includes(code) ? current : [...current, code]));
            mappings.reload();
          }}
        />
      ))}
      {unmapped.length > 0 && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (adding === '') return;
            setAdded((current) => [...current, adding]);
            setFocusCode(adding);
            setAdding('');
          }}
        >
          <SelectField
            id="mapping-add-speciality"
            label={t('mapping.addSpeciality')}
            empty={t('admin.choose')}
            options={unmapped.map((speciality: Speciality) => ({
              value: speciality.code,
              label: name(speciality.code),
            }))}
            value={adding}
            onChange={(event) => setAdding(event.target.value)}
          />
          <button type="submit" className="button button-secondary" disabled={adding === ''}>
            <Icon d={icons.plus} /> {t('mapping.addSpecialityButton')}
          </button>
        </form>
      )}
    </div>
  );
}

function SpecialityHubs(props: {
  spokeId: string;
  code: string;
  title: string;
  saved: string[];
  hubInfo: Map<string, HubInfo>;
  activeHubs: Facility[];
  focusOnMount: boolean;
  onSaved: () => void;
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { spokeId, code, title, saved, hubInfo } = props;
  const headingId = useId();
  const [draft, setDraft] = useState(saved);
  const [adding, setAdding] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [showHistory, setShowHistory] = useState(false);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [message, announce] = useAnnouncer();
  const [focus, setFocus] = useState<{ hubId: string; action: 'up' | 'down' } | undefined>();
  const list = useRef<HTMLOListElement>(null);
  const addSelect = useRef<HTMLSelectElement>(null);

  // What the server has is the new starting point after a save.
  const savedKey = saved.join(',');
  useEffect(() => {
    setDraft(saved);
  }, [savedKey]);

  useEffect(() => {
    if (props.focusOnMount) addSelect.current?.focus();
  }, [props.focusOnMount]);

  // After a move, focus stays with the hub that moved; at the top or bottom, on its other button.
  useEffect(() => {
    if (focus === undefined || list.current === null) return;
    const item = list.current.querySelector(`[data-hub-id="${focus.hubId}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(`[data-action="${focus.action}"]`);
    const other = item?.querySelector<HTMLButtonElement>(`[data-action="${focus.action === 'up' ? 'down' : 'up'}"]`);
    (wanted?.disabled === false ? wanted : other)?.focus();
    setFocus(undefined);
  }, [focus]);

  const nameOf = (hubId: string) => hubInfo.get(hubId)?.name ?? hubId;
  const dirty = draft.join(',') !== savedKey;

  const move = (index: number, by: -1 | 1) => {
    const target = index + by;
    const hubId = draft[index];
    if (hubId === undefined || target < 0 || target >= draft.length) return;
    const next = [...draft];
    next.splice(index, 1);
    next.splice(target, 0, hubId);
    setDraft(next);
    setDone(undefined);
    setFocus({ hubId, action: by < 0 ? 'up' : 'down' });
    announce(t('mapping.moved', { hub: nameOf(hubId), position: target + 1, count: next.length }));
  };

  const remove = (index: number) => {
    const hubId = draft[index];
    if (hubId === undefined) return;
    const next = draft.filter((_, position) => position !== index);
    setDraft(next);
    setDone(undefined);
    announce(t('mapping.removed', { hub: nameOf(hubId) }));
    // Focus goes to the next hub in the list, or the "add" control when the list is now empty.
    window.setTimeout(() => {
      const items = list.current?.querySelectorAll<HTMLButtonElement>('[data-action="remove"]');
      const nextButton = items?.[Math.min(index, (items.length || 1) - 1)];
      (nextButton ?? addSelect.current)?.focus();
    }, 0);
  };

  const add = () => {
    if (adding === '' || draft.includes(adding)) return;
    setDraft([...draft, adding]);
    setDone(undefined);
    announce(t('mapping.added', { hub: nameOf(adding), position: draft.length + 1 }));
    setAdding('');
  };

  const save = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await put(`/api/v1/facilities/${spokeId}/hub-mappings/${encodeURIComponent(code)}`, { hubIds: draft });
      setDone(t('mapping.saved', { speciality: title }));
      setHistoryVersion((n) => n + 1);
      props.onSaved();
    } catch (failure) {
      const issues = fieldIssues(failure).filter((issue) => issue.field.startsWith('hubIds.'));
      setError(
        issues.length > 0
          ? issues
              .map((issue) => `${nameOf(draft[Number(issue.field.split('.')[1])] ?? '')}: ${issue.message}`)
              .join(' ')
          : errorMessage(failure, i18n),
      );
    } finally {
      setBusy(false);
    }
  };

  const choices = props.activeHubs.filter((hub) => !draft.includes(hub.id));

  return (
    <section className="panel" aria-labelledby={headingId} data-testid="mapping" data-speciality={code}>
      <h3 id={headingId}>{title}</h3>
      {draft.length === 0 ? (
        <p className="hint">{t('mapping.empty')}</p>
      ) : (
        <ol className="ranked" ref={list}>
          {draft.map((hubId, index) => (
            <li key={hubId} data-hub-id={hubId} data-testid="mapping-hub">
              <span className="rank" aria-hidden="true">
                {i18n.number(index + 1)}
              </span>
              <span className="ranked-text">
                <span className="row-title">{nameOf(hubId)}</span>
                <span className="row-meta">
                  {index === 0 ? t('mapping.first') : t('mapping.overflow', { position: index + 1 })}
                  {hubInfo.get(hubId)?.active === false && ` · ${t('facilities.closed')}`}
                </span>
              </span>
              <span className="ranked-buttons">
                <button
                  type="button"
                  className="small-button"
                  data-action="up"
                  disabled={index === 0 || busy}
                  aria-label={t('mapping.moveUpLabel', { hub: nameOf(hubId) })}
                  onClick={() => move(index, -1)}
                >
                  <Icon d={icons.up} /> <span>{t('mapping.moveUp')}</span>
                </button>
                <button
                  type="button"
                  className="small-button"
                  data-action="down"
                  disabled={index === draft.length - 1 || busy}
                  aria-label={t('mapping.moveDownLabel', { hub: nameOf(hubId) })}
                  onClick={() => move(index, 1)}
                >
                  <Icon d={icons.down} /> <span>{t('mapping.moveDown')}</span>
                </button>
                <button
                  type="button"
                  className="small-button small-button-danger"
                  data-action="remove"
                  disabled={busy}
                  aria-label={t('mapping.removeLabel', { hub: nameOf(hubId) })}
                  onClick={() => remove(index)}
                >
                  <Icon d={icons.remove} /> <span>{t('admin.remove')}</span>
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      <LiveMessage message={message} />
      <div className="inline-form">
        <SelectField
          ref={addSelect}
          id={`mapping-add-${code}`}
          label={t('mapping.addHub')}
          empty={choices.length === 0 ? t('mapping.noMoreHubs') : t('admin.choose')}
          options={choices.map((hub) => ({ value: hub.id, label: hub.name }))}
          value={adding}
          disabled={choices.length === 0 || busy}
          onChange={(event) => setAdding(event.target.value)}
        />
        <button type="button" className="button button-secondary" disabled={adding === '' || busy} onClick={add}>
          <Icon d={icons.plus} /> {t('mapping.addHubButton')}
        </button>
      </div>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      {done !== undefined && <Notice kind="success">{done}</Notice>}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={!dirty || busy}
          onClick={() => void save()}
          data-testid="mapping-save"
        >
          {busy ? t('admin.saving') : t('mapping.save')}
        </button>
        {dirty && (
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={() => {
              setDraft(saved);
              setError(undefined);
              announce(t('admin.undone'));
            }}
          >
            {t('admin.undo')}
          </button>
        )}
        <button
          type="button"
          className="button button-secondary"
          aria-expanded={showHistory}
          onClick={() => setShowHistory((open) => !open)}
          data-testid="mapping-history-toggle"
        >
          <Icon d={icons.history} /> {showHistory ? t('mapping.hideHistory') : t('mapping.showHistory')}
        </button>
      </div>
      {showHistory && <MappingHistory key={historyVersion} spokeId={spokeId} code={code} />}
    </section>
  );
}

function MappingHistory({ spokeId, code }: { spokeId: string; code: string }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const history = useApi<{ items: HubMapping[] }>(
    `/api/v1/facilities/${spokeId}/hub-mappings/${encodeURIComponent(code)}/history`,
  );
  if (history.error !== undefined && history.data === undefined)
    return <LoadError error={history.error} onRetry={history.reload} />;
  if (history.data === undefined) return <Loading />;
  if (history.data.items.length === 0) return <p>{t('mapping.historyNone')}</p>;
  const rows = [...history.data.items].sort((a, b) => b.validFrom.localeCompare(a.validFrom) || a.rank - b.rank);
  return (
    <table className="data-table" role="table" data-testid="mapping-history">
      <caption>{t('mapping.historyCaption')}</caption>
      <thead role="rowgroup">
        <tr role="row">
          <th role="columnheader" scope="col">
            {t('mapping.hub')}
          </th>
          <th role="columnheader" scope="col">
            {t('mapping.rank')}
          </th>
          <th role="columnheader" scope="col">
            {t('mapping.from')}
          </th>
          <th role="columnheader" scope="col">
            {t('mapping.until')}
          </th>
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.map((row) => (
          <tr key={row.id} role="row" className={row.validTo === null ? 'row-current' : undefined}>
            <th role="rowheader" scope="row" data-label={t('mapping.hub')}>
              {row.hubName}
            </th>
            <td role="cell" data-label={t('mapping.rank')}>
              {i18n.number(row.rank)}
            </td>
            <td role="cell" data-label={t('mapping.from')}>
              <time dateTime={row.validFrom}>{i18n.dateTime(row.validFrom)}</time>
            </td>
            <td role="cell" data-label={t('mapping.until')}>
              {row.validTo === null ? (
                <strong>{t('mapping.current')}</strong>
              ) : (
                <time dateTime={row.validTo}>{i18n.dateTime(row.validTo)}</time>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
