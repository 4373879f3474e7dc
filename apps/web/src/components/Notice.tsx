import type { ReactNode } from 'react';
import type { ApiError } from '../api';
import { errorMessage } from '../errors';
import { useI18n } from '../i18n';
import { Icon } from './Icon';
import { alert, check, message } from './icons';

/** A message box. Errors interrupt the screen reader (alert); other news waits its turn (status). */
export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <Icon d={kind === 'error' ? alert : kind === 'success' ? check : message} />
      <div>{children}</div>
    </div>
  );
}

/** The error of a load: says whether the app retries by itself. */
export function LoadError({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const i18n = useI18n();
  return (
    <Notice kind="error">
      <p>{errorMessage(error, i18n, error.transient)}</p>
      {!error.transient && onRetry !== undefined && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {i18n.t('error.retry')}
        </button>
      )}
    </Notice>
  );
}

export function Loading() {
  const t = useI18n().t;
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {t('app.loading')}
    </p>
  );
}
