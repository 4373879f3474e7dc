import { useId, useState, type ReactNode } from 'react';
import { serverNow, withQuery } from '../api';
import { LoadError, Loading } from '../components/Notice';
import { Page } from '../components/Page';
import { Select } from '../components/Select';
import { Link } from '../router';
import { useApi, type Load } from '../useApi';
import { FeedbackFigures } from './Figures';
import { useOverseerI18n } from './i18n';
import { useChosenState, type Scope } from './scope';
import type { AlertRequest, Counts, DailyCounts, Referral, Speciality } from './types';
import { isUrgency } from './util';

/** Alerts and overdue referrals change by the minute; a coordinator keeps this page open. */
const REFRESH_MS = 60_000;

/** A state's service at a glance, for its coordinators and administrators. */
export function ServicePage({ scope }: { scope: Scope }) {
  const { t } = useOverseerI18n();
  const { stateId, stateName, picker } = useChosenState(scope);
  const stateQuery = scope.all || scope.stateIds.length > 1 ? stateId : undefined;
  return (
    <Page title={t('service.title')}>
      {picker}
      {stateId !== undefined && (
        <>
          {stateName !== undefined && <p className="lead">{t('service.lead', { state: stateName })}</p>}
          <nav className="ov-links" aria-label={t('service.title')}>
            <Link to={withQuery('/referrals', { state: stateQuery })} className="button button-secondary">
              {t('service.toDesk')}
            </Link>
            {/* Coordinators read the rules; administrators change them. */}
            <Link to={withQuery('/triage-rules', { state: stateQuery })} className="button button-secondary">
              {t('service.toRules')}
            </Link>
          </nav>
          <Alerts stateId={stateId} />
          <OverdueReferrals stateId={stateId} stateQuery={stateQuery} />
          <DailyConsultations stateId={stateId} />
          <FeedbackFigures stateId={stateId} testId="service-figures" />
        </>
      )}
    </Page>
  );
}

/** A section of the overview with its own loading and error states. */
function Section<T>(props: {
  testId: string;
  title: string;
  hint: string;
  load: Load<T>;
  count?: (data: T) => string | undefined;
  children: (data: T) => ReactNode;
}) {
  const { t, time } = useOverseerI18n();
  const headingId = useId();
  const { data, error, loading, updatedAt, reload } = props.load;
  const state = data !== undefined ? 'ready' : error !== undefined ? 'error' : 'loading';
  const count = data === undefined ? undefined : props.count?.(data);
  return (
    <section className="ov-section" aria-labelledby={headingId} data-testid={props.testId} data-state={state}>
      <div className="ov-section-head">
        <h2 id={headingId}>{props.title}</h2>
        {count !== undefined && <span className="ov-count">{count}</span>}
      </div>
      <p className="hint">{props.hint}</p>
      {error !== undefined && <LoadError error={error} onRetry={reload} />}
      {loading && <Loading />}
      {data !== undefined && props.children(data)}
      {updatedAt !== undefined && (
        <p className="ov-updated">
          <span>{t('ov.updatedAt', { time: time(new Date(updatedAt)) })}</span>{' '}
          <button type="button" className="link-button" onClick={reload}>
            {t('ov.refresh')}
          </button>
        </p>
      )}
    </section>
  );
}

function useSpecialityName(): (code: string) => string {
  const { lang } = useOverseerI18n();
  const specialities = useApi<{ items: Speciality[] }>('/api/v1/terminology/specialities');
  return (code) => {
    const found = specialities.data?.items.find((s) => s.code === code);
    if (found === undefined) return code;
    return lang === 'hi' && found.nameHi !== null ? found.nameHi : found.name;
  };
}

function Alerts({ stateId }: { stateId: string }) {
  const { t, dateTime } = useOverseerI18n();
  const load = useApi<{ items: AlertRequest[] }>(`/api/v1/states/${encodeURIComponent(stateId)}/hubspoke/alerts`, {
    refreshMs: REFRESH_MS,
  });
  const speciality = useSpecialityName();
  return (
    <Section
      testId="service-alerts"
      title={t('alerts.title')}
      hint={t('alerts.hint')}
      load={load}
      count={(data) => (data.items.length === 0 ? undefined : t('alerts.count', { count: data.items.length }))}
    >
      {(data) =>
        data.items.length === 0 ? (
          <p className="ov-empty">{t('alerts.none')}</p>
        ) : (
          <ul className="ov-list">
            {[...data.items]
              .sort((a, b) => (a.slaDueAt ?? '').localeCompare(b.slaDueAt ?? ''))
              .map((r) => {
                const missed = r.slaDueAt !== null && Date.parse(r.slaDueAt) < serverNow();
                return (
                  <li key={r.id} className="ov-card" data-testid="service-alert" data-missed={missed}>
                    <p className="ov-row">
                      <strong>{r.patientName}</strong>
                      {isUrgency(r.urgency) && (
                        <span className={`ov-badge ov-${r.urgency}`}>{t(`urgency.${r.urgency}`)}</span>
                      )}
                      {missed && <span className="ov-badge ov-missed">{t('alerts.missed')}</span>}
                    </p>
                    <p>
                      {r.status === 'taken' && r.practitionerName !== null
                        ? t('alerts.taken', { doctor: r.practitionerName, hub: r.hubName ?? '' })
                        : r.hubName !== null
                          ? t('alerts.waiting', { hub: r.hubName })
                          : t('alerts.waitingNoHub')}
                    </p>
                    <p className="ov-muted">
                      {t('alerts.from', { spoke: r.spokeName })}
                      {r.specialityCode !== null &&
                        ` · ${t('alerts.speciality', { speciality: speciality(r.specialityCode) })}`}
                    </p>
                    {r.slaDueAt !== null && <p>{t('alerts.due', { time: dateTime(r.slaDueAt) })}</p>}
                  </li>
                );
              })}
          </ul>
        )
      }
    </Section>
  );
}

