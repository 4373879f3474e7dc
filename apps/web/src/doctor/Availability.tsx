import { useEffect, useState } from 'react';
import { request } from '../api';
import { Notice } from '../components/Notice';
import { errorMessage } from '../errors';
import { useApi } from '../useApi';
import { useDoctorI18n } from './i18n';

type Status = 'available' | 'break' | 'off_shift';
const STATUSES: readonly Status[] = ['available', 'break', 'off_shift'];

interface AvailabilityNow {
  status: Status;
  onShift: boolean;
  setStatus: Status | null;
  shiftEndsAt?: string;
}

/** Available, on a break or off shift: the doctor's own switch (the roster's "off shift" always wins). */
export function Availability() {
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const load = useApi<AvailabilityNow>('/api/v1/me/availability');
  const [now, setNow] = useState<AvailabilityNow | undefined>();
  const [busy, setBusy] = useState<Status | null>(null);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (load.data !== undefined) setNow(load.data);
  }, [load.data]);

  const choose = async (status: Status) => {
    if (busy !== null) return;
    setBusy(status);
    setError(undefined);
    try {
      setNow(await request<AvailabilityNow>('PUT', '/api/v1/me/availability', { status }));
    } catch (failure) {
      setError(errorMessage(failure, i18n));
    } finally {
      setBusy(null);
    }
  };

  const current = busy ?? now?.status;
  return (
    <section className="availability" aria-labelledby="availability-heading" data-testid="availability">
      <fieldset className="field" disabled={now === undefined}>
        <legend id="availability-heading">{t('avail.title')}</legend>
        <div className="radio-row">
          {STATUSES.map((status) => (
            <label key={status} className={`radio-pill avail-${status}`} htmlFor={`avail-${status}`}>
              <input
                id={`avail-${status}`}
                type="radio"
                name="availability"
                value={status}
                checked={current === status}
                onChange={() => void choose(status)}
              />
              <span>{t(`avail.${status}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {now !== undefined && (
        <p className="hint" role="status">
          {!now.onShift
            ? t('avail.rosterOff')
            : now.status === 'available'
              ? now.shiftEndsAt === undefined
                ? t('avail.availableHint')
                : t('avail.availableUntil', { time: i18n.dateTime(now.shiftEndsAt) })
              : now.status === 'break'
                ? t('avail.breakHint')
                : t('avail.offHint')}
        </p>
      )}
      {load.error !== undefined && now === undefined && <Notice kind="error">{errorMessage(load.error, i18n)}</Notice>}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
    </section>
  );
}
