import { randomBytes } from 'node:crypto';
import type { BenchConfig } from '@samtal/config';
import { seedDemoMunicipality } from '@samtal/db';
import { INQUIRY_JSON, type LoadResult, postLoad } from '../lib/load.ts';
import { cpuWindow, formatCpu, rssSampler } from '../lib/proc.ts';
import { deletePrefix } from '../lib/redis.ts';
import { createScratch } from '../lib/scratch.ts';
import { type Running, startScript, startService } from '../lib/service.ts';
import { emit, median, note } from '../lib/stats.ts';

/**
 * (1) intake `POST /v1/inquiries` against the bare Fastify + postgres.js insert ceiling, in
 * interleaved rounds (ceiling, intake, ceiling, intake …) so a slow spell of the VM costs one run
 * of each rather than every run of one. (6, intake) peak RSS of the intake process under this load.
 */
export async function intakeBenchmark(config: BenchConfig): Promise<void> {
  const scratch = await createScratch(config.BENCH_ADMIN_URL, 'intake', config.BENCH_KEEP_DB);
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const ceilingPort = config.BENCH_PORT;
  const intakePort = config.BENCH_PORT + 1;
  let ceiling: Running | undefined;
  let intake: Running | undefined;
  try {
    await seedDemoMunicipality(scratch.db.db);
    ceiling = await startScript(
      'tests/bench/src/ceiling-server.ts',
      {},
      `http://127.0.0.1:${ceilingPort}/health`,
      [],
      [String(ceilingPort), scratch.url],
    );
    intake = await startService(
      'intake',
      {
        DATABASE_URL: scratch.url,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: prefix,
        INTAKE_PORT: String(intakePort),
        RATE_LIMIT_PER_MINUTE: '100000000',
        UPLOAD_DIR: `/tmp/${prefix}-uploads`,
      },
      intakePort,
    );
    const headers = { 'x-samtal-tenant': 'vasteras' };
    const check = await fetch(`http://127.0.0.1:${intakePort}/v1/inquiries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: INQUIRY_JSON,
    });
    if (check.status !== 201)
      throw new Error(`intake refused the benchmark inquiry: ${check.status} ${await check.text()}`);

    const seconds = config.BENCH_DURATION_S;
    const ceilingRuns: LoadResult[] = [];
    const intakeRuns: LoadResult[] = [];
    const ratios: number[] = [];
    const steal: number[] = [];
    const rss = rssSampler(intake.pid);
    for (let round = 1; round <= config.BENCH_ROUNDS; round++) {
      await scratch.db.sql`truncate bench_ceiling`;
      await scratch.db.sql`checkpoint`;
      await postLoad(
        `http://127.0.0.1:${ceilingPort}/v1/inquiries`,
        config.BENCH_WARMUP_S,
        config.BENCH_CONNECTIONS,
      );
      let window = cpuWindow({ server: ceiling.pid, bench: process.pid });
      const c = await postLoad(
        `http://127.0.0.1:${ceilingPort}/v1/inquiries`,
        seconds,
        config.BENCH_CONNECTIONS,
      );
      const cw = window();
      note(
        `round ${round} ceiling: ${Math.round(c.rps)} req/s p50=${c.p50} p99=${c.p99} bad=${c.non2xx + c.errors} | ${formatCpu(cw)}`,
      );

      await scratch.db.sql`checkpoint`;
      await postLoad(
        `http://127.0.0.1:${intakePort}/v1/inquiries`,
        config.BENCH_WARMUP_S,
        config.BENCH_CONNECTIONS,
        headers,
      );
      window = cpuWindow({ server: intake.pid, bench: process.pid });
      const r = await postLoad(
        `http://127.0.0.1:${intakePort}/v1/inquiries`,
        seconds,
        config.BENCH_CONNECTIONS,
        headers,
      );
      const iw = window();
      note(
        `round ${round} intake: ${Math.round(r.rps)} req/s p50=${r.p50} p99=${r.p99} bad=${r.non2xx + r.errors} | ${formatCpu(iw)}`,
      );
      ceilingRuns.push(c);
      intakeRuns.push(r);
      ratios.push(r.rps / c.rps);
      steal.push(cw.stealPct, iw.stealPct);
      if (r.non2xx + r.errors)
        note(`WARNING intake: ${r.non2xx} non-2xx, ${r.errors} errors/timeouts in round ${round}`);
    }
    const peak = rss.stop();
    const med = (runs: LoadResult[], k: keyof LoadResult) => median(runs.map((x) => x[k]));
    emit(
      'intake_ceiling_rps',
      med(ceilingRuns, 'rps'),
      'req/s',
      'bare Fastify + zod + postgres.js single insert',
    );
    emit('intake_ceiling_p50_ms', med(ceilingRuns, 'p50'), 'ms');
    emit('intake_ceiling_p99_ms', med(ceilingRuns, 'p99'), 'ms');
    emit(
      'intake_post_rps',
      med(intakeRuns, 'rps'),
      'req/s',
      `runs ${intakeRuns.map((x) => Math.round(x.rps)).join(', ')}`,
    );
    emit('intake_post_p50_ms', med(intakeRuns, 'p50'), 'ms');
    emit('intake_post_p99_ms', med(intakeRuns, 'p99'), 'ms');
    emit(
      'intake_post_ratio',
      median(ratios),
      'x',
      `per round ${ratios.map((x) => x.toFixed(3)).join(', ')}; target ≥ 0.70`,
    );
    emit('intake_rss_peak_mb', peak, 'MB', 'intake process, during benchmark 1; target < 200');
    emit('intake_steal_pct', median(steal), '%', `per run ${steal.map((x) => x.toFixed(1)).join(', ')}`);
    const [count] = await scratch.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
    note(`intake wrote ${count!.n} cases`);
  } finally {
    await intake?.stop();
    await ceiling?.stop();
    await deletePrefix(config.REDIS_URL, prefix).catch(() => {});
    await scratch.drop();
  }
}
