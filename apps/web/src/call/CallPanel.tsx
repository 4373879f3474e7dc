import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { api } from '../api';
import { Notice } from '../components/Notice';
import { errorMessage } from '../errors';
import { useSession } from '../session';
import { CallEngine, MAX_FILE_BYTES, type Callback, type CallView, type ChatMessage, type PeerView } from './engine';
import { CallI18nProvider, useCallI18n } from './i18n';
// Form fields as on the other pages (CSS is shared between chunks, loaded once).
import '../pages/pages.css';
import './call.css';

export interface CallPanelProps {
  consultationId: string;
  /** Start without the camera (the patient chose an audio call). */
  audioOnly?: boolean;
}

/**
 * The call of a consultation: the others' video, one's own preview, the controls, the chat kept
 * with the consultation, photos and files sent peer to peer, and a call back by phone when the
 * call cannot be made. Used in the patient's waiting room, the doctor's workspace and /call/:id.
 */
export default function CallPanel(props: CallPanelProps) {
  return (
    <CallI18nProvider>
      <Call {...props} />
    </CallI18nProvider>
  );
}

function Call({ consultationId, audioOnly = false }: CallPanelProps) {
  const i18n = useCallI18n();
  const { t } = i18n;
  const { session } = useSession();
  const [view, setView] = useState<CallView | undefined>();
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [callbacks, setCallbacks] = useState<Callback[]>([]);
  const [joined, setJoined] = useState(true);
  const engine = useRef<CallEngine | null>(null);
  const base = `/api/v1/consultations/${encodeURIComponent(consultationId)}`;

  useEffect(() => {
    if (!joined) return;
    const call = new CallEngine(
      consultationId,
      { audioOnly },
      {
        onChange: setView,
        onChat: (message) => setMessages((list) => (list.some((m) => m.id === message.id) ? list : [...list, message])),
        onCallback: (callback) => setCallbacks((list) => [...list.filter((c) => c.id !== callback.id), callback]),
      },
    );
    engine.current = call;
    void call.start();
    return () => {
      call.stop();
      engine.current = null;
    };
  }, [consultationId, audioOnly, joined]);

  // The chat and call-back requests so far (the socket brings the new ones).
  useEffect(() => {
    api.get<{ items: ChatMessage[] }>(`${base}/messages`).then(
      ({ items }) => setMessages((list) => [...items, ...list.filter((m) => !items.some((i) => i.id === m.id))]),
      () => undefined,
    );
    api.get<{ items: Callback[] }>(`${base}/callbacks`).then(
      ({ items }) => setCallbacks(items),
      () => undefined,
    );
  }, [base]);

  if (!joined) {
    return (
      <section className="call" aria-labelledby="call-heading" data-testid="call" data-status="left">
        <h2 id="call-heading">{t('call.heading')}</h2>
        <button type="button" className="button" onClick={() => setJoined(true)} data-testid="call-rejoin">
          {t('call.rejoin')}
        </button>
        <Chat base={base} messages={messages} onSent={(m) => setMessages((list) => [...list, m])} />
      </section>
    );
  }
  const status = view?.status ?? 'starting';
  const isDoctor = view?.role === 'doctor';
  // The call-back is for when the call cannot be made: the patient may ask before the call knows
  // their part (its credentials or signalling failing or still on their way) — a patient account
  // is only ever the patient of a call.
  const isPatient =
    view?.role === 'patient' ||
    (view?.role === undefined && session.status === 'signedIn' && session.me.kind === 'patient');
  const canAskCallback = isPatient && status !== 'refused' && status !== 'ended';
  return (
    <section
      className="call"
      aria-labelledby="call-heading"
      data-testid="call"
      data-status={status}
      data-ice-restarts={view?.iceRestarts ?? 0}
    >
      <div className="call-top">
        <h2 id="call-heading">{t('call.heading')}</h2>
        <QualityBadge quality={view?.quality ?? 'unknown'} />
      </div>
      <p className={`call-status call-status-${status}`} role="status" data-testid="call-status">
        {status === 'in-call' && (view?.peers.length ?? 0) === 0
          ? t('call.waitingForOthers')
          : t(`call.status.${status}`)}
      </p>
      {view?.mediaError === 'camera' && <Notice kind="info">{t('call.noCamera')}</Notice>}
      {view?.mediaError === 'microphone' && <Notice kind="info">{t('call.noMicrophone')}</Notice>}
      {view?.proposeLowBandwidth === true && (
        <div className="notice notice-info" role="alert" data-testid="low-bandwidth-proposal">
          <div>
            <p>{t('call.proposeLow')}</p>
            <div className="form-buttons">
              <button
                type="button"
                className="button"
                onClick={() => void engine.current?.setLowBandwidth(true)}
                data-testid="low-bandwidth-accept"
              >
                {t('call.proposeYes')}
              </button>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => engine.current?.declineLowBandwidth()}
              >
                {t('call.proposeNo')}
              </button>
            </div>
          </div>
        </div>
      )}
      {view !== undefined && <Videos view={view} />}
      {view !== undefined && (
        <Controls
          view={view}
          engine={engine.current}
          onLeave={() => {
            setJoined(false);
            setView(undefined);
          }}
        />
      )}
      {view?.lowBandwidth === true && <p className="hint">{t('call.lowBandwidthOn')}</p>}
      <div className="call-side">
        <Chat base={base} messages={messages} onSent={(m) => setMessages((list) => [...list, m])} />
        <Files view={view} engine={engine.current} />
        {canAskCallback && (
          <AskCallback base={base} callbacks={callbacks} onAsked={(c) => setCallbacks((l) => [...l, c])} />
        )}
        {isDoctor && (
          <>
            <Callbacks
              base={base}
              callbacks={callbacks}
              onDone={(c) => setCallbacks((l) => l.map((x) => (x.id === c.id ? c : x)))}
            />
            <Invite base={base} />
          </>
        )}
      </div>
    </section>
  );
}

