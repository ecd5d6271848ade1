import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoTenant, REDACTED, residentColumns, schema, seedDemoMunicipality } from '@samtal/db';
import { useTestContext } from '@samtal/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiskFiles,
  eraseResident,
  fileKeyColumns,
  findResident,
  type Subjects,
  subjectAccessExport,
  subjectLinks,
  withdrawConsent,
} from '../src/index.ts';
import { columnsOf, type TableKey, tableOf } from '../src/map.ts';
import { insertResident } from './fixture.ts';

const anna = { email: 'anna@example.org', phone: '070-123 45 67', name: 'Anna Andersson' };
const bo = { email: 'bo@example.org', phone: '070-999 88 77', name: 'Bo Berg' };

describe('erasure, subject access and consent, driven by the personal data map', () => {
  const ctx = useTestContext();
  let demo: DemoTenant;
  let uploadDir: string;
  let files: DiskFiles;
  let annaIds: Awaited<ReturnType<typeof insertResident>>;
  let boIds: Awaited<ReturnType<typeof insertResident>>;

  beforeAll(async () => {
    demo = await seedDemoMunicipality(ctx.database.db);
    uploadDir = mkdtempSync(join(tmpdir(), 'samtal-privacy-'));
    files = new DiskFiles(uploadDir);
    annaIds = await insertResident(ctx.database.db, demo, uploadDir, anna);
    boIds = await insertResident(ctx.database.db, demo, uploadDir, bo);
  });
  afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

  const subjectsOf = (ids: typeof annaIds): Subjects => ({
    caseIds: [ids.caseId],
    participationIds: [ids.participationId],
  });

  /** The rows of one table that belong to the subjects, with their camelCase keys. */
  async function rowsOf(table: TableKey, subjects: Subjects) {
    const link = subjectLinks[table]!;
    return ctx.database.db
      .select()
      .from(tableOf(table))
      .where(and(eq(columnsOf(table).tenantId!, demo.tenantId), link(subjects, demo.tenantId)));
  }

  it('links every table that holds a resident column to the resident', () => {
    const tables = new Set(residentColumns().map(([table]) => table));
    expect([...tables].filter((t) => !subjectLinks[t])).toEqual([]);
  });

  it('has a fixture that fills every resident column (add a value when you add a column)', async () => {
    const empty: string[] = [];
    for (const [table, column, rule] of residentColumns()) {
      const rows = (await rowsOf(table, subjectsOf(annaIds))) as Record<string, unknown>[];
      // A JSON column with personal keys: some row holds each key; any other column: every row.
      const filled = rule.keys
        ? rows.some((r) =>
            rule.keys!.every((k) => typeof (r[column] as Record<string, unknown>)[k] === 'string'),
          )
        : rows.length > 0 && rows.every((r) => r[column] !== null && r[column] !== undefined);
      if (!filled) empty.push(`${table}.${column}`);
    }
    expect(empty).toEqual([]);
  });

  it('finds a resident by e-mail (any case) or by phone (any formatting)', async () => {
    const byEmail = await findResident(ctx.database.db, demo.tenantId, { email: ' ANNA@example.org' });
    const byPhone = await findResident(ctx.database.db, demo.tenantId, { phone: '+0701234567' });
    expect(byEmail).toEqual(subjectsOf(annaIds));
    expect(byPhone).toEqual({ caseIds: [], participationIds: [] });
    expect(await findResident(ctx.database.db, demo.tenantId, { phone: '070 123 4567' })).toEqual(
      subjectsOf(annaIds),
    );
  });

  it('exports every resident column with its value, and nothing of anyone else', async () => {
    const doc = await subjectAccessExport(ctx.database.db, demo.tenantId, { email: anna.email });
    expect(doc.found).toEqual({ cases: 1, participations: 1 });
    const missing: string[] = [];
    for (const [table, column] of residentColumns()) {
      const stored = (await rowsOf(table, subjectsOf(annaIds))) as Record<string, unknown>[];
      const exported = doc.tables[table] ?? [];
      const plain = (v: unknown) => JSON.stringify(v instanceof Date ? v.toISOString() : v);
      // Some stored row is in the export (the same row, where rows have ids) with the same value.
      const found = stored.some((row) =>
        exported.some(
          (e) =>
            (!('id' in row) || e.id === row.id) && column in e && plain(e[column]) === plain(row[column]),
        ),
      );
      if (!found) missing.push(`${table}.${column}`);
      expect(doc.explanations[table]?.[column]?.why).toBeTruthy();
    }
    expect(missing).toEqual([]);
    // Context: the public timeline, consent time and text version; no secrets, no other person.
    expect(doc.tables.caseEvents?.map((e) => e.type)).toEqual(['created']);
    expect(doc.tables.demographicProfiles?.[0]).toMatchObject({ consentTextVersion: 'v1' });
    expect(doc.tables.demographicProfiles?.[0]?.consentAt).toEqual(expect.any(String));
    const text = JSON.stringify(doc);
    expect(text).not.toContain('accessTokenHash');
    expect(text).not.toContain(bo.name);
    expect(text).not.toContain(bo.email);
  });

  it('erases every resident column by its rule, removes the file and leaves the case skeleton', async () => {
    const before = await ctx.database.db
      .select()
      .from(schema.cases)
      .where(eq(schema.cases.id, annaIds.caseId));
    const eventsBefore = await ctx.database
      .sql`select count(*)::int as n from case_events where case_id = ${annaIds.caseId}`;
    expect(existsSync(join(uploadDir, annaIds.storageKey))).toBe(true);

    const result = await eraseResident(ctx.database.db, demo.tenantId, { phone: '0701234567' }, files);
    expect(result).toMatchObject({ cases: 1, participations: 1, filesRemoved: 1 });
    expect(result.rows).toMatchObject({
      cases: 1,
      messages: 1,
      attachments: 1,
      demographicProfiles: 1,
      surveyAnswers: 1,
    });

    const wrong: string[] = [];
    for (const [table, column, rule] of residentColumns()) {
      const rows = (await rowsOf(table, subjectsOf(annaIds))) as Record<string, unknown>[];
      const ok =
        rule.anonymise === 'delete_row'
          ? rows.length === 0
          : rule.anonymise === 'keep'
            ? true
            : rows.length > 0 &&
              rows.every((r) => {
                const v = r[column];
                if (rule.anonymise === 'null') return v === null;
                if (rule.anonymise === 'redact' && rule.keys) {
                  const data = v as Record<string, unknown>;
                  return rule.keys.every((k) => !(k in data) || data[k] === REDACTED);
                }
                if (rule.anonymise === 'redact') return v === null || v === REDACTED;
                return JSON.stringify(v) === '{}' || JSON.stringify(v) === '[]';
              });
      if (!ok) wrong.push(`${table}.${column} (${rule.anonymise})`);
    }
    expect(wrong).toEqual([]);
    for (const table of Object.keys(fileKeyColumns)) expect(subjectLinks[table as TableKey]).toBeDefined();
    expect(existsSync(join(uploadDir, annaIds.storageKey))).toBe(false);

    const [after] = await ctx.database.db
      .select()
      .from(schema.cases)
      .where(eq(schema.cases.id, annaIds.caseId));
    const skeleton = (r: typeof after) => ({
      categoryId: r!.categoryId,
      districtId: r!.districtId,
      status: r!.status,
      channel: r!.channel,
      createdAt: r!.createdAt,
      trackingCode: r!.trackingCode,
      firstRespondedAt: r!.firstRespondedAt,
    });
    expect(skeleton(after)).toEqual(skeleton(before[0]));
    expect(after!.anonymisedAt).toBeInstanceOf(Date);
    const eventsAfter = await ctx.database
      .sql`select count(*)::int as n from case_events where case_id = ${annaIds.caseId}`;
    expect(eventsAfter[0]!.n).toBe(eventsBefore[0]!.n);
    const [returned] = await ctx.database.db
      .select()
      .from(schema.caseEvents)
      .where(and(eq(schema.caseEvents.caseId, annaIds.caseId), eq(schema.caseEvents.type, 'returned')));
    expect(returned!.data).toEqual({ departmentId: demo.departments.streets, reason: REDACTED });
    const [feedback] = await ctx.database.db
      .select()
      .from(schema.feedback)
      .where(eq(schema.feedback.caseId, annaIds.caseId));
    expect(feedback!.rating).toBe(4);

    // Bo is untouched, file included.
    const doc = await subjectAccessExport(ctx.database.db, demo.tenantId, { email: bo.email });
    expect(doc.tables.cases?.[0]?.contactName).toBe(bo.name);
    expect(doc.tables.attachments).toHaveLength(1);
    expect(existsSync(join(uploadDir, boIds.storageKey))).toBe(true);

    // Erasing again finds the anonymised records no more by their contact data.
    const again = await eraseResident(ctx.database.db, demo.tenantId, { email: anna.email }, files);
    expect(again).toMatchObject({ cases: 0, participations: 0, filesRemoved: 0 });
  });

  it('withdraws consent: the profile goes, so the person leaves the demographic statistics', async () => {
    const statistics = async () =>
      ctx.database.sql<{ gender: string; n: number }[]>`
        select d.groups->>'gender' as gender, count(*)::int as n
        from cases c join demographic_profiles d on d.tenant_id = c.tenant_id and d.case_id = c.id
        where c.tenant_id = ${demo.tenantId} group by 1 order by 1`;
    expect(await statistics()).toEqual([{ gender: 'woman', n: 1 }]);
    const removed = await withdrawConsent(ctx.database.db, demo.tenantId, subjectsOf(boIds));
    expect(removed).toBe(1);
    expect(await statistics()).toEqual([]);
    const [kept] = await ctx.database.db.select().from(schema.cases).where(eq(schema.cases.id, boIds.caseId));
    expect(kept!.contactName).toBe(bo.name);
    expect(await withdrawConsent(ctx.database.db, demo.tenantId, subjectsOf(boIds))).toBe(0);
  });
});
