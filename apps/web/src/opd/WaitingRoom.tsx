import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, serverNow, toApiError, withQuery } from '../api';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { useNow } from '../hooks';
import { useLive, usePolling, type LiveMessage } from '../live';
import { navigate } from '../router';
import { useSession } from '../session';
import { useApi } from '../useApi';
import { Finished } from './Finished';
import { useOpdI18n } from './i18n';
import type { Consultation, Mode, Profile, Token } from './types';
import { alertPerson, visit } from './util';

// The video call is its own chunk, fetched when the consultation starts.
const CallPanel = lazy(() => import('../call/CallPanel'));

const POLL_MS = 15_000;
const tokenKey = (id: string) => `sanjog.token.${id}`;
const endKey = (id: string) => `sanjog.tokenEnd.${id}`;

interface Ended {
  /** The token's last status (completed, lapsed, closed, …), or unknown when this device missed it. */
  status: string;
  event?: string | undefined;
}

/**
 * The waiting room of one token, from taking it to the end of the consultation: the place in
 * the queue (live over a WebSocket, polled while that is down), the call with its countdown,
 * the consultation, and what happened at the end. Nothing depends on this device having seen
 * the token before: any device of the account shows the same.
 */
export function WaitingRoom({ id }: { id: string }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const { expire } = useSession();
  const [token, setToken] = useState<Token | undefined>(() => visit.get(tokenKey(id)) as Token | undefined);
  const [ended, setEnded] = useState<Ended | undefined>();
  const [consultation, setConsultation] = useState<Consultation | undefined>();
  const [loadError, setLoadError] = useState<ApiError | undefined>();
  const [loaded, setLoaded] = useState(false);
  const [news, setNews] = useState<'reoffered' | 'skipped' | 'transferred' | undefined>();
  const [otherToken, setOtherToken] = useState<Token | undefined>();
  const family = useApi<{ items: Profile[] }>('/api/v1/me/patients');
  const known = useRef(token);
  const lastEvent = useRef<Ended | undefined>(visit.get(endKey(id)) as Ended | undefined);

  const remember = useCallback(
    (next: Token) => {
      known.current = next;
      visit.set(tokenKey(id), next);
      setToken(next);
    },
    [id],
  );

  /** The token is no longer live: find out how it ended. */
  const settle = useCallback(
    async (live: Token[]) => {
      const last = known.current;
      if (lastEvent.current?.event === 'transferred' && last !== undefined) {
        const moved = live.find((item) => item.patientId === last.patientId && item.id !== id);
        if (moved !== undefined) {
          navigate(`/consult/token/${moved.id}?moved=1`, { replace: true });
          return;
        }
      }
      setOtherToken(last === undefined ? undefined : live.find((item) => item.patientId === last.patientId));
      let found: Consultation | undefined;
      if (last?.consultationId != null) {
        found = await api.get<Consultation>(`/api/v1/consultations/${encodeURIComponent(last.consultationId)}`);
      } else {
        const mine = await api.get<{ items: Consultation[] }>(withQuery('/api/v1/me/consultations', { limit: 20 }));
        found = mine.items.find((item) => item.tokenId === id);
      }
      if (found !== undefined) {
        setConsultation(found);
        setEnded({ status: found.status === 'in_progress' ? 'in_consultation' : 'completed' });
      } else {
        setEnded(lastEvent.current ?? { status: 'unknown' });
      }
    },
    [id],
  );

  const refresh = useCallback(async () => {
    try {
      const { items } = await api.get<{ items: Token[] }>('/api/v1/me/tokens');
      const found = items.find((item) => item.id === id);
      if (found !== undefined) {
        remember(found);
        setEnded(undefined);
      } else {
        await settle(items);
      }
      setLoaded(true);
      setLoadError(undefined);
    } catch (error) {
      const failure = toApiError(error);
      if (failure.status === 401) expire();
      setLoadError(failure);
    }
  }, [id, remember, settle, expire]);

  const onMessage = useCallback(
    (message: LiveMessage) => {
      if (message.type === 'position' && message.tokenId === id) {
        const current = known.current;
        if (current !== undefined && current.status === 'waiting')
          remember({ ...current, ahead: message.ahead, estimatedWaitMinutes: message.estimatedWaitMinutes });
      } else if (message.type === 'token' && message.tokenId === id) {
        lastEvent.current = { status: message.status, event: message.event };
        visit.set(endKey(id), lastEvent.current);
        if (message.event === 'reoffered' || message.event === 'skipped') setNews(message.event);
        if (message.event === 'called') setNews(undefined);
        void refresh();
      }
    },
    [id, remember, refresh],
  );

  const live = useLive('/api/v1/live', onMessage);
  // Whatever happened while the link was down is fetched again on every (re)connection.
  useEffect(() => {
    void refresh();
  }, [refresh, live.opens]);
  usePolling(live.state !== 'open' || token?.status === 'in_consultation', POLL_MS, () => void refresh());

  useEffect(() => {
    if (new URLSearchParams(window.location.search).get('moved') === '1') setNews('transferred');
  }, []);

  const profile = family.data?.items.find((item) => item.id === token?.patientId);
  const name = profile?.name ?? (token?.patientName || undefined);

  if (ended !== undefined) {
    return (
      <Finished
        tokenId={id}
        ended={ended}
        token={token}
        consultation={consultation}
        otherToken={otherToken}
        onConsultation={setConsultation}
      />
    );
  }
  if (token === undefined || !loaded) {
    return (
      <Page title={t('wait.title')}>
        {loadError !== undefined && <LoadError error={loadError} onRetry={() => void refresh()} />}
        {loadError === undefined && <Loading />}
      </Page>
    );
  }
  const reconnecting = live.state === 'reconnecting' || loadError?.transient === true;
  return (
    <Room
      token={token}
      name={name}
      reconnecting={reconnecting}
      news={news}
      loadError={loadError?.transient === true ? undefined : loadError}
      onToken={remember}
      onLeft={() => void refresh()}
    />
  );
}