function QualityBadge({ quality }: { quality: CallView['quality'] }) {
  const { t } = useCallI18n();
  return (
    <p className={`call-quality call-quality-${quality}`} data-testid="call-quality" data-quality={quality}>
      <span className="call-quality-bars" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      {t('call.quality')}: {t(`call.quality.${quality}`)}
    </p>
  );
}

function Videos({ view }: { view: CallView }) {
  const { t } = useCallI18n();
  return (
    <div className={`call-videos call-videos-${String(Math.min(view.peers.length, 3))}`}>
      {view.peers.map((peer) => (
        <RemoteVideo key={peer.peer.id} peer={peer} />
      ))}
      {view.local !== undefined && !view.audioOnly && (
        <figure className="call-self">
          <MediaView stream={view.local} muted testId="local-video" />
          <figcaption>{t('call.you')}</figcaption>
        </figure>
      )}
    </div>
  );
}

function RemoteVideo({ peer }: { peer: PeerView }) {
  const { t } = useCallI18n();
  const name = peer.peer.name || t('call.role.other');
  const role = (['patient', 'doctor', 'specialist', 'interpreter', 'health_worker'] as const).find(
    (r) => r === peer.peer.role,
  );
  return (
    <figure
      className={`call-peer call-peer-${peer.state}`}
      data-testid="remote-peer"
      data-peer={peer.peer.id}
      data-state={peer.state}
    >
      <MediaView stream={peer.stream} testId="remote-video" />
      <figcaption>
        {name} · {t(`call.role.${role ?? 'other'}`)}
        {peer.state === 'away' && <span className="call-peer-note"> {t('call.peerAway', { name })}</span>}
        {peer.state === 'connecting' && <span className="call-peer-note"> {t('call.peerConnecting', { name })}</span>}
      </figcaption>
    </figure>
  );
}

function MediaView({ stream, muted = false, testId }: { stream: MediaStream; muted?: boolean; testId: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (element !== null && element.srcObject !== stream) element.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} data-testid={testId} />;
}

function Controls({ view, engine, onLeave }: { view: CallView; engine: CallEngine | null; onLeave: () => void }) {
  const { t } = useCallI18n();
  const hasVideo = (view.local?.getVideoTracks().length ?? 0) > 0;
  return (
    <div className="call-controls" role="group" aria-label={t('call.heading')}>
      <button
        type="button"
        className="button button-secondary"
        aria-pressed={view.muted}
        onClick={() => engine?.setMuted(!view.muted)}
        data-testid="call-mute"
      >
        {view.muted ? t('call.unmute') : t('call.mute')}
      </button>
      {!view.audioOnly && hasVideo && (
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={view.cameraOff}
          onClick={() => engine?.setCameraOff(!view.cameraOff)}
          data-testid="call-camera"
        >
          {view.cameraOff ? t('call.cameraOn') : t('call.cameraOff')}
        </button>
      )}
      <button
        type="button"
        className="button button-secondary"
        aria-pressed={view.audioOnly}
        onClick={() => void engine?.setAudioOnly(!view.audioOnly)}
        data-testid="call-audio-only"
      >
        {view.audioOnly ? t('call.video') : t('call.audioOnly')}
      </button>
      <button
        type="button"
        className="button button-secondary"
        aria-pressed={view.lowBandwidth}
        onClick={() => void engine?.setLowBandwidth(!view.lowBandwidth)}
        data-testid="call-low-bandwidth"
      >
        {view.lowBandwidth ? t('call.lowBandwidthOff') : t('call.lowBandwidth')}
      </button>
      <button type="button" className="button button-leave" onClick={onLeave} data-testid="call-leave">
        {t('call.leave')}
      </button>
    </div>
  );
}

