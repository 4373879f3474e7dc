/**
 * The one query interface of the server. Only this folder imports a driver: PGlite (embedded,
 * the default) or node-postgres (when DATABASE_URL is set). Both speak the same SQL and return
 * rows in the same shape: int8 as number, date as 'YYYY-MM-DD', timestamptz as Date, jsonb parsed.
 */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Type ids whose text form both drivers parse the same way. */
export const PG_TYPE = { int8: 20, date: 1082 } as const;
