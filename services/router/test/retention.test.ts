import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { createRun, DiskFiles, savePolicies } from '@samtal/privacy';
import { addJob, createRedis, openQueue, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRetentionWorker } from '../src/retention.ts';
import { insertCase, waitFor } from './helpers.ts';

describe('retention worker', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let uploadDir: string;
  let worker: Awaited<ReturnType<typeof startRetentionWorker>>;
  let workerRedis: ReturnType<typeof createRedis>;

  beforeAll(async () => {
    workerRedis = createRedis(ctx.redisUrl, 'worker');
    demo = await seedDemoMunicipality(ctx.database.db);
    uploadDir = mkdtempSync(join(tmpdir(), 'samtal-router-retention-'));
    await savePolicies(ctx.database.db, demo.tenantId, { defaultDays: 30, categories: [] }, null);
    worker = await startRetentionWorker({
      db: ctx.database.db,
      queues: ctx.queues,
      workerQueues: { connection: workerRedis, prefix: ctx.queuePrefix },
      files: new DiskFiles(uploadDir),
      cron: '30 2 * * *',
      batchSize: 2,
    });
  });
  afterAll(async () => {
    await worker.close();
    workerRedis.disconnect();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  async function oldClosedCase() {
    const closedAt = new Date(Date.now() - 60 * 86_400_000);
    return insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
      status: 'closed',
      contactEmail: 'old@example.org',
      resolvedAt: closedAt,
      closedAt,
    });
  }

  it('schedules a daily run for every municipality, in its own time zone', async () => {
    const schedulers = await worker.queue.getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({
        key: `retention:${demo.tenantId}`,
        pattern: '30 2 * * *',
        tz: 'Europe/Stockholm',
      }),
    ]);
  });

  it('runs an administrator’s run by its id, in batches, with progress', async () => {
    const cases = [await oldClosedCase(), await oldClosedCase(), await oldClosedCase()];
    const run = await createRun(ctx.database.db, { tenantId: demo.tenantId, dryRun: false });
    const queue = openQueue(ctx.queues, queueNames.retention);
    await addJob<'retention'>(queue, { tenantId: demo.tenantId, dryRun: false, runId: run.id });
    const done = await waitFor(async () => {
      const [row] = await ctx.database.db
        .select()
        .from(schema.retentionRuns)
        .where(eq(schema.retentionRuns.id, run.id));
      return row?.status === 'done' && row;
    });
    expect(done).toMatchObject({ due: 3, anonymised: 3, batches: 2 });
    for (const c of cases) {
      const [row] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, c.id));
      expect(row!.contactEmail).toBeNull();
    }
    await queue.close();
  });

  it('creates the run of a scheduled job itself, keyed by the job id', async () => {
    await oldClosedCase();
    const queue = openQueue(ctx.queues, queueNames.retention);
    await addJob<'retention'>(queue, { tenantId: demo.tenantId, dryRun: false }, { jobId: 'scheduled-1' });
    const run = await waitFor(async () => {
      const [row] = await ctx.database.db
        .select()
        .from(schema.retentionRuns)
        .where(eq(schema.retentionRuns.jobId, 'scheduled-1'));
      return row?.status === 'done' && row;
    });
    expect(run).toMatchObject({ due: 1, anonymised: 1, requestedBy: null });
    const job = await queue.getJob('scheduled-1');
    await waitFor(async () => (await job?.getState()) === 'completed');
    expect((await queue.getJob('scheduled-1'))?.progress).toMatchObject({ runId: run.id, anonymised: 1 });
    await queue.close();
  });
});
