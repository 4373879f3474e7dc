import { performance } from 'node:perf_hooks';
import type { Bus } from '../../platform/bus.js';
import type { Position, QueueChange } from '../queue/index.js';
import { accountTopic, QUEUE_CHANGED_TOPIC } from '../queue/index.js';

/** What a live connection can be sent. */
export type LiveMessage =
  | { type: 'position'; tokenId: string; ahead: number; estimatedWaitMinutes: number }
  | { type: 'token'; tokenId: string; event: string; status: string }
  | { type: 'queue'; opdId: string; waiting: number };

export interface LiveSocket {
  send(message: LiveMessage): void;
}

interface QueueReader {
  positions(opdIds: readonly string[]): Promise<Map<string, Position[]>>;
  placesOf(accountUserId: string): Promise<Position[]>;
  liveOpdsOf(accountUserId: string): Promise<string[]>;
}

const SAME_OPD_EVENTS = new Set(['called', 'joined', 'skipped', 'reoffered']);

/**
 * How often a place may be sent: near the front on every change; further back, where a place
 * moves a little and the wait is long, every few seconds is as good and costs far less.
 */
function sendIntervalMs(ahead: number): number {
  if (ahead < 10) return 0;
  return ahead < 100 ? 5_000 : 15_000;
}

/**
 * Live updates for waiting rooms and doctors' consoles on this instance. Token events (called,
 * lapsed, ...) go out at once; positions are recomputed at most once a tick for all the OPDs that
 * changed, with one query, and sent only to the patients whose place or wait actually changed:
 * near the front on every change, further back at most every few seconds. So a call in an OPD
 * of thousands does not cost a message to every one of them.
 */
