import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type DemoTenant, schema, seedDemoMunicipality } from '@samtal/db';
import { createRedis, departmentQueueName, openQueue, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { timerJobId } from '../src/clocks.ts';
import { waitFor } from './helpers.ts';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Process {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], env: Record<string, string> = {}, cwd = serviceDir): Process {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The router's own entry (src/main.ts) as a real process — node itself, so SIGKILL hits the router. */
function startRouter(env: Record<string, string>): Process {
  return start(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    ROUTER_PORT: '0',
    LOG_LEVEL: 'warn',
    SMTP_URL: '',
    ROUTING_CONCURRENCY: '4',
    ROUTER_LOCK_DURATION_MS: '5000',
    ROUTER_STALLED_INTERVAL_MS: '2000',
    ROUTER_RECONCILE_MS: '1000',
    OUTBOX_SWEEP_MS: '300',
    SHUTDOWN_TIMEOUT_S: '60',
    ...env,
  });
}

async function startRedis(port: number): Promise<Process> {
  const redis = start('redis-server', [
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--bind',
    '127.0.0.1',
  ]);
  const probe = createRedis(`redis://127.0.0.1:${port}`, 'client');
  await waitFor(
    () =>
      probe.ping().then(
        () => true,
        () => false,
      ),
    10_000,
  );
  probe.disconnect();
  return redis;
}

