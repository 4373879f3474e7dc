import { useEffect, useState, type SyntheticEvent } from 'react';
import { api, ApiError } from '../api';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { errorMessage } from '../errors';
import { CheckboxGroup, ConflictNotice, SelectField } from './components';
import { useAdminI18n, type AdminI18n } from './i18n';
import {
  fieldIssues,
  LANGUAGE_CODES,
  languageNamer,
  onlyState,
  useAdmin,
  useDistricts,
  useIdempotencyKey,
  useStates,
  type ServerIssue,
} from './shared';
import { FACILITY_KINDS, type Facility, type FacilityKind } from './types';

/** What the form holds: text as typed, turned into the wire shape on save. */
interface Draft {
  stateId: string;
  districtId: string;
  kind: FacilityKind;
  name: string;
  subtype: string;
  registryId: string;
  addressLine: string;
  city: string;
  pincode: string;
  latitude: string;
  longitude: string;
  phone: string;
  languages: string[];
  active: boolean;
}

type FieldName = Exclude<keyof Draft, 'active'>;
type Errors = Partial<Record<FieldName, string>>;

/** India's facility registry (HFR) ids: IN followed by 10 digits. */
const HFR_ID = /^IN[0-9]{10}$/;
const PINCODE = /^[0-9]{6}$/;
const PHONE = /^[0-9+ -]{6,20}$/;
/** The order in which fields appear, for moving focus to the first one that needs fixing. */
const ORDER: FieldName[] = [
  'stateId',
  'kind',
  'name',
  'districtId',
  'subtype',
  'registryId',
  'addressLine',
  'city',
  'pincode',
  'latitude',
  'longitude',
  'phone',
  'languages',
];

