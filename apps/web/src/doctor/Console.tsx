import { DaySummary } from './DaySummary';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, serverNow, toApiError, type ApiError, type Me } from '../api';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { useNow } from '../hooks';
import { useLive, usePolling, type LiveMessage } from '../live';
import type { Consultation, Opd, Priority, Profile, Token } from '../opd/types';
import { useSession } from '../session';
import { useApi } from '../useApi';
import { Availability } from './Availability';
import { useDoctorI18n } from './i18n';
import { Queue } from './Queue';
import { RecordForm } from './RecordForm';
import { kept, patientById, patientLine } from './shared';
import { Transfer } from './Transfer';
import { Workspace } from './Workspace';

// The video call is its own chunk (shared with the waiting room), fetched when a consultation starts.
const CallPanel = lazy(() => import('../call/CallPanel'));

/** The patient this doctor has called or is seeing; kept on this device so that a refresh resumes. */
export interface InHand {
  tokenId: string;
  opdId: string;
  patientId: string;
  tokenNumber: number;
  priority: Priority;
  callDeadline: string | null;
  consultationId: string | null;
}

const POLL_MS = 15_000;
const JOIN_CHECK_MS = 5_000;
/** How long after the join window the queue has surely been swept. */
const LAPSE_GRACE_MS = 30_000;

function fromToken(token: Token): InHand {
  return {
    tokenId: token.id,
    opdId: token.opdId,
    patientId: token.patientId,
    tokenNumber: token.tokenNumber,
    priority: token.priority,
    callDeadline: token.callDeadline,
    consultationId: token.consultationId,
  };
}

export function DoctorConsole({ me }: { me: Me }) {
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const opdIds = [
    ...new Set(
      me.bindings.flatMap((binding) =>
        binding.role === 'opd_doctor' && binding.facilityId !== null ? [binding.facilityId] : [],
      ),
    ),
  ];
  const storeKey = `sanjog.doctor.${me.userId}`;
  const [opdId, setOpdId] = useState(() => {
    const saved = kept.get(`${storeKey}.opd`);
    return typeof saved === 'string' && opdIds.includes(saved) ? saved : opdIds[0];
  });
  if (opdId === undefined) {
    return (
      <Page title={t('doc.title')}>
        <Notice kind="info">{t('doc.noOpd')}</Notice>
      </Page>
    );
  }
  return (
    <OpdConsole
      key={opdId}
      me={me}
      opdId={opdId}
      opdIds={opdIds}
      storeKey={storeKey}
      onOpd={(id) => {
        kept.set(`${storeKey}.opd`, id);
        setOpdId(id);
      }}
    />
  );
}