function Room(props: {
  token: Token;
  name: string | undefined;
  reconnecting: boolean;
  news: 'reoffered' | 'skipped' | 'transferred' | undefined;
  loadError: ApiError | undefined;
  onToken: (token: Token) => void;
  onLeft: () => void;
}) {
  const { token, name, reconnecting, news } = props;
  const i18n = useOpdI18n();
  const { t } = i18n;
  const title =
    token.status === 'called'
      ? t('call.title')
      : token.status === 'in_consultation'
        ? t('consult.title')
        : t('wait.title');
  return (
    <Page title={title}>
      <p className="for-whom" data-testid="token-for">
        {name === undefined ? t('wait.at', { opd: token.opdName }) : t('wait.forAt', { name, opd: token.opdName })}
      </p>
      {reconnecting && (
        <div className="notice notice-reconnecting" role="status" data-testid="reconnecting">
          <span className="spinner" aria-hidden="true" />
          <div>
            <p>
              <strong>{t('wait.safe')}</strong> {t('wait.reconnecting')}
            </p>
          </div>
        </div>
      )}
      {props.loadError !== undefined && <LoadError error={props.loadError} />}
      {token.status === 'booked' && <Booked token={token} onLeft={props.onLeft} />}
      {token.status === 'waiting' && <Waiting token={token} news={news} onLeft={props.onLeft} />}
      {token.status === 'called' && <Called token={token} onToken={props.onToken} />}
      {token.status === 'in_consultation' && <InConsultation token={token} onToken={props.onToken} />}
    </Page>
  );
}

function TokenNumber({ token }: { token: Token }) {
  const { t } = useOpdI18n();
  return (
    <div className="token-number">
      <span className="token-label">{t('wait.tokenNumber')}</span>
      <span className="token-value" data-testid="token-number">
        {token.tokenNumber}
      </span>
    </div>
  );
}

