import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { createRedis, openQueue, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import type { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { JobCounters } from '../src/metrics.ts';
import { caseRow, insertCase, startTestWorkers, testWriter, waitFor } from './helpers.ts';

describe('router operations', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let writer: ReturnType<typeof testWriter>;
  let routing: Queue;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    writer = testWriter(ctx);
    routing = openQueue(ctx.queues, queueNames.routing);
  });

  afterAll(async () => {
    await routing.close();
    await writer.relay.stop();
  });

  const routingJob = (caseId: string, tenantId = demo.tenantId) => ({
    tenantId,
    caseId,
    reason: 'created' as const,
  });

  it('answers /health for PostgreSQL and Redis, and 503 naming Redis when it is gone', async () => {
    const app = await buildApp({ db: ctx.database, queues: ctx.queues, counters: new JobCounters() });
    const ok = await app.inject({ method: 'GET', url: '/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'ok' }, redis: { status: 'ok' } },
    });
    await app.close();
    const dead = createRedis('redis://127.0.0.1:1', 'producer');
    const down = await buildApp({
      db: ctx.database,
      queues: { connection: dead, prefix: ctx.queuePrefix },
      counters: new JobCounters(),
    });
    const res = await down.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.redis.status).toBe('down');
    await down.close();
    dead.disconnect();
  });

  it('exposes queue depths (department queues included) and finished jobs as Prometheus text', async () => {
    const counters = new JobCounters();
    counters.count('routing', 'completed');
    counters.count('routing', 'completed');
    const app = await buildApp({ db: ctx.database, queues: ctx.queues, counters });
    const cases = await Promise.all(
      [1, 2, 3].map(() =>
        insertCase(ctx.database.db, { tenantId: demo.tenantId, categoryId: demo.categories.pothole! }),
      ),
    );
    await Promise.all(cases.map((c) => routing.add(queueNames.routing, routingJob(c.id))));
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('# TYPE samtal_queue_jobs gauge');
    expect(res.body).toContain('samtal_queue_jobs{queue="routing",state="waiting"} 3');
    expect(res.body).toContain('samtal_queue_jobs{queue="sla",state="delayed"} 0');
    expect(res.body).toContain(
      `samtal_queue_jobs{queue="department.${demo.departments.streets}",state="waiting"} 0`,
    );
    expect(res.body).toContain('samtal_router_jobs_total{queue="routing",result="completed"} 2');
    await app.close();
    // Let the workers of the next test take these.
    const workers = await startTestWorkers(ctx, writer);
    await waitFor(async () =>
      (await Promise.all(cases.map((c) => caseRow(ctx.database.db, c.id)))).every(
        (c) => c.status === 'routed',
      ),
    );
    await workers.close();
  });

  it('finishes the active jobs before a shutdown completes', async () => {
    const c = await insertCase(ctx.database.db, {
      tenantId: demo.tenantId,
      categoryId: demo.categories.pothole!,
    });
    // Another session holds the case row, so the routing job is stuck mid-transaction.
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const holding = ctx.database.sql.begin(async (sql) => {
      await sql`select id from cases where id = ${c.id} for update`;
      await released;
    });
    const workers = await startTestWorkers(ctx, writer);
    await routing.add(queueNames.routing, routingJob(c.id));
    await waitFor(async () => (await routing.getJobCounts('active')).active === 1);
    let closed = false;
    const closing = workers.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(closed).toBe(false); // still waiting for the active job
    release();
    await holding;
    await closing;
    expect((await caseRow(ctx.database.db, c.id)).status).toBe('routed');
    expect(await routing.getJobCounts('active', 'failed')).toEqual({ active: 0, failed: 0 });
  });

  it('keeps failed jobs with their reason, and a retry succeeds once the cause is fixed', async () => {
    // A tenant whose contact centre is not set up yet: unmatched cases cannot be triaged.
    const [tenant] = await ctx.database.db
      .insert(schema.tenants)
      .values({
        slug: 'nocc',
        name: 'No contact centre',
        timeZone: 'Africa/Gaborone',
        languages: ['en'],
        defaultLanguage: 'en',
      })
      .returning();
    const [category] = await ctx.database.db
      .insert(schema.categories)
      .values({ tenantId: tenant!.id, code: 'water', names: { en: 'Water' } })
      .returning();
    const c = await insertCase(ctx.database.db, {
      tenantId: tenant!.id,
      categoryId: category!.id,
      language: 'en',
    });
    const workers = await startTestWorkers(ctx, writer);
    const job = await routing.add(queueNames.routing, routingJob(c.id, tenant!.id), { attempts: 1 });
    const failedJob = async (id: string) => {
      if (!(await (await routing.getJob(id))?.isFailed())) return undefined;
      return routing.getJob(id); // read again: now with its failure reason
    };
    const failed = await waitFor(() => failedJob(job.id!));
    expect(failed.failedReason).toMatch(/no active contact-centre department/);
    expect((await caseRow(ctx.database.db, c.id)).status).toBe('new');

    // A job for a case that does not exist fails at once, without using up retries.
    const ghost = await routing.add(
      queueNames.routing,
      routingJob('00000000-0000-4000-8000-000000000001', tenant!.id),
    );
    const ghostFailed = await waitFor(() => failedJob(ghost.id!));
    expect(ghostFailed.attemptsMade).toBe(1);
    expect(ghostFailed.failedReason).toMatch(/No case/);

    await ctx.database.db
      .insert(schema.departments)
      .values({ tenantId: tenant!.id, code: 'cc', name: 'Contact centre', kind: 'contact_centre' });
    await failed.retry('failed');
    const routed = await waitFor(async () => {
      const row = await caseRow(ctx.database.db, c.id);
      return row.status === 'routed' && row;
    });
    expect(routed.leadDepartmentId).toBeTruthy();
    await workers.close();
    await ctx.database.db.delete(schema.tenants).where(eq(schema.tenants.id, tenant!.id));
  });
});
