import { useId, useState, type ReactNode } from 'react';
import { withQuery } from '../api';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { alert } from '../components/icons';
import { LoadError } from '../components/Notice';
import { Link } from '../router';
import { useApi } from '../useApi';
import { useAdminI18n, useAdminT } from './i18n';
import { useDebounced, useDistricts } from './shared';
import type { Facility, FacilityKind, Page } from './types';

export const icons = {
  up: 'M12 19V5M6 11l6-6 6 6',
  down: 'M12 5v14M6 13l6 6 6-6',
  remove: 'M6 6l12 12M18 6L6 18',
  plus: 'M12 5v14M5 12h14',
  back: 'M19 12H5M11 6l-6 6 6 6',
  next: 'M5 12h14M13 6l6 6-6 6',
  history: 'M3 12a9 9 0 1 0 3-6.7M3 4v5h5M12 7v5l3 3',
  upload: 'M12 16V4M6 10l6-6 6 6M4 20h16',
};

/** The shared labelled select, under the name the admin pages use. */
export { Select as SelectField } from '../components/Select';

/** Several choices under one legend; the error names the group. */
export function CheckboxGroup(props: {
  id: string;
  legend: string;
  hint?: string | undefined;
  error?: string | undefined;
  options: { value: string; label: string; lang?: string | undefined }[];
  selected: string[];
  onChange: (selected: string[]) => void;
  disabled?: boolean | undefined;
}) {
  const { id, legend, hint, error, options, selected, onChange, disabled } = props;
  const toggle = (value: string, on: boolean) => {
    // Keep the order of the options, so that saving an unchanged set is recognised as unchanged.
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    const known = options.map((option) => option.value).filter((option) => next.has(option));
    const unknown = selected.filter((value) => next.has(value) && !options.some((option) => option.value === value));
    onChange([...known, ...unknown]);
  };
  const describedBy = [hint === undefined ? null : `${id}-hint`, error === undefined ? null : `${id}-error`]
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      id={id}
      className={error === undefined ? 'field checks' : 'field checks field-invalid'}
      aria-describedby={describedBy === '' ? undefined : describedBy}
      tabIndex={-1}
    >
      <legend>{legend}</legend>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={`${id}-error`} className="field-error" role="alert">
          <Icon d={alert} /> <span>{error}</span>
        </p>
      )}
      <div className="check-grid">
        {options.map((option) => (
          <label key={option.value} className="checkbox" htmlFor={`${id}-${option.value}`}>
            <input
              id={`${id}-${option.value}`}
              type="checkbox"
              value={option.value}
              checked={selected.includes(option.value)}
              disabled={disabled}
              onChange={(event) => toggle(option.value, event.target.checked)}
            />
            <span lang={option.lang}>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * "Showing 51–100 of 1,46,500" (announced when it changes) and real links to the pages before
 * and after, so that a page can be bookmarked, opened in a new tab, or reached by Back. The
 * copy under the list (`bottom`) is silent and takes the reader back to the top of the new page.
 */
export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  shown: number;
  href: (offset: number) => string;
  busy?: boolean;
  bottom?: boolean;
}) {
  const { t } = useAdminI18n();
  const { offset, limit, total, shown, href, busy, bottom } = props;
  const first = total === 0 ? 0 : offset + 1;
  const last = offset + shown;
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  const testId = (name: string) => (bottom === true ? `pager-bottom-${name}` : `pager-${name}`);
  const backToTop = () => {
    if (bottom !== true) return;
    window.setTimeout(() => {
      const summary = document.querySelector<HTMLElement>('[data-testid=pager-summary]');
      summary?.focus({ preventScroll: true });
      summary?.scrollIntoView({ block: 'start' });
    }, 0);
  };
  return (
    <nav className="pager" aria-label={bottom === true ? t('admin.pagesBottom') : t('admin.pages')}>
      <p
        className="count"
        role={bottom === true ? undefined : 'status'}
        tabIndex={bottom === true ? undefined : -1}
        data-testid={testId('summary')}
        aria-busy={busy === true ? true : undefined}
      >
        {total === 0 ? t('admin.showingNone') : t('admin.showing', { first, last, total })}
        <span className="pager-page"> · {t('admin.pageOf', { page, pages })}</span>
      </p>
      <div className="pager-buttons">
        {offset > 0 ? (
          <Link
            to={href(Math.max(0, offset - limit))}
            className="button button-secondary"
            data-testid={testId('previous')}
            rel="prev"
            onClick={backToTop}
          >
            <Icon d={icons.back} /> {t('admin.previous')}
          </Link>
        ) : (
          <span className="button button-secondary button-off" aria-disabled="true">
            <Icon d={icons.back} /> {t('admin.previous')}
          </span>
        )}
        {last < total ? (
          <Link
            to={href(offset + limit)}
            className="button button-secondary"
            data-testid={testId('next')}
            rel="next"
            onClick={backToTop}
          >
            {t('admin.next')} <Icon d={icons.next} />
          </Link>
        ) : (
          <span className="button button-secondary button-off" aria-disabled="true">
            {t('admin.next')} <Icon d={icons.next} />
          </span>
        )}
      </div>
    </nav>
  );
}

export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <p className="back-link">
      <Link to={to}>
        <Icon d={icons.back} /> {children}
      </Link>
    </p>
  );
}

