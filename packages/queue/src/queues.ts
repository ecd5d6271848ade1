import {
  type JobsOptions,
  type Processor,
  Queue,
  type QueueOptions,
  UnrecoverableError,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import type { Redis } from 'ioredis';
import { kindOfQueue, parsePayload, type QueueKind, type QueuePayload } from './registry.ts';

/** Retries with backoff; finished jobs kept a while for inspection, failed ones long enough to retry. */
export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 50_000 },
};

export interface QueueContext {
  connection: Redis;
  /** Key prefix per environment (and per test file), so queues never collide. */
  prefix: string;
}

export function openQueue(ctx: QueueContext, name: string, options: Partial<QueueOptions> = {}): Queue {
  return new Queue(name, { connection: ctx.connection, prefix: ctx.prefix, defaultJobOptions, ...options });
}

/** Adds a job after validating its payload against the registry. */
export async function addJob<K extends QueueKind>(
  queue: Queue,
  payload: QueuePayload<K>,
  options: JobsOptions = {},
): Promise<void> {
  const data = parsePayload(kindOfQueue(queue.name), payload);
  await queue.add(queue.name, data, options);
}

/**
 * A worker whose processor only ever sees validated payloads. A payload that fails validation is
 * a programming error: the job fails at once with the reason, instead of retrying.
 */
export function openWorker<K extends QueueKind>(
  ctx: QueueContext,
  name: string,
  processor: (payload: QueuePayload<K>, job: Parameters<Processor>[0]) => Promise<unknown>,
  options: Partial<WorkerOptions> = {},
): Worker {
  const kind = kindOfQueue(name) as K;
  return new Worker(
    name,
    async (job) => {
      let payload: QueuePayload<K>;
      try {
        payload = parsePayload(kind, job.data);
      } catch (error) {
        throw new UnrecoverableError(`invalid payload: ${(error as Error).message}`);
      }
      return processor(payload, job);
    },
    {
      connection: ctx.connection,
      prefix: ctx.prefix,
      ...options,
    },
  );
}
