import { useEffect, useId, useState } from 'react';
// Choices, in the order offered; the server checks them again.
import {
  DOSE_UNITS,
  DURATION_UNITS,
  FREQUENCIES,
  PRESCRIPTION_LANGUAGES,
  TIMINGS,
  type PrescriptionLanguage,
} from '@sanjog/shared';
import { api, ApiError } from '../api';
import { Field } from '../components/Field';
import { LoadError, Notice } from '../components/Notice';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { RxI18nProvider, useRxI18n, type RxI18n } from '../rx/i18n';
import type { Allergy, Medicine, Prescription } from '../rx/types';
import '../rx/rx.css';
import { useApi } from '../useApi';
import { DoctorI18nProvider } from './i18n';
import { kept } from './shared';
import { TermSearch } from './TermSearch';

/** The dose unit a form is usually counted in. */
function unitOfForm(form: string): (typeof DOSE_UNITS)[number] {
  const f = form.toLowerCase();
  if (f.includes('capsule')) return 'capsule';
  if (f.includes('drop')) return 'drop';
  if (f.includes('liquid') || f.includes('syrup') || f.includes('suspension')) return 'ml';
  if (f.includes('inhal')) return 'puff';
  if (/cream|ointment|lotion|gel/.test(f)) return 'application';
  if (/powder|granule|sachet/.test(f)) return 'sachet';
  if (f.includes('inject')) return 'injection';
  return 'tablet';
}

interface DraftItem {
  key: string;
  medicine: Medicine;
  strength: string;
  doseValue: string;
  doseUnit: string;
  frequency: string;
  timing: string;
  durationValue: string;
  durationUnit: string;
  instructions: string;
  instructionsLocal: string;
}

/** The patient's language beside English first (the usual choice), English alone last. */
const LANGUAGE_CHOICES = [...PRESCRIPTION_LANGUAGES.filter((language) => language !== 'en'), 'en' as const];
const isLanguage = (value: string): value is PrescriptionLanguage =>
  (PRESCRIPTION_LANGUAGES as readonly string[]).includes(value);

interface Draft {
  /** As the doctor chose it; until then the consultation's default (the patient's or their state's language). */
  language?: PrescriptionLanguage;
  items: DraftItem[];
  investigations: string;
  advice: string;
  adviceLocal: string;
  followUpDate: string;
}

const EMPTY: Draft = { items: [], investigations: '', advice: '', adviceLocal: '', followUpDate: '' };

/**
 * The prescription of the consultation in hand: written, checked and signed by its doctor. Used
 * by the OPD console and the hub doctor's case, so it brings the words it needs with it.
 */
export function PrescriptionPanel({ consultationId, patientId }: { consultationId: string; patientId: string }) {
  return (
    <DoctorI18nProvider>
      <RxI18nProvider>
        <Panel consultationId={consultationId} patientId={patientId} />
      </RxI18nProvider>
    </DoctorI18nProvider>
  );
}

