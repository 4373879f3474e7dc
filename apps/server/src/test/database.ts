import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { openPglite } from '../platform/db/pglite.js';
import { openPostgres } from '../platform/db/postgres.js';

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or (TEST_STORAGE=postgres)
 * a new schema in the PostgreSQL at DATABASE_URL, dropped at the end. The same tests run on both.
 */
export interface TestDatabase {
  db: Database;
  storage: 'pglite' | 'postgres';
  drop(): Promise<void>;
}

export function testStorage(): 'pglite' | 'postgres' {
  return process.env.TEST_STORAGE === 'postgres' ? 'postgres' : 'pglite';
}

export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const storage = testStorage();
  let result: TestDatabase;
  if (storage === 'pglite') {
    const db = await openPglite(undefined);
    result = { db, storage, drop: () => db.close() };
  } else {
    const connectionString = process.env.DATABASE_URL;
    if (connectionString === undefined) throw new Error('TEST_STORAGE=postgres needs DATABASE_URL');
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const db = await openPostgres({ connectionString, searchPath: schema, maxConnections: 5 });
    result = {
      db,
      storage,
      drop: async () => {
        await db.close();
        const cleanup = new pg.Client({ connectionString });
        await cleanup.connect();
        await cleanup.query(`drop schema ${schema} cascade`);
        await cleanup.end();
      },
    };
  }
  if (options.migrate !== false) await migrate(result.db);
  return result;
}
