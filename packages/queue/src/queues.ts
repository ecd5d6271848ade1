import {
  type JobsOptions,
  type Processor,
  Queue,
  type QueueOptions,
  type RepeatOptions,
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

export interface PerTenantSchedule<T extends { id: string }> {
  /** The tenants to schedule for, read again at every refresh. */
  tenants: () => Promise<T[]>;
  /** When the tenant's job repeats: `{ every }` or `{ pattern, tz }`. */
  repeat: (tenant: T) => Omit<RepeatOptions, 'key'>;
  data: (tenant: T) => Record<string, unknown>;
  /** How often new tenants get their scheduler (milliseconds). */
  refreshMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Keeps one BullMQ job scheduler per tenant on `queue` (id `<queue>:<tenant id>`). Upserting is
 * idempotent, so several instances may run this side by side, and repeating it every `refreshMs`
 * picks up tenants created since the start. Resolves once every tenant has its scheduler; returns
 * the function that stops the refreshing.
 */
export async function schedulePerTenant<T extends { id: string }>(
  queue: Queue,
  schedule: PerTenantSchedule<T>,
): Promise<() => void> {
  const upsertAll = async () => {
    for (const tenant of await schedule.tenants()) {
      await queue.upsertJobScheduler(`${queue.name}:${tenant.id}`, schedule.repeat(tenant), {
        name: queue.name,
        data: schedule.data(tenant),
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
      });
    }
  };
  await upsertAll();
  const timer = setInterval(() => {
    upsertAll().catch((error) => schedule.onError?.(error));
  }, schedule.refreshMs);
  timer.unref();
  return () => clearInterval(timer);
}
