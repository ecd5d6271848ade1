import type { Database } from '@samtal/db';
import { createRun, executeRun, type FileStore } from '@samtal/privacy';
import { openQueue, openWorker, type QueueContext, queueNames, schedulePerTenant } from '@samtal/queue';
import type { FastifyBaseLogger } from 'fastify';

export interface RetentionWorkerOptions {
  db: Database;
  /** A producer connection (schedulers). */
  queues: QueueContext;
  /** A connection with worker settings. */
  workerQueues: QueueContext;
  files: FileStore;
  /** Cron pattern, read in each tenant's own time zone. */
  cron: string;
  batchSize: number;
  /** How often new municipalities get their schedule (milliseconds). */
  rescheduleEveryMs?: number;
  log?: FastifyBaseLogger;
}

/**
 * The `retention` queue. A job scheduler per tenant adds a job every day (`cron` in the tenant's
 * time zone); an administrator's run arrives through the desk's outbox with its `runId`. A job
 * without one creates its run keyed by the job id, so a retried or stalled job resumes its own run
 * (executeRun only ever picks cases still due) instead of starting a second. Concurrency 1: runs
 * are long and batch-wise, and two at once would only contend for the same rows.
 */
export async function startRetentionWorker(options: RetentionWorkerOptions) {
  const queue = openQueue(options.queues, queueNames.retention);
  queue.on('error', () => {});
  const worker = openWorker<'retention'>(
    options.workerQueues,
    queueNames.retention,
    async (payload, job) => {
      const runId =
        payload.runId ??
        (
          await createRun(options.db, {
            tenantId: payload.tenantId,
            dryRun: payload.dryRun,
            jobId: job.id ?? null,
          })
        ).id;
      const run = await executeRun(options.db, payload.tenantId, runId, {
        files: options.files,
        batchSize: options.batchSize,
        onProgress: (r) => job.updateProgress({ runId: r.id, due: r.due, anonymised: r.anonymised }),
      });
      return { runId: run.id, due: run.due, anonymised: run.anonymised };
    },
    { concurrency: 1, lockDuration: 120_000 },
  );
  worker.on('failed', (job, err) => options.log?.error({ err, jobId: job?.id }, 'retention run failed'));
  worker.on('error', (err) => options.log?.debug({ err }, 'retention worker error'));

  const stopScheduling = await schedulePerTenant(queue, {
    tenants: () => options.db.query.tenants.findMany({ columns: { id: true, timeZone: true } }),
    repeat: (tenant) => ({ pattern: options.cron, tz: tenant.timeZone }),
    data: (tenant) => ({ tenantId: tenant.id, dryRun: false }),
    refreshMs: options.rescheduleEveryMs ?? 3600_000,
    onError: (err) => options.log?.error({ err }, 'retention scheduling failed'),
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
