import type { CallPeer as Peer, SignalMessage } from '@sanjog/shared';
import { api, ApiError } from '../api';

export type { Peer };

/** What `POST /api/v1/consultations/:id/call` answers. */
export interface Credentials {
  consultationId: string;
  roomId: string;
  participantId: string;
  role: string;
  name: string;
  token: string;
  expiresAt: string;
  iceServers: RTCIceServer[];
  maxParticipants: number;
}

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface PeerView {
  peer: Peer;
  stream: MediaStream;
  /** `away`: their signalling link dropped; media may still flow and they usually come back. */
  state: 'connecting' | 'connected' | 'reconnecting' | 'away';
  quality: Quality;
  stats: LinkStats | undefined;
}

export interface LinkStats {
  rttMs: number | null;
  lossPercent: number;
  inKbps: number;
  outKbps: number;
  framesDecoded: number;
  bytesReceived: number;
}

export interface ChatMessage {
  id: string;
  senderName: string;
  senderRole: string;
  body: string;
  createdAt: string;
}

export interface Callback {
  id: string;
  phone: string;
  note: string | null;
  status: 'open' | 'done';
  createdAt: string;
}

export interface ReceivedFile {
  id: string;
  from: string;
  name: string;
  type: string;
  url: string;
  size: number;
}

export interface CallView {
  status: 'starting' | 'joining' | 'in-call' | 'reconnecting' | 'ended' | 'refused' | 'elsewhere' | 'failed';
  self: Peer | undefined;
  role: string | undefined;
  peers: PeerView[];
  local: MediaStream | undefined;
  muted: boolean;
  cameraOff: boolean;
  audioOnly: boolean;
  lowBandwidth: boolean;
  /** Low-bandwidth mode was proposed because the measured quality dropped. */
  proposeLowBandwidth: boolean;
  quality: Quality;
  files: ReceivedFile[];
  iceRestarts: number;
  /** Why there is no camera or microphone, when there is none. */
  mediaError: string | undefined;
}

/** Video at or under 150 kbps and audio at or under 32 kbps in low-bandwidth mode. */
export const LOW_VIDEO_BPS = 150_000;
export const LOW_AUDIO_BPS = 32_000;
const STATS_MS = 2000;
const AWAY_GRACE_MS = 60_000;
const RESTART_AFTER_MS = 2500;
/**
 * The socket is asked for a sign of life this often, and dropped when nothing comes back in time:
 * after a network change a phone may keep a dead socket open without ever hearing `offline`.
 */
const HEARTBEAT_MS = 10_000;
const HEARTBEAT_ANSWER_MS = 5000;
const FILE_CHUNK = 16 * 1024;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

/** Signalling payloads between two participants (opaque to the server). */
type SignalData =
  | { description: RTCSessionDescriptionInit }
  | { candidate: RTCIceCandidateInit }
  | { restart: true }
  | { bandwidth: 'low' | 'normal' }
  | { bye: true };

/**
 * One participant's side of a mesh call: a peer connection to each other participant, with the
 * one whose id sorts first making every offer (so that two never offer at once), signalling
 * over the server's WebSocket, and the recoveries a bad mobile link needs: the socket comes back
 * by itself with fresh credentials, ICE restarts after a network change or when a link fails,
 * and a participant whose socket dropped stays in the call for a minute while media may still flow.
 */
export class CallEngine {
  private view: CallView = {
    status: 'starting',
    self: undefined,
    role: undefined,
    peers: [],
    local: undefined,
    muted: false,
    cameraOff: false,
    audioOnly: false,
    lowBandwidth: false,
    proposeLowBandwidth: false,
    quality: 'unknown',
    files: [],
    iceRestarts: 0,
    mediaError: undefined,
  };
  private readonly links = new Map<string, Link>();
  private readonly session = randomId();
  private socket: WebSocket | null = null;
  private credentials: Credentials | undefined;
  private stopped = false;
  private reconnectTimer: number | undefined;
  /** Which call of `connect` is the latest: an earlier one still waiting for credentials gives way. */
  private attempt = 0;
  private heartbeatTimer: number | undefined;
  private answerTimer: number | undefined;
  private statsTimer: number | undefined;
  private failures = 0;
  private poorSamples = 0;
  private declinedLowBandwidth = false;