function OpdConsole(props: { me: Me; opdId: string; opdIds: string[]; storeKey: string; onOpd: (id: string) => void }) {
  const { opdId, storeKey } = props;
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const { expire } = useSession();
  const opd = useApi<Opd>(`/api/v1/opds/${encodeURIComponent(opdId)}`);
  const [inHand, setInHandState] = useState<InHand | null>(
    () => (kept.get(`${storeKey}.inHand`) as InHand | undefined) ?? null,
  );
  const [queue, setQueue] = useState<Token[] | undefined>();
  const [queueError, setQueueError] = useState<ApiError | undefined>();
  const [waiting, setWaiting] = useState<number | undefined>();
  const [news, setNews] = useState<{ kind: 'info' | 'success' | 'error'; text: string } | undefined>();
  const [calling, setCalling] = useState(false);
  const [dayKey, setDayKey] = useState(0);
  const inHandRef = useRef(inHand);
  // Queue reads are numbered: an answer older than the newest one shown, or a read that began
  // before the patient in hand was called, would show them still waiting and undo the call.
  const queueReads = useRef({ started: 0, shown: 0, heldFrom: 0 });

  const setInHand = useCallback(
    (next: InHand | null) => {
      inHandRef.current = next;
      queueReads.current.heldFrom = queueReads.current.started;
      if (next === null) {
        kept.remove(`${storeKey}.inHand`);
        setDayKey((key) => key + 1);
      } else kept.set(`${storeKey}.inHand`, next);
      setInHandState(next);
    },
    [storeKey],
  );

  const handleError = useCallback(
    (error: unknown) => {
      const failure = toApiError(error);
      if (failure.status === 401) expire();
      return failure;
    },
    [expire],
  );

  const loadQueue = useCallback(async () => {
    const reads = queueReads.current;
    const read = ++reads.started;
    try {
      const { items } = await api.get<{ items: Token[] }>(`/api/v1/opd/${encodeURIComponent(opdId)}/queue`);
      if (read < reads.shown) return;
      reads.shown = read;
      setQueue(items);
      setWaiting(items.length);
      setQueueError(undefined);
      // The patient we called is back in the queue: the call was missed (offered once more) or skipped.
      const held = read > reads.heldFrom ? inHandRef.current : null;
      if (held !== null && held.consultationId === null && items.some((item) => item.id === held.tokenId)) {
        setInHand(null);
        setNews({ kind: 'info', text: t('call.missedBack', { number: held.tokenNumber }) });
      } else if (
        held !== null &&
        held.consultationId === null &&
        held.callDeadline !== null &&
        serverNow() - Date.parse(held.callDeadline) > LAPSE_GRACE_MS
      ) {
        // Long past the join window and not back in the queue: the second missed call ended the token.
        setInHand(null);
        setNews({ kind: 'info', text: t('call.lapsed', { number: held.tokenNumber }) });
      }
    } catch (error) {
      setQueueError(handleError(error));
    }
  }, [opdId, setInHand, handleError, t]);

  /** Has the called patient joined? Their consultation for this token says so. */
  const checkJoined = useCallback(async () => {
    const held = inHandRef.current;
    if (held === null || held.consultationId !== null) return;
    try {
      const { items } = await api.get<{ items: Consultation[] }>(
        `/api/v1/patients/${encodeURIComponent(held.patientId)}/consultations?limit=5`,
      );
      const started = items.find((item) => item.tokenId === held.tokenId && item.status === 'in_progress');
      if (started !== undefined && inHandRef.current?.tokenId === held.tokenId) {
        setInHand({ ...held, consultationId: started.id });
        setNews({ kind: 'success', text: t('call.joined', { number: held.tokenNumber }) });
      }
    } catch (error) {
      handleError(error);
    }
  }, [setInHand, handleError, t]);

  const onMessage = useCallback(
    (message: LiveMessage) => {
      // The patient we hold joined, left or missed the call: told at once, not at the next poll.
      if (message.type === 'token' && message.tokenId === inHandRef.current?.tokenId) {
        if (message.event === 'cancelled') {
          setInHand(null);
          setNews({ kind: 'info', text: t('call.left', { number: inHandRef.current.tokenNumber }) });
        }
        void checkJoined();
        void loadQueue();
        return;
      }
      if (message.type !== 'queue' || message.opdId !== opdId) return;
      setWaiting(message.waiting);
      void loadQueue();
      void checkJoined();
    },
    [opdId, loadQueue, checkJoined, setInHand, t],
  );
  const live = useLive(`/api/v1/live?opdId=${encodeURIComponent(opdId)}`, onMessage);
  useEffect(() => {
    void loadQueue();
    void checkJoined();
  }, [loadQueue, checkJoined, live.opens]);
  usePolling(
    live.state !== 'open' || (inHand !== null && inHand.consultationId === null),
    POLL_MS,
    () => void loadQueue(),
  );
  usePolling(inHand !== null && inHand.consultationId === null, JOIN_CHECK_MS, () => void checkJoined());

  const callNext = async () => {
    if (calling) return;
    setCalling(true);
    setNews(undefined);
    try {
      const { token } = await api.post<{ token: Token | null }>(
        `/api/v1/opd/${encodeURIComponent(opdId)}/call-next`,
        {},
      );
      if (token === null) setNews({ kind: 'info', text: t('queue.nobody') });
      else setInHand(fromToken(token));
      void loadQueue();
    } catch (error) {
      const failure = handleError(error);
      setNews({
        kind: 'error',
        text:
          failure.status === 409
            ? t('call.finishFirst', { detail: failure.diagnostics ?? '' })
            : failure.status === 403
              ? t('call.notHere')
              : errorMessage(failure, i18n),
      });
    } finally {
      setCalling(false);
    }
  };

  const recall = async (token: Pick<Token, 'id'>) => {
    setNews(undefined);
    try {
      const called = await api.post<Token>(`/api/v1/opd/tokens/${encodeURIComponent(token.id)}/recall`, {});
      setInHand(fromToken(called));
      void loadQueue();
    } catch (error) {
      setNews({ kind: 'error', text: errorMessage(handleError(error), i18n) });
    }
  };

  const opdName = opd.data?.name;
  return (
    <Page title={t('doc.title')}>
      <div className="console-head">
        {props.opdIds.length > 1 ? (
          <form className="filters" onSubmit={(event) => event.preventDefault()}>
            <Select
              id="doctor-opd"
              label={t('doc.opd')}
              options={props.opdIds.map((id) => ({ value: id, label: id === opdId ? (opdName ?? id) : id }))}
              value={opdId}
              onChange={(event) => props.onOpd(event.target.value)}
            />
          </form>
        ) : (
          <p className="for-whom" data-testid="doctor-opd">
            {opdName ?? ''}
          </p>
        )}
        {live.state === 'reconnecting' && (
          <p className="notice notice-reconnecting" role="status">
            {t('doc.reconnecting')}
          </p>
        )}
      </div>
      <Availability />
      <DaySummary refreshKey={dayKey} />
      {news !== undefined && (
        <Notice kind={news.kind}>
          <p data-testid="doctor-news">{news.text}</p>
        </Notice>
      )}
      {inHand === null ? (
        <section className="call-next" aria-labelledby="call-next-heading">
          <h2 id="call-next-heading" className="visually-hidden">
            {t('queue.callNext')}
          </h2>
          <p className="count" data-testid="waiting-count" data-waiting={waiting ?? ''}>
            {waiting === undefined
              ? ''
              : waiting === 1
                ? t('queue.waitingOne')
                : t('queue.waiting', { count: waiting })}
          </p>
          <button
            type="button"
            className="button button-big"
            onClick={() => void callNext()}
            disabled={calling}
            data-testid="call-next"
          >
            {calling ? t('queue.calling') : t('queue.callNext')}
          </button>
        </section>
      ) : inHand.consultationId === null ? (
        <Calling
          inHand={inHand}
          opd={opd.data}
          onRecall={() => void recall({ id: inHand.tokenId })}
          onDone={(text) => {
            setInHand(null);
            setNews({ kind: 'info', text });
            void loadQueue();
          }}
        />
      ) : (
        <Workspace patientId={inHand.patientId} consultationId={inHand.consultationId}>
          <Suspense fallback={<Loading />}>
            <CallPanel consultationId={inHand.consultationId} />
          </Suspense>
          <RecordForm
            consultationId={inHand.consultationId}
            tokenId={inHand.tokenId}
            tokenNumber={inHand.tokenNumber}
            onDone={(text) => {
              setInHand(null);
              setNews({ kind: 'success', text });
              void loadQueue();
            }}
          />
        </Workspace>
      )}
      {queueError !== undefined && queue === undefined && (
        <LoadError error={queueError} onRetry={() => void loadQueue()} />
      )}
      {queue === undefined && queueError === undefined && <Loading />}
      {queue !== undefined && (
        <Queue
          items={queue}
          opdId={opdId}
          stateId={opd.data?.stateId}
          canCall={inHand === null}
          onCall={(token) => void recall(token)}
          onChanged={(text) => {
            if (text !== undefined) setNews({ kind: 'success', text });
            void loadQueue();
          }}
        />
      )}
    </Page>
  );
}

