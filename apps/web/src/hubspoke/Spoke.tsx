import { resumableUpload } from '@sanjog/shared';
import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { api, ApiError, withQuery } from '../api';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Link } from '../router';
import { Select } from '../components/Select';
import { useApi } from '../useApi';
import { FeedbackFigures } from '../overseer/Figures';
import { useHubSpokeI18n } from './i18n';
import type { ComplaintTerm, FoundPatient, RequestSummary, RequestView, Speciality, Vitals } from './types';

const DRAFT_KEY = 'sanjog.spoke.draft';
type T = ReturnType<typeof useHubSpokeI18n>['t'];

const uuid = () => crypto.randomUUID();
const num = (text: string): number | undefined =>
  text.trim() === '' || Number.isNaN(Number(text)) ? undefined : Number(text);

/** Every failure in the officer's words: the server names fields; a dropped link says so. */
function failure(error: unknown): string {
  if (error instanceof ApiError) return error.outcome.issue.map((i) => i.diagnostics ?? i.code).join(' ');
  return error instanceof Error ? error.message : String(error);
}

/** The health officer's flow: find or register, consent, vitals, complaints, triage, send; then the list. */
export function SpokeHome() {
  const { t } = useHubSpokeI18n();
  const [patient, setPatient] = useState<FoundPatient | null>(null);
  const [request, setRequest] = useState<RequestView | null>(null);
  const list = useApi<{ items: RequestSummary[] }>('/api/v1/spoke/requests', { refreshMs: 15_000 });

  // A draft survives a reload: the server keeps it, the browser remembers which one.
  useEffect(() => {
    const id = localStorage.getItem(DRAFT_KEY);
    if (id === null) return;
    api
      .get<RequestView>(`/api/v1/hubspoke/requests/${id}`)
      .then((found) => {
        if (found.status !== 'draft') {
          localStorage.removeItem(DRAFT_KEY);
          return;
        }
        setRequest(found);
        setPatient({
          id: found.patientId,
          name: found.patientName,
          sex: found.patientSex,
          birthYear: found.patientBirthYear,
          village: null,
          mobile: null,
        });
      })
      .catch(() => localStorage.removeItem(DRAFT_KEY));
  }, []);

  const choose = async (chosen: FoundPatient) => {
    setPatient(chosen);
    const created = await api.post<RequestView>('/api/v1/spoke/requests', { id: uuid(), patientId: chosen.id });
    localStorage.setItem(DRAFT_KEY, created.id);
    setRequest(created);
  };

  return (
    <Page title={t('hs.spokeTitle')}>
      {patient === null || request === null ? (
        <FindOrRegister onChoose={choose} />
      ) : (
        <RequestForm
          patient={patient}
          request={request}
          onChange={setRequest}
          onDone={() => {
            localStorage.removeItem(DRAFT_KEY);
            setPatient(null);
            setRequest(null);
            list.reload();
          }}
        />
      )}
      <section className="hs-section" aria-labelledby="hs-list">
        <h2 id="hs-list">{t('list.title')}</h2>
        {list.data?.items.length === 0 && <p>{t('list.empty')}</p>}
        <ul className="hs-list" data-testid="spoke-requests">
          {list.data?.items
            .filter((r) => r.status !== 'draft')
            .map((r) => (
              <RequestItem key={r.id} request={r} t={t} />
            ))}
        </ul>
      </section>
      {/* The spoke's own figures: the server finds the officer's spoke. */}
      <FeedbackFigures testId="spoke-figures" />
    </Page>
  );
}

