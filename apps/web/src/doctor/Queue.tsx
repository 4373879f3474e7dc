import { useEffect, useState, type SyntheticEvent } from 'react';
import { api } from '../api';
import { Notice } from '../components/Notice';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { type Opd, type Priority, type Profile, type Token } from '../opd/types';
import { useApi } from '../useApi';
import { useDoctorI18n } from './i18n';
import { patientById, patientLine, PRIORITIES } from './shared';
import { Transfer } from './Transfer';

/** Names are fetched for the first rows only: the ones a doctor reads. */
const NAMED_ROWS = 30;

/** Who is waiting, in the order they will be called, with how long and any priority. */
export function Queue(props: {
  items: Token[];
  opdId: string;
  stateId: string | undefined;
  canCall: boolean;
  onCall: (token: Token) => void;
  onChanged: (text?: string) => void;
}) {
  const { t } = useDoctorI18n();
  const { items } = props;
  return (
    <section className="queue" aria-labelledby="queue-heading" data-testid="queue">
      <h2 id="queue-heading">{t('queue.title')}</h2>
      {items.length === 0 ? (
        <p data-testid="queue-empty">{t('queue.empty')}</p>
      ) : (
        <ol className="queue-list">
          {items.map((token, index) => (
            <QueueRow key={token.id} token={token} named={index < NAMED_ROWS} {...props} />
          ))}
        </ol>
      )}
    </section>
  );
}

function QueueRow(props: {
  token: Token;
  named: boolean;
  opdId: string;
  canCall: boolean;
  onCall: (token: Token) => void;
  onChanged: (text?: string) => void;
}) {
  const { token } = props;
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const [patient, setPatient] = useState<Profile | undefined>();
  useEffect(() => {
    if (!props.named) return;
    let live = true;
    patientById(token.patientId).then(
      (found) => live && setPatient(found),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [token.patientId, props.named]);

  return (
    <li className="queue-row" data-testid="queue-row" data-token={token.tokenNumber}>
      <div className="queue-main">
        <span className="queue-number">{t('queue.token', { number: token.tokenNumber })}</span>
        <span className="queue-text">
          <span className="row-title">{patient === undefined ? t('queue.patient') : patientLine(patient, i18n)}</span>
          <span className="row-meta">
            {token.waitingMinutes < 1 ? t('queue.justJoined') : t('queue.waited', { minutes: token.waitingMinutes })}
          </span>
        </span>
        <span className="queue-marks">
          {token.priority !== 'normal' && (
            <span className={`priority priority-${token.priority}`}>{t(`priority.${token.priority}`)}</span>
          )}
          {token.missedCalls > 0 && <span className="priority priority-missed">{t('queue.missedCall')}</span>}
        </span>
      </div>
      <details className="queue-more">
        <summary>{t('queue.more', { number: token.tokenNumber })}</summary>
        <RowActions {...props} />
      </details>
    </li>
  );
}

function RowActions(props: {
  token: Token;
  opdId: string;
  canCall: boolean;
  onCall: (token: Token) => void;
  onChanged: (text?: string) => void;
}) {
  const { token } = props;
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const [priority, setPriority] = useState<Priority>(token.priority);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const opd = useApi<Opd>(`/api/v1/opds/${encodeURIComponent(props.opdId)}`);
  const [moving, setMoving] = useState(false);

  const savePriority = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/api/v1/opd/tokens/${encodeURIComponent(token.id)}/priority`, { priority });
      props.onChanged(t('queue.prioritySet', { number: token.tokenNumber, priority: t(`priority.${priority}`) }));
    } catch (failure) {
      setError(errorMessage(failure, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="row-actions">
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <button
        type="button"
        className="button button-secondary"
        disabled={!props.canCall}
        onClick={() => props.onCall(token)}
      >
        {t('queue.callThis')}
      </button>
      {!props.canCall && <p className="hint">{t('queue.finishFirst')}</p>}
      <form className="inline-form" onSubmit={(event) => void savePriority(event)}>
        <Select
          id={`priority-${token.id}`}
          label={t('queue.priority')}
          options={PRIORITIES.map((value) => ({ value, label: t(`priority.${value}`) }))}
          value={priority}
          onChange={(event) => setPriority(event.target.value as Priority)}
        />
        <button type="submit" className="button button-secondary" disabled={busy || priority === token.priority}>
          {t('queue.setPriority')}
        </button>
      </form>
      <button type="button" className="link-button" aria-expanded={moving} onClick={() => setMoving(!moving)}>
        {t('call.transfer')}
      </button>
      {moving && opd.data !== undefined && (
        <Transfer
          tokenId={token.id}
          opd={opd.data}
          onMoved={(name) => props.onChanged(t('call.transferred', { number: token.tokenNumber, opd: name }))}
        />
      )}
    </div>
  );
}
