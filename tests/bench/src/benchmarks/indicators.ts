import { randomBytes } from 'node:crypto';
import type { BenchConfig } from '@samtal/config';
import { createDb, migrateDatabase } from '@samtal/db';
import { seedSyntheticMunicipality } from '@samtal/synthetic';
import postgres from 'postgres';
import { cpuWindow, formatCpu, rssSampler } from '../lib/proc.ts';
import { deletePrefix } from '../lib/redis.ts';
import { databaseUrl } from '../lib/scratch.ts';
import { type Running, startService } from '../lib/service.ts';
import { createSessions } from '../lib/staff.ts';
import { emit, note, sleep, summarise } from '../lib/stats.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * (4) Indicator queries over a synthetic municipality of N cases (BENCH_INDICATOR_CASES). The
 * database `samtal_bench_indicators_<N>` is loaded with the generator when missing (and kept
 * with BENCH_KEEP_DB, so a 10-million-case load is paid once). Insights runs as its own process
 * with its rollup worker; the standard cuts are measured after the first rollup refresh.
 */
export async function indicatorBenchmark(config: BenchConfig, cases: number): Promise<void> {
  const name = `samtal_bench_indicators_${cases}`;
  const url = databaseUrl(config.BENCH_ADMIN_URL, name);
  const admin = postgres(config.BENCH_ADMIN_URL, { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database "${name}"`);
  // Also on a kept database: it picks up migrations added since it was loaded.
  await migrateDatabase(url);
  if (!exists) {
    const t = performance.now();
    const result = await seedSyntheticMunicipality(
      { databaseUrl: url, cases, seed: 1, slug: 'synthetic', log: note },
      (u) => postgres(u, { max: 1, onnotice: () => {} }),
    );
    emit(`seed_${cases}_s`, (performance.now() - t) / 1000, 's', JSON.stringify(result.seconds));
  }
  const db = createDb(url, { max: 2, applicationName: 'samtal-bench' });
  // On a kept database, new indexes (an expression index above all) get the statistics autovacuum
  // would give them in time; without them the planner misjudges and scans.
  if (exists) await db.sql`analyze`;
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const port = config.BENCH_PORT + 4;
  let insights: Running | undefined;
  try {
    const [tenant] = await db.sql<{ id: string }[]>`select id from tenants where slug = 'synthetic'`;
    const [manager] = await db.sql<{ id: string }[]>`
      select id from staff_users where tenant_id = ${tenant!.id} and 'manager' = any(roles) limit 1`;
    const [token] = await createSessions(db, tenant!.id, [manager!]);
    const [{ end }] = (await db.sql`select max(created_at) as end from cases`) as unknown as [{ end: Date }];
    const endMs = new Date(end).getTime();
    if (config.BENCH_ROLLUP_BUDGET_S > 0) {
      await db.sql`delete from insight_rollup_state`;
      await db.sql`delete from insight_rollups_daily`;
      await db.sql`delete from insight_equity_daily`;
    }

    const env = (worker: boolean) => ({
      DATABASE_URL: url,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: prefix,
      INSIGHTS_PORT: String(port),
      ROLLUP_REFRESH_MS: '1000',
      ROLLUP_WORKER: worker ? 'true' : 'false',
    });
    const budget = config.BENCH_ROLLUP_BUDGET_S;
    insights = await startService('insights', env(budget > 0), port);
    let rss = rssSampler(insights.pid);
    // The first refresh rolls up every day of history; with a budget too small for it, the
    // queries run on the exact path (what `auto` does before the first rollup).
    let rolledUp = false;
    if (budget > 0) {
      const t0 = performance.now();
      while (performance.now() - t0 < budget * 1000) {
        const [state] = await db.sql`select 1 from insight_rollup_state where tenant_id = ${tenant!.id}`;
        if (state) {
          rolledUp = true;
          break;
        }
        await sleep(1000);
      }
      const [progress] = await db.sql<{ days: number }[]>`
        select count(distinct day)::int as days from insight_rollups_daily`;
      const waited = (performance.now() - t0) / 1000;
      emit(
        `indicators_${cases}_rollup_days_per_s`,
        progress!.days / waited,
        'days/s',
        `${progress!.days} days in ${waited.toFixed(0)} s${rolledUp ? ' (complete)' : ' (budget spent; queries run exact)'}`,
      );
      // The worker's refresh would compete with the queries for the CPU: restart without it.
      await insights.stop();
      rss.stop();
      insights = await startService('insights', env(false), port);
      rss = rssSampler(insights.pid);
    }

    const to = iso(endMs);
    const month = `from=${iso(endMs - 29 * DAY)}&to=${to}`;
    const year = `from=${iso(endMs - 364 * DAY)}&to=${to}`;
    const queries: [string, string][] = [
      ['availability_30d', `/v1/availability?${month}`],
      ['availability_30d_channel', `/v1/availability?${month}&channel=phone`],
      ['availability_30d_department', `/v1/availability?${month}&department=streets`],
      ['availability_365d_category', `/v1/availability?${year}&category=pothole&interval=month`],
      ['availability_30d_channel_department', `/v1/availability?${month}&channel=web&department=streets`],
      ['equity_30d', `/v1/equity?${month}`],
      ['equity_30d_language', `/v1/equity?${month}&dimension=language`],
      ['equity_365d_channel', `/v1/equity?${year}&channel=web`],
      [
        'arbitrary_availability_365d_district_priority',
        `/v1/availability?${year}&district=backby&priority=normal&interval=month`,
      ],
      ['arbitrary_availability_30d_exact', `/v1/availability?${month}&source=exact`],
      ['arbitrary_equity_30d_exact', `/v1/equity?${month}&source=exact`],
      ['arbitrary_equity_365d_category', `/v1/equity?${year}&category=pothole`],
    ];
    const headers = { cookie: `samtal_session=${token}` };
    const only = config.BENCH_INDICATOR_QUERIES?.split(',');
    for (const [label, path] of queries.filter(([l]) => !only || only.includes(l))) {
      let answeredFrom = '';
      const get = async () => {
        const t = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        const body = await res.text();
        if (!res.ok) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
        const elapsed = performance.now() - t;
        answeredFrom = (JSON.parse(body) as { source: string }).source;
        return elapsed;
      };
      const first = await get();
      note(`${label}: first request ${first.toFixed(0)} ms, source ${answeredFrom}`);
      const window = cpuWindow({ insights: insights.pid });
      const times: number[] = [];
      const until = performance.now() + config.BENCH_DURATION_S * 1000;
      while (
        times.length < config.BENCH_INDICATOR_MIN_SAMPLES ||
        (performance.now() < until && times.length < 50)
      )
        times.push(await get());
      const s = summarise(times);
      const w = window();
      emit(`indicators_${cases}_${label}_p50_ms`, s.p50, 'ms', `n=${s.n} source=${answeredFrom}`);
      emit(`indicators_${cases}_${label}_p95_ms`, s.p95, 'ms', formatCpu(w));
    }
    emit(`insights_rss_peak_mb`, rss.stop(), 'MB', `insights process over ${cases} cases`);
  } finally {
    await insights?.stop();
    await db.close();
    await deletePrefix(config.REDIS_URL, prefix).catch(() => {});
    if (!config.BENCH_KEEP_DB) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}
