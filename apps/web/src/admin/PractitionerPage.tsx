import { useEffect, useId, useRef, useState, type ReactNode, type SyntheticEvent } from 'react';
import { INDIAN_MOBILE_PATTERN, normaliseIndianMobile } from '@sanjog/shared';
import { api, ApiError } from '../api';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { BackLink, CheckboxGroup, ConflictNotice, FacilityPicker, icons, LiveMessage, SelectField } from './components';
import { useAdminI18n, type AdminI18n } from './i18n';
import { LeaveSection, ShiftsSection } from './Rosters';
import {
  fieldIssues,
  LANGUAGE_CODES,
  languageNamer,
  onlyState,
  put,
  specialityName,
  useAdmin,
  useAnnouncer,
  useIdempotencyKey,
  useSpecialities,
  useStates,
  type ServerIssue,
} from './shared';
import {
  GENDERS,
  PRACTITIONER_ROLES,
  type Gender,
  type Practitioner,
  type PractitionerRole,
  type Speciality,
} from './types';

/** India's professional registry (HPR) ids: 14 digits, often written in groups. */
const HPR_ID = /^[0-9]{14}$/;
const MOBILE = new RegExp(INDIAN_MOBILE_PATTERN);

interface Draft {
  stateId: string;
  name: string;
  gender: Gender;
  qualification: string;
  registrationCouncil: string;
  registrationNumber: string;
  registryId: string;
  mobile: string;
  languages: string[];
  specialities: string[];
  active: boolean;
}

type FieldName = Exclude<keyof Draft, 'active'>;
type Errors = Partial<Record<FieldName, string>>;
const ORDER: FieldName[] = [
  'stateId',
  'name',
  'gender',
  'qualification',
  'registrationCouncil',
  'registrationNumber',
  'registryId',
  'mobile',
  'languages',
  'specialities',
];