export class LiveHub {
  private readonly patients = new Map<string, Set<LiveSocket>>();
  private readonly accountOpds = new Map<string, Set<string>>();
  private readonly opdAccounts = new Map<string, Set<string>>();
  private readonly staff = new Map<string, Set<LiveSocket>>();
  /** The place last sent for each token, by account: forgotten when the account's last device goes. */
  private readonly lastSent = new Map<string, Map<string, { signature: string; at: number }>>();
  private readonly accountSubscriptions = new Map<string, () => Promise<void>>();
  private readonly dirty = new Set<string>();
  private stopQueueEvents: (() => Promise<void>) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly queue: QueueReader,
    private readonly tickMs = 1000,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async start(): Promise<void> {
    this.stopQueueEvents = await this.bus.subscribe(QUEUE_CHANGED_TOPIC, (message) => {
      const change = message as Partial<QueueChange>;
      const opdId = change.opdId;
      if (typeof opdId !== 'string') return;
      const consoles = this.staff.get(opdId);
      if (consoles !== undefined && change.tokenId !== undefined && change.event !== undefined) {
        const event = {
          type: 'token',
          tokenId: change.tokenId,
          event: change.event,
          status: change.status ?? '',
        } as const;
        for (const socket of consoles) socket.send(event);
      }
      if (this.opdAccounts.has(opdId) || consoles !== undefined) this.dirty.add(opdId);
    });
    this.timer = setInterval(() => {
      // A failed tick (the database briefly away) is retried on the next one; it must not crash the process.
      this.tick().catch((error: unknown) => this.onError(error));
    }, this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    // A tick still running must finish before the database closes under it.
    await this.running;
    await this.stopQueueEvents?.();
    await Promise.all([...this.accountSubscriptions.values()].map((stop) => stop()));
    this.accountSubscriptions.clear();
  }

  connections(): number {
    let count = 0;
    for (const sockets of this.patients.values()) count += sockets.size;
    for (const sockets of this.staff.values()) count += sockets.size;
    return count;
  }

  /** A patient's device: told of its tokens' events and places. Returns the function that disconnects it. */
  async connectPatient(accountUserId: string, socket: LiveSocket): Promise<() => void> {
    let sockets = this.patients.get(accountUserId);
    if (sockets === undefined) {
      sockets = new Set();
      this.patients.set(accountUserId, sockets);
      this.accountSubscriptions.set(
        accountUserId,
        await this.bus.subscribe(
          accountTopic(accountUserId),
          (message) => void this.onAccountEvent(accountUserId, message),
        ),
      );
    }
    sockets.add(socket);
    await this.refreshInterest(accountUserId);
    // The place now, so that a device coming back shows it at once (a count per token, not the whole queue).
    for (const position of await this.queue.placesOf(accountUserId)) {
      // The device may have gone while the places were read: nothing to remember then.
      if (this.patients.get(accountUserId) !== sockets || !sockets.has(socket)) break;
      this.sentFor(accountUserId).set(position.tokenId, { signature: signatureOf(position), at: this.now() });
      socket.send({ type: 'position', ...withoutAccount(position) });
    }
    return () => {
      sockets.delete(socket);
      if (sockets.size > 0 || this.patients.get(accountUserId) !== sockets) return;
      this.patients.delete(accountUserId);
      this.lastSent.delete(accountUserId);
      this.forgetInterest(accountUserId);
      void this.accountSubscriptions.get(accountUserId)?.();
      this.accountSubscriptions.delete(accountUserId);
    };
  }

  /** How many tokens' last places are remembered (all belong to connected accounts); for tests and metrics. */
  rememberedPlaces(): number {
    let count = 0;
    for (const sent of this.lastSent.values()) count += sent.size;
    return count;
  }

  /** A doctor's or coordinator's console for one OPD. */
  connectStaff(opdId: string, socket: LiveSocket): () => void {
    let sockets = this.staff.get(opdId);
    if (sockets === undefined) {
      sockets = new Set();
      this.staff.set(opdId, sockets);
    }
    sockets.add(socket);
    this.dirty.add(opdId);
    return () => {
      sockets.delete(socket);
      if (sockets.size === 0) this.staff.delete(opdId);
    };
  }

  /** Recomputes the OPDs that changed since the last tick; exposed for tests and benchmarks. */
  async tick(): Promise<void> {
    if (this.running !== null || this.dirty.size === 0) return;
    this.running = this.recompute();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async recompute(): Promise<void> {
    const opds = [...this.dirty];
    this.dirty.clear();
    const now = this.now();
    const positionsByOpd = await this.queue.positions(opds);
    for (const [opdId, positions] of positionsByOpd) {
      for (const socket of this.staff.get(opdId) ?? [])
        socket.send({ type: 'queue', opdId, waiting: positions.length });
      let deferred = false;
      for (const position of positions) {
        const sockets = this.patients.get(position.accountUserId);
        if (sockets === undefined) continue;
        const signature = signatureOf(position);
        const sent = this.sentFor(position.accountUserId);
        const last = sent.get(position.tokenId);
        if (last?.signature === signature) continue;
        if (last !== undefined && now - last.at < sendIntervalMs(position.ahead)) {
          deferred = true;
          continue;
        }
        sent.set(position.tokenId, { signature, at: now });
        for (const socket of sockets) socket.send({ type: 'position', ...withoutAccount(position) });
      }
      // Places held back are sent on a later tick even if nothing else changes.
      if (deferred) this.dirty.add(opdId);
    }
  }

  private sentFor(accountUserId: string): Map<string, { signature: string; at: number }> {
    let sent = this.lastSent.get(accountUserId);
    if (sent === undefined) {
      sent = new Map();
      this.lastSent.set(accountUserId, sent);
    }
    return sent;
  }

  private async onAccountEvent(accountUserId: string, message: unknown): Promise<void> {
    const event = message as { tokenId: string; event: string; status: string };
    for (const socket of this.patients.get(accountUserId) ?? []) {
      socket.send({ type: 'token', tokenId: event.tokenId, event: event.event, status: event.status });
    }
    // A token that left the queue has no place to remember.
    if (event.status !== 'waiting') this.lastSent.get(accountUserId)?.delete(event.tokenId);
    // Called, joined, skipped or re-offered: still in the same OPD, so no need to ask again.
    if (!SAME_OPD_EVENTS.has(event.event)) await this.refreshInterest(accountUserId);
  }

  private async refreshInterest(accountUserId: string): Promise<void> {
    this.forgetInterest(accountUserId);
    const opds = new Set(await this.queue.liveOpdsOf(accountUserId));
    if (!this.patients.has(accountUserId)) return;
    this.accountOpds.set(accountUserId, opds);
    for (const opdId of opds) {
      let accounts = this.opdAccounts.get(opdId);
      if (accounts === undefined) {
        accounts = new Set();
        this.opdAccounts.set(opdId, accounts);
      }
      accounts.add(accountUserId);
    }
  }

  private forgetInterest(accountUserId: string): void {
    for (const opdId of this.accountOpds.get(accountUserId) ?? []) {
      const accounts = this.opdAccounts.get(opdId);
      accounts?.delete(accountUserId);
      if (accounts?.size === 0) this.opdAccounts.delete(opdId);
    }
    this.accountOpds.delete(accountUserId);
  }
}

function withoutAccount({ accountUserId: _account, ...position }: Position) {
  return position;
}

const signatureOf = (position: Position) => `${String(position.ahead)}:${String(position.estimatedWaitMinutes)}`;