  constructor(
    private readonly consultationId: string,
    options: { audioOnly: boolean },
    private readonly listeners: {
      onChange: (view: CallView) => void;
      onChat: (message: ChatMessage) => void;
      onCallback: (callback: Callback) => void;
    },
  ) {
    this.view.audioOnly = options.audioOnly;
  }

  get current(): CallView {
    return this.view;
  }

  async start(): Promise<void> {
    await this.openMedia();
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.statsTimer = window.setInterval(() => void this.sampleStats(), STATS_MS);
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.clearTimeout(this.reconnectTimer);
    window.clearInterval(this.statsTimer);
    this.stopHeartbeat();
    for (const link of this.links.values()) {
      this.signal(link.peer.id, { bye: true });
      link.close();
    }
    this.links.clear();
    this.socket?.close(1000, 'left');
    this.socket = null;
    for (const track of this.view.local?.getTracks() ?? []) track.stop();
    for (const file of this.view.files) URL.revokeObjectURL(file.url);
  }

  setMuted(muted: boolean): void {
    for (const track of this.view.local?.getAudioTracks() ?? []) track.enabled = !muted;
    this.update({ muted });
  }

  setCameraOff(cameraOff: boolean): void {
    for (const track of this.view.local?.getVideoTracks() ?? []) track.enabled = !cameraOff;
    this.update({ cameraOff });
  }

