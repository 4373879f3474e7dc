import { lazy, Suspense, useState } from 'react';
import { api, ApiError, withQuery } from '../api';
import { Field } from '../components/Field';
import { Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Select } from '../components/Select';
import { PrescriptionPanel } from '../doctor/PrescriptionPanel';
import { useApi } from '../useApi';
import { useHubSpokeI18n } from './i18n';
import type { RequestSummary, RequestView, Speciality } from './types';

// The video call is its own chunk (shared with the OPD), fetched when a live case is opened.
const CallPanel = lazy(() => import('../call/CallPanel'));

interface Queue {
  waiting: RequestSummary[];
  mine: RequestSummary[];
  answered: RequestSummary[];
}

const failure = (error: unknown) =>
  error instanceof ApiError ? error.outcome.issue.map((i) => i.diagnostics ?? i.code).join(' ') : String(error);

/** The hub doctor's screen: requests waiting for their hubs (urgent first), and the case in hand. */
export function HubHome({ stateId }: { stateId: string | null }) {
  const { t } = useHubSpokeI18n();
  const queue = useApi<Queue>('/api/v1/hub/queue', { refreshMs: 15_000 });
  const [open, setOpen] = useState<RequestView | null>(null);
  const [error, setError] = useState<string | undefined>();

  const take = async (id?: string) => {
    setError(undefined);
    try {
      const taken =
        id === undefined
          ? (await api.post<{ request: RequestView | null }>('/api/v1/hub/take-next')).request
          : await api.post<RequestView>(`/api/v1/hub/requests/${id}/take`);
      setOpen(taken);
      queue.reload();
    } catch (e) {
      setError(failure(e));
      queue.reload();
    }
  };
  const openCase = async (id: string) => {
    try {
      setOpen(await api.get<RequestView>(`/api/v1/hubspoke/requests/${id}`));
    } catch (e) {
      setError(failure(e));
    }
  };

  const item = (r: RequestSummary, action: 'take' | 'open') => (
    <li key={r.id} className="hs-card" data-testid="hub-request">
      <p className="hs-row">
        <strong>{r.patientName}</strong>
        {r.urgency !== null && <span className={`hs-badge hs-${r.urgency}`}>{t(`urgency.${r.urgency}`)}</span>}
        {r.mode === 'live' && <span className="hs-badge">{t('triage.live')}</span>}
        <span className="hs-muted">{t('hub.from', { spoke: r.spokeName })}</span>
      </p>
      <p>{r.complaints.map((c) => c.display).join(', ')}</p>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => void (action === 'take' ? take(r.id) : openCase(r.id))}
      >
        {action === 'take' ? t('hub.take') : t('hub.open')}
      </button>
    </li>
  );

  return (
    <Page title={t('hs.hubTitle')}>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      {open !== null ? (
        <Case
          request={open}
          stateId={stateId}
          onChange={setOpen}
          onClose={() => {
            setOpen(null);
            queue.reload();
          }}
        />
      ) : (
        <>
          <section className="hs-section" aria-labelledby="hub-queue">
            <h2 id="hub-queue">{t('hub.queue')}</h2>
            <button type="button" className="button button-big" onClick={() => void take()} data-testid="take-next">
              {t('hub.takeNext')}
            </button>
            {queue.data?.waiting.length === 0 && <p>{t('hub.empty')}</p>}
            <ul className="hs-list">{queue.data?.waiting.map((r) => item(r, 'take'))}</ul>
          </section>
          <section className="hs-section" aria-labelledby="hub-mine">
            <h2 id="hub-mine">{t('hub.mine')}</h2>
            <ul className="hs-list">
              {[...(queue.data?.mine ?? []), ...(queue.data?.answered ?? [])].map((r) => item(r, 'open'))}
            </ul>
          </section>
        </>
      )}
    </Page>
  );
}

