import { useId, useMemo } from 'react';
import { withQuery } from '../api';
import { LoadError, Loading } from '../components/Notice';
import { createSection } from '../i18n/section';
import { useApi } from '../useApi';
import { figuresEn } from './figures-en';
import './figures.css';

const { Provider, useSection } = createSection(figuresEn, {
  hi: () => import('./figures-hi').then((module) => module.figuresHi),
});

interface Shares {
  rated: number;
  complete: number;
  appropriateSpeciality: number;
  neededVideo: number;
  completeShare: number | null;
  appropriateShare: number | null;
  videoShare: number | null;
}

interface Figures {
  weeks: (Shares & { week: string })[];
  total: Shares;
}

/**
 * How hub doctors rated the requests, week by week (the server's last 90 days): of the officer's
 * own spoke (neither spoke nor state given), of a spoke, or of a whole state for its overseers.
 * A table, not a chart: it reads out well and fits a 360 px phone.
 */
export function FeedbackFigures(props: { spokeId?: string; stateId?: string; testId: string }) {
  return (
    <Provider>
      <FiguresTable {...props} />
    </Provider>
  );
}

function FiguresTable({ spokeId, stateId, testId }: { spokeId?: string; stateId?: string; testId: string }) {
  const { t, number, locale } = useSection();
  const headingId = useId();
  const figures = useApi<Figures>(withQuery('/api/v1/hubspoke/feedback-figures', { spokeId, stateId }));
  const percent = useMemo(() => new Intl.NumberFormat(locale, { style: 'percent' }), [locale]);
  // The week's Monday as "7 Dec": short enough for five columns on a 360 px phone.
  const day = useMemo(
    () => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }),
    [locale],
  );
  const share = (value: number | null) => (value === null ? '—' : percent.format(value));
  const state = figures.data !== undefined ? 'ready' : figures.error !== undefined ? 'error' : 'loading';

  const cells = (s: Shares) => (
    <>
      <td>{number(s.rated)}</td>
      <td>{share(s.completeShare)}</td>
      <td>{share(s.appropriateShare)}</td>
      <td>{share(s.videoShare)}</td>
    </>
  );

  return (
    <section className="fig-section" aria-labelledby={headingId} data-testid={testId} data-state={state}>
      <h2 id={headingId}>{t('figures.title')}</h2>
      <p className="hint">{t('figures.hint')}</p>
      {figures.error !== undefined && <LoadError error={figures.error} onRetry={figures.reload} />}
      {figures.loading && <Loading />}
      {figures.data !== undefined &&
        (figures.data.weeks.length === 0 ? (
          <p data-testid="figures-none">{t('figures.none')}</p>
        ) : (
          <div className="fig-scroll">
            <table className="fig-table">
              <caption className="visually-hidden">{t('figures.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('figures.week')}</th>
                  <th scope="col">{t('figures.rated')}</th>
                  <th scope="col">{t('figures.complete')}</th>
                  <th scope="col">{t('figures.appropriate')}</th>
                  <th scope="col">{t('figures.video')}</th>
                </tr>
              </thead>
              <tbody>
                {[...figures.data.weeks].reverse().map((w) => (
                  <tr key={w.week} data-testid="figures-week">
                    <th scope="row">
                      <time dateTime={w.week}>{day.format(new Date(`${w.week}T00:00:00Z`))}</time>
                    </th>
                    {cells(w)}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-testid="figures-total" data-rated={figures.data.total.rated}>
                  <th scope="row">{t('figures.total')}</th>
                  {cells(figures.data.total)}
                </tr>
              </tfoot>
            </table>
          </div>
        ))}
    </section>
  );
}