function RequestItem({ request: r, t }: { request: RequestSummary; t: T }) {
  const { date } = useHubSpokeI18n();
  const yes = (value: boolean) => (value ? t('list.yes') : t('list.no'));
  const status = r.status === 'waiting' && r.reroutes > 0 ? 'rerouted' : r.status;
  return (
    <li className="hs-card" data-testid="spoke-request" data-status={r.status}>
      <p className="hs-row">
        <strong>{r.patientName}</strong>
        <span className={`hs-badge hs-${r.status}`}>{t(`status.${status}`)}</span>
        {r.urgency !== null && <span className={`hs-badge hs-${r.urgency}`}>{t(`urgency.${r.urgency}`)}</span>}
      </p>
      {r.hubName !== null && <p>{t('list.hub', { hub: r.hubName })}</p>}
      {r.practitionerName !== null && <p>{t('list.doctor', { doctor: r.practitionerName })}</p>}
      {r.mode === 'live' && r.status === 'taken' && r.consultationId !== null && (
        // The hub doctor has the case: the officer brings the patient into the call.
        <p>
          <Link to={`/call/${r.consultationId}`} className="button" data-testid="join-call">
            {t('call.join')}
          </Link>
        </p>
      )}
      {r.advice !== null && (
        <div className="hs-advice">
          <h3>{t('list.advice')}</h3>
          <p data-testid="advice">{r.advice}</p>
        </div>
      )}
      {(r.status === 'taken' || r.status === 'answered') && r.consultationId !== null && (
        <HubPrescriptions consultationId={r.consultationId} t={t} />
      )}
      {r.followUp !== null && <p data-testid="follow-up">{t('list.followUp', { date: date(r.followUp.dueDate) })}</p>}
      {r.referralStatus !== null && <p data-testid="referral">{t('list.referral', { status: r.referralStatus })}</p>}
      {r.feedback !== null && (
        <div data-testid="feedback">
          <h3>{t('list.feedback')}</h3>
          <p>
            {t('list.complete', { answer: yes(r.feedback.complete) })} ·{' '}
            {t('list.appropriate', { answer: yes(r.feedback.appropriateSpeciality) })} ·{' '}
            {t('list.video', { answer: yes(r.feedback.neededVideo) })}
          </p>
          {r.feedback.reason !== null && <p>{r.feedback.reason}</p>}
        </div>
      )}
    </li>
  );
}

interface SignedPrescription {
  id: string;
  status: 'active' | 'cancelled';
  pdfUrl: string;
  document: { items: { name: string; strength: string | null }[] };
}

/** The hub doctor's prescriptions for the case (a cancelled one drops out), to print or show. */
function HubPrescriptions({ consultationId, t }: { consultationId: string; t: T }) {
  const list = useApi<{ items: SignedPrescription[] }>(
    `/api/v1/consultations/${encodeURIComponent(consultationId)}/prescriptions`,
  );
  const active = (list.data?.items ?? []).filter((rx) => rx.status === 'active');
  if (active.length === 0) return null;
  return (
    <div data-testid="spoke-prescriptions">
      <h3>{t('list.prescription')}</h3>
      {active.map((rx) => (
        <p key={rx.id}>
          {rx.document.items.map((item) => `${item.name} ${item.strength ?? ''}`.trim()).join(', ')}{' '}
          <a href={rx.pdfUrl} download data-testid="spoke-prescription-pdf">
            {t('list.prescriptionPdf')}
          </a>{' '}
          · <Link to={`/rx/${rx.id}`}>{t('list.prescriptionCheck')}</Link>
        </p>
      ))}
    </div>
  );
}

/** The triage rules that matched, in the officer's words: the red flag's message, the complaint's name. */
function triageReasons(request: RequestView, lang: string): string[] {
  const named = request.triage.reasons.map((reason) => {
    const flag = /^red flag (.+)$/.exec(reason)?.[1];
    if (flag !== undefined) return request.redFlagFindings.find((f) => f.flag === flag)?.message ?? flag;
    const code = /^complaint (\S+)/.exec(reason)?.[1];
    const complaint = request.complaints.find((c) => c.code === code);
    if (complaint === undefined) return code ?? reason;
    return lang === 'hi' && complaint.displayHi !== null ? complaint.displayHi : complaint.display;
  });
  return [...new Set(named)];
}

