import { useEffect } from 'react';
import { useApi } from '../useApi';
import { useDoctorI18n } from './i18n';

interface Day {
  date: string;
  completed: number;
  notHappened: number;
  noShow: number;
  inProgress: number;
  averageMinutes: number | null;
}

/** The doctor's day so far: seen, not come, calls that did not happen, and the average time. */
export function DaySummary({ refreshKey }: { refreshKey: number }) {
  const { t } = useDoctorI18n();
  const day = useApi<Day>('/api/v1/me/day-summary', { refreshMs: 120_000 });
  const { reload } = day;
  // The key changes when a patient leaves the doctor's hands, so the figures follow at once.
  useEffect(() => {
    if (refreshKey > 0) reload();
  }, [refreshKey, reload]);
  if (day.data === undefined) return null;
  const { completed, noShow, notHappened, averageMinutes } = day.data;
  return (
    <section className="day-summary" aria-labelledby="day-heading" data-testid="day-summary">
      <h2 id="day-heading">{t('day.title')}</h2>
      <dl>
        <div>
          <dt>{t('day.seen')}</dt>
          <dd data-testid="day-seen">{completed}</dd>
        </div>
        <div>
          <dt>{t('day.noShow')}</dt>
          <dd data-testid="day-no-show">{noShow}</dd>
        </div>
        <div>
          <dt>{t('day.notHappened')}</dt>
          <dd>{notHappened}</dd>
        </div>
        <div>
          <dt>{t('day.average')}</dt>
          <dd>{averageMinutes === null ? '–' : t('day.minutes', { minutes: averageMinutes })}</dd>
        </div>
      </dl>
    </section>
  );
}
