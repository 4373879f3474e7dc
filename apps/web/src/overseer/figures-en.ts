/**
 * English words of the hub feedback figures, shown on the spoke's page and in the state's
 * service overview: a few words of their own, so that the spoke's chunk carries no more.
 * `./figures-hi` must have exactly these keys.
 */
export const figuresEn = {
  'figures.title': 'Hub feedback over time',
  'figures.hint': 'How hub doctors rated the requests, week by week, over the last 13 weeks.',
  'figures.caption': 'Share of rated requests that were complete, for the right speciality, and needed video',
  'figures.week': 'Week of',
  'figures.rated': 'Rated',
  'figures.complete': 'Complete',
  'figures.appropriate': 'Right speciality',
  'figures.video': 'Needed video',
  'figures.total': 'All weeks',
  'figures.none': 'No request has been rated in these weeks yet.',
} as const;