function FindOrRegister({ onChoose }: { onChoose: (patient: FoundPatient) => Promise<void> }) {
  const { t } = useHubSpokeI18n();
  const [query, setQuery] = useState({ name: '', birthYear: '', village: '', mobile: '', abha: '' });
  const [found, setFound] = useState<{ matches: FoundPatient[]; likely: FoundPatient[] } | null>(null);
  const [form, setForm] = useState({ name: '', sex: 'female', age: '', mobile: '', village: '' });
  const [error, setError] = useState<string | undefined>();
  const registerId = useRef(uuid());

  const search = async (event: SyntheticEvent) => {
    event.preventDefault();
    setError(undefined);
    const abha = query.abha.trim();
    try {
      setFound(
        await api.get(
          withQuery('/api/v1/spoke/patients/find', {
            name: query.name.trim() === '' ? undefined : query.name.trim(),
            birthYear: num(query.birthYear),
            village: query.village.trim() === '' ? undefined : query.village.trim(),
            mobile: query.mobile.trim() === '' ? undefined : query.mobile.trim(),
            abhaNumber: abha !== '' && !abha.includes('@') ? abha : undefined,
            abhaAddress: abha.includes('@') ? abha : undefined,
          }),
        ),
      );
      setForm((f) => ({
        ...f,
        name: f.name === '' ? query.name : f.name,
        village: f.village === '' ? query.village : f.village,
      }));
    } catch (e) {
      setError(failure(e));
    }
  };

  const register = async (event: SyntheticEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const patient = await api.post<FoundPatient>('/api/v1/spoke/patients', {
        id: registerId.current,
        name: form.name.trim(),
        sex: form.sex,
        ...(num(form.age) === undefined ? {} : { age: num(form.age) }),
        ...(form.mobile.trim() === '' ? {} : { mobile: form.mobile.trim() }),
        ...(form.village.trim() === '' ? {} : { village: form.village.trim() }),
      });
      await onChoose(patient);
    } catch (e) {
      setError(failure(e));
    }
  };

  const people = (items: FoundPatient[]) => (
    <ul className="hs-list">
      {items.map((p) => (
        <li key={p.id} className="hs-card">
          <p>
            <strong>{p.name}</strong> · {p.birthYear ?? '—'} · {p.village ?? ''}
          </p>
          {p.reasons !== undefined && (
            <p className="hs-muted">{t('find.reasons', { reasons: p.reasons.join(', ') })}</p>
          )}
          <button
            type="button"
            className="button button-secondary"
            onClick={() => void onChoose(p).catch((e: unknown) => setError(failure(e)))}
          >
            {t('find.choose', { name: p.name })}
          </button>
        </li>
      ))}
    </ul>
  );

  return (
    <>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <section className="hs-section" aria-labelledby="hs-find">
        <h2 id="hs-find">{t('find.title')}</h2>
        <p className="hs-muted">{t('find.hint')}</p>
        <form onSubmit={(e) => void search(e)} className="hs-grid">
          <Field
            id="find-name"
            label={t('find.name')}
            value={query.name}
            onChange={(e) => setQuery({ ...query, name: e.target.value })}
          />
          <Field
            id="find-year"
            label={t('find.birthYear')}
            inputMode="numeric"
            value={query.birthYear}
            onChange={(e) => setQuery({ ...query, birthYear: e.target.value })}
          />
          <Field
            id="find-village"
            label={t('find.village')}
            value={query.village}
            onChange={(e) => setQuery({ ...query, village: e.target.value })}
          />
          <Field
            id="find-mobile"
            label={t('find.mobile')}
            inputMode="tel"
            value={query.mobile}
            onChange={(e) => setQuery({ ...query, mobile: e.target.value })}
          />
          <Field
            id="find-abha"
            label={t('find.abha')}
            value={query.abha}
            onChange={(e) => setQuery({ ...query, abha: e.target.value })}
          />
          <button type="submit" className="button">
            {t('find.search')}
          </button>
        </form>
        {found !== null && (
          <div data-testid="find-results">
            {found.matches.length > 0 && (
              <>
                <h3>{t('find.matches')}</h3>
                {people(found.matches)}
              </>
            )}
            {found.likely.length > 0 && (
              <>
                <h3>{t('find.likely')}</h3>
                {people(found.likely)}
              </>
            )}
            {found.matches.length === 0 && found.likely.length === 0 && <p>{t('find.none')}</p>}
          </div>
        )}
      </section>
      <section className="hs-section" aria-labelledby="hs-register">
        <h2 id="hs-register">{t('reg.title')}</h2>
        <form onSubmit={(e) => void register(e)} className="hs-grid">
          <Field
            id="reg-name"
            label={t('find.name')}
            required
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
          <Select
            id="reg-sex"
            label={t('reg.sex')}
            value={form.sex}
            onChange={(e) => setForm({ ...form, sex: e.target.value })}
            options={[
              { value: 'female', label: t('reg.female') },
              { value: 'male', label: t('reg.male') },
              { value: 'other', label: t('reg.other') },
            ]}
          />
          <Field
            id="reg-age"
            label={t('reg.age')}
            inputMode="numeric"
            required
            value={form.age}
            onChange={(e) => setForm({ ...form, age: e.target.value })}
          />
          <Field
            id="reg-mobile"
            label={t('find.mobile')}
            inputMode="tel"
            value={form.mobile}
            onChange={(e) => setForm({ ...form, mobile: e.target.value })}
          />
          <Field
            id="reg-village"
            label={t('find.village')}
            value={form.village}
            onChange={(e) => setForm({ ...form, village: e.target.value })}
          />
          <button type="submit" className="button">
            {t('reg.submit')}
          </button>
        </form>
      </section>
    </>
  );
}

