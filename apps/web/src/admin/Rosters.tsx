import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { api, serverNow, withQuery } from '../api';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { BackLink, icons, LiveMessage, SelectField } from './components';
import { useAdminI18n } from './i18n';
import {
  fieldIssues,
  onlyState,
  put,
  useAdmin,
  useAnnouncer,
  useDebounced,
  useIdempotencyKey,
  useStates,
} from './shared';
import type { Page as ListPage, Practitioner } from './types';
import { checkWeek, rowKey, WeekEditor, type TimeRow } from './WeekEditor';

interface RosterException {
  id: string;
  kind: 'leave' | 'holiday';
  stateId: string;
  practitionerId: string | null;
  date: string;
  note: string | null;
}

interface Shift {
  id: string;
  facilityId: string;
  weekday: number;
  startsAt: string;
  endsAt: string;
  overnight: boolean;
  validFrom: string | null;
  validTo: string | null;
}

/** Today in India (the server's clock: a phone's may be wrong), as YYYY-MM-DD. */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(new Date(serverNow()));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A list of dates (holidays of a state, or a person's leave) from today on, with a form to add
 * one and a button to remove each.
 */
function DateList(props: {
  id: string;
  kind: 'holiday' | 'leave';
  listPath: string;
  body: { stateId: string } | { practitionerId: string };
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const list = useApi<{ items: RosterException[] }>(props.listPath);
  const [date, setDate] = useState('');
  const [note, setNote] = useState('');
  const [dateError, setDateError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [message, announce] = useAnnouncer();
  const keyFor = useIdempotencyKey();

  const add = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    setFormError(undefined);
    if (!DATE.test(date)) {
      setDateError(t('roster.dateRequired'));
      document.getElementById(`${props.id}-date`)?.focus();
      return;
    }
    if (date < today()) {
      setDateError(t('roster.datePast'));
      document.getElementById(`${props.id}-date`)?.focus();
      return;
    }
    setDateError(undefined);
    setBusy(true);
    const body = { kind: props.kind, date, note: note.trim() === '' ? null : note.trim(), ...props.body };
    try {
      await api.post('/api/v1/roster-exceptions', body, { idempotencyKey: keyFor(body) });
      announce(t('roster.added', { date: i18n.date(date) }));
      setDate('');
      setNote('');
      list.reload();
    } catch (error) {
      const issue = fieldIssues(error).find((item) => item.field === 'date');
      if (issue !== undefined) {
        setDateError(issue.code === 'conflict' ? t('roster.dateTaken') : issue.message);
        document.getElementById(`${props.id}-date`)?.focus();
      } else setFormError(errorMessage(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (item: RosterException) => {
    setBusy(true);
    setFormError(undefined);
    try {
      await api.delete(`/api/v1/roster-exceptions/${item.id}`);
      announce(t('roster.removed', { date: i18n.date(item.date) }));
      list.reload();
    } catch (error) {
      setFormError(errorMessage(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  const items = (list.data?.items ?? []).filter((item) => item.kind === props.kind);
  return (
    <div data-testid={`${props.id}-list`}>
      {list.error !== undefined && list.data === undefined && <LoadError error={list.error} onRetry={list.reload} />}
      {list.data === undefined && list.error === undefined && <Loading />}
      {list.data !== undefined &&
        (items.length === 0 ? (
          <p>{props.kind === 'holiday' ? t('roster.noHolidays') : t('roster.noLeave')}</p>
        ) : (
          <ul className="rows rows-actions">
            {items.map((item) => (
              <li key={item.id} data-testid={`${props.id}-item`}>
                <span className="ranked-text">
                  <time className="row-title" dateTime={item.date}>
                    {i18n.date(item.date)}
                  </time>
                  {item.note !== null && <span className="row-meta">{item.note}</span>}
                </span>
                <button
                  type="button"
                  className="small-button small-button-danger"
                  disabled={busy}
                  aria-label={t('roster.removeLabel', { date: i18n.date(item.date) })}
                  onClick={() => void remove(item)}
                >
                  <Icon d={icons.remove} /> <span>{t('admin.remove')}</span>
                </button>
              </li>
            ))}
          </ul>
        ))}
      <LiveMessage message={message} />
      <form className="inline-form" onSubmit={(event) => void add(event)} noValidate>
        <Field
          id={`${props.id}-date`}
          label={props.kind === 'holiday' ? t('roster.holidayDate') : t('roster.leaveDate')}
          error={dateError}
          type="date"
          min={today()}
          value={date}
          onChange={(event) => {
            setDate(event.target.value);
            setDateError(undefined);
          }}
        />
        <Field
          id={`${props.id}-note`}
          label={t('roster.note')}
          type="text"
          maxLength={500}
          autoComplete="off"
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
        <button type="submit" className="button button-secondary" disabled={busy} data-testid={`${props.id}-add`}>
          <Icon d={icons.plus} /> {props.kind === 'holiday' ? t('roster.addHoliday') : t('roster.addLeave')}
        </button>
      </form>
      {formError !== undefined && <Notice kind="error">{formError}</Notice>}
    </div>
  );
}

/** State holidays, and the way to a person's shifts and leave. */
export function RostersPage() {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { scope } = useAdmin();
  const { query } = useLocation();
  const fixedState = onlyState(scope);
  const stateId = fixedState ?? query.get('state') ?? '';
  const states = useStates();
  const stateChoices = (states ?? []).filter((state) => scope.all || scope.stateIds.includes(state.id));
  const stateName = states?.find((state) => state.id === stateId)?.name ?? stateId;
  const holidaysId = useId();
  const peopleId = useId();
  return (
    <Page title={t('roster.title')}>
      <BackLink to="/home">{t('admin.home')}</BackLink>
      <p>{t('roster.intro')}</p>
      {fixedState === undefined && (
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <SelectField
            id="roster-state"
            label={t('admin.state')}
            empty={t('admin.choose')}
            options={stateChoices.map((state) => ({ value: state.id, label: state.name }))}
            value={stateId}
            onChange={(event) =>
              navigate(withQuery('/admin/rosters', { state: event.target.value || undefined }), { replace: true })
            }
          />
        </form>
      )}
      <section className="admin-section" aria-labelledby={holidaysId}>
        <h2 id={holidaysId}>{stateId === '' ? t('roster.holidays') : t('roster.holidaysOf', { state: stateName })}</h2>
        {stateId === '' ? (
          <p>{t('opds.chooseState')}</p>
        ) : (
          <>
            <p className="hint">{t('roster.holidaysHint')}</p>
            <DateList
              key={stateId}
              id="holiday"
              kind="holiday"
              listPath={withQuery('/api/v1/roster-exceptions', { stateId, kind: 'holiday', from: today() })}
              body={{ stateId }}
            />
          </>
        )}
      </section>
      <section className="admin-section" aria-labelledby={peopleId}>
        <h2 id={peopleId}>{t('roster.people')}</h2>
        <p className="hint">{t('roster.peopleHint')}</p>
        <PersonFinder stateId={stateId === '' ? undefined : stateId} />
      </section>
    </Page>
  );
}

/** Finds a doctor or officer by the start of the name and links to their shifts. */
function PersonFinder({ stateId }: { stateId: string | undefined }) {
  const { t } = useAdminI18n();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 300);
  const results = useApi<ListPage<Practitioner>>(
    q === '' ? null : withQuery('/api/v1/practitioners', { q, stateId, limit: 10 }),
  );
  return (
    <div className="picker">
      <Field
        id="roster-person"
        label={t('practitioners.search')}
        hint={t('admin.pickerHint')}
        type="search"
        autoComplete="off"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {results.error !== undefined && <LoadError error={results.error} onRetry={results.reload} />}
      {q !== '' && results.data !== undefined && (
        <>
          <p className="hint" role="status">
            {results.data.items.length === 0
              ? t('practitioners.noMatch')
              : t('roster.peopleFound', { count: results.data.total })}
          </p>
          <ul className="rows">
            {results.data.items.map((person) => (
              <li key={person.id}>
                <Link to={`/admin/practitioners/${person.id}#shifts`} className="row-title">
                  {person.name}
                </Link>
                <span className="row-meta">
                  {person.roles
                    .map((role) =>
                      t('practitioner.roleAt', {
                        role: t(`practitionerRole.${role.role}`),
                        facility: role.facilityName,
                      }),
                    )
                    .join('; ')}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

// ---- A person's week and leave (on their page) ---------------------------------------------

const toRows = (shifts: Shift[]): TimeRow[] =>
  shifts.map((shift) => ({ key: rowKey(), weekday: shift.weekday, start: shift.startsAt, end: shift.endsAt }));

const signature = (rows: { weekday: number; start: string; end: string }[]) =>
  JSON.stringify(rows.map((row) => `${row.weekday} ${row.start} ${row.end}`).sort());

/** The weekly shifts of a person at each facility where they have a role. */
export function ShiftsSection({ practitioner }: { practitioner: Practitioner }) {
  const { t } = useAdminI18n();
  const shifts = useApi<{ items: Shift[] }>(`/api/v1/practitioners/${practitioner.id}/shifts`);
  const facilities = [...new Map(practitioner.roles.map((role) => [role.facilityId, role.facilityName])).entries()];
  if (shifts.error !== undefined && shifts.data === undefined)
    return <LoadError error={shifts.error} onRetry={shifts.reload} />;
  if (shifts.data === undefined) return <Loading />;
  if (facilities.length === 0) return <p>{t('shifts.noRoles')}</p>;
  const items = shifts.data.items;
  return (
    <>
      {facilities.map(([facilityId, facilityName]) => (
        <FacilityShifts
          key={facilityId}
          practitionerId={practitioner.id}
          facilityId={facilityId}
          facilityName={facilityName}
          shifts={items.filter((shift) => shift.facilityId === facilityId)}
          onSaved={shifts.reload}
        />
      ))}
    </>
  );
}

function FacilityShifts(props: {
  practitionerId: string;
  facilityId: string;
  facilityName: string;
  shifts: Shift[];
  onSaved: () => void;
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const headingId = useId();
  const [rows, setRows] = useState(() => toRows(props.shifts));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const saved = signature(
    props.shifts.map((shift) => ({ weekday: shift.weekday, start: shift.startsAt, end: shift.endsAt })),
  );
  useEffect(() => {
    setRows(toRows(props.shifts));
  }, [saved]);
  const dirty = signature(rows) !== saved;
  // Dated shifts (valid from / until) are kept as they are when the week is saved.
  const dated = props.shifts.filter((shift) => shift.validFrom !== null || shift.validTo !== null);

  const save = async () => {
    setFormError(undefined);
    setNotice(undefined);
    const invalid = checkWeek(rows, 'shift', t);
    setErrors(invalid);
    if (Object.keys(invalid).length > 0) {
      setFormError(t('admin.fixFields', { count: Object.keys(invalid).length }));
      return;
    }
    setBusy(true);
    try {
      await put(`/api/v1/practitioners/${props.practitionerId}/shifts`, {
        facilityId: props.facilityId,
        shifts: rows.map((row) => {
          const original = props.shifts.find(
            (shift) => shift.weekday === row.weekday && shift.startsAt === row.start && shift.endsAt === row.end,
          );
          return {
            weekday: row.weekday,
            startsAt: row.start,
            endsAt: row.end,
            validFrom: original?.validFrom ?? null,
            validTo: original?.validTo ?? null,
          };
        }),
      });
      setNotice(t('shifts.saved', { facility: props.facilityName }));
      props.onSaved();
    } catch (error) {
      const fromServer: Record<string, string> = {};
      for (const issue of fieldIssues(error)) {
        const row = rows[Number(/^shifts\.(\d+)/.exec(issue.field)?.[1] ?? -1)];
        if (row !== undefined) fromServer[row.key] ??= issue.message;
      }
      setErrors(fromServer);
      setFormError(errorMessage(error, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={headingId} data-testid="shifts" data-facility={props.facilityId}>
      <h3 id={headingId}>{props.facilityName}</h3>
      {dated.length > 0 && <p className="hint">{t('shifts.dated', { count: dated.length })}</p>}
      <WeekEditor
        id={`shifts-${props.facilityId}`}
        mode="shift"
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
          data-testid="shifts-save"
        >
          {busy ? t('admin.saving') : t('shifts.save')}
        </button>
        {dirty && (
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={() => {
              setRows(toRows(props.shifts));
              setErrors({});
              setFormError(undefined);
            }}
          >
            {t('admin.undo')}
          </button>
        )}
      </div>
    </section>
  );
}

/** A person's leave from today on. */
export function LeaveSection({ practitioner }: { practitioner: Practitioner }) {
  return (
    <DateList
      id="leave"
      kind="leave"
      listPath={withQuery('/api/v1/roster-exceptions', {
        practitionerId: practitioner.id,
        kind: 'leave',
        from: today(),
      })}
      body={{ practitionerId: practitioner.id }}
    />
  );
}
