import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, request, toApiError } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import {
  type Consultation,
  type DurationUnit,
  type FollowUpWith,
  type Mode,
  type NotHappenedReason,
  type Profile,
  type Severity,
  type Vitals,
} from '../opd/types';
import { VITAL_RANGES } from '@sanjog/shared';
import { visit } from '../opd/util';
import { useSession } from '../session';
import { useDoctorI18n, type DoctorI18n } from './i18n';
import {
  DURATION_UNITS,
  FOLLOW_UP_WITH,
  MODES,
  NOT_HAPPENED_REASONS,
  patientById,
  patientLine,
  SEVERITIES,
} from './shared';
import { TermSearch } from './TermSearch';

// ---- The form's own shape: what the doctor types, as typed ----------------------------------

interface ComplaintDraft {
  code: string;
  display: string;
  displayHi: string | null;
  redFlag: boolean;
  durationValue: string;
  durationUnit: DurationUnit;
  severity: Severity | '';
  note: string;
}

type TemperatureUnit = 'Cel' | '[degF]';
type WeightUnit = 'kg' | '[lb_av]';
type HeightUnit = 'cm' | '[in_i]';
type GlucoseUnit = 'mg/dL' | 'mmol/L';
type GlucoseTiming = '' | 'fasting' | 'random' | 'after_meal';

interface VitalsDraft {
  systolic: string;
  diastolic: string;
  pulse: string;
  temperature: string;
  temperatureUnit: TemperatureUnit;
  spo2: string;
  respiratoryRate: string;
  weight: string;
  weightUnit: WeightUnit;
  height: string;
  heightUnit: HeightUnit;
  glucose: string;
  glucoseUnit: GlucoseUnit;
  glucoseTiming: GlucoseTiming;
}

interface Draft {
  complaints: ComplaintDraft[];
  complaintText: string;
  history: string;
  examination: string;
  vitals: VitalsDraft;
  diagnoses: { code: string; title: string; note: string }[];
  investigations: string[];
  advice: string;
  followUpWith: FollowUpWith | '';
  followUpDays: string;
  mode: Mode;
  consultationType: 'first' | 'follow_up';
}

/** The form calls blood glucose `glucose`; the ranges (shared with the server) `bloodGlucose`. */
type VitalName = Exclude<keyof typeof VITAL_RANGES, 'bloodGlucose'> | 'glucose';
const rangesOf = (name: VitalName) => VITAL_RANGES[name === 'glucose' ? 'bloodGlucose' : name];

const UNIT_LABELS: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  '/min': '/min',
  '%': '%',
  Cel: '°C',
  '[degF]': '°F',
  kg: 'kg',
  '[lb_av]': 'lb',
  cm: 'cm',
  '[in_i]': 'in',
  'mg/dL': 'mg/dL',
  'mmol/L': 'mmol/L',
};

const INTEGER_VITALS: readonly VitalName[] = ['systolic', 'diastolic', 'pulse', 'spo2', 'respiratoryRate'];

function unitOf(name: VitalName, vitals: VitalsDraft): string {
  switch (name) {
    case 'systolic':
    case 'diastolic':
      return 'mm[Hg]';
    case 'pulse':
    case 'respiratoryRate':
      return '/min';
    case 'spo2':
      return '%';
    case 'temperature':
      return vitals.temperatureUnit;
    case 'weight':
      return vitals.weightUnit;
    case 'height':
      return vitals.heightUnit;
    case 'glucose':
      return vitals.glucoseUnit;
  }
}

/** The number typed for a vital, or an error in words when it cannot be right. */
function checkVital(name: VitalName, vitals: VitalsDraft, i18n: DoctorI18n): { value?: number; error?: string } {
  const text = vitals[name].trim().replace(',', '.');
  if (text === '') return {};
  const value = Number(text);
  const unit = unitOf(name, vitals);
  const ranges: Record<string, readonly [number, number]> = rangesOf(name);
  const range = ranges[unit];
  if (!Number.isFinite(value) || range === undefined) return { error: i18n.t('vitals.notNumber') };
  if (INTEGER_VITALS.includes(name) && !Number.isInteger(value)) return { error: i18n.t('vitals.whole') };
  const [min, max] = range;
  if (value < min || value > max) {
    const other = Object.entries(ranges).find(([u, [lo, hi]]) => u !== unit && value >= lo && value <= hi);
    const label = UNIT_LABELS[unit] ?? unit;
    return {
      error:
        other === undefined
          ? i18n.t('vitals.range', { min, max, unit: label })
          : i18n.t('vitals.rangeUnit', { min, max, unit: label, other: UNIT_LABELS[other[0]] ?? other[0] }),
    };
  }
  return { value };
}

