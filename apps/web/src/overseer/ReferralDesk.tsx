import { useEffect, useId, useMemo, useState } from 'react';
import { api, ApiError, withQuery, type Me } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { useOverseerI18n } from './i18n';
import { OVERSEERS, scopeOf, useChosenState } from './scope';
import { REFERRAL_OUTCOMES, type Referral, type ReferralOutcome } from './types';

/** Staff bound to the destination facility may record a referral's progress (server: referrals.ts). */
export const DESTINATION_ROLES = ['hub_doctor', 'spoke_operator', 'opd_doctor', 'pharmacist'] as const;

/** The facilities a person works at in a destination role. */
export function ownFacilities(me: Me): string[] {
  const ids = me.bindings
    .filter((b) => (DESTINATION_ROLES as readonly string[]).includes(b.role) && b.facilityId !== null)
    .map((b) => b.facilityId as string);
  return [...new Set(ids)];
}

/** Names of a few facilities by id (the person's own, or one a link named). */
function useFacilityNames(ids: string[]): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>());
  const key = ids.join(',');
  useEffect(() => {
    const missing = ids.filter((id) => !names.has(id));
    if (missing.length === 0) return;
    const controller = new AbortController();
    void Promise.allSettled(
      missing.map((id) =>
        api.get<{ id: string; name: string }>(`/api/v1/facilities/${encodeURIComponent(id)}`, {
          signal: controller.signal,
        }),
      ),
    ).then((results) => {
      if (controller.signal.aborted) return;
      setNames((previous) => {
        const next = new Map(previous);
        for (const result of results) if (result.status === 'fulfilled') next.set(result.value.id, result.value.name);
        return next;
      });
    });
    return () => controller.abort();
    // `names` is read to skip known ids, not to refetch when it grows.
  }, [key]);
  return names;
}

/**
 * The referral desk: patients referred to a facility, for its staff (bound to it) and for the
 * state's coordinators and administrators (any facility of their state).
 */
export function ReferralDesk({ me }: { me: Me }) {
  const { t } = useOverseerI18n();
  const { path, query } = useLocation();
  const overseer = scopeOf(me, OVERSEERS);
  const own = ownFacilities(me);
  const { stateId, picker } = useChosenState(overseer);
  const referralFacilities = useApi<{ items: { id: string; name: string }[] }>(
    stateId === undefined ? null : withQuery('/api/v1/facilities', { stateId, kind: 'referral', limit: 100 }),
  );
  const asked = query.get('facility');
  const named = useFacilityNames(asked !== null && overseer !== null ? [...own, asked] : own);

  const options = useMemo(() => {
    const list = new Map<string, string>();
    for (const id of own) list.set(id, named.get(id) ?? '…');
    for (const f of referralFacilities.data?.items ?? []) list.set(f.id, f.name);
    if (asked !== null && overseer !== null && !list.has(asked)) list.set(asked, named.get(asked) ?? '…');
    return [...list].map(([value, label]) => ({ value, label }));
  }, [own.join(','), named, referralFacilities.data, asked, overseer !== null]);

  const facilityId = asked !== null && options.some((o) => o.value === asked) ? asked : options[0]?.value;
  const facilityName = options.find((o) => o.value === facilityId)?.label;
  const waitingForList = stateId !== undefined && referralFacilities.loading;

  return (
    <Page title={t('desk.title')}>
      {picker}
      {referralFacilities.error !== undefined && (
        <LoadError error={referralFacilities.error} onRetry={referralFacilities.reload} />
      )}
      {options.length > 1 && (
        <div className="ov-picker">
          <Select
            id="desk-facility"
            label={t('desk.facility')}
            value={facilityId ?? ''}
            options={options}
            onChange={(event) =>
              navigate(withQuery(path, { ...Object.fromEntries(query.entries()), facility: event.target.value }))
            }
          />
        </div>
      )}
      {facilityId === undefined ? (
        waitingForList ? (
          <Loading />
        ) : (
          (overseer === null || stateId !== undefined) && <Notice kind="info">{t('desk.noFacility')}</Notice>
        )
      ) : (
        <Desk key={facilityId} facilityId={facilityId} facilityName={facilityName ?? ''} />
      )}
    </Page>
  );
}

const OPEN = new Set(['sent', 'received', 'attended']);

