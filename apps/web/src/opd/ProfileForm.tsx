import { useRef, useState, type SyntheticEvent } from 'react';
import { api, ApiError } from '../api';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { alert } from '../components/icons';
import { Notice } from '../components/Notice';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { useApi } from '../useApi';
import { useOpdI18n } from './i18n';
import type { District, Profile, Sex, State } from './types';
import { newId } from './util';

type FieldName = 'name' | 'sex' | 'age' | 'stateId' | 'districtId';
type Errors = Partial<Record<FieldName | 'form', string>>;

const SEXES: readonly Sex[] = ['female', 'male', 'other'];

/**
 * Adds a family profile with only what a consultation needs: name, sex, age or date of birth,
 * state and district. A retry of the same details (a dropped link) never adds the person twice.
 */
export function ProfileForm(props: {
  /** The first profile of an account is usually the account holder. */
  first: boolean;
  defaultStateId?: string | undefined;
  onAdded: (profile: Profile) => void;
  onCancel?: (() => void) | undefined;
}) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [sex, setSex] = useState<Sex | ''>('');
  const [byDate, setByDate] = useState(false);
  const [age, setAge] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [stateId, setStateId] = useState(props.defaultStateId ?? '');
  const [districtId, setDistrictId] = useState('');
  const [self, setSelf] = useState(props.first);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const attempt = useRef<{ content: string; id: string } | null>(null);
  const form = useRef<HTMLFormElement>(null);

  const states = useApi<{ states: State[] }>('/api/v1/geography/states');
  const districts = useApi<{ districts: District[] }>(
    stateId === '' ? null : `/api/v1/geography/states/${encodeURIComponent(stateId)}/districts`,
  );
  const today = new Date().toISOString().slice(0, 10);

  const check = (): Errors => {
    const found: Errors = {};
    if (name.trim() === '') found.name = t('profile.nameMissing');
    if (sex === '') found.sex = t('profile.sexMissing');
    if (byDate) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate) || birthDate > today || birthDate < '1890-01-01')
        found.age = t('profile.birthDateInvalid');
    } else {
      const years = Number(age);
      if (age.trim() === '' || !Number.isInteger(years) || years < 0 || years > 130)
        found.age = t('profile.ageInvalid');
    }
    if (stateId === '') found.stateId = t('profile.stateMissing');
    if (districtId === '') found.districtId = t('profile.districtMissing');
    return found;
  };

  const focusFirstError = () =>
    window.setTimeout(() => form.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus(), 0);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError();
      return;
    }
    const body = {
      ...(props.first ? { self } : {}),
      name: name.trim(),
      sex,
      ...(byDate ? { birthDate } : { ageYears: Number(age) }),
      stateId,
      districtId,
    };
    // The same details keep the same id and key, so that a retry returns the first answer.
    const content = JSON.stringify(body);
    if (attempt.current?.content !== content) attempt.current = { content, id: newId() };
    const id = attempt.current.id;
    setBusy(true);
    try {
      const profile = await api.post<Profile>(
        '/api/v1/me/patients',
        { id, ...body },
        { idempotencyKey: `profile-${id}` },
      );
      props.onAdded(profile);
    } catch (error) {
      const field = error instanceof ApiError ? error.field : undefined;
      const message = errorMessage(error, i18n);
      const map: Record<string, FieldName> = {
        name: 'name',
        sex: 'sex',
        ageYears: 'age',
        birthDate: 'age',
        stateId: 'stateId',
        districtId: 'districtId',
      };
      const target = field === undefined ? undefined : map[field];
      setErrors(target === undefined ? { form: message } : { [target]: message });
      if (target !== undefined) focusFirstError();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={form} className="form profile-form" onSubmit={(event) => void submit(event)} noValidate>
      <p className="hint">{t('profile.intro')}</p>
      {errors.form !== undefined && <Notice kind="error">{errors.form}</Notice>}
      <Field
        id="profile-name"
        label={t('profile.name')}
        error={errors.name}
        autoComplete="off"
        maxLength={200}
        value={name}
        onChange={(event) => setName(event.target.value)}
        data-testid="profile-name"
      />
      <fieldset
        className={errors.sex === undefined ? 'field choices-inline' : 'field choices-inline field-invalid'}
        aria-describedby={errors.sex === undefined ? undefined : 'profile-sex-error'}
      >
        <legend>{t('profile.sex')}</legend>
        {errors.sex !== undefined && (
          <p id="profile-sex-error" className="field-error" role="alert">
            <Icon d={alert} /> <span>{errors.sex}</span>
          </p>
        )}
        <div className="radio-row">
          {SEXES.map((value, index) => (
            <label key={value} className="radio-pill" htmlFor={`profile-sex-${value}`}>
              <input
                id={`profile-sex-${value}`}
                type="radio"
                name="profile-sex"
                value={value}
                checked={sex === value}
                aria-invalid={errors.sex !== undefined && index === 0 ? true : undefined}
                onChange={() => setSex(value)}
              />
              <span>{t(`sex.${value}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label className="checkbox" htmlFor="profile-by-date">
        <input
          id="profile-by-date"
          type="checkbox"
          checked={byDate}
          onChange={(event) => setByDate(event.target.checked)}
        />
        <span>{t('profile.knowBirthDate')}</span>
      </label>
      {byDate ? (
        <Field
          id="profile-birth-date"
          label={t('profile.birthDate')}
          error={errors.age}
          type="date"
          min="1890-01-01"
          max={today}
          value={birthDate}
          onChange={(event) => setBirthDate(event.target.value)}
        />
      ) : (
        <Field
          id="profile-age"
          label={t('profile.age')}
          hint={t('profile.ageHint')}
          error={errors.age}
          className="input-short"
          type="text"
          inputMode="numeric"
          maxLength={3}
          autoComplete="off"
          value={age}
          onChange={(event) => setAge(event.target.value.replace(/[^0-9]/g, ''))}
          data-testid="profile-age"
        />
      )}
      <Select
        id="profile-state"
        label={t('profile.state')}
        error={errors.stateId}
        empty={t('profile.choose')}
        options={(states.data?.states ?? []).map((state) => ({ value: state.id, label: state.name }))}
        value={stateId}
        onChange={(event) => {
          setStateId(event.target.value);
          setDistrictId('');
        }}
      />
      <Select
        id="profile-district"
        label={t('profile.district')}
        hint={stateId === '' ? t('profile.stateFirst') : undefined}
        error={errors.districtId}
        empty={t('profile.choose')}
        disabled={stateId === '' || districts.data === undefined}
        options={(districts.data?.districts ?? []).map((district) => ({ value: district.id, label: district.name }))}
        value={districtId}
        onChange={(event) => setDistrictId(event.target.value)}
      />
      {props.first && (
        <label className="checkbox" htmlFor="profile-self">
          <input id="profile-self" type="checkbox" checked={self} onChange={(event) => setSelf(event.target.checked)} />
          <span>{t('profile.self')}</span>
        </label>
      )}
      <div className="form-buttons">
        <button type="submit" className="button" disabled={busy} data-testid="profile-save">
          {busy ? t('profile.saving') : t('profile.save')}
        </button>
        {props.onCancel !== undefined && (
          <button type="button" className="button button-secondary" onClick={props.onCancel}>
            {t('profile.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
