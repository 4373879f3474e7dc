import { useState } from 'react';
import { INDIAN_MOBILE_PATTERN, normaliseIndianMobile } from '@sanjog/shared';
import { withQuery } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { useApi } from '../useApi';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import './pages.css';
import './outbox.css';

interface OutboxMessage {
  id: string;
  toMobile: string;
  body: string;
  createdAt: string;
}

const MOBILE = new RegExp(INDIAN_MOBILE_PATTERN);
const REFRESH_MS = 3000;

/** The demo server's SMS outbox: where a tester reads the one-time codes. */
export function Outbox() {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const [filter, setFilter] = useState(() => query.get('mobile') ?? '');
  const mobile = normaliseIndianMobile(filter);
  const filtered = MOBILE.test(mobile) ? mobile : undefined;
  const { data, error, loading, updatedAt, reload } = useApi<{ messages: OutboxMessage[] }>(
    withQuery('/api/v1/dev/sms-outbox', { limit: 20, mobile: filtered }),
    { refreshMs: REFRESH_MS },
  );
  const messages = [...(data?.messages ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  const changeFilter = (value: string) => {
    setFilter(value);
    const next = normaliseIndianMobile(value);
    // Keep the filter in the address, so a refresh or a shared link shows the same list.
    navigate(withQuery('/dev/outbox', { mobile: MOBILE.test(next) ? next : undefined }), { replace: true });
  };

  return (
    <Page title={t('outbox.title')}>
      <p>{t('outbox.intro')}</p>
      <form className="form" role="search" onSubmit={(event) => event.preventDefault()}>
        <Field
          id="outbox-mobile"
          label={t('outbox.filterLabel')}
          hint={t('outbox.filterHint')}
          prefix="+91"
          type="tel"
          inputMode="numeric"
          autoComplete="off"
          value={filter}
          onChange={(event) => changeFilter(event.target.value)}
        />
      </form>

      {error?.status === 404 ? (
        <Notice kind="info">{t('outbox.unavailable')}</Notice>
      ) : (
        error !== undefined && <LoadError error={error} onRetry={reload} />
      )}
      {loading && <Loading />}
      {data !== undefined && messages.length === 0 && <p>{t('outbox.none')}</p>}
      {updatedAt !== undefined && (
        <p className="hint">{t('outbox.updatedAt', { time: i18n.time(new Date(updatedAt)) })}</p>
      )}

      {/* Not a live region: a refresh every 3 seconds must not talk over the reader. */}
      <ol className="outbox">
        {messages.map((message) => {
          const code = /\b(\d{6})\b/.exec(message.body)?.[1];
          return (
            <li key={message.id} className="outbox-message" data-testid="outbox-message" data-mobile={message.toMobile}>
              <p className="row-meta">
                <span>{t('outbox.to', { mobile: i18n.mobile(message.toMobile) })}</span>
                {' · '}
                <time dateTime={message.createdAt}>{i18n.dateTime(message.createdAt)}</time>
              </p>
              {code !== undefined && (
                <p className="outbox-code">
                  <span className="outbox-code-label">{t('outbox.code')}</span>{' '}
                  <span className="code" data-testid="outbox-code">
                    {code}
                  </span>
                </p>
              )}
              <p className="outbox-body">{message.body}</p>
            </li>
          );
        })}
      </ol>

      <p className="aside-link">
        <Link to="/patient/sign-in">{t('outbox.backToSignIn')}</Link>
      </p>
    </Page>
  );
}