function Desk({ facilityId, facilityName }: { facilityId: string; facilityName: string }) {
  const { t } = useOverseerI18n();
  const openId = useId();
  const doneId = useId();
  const incoming = useApi<{ items: Referral[] }>(withQuery('/api/v1/referrals/incoming', { facilityId }), {
    refreshMs: 60_000,
  });
  // What this page changed, shown at once (the list catches up on its next load).
  const [updated, setUpdated] = useState<Record<string, Referral>>({});
  // A fresh list supersedes what this page changed (someone else may have moved a referral on).
  useEffect(() => setUpdated({}), [incoming.data]);
  const items = (incoming.data?.items ?? []).map((r) => updated[r.id] ?? r);
  const open = items
    .filter((r) => OPEN.has(r.status))
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt));
  const done = items
    .filter((r) => !OPEN.has(r.status))
    .sort((a, b) => (b.completedAt ?? b.sentAt).localeCompare(a.completedAt ?? a.sentAt));
  const onUpdated = (referral: Referral) => setUpdated((previous) => ({ ...previous, [referral.id]: referral }));

  return (
    <div data-testid="desk" data-state={incoming.data !== undefined ? 'ready' : incoming.error ? 'error' : 'loading'}>
      {facilityName !== '' && <p className="lead">{t('desk.lead', { facility: facilityName })}</p>}
      {incoming.error !== undefined && <LoadError error={incoming.error} onRetry={incoming.reload} />}
      {incoming.loading && <Loading />}
      {incoming.data !== undefined && (
        <>
          <section className="ov-section" aria-labelledby={openId}>
            <h2 id={openId}>{t('desk.open')}</h2>
            {open.length === 0 ? (
              <p className="ov-empty">{t('desk.openNone')}</p>
            ) : (
              <ul className="ov-list" data-testid="desk-open">
                {open.map((r) => (
                  <ReferralCard key={r.id} referral={r} onUpdated={onUpdated} />
                ))}
              </ul>
            )}
          </section>
          <section className="ov-section" aria-labelledby={doneId}>
            <h2 id={doneId}>{t('desk.done')}</h2>
            {done.length === 0 ? (
              <p className="ov-empty">{t('desk.doneNone')}</p>
            ) : (
              <ul className="ov-list" data-testid="desk-done">
                {done.map((r) => (
                  <ReferralCard key={r.id} referral={r} onUpdated={onUpdated} />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}

function ReferralCard({ referral: r, onUpdated }: { referral: Referral; onUpdated: (r: Referral) => void }) {
  const i18n = useOverseerI18n();
  const { t, date, dateTime } = i18n;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<ReferralOutcome | ''>('');
  const [note, setNote] = useState('');
  const open = OPEN.has(r.status);

  const act = async (step: 'received' | 'attended' | 'outcome') => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const next = await api.post<Referral>(
        `/api/v1/referrals/${encodeURIComponent(r.id)}/${step}`,
        step === 'outcome' ? { outcome, ...(note.trim() === '' ? {} : { note: note.trim() }) } : {},
      );
      onUpdated(next);
      setSaved(t('desk.saved', { status: t(`referral.${next.status}`) }));
    } catch (failure) {
      // Someone else moved it on (409): show where it stands now, with the server's words.
      if (failure instanceof ApiError && failure.status === 409) {
        try {
          onUpdated(await api.get<Referral>(`/api/v1/referrals/${encodeURIComponent(r.id)}`));
        } catch {
          // The list's next load shows it.
        }
        setError(`${t('desk.changed')} ${errorMessage(failure, i18n)}`);
      } else setError(errorMessage(failure, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="ov-card" data-testid="desk-referral" data-status={r.status} data-id={r.id}>
      <p className="ov-row">
        <strong>{r.patientName}</strong>
        <span className={`ov-badge ov-${r.urgency}`}>{t(`urgency.${r.urgency}`)}</span>
        <span className="ov-badge" data-testid="desk-status">
          {t(`referral.${r.status}`)}
        </span>
        {r.overdue && <span className="ov-badge ov-missed">{t('desk.overdue')}</span>}
      </p>
      <p className="ov-muted">{t('desk.from', { facility: r.fromFacilityName, doctor: r.referredByName })}</p>
      <dl className="ov-facts">
        <dt>{t('desk.reason')}</dt>
        <dd>{r.reason}</dd>
        <dt>{t('desk.summary')}</dt>
        <dd>{r.summary}</dd>
      </dl>
      <ul className="ov-times">
        <li>{t('desk.sent', { time: dateTime(r.sentAt) })}</li>
        {open && <li>{t('desk.due', { date: date(r.dueAt) })}</li>}
        {r.receivedAt !== null && <li>{t('desk.receivedAt', { time: dateTime(r.receivedAt) })}</li>}
        {r.attendedAt !== null && <li>{t('desk.attendedAt', { time: dateTime(r.attendedAt) })}</li>}
        {r.completedAt !== null && <li>{t('desk.completedAt', { time: dateTime(r.completedAt) })}</li>}
      </ul>
      {r.outcome !== null && (
        <p data-testid="desk-outcome-shown">
          {t('desk.outcomeWas', {
            outcome: (REFERRAL_OUTCOMES as readonly string[]).includes(r.outcome)
              ? t(`outcome.${r.outcome as ReferralOutcome}`)
              : r.outcome,
          })}
          {r.outcomeNote !== null && ` · ${r.outcomeNote}`}
        </p>
      )}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      {saved !== undefined && <Notice kind="success">{saved}</Notice>}
      {open && (
        <div className="ov-actions">
          {r.status === 'sent' && (
            <button
              type="button"
              className="button button-secondary"
              data-testid="desk-received"
              disabled={busy}
              onClick={() => void act('received')}
            >
              {t('desk.markReceived')}
            </button>
          )}
          {r.status !== 'attended' && (
            <button
              type="button"
              className="button button-secondary"
              data-testid="desk-attended"
              disabled={busy}
              onClick={() => void act('attended')}
            >
              {t('desk.markAttended')}
            </button>
          )}
          <form
            className="ov-outcome"
            onSubmit={(event) => {
              event.preventDefault();
              if (outcome !== '') void act('outcome');
            }}
          >
            <Select
              id={`outcome-${r.id}`}
              label={t('desk.outcome')}
              value={outcome}
              empty={t('ov.choose')}
              options={REFERRAL_OUTCOMES.map((o) => ({ value: o, label: t(`outcome.${o}`) }))}
              onChange={(event) => setOutcome(event.target.value as ReferralOutcome | '')}
              data-testid="desk-outcome"
            />
            <Field
              id={`note-${r.id}`}
              label={t('desk.note')}
              value={note}
              maxLength={1000}
              onChange={(event) => setNote(event.target.value)}
            />
            <button type="submit" className="button" data-testid="desk-save-outcome" disabled={busy || outcome === ''}>
              {busy ? t('desk.saving') : t('desk.saveOutcome')}
            </button>
          </form>
        </div>
      )}
    </li>
  );
}
