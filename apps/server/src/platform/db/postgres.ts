import pg from 'pg';
import type { Database, Queryable } from './database.js';
import { PG_TYPE } from './database.js';

export interface PostgresOptions {
  connectionString: string;
  /** Every connection of the pool uses this schema first; tests get a schema each. */
  searchPath?: string;
  maxConnections?: number;
}

/** A node-postgres pool that returns rows exactly as the PGlite adapter does. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const typeParsers = new pg.TypeOverrides();
  typeParsers.setTypeParser(PG_TYPE.int8, (value: string) => Number(value));
  typeParsers.setTypeParser(PG_TYPE.date, (value: string) => value);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    types: typeParsers,
    ...(options.searchPath === undefined ? {} : { options: `-c search_path=${options.searchPath}` }),
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);

  const run = (client: pg.Pool | pg.PoolClient): Queryable['query'] =>
    async function query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await client.query(text, params as unknown[]);
      return result.rows as Row[];
    };

  const exec = (client: pg.Pool | pg.PoolClient) => async (script: string) => {
    // Without parameters node-postgres uses the simple protocol, which allows several statements.
    await client.query(script);
  };

  const db: Database = {
    kind: 'postgres',
    query: run(pool),
    exec: exec(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({ query: run(client), exec: exec(client) });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
  await db.ping();
  return db;
}