type VitalsText = Record<
  'systolic' | 'diastolic' | 'pulse' | 'temperature' | 'spo2' | 'respiratoryRate' | 'weight' | 'height' | 'glucose',
  string
>;

function vitalsText(v: Vitals): VitalsText {
  const s = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    systolic: s(v.bloodPressure?.systolic),
    diastolic: s(v.bloodPressure?.diastolic),
    pulse: s(v.pulse),
    temperature: s(v.temperature?.value),
    spo2: s(v.spo2),
    respiratoryRate: s(v.respiratoryRate),
    weight: s(v.weight?.value),
    height: s(v.height?.value),
    glucose: s(v.bloodGlucose?.value),
  };
}

function vitalsOf(text: VitalsText): Vitals {
  const v: Vitals = {};
  const systolic = num(text.systolic);
  const diastolic = num(text.diastolic);
  if (systolic !== undefined && diastolic !== undefined) v.bloodPressure = { systolic, diastolic };
  const set = <K extends keyof Vitals>(key: K, value: Vitals[K] | undefined) => {
    if (value !== undefined) v[key] = value;
  };
  set('pulse', num(text.pulse));
  set('spo2', num(text.spo2));
  set('respiratoryRate', num(text.respiratoryRate));
  const temperature = num(text.temperature);
  if (temperature !== undefined) v.temperature = { value: temperature, unit: temperature > 50 ? '[degF]' : 'Cel' };
  const weight = num(text.weight);
  if (weight !== undefined) v.weight = { value: weight, unit: 'kg' };
  const height = num(text.height);
  if (height !== undefined) v.height = { value: height, unit: 'cm' };
  const glucose = num(text.glucose);
  if (glucose !== undefined) v.bloodGlucose = { value: glucose, unit: 'mg/dL' };
  return v;
}