function emptyVitals(): VitalsDraft {
  return {
    systolic: '',
    diastolic: '',
    pulse: '',
    temperature: '',
    temperatureUnit: '[degF]',
    spo2: '',
    respiratoryRate: '',
    weight: '',
    weightUnit: 'kg',
    height: '',
    heightUnit: 'cm',
    glucose: '',
    glucoseUnit: 'mg/dL',
    glucoseTiming: '',
  };
}

function fromConsultation(consultation: Consultation): Draft {
  const { record } = consultation;
  const v: Vitals = record.vitals;
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    complaints: record.chiefComplaints.map((complaint) => ({
      code: complaint.code,
      display: complaint.display,
      displayHi: complaint.displayHi,
      redFlag: complaint.redFlag,
      durationValue: complaint.duration === null ? '' : String(complaint.duration.value),
      durationUnit: complaint.duration?.unit ?? 'days',
      severity: complaint.severity ?? '',
      note: complaint.note ?? '',
    })),
    complaintText: record.complaintText ?? '',
    history: record.history ?? '',
    examination: record.examination ?? '',
    vitals: {
      ...emptyVitals(),
      systolic: text(v.bloodPressure?.systolic),
      diastolic: text(v.bloodPressure?.diastolic),
      pulse: text(v.pulse),
      temperature: text(v.temperature?.value),
      temperatureUnit: v.temperature?.unit ?? '[degF]',
      spo2: text(v.spo2),
      respiratoryRate: text(v.respiratoryRate),
      weight: text(v.weight?.value),
      weightUnit: v.weight?.unit ?? 'kg',
      height: text(v.height?.value),
      heightUnit: v.height?.unit ?? 'cm',
      glucose: text(v.bloodGlucose?.value),
      glucoseUnit: v.bloodGlucose?.unit ?? 'mg/dL',
      glucoseTiming: v.bloodGlucose?.timing ?? '',
    },
    diagnoses: record.diagnoses.map((diagnosis) => ({ ...diagnosis, note: diagnosis.note ?? '' })),
    investigations: record.investigations,
    advice: record.advice ?? '',
    followUpWith: record.followUp?.with ?? '',
    followUpDays: record.followUp?.afterDays == null ? '' : String(record.followUp.afterDays),
    mode: consultation.mode,
    consultationType: consultation.consultationType,
  };
}

interface Built {
  body: Record<string, unknown>;
  /** Field id → words, for the fields that cannot be sent as they are. */
  issues: Record<string, string>;
}

