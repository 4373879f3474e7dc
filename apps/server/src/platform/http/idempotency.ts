import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { badRequest, conflict, unprocessable } from '../errors.js';

const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[A-Za-z0-9._:-]{8,200}$/;

interface StoredAnswer {
  requestHash: string;
  statusCode: number | null;
  response: unknown;
}

/** The SQL of idempotency keys (the platform's own small repository). */
export class IdempotencyStore {
  constructor(private readonly db: Database) {}

  /** True when this call claimed the key; false when a request with it came first. */
  async claim(owner: string, key: string, requestHash: string): Promise<boolean> {
    const rows = await this.db.query(
      `insert into idempotency_keys (owner, key, request_hash) values ($1, $2, $3)
       on conflict (owner, key) do nothing returning key`,
      [owner, key, requestHash],
    );
    return rows.length === 1;
  }

  async find(owner: string, key: string): Promise<StoredAnswer | undefined> {
    const [row] = await this.db.query<StoredAnswer>(
      `select request_hash as "requestHash", status_code as "statusCode", response
       from idempotency_keys where owner = $1 and key = $2`,
      [owner, key],
    );
    return row;
  }

  async complete(owner: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await this.db.query('update idempotency_keys set status_code = $3, response = $4 where owner = $1 and key = $2', [
      owner,
      key,
      statusCode,
      JSON.stringify(response),
    ]);
  }

  async release(owner: string, key: string): Promise<void> {
    await this.db.query('delete from idempotency_keys where owner = $1 and key = $2', [owner, key]);
  }

  async purgeOlderThan(cutoff: Date): Promise<void> {
    await this.db.query('delete from idempotency_keys where created_at < $1', [cutoff]);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { owner: string; key: string } | null;
  }
}

function ownerOf(request: FastifyRequest): string {
  return request.principal?.userId ?? `anonymous:${request.ip}`;
}

function hashOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(
      `${request.method} ${request.routeOptions.url ?? request.url}\n${JSON.stringify(request.body ?? null)}\n${JSON.stringify(request.params ?? null)}`,
    )
    .digest('hex');
}

/**
 * For routes marked `idempotent`: a request carrying an `Idempotency-Key` header that was seen
 * before (same caller, same key) gets the first answer again instead of creating twice. Only
 * successful answers are kept; a failed attempt frees the key for the retry.
 */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.idempotent !== true) return;
    const key = request.headers[HEADER];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw badRequest('Idempotency-Key must be 8 to 200 letters, digits or ._:-', `header.${HEADER}`);
    }
    const owner = ownerOf(request);
    const requestHash = hashOf(request);
    if (await store.claim(owner, key, requestHash)) {
      request.idempotency = { owner, key };
      return;
    }
    const stored = await store.find(owner, key);
    if (stored === undefined)
      throw conflict('The first request with this Idempotency-Key just failed; retry it', `header.${HEADER}`);
    if (stored.requestHash !== requestHash) {
      throw unprocessable('This Idempotency-Key was used for a different request', `header.${HEADER}`);
    }
    if (stored.statusCode === null)
      throw conflict('The first request with this Idempotency-Key is still running; retry shortly', `header.${HEADER}`);
    return reply.status(stored.statusCode).header('idempotent-replayed', 'true').send(stored.response);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (claim == null) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
      await store.complete(claim.owner, claim.key, reply.statusCode, JSON.parse(payload) as unknown);
    } else {
      await store.release(claim.owner, claim.key);
    }
    return payload;
  });
}