function Case(props: {
  request: RequestView;
  stateId: string | null;
  onChange: (r: RequestView) => void;
  onClose: () => void;
}) {
  const { t, lang } = useHubSpokeI18n();
  const r = props.request;
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string[]>([]);
  const [advice, setAdvice] = useState('');
  const [followUpDays, setFollowUpDays] = useState('');
  const [referral, setReferral] = useState({ destinationId: '', reason: '', summary: '', urgency: 'urgent' });
  const [rating, setRating] = useState({ complete: true, appropriateSpeciality: true, neededVideo: false, reason: '' });
  const [decline, setDecline] = useState({ reason: 'not_my_speciality', specialityCode: '', text: '' });
  const [inCall, setInCall] = useState(false);
  const destinations = useApi<{ items: { id: string; name: string; kind: string }[] }>(
    props.stateId === null
      ? null
      : withQuery('/api/v1/facilities', { stateId: props.stateId, kind: 'referral', limit: 100 }),
  );
  const specialities = useApi<{ items: Speciality[] }>('/api/v1/terminology/specialities');

  /** Runs an action; an answer that is the request itself replaces the one shown. */
  const act = async (what: string, run: () => Promise<unknown>, returnsRequest = false) => {
    setError(undefined);
    try {
      const result = await run();
      if (returnsRequest) props.onChange(result as RequestView);
      setDone((d) => [...d, what]);
    } catch (e) {
      setError(failure(e));
    }
  };

  const v = r.vitals;
  const vitals = [
    v.bloodPressure === undefined
      ? null
      : `BP ${String(v.bloodPressure.systolic)}/${String(v.bloodPressure.diastolic)} mmHg`,
    v.pulse === undefined ? null : `Pulse ${String(v.pulse)}/min`,
    v.temperature === undefined
      ? null
      : `Temp ${String(v.temperature.value)} ${v.temperature.unit === 'Cel' ? '°C' : '°F'}`,
    v.spo2 === undefined ? null : `SpO2 ${String(v.spo2)}%`,
    v.respiratoryRate === undefined ? null : `RR ${String(v.respiratoryRate)}/min`,
    r.bmi === null ? null : `BMI ${String(r.bmi)}`,
  ].filter((x) => x !== null);

  return (
    <div data-testid="hub-case">
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <button type="button" className="button button-secondary" onClick={props.onClose}>
        ← {t('hub.queue')}
      </button>
      <section className="hs-section">
        <h2>
          {t('hub.case')}: {r.patientName} {r.age === null ? '' : `· ${t('hs.years', { age: r.age })}`} · {r.patientSex}
        </h2>
        <p className="hs-muted">{t('hub.from', { spoke: r.spokeName })}</p>
        {r.urgency !== null && <span className={`hs-badge hs-${r.urgency}`}>{t(`urgency.${r.urgency}`)}</span>}
        <span className="hs-badge" data-testid="case-mode">
          {t(r.mode === 'live' ? 'triage.live' : 'triage.async')}
        </span>
        <p data-testid="case-vitals">{vitals.join(' · ')}</p>
        {r.redFlagFindings.length > 0 && (
          <ul className="hs-red">
            {r.redFlagFindings.map((f) => (
              <li key={f.flag}>{f.message}</li>
            ))}
          </ul>
        )}
        <ul>
          {r.complaints.map((c) => (
            <li key={c.code}>
              {lang === 'hi' && c.displayHi !== null ? c.displayHi : c.display}
              {c.duration === null ? '' : ` · ${String(c.duration.value)} ${c.duration.unit}`}
              {c.severity === null ? '' : ` · ${c.severity}`}
            </li>
          ))}
        </ul>
        {r.complaintText !== null && <p>{r.complaintText}</p>}
        {r.history !== null && <p>{r.history}</p>}
        <ul>
          {r.attachments.map((a) => (
            <li key={a.fileId}>
              <a href={`/api/v1/hubspoke/requests/${r.id}/attachments/${a.fileId}`}>
                {t('hub.attachment', { kind: a.title ?? a.kind })}
              </a>
            </li>
          ))}
        </ul>
      </section>
      <Timeline patientId={r.patientId} requestId={r.id} />

      {r.mode === 'live' && r.status === 'taken' && r.consultationId !== null && (
        // A live request: the officer and the patient join from the spoke (their list offers the call).
        <section className="hs-section" data-testid="hub-call">
          {inCall ? (
            <>
              <Suspense fallback={<Loading />}>
                <CallPanel consultationId={r.consultationId} />
              </Suspense>
              <button type="button" className="button button-secondary" onClick={() => setInCall(false)}>
                {t('call.hide')}
              </button>
            </>
          ) : (
            <button type="button" className="button" onClick={() => setInCall(true)} data-testid="start-call">
              {t('call.start')}
            </button>
          )}
        </section>
      )}

      {r.status === 'taken' && (
        <section className="hs-section" aria-labelledby="hub-answer">
          <h2 id="hub-answer">{t('hub.advice')}</h2>
          <textarea
            id="advice"
            aria-labelledby="hub-answer"
            className="hs-textarea"
            value={advice}
            onChange={(e) => setAdvice(e.target.value)}
            data-testid="advice-input"
          />
          <Field
            id="follow-up-days"
            label={t('hub.followUpDays')}
            inputMode="numeric"
            value={followUpDays}
            onChange={(e) => setFollowUpDays(e.target.value)}
          />
          <button
            type="button"
            className="button"
            data-testid="answer"
            onClick={() =>
              void act(
                'answer',
                () =>
                  api.post(`/api/v1/hub/requests/${r.id}/answer`, {
                    advice,
                    ...(followUpDays.trim() === ''
                      ? {}
                      : { record: { followUp: { afterDays: Number(followUpDays), with: 'same_doctor' } } }),
                  }),
                true,
              )
            }
          >
            {t('hub.answer')}
          </button>
        </section>
      )}
      {done.includes('answer') && <Notice kind="success">{t('hub.answered')}</Notice>}
      {(r.status === 'taken' || r.status === 'answered') && r.consultationId !== null && (
        <PrescriptionPanel consultationId={r.consultationId} patientId={r.patientId} />
      )}

      {(r.status === 'taken' || r.status === 'answered') && (
        <section className="hs-section" aria-labelledby="hub-refer">
          <h2 id="hub-refer">{t('hub.refer')}</h2>
          <div className="hs-grid">
            <Select
              id="refer-destination"
              label={t('hub.destination')}
              value={referral.destinationId}
              empty="—"
              onChange={(e) => setReferral({ ...referral, destinationId: e.target.value })}
              options={(destinations.data?.items ?? []).map((f) => ({ value: f.id, label: f.name }))}
            />
            <Select
              id="refer-urgency"
              label={t('triage.urgency')}
              value={referral.urgency}
              onChange={(e) => setReferral({ ...referral, urgency: e.target.value })}
              options={(['emergency', 'urgent', 'routine'] as const).map((u) => ({
                value: u,
                label: t(`urgency.${u}`),
              }))}
            />
            <Field
              id="refer-reason"
              label={t('hub.reason')}
              value={referral.reason}
              onChange={(e) => setReferral({ ...referral, reason: e.target.value })}
            />
            <Field
              id="refer-summary"
              label={t('hub.summary')}
              value={referral.summary}
              onChange={(e) => setReferral({ ...referral, summary: e.target.value })}
            />
          </div>
          <button
            type="button"
            className="button button-secondary"
            data-testid="refer"
            disabled={done.includes('refer')}
            onClick={() =>
              void act('refer', () =>
                api.post(`/api/v1/hub/requests/${r.id}/referrals`, { id: crypto.randomUUID(), ...referral }),
              )
            }
          >
            {t('hub.referSend')}
          </button>
          {done.includes('refer') && <Notice kind="success">{t('hub.referred')}</Notice>}
        </section>
      )}

      {(r.status === 'answered' || r.status === 'declined') && (
        <section className="hs-section" aria-labelledby="hub-rate">
          <h2 id="hub-rate">{t('hub.rate')}</h2>
          {(['complete', 'appropriateSpeciality', 'neededVideo'] as const).map((key) => (
            <label key={key} className="hs-check">
              <input
                type="checkbox"
                checked={rating[key]}
                onChange={(e) => setRating({ ...rating, [key]: e.target.checked })}
                data-testid={`rate-${key}`}
              />{' '}
              {t(
                key === 'complete'
                  ? 'hub.complete'
                  : key === 'appropriateSpeciality'
                    ? 'hub.appropriate'
                    : 'hub.neededVideo',
              )}
            </label>
          ))}
          <Field
            id="rate-reason"
            label={t('hub.rateReason')}
            value={rating.reason}
            onChange={(e) => setRating({ ...rating, reason: e.target.value })}
          />
          <button
            type="button"
            className="button button-secondary"
            data-testid="rate"
            disabled={done.includes('rate') || r.feedback !== null}
            onClick={() =>
              void act(
                'rate',
                () =>
                  api.post(`/api/v1/hub/requests/${r.id}/feedback`, {
                    complete: rating.complete,
                    appropriateSpeciality: rating.appropriateSpeciality,
                    neededVideo: rating.neededVideo,
                    ...(rating.reason.trim() === '' ? {} : { reason: rating.reason }),
                  }),
                true,
              )
            }
          >
            {t('hub.rateSend')}
          </button>
          {(done.includes('rate') || r.feedback !== null) && <Notice kind="success">{t('hub.rated')}</Notice>}
        </section>
      )}

      {r.status === 'taken' && (
        <section className="hs-section" aria-labelledby="hub-decline">
          <h2 id="hub-decline">{t('hub.decline')}</h2>
          <div className="hs-grid">
            <Select
              id="decline-reason"
              label={t('hub.declineReason')}
              value={decline.reason}
              onChange={(e) => setDecline({ ...decline, reason: e.target.value })}
              options={[
                { value: 'not_my_speciality', label: t('hub.notMine') },
                { value: 'incomplete', label: t('hub.incomplete') },
                { value: 'not_suitable_for_teleconsultation', label: t('hub.notSuitable') },
                { value: 'other', label: t('hub.other') },
              ]}
            />
            {decline.reason === 'not_my_speciality' && (
              <Select
                id="decline-speciality"
                label={t('hub.rightSpeciality')}
                value={decline.specialityCode}
                empty="—"
                onChange={(e) => setDecline({ ...decline, specialityCode: e.target.value })}
                options={(specialities.data?.items ?? []).map((s) => ({
                  value: s.code,
                  label: lang === 'hi' && s.nameHi !== null ? s.nameHi : s.name,
                }))}
              />
            )}
            <Field
              id="decline-text"
              label={t('hub.reason')}
              value={decline.text}
              onChange={(e) => setDecline({ ...decline, text: e.target.value })}
            />
          </div>
          <button
            type="button"
            className="button button-secondary"
            onClick={() =>
              void act('decline', async () => {
                await api.post(`/api/v1/hub/requests/${r.id}/decline`, {
                  reason: decline.reason,
                  ...(decline.specialityCode === '' ? {} : { specialityCode: decline.specialityCode }),
                  ...(decline.text.trim() === '' ? {} : { text: decline.text }),
                });
                props.onClose();
              })
            }
          >
            {t('hub.declineSend')}
          </button>
        </section>
      )}
    </div>
  );
}