/** The called patient, the join window running down, and what to do if they do not come. */
function Calling(props: {
  inHand: InHand;
  opd: Opd | undefined;
  onRecall: () => void;
  onDone: (text: string) => void;
}) {
  const { inHand } = props;
  const i18n = useDoctorI18n();
  const { t } = i18n;
  useNow(1000);
  const [patient, setPatient] = useState<Profile | undefined>();
  const [action, setAction] = useState<'noShow' | 'transfer' | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    patientById(inHand.patientId).then(
      (found) => live && setPatient(found),
      () => undefined,
    );
    heading.current?.focus();
    return () => {
      live = false;
    };
  }, [inHand.patientId]);

  const seconds = inHand.callDeadline === null ? null : (Date.parse(inHand.callDeadline) - serverNow()) / 1000;
  const over = seconds !== null && seconds <= 0;

  const post = async (path: string, body: object, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/v1/opd/tokens/${encodeURIComponent(inHand.tokenId)}/${path}`, body);
      props.onDone(done);
    } catch (failure) {
      setError(errorMessage(failure, i18n));
      setBusy(false);
    }
  };

  return (
    <Workspace patientId={inHand.patientId} consultationId={null}>
      <section className="calling panel" aria-labelledby="calling-heading" data-testid="calling">
        <h2 id="calling-heading" ref={heading} tabIndex={-1}>
          {t('call.calling', { number: inHand.tokenNumber })}
        </h2>
        <p className="called-patient" data-testid="called-patient">
          {patient === undefined ? '' : patientLine(patient, i18n)}
        </p>
        {inHand.priority !== 'normal' && (
          <p className={`priority priority-${inHand.priority}`}>{t(`priority.${inHand.priority}`)}</p>
        )}
        {over ? (
          <Notice kind="info">
            <p data-testid="join-over">{t('call.over')}</p>
          </Notice>
        ) : (
          seconds !== null && (
            <p className="call-countdown" data-testid="join-countdown">
              {t('call.window')} <span className="call-time">{i18n.clock(seconds)}</span>
            </p>
          )
        )}
        <p className="hint">{t('call.waitingForJoin')}</p>
        {over && (
          <p>
            <button type="button" className="link-button" onClick={() => props.onDone(t('call.cleared'))}>
              {t('call.clear')}
            </button>
          </p>
        )}
        {error !== undefined && <Notice kind="error">{error}</Notice>}
        <div className="form-buttons">
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={props.onRecall}
            data-testid="recall"
          >
            {t('call.recall')}
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={() => void post('skip', {}, t('call.skipped', { number: inHand.tokenNumber }))}
            data-testid="skip"
          >
            {t('call.skip')}
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            aria-expanded={action === 'noShow'}
            onClick={() => setAction(action === 'noShow' ? null : 'noShow')}
            data-testid="no-show"
          >
            {t('call.noShow')}
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            aria-expanded={action === 'transfer'}
            onClick={() => setAction(action === 'transfer' ? null : 'transfer')}
          >
            {t('call.transfer')}
          </button>
        </div>
        {action === 'noShow' && (
          <form
            className="form"
            onSubmit={(event) => {
              event.preventDefault();
              if (reason.trim() === '') {
                setError(t('call.reasonMissing'));
                return;
              }
              void post('no-show', { reason: reason.trim() }, t('call.noShowDone', { number: inHand.tokenNumber }));
            }}
            noValidate
          >
            <div className="field">
              <label htmlFor="no-show-reason">{t('call.reason')}</label>
              <p className="hint" id="no-show-reason-hint">
                {t('call.reasonHint')}
              </p>
              <textarea
                id="no-show-reason"
                className="input"
                rows={2}
                maxLength={300}
                aria-describedby="no-show-reason-hint"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
              />
            </div>
            <button type="submit" className="button button-danger" disabled={busy}>
              {t('call.noShowConfirm')}
            </button>
          </form>
        )}
        {action === 'transfer' && props.opd !== undefined && (
          <Transfer
            tokenId={inHand.tokenId}
            opd={props.opd}
            onMoved={(name) => props.onDone(t('call.transferred', { number: inHand.tokenNumber, opd: name }))}
          />
        )}
      </section>
    </Workspace>
  );
}
