import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schema } from '@samtal/db';
import { createRun, DiskFiles, executeRun, savePolicies } from '@samtal/privacy';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadTenant } from '../src/context.ts';
import { refreshRollups } from '../src/rollups.ts';
import { insertCase, type SeededTenant, seedTenant, wallClockMinutes } from './fixtures.ts';

const NOW = new Date('2026-03-11T12:00:00Z');
const at = (iso: string, plusMinutes = 0) => new Date(Date.parse(iso) + plusMinutes * 60_000);

/**
 * Retention anonymises last year's cases; the indicators for last year must not move: exact and
 * rollup availability, per category, and the trend.
 */
describe('indicators across a retention run', () => {
  const ctx = useTestContext();
  let t: SeededTenant;
  let uploadDir: string;
  const app = () =>
    buildApp({
      config: { TRUST_PROXY: false, WALLBOARD_INTERVAL_MS: 1000 },
      db: ctx.database,
      businessMinutes: wallClockMinutes,
      now: () => NOW,
    });

  beforeAll(async () => {
    uploadDir = mkdtempSync(join(tmpdir(), 'samtal-insights-retention-'));
    const db = ctx.database;
    t = await seedTenant(db, { slug: 'keep', k: 3 });
    const { pothole, bins } = t.categories;
    for (let i = 0; i < 12; i++) {
      const created = at(`2025-03-${String(3 + i).padStart(2, '0')}T08:00:00Z`);
      const resolved = i % 3 !== 2;
      const caseId = await insertCase(db, t.tenantId, {
        channel: i % 2 ? 'web' : 'phone',
        categoryId: i % 4 ? pothole : bins,
        districtId: i % 2 ? t.districts.north : t.districts.south,
        leadDepartmentId: i % 4 ? t.departments.streets : t.departments.contactCentre,
        createdAt: created,
        contactName: `Resident ${i}`,
        contactEmail: `resident${i}@example.org`,
        firstRespondedAt: at(created.toISOString(), 30 + 20 * i),
        firstResponseDueAt: at(created.toISOString(), 120),
        resolvedAt: resolved ? at(created.toISOString(), 400 + 50 * i) : null,
        resolutionDueAt: at(created.toISOString(), 600),
        closedAt: resolved ? at(created.toISOString(), 2000) : null,
        status: resolved ? 'closed' : 'in_progress',
        firstContactResolution: i % 4 === 0,
      });
      await db.db.insert(schema.caseEvents).values([
        { tenantId: t.tenantId, caseId, type: 'created', actorKind: 'resident', createdAt: created },
        {
          tenantId: t.tenantId,
          caseId,
          type: 'routed',
          actorKind: 'system',
          data: { leadDepartmentId: t.departments.streets },
          createdAt: at(created.toISOString(), 5),
        },
      ]);
      if (resolved) {
        await db.db
          .insert(schema.feedback)
          .values({ tenantId: t.tenantId, caseId, rating: 1 + (i % 5), comment: `Thanks from ${i}` });
      }
    }
  });
  afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

  async function indicators() {
    const server = await app();
    const urls = [
      '/v1/availability?from=2025-03-01&to=2025-04-01&source=exact',
      '/v1/availability?from=2025-03-01&to=2025-04-01&source=rollup',
      '/v1/availability?from=2025-03-01&to=2025-04-01&source=exact&category=pothole',
      '/v1/availability?from=2025-03-01&to=2025-04-01&source=exact&district=north',
    ];
    const out: unknown[] = [];
    for (const url of urls) {
      const res = await server.inject({ url, headers: { cookie: t.cookies.manager } });
      expect(res.statusCode, res.body).toBe(200);
      const { rollupRefreshedAt: _r, ...body } = res.json();
      out.push(body);
    }
    await server.close();
    return out;
  }

  it('gives the same availability figures before and after the cases are anonymised', async () => {
    const tenant = await loadTenant(ctx.database, t.tenantId);
    const facts = { businessMinutes: wallClockMinutes, now: NOW };
    await refreshRollups(ctx.database, tenant, facts);
    const before = await indicators();
    expect(before[0]).toMatchObject({
      totals: { cases: 12, resolutionMinutes: { n: 8 }, csat: { ratings: 8 } },
    });

    await savePolicies(ctx.database.db, t.tenantId, { defaultDays: 30, categories: [] }, null);
    const run = await createRun(ctx.database.db, { tenantId: t.tenantId, dryRun: false, asOf: NOW });
    const done = await executeRun(ctx.database.db, t.tenantId, run.id, {
      files: new DiskFiles(uploadDir),
      batchSize: 5,
    });
    expect(done).toMatchObject({ status: 'done', due: 8, anonymised: 8, batches: 2 });
    const anonymised = await ctx.database.db
      .select({ name: schema.cases.contactName, at: schema.cases.anonymisedAt })
      .from(schema.cases)
      .where(eq(schema.cases.tenantId, t.tenantId));
    expect(anonymised.filter((c) => c.at !== null && c.name === null)).toHaveLength(8);

    // Rebuild the rollups from the anonymised cases too: they must come out the same.
    await ctx.database.sql`delete from insight_rollups_daily where tenant_id = ${t.tenantId}`;
    await ctx.database.sql`delete from insight_rollup_state where tenant_id = ${t.tenantId}`;
    await refreshRollups(ctx.database, tenant, facts);
    expect(await indicators()).toEqual(before);
  });
});
