import { randomUUID } from 'node:crypto';
import type { Database } from '../../platform/db/database.js';

export interface OutboxMessage {
  id: string;
  toMobile: string;
  body: string;
  createdAt: Date;
}

export class SmsOutboxRepository {
  constructor(private readonly db: Database) {}

  async add(toMobile: string, body: string): Promise<void> {
    await this.db.query('insert into sms_outbox (id, to_mobile, body) values ($1, $2, $3)', [
      randomUUID(),
      toMobile,
      body,
    ]);
  }

  latest(limit: number, toMobile?: string): Promise<OutboxMessage[]> {
    return this.db.query<OutboxMessage>(
      `select id, to_mobile as "toMobile", body, created_at as "createdAt" from sms_outbox
       where ($2::text is null or to_mobile = $2) order by created_at desc limit $1`,
      [limit, toMobile ?? null],
    );
  }
}