function RequestForm(props: {
  patient: FoundPatient;
  request: RequestView;
  onChange: (request: RequestView) => void;
  onDone: () => void;
}) {
  const { t, lang } = useHubSpokeI18n();
  const { request, onChange } = props;
  const [vitals, setVitals] = useState<VitalsText>(() => vitalsText(request.vitals));
  const [error, setError] = useState<string | undefined>();
  const [missing, setMissing] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [consented, setConsented] = useState(request.consentId !== null);
  const [choice, setChoice] = useState<{ specialityCode: string; urgency: string; mode: string }>({
    specialityCode: request.specialityCode ?? '',
    urgency: request.urgency ?? '',
    mode: request.mode,
  });
  const [complaintQuery, setComplaintQuery] = useState('');
  const [terms, setTerms] = useState<ComplaintTerm[]>([]);
  const [upload, setUpload] = useState<string | undefined>();
  const specialities = useApi<{ items: Speciality[] }>('/api/v1/terminology/specialities');
  const latest = useRef(request);
  latest.current = request;

  const save = async (body: Record<string, unknown>) => {
    setSaving(true);
    setError(undefined);
    try {
      onChange(await api.patch<RequestView>(`/api/v1/spoke/requests/${latest.current.id}`, body));
    } catch (e) {
      setError(failure(e));
    } finally {
      setSaving(false);
    }
  };

  // Vitals are saved a moment after typing stops; the red flags and BMI come back at once.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const next = vitalsOf(vitals);
      if (JSON.stringify(next) !== JSON.stringify(latest.current.vitals)) void save({ vitals: next });
    }, 600);
    return () => window.clearTimeout(timer);
  }, [vitals]);

  useEffect(() => {
    if (complaintQuery.trim().length < 2) {
      setTerms([]);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api
        .get<{ items: ComplaintTerm[] }>(
          withQuery('/api/v1/terminology/complaints', { q: complaintQuery.trim(), limit: 8 }),
          {
            signal: controller.signal,
          },
        )
        .then((found) => setTerms(found.items))
        .catch(() => undefined);
    }, 300);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [complaintQuery]);

  const complaintsBody = (list: RequestView['complaints']) =>
    list.map((c) => ({
      code: c.code,
      ...(c.duration === null ? {} : { duration: c.duration }),
      ...(c.severity === null ? {} : { severity: c.severity }),
    }));

  const consent = async (checked: boolean) => {
    if (!checked) return;
    // Ticked at once; unticked again if the server did not record it.
    setConsented(true);
    try {
      await api.post(`/api/v1/spoke/patients/${props.patient.id}/consent`, {
        id: uuid(),
        method: 'verbal',
        givenBy: 'patient',
      });
      await save({});
    } catch (e) {
      setConsented(false);
      setError(failure(e));
    }
  };

  const send = async () => {
    setError(undefined);
    setMissing([]);
    try {
      const sent = await api.post<RequestView>(`/api/v1/spoke/requests/${request.id}/send`, {
        ...(choice.specialityCode === '' ? {} : { specialityCode: choice.specialityCode }),
        ...(choice.urgency === '' ? {} : { urgency: choice.urgency }),
        mode: choice.mode,
      });
      onChange(sent);
      props.onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setMissing(e.outcome.issue.map((i) => i.diagnostics ?? i.code));
      else setError(failure(e));
    }
  };

  const attach = async (file: File) => {
    setUpload(t('attach.progress', { percent: 0 }));
    try {
      await resumableUpload({
        baseUrl: '',
        id: uuid(),
        requestId: request.id,
        kind: file.type === 'application/pdf' ? 'lab_report' : 'photo',
        title: file.name,
        mediaType: file.type,
        content: new Uint8Array(await file.arrayBuffer()),
        onProgress: (received, total) =>
          setUpload(t('attach.progress', { percent: Math.floor((received / total) * 100) })),
      });
      setUpload(t('attach.done'));
      await save({});
    } catch {
      setUpload(t('attach.failed'));
    }
  };

  const field = (key: keyof VitalsText, label: string) => (
    <Field
      id={`vital-${key}`}
      label={label}
      inputMode="decimal"
      value={vitals[key]}
      onChange={(e) => setVitals({ ...vitals, [key]: e.target.value })}
    />
  );
  const specialityName = (code: string | null) => {
    const found = specialities.data?.items.find((s) => s.code === code);
    return found === undefined ? (code ?? '') : lang === 'hi' && found.nameHi !== null ? found.nameHi : found.name;
  };

  return (
    <div data-testid="request-form">
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <p className="hs-row">
        <strong>{t('patient.chosen', { name: props.patient.name })}</strong>
        <span className="hs-muted" role="status">
          {saving ? t('hs.saving') : t('hs.saved')}
        </span>
      </p>
      <label className="hs-check">
        <input
          type="checkbox"
          checked={consented}
          disabled={consented}
          onChange={(e) => void consent(e.target.checked)}
          data-testid="consent"
        />{' '}
        {consented ? t('consent.recorded') : t('consent.label')}
      </label>

      <section className="hs-section" aria-labelledby="hs-vitals">
        <h2 id="hs-vitals">{t('vitals.title')}</h2>
        <div className="hs-grid">
          {field('systolic', t('vitals.systolic'))}
          {field('diastolic', t('vitals.diastolic'))}
          {field('pulse', t('vitals.pulse'))}
          {field('temperature', t('vitals.temperature'))}
          {field('spo2', t('vitals.spo2'))}
          {field('respiratoryRate', t('vitals.respiratoryRate'))}
          {field('weight', t('vitals.weight'))}
          {field('height', t('vitals.height'))}
          {field('glucose', t('vitals.glucose'))}
          {props.patient.sex === 'female' && (
            <Select
              id="vital-pregnancy"
              label={t('vitals.pregnancy')}
              value={request.pregnancy ?? ''}
              empty="—"
              onChange={(e) => void save({ pregnancy: e.target.value === '' ? null : e.target.value })}
              options={[
                { value: 'pregnant', label: t('vitals.pregnant') },
                { value: 'not_pregnant', label: t('vitals.notPregnant') },
                { value: 'unknown', label: t('vitals.unknown') },
              ]}
            />
          )}
        </div>
        {request.bmi !== null && <p data-testid="bmi">{t('vitals.bmi', { bmi: request.bmi })}</p>}
        {request.redFlagFindings.length > 0 && (
          <div role="alert" className="hs-red" data-testid="red-flags">
            <strong>{t('vitals.redFlags')}</strong>
            <ul>
              {request.redFlagFindings.map((f) => (
                <li key={f.flag}>{f.message}</li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section className="hs-section" aria-labelledby="hs-complaints">
        <h2 id="hs-complaints">{t('complaints.title')}</h2>
        <Field
          id="complaint-search"
          label={t('complaints.search')}
          hint={t('complaints.searchHint')}
          value={complaintQuery}
          onChange={(e) => setComplaintQuery(e.target.value)}
        />
        <div className="hs-chips">
          {terms
            .filter((term) => !request.complaints.some((c) => c.code === term.code))
            .map((term) => {
              const name = lang === 'hi' && term.nameHi !== null ? term.nameHi : term.name;
              return (
                <button
                  key={term.code}
                  type="button"
                  className="button button-secondary"
                  data-testid={`add-complaint-${term.code}`}
                  onClick={() => {
                    setComplaintQuery('');
                    void save({ complaints: [...complaintsBody(request.complaints), { code: term.code }] });
                  }}
                >
                  {t('complaints.add', { name })}
                </button>
              );
            })}
        </div>
        <ul className="hs-list">
          {request.complaints.map((c, index) => {
            const name = lang === 'hi' && c.displayHi !== null ? c.displayHi : c.display;
            const update = (
              changes: Partial<{ duration: { value: number; unit: string } | null; severity: string | null }>,
            ) => {
              const list = request.complaints.map((item, i) => (i === index ? { ...item, ...changes } : item));
              void save({ complaints: complaintsBody(list) });
            };
            return (
              <li key={c.code} className="hs-card" data-testid="complaint">
                <p className="hs-row">
                  <strong>{name}</strong>
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() =>
                      void save({ complaints: complaintsBody(request.complaints.filter((x) => x.code !== c.code)) })
                    }
                  >
                    {t('complaints.remove', { name })}
                  </button>
                </p>
                <div className="hs-grid">
                  <Field
                    id={`days-${c.code}`}
                    label={t('complaints.days')}
                    inputMode="numeric"
                    defaultValue={c.duration?.value ?? ''}
                    onBlur={(e) => {
                      const days = num(e.target.value);
                      update({
                        duration: days === undefined || days < 1 ? null : { value: Math.round(days), unit: 'days' },
                      });
                    }}
                  />
                  <Select
                    id={`severity-${c.code}`}
                    label={t('complaints.severity')}
                    value={c.severity ?? ''}
                    empty="—"
                    onChange={(e) => update({ severity: e.target.value === '' ? null : e.target.value })}
                    options={[
                      { value: 'mild', label: t('complaints.mild') },
                      { value: 'moderate', label: t('complaints.moderate') },
                      { value: 'severe', label: t('complaints.severe') },
                    ]}
                  />
                </div>
              </li>
            );
          })}
        </ul>
        <label className="hs-label" htmlFor="complaint-text">
          {t('complaints.text')}
        </label>
        <textarea
          id="complaint-text"
          className="hs-textarea"
          defaultValue={request.complaintText ?? ''}
          onBlur={(e) => void save({ complaintText: e.target.value })}
        />
        <label className="hs-label" htmlFor="history">
          {t('complaints.history')}
        </label>
        <textarea
          id="history"
          className="hs-textarea"
          defaultValue={request.history ?? ''}
          onBlur={(e) => void save({ history: e.target.value })}
        />
      </section>

      <section className="hs-section" aria-labelledby="hs-attach">
        <h2 id="hs-attach">{t('attach.title')}</h2>
        <label className="button button-secondary hs-file">
          {t('attach.add')}
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp,application/pdf"
            data-testid="attach"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file !== undefined) void attach(file);
            }}
          />
        </label>
        {upload !== undefined && <p role="status">{upload}</p>}
        <ul>
          {request.attachments.map((a) => (
            <li key={a.fileId}>{a.title ?? a.kind}</li>
          ))}
        </ul>
      </section>

      <section className="hs-section" aria-labelledby="hs-triage">
        <h2 id="hs-triage">{t('triage.title')}</h2>
        {request.suggestedSpeciality !== null && request.suggestedUrgency !== null && (
          <p data-testid="triage">
            {t('triage.suggested', {
              speciality: specialityName(request.suggestedSpeciality),
              urgency: t(`urgency.${request.suggestedUrgency}`),
            })}
          </p>
        )}
        {request.triage.reasons.length > 0 && (
          <p className="hs-muted" data-testid="triage-reasons">
            {t('triage.because', { reasons: triageReasons(request, lang).join('; ') })}
          </p>
        )}
        <div className="hs-grid">
          <Select
            id="triage-speciality"
            label={t('triage.speciality')}
            value={choice.specialityCode}
            empty={specialityName(request.suggestedSpeciality)}
            onChange={(e) => setChoice({ ...choice, specialityCode: e.target.value })}
            options={(specialities.data?.items ?? []).map((s) => ({
              value: s.code,
              label: lang === 'hi' && s.nameHi !== null ? s.nameHi : s.name,
            }))}
          />
          <Select
            id="triage-urgency"
            label={t('triage.urgency')}
            value={choice.urgency}
            empty={request.suggestedUrgency === null ? '—' : t(`urgency.${request.suggestedUrgency}`)}
            onChange={(e) => setChoice({ ...choice, urgency: e.target.value })}
            options={(['emergency', 'urgent', 'routine'] as const).map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
          />
          <Select
            id="triage-mode"
            label={t('triage.mode')}
            value={choice.mode}
            onChange={(e) => setChoice({ ...choice, mode: e.target.value })}
            options={[
              { value: 'async', label: t('triage.async') },
              { value: 'live', label: t('triage.live') },
            ]}
          />
        </div>
        {missing.length > 0 && (
          <div role="alert" className="hs-red" data-testid="missing">
            <strong>{t('triage.missing')}</strong>
            <ul>
              {missing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        )}
        <button type="button" className="button button-big" onClick={() => void send()} data-testid="send">
          {t('triage.send')}
        </button>
      </section>
    </div>
  );
}
