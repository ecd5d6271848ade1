/**
 * `pnpm bench [name …]`: runs the benchmarks (all by default) and prints one `name value unit`
 * line per figure on stdout, details as `# …` on stderr. Never part of `pnpm test`.
 * Names: intake, e2e, routing, indicators, fanout.
 */
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { benchEnv, loadConfig } from '@samtal/config';
import { e2eBenchmark } from './benchmarks/e2e.ts';
import { fanoutBenchmark } from './benchmarks/fanout.ts';
import { indicatorBenchmark } from './benchmarks/indicators.ts';
import { intakeBenchmark } from './benchmarks/intake.ts';
import { routingBenchmark } from './benchmarks/routing.ts';
import { cpuWindow, formatCpu } from './lib/proc.ts';
import { profileServicesInto, serviceExists, useServicesRoot } from './lib/service.ts';
import { emit, note } from './lib/stats.ts';

const config = loadConfig(benchEnv);
useServicesRoot(config.BENCH_SERVICES_ROOT);
profileServicesInto(config.BENCH_CPU_PROF_DIR);
const all: Record<string, { needs: string[]; run: () => Promise<void> }> = {
  intake: { needs: ['intake'], run: () => intakeBenchmark(config) },
  e2e: { needs: ['intake', 'desk'], run: () => e2eBenchmark(config) },
  routing: { needs: ['router'], run: () => routingBenchmark(config) },
  fanout: { needs: ['desk'], run: () => fanoutBenchmark(config) },
  indicators: {
    needs: ['insights'],
    run: async () => {
      for (const n of config.BENCH_INDICATOR_CASES.split(',').map(Number))
        await indicatorBenchmark(config, n);
    },
  },
};

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = asked.length ? asked : Object.keys(all);
const version = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0];
  } catch {
    return 'unknown';
  }
};
note(
  `${new Date().toISOString()} nproc=${cpus().length} mem=${Math.round(totalmem() / 2 ** 30)}GB node=${process.version}`,
);
note(
  `postgres: ${version(`psql "${config.BENCH_ADMIN_URL}" -Atc "show server_version"`)}; redis: ${version('redis-server --version')}`,
);

const suite = cpuWindow({});
let failed = 0;
for (const name of names) {
  const bench = all[name];
  if (!bench) {
    note(`unknown benchmark "${name}" (known: ${Object.keys(all).join(', ')})`);
    failed++;
    continue;
  }
  const missing = bench.needs.filter((s) => !serviceExists(s));
  if (missing.length) {
    note(`skipping ${name}: services/${missing.join(', services/')} not in this checkout`);
    continue;
  }
  const window = cpuWindow({});
  note(`── ${name}`);
  try {
    await bench.run();
  } catch (error) {
    failed++;
    note(`${name} failed: ${(error as Error).stack ?? error}`);
  }
  const w = window();
  emit(`${name}_suite_steal_pct`, w.stealPct, '%', formatCpu(w));
}
const s = suite();
emit('suite_steal_pct', s.stealPct, '%', `busy ${s.busyPct.toFixed(0)}%, load1 ${s.loadavg}`);
process.exit(failed ? 1 : 0);
