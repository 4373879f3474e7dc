import { useEffect, useId, useState, type ReactNode, type SyntheticEvent } from 'react';
import { withQuery } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { BackLink, CheckboxGroup, DistrictName, SelectField } from './components';
import { useAdminI18n, type AdminI18n } from './i18n';
import {
  fieldIssues,
  LANGUAGE_CODES,
  languageNamer,
  onlyState,
  put,
  specialityName,
  useAdmin,
  useSpecialities,
  useStates,
} from './shared';
import { checkWeek, rowKey, WeekEditor, type TimeRow } from './WeekEditor';

interface OpdNow {
  openNow: boolean;
  opensAt?: string;
  closesAt?: string;
  activeDoctors: number;
  doctorsOnShift: number;
  doctorsAvailable: number;
}

interface OpdSummary extends OpdNow {
  id: string;
  name: string;
  stateId: string;
  districtId: string;
  specialityCode: string | null;
  dailyCapacity: number;
  waitingRoomSize: number;
  consultationMinutes: number;
}

interface OpdSettings {
  specialityCode: string | null;
  dailyCapacity: number;
  waitingRoomSize: number;
  consultationMinutes: number;
  languages: string[];
}

interface Session {
  weekday: number;
  opensAt: string;
  closesAt: string;
}

interface OpdDetail extends OpdNow {
  id: string;
  name: string;
  stateId: string;
  districtId: string;
  active: boolean;
  timeZone: string;
  settings: OpdSettings | null;
  hours: Session[];
}

/** "Open now, until 5:00 pm" or "Closed; opens Mon 9:00 am", in the state's time. */
function openText(opd: OpdNow, i18n: AdminI18n): string {
  const { t } = i18n;
  if (opd.openNow)
    return opd.closesAt === undefined ? t('opd.openNow') : t('opd.openUntil', { time: i18n.dateTime(opd.closesAt) });
  return opd.opensAt === undefined ? t('opd.noHours') : t('opd.closedOpens', { time: i18n.dateTime(opd.opensAt) });
}