/** The record as the server wants it; fields that cannot be right are left out and named. */
function build(draft: Draft, loaded: Draft, i18n: DoctorI18n): Built {
  const issues: Record<string, string> = {};
  const value = (name: VitalName) => {
    const checked = checkVital(name, draft.vitals, i18n);
    if (checked.error !== undefined) issues[`vital-${name}`] = checked.error;
    return checked.value;
  };
  const vitals: Vitals = {};
  const systolic = value('systolic');
  const diastolic = value('diastolic');
  if (systolic !== undefined && diastolic !== undefined) vitals.bloodPressure = { systolic, diastolic };
  else if ((systolic === undefined) !== (diastolic === undefined) && issues['vital-systolic'] === undefined)
    issues[systolic === undefined ? 'vital-systolic' : 'vital-diastolic'] = i18n.t('vitals.bothPressures');
  const pulse = value('pulse');
  if (pulse !== undefined) vitals.pulse = pulse;
  const temperature = value('temperature');
  if (temperature !== undefined) vitals.temperature = { value: temperature, unit: draft.vitals.temperatureUnit };
  const spo2 = value('spo2');
  if (spo2 !== undefined) vitals.spo2 = spo2;
  const respiratoryRate = value('respiratoryRate');
  if (respiratoryRate !== undefined) vitals.respiratoryRate = respiratoryRate;
  const weight = value('weight');
  if (weight !== undefined) vitals.weight = { value: weight, unit: draft.vitals.weightUnit };
  const height = value('height');
  if (height !== undefined) vitals.height = { value: height, unit: draft.vitals.heightUnit };
  const glucose = value('glucose');
  if (glucose !== undefined)
    vitals.bloodGlucose = {
      value: glucose,
      unit: draft.vitals.glucoseUnit,
      ...(draft.vitals.glucoseTiming === '' ? {} : { timing: draft.vitals.glucoseTiming }),
    };

  const complaints = draft.complaints.map((complaint, index) => {
    const days = Number(complaint.durationValue);
    const hasDuration = complaint.durationValue.trim() !== '';
    if (hasDuration && (!Number.isInteger(days) || days < 1 || days > 999))
      issues[`complaint-${String(index)}-duration`] = i18n.t('record.durationInvalid');
    return {
      code: complaint.code,
      ...(hasDuration && Number.isInteger(days) && days >= 1 && days <= 999
        ? { duration: { value: days, unit: complaint.durationUnit } }
        : {}),
      ...(complaint.severity === '' ? {} : { severity: complaint.severity }),
      ...(complaint.note.trim() === '' ? {} : { note: complaint.note.trim() }),
    };
  });

  let followUp: Record<string, unknown> | null = null;
  if (draft.followUpWith !== '') {
    const days = Number(draft.followUpDays);
    if (!Number.isInteger(days) || days < 1 || days > 365)
      issues['follow-up-days'] = i18n.t('record.followUpDaysInvalid');
    else followUp = { with: draft.followUpWith, afterDays: days };
  }
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return {
    body: {
      chiefComplaints: complaints,
      complaintText: text(draft.complaintText),
      history: text(draft.history),
      examination: text(draft.examination),
      vitals: Object.keys(vitals).length === 0 ? null : vitals,
      diagnoses: draft.diagnoses.map((diagnosis) => ({
        code: diagnosis.code,
        ...(diagnosis.note.trim() === '' ? {} : { note: diagnosis.note.trim() }),
      })),
      investigations: draft.investigations,
      advice: text(draft.advice),
      followUp,
      mode: draft.mode,
      // Sent only when the doctor changed it: otherwise the server's own reckoning stands.
      ...(draft.consultationType === loaded.consultationType ? {} : { consultationType: draft.consultationType }),
    },
    issues,
  };
}

interface Complaint {
  code: string;
  name: string;
  nameHi: string | null;
  redFlag: boolean;
}

interface Diagnosis {
  code: string;
  title: string;
}

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: number }
  | { kind: 'offline' }
  | { kind: 'failed'; message: string };

const draftKey = (id: string) => `sanjog.draft.${id}`;

/** Ends the token once its consultation has ended. */
async function finishToken(tokenId: string): Promise<void> {
  try {
    await api.post(`/api/v1/opd/tokens/${encodeURIComponent(tokenId)}/finish`, {});
  } catch (error) {
    // Finished already (a retry whose answer was lost) is what we wanted.
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
  }
}
const SAVE_AFTER_MS = 1500;
const RETRY_MS = 5000;

/**
 * The consultation record: complaints from the coded list, history, examination, vitals with
 * units, ICD-10 diagnoses, investigations, advice and follow-up. Every change is kept on this
 * device at once and saved to the server as a draft a moment later, so neither a refresh nor a
 * dropped link loses anything. "Complete" and "Call did not happen" end the consultation.
 */
