import { createHash } from 'node:crypto';
import type { AuditRow } from './repository.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every level, so that the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of one link: every field of the row and the hash of the link before it. */
export function linkHash(row: Omit<AuditRow, 'hash'>): string {
  const content = canonicalJson([
    row.seq,
    row.at.toISOString(),
    row.actorId,
    row.actorRole,
    row.action,
    row.resourceType,
    row.resourceId,
    row.patientId,
    row.stateId,
    row.ip,
    row.outcome,
    row.detail,
    row.prevHash,
  ]);
  return createHash('sha256').update(content).digest('hex');
}
