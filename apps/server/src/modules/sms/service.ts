import type { FastifyBaseLogger } from 'fastify';
import type { SmsSender } from './adapter.js';
import type { SmsOutboxRepository } from './repository.js';

/**
 * The development and demo adapter: messages go to a table (shared by every instance) and the
 * log, and the demo's "SMS outbox" page shows them so that a new user can sign in.
 */
export class OutboxSmsSender implements SmsSender {
  constructor(
    private readonly outbox: SmsOutboxRepository,
    private readonly log: Pick<FastifyBaseLogger, 'info'>,
  ) {}

  async send(message: { to: string; body: string }): Promise<void> {
    await this.outbox.add(message.to, message.body);
    this.log.info({ to: message.to }, `SMS outbox: ${message.body}`);
  }
}
