import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoTenant, REDACTED, schema, seedDemoMunicipality } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeRun,
  createRun,
  DiskFiles,
  executeRun,
  findDue,
  loadPolicies,
  type RetentionRun,
  retentionReport,
  savePolicies,
} from '../src/index.ts';
import { insertCase } from './fixture.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-01T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe('retention', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let uploadDir: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    uploadDir = mkdtempSync(join(tmpdir(), 'samtal-retention-'));
    const db = ctx.database.db;
    // pothole keeps 30 days; every other category the default 365 days.
    await savePolicies(
      db,
      demo.tenantId,
      { defaultDays: 365, categories: [{ categoryId: demo.categories.pothole!, days: 30 }] },
      null,
    );
    const cases: [string, Parameters<typeof insertCase>[2]][] = [
      [
        'potholeDue',
        { category: 'pothole', createdAt: ago(60), resolvedAt: ago(45), closedAt: ago(40), rating: 5 },
      ],
      ['potholeDue2', { category: 'pothole', createdAt: ago(90), resolvedAt: ago(31), rating: 2 }],
      [
        'potholeYoung',
        { category: 'pothole', createdAt: ago(20), resolvedAt: ago(12), closedAt: ago(10), rating: 4 },
      ],
      [
        'lightDue',
        { category: 'streetlight', createdAt: ago(500), resolvedAt: ago(450), closedAt: ago(400), rating: 3 },
      ],
      [
        'lightYoung',
        { category: 'streetlight', createdAt: ago(200), resolvedAt: ago(100), status: 'resolved' },
      ],
      ['mergedDue', { category: 'noise', createdAt: ago(800), status: 'merged', firstRespondedAt: null }],
      ['openOld', { category: 'streetlight', createdAt: ago(900), status: 'in_progress' }],
    ];
    for (const [name, spec] of cases) {
      const row = await insertCase(db, demo, {
        ...spec,
        status: spec?.status ?? (spec?.closedAt ? 'closed' : 'resolved'),
      });
      ids[name] = row.id;
    }
    // A merged case's conclusion is its last change.
    await db
      .update(schema.cases)
      .set({ updatedAt: ago(700) })
      .where(eq(schema.cases.id, ids.mergedDue!));
  });
  afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

  const due = ['potholeDue', 'potholeDue2', 'lightDue', 'mergedDue'];

  /** Indicators of past years, per category: counts, median first response, resolution, ratings, events. */
  async function indicators() {
    return ctx.database.sql`
      select c.category_id, c.district_id, c.status, c.channel, count(*)::int as cases,
             percentile_cont(0.5) within group (order by extract(epoch from c.first_responded_at - c.created_at)) as median_first_response,
             count(c.resolved_at)::int as resolved, avg(f.rating)::float as mean_rating, count(f.rating)::int as ratings,
             sum((select count(*) from case_events e where e.case_id = c.id))::int as events,
             min(c.created_at) as first_created, max(c.closed_at) as last_closed
      from cases c left join feedback f on f.case_id = c.id
      where c.tenant_id = ${demo.tenantId}
      group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
  }

  it('keeps policies per tenant with a default and per category', async () => {
    expect(await loadPolicies(ctx.database.db, demo.tenantId)).toEqual({
      defaultDays: 365,
      categories: [{ categoryId: demo.categories.pothole, categoryCode: 'pothole', days: 30 }],
    });
  });

  it('finds exactly the cases whose period ran out after conclusion', async () => {
    const found = await findDue(ctx.database.db, demo.tenantId, now);
    expect(found.map((f) => f.caseId).sort()).toEqual(due.map((d) => ids[d]).sort());
    // Oldest conclusion first.
    expect(found[0]!.caseId).toBe(ids.mergedDue);
  });

  it('reports a dry run per category without changing anything', async () => {
    const report = await retentionReport(ctx.database.db, demo.tenantId, now);
    expect(report.due).toBe(4);
    expect(report.categories).toEqual([
      expect.objectContaining({ categoryCode: 'noise', cases: 1, days: 365 }),
      {
        categoryId: demo.categories.pothole,
        categoryCode: 'pothole',
        days: 30,
        cases: 2,
        oldestConcludedAt: ago(40).toISOString().replace('.000Z', '+00:00'),
        newestConcludedAt: ago(31).toISOString().replace('.000Z', '+00:00'),
      },
      expect.objectContaining({ categoryCode: 'streetlight', cases: 1, days: 365 }),
    ]);
    const run = await createRun(ctx.database.db, { tenantId: demo.tenantId, dryRun: true, asOf: now });
    const done = await executeRun(ctx.database.db, demo.tenantId, run.id, {
      files: new DiskFiles(uploadDir),
    });
    expect(done).toMatchObject({ status: 'done', due: 4, anonymised: 0 });
    expect(await findDue(ctx.database.db, demo.tenantId, now)).toHaveLength(4);
  });

  it('anonymises what is due in batches, resumes after an interruption, and metrics do not move', async () => {
    const before = await indicators();
    const run = await createRun(ctx.database.db, { tenantId: demo.tenantId, dryRun: false, asOf: now });
    const progress: number[] = [];
    // The worker dies after the first batch (progress is reported after each commit).
    await expect(
      executeRun(ctx.database.db, demo.tenantId, run.id, {
        files: new DiskFiles(uploadDir),
        batchSize: 3,
        onProgress: (r: RetentionRun) => {
          progress.push(r.anonymised);
          if (r.anonymised === 3) throw new Error('worker lost');
        },
      }),
    ).rejects.toThrow('worker lost');
    const [failed] = await ctx.database.db
      .select()
      .from(schema.retentionRuns)
      .where(eq(schema.retentionRuns.id, run.id));
    expect(failed).toMatchObject({ status: 'failed', anonymised: 3, batches: 1, error: 'worker lost' });

    // Run again: it finishes the rest and counts each case once.
    const done = await executeRun(ctx.database.db, demo.tenantId, run.id, {
      files: new DiskFiles(uploadDir),
      batchSize: 3,
      onProgress: (r) => {
        progress.push(r.anonymised);
      },
    });
    expect(done).toMatchObject({ status: 'done', due: 4, anonymised: 4, batches: 2 });
    // Rows of both attempts are counted: 4 cases, 4 messages, 3 feedback comments.
    expect(done.report).toMatchObject({ rows: { cases: 4, messages: 4, feedback: 3 }, filesRemoved: 0 });
    expect(progress).toEqual([0, 3, 3, 4, 4]);

    const rows = await ctx.database.db
      .select()
      .from(schema.cases)
      .where(eq(schema.cases.tenantId, demo.tenantId));
    for (const row of rows) {
      const name = Object.keys(ids).find((k) => ids[k] === row.id)!;
      if (due.includes(name)) {
        expect(row, name).toMatchObject({
          contactName: null,
          contactEmail: null,
          description: REDACTED,
          address: null,
        });
        expect(row.anonymisedAt, name).toBeInstanceOf(Date);
      } else {
        expect(row, name).toMatchObject({ contactName: 'Anna Andersson', anonymisedAt: null });
        expect(row.description, name).not.toBe(REDACTED);
      }
    }
    const messages = await ctx.database.sql<
      { case_id: string; body: string }[]
    >`select case_id, body from messages`;
    for (const m of messages) {
      const name = Object.keys(ids).find((k) => ids[k] === m.case_id)!;
      expect(m.body === REDACTED, name).toBe(due.includes(name));
    }
    expect(await indicators()).toEqual(before);
    // Nothing is due any more; a third run does nothing.
    expect(await findDue(ctx.database.db, demo.tenantId, now)).toEqual([]);
    const again = await createRun(ctx.database.db, { tenantId: demo.tenantId, dryRun: false, asOf: now });
    expect(
      await executeRun(ctx.database.db, demo.tenantId, again.id, { files: new DiskFiles(uploadDir) }),
    ).toMatchObject({
      status: 'done',
      due: 0,
      anonymised: 0,
    });
  });

  it('never touches cases of a category without a period when there is no default', async () => {
    await savePolicies(
      ctx.database.db,
      demo.tenantId,
      { defaultDays: null, categories: [{ categoryId: demo.categories.pothole!, days: 1 }] },
      null,
    );
    const found = await findDue(ctx.database.db, demo.tenantId, now);
    expect(found.map((f) => f.caseId)).toEqual([ids.potholeYoung]);
  });

  it('counts a queued run as active for a day, then lets a new one start', async () => {
    const queued = await createRun(ctx.database.db, { tenantId: demo.tenantId, dryRun: false });
    expect((await activeRun(ctx.database.db, demo.tenantId))?.id).toBe(queued.id);
    await ctx.database.db
      .update(schema.retentionRuns)
      .set({ createdAt: ago(2) })
      .where(eq(schema.retentionRuns.id, queued.id));
    expect(await activeRun(ctx.database.db, demo.tenantId)).toBeUndefined();
  });

  it('finds the run of a retried job instead of starting another', async () => {
    const a = await createRun(ctx.database.db, {
      tenantId: demo.tenantId,
      dryRun: false,
      jobId: 'repeat:x:1',
    });
    const b = await createRun(ctx.database.db, {
      tenantId: demo.tenantId,
      dryRun: false,
      jobId: 'repeat:x:1',
    });
    expect(b.id).toBe(a.id);
  });
});