interface TimelineData {
  consultations: {
    id: string;
    kind: string;
    status: string;
    startedAt: string;
    facilityName: string;
    practitionerName: string;
    diagnoses: { code: string; title: string }[];
    advice: string | null;
  }[];
  vitals: { at: string; vitals: RequestView['vitals']; bmi: number | null }[];
}

/** The patient's earlier consultations (OPD and hub) and vitals over time, for the doctor treating them now. */
function Timeline({ patientId, requestId }: { patientId: string; requestId: string }) {
  const { t, date } = useHubSpokeI18n();
  const timeline = useApi<TimelineData>(`/api/v1/patients/${patientId}/timeline`);
  const earlier = timeline.data?.consultations.filter((c) => c.status === 'completed') ?? [];
  const vitals = timeline.data?.vitals ?? [];
  if (timeline.data === undefined || (earlier.length === 0 && vitals.length <= 1)) return null;
  return (
    <section className="hs-section" aria-labelledby={`timeline-${requestId}`} data-testid="timeline">
      <h2 id={`timeline-${requestId}`}>{t('hub.timeline')}</h2>
      <ul className="hs-list">
        {earlier.map((c) => (
          <li key={c.id} className="hs-card">
            <p className="hs-row">
              <strong>{date(c.startedAt)}</strong>
              <span className="hs-muted">
                {c.facilityName} · {c.practitionerName}
              </span>
            </p>
            {c.diagnoses.length > 0 && <p>{c.diagnoses.map((d) => `${d.code} ${d.title}`).join('; ')}</p>}
            {c.advice !== null && <p>{c.advice}</p>}
          </li>
        ))}
      </ul>
      {vitals.length > 1 && (
        <table className="hs-table">
          <caption>{t('hub.vitalsOverTime')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('hub.date')}</th>
              <th scope="col">BP</th>
              <th scope="col">SpO2</th>
              <th scope="col">BMI</th>
            </tr>
          </thead>
          <tbody>
            {vitals.map((v) => (
              <tr key={v.at}>
                <td>{date(v.at)}</td>
                <td>
                  {v.vitals.bloodPressure === undefined
                    ? '—'
                    : `${String(v.vitals.bloodPressure.systolic)}/${String(v.vitals.bloodPressure.diastolic)}`}
                </td>
                <td>{v.vitals.spo2 === undefined ? '—' : `${String(v.vitals.spo2)}%`}</td>
                <td>{v.bmi ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