function draftOf(practitioner: Practitioner | undefined, stateId: string): Draft {
  return {
    stateId: practitioner?.stateId ?? stateId,
    name: practitioner?.name ?? '',
    gender: practitioner?.gender ?? 'unknown',
    qualification: practitioner?.qualification ?? '',
    registrationCouncil: practitioner?.registrationCouncil ?? '',
    registrationNumber: practitioner?.registrationNumber ?? '',
    registryId: practitioner?.registryId ?? '',
    mobile: practitioner?.mobile ?? '',
    languages: practitioner?.languages ?? ['hi', 'en'],
    specialities: practitioner?.specialities ?? [],
    active: practitioner?.active ?? true,
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
const hprDigits = (value: string) => value.replace(/[\s-]/g, '');

function fieldsOf(draft: Draft) {
  return {
    name: draft.name.trim(),
    gender: draft.gender,
    qualification: orNull(draft.qualification),
    registrationCouncil: orNull(draft.registrationCouncil),
    registrationNumber: orNull(draft.registrationNumber),
    registryId: orNull(hprDigits(draft.registryId)),
    mobile: draft.mobile.trim() === '' ? null : normaliseIndianMobile(draft.mobile),
    languages: draft.languages,
    specialities: draft.specialities,
    active: draft.active,
  };
}

type Fields = ReturnType<typeof fieldsOf>;

function changesOf(practitioner: Practitioner, fields: Fields): Partial<Fields> {
  const changes: Partial<Fields> = {};
  for (const key of Object.keys(fields) as (keyof Fields)[]) {
    if (JSON.stringify(fields[key]) !== JSON.stringify(practitioner[key]))
      Object.assign(changes, { [key]: fields[key] });
  }
  return changes;
}

function validate(draft: Draft, creating: boolean, t: AdminI18n['t']): Errors {
  const errors: Errors = {};
  if (creating && draft.stateId === '') errors.stateId = t('facility.stateRequired');
  const name = draft.name.trim();
  if (name.length < 2 || name.length > 200) errors.name = t('practitioner.nameInvalid');
  if (draft.registryId.trim() !== '' && !HPR_ID.test(hprDigits(draft.registryId)))
    errors.registryId = t('practitioner.registryIdInvalid');
  if (draft.mobile.trim() !== '' && !MOBILE.test(normaliseIndianMobile(draft.mobile)))
    errors.mobile = t('practitioner.mobileInvalid');
  if (draft.registrationNumber.trim() !== '' && draft.registrationCouncil.trim() === '')
    errors.registrationCouncil = t('practitioner.councilNeeded');
  return errors;
}

function serverMessage(issue: ServerIssue, t: AdminI18n['t']): string {
  switch (issue.field) {
    case 'name':
      return t('practitioner.nameInvalid');
    case 'registryId':
      return issue.code === 'conflict' ? t('practitioner.registryIdTaken') : t('practitioner.registryIdInvalid');
    case 'registrationNumber':
      return issue.code === 'conflict' ? t('practitioner.registrationTaken') : issue.message;
    case 'mobile':
      return t('practitioner.mobileInvalid');
    default:
      return issue.message;
  }
}

function isFieldName(value: string): value is FieldName {
  return (ORDER as string[]).includes(value);
}

function focusFirst(errors: Errors): void {
  const first = ORDER.find((name) => errors[name] !== undefined);
  if (first !== undefined) document.getElementById(`practitioner-${first}`)?.focus();
}

function specialityOptions(items: Speciality[] | undefined, lang: string) {
  return (items ?? []).map((item) => ({
    value: item.code,
    label: specialityName(item, item.code, lang),
    lang: lang === 'hi' && item.nameHi !== null ? 'hi' : 'en',
  }));
}

function PractitionerForm(props: {
  practitioner?: Practitioner | undefined;
  onSaved: (practitioner: Practitioner) => void;
  onReload?: () => void;
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { scope } = useAdmin();
  const { practitioner } = props;
  const creating = practitioner === undefined;
  const [draft, setDraft] = useState(() => draftOf(practitioner, onlyState(scope) ?? ''));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  const states = useStates();
  const specialities = useSpecialities();
  const languageName = languageNamer(i18n.locale);

  const version = practitioner?.version;
  useEffect(() => {
    if (practitioner !== undefined) setDraft(draftOf(practitioner, practitioner.stateId));
    setConflict(false);
  }, [version]);

  const dirty = creating
    ? JSON.stringify(draft) !== JSON.stringify(draftOf(undefined, draft.stateId))
    : Object.keys(changesOf(practitioner, fieldsOf(draft))).length > 0;
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setDraft((current) => ({ ...current, [name]: value }));
    setNotice(undefined);
    if ((errors as Record<string, string | undefined>)[name] !== undefined)
      setErrors((current) => ({ ...current, [name]: undefined }));
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    setFormError(undefined);
    setNotice(undefined);
    setConflict(false);
    const invalid = validate(draft, creating, t);
    if (Object.keys(invalid).length > 0) {
      setErrors(invalid);
      setFormError(t('admin.fixFields', { count: Object.keys(invalid).length }));
      focusFirst(invalid);
      return;
    }
    setErrors({});
    const fields = fieldsOf(draft);
    const changes = creating ? fields : changesOf(practitioner, fields);
    if (!creating && Object.keys(changes).length === 0) {
      setNotice(t('admin.nothingToSave'));
      return;
    }
    setBusy(true);
    try {
      if (creating) {
        const body = { ...fields, stateId: draft.stateId };
        props.onSaved(await api.post<Practitioner>('/api/v1/practitioners', body, { idempotencyKey: keyFor(body) }));
      } else {
        const saved = await api.patch<Practitioner>(`/api/v1/practitioners/${practitioner.id}`, {
          ...changes,
          version: practitioner.version,
        });
        setNotice(t('admin.savedAt', { time: i18n.time(new Date()) }));
        props.onSaved(saved);
      }
    } catch (error) {
      const issues = fieldIssues(error);
      if (error instanceof ApiError && error.status === 409 && issues.some((issue) => issue.field === 'version')) {
        setConflict(true);
      } else if (issues.some((issue) => isFieldName(issue.field))) {
        const fromServer: Errors = {};
        for (const issue of issues) if (isFieldName(issue.field)) fromServer[issue.field] ??= serverMessage(issue, t);
        setErrors(fromServer);
        setFormError(t('admin.fixFields', { count: Object.keys(fromServer).length }));
        focusFirst(fromServer);
      } else {
        setFormError(errorMessage(error, i18n));
      }
    } finally {
      setBusy(false);
    }
  };

  const stateChoices = (states ?? []).filter((state) => scope.all || scope.stateIds.includes(state.id));
  const knownLanguages: string[] = [...LANGUAGE_CODES];
  const languageOptions = [...knownLanguages, ...draft.languages.filter((code) => !knownLanguages.includes(code))].map(
    (code) => ({ value: code, label: languageName(code) }),
  );

  return (
    <form
      className="form form-wide"
      onSubmit={(event) => void submit(event)}
      noValidate
      data-testid="practitioner-form"
    >
      {creating && onlyState(scope) === undefined && (
        <SelectField
          id="practitioner-stateId"
          label={t('admin.state')}
          error={errors.stateId}
          empty={t('admin.choose')}
          options={stateChoices.map((state) => ({ value: state.id, label: state.name }))}
          value={draft.stateId}
          onChange={(event) => set('stateId', event.target.value)}
        />
      )}
      <Field
        id="practitioner-name"
        label={t('practitioner.name')}
        error={errors.name}
        type="text"
        autoComplete="off"
        maxLength={200}
        required
        value={draft.name}
        onChange={(event) => set('name', event.target.value)}
      />
      <SelectField
        id="practitioner-gender"
        label={t('practitioner.gender')}
        error={errors.gender}
        options={GENDERS.map((value) => ({ value, label: t(`sex.${value}`) }))}
        value={draft.gender}
        onChange={(event) => set('gender', event.target.value as Gender)}
      />
      <Field
        id="practitioner-qualification"
        label={t('practitioner.qualification')}
        hint={t('practitioner.qualificationHint')}
        error={errors.qualification}
        type="text"
        autoComplete="off"
        maxLength={200}
        value={draft.qualification}
        onChange={(event) => set('qualification', event.target.value)}
      />
      <Field
        id="practitioner-registrationCouncil"
        label={t('practitioner.council')}
        hint={t('practitioner.councilHint')}
        error={errors.registrationCouncil}
        type="text"
        autoComplete="off"
        maxLength={100}
        value={draft.registrationCouncil}
        onChange={(event) => set('registrationCouncil', event.target.value)}
      />
      <Field
        id="practitioner-registrationNumber"
        label={t('practitioner.registrationNumber')}
        error={errors.registrationNumber}
        type="text"
        autoComplete="off"
        maxLength={50}
        value={draft.registrationNumber}
        onChange={(event) => set('registrationNumber', event.target.value)}
      />
      <Field
        id="practitioner-registryId"
        label={t('practitioner.registryId')}
        hint={t('practitioner.registryIdHint')}
        error={errors.registryId}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        maxLength={20}
        value={draft.registryId}
        onChange={(event) => set('registryId', event.target.value)}
      />
      <Field
        id="practitioner-mobile"
        label={t('practitioner.mobile')}
        hint={t('practitioner.mobileHint')}
        error={errors.mobile}
        prefix="+91"
        type="tel"
        inputMode="numeric"
        autoComplete="off"
        value={draft.mobile}
        onChange={(event) => set('mobile', event.target.value)}
      />
      <CheckboxGroup
        id="practitioner-languages"
        legend={t('practitioner.languages')}
        error={errors.languages}
        options={languageOptions}
        selected={draft.languages}
        onChange={(languages) => set('languages', languages)}
      />
      {specialities.error !== undefined && <LoadError error={specialities.error} onRetry={specialities.reload} />}
      <CheckboxGroup
        id="practitioner-specialities"
        legend={t('practitioner.specialities')}
        hint={t('practitioner.specialitiesHint')}
        error={errors.specialities}
        options={specialityOptions(specialities.data?.items, i18n.lang)}
        selected={draft.specialities}
        onChange={(chosen) => set('specialities', chosen)}
      />
      <label className="checkbox" htmlFor="practitioner-active">
        <input
          id="practitioner-active"
          type="checkbox"
          checked={draft.active}
          onChange={(event) => set('active', event.target.checked)}
        />
        <span>{t('practitioner.active')}</span>
      </label>
      {conflict && props.onReload !== undefined && (
        <ConflictNotice what={t('practitioner.thisRecord')} onReload={props.onReload} />
      )}
      {formError !== undefined && <Notice kind="error">{formError}</Notice>}
      {notice !== undefined && <Notice kind="success">{notice}</Notice>}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy} data-testid="practitioner-save">
          {busy ? t('admin.saving') : creating ? t('practitioners.addButton') : t('admin.save')}
        </button>
        {!creating && dirty && (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setDraft(draftOf(practitioner, practitioner.stateId));
              setErrors({});
              setFormError(undefined);
            }}
          >
            {t('admin.undo')}
          </button>
        )}
      </div>
    </form>
  );
}

