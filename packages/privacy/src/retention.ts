import { type Database, type Executor, inTenantTransaction, schema } from '@samtal/db';
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { type AnonymiseResult, addCounts, anonymise } from './anonymise.ts';
import type { FileStore } from './files.ts';

/**
 * When a case concluded, for retention: closed, else resolved, else (merged into another case)
 * its last change. Cases in any other status are still being worked on and are never due.
 */
const CONCLUDED_STATUSES = sql`('resolved', 'closed', 'merged')`;
const concludedAt = sql`coalesce(c.closed_at, c.resolved_at, c.updated_at)`;

/** Cases of the tenant whose retention period ran out at `asOf` and are not yet anonymised. */
function dueCases(tenantId: string, asOf: Date): SQL {
  return sql`
    from cases c
    left join retention_policies own on own.tenant_id = c.tenant_id and own.category_id = c.category_id
    left join retention_policies fallback on fallback.tenant_id = c.tenant_id and fallback.category_id is null
    where c.tenant_id = ${tenantId}
      and c.anonymised_at is null
      and c.status in ${CONCLUDED_STATUSES}
      and coalesce(own.days, fallback.days) is not null
      and ${concludedAt} + make_interval(days => coalesce(own.days, fallback.days)) <= ${asOf.toISOString()}::timestamptz`;
}

export interface DueCase {
  caseId: string;
  categoryId: string;
  concludedAt: string;
}

/** The cases due for anonymisation at `asOf`, oldest conclusion first. */
export async function findDue(
  db: Executor,
  tenantId: string,
  asOf: Date,
  limit = 10_000,
): Promise<DueCase[]> {
  const rows = await db.execute<{ id: string; category_id: string; concluded_at: string }>(sql`
    select c.id, c.category_id, to_json(${concludedAt}) #>> '{}' as concluded_at
    ${dueCases(tenantId, asOf)}
    order by ${concludedAt}, c.id
    limit ${limit}`);
  return rows.map((r) => ({ caseId: r.id, categoryId: r.category_id, concludedAt: r.concluded_at }));
}

export interface RetentionReport {
  asOf: string;
  due: number;
  categories: {
    categoryId: string;
    categoryCode: string;
    days: number;
    cases: number;
    oldestConcludedAt: string;
    newestConcludedAt: string;
  }[];
}

/** What a run at `asOf` would anonymise: counts per category, oldest and newest conclusion. */
export async function retentionReport(db: Executor, tenantId: string, asOf: Date): Promise<RetentionReport> {
  const rows = await db.execute<{
    category_id: string;
    code: string;
    days: number;
    cases: number;
    oldest: string;
    newest: string;
  }>(sql`
    select d.category_id, cat.code, d.days, count(*)::int as cases,
           to_json(min(d.concluded_at)) #>> '{}' as oldest, to_json(max(d.concluded_at)) #>> '{}' as newest
    from (
      select c.category_id, coalesce(own.days, fallback.days) as days, ${concludedAt} as concluded_at
      ${dueCases(tenantId, asOf)}
    ) d
    join categories cat on cat.id = d.category_id
    group by d.category_id, cat.code, d.days
    order by cat.code`);
  const categories = rows.map((r) => ({
    categoryId: r.category_id,
    categoryCode: r.code,
    days: r.days,
    cases: r.cases,
    oldestConcludedAt: r.oldest,
    newestConcludedAt: r.newest,
  }));
  return { asOf: asOf.toISOString(), due: categories.reduce((n, c) => n + c.cases, 0), categories };
}

export type RetentionRun = typeof schema.retentionRuns.$inferSelect;

export interface NewRun {
  tenantId: string;
  dryRun: boolean;
  requestedBy?: string | null;
  /** The BullMQ job that runs it: a retried job finds its run again instead of starting another. */
  jobId?: string | null;
  asOf?: Date;
}

export async function createRun(db: Executor, run: NewRun): Promise<RetentionRun> {
  const r = schema.retentionRuns;
  const values = {
    tenantId: run.tenantId,
    dryRun: run.dryRun,
    requestedBy: run.requestedBy ?? null,
    jobId: run.jobId ?? null,
    asOf: run.asOf ?? new Date(),
  };
  const [row] = await db
    .insert(r)
    .values(values)
    .onConflictDoUpdate({ target: [r.tenantId, r.jobId], set: { jobId: sql`excluded.job_id` } })
    .returning();
  return row!;
}

export async function loadRun(
  db: Executor,
  tenantId: string,
  runId: string,
): Promise<RetentionRun | undefined> {
  const r = schema.retentionRuns;
  const [row] = await db
    .select()
    .from(r)
    .where(and(eq(r.tenantId, tenantId), eq(r.id, runId)));
  return row;
}

export async function recentRuns(db: Executor, tenantId: string, limit = 20): Promise<RetentionRun[]> {
  const r = schema.retentionRuns;
  return db.select().from(r).where(eq(r.tenantId, tenantId)).orderBy(desc(r.createdAt)).limit(limit);
}

/**
 * A real run not yet finished, if any (the desk refuses to queue a second one). A run older than a
 * day that never finished (its worker died and the job gave up) no longer counts: the next run
 * picks up whatever it left.
 */
