import { randomBytes } from 'node:crypto';
import type { BenchConfig } from '@samtal/config';
import { seedDemoMunicipality } from '@samtal/db';
import { departmentQueueName, openQueue, parsePayload, queueNames } from '@samtal/queue';
import { cpuWindow, formatCpu, rssSampler } from '../lib/proc.ts';
import { deletePrefix, openRedis } from '../lib/redis.ts';
import { createScratch } from '../lib/scratch.ts';
import { type Running, startService } from '../lib/service.ts';
import { emit, note, sleep } from '../lib/stats.ts';

/**
 * (3) Routing throughput: BENCH_ROUTING_CASES new cases wait in PostgreSQL, their `routing` jobs
 * are added in bulk (what the intake relay publishes), and the router's workers route them: rules,
 * triage, duplicate check, department queue jobs through its outbox. Cases per second from the
 * first job added until every case has left `new` and the routing queue is empty.
 */
export async function routingBenchmark(config: BenchConfig): Promise<void> {
  const scratch = await createScratch(config.BENCH_ADMIN_URL, 'routing', config.BENCH_KEEP_DB);
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const port = config.BENCH_PORT + 3;
  let router: Running | undefined;
  const redis = openRedis(config.REDIS_URL);
  try {
    const demo = await seedDemoMunicipality(scratch.db.db);
    const n = config.BENCH_ROUTING_CASES;
    const categories = Object.values(demo.categories);
    // Spread over the demo's districts and categories, a few words of description each.
    await scratch.db.sql`
      insert into cases (tenant_id, tracking_code, access_token_hash, channel, category_id, description,
                         latitude, longitude, language, created_at, updated_at)
      select ${demo.tenantId}, 'R' || lpad(i::text, 9, '0'), md5(i::text), 'web',
             (${categories}::uuid[])[1 + i % ${categories.length}],
             'Benchmark inquiry ' || i || ': hål i asfalten, lampa trasig, sopor kvar',
             59.60 + (i % 37) * 0.001, 16.49 + (i % 53) * 0.001, 'sv',
             now() - (i || ' seconds')::interval, now()
        from generate_series(1, ${n}) as i`;
    const ids = await scratch.db.sql<
      { id: string }[]
    >`select id from cases where tenant_id = ${demo.tenantId}`;
    await scratch.db.sql`analyze cases`;

    router = await startService(
      'router',
      {
        DATABASE_URL: scratch.url,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: prefix,
        ROUTER_PORT: String(port),
      },
      port,
    );
    const rss = rssSampler(router.pid);
    const queue = openQueue({ connection: redis, prefix }, queueNames.routing);
    const jobs = ids.map((row) => ({
      name: queueNames.routing,
      data: parsePayload('routing', { tenantId: demo.tenantId, caseId: row.id, reason: 'created' }),
    }));
    const window = cpuWindow({ router: router.pid });
    const t0 = performance.now();
    for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
    const added = performance.now();
    let left = n;
    while (left > 0) {
      await sleep(250);
      const [row] = await scratch.db.sql<{ n: number }[]>`
        select count(*)::int as n from cases where tenant_id = ${demo.tenantId} and status = 'new' and lead_department_id is null`;
      left = row!.n;
      if (performance.now() - t0 > 900_000)
        throw new Error(`routing: ${left} cases still new after 15 minutes`);
      // The queue drained but some cases stay new (the router skipped them): stop and say so.
      const pending = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(pending).every((c) => c === 0) && left > 0) {
        note(`routing: queue empty but ${left} cases not routed`);
        break;
      }
    }
    const elapsed = (performance.now() - t0) / 1000;
    const w = window();
    const counts = await queue.getJobCounts('waiting', 'active', 'failed');
    let departmentJobs = 0;
    for (const id of Object.values(demo.departments)) {
      const q = openQueue({ connection: redis, prefix }, departmentQueueName(id));
      const c = await q.getJobCounts('waiting', 'delayed', 'active', 'completed');
      departmentJobs += Object.values(c).reduce((a, b) => a + b, 0);
      await q.close();
    }
    note(
      `routing: ${n} cases in ${elapsed.toFixed(1)} s (adding took ${((added - t0) / 1000).toFixed(1)} s); routing queue ${JSON.stringify(counts)}; ${departmentJobs} department-queue jobs | ${formatCpu(w)}`,
    );
    emit('routing_cases_per_s', n / elapsed, 'cases/s', `${n} cases, router concurrency default`);
    emit('routing_department_jobs', departmentJobs, 'jobs', 'jobs on department queues after routing');
    emit('router_rss_peak_mb', rss.stop(), 'MB', 'router process during benchmark 3');
    await queue.close();
  } finally {
    await router?.stop();
    redis.disconnect();
    await deletePrefix(config.REDIS_URL, prefix).catch(() => {});
    await scratch.drop();
  }
}
