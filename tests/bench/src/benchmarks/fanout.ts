import { randomBytes, randomUUID } from 'node:crypto';
import { announceCaseEvents, type CaseEventRow } from '@samtal/cases';
import type { BenchConfig } from '@samtal/config';
import { seedDemoMunicipality } from '@samtal/db';
import type { WebSocket } from 'ws';
import { connectAgent } from '../lib/live.ts';
import { cpuWindow, formatCpu, rssSampler } from '../lib/proc.ts';
import { deletePrefix, openRedis } from '../lib/redis.ts';
import { createScratch } from '../lib/scratch.ts';
import { type Running, startService } from '../lib/service.ts';
import { addAgents, createSessions } from '../lib/staff.ts';
import { emit, note, sleep, summarise } from '../lib/stats.ts';

/**
 * (5) WebSocket fan-out: BENCH_FANOUT_CLIENTS agents follow the triage queue on one desk process;
 * a case and its `created` event are committed and announced on Redis (what intake does), and we
 * time each client's delivery from the announcement. The clients live in this process, so their
 * CPU competes with the desk's on the same two cores.
 */
export async function fanoutBenchmark(config: BenchConfig): Promise<void> {
  const scratch = await createScratch(config.BENCH_ADMIN_URL, 'fanout', config.BENCH_KEEP_DB);
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const deskPort = config.BENCH_PORT + 2;
  let desk: Running | undefined;
  const sockets: WebSocket[] = [];
  const redis = openRedis(config.REDIS_URL);
  try {
    const demo = await seedDemoMunicipality(scratch.db.db);
    const n = config.BENCH_FANOUT_CLIENTS;
    const agents = await addAgents(scratch.db, demo.tenantId, n, 'fanout');
    const tokens = await createSessions(scratch.db, demo.tenantId, agents);
    desk = await startService(
      'desk',
      {
        DATABASE_URL: scratch.url,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: prefix,
        DESK_PORT: String(config.BENCH_PORT + 2),
      },
      deskPort,
    );
    const announced = new Map<string, number>();
    const latencies: number[] = [];
    const perEvent = new Map<string, number>();
    const onEvent = (m: { event: { caseId: string; type: string } }, at: number) => {
      const t = announced.get(m.event.caseId);
      if (t === undefined || m.event.type !== 'created') return;
      latencies.push(at - t);
      perEvent.set(m.event.caseId, (perEvent.get(m.event.caseId) ?? 0) + 1);
    };
    const t0 = performance.now();
    for (let i = 0; i < n; i += 50) {
      sockets.push(
        ...(await Promise.all(tokens.slice(i, i + 50).map((t) => connectAgent(deskPort, t, onEvent)))),
      );
    }
    note(
      `fanout: ${sockets.length} clients connected and subscribed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const rss = rssSampler(desk.pid);
    const category = demo.categories.question!;

    const fire = async () => {
      const caseId = randomUUID();
      const code = `B${randomBytes(5).toString('hex').toUpperCase()}`;
      const [event] = await scratch.db.sql.begin(async (tx) => {
        await tx`insert into cases (id, tenant_id, tracking_code, access_token_hash, channel, category_id, description, language)
                 values (${caseId}, ${demo.tenantId}, ${code}, ${randomBytes(32).toString('hex')}, 'web', ${category}, 'fan-out', 'sv')`;
        return tx`insert into case_events (tenant_id, case_id, type, actor_kind, visibility, data)
                  values (${demo.tenantId}, ${caseId}, 'created', 'resident', 'public', '{}'::jsonb)
                  returning id, tenant_id, case_id, type`;
      });
      announced.set(caseId, performance.now());
      await announceCaseEvents(redis, prefix, [
        { id: Number(event!.id), tenantId: demo.tenantId, caseId, type: 'created' } as CaseEventRow,
      ]);
    };
    // Warm-up, then one event every 500 ms.
    for (let i = 0; i < 3; i++) {
      await fire();
      await sleep(500);
    }
    await sleep(1000);
    latencies.length = 0;
    perEvent.clear();
    announced.clear();
    const window = cpuWindow({ desk: desk.pid, bench: process.pid });
    const events = Math.max(10, Math.round(config.BENCH_DURATION_S * 2));
    for (let i = 0; i < events; i++) {
      await fire();
      await sleep(500);
    }
    await sleep(3000);
    const w = window();
    const s = summarise(latencies);
    const complete = [...perEvent.values()].filter((c) => c === n).length;
    note(
      `fanout: ${events} events × ${n} clients: delivered ${s.n}/${events * n}, complete events ${complete}/${events} | ${formatCpu(w)}`,
    );
    emit(`fanout_${n}_p50_ms`, s.p50, 'ms', `deliveries ${s.n}/${events * n}`);
    emit(
      `fanout_${n}_p99_ms`,
      s.p99,
      'ms',
      `target < 100; max ${s.max.toFixed(0)} ms; steal ${w.stealPct.toFixed(1)}%`,
    );
    emit(`fanout_desk_rss_peak_mb`, rss.stop(), 'MB', `desk with ${n} sockets`);
  } finally {
    for (const s of sockets) s.terminate();
    redis.disconnect();
    await desk?.stop();
    await deletePrefix(config.REDIS_URL, prefix).catch(() => {});
    await scratch.drop();
  }
}
