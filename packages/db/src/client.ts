import { sql } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle; repositories accept `Database | Transaction` so callers can compose them. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;

export interface DbHandle {
  db: Database;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export interface DbOptions {
  max?: number;
  /** Shown in pg_stat_activity, so an operator sees which service holds a connection. */
  applicationName?: string;
  /**
   * Plan every execution with its parameters (`plan_cache_mode = force_custom_plan`). For
   * analytical queries over ranges: after five runs PostgreSQL may reuse a generic plan that cannot
   * see how narrow a range is, and fall back to a sequential scan (insights' occupancy over 10 M
   * cases: 40 → 200 ms). Planning costs well under a millisecond; such queries run for tens.
   */
  planEveryQuery?: boolean;
}

export function createDb(url: string, options: DbOptions = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? 'samtal',
      ...(options.planEveryQuery ? { plan_cache_mode: 'force_custom_plan' } : {}),
    },
    // Fail fast when Postgres is down: a request should get its 503 in seconds, not hang.
    connect_timeout: 5,
  });
  const db = drizzle(sql, { schema, casing: 'snake_case' });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** Cheap liveness probe for /health. */
export async function pingDb(sql: postgres.Sql): Promise<void> {
  await sql`select 1`;
}

/**
 * Runs `work` in a transaction as the tenant: the transaction switches to the role `samtal_tenant`
 * and sets `samtal.tenant_id`, so row-level security (migration 0004) lets it see and write only
 * that tenant's rows, whatever the queries inside say. Both settings end with the transaction, so a
 * pooled connection never carries a tenant into the next piece of work.
 */
export async function inTenantTransaction<T>(
  db: Database,
  tenantId: string,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', 'samtal_tenant', true), set_config('samtal.tenant_id', ${tenantId}, true)`,
    );
    return work(tx);
  });
}
