import type { CaseWriter } from '@samtal/cases';
import { CaseNotFoundError } from '@samtal/domain';
import { openQueue, openWorker, type QueueContext, queueNames } from '@samtal/queue';
import { UnrecoverableError, type Worker } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { fireTimer, recomputeClocks } from './clocks.ts';
import type { JobCounters } from './metrics.ts';
import { deliverNotification } from './notifications/deliver.ts';
import type { EmailSender, SmsSender } from './notifications/senders.ts';
import { routeFromJob } from './routing.ts';

export interface WorkerSettings {
  concurrency: { routing: number; clocks: number; sla: number; notifications: number };
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export interface RouterWorkerDeps {
  writer: CaseWriter;
  /** A connection with worker settings (`createRedis(url, 'worker')`). */
  workerQueues: QueueContext;
  /** A producer connection, for adding SLA timers. */
  queues: QueueContext;
  email: EmailSender;
  sms: SmsSender;
  settings: WorkerSettings;
  counters: JobCounters;
  log: FastifyBaseLogger;
}

/** A case that no longer exists will not appear on a retry: fail at once, keep the reason. */
function unrecoverable<T>(work: Promise<T>): Promise<T> {
  return work.catch((error) => {
    if (error instanceof CaseNotFoundError) throw new UnrecoverableError(error.message);
    throw error;
  });
}

export interface RouterWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
}

export function startRouterWorkers(deps: RouterWorkerDeps): RouterWorkers {
  const { settings } = deps;
  const options = (concurrency: number) => ({
    concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
  });
  const sla = openQueue(deps.queues, queueNames.sla);
  sla.on('error', () => {});
  const workers = [
    openWorker<'routing'>(
      deps.workerQueues,
      queueNames.routing,
      (payload, job) => unrecoverable(routeFromJob(deps.writer, payload, job.id!)),
      options(settings.concurrency.routing),
    ),
    openWorker<'clocks'>(
      deps.workerQueues,
      queueNames.clocks,
      (payload) => unrecoverable(recomputeClocks(deps.writer.db, sla, payload)).then(() => undefined),
      options(settings.concurrency.clocks),
    ),
    openWorker<'sla'>(
      deps.workerQueues,
      queueNames.sla,
      (payload) => unrecoverable(fireTimer(deps.writer, payload)),
      options(settings.concurrency.sla),
    ),
    openWorker<'notifications'>(
      deps.workerQueues,
      queueNames.notifications,
      (payload, job) => deliverNotification(deps, payload, job),
      options(settings.concurrency.notifications),
    ),
  ];
  for (const worker of workers) {
    worker.on('completed', () => deps.counters.count(worker.name, 'completed'));
    worker.on('failed', (job, error) => {
      deps.counters.count(worker.name, 'failed');
      deps.log.warn(
        { queue: worker.name, jobId: job?.id, attempt: job?.attemptsMade, err: error },
        'job failed',
      );
    });
    // Connection trouble is reported by /health; the worker reconnects by itself.
    worker.on('error', (error) => deps.log.debug({ queue: worker.name, err: error }, 'worker error'));
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await sla.close();
    },
  };
}