function Chat({
  base,
  messages,
  onSent,
}: {
  base: string;
  messages: ChatMessage[];
  onSent: (message: ChatMessage) => void;
}) {
  const i18n = useCallI18n();
  const { t } = i18n;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const send = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (text.trim() === '' || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      onSent(await api.post<ChatMessage>(`${base}/messages`, { body: text.trim() }));
      setText('');
    } catch (failure) {
      setError(errorMessage(failure, i18n));
    } finally {
      setBusy(false);
    }
  };
  const unique = messages.filter((m, index) => messages.findIndex((x) => x.id === m.id) === index);
  return (
    <section className="call-chat" aria-labelledby="call-chat-heading">
      <h3 id="call-chat-heading">{t('call.chat')}</h3>
      {unique.length === 0 ? (
        <p className="hint">{t('call.chatEmpty')}</p>
      ) : (
        <ol className="call-chat-log" data-testid="chat-log" aria-live="polite">
          {unique.map((message) => (
            <li key={message.id} className={`call-chat-${message.senderRole === 'patient' ? 'patient' : 'staff'}`}>
              <strong>{message.senderName}</strong> <span>{message.body}</span>
            </li>
          ))}
        </ol>
      )}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <form className="call-chat-form" onSubmit={(event) => void send(event)}>
        <label htmlFor="call-chat-input" className="visually-hidden">
          {t('call.chatLabel')}
        </label>
        <input
          id="call-chat-input"
          className="input"
          value={text}
          maxLength={2000}
          placeholder={t('call.chatLabel')}
          onChange={(event) => setText(event.target.value)}
          data-testid="chat-input"
        />
        <button type="submit" className="button" disabled={busy} data-testid="chat-send">
          {t('call.chatSend')}
        </button>
      </form>
    </section>
  );
}