  /** Audio only: the camera is released and nothing of it is sent; back to video asks for it again. */
  async setAudioOnly(audioOnly: boolean): Promise<void> {
    const local = this.view.local ?? new MediaStream();
    if (audioOnly) {
      for (const track of local.getVideoTracks()) {
        track.stop();
        local.removeTrack(track);
      }
    } else if (local.getVideoTracks().length === 0) {
      try {
        const camera = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(this.view.lowBandwidth) });
        for (const track of camera.getVideoTracks()) {
          track.enabled = !this.view.cameraOff;
          local.addTrack(track);
        }
      } catch {
        this.update({ mediaError: 'camera' });
        return;
      }
    }
    const video = local.getVideoTracks()[0] ?? null;
    await Promise.all([...this.links.values()].map((link) => link.useTrack('video', video)));
    this.update({ audioOnly, local });
  }

  /** Caps what this side sends, and asks the others to cap what they send here. */
  async setLowBandwidth(lowBandwidth: boolean): Promise<void> {
    this.update({ lowBandwidth, proposeLowBandwidth: false });
    if (!lowBandwidth) this.declinedLowBandwidth = true;
    await Promise.all(
      [...this.links.values()].map(async (link) => {
        link.lowFromRemote = false;
        await link.applyBandwidth(lowBandwidth);
        this.signal(link.peer.id, { bandwidth: lowBandwidth ? 'low' : 'normal' });
      }),
    );
  }

  declineLowBandwidth(): void {
    this.declinedLowBandwidth = true;
    this.update({ proposeLowBandwidth: false });
  }

  /** Sends a photo or file straight to the others over the data channel (nothing stored on the server). */
  async sendFile(file: File): Promise<number> {
    if (file.size > MAX_FILE_BYTES) throw new Error('too large');
    const open = [...this.links.values()].flatMap((link) => (link.channel.readyState === 'open' ? [link.channel] : []));
    const data = new Uint8Array(await file.arrayBuffer());
    const id = randomId();
    await Promise.all(
      open.map(async (channel) => {
        channel.send(JSON.stringify({ type: 'file', id, name: file.name, mime: file.type, size: file.size }));
        for (let offset = 0; offset < data.length; offset += FILE_CHUNK) {
          while (channel.bufferedAmount > 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 50));
          channel.send(data.slice(offset, offset + FILE_CHUNK));
        }
        channel.send(JSON.stringify({ type: 'file-end', id }));
      }),
    );
    return open.length;
  }

  private async openMedia(): Promise<void> {
    const wantVideo = !this.view.audioOnly;
    try {
      const local = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        video: wantVideo ? videoConstraints(false) : false,
      });
      this.update({ local });
    } catch {
      // No camera (or refused): try the microphone alone; with neither, the call still receives.
      try {
        const local = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        this.update({ local, audioOnly: true, mediaError: wantVideo ? 'camera' : undefined });
      } catch {
        this.update({ local: new MediaStream(), audioOnly: true, mediaError: 'microphone' });
      }
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.socket !== null) return;
    const attempt = (this.attempt += 1);
    this.update({ status: this.view.self === undefined ? 'joining' : 'reconnecting' });
    let credentials: Credentials;
    try {
      credentials = await api.post<Credentials>(
        `/api/v1/consultations/${encodeURIComponent(this.consultationId)}/call`,
      );
    } catch (error) {
      if (this.isSuperseded(attempt)) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return this.end('refused');
      if (error instanceof ApiError && error.status === 409) return this.end('ended');
      return this.retryLater();
    }
    // Stopped, or a newer attempt started (the network came back), while the credentials were on their way.
    if (this.isSuperseded(attempt)) return;
    this.credentials = credentials;
    // The part in the call is known now, before (or without) the signalling's welcome.
    if (this.view.role !== credentials.role) this.update({ role: credentials.role });
    const { token } = this.credentials;
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/v1/calls/signal?token=${encodeURIComponent(token)}&session=${this.session}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket === socket) this.startHeartbeat();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      // Anything from the server shows the socket is alive.
      window.clearTimeout(this.answerTimer);
      this.answerTimer = undefined;
      try {
        this.onSignalMessage(JSON.parse(event.data) as SignalMessage);
      } catch (error) {
        console.warn('call: bad signalling message', error);
      }
    };
    socket.onclose = (event) => {
      // Only the current socket's end says something about the call. One already replaced or
      // dropped does not: when a reconnect replaces a connection the server closes the old one
      // with 4409, which must not end the call the new one is in.
      if (this.socket !== socket || this.stopped) return;
      if (event.code === 4403 || event.code === 4404) return this.end('refused');
      if (event.code === 4410) return this.end('ended');
      if (event.code === 4409) return this.end('elsewhere');
      this.lost(socket);
    };
  }

  /** The current socket is gone: the links wait, and a new socket comes with fresh credentials. */
  private lost(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopHeartbeat();
    socket.close();
    for (const link of this.links.values()) {
      if (link.state !== 'connected') link.state = 'reconnecting';
      // An offer sent on a lost socket is lost too: the next restart must not wait for its answer,
      // and a negotiation it left half done is made again once the socket is back.
      link.lastOfferAt = 0;
      if (link.pc.signalingState !== 'stable') link.needsRestart = true;
    }
    this.refreshPeers();
    this.retryLater();
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = window.setInterval(() => this.checkSocket(), HEARTBEAT_MS);
  }

  private stopHeartbeat(): void {
    window.clearInterval(this.heartbeatTimer);
    window.clearTimeout(this.answerTimer);
    this.heartbeatTimer = undefined;
    this.answerTimer = undefined;
  }

  /** Pings the server (it answers `pong`); a socket that stays silent is dropped and made again. */
  private checkSocket(): void {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN || this.answerTimer !== undefined) return;
    socket.send(JSON.stringify({ type: 'ping' }));
    this.answerTimer = window.setTimeout(() => {
      this.answerTimer = undefined;
      this.lost(socket);
    }, HEARTBEAT_ANSWER_MS);
  }

  /** Read through a function: these change across awaits. */
  private isSuperseded(attempt: number): boolean {
    return this.stopped || attempt !== this.attempt;
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.update({ status: this.view.self === undefined ? 'joining' : 'reconnecting' });
    window.clearTimeout(this.reconnectTimer);
    const pause = Math.min(15_000, 500 * 2 ** this.failures) * (0.75 + Math.random() * 0.5);
    this.failures += 1;
    this.reconnectTimer = window.setTimeout(() => void this.connect(), pause);
  }

  private end(status: 'ended' | 'refused' | 'elsewhere'): void {
    this.stop();
    this.update({ status });
  }

  /**
   * The browser says the network is back (often a different one): signal again at once and restart
   * ICE, now if the socket is up, else when it is back (an offer now would go nowhere).
   */
  private readonly onOnline = () => {
    this.failures = 0;
    if (this.socket?.readyState === WebSocket.OPEN) {
      // The socket may have died with the old network without a word: check it now.
      this.checkSocket();
      for (const link of this.links.values()) this.restart(link);
      return;
    }
    for (const link of this.links.values()) link.needsRestart = true;
    if (this.socket === null) {
      window.clearTimeout(this.reconnectTimer);
      void this.connect();
    }
  };

  /** A phone that lost its link often keeps a dead socket for minutes: drop it and start again (at once when online). */
  private readonly onOffline = () => {
    if (this.socket !== null) this.lost(this.socket);
  };

  private onSignalMessage(message: SignalMessage): void {
    switch (message.type) {
      case 'welcome': {
        this.failures = 0;
        this.update({ status: 'in-call', self: message.self, role: this.credentials?.role });
        for (const peer of message.peers) this.meet(peer, true);
        break;
      }
      case 'peer-joined':
        this.meet(message.peer, false);
        break;
      case 'peer-left': {
        const link = this.links.get(message.id);
        if (link !== undefined) {
          link.state = 'away';
          link.awayTimer = window.setTimeout(() => this.drop(message.id), AWAY_GRACE_MS);
          this.refreshPeers();
        }
        break;
      }
      case 'signal':
        void this.onSignal(message.from, message.data as SignalData);
        break;
      case 'chat':
        this.listeners.onChat(message.message as ChatMessage);
        break;
      case 'callback':
        this.listeners.onCallback(message.callback as Callback);
        break;
      case 'pong':
        break;
    }
  }

  /**
   * A participant is (again) in the room. Someone new; or someone we have a link to: heard of twice
   * (the welcome and their peer-joined, when both join at once), or the same page coming back
   * after a drop (same session). Then the link is kept, and ICE restarted only if the link is down,
   * or on our welcome if it must be (a negotiation cut short with a socket, or our network changed).
   * A new session lost its state: start over.
   */
  private meet(peer: Peer, fromWelcome: boolean): void {
    const self = this.view.self;
    if (self === undefined || peer.id === self.id) return;
    let link = this.links.get(peer.id);
    // A link made for an offer that came before the news of its sender: now we know who it is.
    if (link !== undefined && link.peer.session === '') link.peer = peer;
    if (link !== undefined && link.peer.session !== peer.session) {
      this.drop(peer.id);
      link = undefined;
    }
    if (link !== undefined) {
      window.clearTimeout(link.awayTimer);
      // Their signalling was gone, but the media may have kept flowing all along.
      if (link.state === 'away') link.state = link.iceUp() ? 'connected' : 'reconnecting';
      // Connected, or still being made: nothing failed, nothing to restart.
      const down = link.state !== 'connected' && link.state !== 'connecting';
      if (down || (fromWelcome && link.needsRestart)) this.restart(link);
      this.refreshPeers();
      return;
    }
    link = this.createLink(peer);
    if (link.offerer) void link.offer(false);
  }

  private createLink(peer: Peer): Link {
    const self = this.view.self;
    if (self === undefined) throw new Error('a link before the welcome');
    const link = new Link(peer, self.id < peer.id, this.credentials?.iceServers ?? [], this.view.local, {
      signal: (data) => {
        // A description that could not be sent leaves the negotiation half done: redo it when the socket is back.
        if (!this.signal(peer.id, data) && 'description' in data) link.needsRestart = true;
      },
      changed: () => this.refreshPeers(),
      failed: () => this.restart(link),
      message: (data) => this.onChannelMessage(peer, data),
      negotiated: () => void link.applyBandwidth(this.view.lowBandwidth || link.lowFromRemote),
    });
    this.links.set(peer.id, link);
    this.refreshPeers();
    return link;
  }

  private drop(peerId: string): void {
    const link = this.links.get(peerId);
    if (link === undefined) return;
    window.clearTimeout(link.awayTimer);
    link.close();
    this.links.delete(peerId);
    this.refreshPeers();
  }

  /** ICE restart: the offerer makes a new offer; the other side asks it to. */
  private restart(link: Link): void {
    if (link.offerer) {
      if (link.pc.signalingState !== 'stable' && Date.now() - link.lastOfferAt < RESTART_AFTER_MS) return;
      link.needsRestart = false;
      this.update({ iceRestarts: this.view.iceRestarts + 1 });
      void link.offer(true);
    } else {
      link.needsRestart = !this.signal(link.peer.id, { restart: true });
    }
  }

  private async onSignal(from: string, data: SignalData): Promise<void> {
    let link = this.links.get(from);
    if ('bye' in data) {
      this.drop(from);
      return;
    }
    if (link === undefined) {
      // An offer before we heard of them (their join raced ours): the room told them about us.
      if (!('description' in data) || data.description.type !== 'offer') return;
      link = this.createLink({ id: from, name: '', role: '', session: '' });
    }
    if ('description' in data) await link.accept(data.description);
    else if ('candidate' in data) await link.addCandidate(data.candidate);
    else if ('restart' in data) this.restart(link);
    else if ('bandwidth' in data) {
      link.lowFromRemote = data.bandwidth === 'low';
      await link.applyBandwidth(this.view.lowBandwidth || link.lowFromRemote);
    }
  }

  /** Sends to another participant over the socket; false when there is no open socket to send on. */
  private signal(to: string, data: SignalData): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify({ type: 'signal', to, data }));
    return true;
  }

  private onChannelMessage(peer: Peer, data: string | ArrayBuffer): void {
    const link = this.links.get(peer.id);
    if (link === undefined) return;
    if (typeof data !== 'string') {
      link.incoming?.chunks.push(data);
      return;
    }
    const message = JSON.parse(data) as { type: string; id: string; name?: string; mime?: string; size?: number };
    if (message.type === 'file' && (message.size ?? 0) <= MAX_FILE_BYTES) {
      link.incoming = { id: message.id, name: message.name ?? 'file', type: message.mime ?? '', chunks: [] };
    } else if (message.type === 'file-end' && link.incoming?.id === message.id) {
      const blob = new Blob(link.incoming.chunks, { type: link.incoming.type });
      const file: ReceivedFile = {
        id: message.id,
        from: link.peer.name,
        name: link.incoming.name,
        type: link.incoming.type,
        url: URL.createObjectURL(blob),
        size: blob.size,
      };
      link.incoming = undefined;
      this.update({ files: [...this.view.files, file] });
    }
  }

  /** Quality from the statistics of each link: round-trip time, loss and what arrives. */
  private async sampleStats(): Promise<void> {
    if (this.links.size === 0) return;
    let worst: Quality = 'good';
    for (const link of this.links.values()) {
      const stats = await link.sample();
      link.quality = stats === undefined ? 'unknown' : judge(stats);
      if (rank(link.quality) > rank(worst)) worst = link.quality;
    }
    // Two bad samples in a row (4 s) propose the low-bandwidth mode, once, unless already on.
    this.poorSamples = worst === 'poor' ? this.poorSamples + 1 : 0;
    const propose =
      this.view.proposeLowBandwidth || (!this.view.lowBandwidth && !this.declinedLowBandwidth && this.poorSamples >= 2);
    this.update({ quality: worst, proposeLowBandwidth: propose });
    this.refreshPeers();
  }

  private refreshPeers(): void {
    this.update({
      peers: [...this.links.values()].map((link) => ({
        peer: link.peer,
        stream: link.remote,
        state: link.state,
        quality: link.quality,
        stats: link.stats,
      })),
    });
  }

  private update(change: Partial<CallView>): void {
    this.view = { ...this.view, ...change };
    this.listeners.onChange(this.view);
  }
}

