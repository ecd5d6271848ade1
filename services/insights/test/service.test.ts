import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { schema } from '@samtal/db';
import { addJob, createRedis, openQueue, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { startRollupWorker } from '../src/rollup-job.ts';
import { insertCase, seedTenant, wallClockMinutes } from './fixtures.ts';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));

describe('insights service', () => {
  const ctx = useTestContext();

  it('answers /health naming PostgreSQL and Redis', async () => {
    const app = await buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
      queues: ctx.queues,
    });
    const res = await app.inject({ url: '/health' });
    expect(res.json()).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'ok' }, redis: { status: 'ok' } },
    });
    await app.close();
  });

  it('the rollup job refreshes a tenant when its scheduler fires', async () => {
    const t = await seedTenant(ctx.database, { slug: 'jobs' });
    await insertCase(ctx.database, t.tenantId, { categoryId: t.categories.bins, createdAt: new Date() });
    const workerConnection = createRedis(ctx.redisUrl, 'worker');
    const rollups = await startRollupWorker({
      db: ctx.database,
      queues: ctx.queues,
      workerConnection,
      everyMs: 60_000,
      businessMinutes: wallClockMinutes,
    });
    try {
      const deadline = Date.now() + 20_000;
      let state: unknown[] = [];
      while (Date.now() < deadline) {
        state = await ctx.database.db.select().from(schema.insightRollupState);
        if (state.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(state).toHaveLength(1);
      const [row] = await ctx.database.sql`
        select sum(cases)::int as cases from insight_rollups_daily where tenant_id = ${t.tenantId} and cut = 'all'`;
      expect(row!.cases).toBe(1);

      // A job naming an old day refreshes it (it is neither recent nor changed since the last run:
      // the case is written straight into the table with an old updated_at).
      const old = new Date('2025-01-15T10:00:00Z');
      await insertCase(ctx.database, t.tenantId, { categoryId: t.categories.bins, createdAt: old });
      await ctx.database
        .sql`update cases set updated_at = ${old.toISOString()} where created_at = ${old.toISOString()}`;
      const queue = openQueue(ctx.queues, queueNames.rollups);
      const dayCases = async () =>
        (
          await ctx.database.sql`select coalesce(sum(cases), 0)::int as n from insight_rollups_daily
            where tenant_id = ${t.tenantId} and cut = 'all' and day = '2025-01-15'`
        )[0]!.n;
      expect(await dayCases()).toBe(0);
      await addJob<'rollups'>(queue, { tenantId: t.tenantId, day: '2025-01-15' });
      const until = Date.now() + 20_000;
      while (Date.now() < until && (await dayCases()) === 0) await new Promise((r) => setTimeout(r, 200));
      expect(await dayCases()).toBe(1);
      await queue.close();
    } finally {
      await rollups.close();
      workerConnection.disconnect();
    }
  });

  it('exits non-zero naming a bad environment variable', async () => {
    const error = await run('pnpm', ['exec', 'tsx', 'src/main.ts'], {
      cwd: serviceDir,
      env: { ...process.env, WALLBOARD_INTERVAL_MS: 'soon' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 78 });
    expect((error as { stderr: string }).stderr).toContain('WALLBOARD_INTERVAL_MS="soon"');
  }, 90_000); // starting tsx in a child process takes long on a loaded machine
});