describe('router fault tolerance', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  const categories = ['pothole', 'noise', 'water-leak', 'violence-support', 'waste-collection'];
  let batch = 0;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
  });

  /** N new cases with their routing jobs in the outbox, as intake writes them (scattered: no duplicates). */
  async function newCases(n: number): Promise<string[]> {
    batch += 1;
    return ctx.database.db.transaction(async (tx) => {
      const rows = await tx
        .insert(schema.cases)
        .values(
          Array.from({ length: n }, (_, i) => ({
            tenantId: demo.tenantId,
            trackingCode: `F${batch}-${i}`,
            accessTokenHash: 'x',
            channel: 'web',
            categoryId: demo.categories[categories[i % categories.length]!]!,
            description: `Fault test case ${i}`,
            language: 'sv',
            latitude: 59 + batch + i * 0.01,
            longitude: 16 + i * 0.01,
            // Intake pre-computes due times; the router recomputes them from the policy.
            firstResponseDueAt: new Date(Date.now() + 86_400_000),
            resolutionDueAt: new Date(Date.now() + 14 * 86_400_000),
          })),
        )
        .returning({ id: schema.cases.id });
      await tx.insert(schema.outbox).values(
        rows.map((r) => ({
          tenantId: demo.tenantId,
          queue: queueNames.routing,
          jobName: queueNames.routing,
          payload: { tenantId: demo.tenantId, caseId: r.id, reason: 'created' },
        })),
      );
      return rows.map((r) => r.id);
    });
  }

  async function routedCount(ids: string[]): Promise<number> {
    const [row] = await ctx.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.cases)
      .where(and(inArray(schema.cases.id, ids), eq(schema.cases.status, 'routed')));
    return row!.n;
  }

  /** Every case routed, to one lead department, by one routing event. */
  async function expectRoutedOnce(ids: string[]) {
    const rows = await ctx.database.db.select().from(schema.cases).where(inArray(schema.cases.id, ids));
    expect(rows.filter((r) => r.status !== 'routed' || !r.leadDepartmentId)).toEqual([]);
    const events = await ctx.database.db
      .select({ caseId: schema.caseEvents.caseId, n: sql<number>`count(*)::int` })
      .from(schema.caseEvents)
      .where(and(inArray(schema.caseEvents.caseId, ids), eq(schema.caseEvents.type, 'routed')))
      .groupBy(schema.caseEvents.caseId);
    expect(events).toHaveLength(ids.length);
    expect(events.filter((e) => e.n !== 1)).toEqual([]);
    const leadJobs = await ctx.database.db
      .select({ caseId: sql<string>`payload->>'caseId'`, n: sql<number>`count(*)::int` })
      .from(schema.outbox)
      .where(
        and(
          sql`${schema.outbox.queue} like 'department.%'`,
          sql`payload->>'role' = 'lead'`,
          inArray(sql`payload->>'caseId'`, ids),
        ),
      )
      .groupBy(sql`payload->>'caseId'`);
    expect(leadJobs).toHaveLength(ids.length);
    expect(leadJobs.filter((j) => j.n !== 1)).toEqual([]);
    return rows;
  }

  it('routes every case exactly once when the router is killed mid-batch and restarted', async () => {
    const ids = await newCases(120);
    // One case is held by another session, so its routing job is surely in flight at the kill.
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const holding = ctx.database.sql.begin(async (tx) => {
      await tx`select id from cases where id = ${ids[0]!} for update`;
      await released;
    });
    const env = { DATABASE_URL: ctx.databaseUrl, REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: ctx.queuePrefix };
    const first = startRouter(env);
    try {
      await waitFor(async () => (await routedCount(ids)) >= 20, 90_000, 20).catch((error) => {
        throw new Error(`${error.message}\n${first.output()}`);
      });
    } finally {
      first.child.kill('SIGKILL');
      release();
      await holding;
    }
    expect(await first.exited).toBeNull();
    const routedAtKill = await routedCount(ids);
    expect(routedAtKill).toBeLessThan(120);

    const second = startRouter(env);
    try {
      await waitFor(async () => (await routedCount(ids)) === 120, 120_000, 100).catch((error) => {
        throw new Error(`${error.message}\n${second.output()}`);
      });
      await new Promise((r) => setTimeout(r, 1500)); // anything still retrying would show now
      await expectRoutedOnce(ids);
      // The department queues hold one lead job per case: no job was added twice.
      const queues = { connection: ctx.redis, prefix: ctx.queuePrefix };
      let leadJobsInRedis = 0;
      for (const id of Object.values(demo.departments)) {
        const queue = openQueue(queues, departmentQueueName(id));
        const jobs = await queue.getJobs(['waiting']);
        leadJobsInRedis += jobs.filter((j) => j.data.role === 'lead' && ids.includes(j.data.caseId)).length;
        await queue.close();
      }
      expect(leadJobsInRedis).toBe(120);
      const routing = openQueue(queues, queueNames.routing);
      expect(await routing.getJobCounts('failed', 'active', 'waiting')).toEqual({
        failed: 0,
        active: 0,
        waiting: 0,
      });
      await routing.close();

      // A graceful stop (SIGTERM) exits cleanly.
      second.child.kill('SIGTERM');
      expect(await second.exited, second.output()).toBe(0);
    } finally {
      second.child.kill('SIGKILL'); // no-op when it already stopped
    }
  }, 300_000);

  it('routes every case exactly once when Redis is restarted empty mid-batch', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const redisUrl = `redis://127.0.0.1:${port}`;
    const ids = await newCases(120);
    const router = startRouter({
      DATABASE_URL: ctx.databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: ctx.queuePrefix,
    });
    try {
      await waitFor(async () => (await routedCount(ids)) >= 20, 90_000, 20).catch((error) => {
        throw new Error(`${error.message}\n${router.output()}`);
      });
      redis.child.kill('SIGKILL');
      await redis.exited;
      const routedAtCrash = await routedCount(ids);
      expect(routedAtCrash).toBeLessThan(120);
      await new Promise((r) => setTimeout(r, 500));
      redis = await startRedis(port); // empty: every job it held is gone
      await waitFor(async () => (await routedCount(ids)) === 120, 120_000, 100).catch((error) => {
        throw new Error(`${error.message}\n${router.output()}`);
      });
      await new Promise((r) => setTimeout(r, 1500));
      const rows = await expectRoutedOnce(ids);
      // …and the SLA timers Redis lost were armed again from PostgreSQL.
      const timers = createRedis(redisUrl, 'client');
      await waitFor(async () => {
        const fresh = await ctx.database.db.select().from(schema.cases).where(inArray(schema.cases.id, ids));
        const present = await Promise.all(
          fresh.map((r) =>
            timers.exists(
              `${ctx.queuePrefix}:${queueNames.sla}:${timerJobId(r.id, { kind: 'first_response', level: 'breach', dueAt: r.firstResponseDueAt! })}`,
            ),
          ),
        );
        return present.every((n) => n === 1);
      }, 60_000);
      timers.disconnect();
      expect(rows).toHaveLength(120);
      router.child.kill('SIGTERM');
      expect(await router.exited, router.output()).toBe(0);
    } finally {
      router.child.kill('SIGKILL');
      redis.child.kill('SIGKILL');
      await redis.exited;
    }
  }, 300_000);
});