function Waiting({ token, news, onLeft }: { token: Token; news: string | undefined; onLeft: () => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const ahead = token.ahead ?? 0;
  return (
    <>
      {news === 'reoffered' || (news === undefined && token.missedCalls > 0) ? (
        <Notice kind="info">
          <p data-testid="missed-call">{t('wait.missed')}</p>
        </Notice>
      ) : news === 'skipped' ? (
        <Notice kind="info">{t('wait.skipped')}</Notice>
      ) : news === 'transferred' ? (
        <Notice kind="info">{t('wait.transferred', { opd: token.opdName })}</Notice>
      ) : null}
      <div className="waiting-card" data-testid="waiting">
        <TokenNumber token={token} />
        {/* One polite, whole announcement when the place changes. */}
        <div className="place" role="status" aria-atomic="true">
          <p className="place-ahead" data-testid="ahead" data-ahead={ahead}>
            {ahead === 0 ? t('wait.next') : ahead === 1 ? t('wait.aheadOne') : t('wait.ahead', { count: ahead })}
          </p>
          {token.estimatedWaitMinutes !== null && (
            <p className="place-wait" data-testid="estimate">
              {token.estimatedWaitMinutes <= 1
                ? t('wait.estimateSoon')
                : t('wait.estimate', { minutes: token.estimatedWaitMinutes })}
            </p>
          )}
        </div>
      </div>
      <NotifyMe />
      <section aria-labelledby="next-heading">
        <h2 id="next-heading">{t('wait.nextTitle')}</h2>
        <ol className="what-next">
          <li>{t('wait.step1')}</li>
          <li>{t('wait.step2')}</li>
          <li>{t('wait.step3')}</li>
          <li>{t('wait.step4')}</li>
        </ol>
        <p className="free">{t('opd.free')}</p>
      </section>
      <Leave token={token} onLeft={onLeft} />
    </>
  );
}

/** A place booked in a later session: the next one after closing, or a follow-up with the same doctor. */
function Booked({ token, onLeft }: { token: Token; onLeft: () => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  return (
    <>
      <div className="waiting-card" data-testid="booked">
        <TokenNumber token={token} />
        <div className="place" role="status" aria-atomic="true">
          <p className="place-ahead">
            {t(token.followUpOf === null ? 'booked.nextSession' : 'booked.followUp', {
              time: token.bookedFor === null ? '' : i18n.dateTime(token.bookedFor),
            })}
          </p>
          <p className="place-wait">{t('booked.place')}</p>
        </div>
      </div>
      <NotifyMe />
      <Leave token={token} onLeft={onLeft} />
    </>
  );
}

/** Asks, once, to ring the phone even when the page is in the background. */
function NotifyMe() {
  const { t } = useOpdI18n();
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  if (permission !== 'default') return null;
  return (
    <p>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => {
          void Notification.requestPermission().then(setPermission, () => setPermission('denied'));
        }}
      >
        {t('wait.notify')}
      </button>
    </p>
  );
}

function Leave({ token, onLeft }: { token: Token; onLeft: () => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  const leave = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/v1/opd/tokens/${encodeURIComponent(token.id)}/cancel`, {});
      visit.set(endKey(token.id), { status: 'cancelled', event: 'cancelled' });
      onLeft();
    } catch (failure) {
      setError(errorMessage(failure, i18n));
      setBusy(false);
    }
  };
  return (
    <section className="leave" aria-labelledby="leave-heading">
      <h2 id="leave-heading" className="visually-hidden">
        {t('wait.leave')}
      </h2>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      {asking ? (
        <div className="confirm-box">
          <p>{t('wait.leaveSure')}</p>
          <div className="form-buttons">
            <button
              ref={confirm}
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={() => void leave()}
            >
              {t('wait.leaveYes')}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setAsking(false)}>
              {t('wait.leaveNo')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="link-button" onClick={() => setAsking(true)} data-testid="leave">
          {t('wait.leave')}
        </button>
      )}
    </section>
  );
}

function Called({ token, onToken }: { token: Token; onToken: (token: Token) => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  useNow(1000);
  const join = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState<Mode | null>(null);
  const [error, setError] = useState<string | undefined>();
  const deadline = token.callDeadline === null ? null : Date.parse(token.callDeadline);
  const seconds = deadline === null ? null : (deadline - serverNow()) / 1000;
  const over = seconds !== null && seconds <= 0;

  // Ring once per call (a new call has a new deadline), and put the keyboard on the button that matters.
  const rung = useRef<string | null>(null);
  useEffect(() => {
    if (rung.current === token.callDeadline) return;
    rung.current = token.callDeadline;
    alertPerson(t('call.notificationTitle'), t('call.notificationBody', { number: token.tokenNumber }));
    join.current?.focus();
  }, [token.callDeadline, token.tokenNumber, t]);

  const answer = async (mode: Mode) => {
    if (busy !== null) return;
    setBusy(mode);
    setError(undefined);
    try {
      onToken(await api.post<Token>(`/api/v1/opd/tokens/${encodeURIComponent(token.id)}/join`, { mode }));
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 409 ? t('call.tooLate') : errorMessage(failure, i18n));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="call-card" data-testid="called">
      <div role="alert" className="call-alert">
        <p className="call-headline">{t('call.now')}</p>
        <p>{t('call.tokenNumber', { number: token.tokenNumber })}</p>
      </div>
      {over ? (
        <Notice kind="info">
          <p data-testid="call-over">{token.missedCalls > 0 ? t('call.overLast') : t('call.over')}</p>
        </Notice>
      ) : (
        seconds !== null && (
          <p className="call-countdown" data-testid="call-countdown">
            {t('call.joinWithin')} <span className="call-time">{i18n.clock(seconds)}</span>
          </p>
        )
      )}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <button
        ref={join}
        type="button"
        className="button button-join"
        disabled={busy !== null}
        onClick={() => void answer('video')}
        data-testid="join"
      >
        {busy === 'video' ? t('call.joining') : t('call.join')}
      </button>
      <button
        type="button"
        className="button button-secondary"
        disabled={busy !== null}
        onClick={() => void answer('audio')}
        data-testid="join-audio"
      >
        {busy === 'audio' ? t('call.joining') : t('call.joinAudio')}
      </button>
      <p className="hint">{t('call.hint')}</p>
    </div>
  );
}

function InConsultation({ token, onToken }: { token: Token; onToken: (token: Token) => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const consultation = useApi<Consultation>(
    token.consultationId === null ? null : `/api/v1/consultations/${encodeURIComponent(token.consultationId)}`,
  );
  const [mode, setMode] = useState<Mode>(() => consultation.data?.mode ?? 'video');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [rejoined, setRejoined] = useState(false);
  const doctor = consultation.data?.practitionerName;

  useEffect(() => {
    if (consultation.data !== undefined) setMode(consultation.data.mode);
  }, [consultation.data]);

  const rejoin = async () => {
    setBusy(true);
    setError(undefined);
    setRejoined(false);
    try {
      onToken(await api.post<Token>(`/api/v1/opd/tokens/${encodeURIComponent(token.id)}/join`, { mode }));
      setRejoined(true);
    } catch (failure) {
      setError(errorMessage(failure, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="consult-room" data-testid="in-consultation">
      <p className="connected" role="status" data-testid="connected">
        {doctor === undefined ? t('consult.connecting') : t('consult.connected', { doctor })}
      </p>
      <fieldset className="field mode-switch">
        <legend>{t('consult.mode')}</legend>
        <div className="radio-row">
          {(['video', 'audio', 'text'] as const).map((value) => (
            <label key={value} className="radio-pill" htmlFor={`mode-${value}`}>
              <input
                id={`mode-${value}`}
                type="radio"
                name="consult-mode"
                value={value}
                checked={mode === value}
                onChange={() => setMode(value)}
              />
              <span>{t(`mode.${value}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {mode === 'text' ? (
        <div className="media-area media-text" data-testid="text-mode">
          <p>{t('consult.textMode', { doctor: doctor ?? t('consult.theDoctor') })}</p>
          <label htmlFor="consult-message">{t('consult.message')}</label>
          <textarea id="consult-message" className="input" rows={3} disabled aria-describedby="consult-message-hint" />
          <p id="consult-message-hint" className="hint">
            {t('consult.textSoon')}
          </p>
        </div>
      ) : token.consultationId !== null ? (
        <Suspense fallback={<Loading />}>
          <CallPanel consultationId={token.consultationId} audioOnly={mode === 'audio'} />
        </Suspense>
      ) : (
        <div className="media-area" data-testid="media-area">
          <p>
            {mode === 'video'
              ? t('consult.videoHere', { doctor: doctor ?? t('consult.theDoctor') })
              : t('consult.audioHere', { doctor: doctor ?? t('consult.theDoctor') })}
          </p>
        </div>
      )}
      <section aria-labelledby="dropped-heading" className="dropped">
        <h2 id="dropped-heading">{t('consult.droppedTitle')}</h2>
        <p>{t('consult.dropped')}</p>
        {rejoined && <Notice kind="success">{t('consult.rejoined')}</Notice>}
        {error !== undefined && <Notice kind="error">{error}</Notice>}
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          onClick={() => void rejoin()}
          data-testid="rejoin"
        >
          {busy ? t('call.joining') : t('consult.rejoin')}
        </button>
      </section>
    </div>
  );
}