export function RecordForm(props: {
  consultationId: string;
  tokenId: string;
  tokenNumber: number;
  onDone: (text: string) => void;
}) {
  const { consultationId, tokenId, tokenNumber } = props;
  const i18n = useDoctorI18n();
  const { t } = i18n;
  // For the loader, which must not run again when the words or the parent's callback change.
  const tRef = useRef(t);
  const doneRef = useRef(props.onDone);
  useEffect(() => {
    tRef.current = t;
    doneRef.current = props.onDone;
  });
  const { expire } = useSession();
  const [consultation, setConsultation] = useState<Consultation | undefined>();
  const [loadError, setLoadError] = useState<ApiError | undefined>();
  const [patient, setPatient] = useState<Profile | undefined>();
  const [draft, setDraft] = useState<Draft | undefined>();
  const [restored, setRestored] = useState(false);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const [showIssues, setShowIssues] = useState(false);
  const [formError, setFormError] = useState<string | undefined>();
  const [ending, setEnding] = useState<'complete' | 'notHappened' | null>(null);
  const [ended, setEnded] = useState(false);
  const loaded = useRef<Draft | undefined>(undefined);
  const draftRef = useRef<Draft | undefined>(undefined);
  const version = useRef(0);
  const dirty = useRef(false);
  const saving = useRef<Promise<void> | null>(null);
  const errorBox = useRef<HTMLDivElement>(null);

  // Load the record; changes typed here before a refresh win over the server's draft.
  const load = useCallback(async () => {
    try {
      const found = await api.get<Consultation>(`/api/v1/consultations/${encodeURIComponent(consultationId)}`);
      if (found.status !== 'in_progress') {
        // Ended from another device or tab: nothing left to write here.
        visit.remove(draftKey(consultationId));
        await finishToken(tokenId);
        doneRef.current(tRef.current('record.endedElsewhere', { number: tokenNumber }));
        return;
      }
      setConsultation(found);
      version.current = found.version;
      const fromServer = fromConsultation(found);
      loaded.current = fromServer;
      const local = visit.get(draftKey(consultationId)) as { draft: Draft; dirty: boolean } | undefined;
      const start = local?.dirty === true ? local.draft : fromServer;
      if (local?.dirty === true) {
        dirty.current = true;
        setRestored(true);
      }
      draftRef.current = start;
      setDraft(start);
      setLoadError(undefined);
      patientById(found.patientId).then(setPatient, () => undefined);
    } catch (error) {
      const failure = toApiError(error);
      if (failure.status === 401) expire();
      setLoadError(failure);
    }
  }, [consultationId, tokenId, tokenNumber, expire]);

  useEffect(() => {
    void load();
  }, [load]);

  const save = useCallback((): Promise<void> => {
    if (saving.current !== null) return saving.current;
    const current = draftRef.current;
    const base = loaded.current;
    if (current === undefined || base === undefined || !dirty.current) return Promise.resolve();
    dirty.current = false;
    setSaveState({ kind: 'saving' });
    const run = (async () => {
      const { body } = build(current, base, i18n);
      try {
        let saved: Consultation;
        try {
          saved = await request<Consultation>(
            'PATCH',
            `/api/v1/consultations/${encodeURIComponent(consultationId)}/record`,
            { ...body, version: version.current },
          );
        } catch (error) {
          // Saved meanwhile from another tab or by a lost answer: take the new version, send ours again.
          if (!(error instanceof ApiError) || error.status !== 409) throw error;
          const fresh = await api.get<Consultation>(`/api/v1/consultations/${encodeURIComponent(consultationId)}`);
          if (fresh.status !== 'in_progress') throw error;
          version.current = fresh.version;
          saved = await request<Consultation>(
            'PATCH',
            `/api/v1/consultations/${encodeURIComponent(consultationId)}/record`,
            { ...body, version: version.current },
          );
        }
        version.current = saved.version;
        setSaveState({ kind: 'saved', at: Date.now() });
        if (!dirty.current) visit.set(draftKey(consultationId), { draft: current, dirty: false });
      } catch (error) {
        const failure = toApiError(error);
        if (failure.status === 401) expire();
        dirty.current = true;
        if (failure.transient) {
          setSaveState({ kind: 'offline' });
          window.setTimeout(() => void save(), RETRY_MS);
        } else setSaveState({ kind: 'failed', message: errorMessage(failure, i18n) });
      } finally {
        saving.current = null;
      }
    })();
    saving.current = run;
    return run;
  }, [consultationId, i18n, expire]);

  // A moment after the last change, save the draft (a change during a save waits for the next round).
  useEffect(() => {
    if (draft === undefined || !dirty.current) return;
    const timer = window.setTimeout(() => {
      void save().then(() => {
        if (dirty.current && saving.current === null) void save();
      });
    }, SAVE_AFTER_MS);
    return () => window.clearTimeout(timer);
  }, [draft, save]);

  const change = (update: (previous: Draft) => Draft) => {
    const previous = draftRef.current;
    if (previous === undefined) return;
    const next = update(previous);
    draftRef.current = next;
    dirty.current = true;
    visit.set(draftKey(consultationId), { draft: next, dirty: true });
    setDraft(next);
  };

  const complete = async () => {
    const current = draftRef.current;
    const base = loaded.current;
    if (current === undefined || base === undefined || ending !== null) return;
    setShowIssues(true);
    const { body, issues } = build(current, base, i18n);
    if (current.complaints.length === 0 && current.complaintText.trim() === '') {
      setFormError(t('record.complaintMissing'));
      window.setTimeout(() => document.getElementById('complaint-search')?.focus(), 0);
      return;
    }
    if (Object.keys(issues).length > 0) {
      setFormError(t('record.fixFields', { count: Object.keys(issues).length }));
      window.setTimeout(() => document.getElementById(Object.keys(issues)[0] ?? '')?.focus(), 0);
      return;
    }
    setFormError(undefined);
    setEnding('complete');
    try {
      await saving.current;
      const path = `/api/v1/consultations/${encodeURIComponent(consultationId)}/complete`;
      try {
        await api.post(path, { ...body, version: version.current });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        const fresh = await api.get<Consultation>(`/api/v1/consultations/${encodeURIComponent(consultationId)}`);
        // Completed already by a request whose answer was lost.
        if (fresh.status !== 'completed') {
          version.current = fresh.version;
          await api.post(path, { ...body, version: version.current });
        }
      }
      await finishToken(props.tokenId);
      visit.remove(draftKey(consultationId));
      setEnded(true);
      props.onDone(t('record.completed', { number: props.tokenNumber }));
    } catch (error) {
      setFormError(errorMessage(error, i18n));
      setEnding(null);
    }
  };

  useEffect(() => {
    if (formError !== undefined) errorBox.current?.scrollIntoView({ block: 'nearest' });
  }, [formError]);

  if (loadError !== undefined && draft === undefined)
    return <LoadError error={loadError} onRetry={() => void load()} />;
  if (consultation === undefined || draft === undefined) return <Loading />;
  if (ended) return null;
  const { issues } = build(draft, loaded.current ?? draft, i18n);
  const issue = (id: string) => issues[id];

  return (
    <form className="record" onSubmit={(event) => event.preventDefault()} noValidate data-testid="record-form">
      <header className="record-head">
        <h2>{t('record.title', { number: props.tokenNumber })}</h2>
        <p className="called-patient" data-testid="record-patient">
          {patient === undefined ? consultation.patientName : patientLine(patient, i18n)}
        </p>
        <div className="record-meta">
          <Select
            id="record-mode"
            label={t('record.mode')}
            options={MODES.map((mode) => ({ value: mode, label: t(`mode.${mode}`) }))}
            value={draft.mode}
            onChange={(event) => change((d) => ({ ...d, mode: event.target.value as Mode }))}
          />
          <Select
            id="record-type"
            label={t('record.type')}
            hint={
              draft.consultationType === consultation.consultationType ? t('record.typeAuto') : t('record.typeChanged')
            }
            options={[
              { value: 'first', label: t('record.first') },
              { value: 'follow_up', label: t('record.followUpVisit') },
            ]}
            value={draft.consultationType}
            onChange={(event) =>
              change((d) => ({ ...d, consultationType: event.target.value as 'first' | 'follow_up' }))
            }
          />
        </div>
        <SaveStatus state={saveState} restored={restored} />
      </header>

      <Section id="complaints" title={t('record.complaints')}>
        <TermSearch<Complaint>
          id="complaint-search"
          label={t('record.complaintSearch')}
          hint={t('record.complaintHint')}
          path="/api/v1/terminology/complaints"
          itemKey={(item) => item.code}
          render={(item) => (i18n.lang === 'hi' && item.nameHi !== null ? `${item.nameHi} (${item.name})` : item.name)}
          onPick={(item) =>
            change((d) =>
              d.complaints.some((complaint) => complaint.code === item.code)
                ? d
                : {
                    ...d,
                    complaints: [
                      ...d.complaints,
                      {
                        code: item.code,
                        display: item.name,
                        displayHi: item.nameHi,
                        redFlag: item.redFlag,
                        durationValue: '',
                        durationUnit: 'days',
                        severity: '',
                        note: '',
                      },
                    ],
                  },
            )
          }
          testId="complaint-search"
        />
        {draft.complaints.length > 0 && (
          <ul className="picked-list" data-testid="complaints">
            {draft.complaints.map((complaint, index) => {
              const set = (patch: Partial<ComplaintDraft>) =>
                change((d) => ({
                  ...d,
                  complaints: d.complaints.map((c, i) => (i === index ? { ...c, ...patch } : c)),
                }));
              const name = i18n.lang === 'hi' && complaint.displayHi !== null ? complaint.displayHi : complaint.display;
              const durationId = `complaint-${String(index)}-duration`;
              return (
                <li key={complaint.code} className="picked-item">
                  <p className="picked-title">
                    <span className="row-title">{name}</span>
                    {complaint.redFlag && <span className="priority priority-emergency">{t('record.redFlag')}</span>}
                  </p>
                  <fieldset className="field duration">
                    <legend>{t('record.duration', { name })}</legend>
                    <div className="field-pair">
                      <Field
                        id={durationId}
                        label={t('record.durationValue')}
                        error={showIssues || complaint.durationValue !== '' ? issue(durationId) : undefined}
                        className="input-short"
                        inputMode="numeric"
                        maxLength={3}
                        value={complaint.durationValue}
                        onChange={(event) => set({ durationValue: event.target.value.replace(/[^0-9]/g, '') })}
                        data-testid="complaint-duration"
                      />
                      <Select
                        id={`${durationId}-unit`}
                        label={t('record.durationUnit')}
                        options={DURATION_UNITS.map((unit) => ({ value: unit, label: t(`unit.${unit}`) }))}
                        value={complaint.durationUnit}
                        onChange={(event) => set({ durationUnit: event.target.value as DurationUnit })}
                      />
                      <Select
                        id={`complaint-${String(index)}-severity`}
                        label={t('record.severity')}
                        empty={t('record.notSaid')}
                        options={SEVERITIES.map((severity) => ({ value: severity, label: t(`severity.${severity}`) }))}
                        value={complaint.severity}
                        onChange={(event) => set({ severity: event.target.value as Severity | '' })}
                        data-testid="complaint-severity"
                      />
                    </div>
                  </fieldset>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => change((d) => ({ ...d, complaints: d.complaints.filter((_, i) => i !== index) }))}
                  >
                    {t('record.remove', { name })}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <TextArea
          id="complaint-text"
          label={t('record.complaintText')}
          hint={t('record.complaintTextHint')}
          value={draft.complaintText}
          onChange={(value) => change((d) => ({ ...d, complaintText: value }))}
        />
      </Section>

      <Section id="history" title={t('record.history')}>
        <TextArea
          id="record-history"
          label={t('record.historyLabel')}
          hint={t('record.historyHint')}
          value={draft.history}
          onChange={(value) => change((d) => ({ ...d, history: value }))}
        />
      </Section>

      <Section id="examination" title={t('record.examination')}>
        <TextArea
          id="record-examination"
          label={t('record.examinationLabel')}
          hint={t('record.examinationHint')}
          value={draft.examination}
          onChange={(value) => change((d) => ({ ...d, examination: value }))}
        />
      </Section>

      <Section id="vitals" title={t('record.vitals')} hint={t('record.vitalsHint')}>
        <VitalsFields vitals={draft.vitals} issue={issue} onChange={(vitals) => change((d) => ({ ...d, vitals }))} />
      </Section>

      <Section id="diagnoses" title={t('record.diagnoses')}>
        <TermSearch<Diagnosis>
          id="diagnosis-search"
          label={t('record.diagnosisSearch')}
          hint={t('record.diagnosisHint')}
          path="/api/v1/terminology/diagnoses"
          itemKey={(item) => item.code}
          render={(item) => `${item.code} ${item.title}`}
          onPick={(item) =>
            change((d) =>
              d.diagnoses.some((diagnosis) => diagnosis.code === item.code)
                ? d
                : { ...d, diagnoses: [...d.diagnoses, { code: item.code, title: item.title, note: '' }] },
            )
          }
          testId="diagnosis-search"
        />
        {draft.diagnoses.length > 0 && (
          <ul className="picked-list" data-testid="diagnoses">
            {draft.diagnoses.map((diagnosis, index) => (
              <li key={diagnosis.code} className="picked-item picked-row">
                <span className="row-title">
                  <code>{diagnosis.code}</code> {diagnosis.title}
                </span>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => change((d) => ({ ...d, diagnoses: d.diagnoses.filter((_, i) => i !== index) }))}
                >
                  {t('record.remove', { name: diagnosis.code })}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="investigations" title={t('record.investigations')}>
        <Investigations
          items={draft.investigations}
          onChange={(investigations) => change((d) => ({ ...d, investigations }))}
        />
      </Section>

      <Section id="advice" title={t('record.advice')}>
        <TextArea
          id="record-advice"
          label={t('record.adviceLabel')}
          hint={t('record.adviceHint')}
          value={draft.advice}
          onChange={(value) => change((d) => ({ ...d, advice: value }))}
          testId="record-advice"
        />
      </Section>

      <Section id="follow-up" title={t('record.followUp')}>
        <div className="field-pair">
          <Select
            id="follow-up-with"
            label={t('record.followUpWith')}
            empty={t('record.noFollowUp')}
            options={FOLLOW_UP_WITH.map((value) => ({ value, label: t(`followUp.${value}`) }))}
            value={draft.followUpWith}
            onChange={(event) => change((d) => ({ ...d, followUpWith: event.target.value as FollowUpWith | '' }))}
          />
          {draft.followUpWith !== '' && (
            <Field
              id="follow-up-days"
              label={t('record.followUpDays')}
              error={showIssues || draft.followUpDays !== '' ? issue('follow-up-days') : undefined}
              className="input-short"
              inputMode="numeric"
              maxLength={3}
              value={draft.followUpDays}
              onChange={(event) => change((d) => ({ ...d, followUpDays: event.target.value.replace(/[^0-9]/g, '') }))}
            />
          )}
        </div>
      </Section>

      <div ref={errorBox}>{formError !== undefined && <Notice kind="error">{formError}</Notice>}</div>
      <div className="record-actions">
        <button
          type="button"
          className="button button-big"
          disabled={ending !== null}
          onClick={() => void complete()}
          data-testid="complete"
        >
          {ending === 'complete' ? t('record.completing') : t('record.complete')}
        </button>
        <NotHappened
          consultationId={consultationId}
          disabled={ending === 'complete'}
          onStart={() => setEnding('notHappened')}
          onFail={() => setEnding(null)}
          onEnded={async () => {
            await finishToken(props.tokenId);
            visit.remove(draftKey(consultationId));
            setEnded(true);
            props.onDone(t('record.notHappenedDone', { number: props.tokenNumber }));
          }}
        />
      </div>
    </form>
  );
}

function SaveStatus({ state, restored }: { state: SaveState; restored: boolean }) {
  const i18n = useDoctorI18n();
  const { t } = i18n;
  let text = '';
  if (state.kind === 'saving') text = t('record.saving');
  else if (state.kind === 'saved') text = t('record.saved', { time: i18n.time(new Date(state.at)) });
  else if (state.kind === 'offline') text = t('record.savedHere');
  else if (state.kind === 'failed') text = t('record.saveFailed', { reason: state.message });
  else if (restored) text = t('record.restored');
  else text = t('record.autosave');
  return (
    <p
      className={state.kind === 'failed' ? 'save-status save-failed' : 'save-status'}
      data-testid="save-status"
      data-state={state.kind}
    >
      {/* Only failures interrupt; "saved" is there to glance at, not to be read out every time. */}
      <span role={state.kind === 'failed' ? 'alert' : undefined}>{text}</span>
    </p>
  );
}

function Section({ id, title, hint, children }: { id: string; title: string; hint?: string; children: ReactNode }) {
  return (
    <fieldset className="record-section" id={`section-${id}`}>
      <legend className="record-legend">{title}</legend>
      {hint !== undefined && <p className="hint">{hint}</p>}
      {children}
    </fieldset>
  );
}

function TextArea(props: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  testId?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.hint !== undefined && (
        <p id={`${props.id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
      <textarea
        id={props.id}
        className="input"
        rows={3}
        maxLength={5000}
        aria-describedby={props.hint === undefined ? undefined : `${props.id}-hint`}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        data-testid={props.testId}
      />
    </div>
  );
}

function VitalsFields({
  vitals,
  issue,
  onChange,
}: {
  vitals: VitalsDraft;
  issue: (id: string) => string | undefined;
  onChange: (vitals: VitalsDraft) => void;
}) {
  const { t } = useDoctorI18n();
  const set = (patch: Partial<VitalsDraft>) => onChange({ ...vitals, ...patch });
  const number = (name: VitalName, label: string, unit?: string) => (
    <Field
      id={`vital-${name}`}
      label={unit === undefined ? label : `${label} (${unit})`}
      error={vitals[name] === '' ? undefined : issue(`vital-${name}`)}
      className="input-short"
      inputMode="decimal"
      autoComplete="off"
      maxLength={6}
      value={vitals[name]}
      onChange={(event) => set({ [name]: event.target.value.replace(/[^0-9.,]/g, '') })}
      data-testid={`vital-${name}`}
    />
  );
  const unitSelect = <K extends 'temperatureUnit' | 'weightUnit' | 'heightUnit' | 'glucoseUnit'>(
    key: K,
    label: string,
    units: readonly VitalsDraft[K][],
  ) => (
    <Select
      id={`vital-${key}`}
      label={label}
      className="input-unit"
      options={units.map((unit) => ({ value: unit, label: UNIT_LABELS[unit] ?? unit }))}
      value={vitals[key]}
      onChange={(event) => set({ [key]: event.target.value })}
    />
  );
  return (
    <div className="vitals-grid">
      {number('systolic', t('vitals.systolic'), 'mmHg')}
      {number('diastolic', t('vitals.diastolic'), 'mmHg')}
      {number('pulse', t('vitals.pulse'), t('vitals.perMinute'))}
      {number('spo2', t('vitals.spo2'), '%')}
      {number('respiratoryRate', t('vitals.respiratoryRate'), t('vitals.perMinute'))}
      <div className="vital-unit">
        {number('temperature', t('vitals.temperature'))}
        {unitSelect('temperatureUnit', t('vitals.temperatureUnit'), ['[degF]', 'Cel'])}
      </div>
      <div className="vital-unit">
        {number('weight', t('vitals.weight'))}
        {unitSelect('weightUnit', t('vitals.weightUnit'), ['kg', '[lb_av]'])}
      </div>
      <div className="vital-unit">
        {number('height', t('vitals.height'))}
        {unitSelect('heightUnit', t('vitals.heightUnit'), ['cm', '[in_i]'])}
      </div>
      <div className="vital-unit">
        {number('glucose', t('vitals.glucose'))}
        {unitSelect('glucoseUnit', t('vitals.glucoseUnit'), ['mg/dL', 'mmol/L'])}
      </div>
      <Select
        id="vital-glucose-timing"
        label={t('vitals.glucoseTiming')}
        empty={t('record.notSaid')}
        options={(['fasting', 'random', 'after_meal'] as const).map((value) => ({
          value,
          label: t(`glucose.${value}`),
        }))}
        value={vitals.glucoseTiming}
        onChange={(event) => set({ glucoseTiming: event.target.value as GlucoseTiming })}
      />
    </div>
  );
}

function Investigations({ items, onChange }: { items: string[]; onChange: (items: string[]) => void }) {
  const { t } = useDoctorI18n();
  const [text, setText] = useState('');
  const add = () => {
    const value = text.trim();
    if (value === '') return;
    if (!items.includes(value)) onChange([...items, value]);
    setText('');
  };
  return (
    <>
      <div className="inline-add">
        <Field
          id="investigation-new"
          label={t('record.investigationLabel')}
          hint={t('record.investigationHint')}
          maxLength={200}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="button button-secondary" onClick={add}>
          {t('record.add')}
        </button>
      </div>
      {items.length > 0 && (
        <ul className="picked-list">
          {items.map((item) => (
            <li key={item} className="picked-item picked-row">
              <span>{item}</span>
              <button type="button" className="link-button" onClick={() => onChange(items.filter((i) => i !== item))}>
                {t('record.remove', { name: item })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NotHappened(props: {
  consultationId: string;
  disabled: boolean;
  onStart: () => void;
  onFail: () => void;
  onEnded: () => Promise<void>;
}) {
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<NotHappenedReason | ''>('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);

  const submit = async () => {
    if (reason === '') {
      setError(t('notHappened.chooseReason'));
      first.current?.focus();
      return;
    }
    if (reason === 'other' && text.trim() === '') {
      setError(t('notHappened.sayWhy'));
      document.getElementById(`${id}-text`)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    props.onStart();
    try {
      await api.post(`/api/v1/consultations/${encodeURIComponent(props.consultationId)}/not-happened`, {
        reason,
        ...(text.trim() === '' ? {} : { text: text.trim() }),
      });
      await props.onEnded();
    } catch (failure) {
      setError(errorMessage(failure, i18n));
      setBusy(false);
      props.onFail();
    }
  };

  if (!open)
    return (
      <button
        type="button"
        className="button button-secondary"
        disabled={props.disabled}
        onClick={() => setOpen(true)}
        data-testid="not-happened"
      >
        {t('notHappened.button')}
      </button>
    );
  return (
    <div className="confirm-box not-happened">
      <fieldset className="field">
        <legend>{t('notHappened.why')}</legend>
        {error !== undefined && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {NOT_HAPPENED_REASONS.map((value, index) => (
          <label key={value} className="checkbox" htmlFor={`${id}-${value}`}>
            <input
              ref={index === 0 ? first : undefined}
              id={`${id}-${value}`}
              type="radio"
              name={`${id}-reason`}
              checked={reason === value}
              onChange={() => setReason(value)}
            />
            <span>{t(`notHappened.${value}`)}</span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-text`}>
          {reason === 'other' ? t('notHappened.textRequired') : t('notHappened.text')}
        </label>
        <textarea
          id={`${id}-text`}
          className="input"
          rows={2}
          maxLength={500}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <div className="form-buttons">
        <button type="button" className="button button-danger" disabled={busy} onClick={() => void submit()}>
          {busy ? t('record.completing') : t('notHappened.confirm')}
        </button>
        <button type="button" className="button button-secondary" disabled={busy} onClick={() => setOpen(false)}>
          {t('notHappened.cancel')}
        </button>
      </div>
    </div>
  );
}
