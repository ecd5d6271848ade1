import { type Database, type Executor, schema } from '@samtal/db';
import { kindOfQueue, openQueue, parsePayload, type QueueContext } from '@samtal/queue';
import type { Queue } from 'bullmq';
import { and, inArray, isNull, lt, sql } from 'drizzle-orm';

export type OutboxRow = typeof schema.outbox.$inferSelect;

export interface OutboxJob {
  tenantId: string;
  /** A queue name from `@samtal/queue` (department queues included). */
  queue: string;
  payload: Record<string, unknown>;
  /** For delayed jobs (SLA timers): the job becomes due then. */
  runAt?: Date;
}

/**
 * Writes jobs to the outbox inside the caller's transaction. Payloads are validated here, so a
 * row that reaches the outbox can always be published.
 */
export async function enqueueOutbox(tx: Executor, jobs: OutboxJob[]): Promise<OutboxRow[]> {
  if (!jobs.length) return [];
  return tx
    .insert(schema.outbox)
    .values(
      jobs.map((job) => ({
        tenantId: job.tenantId,
        queue: job.queue,
        jobName: job.queue,
        payload: parsePayload(kindOfQueue(job.queue), job.payload) as Record<string, unknown>,
        runAt: job.runAt ?? null,
      })),
    )
    .returning();
}

export interface OutboxRelayOptions {
  db: Database;
  queues: QueueContext;
  /** How often to look for rows the fast path did not publish (Redis was down, process died). */
  sweepMs?: number;
  /** Rows younger than this are left to the fast path, so the two rarely publish the same row. */
  graceMs?: number;
  /** BullMQ waits for a connection that may never come; a publish gives up after this long. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Publishes outbox rows to BullMQ with `outbox-<id>` as job id, so publishing a row twice adds
 * one job. Fast path: `publish(rows)` right after the commit. Safety net: a sweep that picks up
 * unsent rows (with SKIP LOCKED, so several relays share the work).
 */
export class OutboxRelay {
  private readonly queues = new Map<string, Queue>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = openQueue(this.options.queues, name);
      // Connection errors surface as failed publishes (and /health); don't print each retry.
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async add(rows: OutboxRow[]): Promise<void> {
    const now = Date.now();
    const timeoutMs = this.options.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not take the jobs within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    // One addBulk per queue: a batch of rows goes to Redis in one write instead of one per row.
    const byQueue = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const same = byQueue.get(row.queue);
      if (same) same.push(row);
      else byQueue.set(row.queue, [row]);
    }
    const adding = Promise.all(
      [...byQueue].map(([name, queued]) =>
        this.queue(name).addBulk(
          queued.map((row) => ({
            name: row.jobName,
            data: row.payload,
            opts: {
              jobId: `outbox-${row.id}`,
              ...(row.runAt && row.runAt.getTime() > now ? { delay: row.runAt.getTime() - now } : {}),
            },
          })),
        ),
      ),
    );
    adding.catch(() => {}); // after a timeout its late failure is already reported
    try {
      await Promise.race([adding, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Fast path after a commit. Never throws: what fails here the sweep publishes later. */
  async publish(rows: OutboxRow[]): Promise<void> {
    if (!rows.length || this.stopped) return;
    try {
      await this.add(rows);
      // One statement text whatever the batch size, so it stays prepared (drizzle's inArray
      // would send a new text, and a new prepare, for every size).
      const ids = rows.map((r) => r.id);
      await this.options.db.execute(
        sql`update outbox set sent_at = now() where id = any(${sql.param(ids)}::bigint[])`,
      );
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Publishes up to `limit` unsent rows; returns how many were sent, or throws why none were. */
  async sweepOnce(limit = 500): Promise<number> {
    const graceMs = this.options.graceMs ?? 1000;
    const { outbox } = schema;
    const outcome = await this.options.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outbox)
        .where(and(isNull(outbox.sentAt), lt(outbox.createdAt, new Date(Date.now() - graceMs))))
        .orderBy(outbox.id)
        .limit(limit)
        .for('update', { skipLocked: true });
      if (!rows.length) return { sent: 0 };
      const ids = inArray(
        outbox.id,
        rows.map((r) => r.id),
      );
      try {
        await this.add(rows);
      } catch (error) {
        // Committed, not rolled back: the attempt and its reason are what an operator looks at.
        const lastError = String((error as Error).message).slice(0, 500);
        await tx
          .update(outbox)
          .set({ attempts: sql`${outbox.attempts} + 1`, lastError })
          .where(ids);
        return { sent: 0, error };
      }
      await tx
        .update(outbox)
        .set({ sentAt: sql`now()`, attempts: sql`${outbox.attempts} + 1` })
        .where(ids);
      return { sent: rows.length };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.sent;
  }

  /** Sweeps until nothing is left (tests, and start-up after an outage). */
  async drain(): Promise<number> {
    let total = 0;
    for (let sent = await this.sweepOnce(); sent > 0; sent = await this.sweepOnce()) total += sent;
    return total;
  }

  start(): void {
    const every = this.options.sweepMs ?? 2000;
    const tick = async () => {
      if (this.stopped) return;
      this.sweeping = this.drain().catch((error) => {
        this.options.onError?.(error);
        return 0;
      });
      await this.sweeping;
      if (!this.stopped) this.timer = setTimeout(tick, every);
    };
    this.timer = setTimeout(tick, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