function Files({ view, engine }: { view: CallView | undefined; engine: CallEngine | null }) {
  const { t } = useCallI18n();
  const [note, setNote] = useState<string | undefined>();
  const send = async (file: File | undefined) => {
    if (file === undefined || engine === null) return;
    if (file.size > MAX_FILE_BYTES) return setNote(t('call.fileTooLarge'));
    const count = await engine.sendFile(file);
    setNote(count === 0 ? t('call.fileNobody') : t('call.fileSent', { count }));
  };
  return (
    <section className="call-files" aria-labelledby="call-files-heading">
      <h3 id="call-files-heading">{t('call.file')}</h3>
      <input
        type="file"
        accept="image/*,application/pdf"
        aria-describedby="call-file-hint"
        onChange={(event) => {
          void send(event.target.files?.[0]);
          event.target.value = '';
        }}
        data-testid="call-file"
      />
      <p id="call-file-hint" className="hint">
        {t('call.fileHint')}
      </p>
      {note !== undefined && <p role="status">{note}</p>}
      {(view?.files.length ?? 0) > 0 && (
        <>
          <h4>{t('call.filesReceived')}</h4>
          <ul className="call-files-list" data-testid="files-received">
            {view?.files.map((file) => (
              <li key={file.id}>
                {file.type.startsWith('image/') && <img src={file.url} alt={file.name} className="call-file-preview" />}
                <a href={file.url} download={file.name}>
                  {t('call.fileFrom', { name: file.name, from: file.from })}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function AskCallback({
  base,
  callbacks,
  onAsked,
}: {
  base: string;
  callbacks: Callback[];
  onAsked: (callback: Callback) => void;
}) {
  const i18n = useCallI18n();
  const { t } = i18n;
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const open = callbacks.find((c) => c.status === 'open');
  const ask = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onAsked(await api.post<Callback>(`${base}/callbacks`, phone.trim() === '' ? {} : { phone: phone.trim() }));
    } catch (failure) {
      setError(errorMessage(failure, i18n));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="call-callback" aria-labelledby="call-callback-heading">
      <h3 id="call-callback-heading">{t('call.callbackTitle')}</h3>
      {open !== undefined ? (
        <Notice kind="success">
          <p data-testid="callback-asked">{t('call.callbackAsked', { phone: open.phone })}</p>
        </Notice>
      ) : (
        <>
          <p>{t('call.callbackText')}</p>
          {error !== undefined && <Notice kind="error">{error}</Notice>}
          <label htmlFor="call-callback-phone">{t('call.callbackPhone')}</label>
          <input
            id="call-callback-phone"
            className="input"
            inputMode="numeric"
            maxLength={10}
            value={phone}
            onChange={(event) => setPhone(event.target.value.replace(/\D/g, ''))}
          />
          <button
            type="button"
            className="button button-secondary"
            disabled={busy}
            onClick={() => void ask()}
            data-testid="callback-request"
          >
            {t('call.callbackAsk')}
          </button>
        </>
      )}
    </section>
  );
}

function Callbacks({
  base,
  callbacks,
  onDone,
}: {
  base: string;
  callbacks: Callback[];
  onDone: (callback: Callback) => void;
}) {
  const { t } = useCallI18n();
  if (callbacks.length === 0) return null;
  return (
    <section className="call-callbacks" aria-labelledby="call-callbacks-heading" data-testid="callbacks">
      <h3 id="call-callbacks-heading">{t('call.callbacks')}</h3>
      <ul>
        {callbacks.map((callback) => (
          <li key={callback.id} data-status={callback.status}>
            <a href={`tel:${callback.phone}`}>{t('call.callbackFrom', { phone: callback.phone })}</a>
            {callback.note !== null && <span> · {callback.note}</span>}{' '}
            {callback.status === 'open' ? (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => {
                  void api
                    .post<Callback>(`${base}/callbacks/${encodeURIComponent(callback.id)}/done`)
                    .then(onDone, () => undefined);
                }}
              >
                {t('call.callbackDone')}
              </button>
            ) : (
              <span>{t('call.callbackWasDone')}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Invite({ base }: { base: string }) {
  const i18n = useCallI18n();
  const { t } = i18n;
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<'specialist' | 'interpreter' | 'health_worker' | 'other'>('specialist');
  const [invited, setInvited] = useState<{ id: string; name: string; role: string }[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.get<{ items: { id: string; name: string; role: string }[] }>(`${base}/call/invites`).then(
      ({ items }) => setInvited(items),
      () => undefined,
    );
  }, [base]);
  const invite = async (event: SyntheticEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const made = await api.post<{ id: string; name: string; role: string }>(`${base}/call/invites`, {
        username: username.trim(),
        role,
      });
      setInvited((list) => [...list.filter((i) => i.id !== made.id), made]);
      setUsername('');
    } catch (failure) {
      setError(errorMessage(failure, i18n));
    }
  };
  return (
    <section className="call-invite" aria-labelledby="call-invite-heading">
      <h3 id="call-invite-heading">{t('call.invite')}</h3>
      {invited.length > 0 && (
        <ul data-testid="invited">
          {invited.map((item) => (
            <li key={item.id}>
              {item.name} · {t(`call.role.${item.role as 'specialist'}`)}
            </li>
          ))}
        </ul>
      )}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <form onSubmit={(event) => void invite(event)} className="call-invite-form">
        <label htmlFor="call-invite-user">{t('call.inviteUser')}</label>
        <input
          id="call-invite-user"
          className="input"
          value={username}
          autoComplete="off"
          onChange={(event) => setUsername(event.target.value)}
          data-testid="invite-username"
        />
        <label htmlFor="call-invite-role">{t('call.inviteRole')}</label>
        <select
          id="call-invite-role"
          className="input"
          value={role}
          onChange={(event) => setRole(event.target.value as typeof role)}
        >
          {(['specialist', 'interpreter', 'health_worker', 'other'] as const).map((value) => (
            <option key={value} value={value}>
              {t(`call.role.${value}`)}
            </option>
          ))}
        </select>
        <button type="submit" className="button button-secondary" data-testid="invite-send">
          {t('call.inviteSend')}
        </button>
      </form>
    </section>
  );
}