export function OpdsPage() {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { scope } = useAdmin();
  const { query } = useLocation();
  const fixedState = onlyState(scope);
  const stateId = fixedState ?? query.get('state') ?? '';
  const states = useStates();
  const specialities = useSpecialities().data?.items;
  const load = useApi<{ total: number; items: OpdSummary[] }>(
    stateId === '' ? null : withQuery('/api/v1/opds', { stateId, limit: 500 }),
  );
  const stateChoices = (states ?? []).filter((state) => scope.all || scope.stateIds.includes(state.id));
  const specialityLabel = (code: string | null) =>
    code === null
      ? t('opd.general')
      : specialityName(
          specialities?.find((item) => item.code === code),
          code,
          i18n.lang,
        );

  return (
    <Page title={t('opds.title')}>
      <BackLink to="/home">{t('admin.home')}</BackLink>
      <p>{t('opds.intro')}</p>
      {fixedState === undefined && (
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <SelectField
            id="opd-state"
            label={t('admin.state')}
            empty={t('admin.choose')}
            options={stateChoices.map((state) => ({ value: state.id, label: state.name }))}
            value={stateId}
            onChange={(event) =>
              navigate(withQuery('/admin/opds', { state: event.target.value || undefined }), { replace: true })
            }
          />
        </form>
      )}
      {stateId === '' && <p>{t('opds.chooseState')}</p>}
      {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
      {load.loading && <Loading />}
      {load.data !== undefined &&
        (load.data.items.length === 0 ? (
          <p>{t('opds.none')}</p>
        ) : (
          <table className="data-table" role="table" data-testid="opd-table">
            <caption className="visually-hidden">{t('opds.title')}</caption>
            <thead role="rowgroup">
              <tr role="row">
                <th role="columnheader" scope="col">
                  {t('facility.name')}
                </th>
                <th role="columnheader" scope="col">
                  {t('practitioner.speciality')}
                </th>
                <th role="columnheader" scope="col">
                  {t('opd.now')}
                </th>
                <th role="columnheader" scope="col">
                  {t('opd.doctors')}
                </th>
                <th role="columnheader" scope="col">
                  {t('opd.capacity')}
                </th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {load.data.items.map((opd) => (
                <tr key={opd.id} role="row" data-testid="opd-row">
                  <th role="rowheader" scope="row" data-label={t('facility.name')}>
                    <Link to={`/admin/opds/${opd.id}`}>{opd.name}</Link>
                  </th>
                  <td role="cell" data-label={t('practitioner.speciality')}>
                    {specialityLabel(opd.specialityCode)}
                  </td>
                  <td role="cell" data-label={t('opd.now')}>
                    {openText(opd, i18n)}
                  </td>
                  <td role="cell" data-label={t('opd.doctors')}>
                    {t('opd.doctorsCount', {
                      available: opd.doctorsAvailable,
                      onShift: opd.doctorsOnShift,
                      active: opd.activeDoctors,
                    })}
                  </td>
                  <td role="cell" data-label={t('opd.capacity')}>
                    {t('opd.capacityText', { capacity: opd.dailyCapacity, minutes: opd.consultationMinutes })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </Page>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="admin-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

export function OpdPage({ id }: { id: string }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const load = useApi<OpdDetail>(`/api/v1/opds/${id}`);
  const [opd, setOpd] = useState<OpdDetail | undefined>();
  useEffect(() => {
    if (load.data !== undefined) setOpd(load.data);
  }, [load.data]);

  if (load.error?.status === 404) {
    return (
      <Page title={t('opd.notFound')}>
        <BackLink to="/admin/opds">{t('opds.back')}</BackLink>
        <Notice kind="error">{t('opd.notFoundBody')}</Notice>
      </Page>
    );
  }
  if (opd === undefined) {
    return (
      <>
        {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
        <Loading />
      </>
    );
  }
  return (
    <Page title={opd.name}>
      <BackLink to="/admin/opds">{t('opds.back')}</BackLink>
      <p className="facts" data-testid="opd-facts">
        <DistrictName stateId={opd.stateId} districtId={opd.districtId} /> · {openText(opd, i18n)} ·{' '}
        {t('opd.doctorsCount', {
          available: opd.doctorsAvailable,
          onShift: opd.doctorsOnShift,
          active: opd.activeDoctors,
        })}
      </p>
      {!opd.active && <Notice kind="info">{t('opd.inactive')}</Notice>}
      <p>
        <Link to={`/admin/facilities/${opd.id}`}>{t('opd.facilityLink')}</Link>
      </p>
      <Section title={t('opd.settings')}>
        <OpdSettingsForm opd={opd} onSaved={setOpd} />
      </Section>
      <Section title={t('opd.hours')}>
        <OpdHoursForm opd={opd} onSaved={setOpd} />
      </Section>
    </Page>
  );
}

interface SettingsDraft {
  specialityCode: string;
  dailyCapacity: string;
  waitingRoomSize: string;
  consultationMinutes: string;
  languages: string[];
}

type SettingsField = Exclude<keyof SettingsDraft, 'languages'> | 'languages';
const SETTINGS_ORDER: SettingsField[] = [
  'specialityCode',
  'dailyCapacity',
  'waitingRoomSize',
  'consultationMinutes',
  'languages',
];

const settingsDraft = (settings: OpdSettings | null): SettingsDraft => ({
  specialityCode: settings?.specialityCode ?? '',
  dailyCapacity: String(settings?.dailyCapacity ?? 100),
  waitingRoomSize: String(settings?.waitingRoomSize ?? 20),
  consultationMinutes: String(settings?.consultationMinutes ?? 10),
  languages: settings?.languages ?? ['hi', 'en'],
});

function wholeNumber(value: string, min: number, max: number): number | undefined {
  if (!/^[0-9]+$/.test(value.trim())) return undefined;
  const number = Number(value.trim());
  return number >= min && number <= max ? number : undefined;
}

function OpdSettingsForm({ opd, onSaved }: { opd: OpdDetail; onSaved: (opd: OpdDetail) => void }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const specialities = useSpecialities();
  const [draft, setDraft] = useState(() => settingsDraft(opd.settings));
  const [errors, setErrors] = useState<Partial<Record<SettingsField, string>>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const languageName = languageNamer(i18n.locale);

  const set = <K extends keyof SettingsDraft>(name: K, value: SettingsDraft[K]) => {
    setDraft((current) => ({ ...current, [name]: value }));
    setNotice(undefined);
    setErrors(({ [name]: _fixed, ...others }) => others);
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    setFormError(undefined);
    setNotice(undefined);
    const dailyCapacity = wholeNumber(draft.dailyCapacity, 1, 100_000);
    const waitingRoomSize = wholeNumber(draft.waitingRoomSize, 1, 10_000);
    const consultationMinutes = wholeNumber(draft.consultationMinutes, 1, 120);
    const invalid: Partial<Record<SettingsField, string>> = {};
    if (dailyCapacity === undefined) invalid.dailyCapacity = t('opd.capacityInvalid');
    if (waitingRoomSize === undefined) invalid.waitingRoomSize = t('opd.waitingInvalid');
    if (consultationMinutes === undefined) invalid.consultationMinutes = t('opd.minutesInvalid');
    if (draft.languages.length === 0) invalid.languages = t('opd.languagesRequired');
    if (
      dailyCapacity === undefined ||
      waitingRoomSize === undefined ||
      consultationMinutes === undefined ||
      Object.keys(invalid).length > 0
    ) {
      setErrors(invalid);
      setFormError(t('admin.fixFields', { count: Object.keys(invalid).length }));
      const first = SETTINGS_ORDER.find((name) => invalid[name] !== undefined);
      if (first !== undefined) document.getElementById(`opd-${first}`)?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await put<OpdDetail>(`/api/v1/opds/${opd.id}/settings`, {
        specialityCode: draft.specialityCode === '' ? null : draft.specialityCode,
        dailyCapacity,
        waitingRoomSize,
        consultationMinutes,
        languages: draft.languages,
      });
      setNotice(t('admin.savedAt', { time: i18n.time(new Date()) }));
      onSaved(saved);
    } catch (error) {
      const fromServer: Partial<Record<SettingsField, string>> = {};
      for (const issue of fieldIssues(error)) {
        const field = issue.field.split('.')[0] as SettingsField;
        if (SETTINGS_ORDER.includes(field)) fromServer[field] ??= issue.message;
      }
      if (Object.keys(fromServer).length > 0) setErrors(fromServer);
      setFormError(errorMessage(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form form-wide" onSubmit={(event) => void submit(event)} noValidate data-testid="opd-settings">
      {opd.settings === null && <Notice kind="info">{t('opd.noSettings')}</Notice>}
      <SelectField
        id="opd-specialityCode"
        label={t('practitioner.speciality')}
        hint={t('opd.specialityHint')}
        error={errors.specialityCode}
        empty={t('opd.general')}
        options={(specialities.data?.items ?? []).map((item) => ({
          value: item.code,
          label: specialityName(item, item.code, i18n.lang),
        }))}
        value={draft.specialityCode}
        onChange={(event) => set('specialityCode', event.target.value)}
      />
      <Field
        id="opd-dailyCapacity"
        label={t('opd.dailyCapacity')}
        hint={t('opd.dailyCapacityHint')}
        error={errors.dailyCapacity}
        className="input-short"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        value={draft.dailyCapacity}
        onChange={(event) => set('dailyCapacity', event.target.value)}
      />
      <Field
        id="opd-waitingRoomSize"
        label={t('opd.waitingRoomSize')}
        hint={t('opd.waitingRoomSizeHint')}
        error={errors.waitingRoomSize}
        className="input-short"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        value={draft.waitingRoomSize}
        onChange={(event) => set('waitingRoomSize', event.target.value)}
      />
      <Field
        id="opd-consultationMinutes"
        label={t('opd.consultationMinutes')}
        hint={t('opd.consultationMinutesHint')}
        error={errors.consultationMinutes}
        className="input-short"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        value={draft.consultationMinutes}
        onChange={(event) => set('consultationMinutes', event.target.value)}
      />
      <CheckboxGroup
        id="opd-languages"
        legend={t('opd.languages')}
        hint={t('opd.languagesHint')}
        error={errors.languages}
        options={[...LANGUAGE_CODES].map((code) => ({ value: code, label: languageName(code) }))}
        selected={draft.languages}
        onChange={(languages) => set('languages', languages)}
      />
      {formError !== undefined && <Notice kind="error">{formError}</Notice>}
      {notice !== undefined && <Notice kind="success">{notice}</Notice>}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy} data-testid="opd-settings-save">
          {busy ? t('admin.saving') : t('opd.saveSettings')}
        </button>
      </div>
    </form>
  );
}

const toRows = (sessions: Session[]): TimeRow[] =>
  sessions.map((session) => ({
    key: rowKey(),
    weekday: session.weekday,
    start: session.opensAt,
    // A time input cannot show 24:00; 00:00 as a closing time means midnight.
    end: session.closesAt === '24:00' ? '00:00' : session.closesAt,
  }));

const toSessions = (rows: TimeRow[]): Session[] =>
  rows.map((row) => ({ weekday: row.weekday, opensAt: row.start, closesAt: row.end === '00:00' ? '24:00' : row.end }));

const signature = (sessions: Session[]) =>
  JSON.stringify([...sessions].map((session) => `${session.weekday} ${session.opensAt} ${session.closesAt}`).sort());

function OpdHoursForm({ opd, onSaved }: { opd: OpdDetail; onSaved: (opd: OpdDetail) => void }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const [rows, setRows] = useState(() => toRows(opd.hours));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const savedSignature = signature(opd.hours);
  useEffect(() => {
    setRows(toRows(opd.hours));
  }, [savedSignature]);
  const dirty = signature(toSessions(rows)) !== savedSignature;

  const save = async () => {
    setFormError(undefined);
    setNotice(undefined);
    const invalid = checkWeek(rows, 'opd', t);
    setErrors(invalid);
    if (Object.keys(invalid).length > 0) {
      setFormError(t('admin.fixFields', { count: Object.keys(invalid).length }));
      return;
    }
    setBusy(true);
    try {
      const saved = await put<OpdDetail>(`/api/v1/opds/${opd.id}/hours`, { sessions: toSessions(rows) });
      setNotice(t('admin.savedAt', { time: i18n.time(new Date()) }));
      onSaved(saved);
    } catch (error) {
      const fromServer: Record<string, string> = {};
      for (const issue of fieldIssues(error)) {
        const row = rows[Number(/^sessions\.(\d+)/.exec(issue.field)?.[1] ?? -1)];
        if (row !== undefined) fromServer[row.key] ??= issue.message;
      }
      setErrors(fromServer);
      setFormError(errorMessage(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="opd-hours">
      <WeekEditor
        id="opd-hours"
        mode="opd"
        rows={rows}
        errors={errors}
        disabled={busy}
        onChange={(next) => {
          setRows(next);
          setNotice(undefined);
        }}
      />
      {formError !== undefined && <Notice kind="error">{formError}</Notice>}
      {notice !== undefined && <Notice kind="success">{notice}</Notice>}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={busy || !dirty}
          onClick={() => void save()}
          data-testid="opd-hours-save"
        >
          {busy ? t('admin.saving') : t('opd.saveHours')}
        </button>
        {dirty && (
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={() => {
              setRows(toRows(opd.hours));
              setErrors({});
              setFormError(undefined);
            }}
          >
            {t('admin.undo')}
          </button>
        )}
      </div>
    </div>
  );
}
