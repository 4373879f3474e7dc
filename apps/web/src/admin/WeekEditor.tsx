import { useMemo } from 'react';
import { Icon } from '../components/Icon';
import { alert } from '../components/icons';
import { icons } from './components';
import { useAdminI18n, type AdminI18n } from './i18n';

/** One stretch of time on a weekday (0 = Sunday … 6 = Saturday, the state's local time). */
export interface TimeRow {
  key: string;
  weekday: number;
  start: string;
  end: string;
}

/**
 * OPD sessions close on the day they open (00:00 as a closing time means midnight); shifts may
 * run past midnight (an end at or before the start is the next day).
 */
export type WeekMode = 'opd' | 'shift';

/** Monday first, as the week is read in India. */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const MINUTES_PER_DAY = 24 * 60;

let nextKey = 0;
export const rowKey = () => `time-${String(++nextKey)}`;

export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** "Monday" in the reader's language, from the browser (1 Jan 2023 was a Sunday). */
export function weekdayNamer(locale: string): (weekday: number) => string {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
  return (weekday) => format.format(new Date(Date.UTC(2023, 0, 1 + weekday)));
}

/** Problems by row key: bad times, an OPD session that closes before it opens, overlaps. */
export function checkWeek(rows: TimeRow[], mode: WeekMode, t: AdminI18n['t']): Record<string, string> {
  const errors: Record<string, string> = {};
  const spans: { key: string; start: number; end: number }[] = [];
  for (const row of rows) {
    if (!TIME.test(row.start) || !TIME.test(row.end)) {
      errors[row.key] = t('week.timeMissing');
      continue;
    }
    const start = row.weekday * MINUTES_PER_DAY + minutesOf(row.start);
    let end = row.weekday * MINUTES_PER_DAY + minutesOf(row.end);
    if (mode === 'opd') {
      if (row.end === '00:00') end = (row.weekday + 1) * MINUTES_PER_DAY;
      if (end <= start) {
        errors[row.key] = t('week.closesBeforeOpens');
        continue;
      }
    } else {
      if (end === start) {
        errors[row.key] = t('week.sameTime');
        continue;
      }
      if (end < start) end += MINUTES_PER_DAY;
    }
    spans.push({ key: row.key, start, end });
  }
  const week = 7 * MINUTES_PER_DAY;
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i];
      const b = spans[j];
      if (a === undefined || b === undefined) continue;
      if ([-week, 0, week].some((shift) => a.start < b.end + shift && b.start + shift < a.end)) {
        errors[b.key] ??= t('week.overlaps');
      }
    }
  }
  return errors;
}

/**
 * A week of opening hours or shifts, a day at a time: each day lists its times with a button to
 * remove each, and a button to add one. Every time input has its own label (day, start or end).
 */