function Panel({ consultationId, patientId }: { consultationId: string; patientId: string }) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const headingId = useId();
  const storageKey = `sanjog.rxDraft.${consultationId}`;
  // A half-written prescription survives a reload or a dropped link on this device.
  const [draft, setDraft] = useState<Draft>(() => ({
    ...EMPTY,
    ...(kept.get(storageKey) as Partial<Draft> | undefined),
  }));
  useEffect(() => kept.set(storageKey, draft), [storageKey, draft]);
  const signedList = useApi<{ items: Prescription[]; defaultLanguage: PrescriptionLanguage | null }>(
    `/api/v1/consultations/${consultationId}/prescriptions`,
  );
  const [replacing, setReplacing] = useState<{ prescription: Prescription; reason: string } | undefined>();
  const [refusals, setRefusals] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [news, setNews] = useState<string | undefined>();
  const [signing, setSigning] = useState(false);

  const signed = signedList.data?.items ?? [];
  // Until the list has said the consultation's default, the server applies it when signing.
  const known = draft.language ?? signedList.data?.defaultLanguage ?? undefined;
  const language = known ?? 'en';
  const languageName = language === 'en' ? '' : t(`rx.langName.${language}`);
  const active = signed.find((rx) => rx.status === 'active');
  const writing = active === undefined || replacing !== undefined;

  const update = (key: string, change: Partial<DraftItem>) =>
    setDraft((current) => ({
      ...current,
      items: current.items.map((item) => (item.key === key ? { ...item, ...change } : item)),
    }));

  const add = (medicine: Medicine) =>
    setDraft((current) => ({
      ...current,
      items: [
        ...current.items,
        {
          key: `${medicine.code}-${String(Date.now())}`,
          medicine,
          strength: medicine.strengths[0] ?? '',
          doseValue: '1',
          doseUnit: unitOfForm(medicine.form),
          frequency: 'twice_daily',
          timing: 'after_food',
          durationValue: '5',
          durationUnit: 'days',
          instructions: '',
          instructionsLocal: '',
        },
      ],
    }));

  const sign = async () => {
    setSigning(true);
    setRefusals([]);
    setError(undefined);
    setNews(undefined);
    const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
    const body = {
      ...(known === undefined ? {} : { language: known }),
      items: draft.items.map((item) => ({
        medicineCode: item.medicine.code,
        ...(item.strength === '' ? {} : { strength: item.strength }),
        dose: { value: Number(item.doseValue), unit: item.doseUnit },
        frequency: item.frequency,
        ...(item.timing === '' ? {} : { timing: item.timing }),
        ...(item.durationValue === ''
          ? {}
          : { duration: { value: Number(item.durationValue), unit: item.durationUnit } }),
        ...(text(item.instructions) === undefined ? {} : { instructions: text(item.instructions) }),
        ...(text(item.instructionsLocal) === undefined || language === 'en'
          ? {}
          : { instructionsLocal: text(item.instructionsLocal) }),
      })),
      investigations: draft.investigations
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
      ...(text(draft.advice) === undefined ? {} : { advice: text(draft.advice) }),
      ...(text(draft.adviceLocal) === undefined || language === 'en' ? {} : { adviceLocal: text(draft.adviceLocal) }),
      ...(draft.followUpDate === '' ? {} : { followUpDate: draft.followUpDate }),
      ...(replacing === undefined ? {} : { replaces: { id: replacing.prescription.id, reason: replacing.reason } }),
    };
    try {
      await api.post<Prescription>(`/api/v1/consultations/${consultationId}/prescriptions`, body, {
        idempotencyKey: undefined,
      });
      kept.remove(storageKey);
      setDraft(EMPTY);
      setReplacing(undefined);
      setNews(t('rx.signed'));
      signedList.reload();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 422)
        setRefusals(caught.outcome.issue.map((issue) => issue.diagnostics ?? issue.code));
      else setError(errorMessage(caught, i18n));
    } finally {
      setSigning(false);
    }
  };

  return (
    <section className="rx-panel" aria-labelledby={headingId} data-testid="rx-panel">
      <h2 id={headingId}>{t('rx.panelTitle')}</h2>
      <p className="hint">{t('rx.panelHint')}</p>
      <Allergies patientId={patientId} />
      <Earlier patientId={patientId} consultationId={consultationId} />
      {news !== undefined && <Notice kind="success">{news}</Notice>}
      {signedList.error !== undefined && signedList.data === undefined && (
        <LoadError error={signedList.error} onRetry={signedList.reload} />
      )}
      {signed.length > 0 && (
        <SignedList items={signed} onReplace={(prescription, reason) => setReplacing({ prescription, reason })} />
      )}
      {writing && (
        <>
          {replacing !== undefined && (
            <Notice kind="info">{t('rx.replacing', { date: i18n.date(replacing.prescription.signedAt) })}</Notice>
          )}
          <TermSearch<Medicine>
            id="rx-medicine"
            label={t('rx.searchLabel')}
            hint={t('rx.searchHint')}
            path="/api/v1/formulary/medicines"
            itemKey={(medicine) => medicine.code}
            render={(medicine) => `${medicine.name} — ${medicine.form} (${t('rx.list', { list: medicine.listCode })})`}
            onPick={add}
            testId="rx-medicine"
          />
          {draft.items.length === 0 && <p className="hint">{t('rx.noItems')}</p>}
          {draft.items.map((item, index) => (
            <ItemEditor
              key={item.key}
              item={item}
              index={index}
              language={language}
              languageName={languageName}
              onChange={(change) => update(item.key, change)}
              onRemove={() =>
                setDraft((current) => ({ ...current, items: current.items.filter((i) => i.key !== item.key) }))
              }
            />
          ))}
          <div className="field">
            <label htmlFor="rx-investigations">{t('rx.investigations')}</label>
            <textarea
              id="rx-investigations"
              className="input"
              rows={2}
              value={draft.investigations}
              onChange={(event) => setDraft({ ...draft, investigations: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="rx-advice">{t('rx.advice')}</label>
            <textarea
              id="rx-advice"
              className="input"
              rows={2}
              value={draft.advice}
              onChange={(event) => setDraft({ ...draft, advice: event.target.value })}
            />
          </div>
          {language !== 'en' && (
            <div className="field">
              <label htmlFor="rx-advice-local">{t('rx.adviceLocal', { language: languageName })}</label>
              <textarea
                id="rx-advice-local"
                className="input"
                rows={2}
                lang={language}
                value={draft.adviceLocal}
                onChange={(event) => setDraft({ ...draft, adviceLocal: event.target.value })}
              />
            </div>
          )}
          <Field
            id="rx-follow-up"
            type="date"
            label={t('rx.followUp')}
            value={draft.followUpDate}
            onChange={(event) => setDraft({ ...draft, followUpDate: event.target.value })}
          />
          <Select
            id="rx-language"
            label={t('rx.language')}
            value={language}
            options={LANGUAGE_CHOICES.map((choice) => ({ value: choice, label: t(`rx.lang.${choice}`) }))}
            onChange={(event) => {
              const chosen = event.target.value;
              if (isLanguage(chosen)) setDraft({ ...draft, language: chosen });
            }}
          />
          {refusals.length > 0 && (
            <Notice kind="error">
              <p>{t('rx.refused')}</p>
              <ul data-testid="rx-refusals">
                {refusals.map((refusal) => (
                  <li key={refusal}>{refusal}</li>
                ))}
              </ul>
            </Notice>
          )}
          {error !== undefined && <Notice kind="error">{error}</Notice>}
          <button type="button" className="button" disabled={signing} onClick={() => void sign()} data-testid="rx-sign">
            {signing ? t('rx.signing') : t('rx.sign')}
          </button>
        </>
      )}
    </section>
  );
}

function ItemEditor(props: {
  item: DraftItem;
  index: number;
  language: PrescriptionLanguage;
  languageName: string;
  onChange: (change: Partial<DraftItem>) => void;
  onRemove: () => void;
}) {
  const { t } = useRxI18n();
  const { item, index, onChange } = props;
  const id = (name: string) => `rx-${String(index)}-${name}`;
  return (
    <fieldset className="rx-item-card" data-testid="rx-item">
      <legend>
        {index + 1}. {item.medicine.name} — {item.medicine.form} ({t('rx.list', { list: item.medicine.listCode })})
      </legend>
      <div className="rx-item-grid">
        {item.medicine.strengths.length > 0 && (
          <Select
            id={id('strength')}
            label={t('rx.strength')}
            value={item.strength}
            options={item.medicine.strengths.map((strength) => ({ value: strength, label: strength }))}
            onChange={(event) => onChange({ strength: event.target.value })}
          />
        )}
        <Field
          id={id('dose')}
          label={t('rx.dose')}
          type="number"
          inputMode="decimal"
          min="0"
          step="any"
          value={item.doseValue}
          onChange={(event) => onChange({ doseValue: event.target.value })}
        />
        <Select
          id={id('unit')}
          label={t('rx.doseUnit')}
          value={item.doseUnit}
          options={DOSE_UNITS.map((unit) => ({ value: unit, label: t(`unit.${unit}`) }))}
          onChange={(event) => onChange({ doseUnit: event.target.value })}
        />
        <Select
          id={id('frequency')}
          label={t('rx.frequency')}
          value={item.frequency}
          options={FREQUENCIES.map((frequency) => ({ value: frequency, label: t(`freq.${frequency}`) }))}
          onChange={(event) => onChange({ frequency: event.target.value })}
          data-testid="rx-frequency"
        />
        <Select
          id={id('timing')}
          label={t('rx.timing')}
          value={item.timing}
          empty={t('timing.none')}
          options={TIMINGS.map((timing) => ({ value: timing, label: t(`timing.${timing}`) }))}
          onChange={(event) => onChange({ timing: event.target.value })}
        />
        <Field
          id={id('duration')}
          label={t('rx.duration')}
          type="number"
          inputMode="numeric"
          min="1"
          value={item.durationValue}
          onChange={(event) => onChange({ durationValue: event.target.value })}
        />
        <Select
          id={id('duration-unit')}
          label={t('rx.durationUnit')}
          value={item.durationUnit}
          options={DURATION_UNITS.map((unit) => ({ value: unit, label: t(`dur.${unit}`) }))}
          onChange={(event) => onChange({ durationUnit: event.target.value })}
        />
      </div>
      <Field
        id={id('instructions')}
        label={t('rx.instructions')}
        value={item.instructions}
        maxLength={500}
        onChange={(event) => onChange({ instructions: event.target.value })}
      />
      {props.language !== 'en' && (
        <Field
          id={id('instructions-local')}
          label={t('rx.instructionsLocal', { language: props.languageName })}
          lang={props.language}
          value={item.instructionsLocal}
          maxLength={500}
          onChange={(event) => onChange({ instructionsLocal: event.target.value })}
        />
      )}
      <button type="button" className="button button-secondary" onClick={props.onRemove}>
        {t('rx.remove')}
      </button>
    </fieldset>
  );
}

function SignedList({
  items,
  onReplace,
}: {
  items: Prescription[];
  onReplace: (prescription: Prescription, reason: string) => void;
}) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const [reason, setReason] = useState('');
  return (
    <section aria-label={t('rx.signedList')}>
      <h3>{t('rx.signedList')}</h3>
      <ul className="rows" data-testid="rx-signed">
        {items.map((rx) => (
          <li key={rx.id} data-status={rx.status}>
            <span className="row-title">
              {i18n.date(rx.signedAt)} · {statusWord(rx, i18n)}
            </span>
            <span className="row-meta">{rx.document.items.map((item) => item.name).join(', ')}</span>
            <span className="rx-actions">
              <a href={rx.pdfUrl} target="_blank" rel="noopener">
                {t('rx.pdf')}
              </a>
              <a href={`/rx/${rx.id}`} target="_blank" rel="noopener">
                {t('rx.verify')}
              </a>
            </span>
            {rx.status === 'active' && rx.dispensing === null && (
              <div className="inline-form">
                <Field
                  id={`rx-cancel-${rx.id}`}
                  label={t('rx.cancelReason')}
                  value={reason}
                  maxLength={500}
                  onChange={(event) => setReason(event.target.value)}
                />
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={reason.trim() === ''}
                  onClick={() => onReplace(rx, reason.trim())}
                >
                  {t('rx.cancel')}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The patient's earlier prescriptions: what a refill or a follow-up goes on from. */
function Earlier({ patientId, consultationId }: { patientId: string; consultationId: string }) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const list = useApi<{ items: Prescription[] }>(`/api/v1/patients/${patientId}/prescriptions?limit=10`);
  const earlier = (list.data?.items ?? []).filter((rx) => rx.consultationId !== consultationId);
  return (
    <div data-testid="rx-earlier">
      <h3>{t('rx.earlier')}</h3>
      {list.error !== undefined && list.data === undefined && <LoadError error={list.error} onRetry={list.reload} />}
      {list.data !== undefined && earlier.length === 0 && <p className="hint">{t('rx.noEarlier')}</p>}
      <ul className="rows">
        {earlier.map((rx) => (
          <li key={rx.id}>
            <details>
              <summary>
                <span className="row-title">{i18n.date(rx.signedAt)}</span>{' '}
                <span className="row-meta">
                  {rx.document.items.map((item) => item.name).join(', ') || rx.document.investigations.join(', ')} ·{' '}
                  {statusWord(rx, i18n)}
                </span>
              </summary>
              <p className="hint">
                {rx.document.doctor.name}, {rx.document.facility.name}
              </p>
              <ul>
                {rx.document.items.map((item) => (
                  <li key={item.index}>
                    {item.name} {item.form} {item.strength ?? ''}: {item.directions.en}
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}

function statusWord(rx: Prescription, i18n: RxI18n): string {
  if (rx.status === 'cancelled') return i18n.t('rx.cancelled');
  return rx.dispensing === null ? i18n.t('rx.active') : i18n.t('rx.dispensed');
}

/** The patient's allergies: what the signing checks against, and where a new one is added. */
function Allergies({ patientId }: { patientId: string }) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const path = `/api/v1/patients/${patientId}/allergies`;
  const list = useApi<{ items: Allergy[] }>(path);
  const [items, setItems] = useState<Allergy[] | undefined>();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const shown = items ?? list.data?.items;
  const change = async (call: Promise<{ items: Allergy[] }>) => {
    setError(undefined);
    try {
      setItems((await call).items);
      setText('');
    } catch (caught) {
      setError(errorMessage(caught, i18n));
    }
  };
  return (
    <div className="rx-allergies">
      <h3>{t('rx.allergies')}</h3>
      {shown !== undefined && shown.length === 0 && <p className="hint">{t('rx.noAllergies')}</p>}
      {shown !== undefined && shown.length > 0 && (
        <ul className="rx-chips" data-testid="rx-allergies">
          {shown.map((allergy) => (
            <li key={allergy.id} className="rx-chip">
              {allergy.substance}
              <button
                type="button"
                aria-label={t('rx.removeAllergy', { name: allergy.substance })}
                onClick={() => void change(api.delete<{ items: Allergy[] }>(`${path}/${allergy.id}`))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <div className="inline-add">
        <Field
          id="rx-allergy"
          label={t('rx.allergyLabel')}
          hint={t('rx.allergyHint')}
          value={text}
          maxLength={200}
          onChange={(event) => setText(event.target.value)}
        />
        <button
          type="button"
          className="button button-secondary"
          disabled={text.trim() === ''}
          onClick={() => void change(api.post<{ items: Allergy[] }>(path, { substance: text.trim() }))}
        >
          {t('rx.addAllergy')}
        </button>
      </div>
    </div>
  );
}