export async function activeRun(db: Executor, tenantId: string): Promise<RetentionRun | undefined> {
  const r = schema.retentionRuns;
  const [row] = await db
    .select()
    .from(r)
    .where(
      and(
        eq(r.tenantId, tenantId),
        sql`${r.status} in ('queued', 'running')`,
        eq(r.dryRun, false),
        isNull(r.finishedAt),
        sql`${r.createdAt} > now() - interval '1 day'`,
      ),
    )
    .limit(1);
  return row;
}

export interface RunOptions {
  files: FileStore;
  /** Cases per transaction. */
  batchSize?: number;
  /** Called after each batch with the run as it now stands (e.g. BullMQ `job.updateProgress`). */
  onProgress?: (run: RetentionRun) => Promise<void> | void;
}

/**
 * Executes a run: a dry run records the report; a real run anonymises what is due at the run's
 * `asOf` in batches, one transaction each, counting as it goes. Resumable: running an interrupted
 * run again picks up the cases still due (anonymised ones are never due again), keeps its counts
 * and finishes it. A failure marks the run failed with the reason and rethrows (the job retries).
 */
export async function executeRun(
  db: Database,
  tenantId: string,
  runId: string,
  options: RunOptions,
): Promise<RetentionRun> {
  const r = schema.retentionRuns;
  const batchSize = options.batchSize ?? 500;
  let run = await loadRun(db, tenantId, runId);
  if (!run) throw new Error(`no retention run ${runId}`);
  if (run.status === 'done') return run;
  try {
    if (!run.startedAt) {
      const report = await retentionReport(db, tenantId, run.asOf);
      [run] = await db
        .update(r)
        .set({ status: 'running', startedAt: new Date(), due: report.due, report: { ...report } })
        .where(eq(r.id, runId))
        .returning();
    } else {
      [run] = await db.update(r).set({ status: 'running', error: null }).where(eq(r.id, runId)).returning();
    }
    await options.onProgress?.(run!);
    while (!run!.dryRun) {
      const batch = await inTenantTransaction(db, tenantId, async (tx) => {
        const ids = await tx.execute<{ id: string }>(sql`
          select c.id ${dueCases(tenantId, run!.asOf)}
          order by ${concludedAt}, c.id
          limit ${batchSize}
          for update of c skip locked`);
        if (!ids.length) return undefined;
        const result = await anonymise(
          tx,
          tenantId,
          { caseIds: ids.map((i) => i.id), participationIds: [] },
          options.files,
        );
        // Rows touched so far, kept in the report batch by batch so a resumed run counts them all.
        const [current] = await tx.select().from(r).where(eq(r.id, runId)).for('update');
        const previous = current!.report as { rows?: AnonymiseResult['rows']; filesRemoved?: number };
        const totals = addCounts(
          { rows: { ...previous.rows }, filesRemoved: previous.filesRemoved ?? 0 },
          result,
        );
        const [updated] = await tx
          .update(r)
          .set({
            anonymised: current!.anonymised + ids.length,
            batches: current!.batches + 1,
            report: { ...current!.report, rows: totals.rows, filesRemoved: totals.filesRemoved },
          })
          .where(eq(r.id, runId))
          .returning();
        return { run: updated! };
      });
      if (!batch) break;
      run = batch.run;
      await options.onProgress?.(run);
    }
    [run] = await db
      .update(r)
      .set({ status: 'done', finishedAt: new Date() })
      .where(eq(r.id, runId))
      .returning();
    await options.onProgress?.(run!);
    return run!;
  } catch (error) {
    await db
      .update(r)
      .set({ status: 'failed', error: (error as Error).message.slice(0, 500) })
      .where(eq(r.id, runId));
    throw error;
  }
}

// ─── Policies ───────────────────────────────────────────────────────────────────────────────────

export interface RetentionPolicies {
  /** Days after conclusion for categories without their own period; null: kept until erased. */
  defaultDays: number | null;
  categories: { categoryId: string; categoryCode: string; days: number }[];
}

export async function loadPolicies(db: Executor, tenantId: string): Promise<RetentionPolicies> {
  const p = schema.retentionPolicies;
  const cat = schema.categories;
  const rows = await db
    .select({ categoryId: p.categoryId, code: cat.code, days: p.days })
    .from(p)
    .leftJoin(cat, eq(cat.id, p.categoryId))
    .where(eq(p.tenantId, tenantId))
    .orderBy(cat.code);
  return {
    defaultDays: rows.find((row) => row.categoryId === null)?.days ?? null,
    categories: rows
      .filter((row) => row.categoryId !== null)
      .map((row) => ({ categoryId: row.categoryId!, categoryCode: row.code!, days: row.days })),
  };
}

/** Replaces the tenant's policies as a whole. */
export async function savePolicies(
  tx: Executor,
  tenantId: string,
  policies: { defaultDays: number | null; categories: { categoryId: string; days: number }[] },
  updatedBy: string | null,
): Promise<void> {
  const p = schema.retentionPolicies;
  await tx.delete(p).where(eq(p.tenantId, tenantId));
  const rows = [
    ...(policies.defaultDays === null ? [] : [{ categoryId: null, days: policies.defaultDays }]),
    ...policies.categories,
  ].map((row) => ({ tenantId, categoryId: row.categoryId, days: row.days, updatedBy }));
  if (rows.length) await tx.insert(p).values(rows);
}
