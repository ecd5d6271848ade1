import { randomBytes } from 'node:crypto';
import type { BenchConfig } from '@samtal/config';
import { seedDemoMunicipality } from '@samtal/db';
import { connectAgent } from '../lib/live.ts';
import { INQUIRY_JSON } from '../lib/load.ts';
import { cpuWindow, formatCpu, rssSampler } from '../lib/proc.ts';
import { deletePrefix } from '../lib/redis.ts';
import { createScratch } from '../lib/scratch.ts';
import { type Running, startService } from '../lib/service.ts';
import { createSessions } from '../lib/staff.ts';
import { emit, note, sleep, summarise } from '../lib/stats.ts';

/**
 * (2) End to end: a resident's `POST /v1/inquiries` to intake until the `created` event reaches an
 * agent following the triage queue on the desk's WebSocket, at fixed arrival rates (open loop, so
 * a slow server does not slow the arrivals). (6) Peak RSS of intake and desk during it.
 */
export async function e2eBenchmark(config: BenchConfig, rates = [50, 200, 500]): Promise<void> {
  const scratch = await createScratch(config.BENCH_ADMIN_URL, 'e2e', config.BENCH_KEEP_DB);
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const intakePort = config.BENCH_PORT + 1;
  const deskPort = config.BENCH_PORT + 2;
  let intake: Running | undefined;
  let desk: Running | undefined;
  try {
    const demo = await seedDemoMunicipality(scratch.db.db);
    const common = { DATABASE_URL: scratch.url, REDIS_URL: config.REDIS_URL, QUEUE_PREFIX: prefix };
    intake = await startService(
      'intake',
      {
        ...common,
        INTAKE_PORT: String(intakePort),
        RATE_LIMIT_PER_MINUTE: '100000000',
        UPLOAD_DIR: `/tmp/${prefix}`,
      },
      intakePort,
    );
    desk = await startService('desk', { ...common, DESK_PORT: String(deskPort) }, deskPort);
    const [agent] = await scratch.db.sql<{ id: string }[]>`
      select id from staff_users where tenant_id = ${demo.tenantId} and 'agent' = any(roles) limit 1`;
    const [token] = await createSessions(scratch.db, demo.tenantId, [agent!]);

    const sent = new Map<string, number>();
    const arrived = new Map<string, number>();
    const socket = await connectAgent(deskPort, token!, (m, at) => {
      if (m.event.type === 'created') arrived.set(m.event.case.trackingCode, at);
    });
    const intakeRss = rssSampler(intake.pid);
    const deskRss = rssSampler(desk.pid);
    const post = async () => {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${intakePort}/v1/inquiries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-samtal-tenant': 'vasteras' },
        body: INQUIRY_JSON,
      });
      const body = (await res.json()) as { trackingCode?: string };
      if (res.status !== 201 || !body.trackingCode) return undefined;
      sent.set(body.trackingCode, t);
      return body.trackingCode;
    };
    /** Sends `rate` POSTs a second for `seconds`, on a 5 ms tick (catching up if a tick is late). */
    const drive = async (rate: number, seconds: number) => {
      const start = performance.now();
      const total = Math.round(rate * seconds);
      let issued = 0;
      const inFlight: Promise<unknown>[] = [];
      let failures = 0;
      while (issued < total) {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
        for (; issued < due; issued++)
          inFlight.push(
            post().then(
              (c) => (c ? c : failures++),
              () => failures++,
            ),
          );
        await sleep(5);
      }
      await Promise.all(inFlight);
      return failures;
    };

    for (const rate of rates) {
      await drive(rate, Math.min(3, config.BENCH_WARMUP_S));
      sent.clear();
      arrived.clear();
      const window = cpuWindow({ intake: intake.pid, desk: desk.pid, bench: process.pid });
      const failures = await drive(rate, config.BENCH_DURATION_S);
      const w = window();
      await sleep(3000); // stragglers
      const latencies: number[] = [];
      let missing = 0;
      for (const [code, t] of sent) {
        const a = arrived.get(code);
        if (a === undefined) missing++;
        else latencies.push(a - t);
      }
      const s = summarise(latencies);
      note(
        `e2e ${rate}/s: n=${s.n} missing=${missing} failed=${failures} p50=${s.p50.toFixed(1)} p99=${s.p99.toFixed(1)} max=${s.max.toFixed(0)} | ${formatCpu(w)}`,
      );
      emit(`e2e_${rate}_p50_ms`, s.p50, 'ms', `n=${s.n} missing=${missing} failed=${failures}`);
      emit(
        `e2e_${rate}_p99_ms`,
        s.p99,
        'ms',
        `${rate === 200 ? 'target < 50; ' : ''}steal ${w.stealPct.toFixed(1)}%`,
      );
    }
    emit('e2e_intake_rss_peak_mb', intakeRss.stop(), 'MB', 'intake process during benchmark 2; target < 200');
    emit('e2e_desk_rss_peak_mb', deskRss.stop(), 'MB', 'desk process during benchmark 2; target < 200');
    socket.close();
  } finally {
    await intake?.stop();
    await desk?.stop();
    await deletePrefix(config.REDIS_URL, prefix).catch(() => {});
    await scratch.drop();
  }
}