function videoConstraints(low: boolean): MediaTrackConstraints {
  return low
    ? { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15 } }
    : { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };
}

const rank = (quality: Quality) => ({ good: 0, unknown: 1, fair: 2, poor: 3 })[quality];

/**
 * Good, fair or poor from the last sample; thresholds from what a consultation still tolerates.
 * Nothing arriving at all counts as poor; little arriving does not (the other camera may be off).
 */
export function judge(stats: LinkStats): Quality {
  const rtt = stats.rttMs ?? 0;
  if (stats.lossPercent >= 8 || rtt >= 800 || stats.inKbps < 1) return 'poor';
  if (stats.lossPercent >= 2 || rtt >= 300) return 'fair';
  return 'good';
}

interface LinkPorts {
  signal: (data: SignalData) => void;
  changed: () => void;
  failed: () => void;
  message: (data: string | ArrayBuffer) => void;
  negotiated: () => void;
}

/** The peer connection to one other participant. */
class Link {
  readonly pc: RTCPeerConnection;
  readonly remote = new MediaStream();
  readonly channel: RTCDataChannel;
  state: PeerView['state'] = 'connecting';
  quality: Quality = 'unknown';
  stats: LinkStats | undefined;
  lowFromRemote = false;
  awayTimer: number | undefined;
  lastOfferAt = 0;
  /** Its negotiation was cut short by a lost socket, or the network changed: restart ICE once we can signal. */
  needsRestart = false;
  incoming: { id: string; name: string; type: string; chunks: ArrayBuffer[] } | undefined;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private tracksAdded = false;
  private failTimer: number | undefined;
  private last: { at: number; bytesIn: number; bytesOut: number; lost: number; received: number } | undefined;

