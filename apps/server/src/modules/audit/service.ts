import type { Clock } from '../../platform/clock.js';
import { GENESIS_HASH, linkHash } from './chain.js';
import type { AuditQuery, AuditRepository, AuditRow } from './repository.js';

export type AuditAction = 'read' | 'search' | 'create' | 'update' | 'delete' | 'sign-in' | 'sign-out' | 'export';

export interface AuditEntry {
  actorId: string | null;
  actorRole: string | null;
  action: AuditAction;
  resourceType: string;
  resourceId?: string | null;
  patientId?: string | null;
  stateId?: string | null;
  ip?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  detail?: Record<string, unknown> | null;
}

/** What other modules get: a way to record, nothing else. */
export interface AuditRecorder {
  /** Resolves once the entries are durably in the chain. */
  record(entries: AuditEntry | AuditEntry[]): Promise<void>;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  firstBrokenSeq?: number;
  reason?: string;
}

interface Pending {
  entry: AuditEntry;
  at: Date;
  done: () => void;
  failed: (error: unknown) => void;
}

/**
 * The audit log. Entries recorded at about the same time are appended together: one
 * transaction and one lock on the chain head per batch, not per entry, so auditing every read
 * stays cheap under load while each caller still waits until its entry is stored.
 */
export class AuditLog implements AuditRecorder {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    private readonly maxBatch = 500,
  ) {}

  record(entries: AuditEntry | AuditEntry[]): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries];
    const at = this.clock.now();
    const stored = Promise.all(
      list.map(
        (entry) =>
          new Promise<void>((done, failed) => {
            this.pending.push({ entry, at, done, failed });
          }),
      ),
    ).then(() => undefined);
    this.flushing ??= this.flushLoop();
    return stored;
  }

  /** Waits for every entry recorded so far (used at shutdown). */
  async drain(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Let entries recorded in the same tick join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.repository.append(batch, (item, seq, prevHash) => toRow(item.entry, item.at, seq, prevHash));
        for (const item of batch) item.done();
      } catch (error) {
        for (const item of batch) item.failed(error);
      }
    }
    this.flushing = null;
  }

  search(query: AuditQuery): Promise<AuditRow[]> {
    return this.repository.search(query);
  }

  /** Walks the whole chain and reports the first link whose content or order was changed. */
  async verify(pageSize = 5000): Promise<VerifyResult> {
    const head = await this.repository.head();
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const page = await this.repository.pageAfter(expectedSeq - 1, pageSize);
      if (page.length === 0) break;
      for (const row of page) {
        if (row.seq !== expectedSeq) {
          return {
            ok: false,
            checked,
            headSeq: head.seq,
            firstBrokenSeq: expectedSeq,
            reason: `entry ${expectedSeq} is missing`,
          };
        }
        if (row.prevHash !== prevHash || linkHash(row) !== row.hash) {
          return {
            ok: false,
            checked,
            headSeq: head.seq,
            firstBrokenSeq: row.seq,
            reason: `entry ${row.seq} was altered`,
          };
        }
        prevHash = row.hash;
        expectedSeq += 1;
        checked += 1;
      }
    }
    if (head.seq !== checked || head.hash !== prevHash) {
      return {
        ok: false,
        checked,
        headSeq: head.seq,
        firstBrokenSeq: checked + 1,
        reason: `the chain ends at entry ${checked} but its head records entry ${head.seq}`,
      };
    }
    return { ok: true, checked, headSeq: head.seq };
  }
}

function toRow(entry: AuditEntry, at: Date, seq: number, prevHash: string): AuditRow {
  const row: Omit<AuditRow, 'hash'> = {
    seq,
    at,
    actorId: entry.actorId,
    actorRole: entry.actorRole,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    patientId: entry.patientId ?? null,
    stateId: entry.stateId ?? null,
    ip: entry.ip ?? null,
    outcome: entry.outcome ?? 'success',
    detail: entry.detail ?? null,
    prevHash,
  };
  return { ...row, hash: linkHash(row) };
}
