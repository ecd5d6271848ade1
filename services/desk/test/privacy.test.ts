import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schema } from '@samtal/db';
import { DiskFiles, executeRun } from '@samtal/privacy';
import { openQueue, queueNames } from '@samtal/queue';
import { useTestContext } from '@samtal/testing';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskFixture } from './helpers.ts';
import { type Fixture, newCase, writerOf } from './work-helpers.ts';

describe('privacy API', () => {
  const ctx = useTestContext();
  let fixture: Fixture;
  let headers: Record<string, string>;
  beforeAll(async () => {
    fixture = await deskFixture(ctx);
    headers = (await fixture.as('admin@vasteras.demo')).headers;
  });
  afterAll(() => fixture.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    fixture.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const fields = (res: { json(): { errors?: { field: string }[] } }) =>
    res.json().errors?.map((e) => e.field);
  const base = '/v1/admin/privacy';

  /** A case of `email`, concluded `daysAgo`, with a photo on disk. */
  async function concludedCase(email: string, daysAgo: number, category = 'streetlight') {
    const row = await newCase(fixture, writerOf(fixture, ctx), {
      categoryCode: category,
      contact: { name: 'Cecilia Carlsson', email, phone: '+46 70 555 12 34' },
    });
    const at = new Date(Date.now() - daysAgo * 86_400_000);
    await ctx.database.db
      .update(schema.cases)
      .set({ status: 'closed', resolvedAt: at, closedAt: at })
      .where(eq(schema.cases.id, row.id));
    const key = `${fixture.demo.tenantId}/2026-01/${row.id}.png`;
    mkdirSync(join(fixture.uploadDir, fixture.demo.tenantId, '2026-01'), { recursive: true });
    writeFileSync(join(fixture.uploadDir, key), 'png');
    await ctx.database.db.insert(schema.attachments).values({
      tenantId: fixture.demo.tenantId,
      caseId: row.id,
      storageKey: key,
      contentType: 'image/png',
      sizeBytes: 3,
      originalName: 'cecilia.png',
    });
    await ctx.database.db.insert(schema.demographicProfiles).values({
      tenantId: fixture.demo.tenantId,
      caseId: row.id,
      groups: { gender: 'woman' },
      consentAt: new Date(),
      consentTextVersion: 'v2',
    });
    return { ...row, key };
  }

  it('keeps retention periods: a default and per category, checked field by field', async () => {
    expect((await call('GET', `${base}/retention-policies`)).json()).toEqual({
      defaultDays: null,
      categories: [],
    });
    const unknown = await call('PUT', `${base}/retention-policies`, {
      defaultDays: 365,
      categories: [{ categoryCode: 'no-such', days: 30 }],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(fields(unknown)).toEqual(['categories.0']);
    const zero = await call('PUT', `${base}/retention-policies`, { defaultDays: 0, categories: [] });
    expect(fields(zero)).toEqual(['defaultDays']);
    const twice = await call('PUT', `${base}/retention-policies`, {
      defaultDays: null,
      categories: [
        { categoryCode: 'pothole', days: 3 },
        { categoryCode: 'pothole', days: 4 },
      ],
    });
    expect(fields(twice)).toEqual(['categories']);
    expect((await call('GET', `${base}/retention-policies`)).json().defaultDays).toBeNull();

    const ok = await call('PUT', `${base}/retention-policies`, {
      defaultDays: 730,
      categories: [{ categoryCode: 'streetlight', days: 90 }],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await call('GET', `${base}/retention-policies`)).json()).toEqual({
      defaultDays: 730,
      categories: [{ categoryCode: 'streetlight', days: 90 }],
    });
  });

  it('reports a dry run, queues a real run through the outbox, refuses a second, and shows progress', async () => {
    const old = await concludedCase('old@example.org', 120);
    await concludedCase('recent@example.org', 10);
    const dry = await call('POST', `${base}/retention/dry-run`, {});
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({
      due: 1,
      categories: [{ categoryCode: 'streetlight', cases: 1, days: 90 }],
    });

    const started = await call('POST', `${base}/retention/runs`, {});
    expect(started.statusCode, started.body).toBe(202);
    const run = started.json();
    expect(run).toMatchObject({ status: 'queued', dryRun: false, progress: 0 });
    expect(started.headers.location).toBe(`${base}/retention/runs/${run.id}`);
    const again = await call('POST', `${base}/retention/runs`, {});
    expect(again.statusCode).toBe(409);
    expect(fields(again)).toEqual(['dryRun']);

    // The relay published the job; the router's worker would now run it.
    const queue = openQueue(ctx.queues, queueNames.retention);
    const [job] = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(job?.data).toEqual({ tenantId: fixture.demo.tenantId, dryRun: false, runId: run.id });
    await queue.close();
    await executeRun(ctx.database.db, fixture.demo.tenantId, run.id, {
      files: new DiskFiles(fixture.uploadDir),
    });

    const status = await call('GET', `${base}/retention/runs/${run.id}`);
    expect(status.json()).toMatchObject({ status: 'done', due: 1, anonymised: 1, progress: 1 });
    expect(existsSync(join(fixture.uploadDir, old.key))).toBe(false);
    expect((await call('GET', `${base}/retention/runs`)).json().map((r: { id: string }) => r.id)).toContain(
      run.id,
    );
    expect(
      (await call('GET', `${base}/retention/runs/ffffffff-ffff-4fff-bfff-ffffffffffff`)).statusCode,
    ).toBe(404);
  });

  it('exports everything about a resident as a JSON file, and audits it without the data', async () => {
    const c = await concludedCase('dora@example.org', 1, 'noise');
    const bad = await call('POST', `${base}/subject-access`, {});
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['email']);
    expect(fields(await call('POST', `${base}/subject-access`, { phone: 'call me' }))).toEqual(['phone']);
    expect((await call('POST', `${base}/subject-access`, { email: 'nobody@example.org' })).statusCode).toBe(
      404,
    );

    const res = await call('POST', `${base}/subject-access`, { email: 'DORA@example.org' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="subject-access-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const doc = res.json();
    expect(doc).toMatchObject({ format: 'samtal.subject-access/1', found: { cases: 1, participations: 0 } });
    expect(doc.tables.cases[0]).toMatchObject({
      id: c.id,
      contactEmail: 'dora@example.org',
      contactName: 'Cecilia Carlsson',
    });
    expect(doc.tables.attachments[0]).toMatchObject({ originalName: 'cecilia.png' });
    expect(doc.tables.demographicProfiles[0]).toMatchObject({
      consentTextVersion: 'v2',
      groups: { gender: 'woman' },
    });

    const [audit] = await ctx.database.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.action, 'privacy.subject_access'));
    expect(audit!.data).toMatchObject({ cases: 1, participations: 0 });
    expect(JSON.stringify(audit)).not.toMatch(/dora|Cecilia/i);
  });

  it('erases a resident by e-mail: cases anonymised, files gone, the audit row counts only', async () => {
    const c = await concludedCase('erik@example.org', 1, 'noise');
    expect((await call('POST', `${base}/erasures`, { phone: '+46 70 000 00 00' })).statusCode).toBe(404);
    const res = await call('POST', `${base}/erasures`, { email: 'erik@example.org' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      cases: 1,
      participations: 0,
      filesRemoved: 1,
      rows: { cases: 1, attachments: 1 },
    });
    const [row] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, c.id));
    expect(row).toMatchObject({ contactEmail: null, contactName: null, status: 'closed' });
    expect(row!.anonymisedAt).toBeInstanceOf(Date);
    expect(existsSync(join(fixture.uploadDir, c.key))).toBe(false);
    const audits = await ctx.database.db
      .select()
      .from(schema.auditLog)
      .where(
        and(
          eq(schema.auditLog.tenantId, fixture.demo.tenantId),
          like(schema.auditLog.action, 'privacy.erasure'),
        ),
      );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ entity: 'resident', data: { cases: 1, filesRemoved: 1 } });
    expect(JSON.stringify(audits[0])).not.toMatch(/erik|Cecilia|555/i);
  });

  it('withdraws consent by tracking code or contact: profiles go, cases stay', async () => {
    const c = await concludedCase('frida@example.org', 1, 'noise');
    const missing = await call('POST', `${base}/consent-withdrawals`, { trackingCode: 'AAA-AAAA-AAA' });
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['trackingCode']);
    const res = await call('POST', `${base}/consent-withdrawals`, { trackingCode: c.trackingCode });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ profilesDeleted: 1 });
    const left = await ctx.database.db
      .select()
      .from(schema.demographicProfiles)
      .where(eq(schema.demographicProfiles.caseId, c.id));
    expect(left).toEqual([]);
    expect(
      (await call('POST', `${base}/consent-withdrawals`, { email: 'frida@example.org' })).json(),
    ).toEqual({
      profilesDeleted: 0,
    });
  });
});