  constructor(
    public peer: Peer,
    readonly offerer: boolean,
    iceServers: RTCIceServer[],
    private readonly local: MediaStream | undefined,
    private readonly ports: LinkPorts,
  ) {
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    // Negotiated on both sides with the same id: no extra round trip, either side may send first.
    this.channel = this.pc.createDataChannel('sanjog', { negotiated: true, id: 0, ordered: true });
    this.channel.binaryType = 'arraybuffer';
    this.channel.onmessage = (event: MessageEvent<string | ArrayBuffer>) => ports.message(event.data);
    this.pc.onicecandidate = (event) => {
      if (event.candidate !== null) ports.signal({ candidate: event.candidate.toJSON() });
    };
    this.pc.ontrack = (event) => {
      if (!this.remote.getTracks().includes(event.track)) this.remote.addTrack(event.track);
      ports.changed();
    };
    this.pc.oniceconnectionstatechange = () => this.onIceState();
    if (offerer) {
      // Both kinds are always offered, so that an audio-only side still receives video and can switch later.
      const audio = local?.getAudioTracks()[0];
      const video = local?.getVideoTracks()[0];
      this.pc.addTransceiver(audio ?? 'audio', { direction: 'sendrecv', streams: local ? [local] : [] });
      this.pc.addTransceiver(video ?? 'video', { direction: 'sendrecv', streams: local ? [local] : [] });
      this.tracksAdded = true;
    }
  }