function OverdueReferrals({ stateId, stateQuery }: { stateId: string; stateQuery: string | undefined }) {
  const { t, date } = useOverseerI18n();
  const load = useApi<{ items: Referral[] }>(`/api/v1/states/${encodeURIComponent(stateId)}/referrals/overdue`, {
    refreshMs: REFRESH_MS,
  });
  return (
    <Section
      testId="service-overdue"
      title={t('overdue.title')}
      hint={t('overdue.hint')}
      load={load}
      count={(data) => (data.items.length === 0 ? undefined : t('overdue.count', { count: data.items.length }))}
    >
      {(data) =>
        data.items.length === 0 ? (
          <p className="ov-empty">{t('overdue.none')}</p>
        ) : (
          <ul className="ov-list">
            {data.items.map((r) => (
              <li key={r.id} className="ov-card" data-testid="service-overdue-referral">
                <p className="ov-row">
                  <strong>{r.patientName}</strong>
                  <span className={`ov-badge ov-${r.urgency}`}>{t(`urgency.${r.urgency}`)}</span>
                  <span className="ov-badge">{t(`referral.${r.status}`)}</span>
                </p>
                <p>{t('overdue.route', { from: r.fromFacilityName, to: r.destinationName })}</p>
                <p className="ov-muted">
                  {r.reason} · {t('overdue.due', { date: date(r.dueAt) })}
                </p>
                <p>
                  <Link to={withQuery('/referrals', { state: stateQuery, facility: r.destinationId })}>
                    {t('overdue.open')}
                  </Link>
                </p>
              </li>
            ))}
          </ul>
        )
      }
    </Section>
  );
}

const RANGES = [7, 14, 30] as const;

function DailyConsultations({ stateId }: { stateId: string }) {
  const { t, date, number } = useOverseerI18n();
  // The server's default range is the state's last 30 days; shorter views are cut from it here.
  const load = useApi<DailyCounts>(`/api/v1/states/${encodeURIComponent(stateId)}/consultations/daily`, {
    refreshMs: 5 * REFRESH_MS,
  });
  const [range, setRange] = useState<number>(14);
  return (
    <Section testId="service-daily" title={t('daily.title')} hint={t('daily.hint')} load={load}>
      {(data) => {
        const days = data.days.slice(-range).reverse();
        const most = Math.max(1, ...days.map((d) => Math.max(d.opd.started, d.hubSpoke.started)));
        const sum = (pick: (d: (typeof days)[number]) => Counts): Counts =>
          days.reduce(
            (total, d) => ({
              started: total.started + pick(d).started,
              completed: total.completed + pick(d).completed,
              notHappened: total.notHappened + pick(d).notHappened,
            }),
            { started: 0, completed: 0, notHappened: 0 },
          );
        const cell = (c: Counts, kind: 'opd' | 'hub', bar: boolean) => (
          <td>
            <span className="ov-bar-row">
              <strong className="ov-number">{number(c.started)}</strong>
              {bar && (
                <span className="ov-bar-track" aria-hidden="true">
                  <span
                    className={`ov-bar ov-bar-${kind}`}
                    style={{ width: `${String(Math.round((c.started / most) * 100))}%` }}
                  />
                </span>
              )}
            </span>
            {c.started > 0 && (
              <span className="ov-detail">
                {t('daily.detail', { completed: c.completed, notHappened: c.notHappened })}
              </span>
            )}
          </td>
        );
        return (
          <>
            <div className="ov-range">
              <Select
                id="daily-range"
                label={t('daily.range')}
                value={String(range)}
                options={RANGES.map((n) => ({ value: String(n), label: t('daily.days', { count: n }) }))}
                onChange={(event) => setRange(Number(event.target.value))}
              />
            </div>
            <table className="ov-table ov-daily">
              <caption className="visually-hidden">{t('daily.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('daily.day')}</th>
                  <th scope="col">{t('daily.opd')}</th>
                  <th scope="col">{t('daily.hubSpoke')}</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr key={d.day} data-testid="daily-row" data-day={d.day}>
                    <th scope="row">{date(`${d.day}T12:00:00Z`)}</th>
                    {cell(d.opd, 'opd', true)}
                    {cell(d.hubSpoke, 'hub', true)}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-testid="daily-total">
                  <th scope="row">{t('daily.total')}</th>
                  {cell(
                    sum((d) => d.opd),
                    'opd',
                    false,
                  )}
                  {cell(
                    sum((d) => d.hubSpoke),
                    'hub',
                    false,
                  )}
                </tr>
              </tfoot>
            </table>
          </>
        );
      }}
    </Section>
  );
}
