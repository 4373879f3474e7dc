import { mkdir } from 'node:fs/promises';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';
import { PG_TYPE } from './database.js';

const parsers = {
  [PG_TYPE.int8]: (value: string) => Number(value),
  [PG_TYPE.date]: (value: string) => value,
};

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(text, params as unknown[], { parsers });
      return result.rows;
    },
    async exec(script: string) {
      await target.exec(script);
    },
  };
}

/**
 * Opens the embedded database. `dataDir` undefined means in memory (tests). PGlite is a single
 * connection; it queues queries and transactions itself, so callers need no pool.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const db = new PGlite(dataDir, { parsers: { ...types.parsers, ...parsers } });
  await db.waitReady;
  const root = wrap(db);
  return {
    kind: 'pglite',
    query: (text, params) => root.query(text, params),
    exec: (script) => root.exec(script),
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    ping: async () => {
      await db.query('select 1');
    },
    close: () => db.close(),
  };
}
