import { useId, useState, type SyntheticEvent } from 'react';
import { isRole } from '@sanjog/shared';
import { withQuery } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading } from '../components/Notice';
import { useApi } from '../useApi';
import { useI18n, useT, type Translate } from '../i18n';
import { Link } from '../router';

// The live parts of home cards. Each asks for one small page of data: patients pay per megabyte.

interface Facility {
  id: string;
  name: string;
  kind: 'spoke' | 'hub' | 'opd' | 'referral' | 'pharmacy';
  active: boolean;
}

const FACILITY_PAGE = 20;

export function FacilityList() {
  const t = useT();
  const { data, error, loading, reload } = useApi<{ total: number; items: Facility[] }>(
    withQuery('/api/v1/facilities', { limit: FACILITY_PAGE }),
  );
  if (error !== undefined && data === undefined) return <LoadError error={error} onRetry={reload} />;
  if (loading || data === undefined) return <Loading />;
  if (data.items.length === 0) return <p>{t('facilities.none')}</p>;
  return (
    <>
      <p className="count" data-testid="facility-total" data-total={data.total}>
        {t('facilities.summary', { shown: data.items.length, total: data.total })}
      </p>
      <ul className="rows" data-testid="facility-list">
        {data.items.map((facility) => (
          <li key={facility.id} data-testid="facility-item">
            <span className="row-title">{facility.name}</span>
            <span className="row-meta">
              {t(`facilityKind.${facility.kind}`)}
              {!facility.active && <span className="badge badge-muted">{t('facilities.closed')}</span>}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

interface Patient {
  id: string;
  name: string;
  sex: 'female' | 'male' | 'other' | 'unknown';
  birthDate: string | null;
  birthYear: number | null;
  mobile: string | null;
  village: string | null;
}

function patientFacts(patient: Patient, t: Translate): string {
  const year = patient.birthYear ?? (patient.birthDate === null ? null : Number(patient.birthDate.slice(0, 4)));
  // Years are passed as text: number formatting would group them ("1,985").
  const facts = [
    t(`sex.${patient.sex}`),
    year === null ? null : t('family.bornIn', { year: String(year) }),
    patient.village,
  ];
  return facts.filter((fact): fact is string => fact !== null && fact !== '').join(' · ');
}

export function FamilyList() {
  const t = useT();
  const { data, error, loading, reload } = useApi<{ items: Patient[] }>('/api/v1/me/patients');
  if (error !== undefined && data === undefined) return <LoadError error={error} onRetry={reload} />;
  if (loading || data === undefined) return <Loading />;
  if (data.items.length === 0) return <p>{t('family.none')}</p>;
  return (
    <ul className="rows" data-testid="family-list">
      {data.items.map((patient) => (
        <li key={patient.id}>
          <span className="row-title">{patient.name}</span>
          <span className="row-meta">{patientFacts(patient, t)}</span>
        </li>
      ))}
    </ul>
  );
}

export function PatientSearch() {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const [text, setText] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const results = useApi<{ items: Patient[] }>(
    query === null ? null : withQuery('/api/v1/patients', { q: query, limit: 20 }),
  );

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const trimmed = text.trim();
    if (trimmed.length < 2) {
      setError(t('findPatient.tooShort'));
      return;
    }
    setError(undefined);
    setQuery(trimmed);
  };

  return (
    <>
      <form className="search-form" role="search" onSubmit={submit} noValidate>
        <Field
          id={`patient-search${id}`}
          label={t('findPatient.label')}
          error={error}
          type="search"
          autoComplete="off"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" className="button button-secondary" data-testid="patient-search">
          {t('findPatient.search')}
        </button>
      </form>
      {query !== null && results.error !== undefined && <LoadError error={results.error} onRetry={results.reload} />}
      {query !== null && results.loading && <Loading />}
      {results.data !== undefined && (
        <>
          {/* Only the count is announced; the list is there to read at one's own pace. */}
          <p className="count" role="status">
            {results.data.items.length === 0
              ? t('findPatient.none')
              : t('findPatient.count', { count: results.data.items.length })}
          </p>
          {results.data.items.length > 0 && (
            <ul className="rows" data-testid="patient-results">
              {results.data.items.map((patient) => (
                <li key={patient.id}>
                  <span className="row-title">{patient.name}</span>
                  <span className="row-meta">
                    {[patientFacts(patient, t), patient.mobile === null ? null : i18n.mobile(patient.mobile)]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

interface AuditEvent {
  seq: number;
  at: string;
  action: string;
  resourceType: string;
  actorRole: string | null;
  outcome: string;
}

export function AuditPreview() {
  const i18n = useI18n();
  const { t } = i18n;
  const { data, error, loading, reload } = useApi<{ events: AuditEvent[] }>('/api/v1/audit/events?limit=10');
  if (error !== undefined && data === undefined) return <LoadError error={error} onRetry={reload} />;
  if (loading || data === undefined) return <Loading />;
  if (data.events.length === 0) return <p>{t('audit.none')}</p>;
  return (
    <>
      <p className="count">{t('audit.latest')}</p>
      <ul className="rows" data-testid="audit-list">
        {data.events.map((event) => (
          <li key={event.seq}>
            {/* Actions and record types are the log's own codes, shown as recorded. */}
            <span className="row-title">
              <code>{event.action}</code> <code>{event.resourceType}</code>
            </span>
            <span className="row-meta">
              <time dateTime={event.at}>{i18n.dateTime(event.at)}</time>
              {event.actorRole === null
                ? ''
                : ` · ${isRole(event.actorRole) ? t(`role.${event.actorRole}`) : event.actorRole}`}{' '}
              · {event.outcome}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

interface LiveToken {
  id: string;
  tokenNumber: number;
  patientId: string;
  opdName: string;
  status: 'waiting' | 'called' | 'in_consultation';
  ahead: number | null;
}

/** The family's live tokens: back to the waiting room from any device, no token to retype. */
export function MyTokens() {
  const t = useT();
  const tokens = useApi<{ items: LiveToken[] }>('/api/v1/me/tokens', { refreshMs: 30_000 });
  const family = useApi<{ items: Patient[] }>('/api/v1/me/patients');
  const items = tokens.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-label={t('myTokens.title')} className="my-tokens" data-testid="my-tokens">
      <p className="count">{t('myTokens.title')}</p>
      <ul className="rows">
        {items.map((token) => {
          const name = family.data?.items.find((patient) => patient.id === token.patientId)?.name;
          return (
            <li key={token.id}>
              <Link to={`/consult/token/${token.id}`} className="token-link" data-testid="my-token">
                <span className="row-title">
                  {t('myTokens.token', { number: token.tokenNumber })}
                  {name === undefined ? '' : ` · ${name}`}
                </span>
                <span className={token.status === 'called' ? 'row-meta row-urgent' : 'row-meta'}>
                  {t(`myTokens.${token.status}`)} · {token.opdName}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