export function WeekEditor(props: {
  id: string;
  mode: WeekMode;
  rows: TimeRow[];
  errors: Record<string, string>;
  disabled?: boolean | undefined;
  onChange: (rows: TimeRow[]) => void;
}) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { id, mode, rows, errors, disabled, onChange } = props;
  const dayName = useMemo(() => weekdayNamer(i18n.locale), [i18n.locale]);
  const update = (key: string, changes: Partial<TimeRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...changes } : row)));
  const add = (weekday: number) => {
    const sameDay = rows.filter((row) => row.weekday === weekday);
    const last = sameDay[sameDay.length - 1];
    // A sensible start: after the day's last session, else the usual morning hours.
    const start = last === undefined ? '09:00' : last.end === '00:00' ? '09:00' : last.end;
    const key = rowKey();
    onChange([...rows, { key, weekday, start, end: minutesOf(start) < minutesOf('17:00') ? '17:00' : '00:00' }]);
    window.setTimeout(() => document.getElementById(`${id}-${key}-start`)?.focus(), 0);
  };
  const copyFirstDay = () => {
    const monday = rows.filter((row) => row.weekday === 1);
    const others = [2, 3, 4, 5, 6].flatMap((weekday) => monday.map((row) => ({ ...row, key: rowKey(), weekday })));
    onChange([...rows.filter((row) => row.weekday === 1 || row.weekday === 0), ...others]);
  };
  const startLabel = mode === 'opd' ? t('week.opens') : t('week.starts');
  const endLabel = mode === 'opd' ? t('week.closes') : t('week.ends');

  return (
    <div className="week" data-testid={`${id}-week`}>
      <p className="hint">{mode === 'opd' ? t('week.opdHint') : t('week.shiftHint')}</p>
      {WEEK_ORDER.map((weekday) => {
        const day = rows.filter((row) => row.weekday === weekday);
        return (
          <div key={weekday} className="week-day" data-weekday={weekday}>
            <h3 className="week-day-name" id={`${id}-day-${weekday}`}>
              {dayName(weekday)}
            </h3>
            {day.length === 0 && (
              <p className="hint week-closed">{mode === 'opd' ? t('week.closed') : t('week.off')}</p>
            )}
            <ul className="week-times" aria-labelledby={`${id}-day-${weekday}`}>
              {day.map((row) => {
                const error = errors[row.key];
                const nextDay =
                  mode === 'shift' &&
                  TIME.test(row.start) &&
                  TIME.test(row.end) &&
                  minutesOf(row.end) < minutesOf(row.start);
                return (
                  <li
                    key={row.key}
                    className={error === undefined ? 'week-time' : 'week-time field-invalid'}
                    data-testid={`${id}-row`}
                  >
                    <span className="week-field">
                      <label htmlFor={`${id}-${row.key}-start`}>
                        <span className="visually-hidden">{dayName(weekday)}: </span>
                        {startLabel}
                      </label>
                      <input
                        id={`${id}-${row.key}-start`}
                        className="input input-time"
                        type="time"
                        required
                        value={row.start}
                        disabled={disabled}
                        aria-invalid={error === undefined ? undefined : true}
                        aria-describedby={error === undefined ? undefined : `${id}-${row.key}-error`}
                        onChange={(event) => update(row.key, { start: event.target.value })}
                      />
                    </span>
                    <span className="week-field">
                      <label htmlFor={`${id}-${row.key}-end`}>
                        <span className="visually-hidden">{dayName(weekday)}: </span>
                        {endLabel}
                      </label>
                      <input
                        id={`${id}-${row.key}-end`}
                        className="input input-time"
                        type="time"
                        required
                        value={row.end}
                        disabled={disabled}
                        aria-invalid={error === undefined ? undefined : true}
                        aria-describedby={error === undefined ? undefined : `${id}-${row.key}-error`}
                        onChange={(event) => update(row.key, { end: event.target.value })}
                      />
                    </span>
                    <button
                      type="button"
                      className="small-button small-button-danger"
                      disabled={disabled}
                      aria-label={t('week.removeLabel', { day: dayName(weekday), start: row.start, end: row.end })}
                      onClick={() => {
                        onChange(rows.filter((other) => other.key !== row.key));
                        window.setTimeout(() => document.getElementById(`${id}-add-${weekday}`)?.focus(), 0);
                      }}
                    >
                      <Icon d={icons.remove} /> <span>{t('admin.remove')}</span>
                    </button>
                    {nextDay && <span className="hint week-note">{t('week.nextDay')}</span>}
                    {mode === 'opd' && row.end === '00:00' && (
                      <span className="hint week-note">{t('week.midnight')}</span>
                    )}
                    {error !== undefined && (
                      <p id={`${id}-${row.key}-error`} className="field-error week-error" role="alert">
                        <Icon d={alert} /> <span>{error}</span>
                      </p>
                    )}
                  </li>
                );
              })}
            </ul>
            <button
              type="button"
              id={`${id}-add-${weekday}`}
              className="link-button"
              disabled={disabled}
              onClick={() => add(weekday)}
            >
              <Icon d={icons.plus} />{' '}
              {mode === 'opd'
                ? t('week.addSession', { day: dayName(weekday) })
                : t('week.addShift', { day: dayName(weekday) })}
            </button>
          </div>
        );
      })}
      <p>
        <button type="button" className="button button-secondary" disabled={disabled} onClick={copyFirstDay}>
          {t('week.copyMonday', { monday: dayName(1), saturday: dayName(6) })}
        </button>
      </p>
    </div>
  );
}
