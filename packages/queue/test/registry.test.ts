import { useTestContext } from '@samtal/testing';
import { type Job, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createRedis } from '../src/connection.ts';
import { addJob, defaultJobOptions, openQueue, openWorker } from '../src/queues.ts';
import { departmentQueueName, kindOfQueue, parsePayload, queueNames } from '../src/registry.ts';

const tenantId = '0b7c6c2e-6f0a-4a4e-8a55-1a2b3c4d5e6f';
const caseId = '5f1d2c3b-4a59-4e6d-8c7b-9a0b1c2d3e4f';

describe('queue registry', () => {
  const ctx = useTestContext();

  it('knows the payload of every queue name', () => {
    expect(kindOfQueue(queueNames.routing)).toBe('routing');
    expect(kindOfQueue(departmentQueueName(caseId))).toBe('department');
    expect(() => kindOfQueue('nope')).toThrow('Unknown queue "nope"');
  });

  it('rejects a payload with a bad field, naming it', () => {
    expect(() => parsePayload('routing', { tenantId, caseId: 'x', reason: 'created' })).toThrow(/caseId/);
    expect(() =>
      parsePayload('sla', { tenantId, caseId, kind: 'first_response', level: 'red', dueAt: 'x' }),
    ).toThrow(/level/);
  });

  it('keeps failed jobs for inspection and retries with backoff by default', () => {
    expect(defaultJobOptions.attempts).toBeGreaterThan(1);
    expect(defaultJobOptions.removeOnFail).toMatchObject({
      age: expect.any(Number),
      count: expect.any(Number),
    });
  });

  it('carries a validated job through a real queue under the file prefix', async () => {
    const queue = openQueue(ctx.queues, queueNames.routing);
    const workerRedis = createRedis(ctx.redisUrl, 'worker');
    const seen: unknown[] = [];
    const worker = openWorker<'routing'>(
      { connection: workerRedis, prefix: ctx.queuePrefix },
      queueNames.routing,
      async (payload) => {
        seen.push(payload);
      },
    );
    const events = new QueueEvents(queueNames.routing, {
      connection: createRedis(ctx.redisUrl, 'worker'),
      prefix: ctx.queuePrefix,
    });
    await events.waitUntilReady();
    const done = new Promise<void>((resolve) => events.once('completed', () => resolve()));
    await addJob<'routing'>(queue, { tenantId, caseId, reason: 'created' }, { jobId: 'outbox-1' });
    // The same job id again is ignored by BullMQ: this is what makes the outbox relay idempotent.
    await addJob<'routing'>(queue, { tenantId, caseId, reason: 'created' }, { jobId: 'outbox-1' });
    await done;
    expect(seen).toEqual([{ tenantId, caseId, reason: 'created' }]);
    const keys = await ctx.redis.keys(`${ctx.queuePrefix}:routing:*`);
    expect(keys.length).toBeGreaterThan(0);
    await worker.close();
    await events.close();
    await queue.close();
    workerRedis.disconnect();
  });

  it('fails a job with an invalid payload at once, without retries', async () => {
    const queue = openQueue(ctx.queues, queueNames.notifications);
    const workerRedis = createRedis(ctx.redisUrl, 'worker');
    const failed = new Promise<Job>((resolve) => {
      const worker = openWorker(
        { connection: workerRedis, prefix: ctx.queuePrefix },
        queueNames.notifications,
        async () => {},
      );
      worker.on('failed', (job) => {
        if (job) resolve(job);
        void worker.close();
      });
    });
    // Bypass addJob's validation to simulate a job written by a buggy producer.
    await queue.add(queueNames.notifications, { tenantId, caseId, template: 'nonsense' });
    const job = await failed;
    expect(job.failedReason).toMatch(/invalid payload.*template/s);
    expect(job.attemptsMade).toBe(1);
    await queue.close();
    workerRedis.disconnect();
  });
});