function draftOf(facility: Facility | undefined, stateId: string): Draft {
  const text = (value: string | number | null | undefined) =>
    value === null || value === undefined ? '' : String(value);
  return {
    stateId: facility?.stateId ?? stateId,
    districtId: facility?.districtId ?? '',
    kind: facility?.kind ?? 'spoke',
    name: text(facility?.name),
    subtype: text(facility?.subtype),
    registryId: text(facility?.registryId),
    addressLine: text(facility?.addressLine),
    city: text(facility?.city),
    pincode: text(facility?.pincode),
    latitude: text(facility?.latitude),
    longitude: text(facility?.longitude),
    phone: text(facility?.phone),
    languages: facility?.languages ?? ['hi', 'en'],
    active: facility?.active ?? true,
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
const coordinate = (value: string) => (value.trim() === '' ? null : Number(value.trim()));

/** The wire fields of a draft (everything a PATCH or POST may carry, except version). */
function fieldsOf(draft: Draft) {
  return {
    districtId: draft.districtId,
    name: draft.name.trim(),
    subtype: orNull(draft.subtype),
    registryId: orNull(draft.registryId.toUpperCase()),
    addressLine: orNull(draft.addressLine),
    city: orNull(draft.city),
    pincode: orNull(draft.pincode),
    latitude: coordinate(draft.latitude),
    longitude: coordinate(draft.longitude),
    phone: orNull(draft.phone),
    languages: draft.languages,
    active: draft.active,
  };
}

type Fields = ReturnType<typeof fieldsOf>;

/** The fields that differ from the saved facility: a PATCH carries only what the person changed. */
function changesOf(facility: Facility, fields: Fields): Partial<Fields> {
  const changes: Partial<Fields> = {};
  for (const key of Object.keys(fields) as (keyof Fields)[]) {
    if (JSON.stringify(fields[key]) !== JSON.stringify(facility[key])) Object.assign(changes, { [key]: fields[key] });
  }
  return changes;
}

function inRange(value: string, limit: number): boolean {
  if (value.trim() === '') return true;
  const number = Number(value.trim());
  return /^-?[0-9]+(\.[0-9]+)?$/.test(value.trim()) && number >= -limit && number <= limit;
}

function validate(draft: Draft, creating: boolean, t: AdminI18n['t']): Errors {
  const errors: Errors = {};
  if (creating && draft.stateId === '') errors.stateId = t('facility.stateRequired');
  const name = draft.name.trim();
  if (name.length < 2 || name.length > 200) errors.name = t('facility.nameInvalid');
  if (draft.districtId === '') errors.districtId = t('facility.districtRequired');
  if (draft.registryId.trim() !== '' && !HFR_ID.test(draft.registryId.trim().toUpperCase()))
    errors.registryId = t('facility.registryIdInvalid');
  if (draft.pincode.trim() !== '' && !PINCODE.test(draft.pincode.trim())) errors.pincode = t('facility.pincodeInvalid');
  if (!inRange(draft.latitude, 90)) errors.latitude = t('facility.latitudeInvalid');
  if (!inRange(draft.longitude, 180)) errors.longitude = t('facility.longitudeInvalid');
  if (errors.latitude === undefined && errors.longitude === undefined) {
    const hasLatitude = draft.latitude.trim() !== '';
    const hasLongitude = draft.longitude.trim() !== '';
    if (hasLatitude && !hasLongitude) errors.longitude = t('facility.coordinatesBoth');
    if (hasLongitude && !hasLatitude) errors.latitude = t('facility.coordinatesBoth');
  }
  if (draft.phone.trim() !== '' && !PHONE.test(draft.phone.trim())) errors.phone = t('facility.phoneInvalid');
  return errors;
}

/** The server's complaint about a field, in the reader's words where the app knows the field. */
function serverMessage(issue: ServerIssue, t: AdminI18n['t']): string {
  switch (issue.field) {
    case 'name':
      return t('facility.nameInvalid');
    case 'districtId':
      return t('facility.districtInvalid');
    case 'registryId':
      return issue.code === 'conflict' ? t('facility.registryIdTaken') : t('facility.registryIdInvalid');
    case 'pincode':
      return t('facility.pincodeInvalid');
    case 'latitude':
      return t('facility.latitudeInvalid');
    case 'longitude':
      return t('facility.longitudeInvalid');
    case 'phone':
      return t('facility.phoneInvalid');
    default:
      return issue.message;
  }
}

function isFieldName(value: string): value is FieldName {
  return (ORDER as string[]).includes(value);
}

function focusFirst(errors: Errors): void {
  const first = ORDER.find((name) => errors[name] !== undefined);
  if (first !== undefined) document.getElementById(`facility-${first}`)?.focus();
}

/**
 * A facility's details: a new one (POST with an Idempotency-Key) or changes to one (PATCH with
 * its version, so that two administrators never overwrite each other unknowingly).
 */
export function FacilityForm(props: {
  facility?: Facility | undefined;
  onSaved: (facility: Facility, created: boolean) => void;
  /** Reload the facility after a conflict. */
  onReload?: () => void;
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { scope } = useAdmin();
  const { facility } = props;
  const creating = facility === undefined;
  const [draft, setDraft] = useState(() => draftOf(facility, onlyState(scope) ?? ''));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  const states = useStates();
  const districts = useDistricts(draft.stateId === '' ? undefined : draft.stateId);
  const languageName = languageNamer(i18n.locale);

  // A saved or reloaded facility is the new starting point.
  const version = facility?.version;
  useEffect(() => {
    if (facility !== undefined) setDraft(draftOf(facility, facility.stateId));
    setConflict(false);
    // The version says when the record changed; the object itself is new on every load.
  }, [version]);

  const dirty = creating
    ? JSON.stringify(draft) !== JSON.stringify(draftOf(undefined, draft.stateId))
    : Object.keys(changesOf(facility, fieldsOf(draft))).length > 0;

  // Leaving the page (refresh, closing the tab) with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setDraft((current) => ({ ...current, [name]: value }));
    setNotice(undefined);
    if ((errors as Record<string, string | undefined>)[name] !== undefined) {
      setErrors((current) => ({ ...current, [name]: undefined }));
    }
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
    let changes: Partial<Fields> = {};
    if (!creating) {
      changes = changesOf(facility, fields);
      if (Object.keys(changes).length === 0) {
        setNotice(t('admin.nothingToSave'));
        return;
      }
    }
    setBusy(true);
    try {
      if (creating) {
        const body = { ...fields, stateId: draft.stateId, kind: draft.kind };
        const saved = await api.post<Facility>('/api/v1/facilities', body, { idempotencyKey: keyFor(body) });
        props.onSaved(saved, true);
      } else {
        const saved = await api.patch<Facility>(`/api/v1/facilities/${facility.id}`, {
          ...changes,
          version: facility.version,
        });
        setNotice(t('admin.savedAt', { time: i18n.time(new Date()) }));
        props.onSaved(saved, false);
      }
    } catch (error) {
      const issues = fieldIssues(error);
      if (error instanceof ApiError && error.status === 409 && issues.some((issue) => issue.field === 'version')) {
        setConflict(true);
      } else if (issues.some((issue) => isFieldName(issue.field))) {
        const fromServer: Errors = {};
        for (const issue of issues) {
          if (isFieldName(issue.field)) fromServer[issue.field] ??= serverMessage(issue, t);
        }
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
    <form className="form form-wide" onSubmit={(event) => void submit(event)} noValidate data-testid="facility-form">
      {creating && onlyState(scope) === undefined && (
        <SelectField
          id="facility-stateId"
          label={t('admin.state')}
          error={errors.stateId}
          empty={t('admin.choose')}
          options={stateChoices.map((state) => ({ value: state.id, label: state.name }))}
          value={draft.stateId}
          onChange={(event) => {
            set('stateId', event.target.value);
            set('districtId', '');
          }}
        />
      )}
      {creating && (
        <SelectField
          id="facility-kind"
          label={t('facility.kind')}
          error={errors.kind}
          options={FACILITY_KINDS.map((value) => ({ value, label: t(`facilityKind.${value}`) }))}
          value={draft.kind}
          onChange={(event) => set('kind', event.target.value as FacilityKind)}
        />
      )}
      <Field
        id="facility-name"
        label={t('facility.name')}
        error={errors.name}
        type="text"
        autoComplete="off"
        maxLength={200}
        required
        value={draft.name}
        onChange={(event) => set('name', event.target.value)}
      />
      <SelectField
        id="facility-districtId"
        label={t('admin.district')}
        hint={draft.stateId === '' ? t('admin.stateFirst') : undefined}
        error={errors.districtId}
        empty={t('admin.choose')}
        options={(districts ?? []).map((district) => ({ value: district.id, label: district.name }))}
        value={draft.districtId}
        disabled={draft.stateId === ''}
        required
        onChange={(event) => set('districtId', event.target.value)}
      />
      <Field
        id="facility-subtype"
        label={t('facility.subtype')}
        hint={t('facility.subtypeHint')}
        error={errors.subtype}
        type="text"
        autoComplete="off"
        maxLength={20}
        value={draft.subtype}
        onChange={(event) => set('subtype', event.target.value)}
      />
      <Field
        id="facility-registryId"
        label={t('facility.registryId')}
        hint={t('facility.registryIdHint')}
        error={errors.registryId}
        type="text"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={12}
        value={draft.registryId}
        onChange={(event) => set('registryId', event.target.value)}
      />
      <Field
        id="facility-addressLine"
        label={t('facility.addressLine')}
        error={errors.addressLine}
        type="text"
        autoComplete="off"
        maxLength={300}
        value={draft.addressLine}
        onChange={(event) => set('addressLine', event.target.value)}
      />
      <Field
        id="facility-city"
        label={t('facility.city')}
        error={errors.city}
        type="text"
        autoComplete="off"
        maxLength={100}
        value={draft.city}
        onChange={(event) => set('city', event.target.value)}
      />
      <Field
        id="facility-pincode"
        label={t('facility.pincode')}
        hint={t('facility.pincodeHint')}
        error={errors.pincode}
        className="input-short"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        maxLength={6}
        value={draft.pincode}
        onChange={(event) => set('pincode', event.target.value)}
      />
      <div className="field-pair">
        <Field
          id="facility-latitude"
          label={t('facility.latitude')}
          hint={t('facility.latitudeHint')}
          error={errors.latitude}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={draft.latitude}
          onChange={(event) => set('latitude', event.target.value)}
        />
        <Field
          id="facility-longitude"
          label={t('facility.longitude')}
          hint={t('facility.longitudeHint')}
          error={errors.longitude}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={draft.longitude}
          onChange={(event) => set('longitude', event.target.value)}
        />
      </div>
      <Field
        id="facility-phone"
        label={t('facility.phone')}
        error={errors.phone}
        type="tel"
        autoComplete="off"
        maxLength={20}
        value={draft.phone}
        onChange={(event) => set('phone', event.target.value)}
      />
      <CheckboxGroup
        id="facility-languages"
        legend={t('facility.languages')}
        hint={t('facility.languagesHint')}
        error={errors.languages}
        options={languageOptions}
        selected={draft.languages}
        onChange={(languages) => set('languages', languages)}
      />
      <label className="checkbox" htmlFor="facility-active">
        <input
          id="facility-active"
          type="checkbox"
          checked={draft.active}
          onChange={(event) => set('active', event.target.checked)}
        />
        <span>{t('facility.active')}</span>
      </label>

      {conflict && props.onReload !== undefined && (
        <ConflictNotice what={t('facility.thisFacility')} onReload={props.onReload} />
      )}
      {formError !== undefined && <Notice kind="error">{formError}</Notice>}
      {notice !== undefined && <Notice kind="success">{notice}</Notice>}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy} data-testid="facility-save">
          {busy ? t('admin.saving') : creating ? t('facilities.addButton') : t('admin.save')}
        </button>
        {!creating && dirty && (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setDraft(draftOf(facility, facility.stateId));
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
