import type { Database } from '../../platform/db/database.js';

export interface AuditRow {
  seq: number;
  at: Date;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  patientId: string | null;
  stateId: string | null;
  ip: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  patientId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  /** Rows with a sequence number below this one (paging backwards from the newest). */
  beforeSeq?: number;
  limit: number;
}

const COLUMNS = `seq, at, actor_id as "actorId", actor_role as "actorRole", action,
  resource_type as "resourceType", resource_id as "resourceId", patient_id as "patientId",
  state_id as "stateId", ip, outcome, detail, prev_hash as "prevHash", hash`;

export class AuditRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends rows after the current head, in one transaction. The head row is locked, so that
   * appends from every instance form one chain; `link` computes each row's hash from the last.
   */
  async append<T>(items: T[], link: (item: T, seq: number, prevHash: string) => AuditRow): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [head] = await tx.query<{ seq: number; hash: string }>(
        'select seq, hash from audit_chain_head where id = 1 for update',
      );
      if (head === undefined) throw new Error('audit_chain_head is missing');
      let { seq, hash } = head;
      const rows = items.map((item) => {
        seq += 1;
        const row = link(item, seq, hash);
        hash = row.hash;
        return row;
      });
      const values: unknown[] = [];
      const tuples = rows.map((row, index) => {
        const base = index * 14;
        values.push(
          row.seq,
          row.at,
          row.actorId,
          row.actorRole,
          row.action,
          row.resourceType,
          row.resourceId,
          row.patientId,
          row.stateId,
          row.ip,
          row.outcome,
          row.detail === null ? null : JSON.stringify(row.detail),
          row.prevHash,
          row.hash,
        );
        return `(${Array.from({ length: 14 }, (_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      await tx.query(
        `insert into audit_log (seq, at, actor_id, actor_role, action, resource_type, resource_id,
           patient_id, state_id, ip, outcome, detail, prev_hash, hash) values ${tuples.join(', ')}`,
        values,
      );
      await tx.query('update audit_chain_head set seq = $1, hash = $2 where id = 1', [seq, hash]);
    });
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const [head] = await this.db.query<{ seq: number; hash: string }>(
      'select seq, hash from audit_chain_head where id = 1',
    );
    if (head === undefined) throw new Error('audit_chain_head is missing');
    return head;
  }

  /** A page of the chain in order, for verification. */
  async pageAfter(afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.db.query<AuditRow>(`select ${COLUMNS} from audit_log where seq > $1 order by seq limit $2`, [
      afterSeq,
      limit,
    ]);
  }

  async search(query: AuditQuery): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (query.patientId !== undefined) add('patient_id = ?', query.patientId);
    if (query.actorId !== undefined) add('actor_id = ?', query.actorId);
    if (query.from !== undefined) add('at >= ?', query.from);
    if (query.to !== undefined) add('at < ?', query.to);
    if (query.beforeSeq !== undefined) add('seq < ?', query.beforeSeq);
    params.push(query.limit);
    return this.db.query<AuditRow>(
      `select ${COLUMNS} from audit_log ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
       order by seq desc limit $${params.length}`,
      params,
    );
  }
}
