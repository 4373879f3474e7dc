import { ApiError } from './api';
import type { I18n } from './i18n';

/**
 * The sentence to show for a failed call, in the reader's language. Statuses the app knows get
 * its own words; anything else falls back to the server's (English) diagnostics.
 * `retrying` says whether the app will try again by itself (loads) or the person must (actions).
 */
export function errorMessage(error: unknown, i18n: I18n, retrying = false): string {
  const { t } = i18n;
  if (!(error instanceof ApiError)) return t('error.server');
  if (error.offline) return retrying ? t('error.offline') : t('error.unreachable');
  switch (error.status) {
    case 401:
      return t('error.sessionEnded');
    case 403:
      return t('error.forbidden');
    case 423:
      return t('error.locked', { when: i18n.fromNow(error.retryAfter ?? 15 * 60) });
    case 429:
      return t('error.tooMany', { when: i18n.fromNow(error.retryAfter ?? 60) });
    default:
      if (error.status >= 500) return retrying && error.transient ? t('error.serverRetrying') : t('error.server');
      return error.diagnostics ?? t('error.server');
  }
}
