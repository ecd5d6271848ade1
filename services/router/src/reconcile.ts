import { type Database, schema } from '@samtal/db';
import { openStatuses } from '@samtal/domain';
import { openQueue, type QueueContext, queueNames } from '@samtal/queue';
import type { Queue } from 'bullmq';
import { and, inArray, isNull, or, sql } from 'drizzle-orm';

/**
 * Redis may lose jobs (a restart without persistence, a failover): PostgreSQL still knows what must
 * happen. `unsendLostRouting` marks routing outbox rows unsent again when their case is still waiting
 * for that routing, so the relay publishes them again — under the same job id, so a job Redis still
 * has is not added twice. `rearmTimers` asks for every running SLA clock to be recomputed (timer job
 * ids are deterministic, so timers Redis still has are not doubled).
 */
export async function unsendLostRouting(db: Database, olderThanSeconds = 5): Promise<number> {
  const rows = await db.execute<{ id: number }>(sql`
    update ${schema.outbox} o set sent_at = null
    from ${schema.cases} c
    where o.queue = ${queueNames.routing}
      and o.sent_at is not null
      and o.sent_at < now() - make_interval(secs => ${olderThanSeconds})
      and o.created_at > now() - interval '14 days'
      and c.tenant_id = o.tenant_id
      and c.id = (o.payload->>'caseId')::uuid
      and c.status = case o.payload->>'reason'
        when 'created' then 'new' when 'returned' then 'returned' when 'reopened' then 'reopened' end
    returning o.id`);
  return rows.length;
}

export async function rearmTimers(db: Database, clocks: Queue, batch = 1000): Promise<number> {
  const { cases: c } = schema;
  const stamp = Date.now();
  let total = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .select({ id: c.id, tenantId: c.tenantId })
      .from(c)
      .where(
        and(
          sql`${c.id} > ${after}`,
          inArray(c.status, [...openStatuses]),
          isNull(c.slaPausedAt),
          // A clock still running (its due time may never have been computed: the job was lost).
          or(isNull(c.firstRespondedAt), isNull(c.resolvedAt)),
        ),
      )
      .orderBy(c.id)
      .limit(batch);
    if (!rows.length) return total;
    await clocks.addBulk(
      rows.map((r) => ({
        name: queueNames.clocks,
        data: { tenantId: r.tenantId, caseId: r.id, reason: 'reconcile' },
        opts: { jobId: `reconcile.${r.id}.${stamp}` },
      })),
    );
    total += rows.length;
    after = rows.at(-1)!.id;
  }
}

export interface ReconcilerOptions {
  db: Database;
  queues: QueueContext;
  everyMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Runs the routing check periodically. Timers are re-armed only when Redis has lost its data: a
 * marker key the router sets is then missing (checked at start and whenever the connection comes
 * back), so a routine restart does not recompute every open case.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly clocks: Queue;
  private readonly marker: string;
  private readonly onReady = () => {
    void this.run();
  };

  constructor(private readonly options: ReconcilerOptions) {
    this.clocks = openQueue(options.queues, queueNames.clocks);
    this.clocks.on('error', () => {});
    this.marker = `${options.queues.prefix}:router:redis-epoch`;
  }

  /** True when Redis had no marker (first start, or its data is gone); sets it. */
  private async redisWasEmptied(): Promise<boolean> {
    const set = await this.options.queues.connection.set(this.marker, new Date().toISOString(), 'NX');
    return set === 'OK';
  }

  async run(): Promise<void> {
    if (this.stopped) return;
    const work = (async () => {
      const emptied = await this.redisWasEmptied();
      await unsendLostRouting(this.options.db);
      if (emptied) await rearmTimers(this.options.db, this.clocks);
    })().catch((error) => this.options.onError?.(error));
    this.running = work;
    await work;
  }

  start(): void {
    void this.run();
    // ioredis emits `ready` after every reconnect; Redis may have come back empty.
    this.options.queues.connection.on('ready', this.onReady);
    const tick = async () => {
      await this.run();
      if (!this.stopped) this.timer = setTimeout(tick, this.options.everyMs);
    };
    this.timer = setTimeout(tick, this.options.everyMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.options.queues.connection.off('ready', this.onReady);
    await this.running;
    await this.clocks.close();
  }
}