// ---- Roles ------------------------------------------------------------------------------------

interface RoleDraft {
  /** Stable across edits, for React and for focus. */
  key: string;
  facilityId: string;
  facilityName: string;
  role: PractitionerRole;
  specialities: string[];
}

let nextRoleKey = 0;
const roleKey = () => `role-${String(++nextRoleKey)}`;

function roleDrafts(practitioner: Practitioner): RoleDraft[] {
  return practitioner.roles.map((role) => ({
    key: roleKey(),
    facilityId: role.facilityId,
    facilityName: role.facilityName,
    role: role.role,
    specialities: role.specialities,
  }));
}

const rolesSignature = (roles: { facilityId: string; role: string; specialities: string[] }[]) =>
  JSON.stringify(roles.map((role) => [role.facilityId, role.role, role.specialities]));

/** Where the practitioner works and as what; saved together (the server replaces the whole set). */
function RolesEditor({ practitioner, onSaved }: { practitioner: Practitioner; onSaved: (p: Practitioner) => void }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const [rows, setRows] = useState(() => roleDrafts(practitioner));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [message, announce] = useAnnouncer();
  const specialities = useSpecialities();
  const container = useRef<HTMLDivElement>(null);
  const savedSignature = rolesSignature(practitioner.roles);

  useEffect(() => {
    setRows(roleDrafts(practitioner));
  }, [savedSignature]);
  const dirty = rolesSignature(rows) !== savedSignature;

  const update = (key: string, changes: Partial<RoleDraft>) => {
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...changes } : row)));
    setDone(undefined);
    setErrors(({ [key]: _fixed, ...others }) => others);
  };

  const addRow = () => {
    const key = roleKey();
    setRows((current) => [...current, { key, facilityId: '', facilityName: '', role: 'hub_doctor', specialities: [] }]);
    setDone(undefined);
    announce(t('roles.rowAdded'));
    window.setTimeout(() => container.current?.querySelector<HTMLElement>(`[data-key="${key}"] input`)?.focus(), 0);
  };

  const removeRow = (key: string) => {
    const index = rows.findIndex((row) => row.key === key);
    setRows((current) => current.filter((row) => row.key !== key));
    setDone(undefined);
    announce(t('roles.rowRemoved'));
    window.setTimeout(() => {
      const legends = container.current?.querySelectorAll<HTMLElement>('[data-role-row]');
      const target = legends?.[Math.min(index, (legends.length || 1) - 1)];
      (target ?? container.current?.querySelector<HTMLElement>('[data-add-role]'))?.focus();
    }, 0);
  };

  const save = async () => {
    setFormError(undefined);
    setDone(undefined);
    const invalid: Record<string, string> = {};
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.facilityId === '') invalid[row.key] = t('roles.facilityRequired');
      else if (seen.has(`${row.facilityId}:${row.role}`)) invalid[row.key] = t('roles.duplicate');
      seen.add(`${row.facilityId}:${row.role}`);
    }
    if (Object.keys(invalid).length > 0) {
      setErrors(invalid);
      setFormError(t('admin.fixFields', { count: Object.keys(invalid).length }));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await put<Practitioner>(`/api/v1/practitioners/${practitioner.id}/roles`, {
        roles: rows.map((row) => ({ facilityId: row.facilityId, role: row.role, specialities: row.specialities })),
      });
      setDone(t('roles.saved'));
      onSaved(saved);
    } catch (error) {
      const fromServer: Record<string, string> = {};
      for (const issue of fieldIssues(error)) {
        const index = /^roles\.(\d+)/.exec(issue.field)?.[1];
        const row = index === undefined ? undefined : rows[Number(index)];
        if (row !== undefined) fromServer[row.key] ??= issue.message;
      }
      if (Object.keys(fromServer).length > 0) {
        setErrors(fromServer);
        setFormError(t('admin.fixFields', { count: Object.keys(fromServer).length }));
      } else {
        setFormError(errorMessage(error, i18n));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div ref={container} data-testid="roles-editor">
      {rows.length === 0 && <p>{t('roles.none')}</p>}
      {rows.map((row, index) => (
        <RoleRow
          key={row.key}
          row={row}
          number={index + 1}
          stateId={practitioner.stateId}
          error={errors[row.key]}
          specialities={specialities.data?.items}
          onChange={(changes) => update(row.key, changes)}
          onRemove={() => removeRow(row.key)}
        />
      ))}
      <LiveMessage message={message} />
      <p>
        <button type="button" className="button button-secondary" onClick={addRow} data-add-role>
          <Icon d={icons.plus} /> {t('roles.add')}
        </button>
      </p>
      {formError !== undefined && <Notice kind="error">{formError}</Notice>}
      {done !== undefined && <Notice kind="success">{done}</Notice>}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={busy || !dirty}
          onClick={() => void save()}
          data-testid="roles-save"
        >
          {busy ? t('admin.saving') : t('roles.save')}
        </button>
        {dirty && (
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={() => {
              setRows(roleDrafts(practitioner));
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

function RoleRow(props: {
  row: RoleDraft;
  number: number;
  stateId: string;
  error: string | undefined;
  specialities: Speciality[] | undefined;
  onChange: (changes: Partial<RoleDraft>) => void;
  onRemove: () => void;
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { row } = props;
  const [changing, setChanging] = useState(row.facilityId === '');
  const legendId = useId();
  const options = specialityOptions(props.specialities, i18n.lang);
  const chosen = options.filter((option) => row.specialities.includes(option.value)).map((option) => option.label);
  return (
    <fieldset
      className={props.error === undefined ? 'panel role-row' : 'panel role-row field-invalid'}
      data-key={row.key}
      data-testid="role-row"
      aria-labelledby={legendId}
    >
      <legend id={legendId} tabIndex={-1} data-role-row>
        {t('roles.rowTitle', { number: props.number })}
      </legend>
      {props.error !== undefined && (
        <Notice kind="error">
          <span>{props.error}</span>
        </Notice>
      )}
      {changing ? (
        <FacilityPicker
          label={t('roles.facility')}
          stateId={props.stateId}
          onPick={(facility) => {
            props.onChange({ facilityId: facility.id, facilityName: facility.name });
            setChanging(false);
          }}
          testId="role-facility-picker"
        />
      ) : (
        <p className="picked">
          <span className="picked-label">{t('roles.facility')}</span>{' '}
          <strong data-testid="role-facility">{row.facilityName}</strong>{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => setChanging(true)}
            aria-label={t('roles.changeFacilityLabel', { facility: row.facilityName })}
          >
            {t('roles.changeFacility')}
          </button>
        </p>
      )}
      <SelectField
        id={`${row.key}-role`}
        label={t('practitioner.role')}
        options={PRACTITIONER_ROLES.map((value) => ({ value, label: t(`practitionerRole.${value}`) }))}
        value={row.role}
        onChange={(event) => props.onChange({ role: event.target.value as PractitionerRole })}
      />
      <details className="role-specialities">
        <summary>
          {t('roles.specialities')}
          {': '}
          {chosen.length === 0 ? t('roles.noSpecialities') : chosen.join(', ')}
        </summary>
        <CheckboxGroup
          id={`${row.key}-specialities`}
          legend={t('roles.specialitiesLegend')}
          options={options}
          selected={row.specialities}
          onChange={(specialities) => props.onChange({ specialities })}
        />
      </details>
      <p>
        <button type="button" className="small-button small-button-danger" onClick={props.onRemove}>
          <Icon d={icons.remove} /> <span>{t('roles.remove')}</span>
        </button>
      </p>
    </fieldset>
  );
}

// ---- Pages ------------------------------------------------------------------------------------

function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = useId();
  return (
    <section className="admin-section" aria-labelledby={headingId} id={id} tabIndex={id === undefined ? undefined : -1}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

export function PractitionerPage({ id }: { id: string }) {
  const { t } = useAdminI18n();
  const { query } = useLocation();
  const load = useApi<Practitioner>(`/api/v1/practitioners/${id}`);
  const [practitioner, setPractitioner] = useState<Practitioner | undefined>();
  useEffect(() => {
    if (load.data !== undefined) setPractitioner(load.data);
  }, [load.data]);

  // Arriving at #shifts (from the rosters page): go to that section once the page is drawn.
  const loaded = practitioner !== undefined;
  useEffect(() => {
    if (!loaded || window.location.hash === '') return;
    const target = document.getElementById(window.location.hash.slice(1));
    target?.scrollIntoView();
    target?.focus({ preventScroll: true });
  }, [loaded]);

  if (load.error?.status === 404) {
    return (
      <Page title={t('practitioner.notFound')}>
        <BackLink to="/admin/practitioners">{t('practitioners.back')}</BackLink>
        <Notice kind="error">{t('practitioner.notFoundBody')}</Notice>
      </Page>
    );
  }
  if (practitioner === undefined) {
    return (
      <>
        {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
        <Loading />
      </>
    );
  }
  return (
    <Page title={practitioner.name}>
      <BackLink to="/admin/practitioners">{t('practitioners.back')}</BackLink>
      {query.get('created') === '1' && (
        <Notice kind="success">
          <p>{t('practitioner.created')}</p>
        </Notice>
      )}
      {load.error !== undefined && <LoadError error={load.error} onRetry={load.reload} />}
      <Section title={t('practitioner.details')}>
        <PractitionerForm practitioner={practitioner} onSaved={setPractitioner} onReload={load.reload} />
      </Section>
      <Section title={t('roles.title')}>
        <p className="hint">{t('roles.intro')}</p>
        <RolesEditor practitioner={practitioner} onSaved={setPractitioner} />
      </Section>
      <Section title={t('shifts.title')} id="shifts">
        <p className="hint">{t('shifts.intro')}</p>
        <ShiftsSection practitioner={practitioner} />
      </Section>
      <Section title={t('roster.leave')} id="leave">
        <LeaveSection practitioner={practitioner} />
      </Section>
      <p className="aside-link">
        <Link to="/admin/practitioners">{t('practitioners.back')}</Link>
      </p>
    </Page>
  );
}

export function NewPractitionerPage() {
  const { t } = useAdminI18n();
  return (
    <Page title={t('practitioners.add')}>
      <BackLink to="/admin/practitioners">{t('practitioners.back')}</BackLink>
      <PractitionerForm
        onSaved={(practitioner) => navigate(`/admin/practitioners/${practitioner.id}?created=1`, { replace: true })}
      />
    </Page>
  );
}