  iceUp(): boolean {
    const ice = this.pc.iceConnectionState;
    return ice === 'connected' || ice === 'completed';
  }

  private onIceState(): void {
    const ice = this.pc.iceConnectionState;
    window.clearTimeout(this.failTimer);
    if (ice === 'connected' || ice === 'completed') this.state = 'connected';
    else if (ice === 'disconnected' || ice === 'failed') {
      if (this.state !== 'away') this.state = 'reconnecting';
      // A short blip mends itself; past that (or at once when failed), restart ICE.
      this.failTimer = window.setTimeout(() => this.ports.failed(), ice === 'failed' ? 0 : RESTART_AFTER_MS);
    }
    this.ports.changed();
  }

  async offer(iceRestart: boolean): Promise<void> {
    this.lastOfferAt = Date.now();
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    this.ports.signal({ description: offer });
  }

  async accept(description: RTCSessionDescriptionInit): Promise<void> {
    if (description.type === 'offer') {
      if (this.offerer) return; // Only the offerer offers; a stray offer is ignored.
      await this.pc.setRemoteDescription(description);
      if (!this.tracksAdded) {
        this.tracksAdded = true;
        for (const transceiver of this.pc.getTransceivers()) {
          const kind = transceiver.receiver.track.kind;
          const track = kind === 'audio' ? this.local?.getAudioTracks()[0] : this.local?.getVideoTracks()[0];
          transceiver.direction = 'sendrecv';
          if (track !== undefined) {
            await transceiver.sender.replaceTrack(track);
            if (this.local) transceiver.sender.setStreams(this.local);
          }
        }
      }
      await this.flushCandidates();
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.ports.signal({ description: answer });
    } else {
      if (this.pc.signalingState !== 'have-local-offer') return;
      await this.pc.setRemoteDescription(description);
      await this.flushCandidates();
    }
    this.ports.negotiated();
  }

