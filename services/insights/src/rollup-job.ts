import type { DbHandle } from '@samtal/db';
import { openQueue, openWorker, type QueueContext, queueNames, schedulePerTenant } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { BusinessMinutesFn } from './business-time.ts';
import { loadTenant } from './context.ts';
import type { InsightsMetrics } from './plugins/metrics.ts';
import { refreshRollups } from './rollups.ts';

export interface RollupWorkerOptions {
  db: DbHandle;
  queues: QueueContext;
  /** A connection with worker settings (blocking commands retry forever). */
  workerConnection: Redis;
  everyMs: number;
  businessMinutes: BusinessMinutesFn;
  metrics?: InsightsMetrics;
  logger?: FastifyBaseLogger;
}

/**
 * The `rollups` queue: a job `{ tenantId, day? }` refreshes everything that changed since the
 * tenant's last refresh and the last 7 days (see `refreshRollups`), and `day` too when given. Any
 * service may enqueue such a job to bring a day up to date at once; a job scheduler per tenant
 * enqueues one without a day every `everyMs`, so rollups stay current even if nobody does. Several insights instances share the schedulers
 * (same ids) and BullMQ hands each job to one worker.
 */
export async function startRollupWorker(options: RollupWorkerOptions) {
  const queue = openQueue(options.queues, queueNames.rollups);
  const worker = openWorker<'rollups'>(
    { connection: options.workerConnection, prefix: options.queues.prefix },
    queueNames.rollups,
    async (payload) => {
      const tenant = await loadTenant(options.db, payload.tenantId);
      const days = await refreshRollups(
        options.db,
        tenant,
        { businessMinutes: options.businessMinutes, now: new Date() },
        payload.day ? [payload.day] : [],
      );
      options.metrics?.rollupDays.inc(days.length);
      return { days: days.length };
    },
    { concurrency: 2 },
  );
  worker.on('failed', (job, err) => options.logger?.error({ err, jobId: job?.id }, 'rollup refresh failed'));
  const stopScheduling = await schedulePerTenant(queue, {
    tenants: () => options.db.sql<{ id: string }[]>`select id from tenants`,
    repeat: () => ({ every: options.everyMs }),
    data: (tenant) => ({ tenantId: tenant.id }),
    refreshMs: options.everyMs,
    onError: (err) => options.logger?.error({ err }, 'rollup scheduling failed'),
  });
  return {
    queue,
    worker,
    async close() {
      stopScheduling();
      await worker.close();
      await queue.close();
    },
  };
}