/** Visually hidden, read out politely: for changes that have no visible sentence of their own. */
export function LiveMessage({ message }: { message: string }) {
  return (
    <p className="visually-hidden" role="status" aria-live="polite">
      {message}
    </p>
  );
}

/**
 * Finds a facility by the start of its name (server search: works with lakhs of rows) and
 * hands the chosen one back. Results are buttons: Tab to one, Enter to choose.
 */
export function FacilityPicker(props: {
  label: string;
  stateId?: string | undefined;
  kinds?: readonly FacilityKind[] | undefined;
  exclude?: readonly string[] | undefined;
  error?: string | undefined;
  onPick: (facility: Facility) => void;
  testId?: string | undefined;
}) {
  const { t } = useAdminI18n();
  const id = useId();
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), 300);
  const kind = props.kinds?.length === 1 ? props.kinds[0] : undefined;
  const results = useApi<Page<Facility>>(
    query === ''
      ? null
      : withQuery('/api/v1/facilities', { q: query, stateId: props.stateId, kind, active: 'true', limit: 10 }),
  );
  const items = (results.data?.items ?? []).filter(
    (facility) =>
      !(props.exclude ?? []).includes(facility.id) &&
      (props.kinds === undefined || props.kinds.includes(facility.kind)),
  );
  return (
    <div className="picker" data-testid={props.testId}>
      <Field
        id={`picker${id}`}
        label={props.label}
        hint={t('admin.pickerHint')}
        error={props.error}
        type="search"
        autoComplete="off"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {results.error !== undefined && <LoadError error={results.error} onRetry={results.reload} />}
      {query !== '' && results.data !== undefined && (
        <>
          <p className="hint" role="status">
            {items.length === 0 ? t('admin.pickerNone') : t('admin.pickerCount', { count: items.length })}
          </p>
          <ul className="picker-results">
            {items.map((facility) => (
              <li key={facility.id}>
                <button
                  type="button"
                  className="picker-choice"
                  data-testid="picker-choice"
                  onClick={() => {
                    props.onPick(facility);
                    setText('');
                  }}
                >
                  <span className="row-title">{facility.name}</span>
                  <span className="row-meta">{t(`facilityKind.${facility.kind}`)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** The words for a 409 when someone else saved first, with the way out. */
export function ConflictNotice({ onReload, what }: { onReload: () => void; what: string }) {
  const t = useAdminT();
  return (
    <div className="notice notice-error" role="alert" data-testid="conflict">
      <Icon d={alert} />
      <div>
        <p>{t('admin.conflict', { what })}</p>
        <button type="button" className="button button-secondary" onClick={onReload} data-testid="conflict-reload">
          {t('admin.reload')}
        </button>
      </div>
    </div>
  );
}

/** A district's name (the list of its state is fetched once for the whole page). */
export function DistrictName({ stateId, districtId }: { stateId: string; districtId: string }) {
  const districts = useDistricts(stateId);
  return <>{districts?.find((district) => district.id === districtId)?.name ?? districtId}</>;
}