  async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (this.pc.remoteDescription === null) {
      this.pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // A candidate of an earlier ICE generation: harmless.
    }
  }

  private async flushCandidates(): Promise<void> {
    for (const candidate of this.pendingCandidates.splice(0)) {
      try {
        await this.pc.addIceCandidate(candidate);
      } catch {
        // As above.
      }
    }
  }

  async useTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track.kind === kind);
    await transceiver?.sender.replaceTrack(track);
  }

  /** Caps (or frees) the bitrate of what this side sends on this link, without renegotiating. */
  async applyBandwidth(low: boolean): Promise<void> {
    for (const sender of this.pc.getSenders()) {
      const kind =
        sender.track?.kind ?? this.pc.getTransceivers().find((t) => t.sender === sender)?.receiver.track.kind;
      if (kind === undefined) continue;
      const parameters = sender.getParameters();
      if (parameters.encodings.length === 0) continue;
      for (const encoding of parameters.encodings) {
        if (low) {
          encoding.maxBitrate = kind === 'video' ? LOW_VIDEO_BPS : LOW_AUDIO_BPS;
          if (kind === 'video') {
            encoding.scaleResolutionDownBy = 2;
            encoding.maxFramerate = 15;
          }
        } else {
          delete encoding.maxBitrate;
          if (kind === 'video') {
            encoding.scaleResolutionDownBy = 1;
            delete encoding.maxFramerate;
          }
        }
      }
      try {
        await sender.setParameters(parameters);
      } catch (error) {
        console.warn('call: could not set the bitrate', error);
      }
    }
  }

  async sample(): Promise<LinkStats | undefined> {
    const report = await this.pc.getStats();
    let bytesIn = 0;
    let bytesOut = 0;
    let lost = 0;
    let received = 0;
    let framesDecoded = 0;
    let rttMs: number | null = null;
    report.forEach((entry: Record<string, unknown>) => {
      if (entry.type === 'inbound-rtp') {
        bytesIn += Number(entry.bytesReceived ?? 0);
        lost += Math.max(0, Number(entry.packetsLost ?? 0));
        received += Number(entry.packetsReceived ?? 0);
        if (entry.kind === 'video') framesDecoded += Number(entry.framesDecoded ?? 0);
      } else if (entry.type === 'outbound-rtp') {
        bytesOut += Number(entry.bytesSent ?? 0);
      } else if (entry.type === 'candidate-pair' && entry.nominated === true && entry.state === 'succeeded') {
        if (typeof entry.currentRoundTripTime === 'number') rttMs = entry.currentRoundTripTime * 1000;
      }
    });
    const now = performance.now();
    const last = this.last;
    this.last = { at: now, bytesIn, bytesOut, lost, received };
    if (last === undefined) return undefined;
    const seconds = (now - last.at) / 1000;
    const newLost = lost - last.lost;
    const newReceived = received - last.received;
    this.stats = {
      rttMs,
      lossPercent: newLost + newReceived > 0 ? (100 * newLost) / (newLost + newReceived) : 0,
      inKbps: ((bytesIn - last.bytesIn) * 8) / 1000 / seconds,
      outKbps: ((bytesOut - last.bytesOut) * 8) / 1000 / seconds,
      framesDecoded,
      bytesReceived: bytesIn,
    };
    return this.stats;
  }

  close(): void {
    window.clearTimeout(this.failTimer);
    this.pc.close();
  }
}
