import { enqueueOutbox } from '@samtal/cases';
import { schema } from '@samtal/db';
import { ConflictProblem, invalidField, NotFoundProblem } from '@samtal/http';
import {
  activeRun,
  createRun,
  DiskFiles,
  eraseResident,
  findResident,
  loadPolicies,
  loadRun,
  type RetentionRun,
  recentRuns,
  retentionReport,
  savePolicies,
  subjectAccessExport,
  withdrawConsent,
} from '@samtal/privacy';
import { queueNames } from '@samtal/queue';
import { normaliseTrackingCode } from '@samtal/security';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { asStaffTenant, guarded, idParam, iso, problems } from '../../common.ts';
import { assertCategoryCodes, found } from './shared.ts';

const days = z.number().int().min(1).max(36_500).describe('Days after the case concluded');

const policies = z.object({
  defaultDays: days.nullable().describe('For categories without their own period; null: kept until erased'),
  categories: z.array(z.object({ categoryCode: z.string(), days })),
});

const policiesInput = z.object({
  defaultDays: days.nullable(),
  categories: z
    .array(z.object({ categoryCode: z.string().min(1).max(60), days }))
    .max(500)
    .refine(
      (list) => new Set(list.map((c) => c.categoryCode)).size === list.length,
      'a category appears twice',
    ),
});

const report = z.object({
  asOf: z.iso.datetime({ offset: true }),
  due: z.number().int(),
  categories: z.array(
    z.object({
      categoryId: z.uuid(),
      categoryCode: z.string(),
      days: z.number().int(),
      cases: z.number().int(),
      oldestConcludedAt: z.string(),
      newestConcludedAt: z.string(),
    }),
  ),
});

const run = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  dryRun: z.boolean(),
  requestedBy: z.uuid().nullable().describe('null: the daily schedule'),
  asOf: z.iso.datetime(),
  due: z.number().int(),
  anonymised: z.number().int(),
  batches: z.number().int(),
  /** Share done, 0–1 (1 when nothing was due). */
  progress: z.number(),
  report: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});

const runView = (r: RetentionRun) => ({
  id: r.id,
  status: r.status as z.infer<typeof run>['status'],
  dryRun: r.dryRun,
  requestedBy: r.requestedBy,
  asOf: r.asOf.toISOString(),
  due: r.due,
  anonymised: r.anonymised,
  batches: r.batches,
  progress: r.status === 'done' ? 1 : r.due ? Math.min(1, r.anonymised / r.due) : 0,
  report: r.report,
  error: r.error,
  createdAt: r.createdAt.toISOString(),
  startedAt: iso(r.startedAt),
  finishedAt: iso(r.finishedAt),
});

/** A resident, found by e-mail and/or phone (either matches). */
const resident = z
  .object({
    email: z.email().max(320).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 ()-]{4,29}$/, 'a phone number: digits, spaces, ( ) - and a leading +')
      .optional(),
  })
  .refine((v) => v.email || v.phone, {
    message: 'name an e-mail address or a phone number',
    path: ['email'],
  });

const erasure = z.object({
  cases: z.number().int(),
  participations: z.number().int(),
  rows: z.record(z.string(), z.number().int()).describe('Rows anonymised or deleted, per table'),
  filesRemoved: z.number().int(),
});

/**
 * Data protection for one municipality (permission `privacy.manage`): retention policies and
 * runs, erasure, subject access, withdrawal of consent to demographic data. Every call is
 * audited; the audit row holds counts and record ids, never the personal data itself.
 */
export const privacyRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const files = new DiskFiles(deps.config.UPLOAD_DIR);
  app.addHook('onRequest', requirePermission('privacy.manage'));

  app.get(
    '/v1/admin/privacy/retention-policies',
    {
      schema: {
        tags: ['privacy'],
        summary: 'How long each category keeps personal data after the case concluded',
        response: { 200: policies, ...guarded },
      },
    },
    async (request) => {
      const current = await loadPolicies(db, staffOf(request).tenantId);
      return {
        defaultDays: current.defaultDays,
        categories: current.categories.map((c) => ({ categoryCode: c.categoryCode, days: c.days })),
      };
    },
  );

  app.put(
    '/v1/admin/privacy/retention-policies',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Replace the retention periods (a default, and per category)',
        body: policiesInput,
        response: { 200: policies, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = request.body;
      const codes = body.categories.map((c) => c.categoryCode);
      await assertCategoryCodes(db, staff.tenantId, codes, 'categories');
      const ids = new Map(
        (
          await db
            .select({ id: schema.categories.id, code: schema.categories.code })
            .from(schema.categories)
            .where(eq(schema.categories.tenantId, staff.tenantId))
        ).map((c) => [c.code, c.id]),
      );
      await asStaffTenant(db, request, async (tx) => {
        await savePolicies(
          tx,
          staff.tenantId,
          {
            defaultDays: body.defaultDays,
            categories: body.categories.map((c) => ({ categoryId: ids.get(c.categoryCode)!, days: c.days })),
          },
          staff.userId,
        );
        await writeAudit(tx, request, {
          action: 'privacy.retention_policies.update',
          entity: 'retention_policy',
          data: { defaultDays: body.defaultDays, categories: body.categories },
        });
      });
      return { defaultDays: body.defaultDays, categories: body.categories };
    },
  );

  app.post(
    '/v1/admin/privacy/retention/dry-run',
    {
      schema: {
        tags: ['privacy'],
        summary: 'What a retention run would anonymise now: cases per category, oldest and newest conclusion',
        body: z.object({ asOf: z.iso.datetime({ offset: true }).optional() }).optional(),
        response: { 200: report, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const asOf = request.body?.asOf ? new Date(request.body.asOf) : new Date();
      const result = await retentionReport(db, staff.tenantId, asOf);
      await writeAudit(db, request, {
        action: 'privacy.retention.dry_run',
        entity: 'retention_run',
        data: { asOf: result.asOf, due: result.due },
      });
      return result;
    },
  );

  app.post(
    '/v1/admin/privacy/retention/runs',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Start a retention run now (the router runs it in batches; follow it by its id)',
        body: z.object({ dryRun: z.boolean().default(false) }).optional(),
        response: { 202: run, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const dryRun = request.body?.dryRun ?? false;
      const { row, outbox } = await asStaffTenant(db, request, async (tx) => {
        // One real run at a time per municipality (the lock makes the check and the insert one step).
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`retention:${staff.tenantId}`}))`);
        const active = dryRun ? undefined : await activeRun(tx, staff.tenantId);
        if (active) {
          throw new ConflictProblem(`Retention run ${active.id} is still ${active.status}`, {
            errors: [{ field: 'dryRun', message: `run ${active.id} is still ${active.status}` }],
          });
        }
        const row = await createRun(tx, { tenantId: staff.tenantId, dryRun, requestedBy: staff.userId });
        const outbox = await enqueueOutbox(tx, [
          {
            tenantId: staff.tenantId,
            queue: queueNames.retention,
            payload: { tenantId: staff.tenantId, dryRun, runId: row.id },
          },
        ]);
        await writeAudit(tx, request, {
          action: 'privacy.retention.run',
          entity: 'retention_run',
          entityId: row.id,
          data: { dryRun },
        });
        return { row, outbox };
      });
      await deps.writer.relay.publish(outbox);
      return reply
        .code(202)
        .header('location', `/v1/admin/privacy/retention/runs/${row.id}`)
        .send(runView(row));
    },
  );

  app.get(
    '/v1/admin/privacy/retention/runs',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Recent retention runs, newest first',
        response: { 200: z.array(run), ...guarded },
      },
    },
    async (request) => (await recentRuns(db, staffOf(request).tenantId)).map(runView),
  );

  app.get(
    '/v1/admin/privacy/retention/runs/:id',
    {
      schema: {
        tags: ['privacy'],
        summary: 'One retention run and its progress',
        params: idParam,
        response: { 200: run, ...guarded },
      },
    },
    async (request) =>
      runView(found(await loadRun(db, staffOf(request).tenantId, request.params.id), 'retention run')),
  );

  app.post(
    '/v1/admin/privacy/erasures',
    {
      schema: {
        tags: ['privacy'],
        summary: "Erase a resident's personal data (all their cases and dialogue participations)",
        description:
          'Anonymises exactly as retention does and deletes their files. The audit log records who erased how many records, not what was erased.',
        body: resident,
        response: { 200: erasure, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const result = await eraseResident(db, staff.tenantId, request.body, files, async (tx, counts) => {
        if (!counts.cases && !counts.participations) {
          throw new NotFoundProblem(
            'No case or dialogue participation has this e-mail address or phone number',
          );
        }
        await writeAudit(tx, request, {
          action: 'privacy.erasure',
          entity: 'resident',
          data: {
            cases: counts.cases,
            participations: counts.participations,
            rows: counts.rows,
            filesRemoved: counts.filesRemoved,
          },
        });
      });
      return {
        cases: result.cases,
        participations: result.participations,
        rows: result.rows as Record<string, number>,
        filesRemoved: result.filesRemoved,
      };
    },
  );

  app.post(
    '/v1/admin/privacy/subject-access',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Everything held about a resident, as a JSON file (right of access)',
        body: resident,
        response: {
          200: z.unknown().describe('A JSON file (format samtal.subject-access/1), sent as an attachment'),
          ...guarded,
        },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const doc = await subjectAccessExport(db, staff.tenantId, request.body);
      if (!doc.found.cases && !doc.found.participations) {
        throw new NotFoundProblem(
          'No case or dialogue participation has this e-mail address or phone number',
        );
      }
      await writeAudit(db, request, {
        action: 'privacy.subject_access',
        entity: 'resident',
        data: {
          ...doc.found,
          tables: Object.fromEntries(Object.entries(doc.tables).map(([t, rows]) => [t, rows?.length ?? 0])),
        },
      });
      const day = doc.generatedAt.slice(0, 10);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="subject-access-${day}.json"`)
        .header('cache-control', 'no-store')
        .send(JSON.stringify(doc, null, 2));
    },
  );

  app.post(
    '/v1/admin/privacy/consent-withdrawals',
    {
      schema: {
        tags: ['privacy'],
        summary: "Withdraw a resident's consent to demographic data: their profiles are deleted",
        body: z
          .object({
            email: z.email().max(320).optional(),
            phone: z.string().trim().min(5).max(30).optional(),
            trackingCode: z.string().trim().min(3).max(20).optional(),
          })
          .refine((v) => v.email || v.phone || v.trackingCode, {
            message: 'name an e-mail address, a phone number or a tracking code',
            path: ['email'],
          }),
        response: { 200: z.object({ profilesDeleted: z.number().int() }), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const { email, phone, trackingCode } = request.body;
      const subjects =
        email || phone
          ? await findResident(db, staff.tenantId, { email, phone })
          : { caseIds: [], participationIds: [] };
      if (trackingCode) {
        const [row] = await db
          .select({ id: schema.cases.id })
          .from(schema.cases)
          .where(
            and(
              eq(schema.cases.tenantId, staff.tenantId),
              eq(schema.cases.trackingCode, normaliseTrackingCode(trackingCode)),
            ),
          );
        if (!row) throw invalidField('trackingCode', 'is not a case of this municipality');
        subjects.caseIds.push(row.id);
      }
      if (!subjects.caseIds.length && !subjects.participationIds.length) {
        throw new NotFoundProblem(
          'No case or dialogue participation has this e-mail address or phone number',
        );
      }
      const profilesDeleted = await asStaffTenant(db, request, async (tx) => {
        const n = await withdrawConsent(tx, staff.tenantId, subjects);
        await writeAudit(tx, request, {
          action: 'privacy.consent_withdrawal',
          entity: 'resident',
          data: {
            profilesDeleted: n,
            cases: subjects.caseIds.length,
            participations: subjects.participationIds.length,
          },
        });
        return n;
      });
      return { profilesDeleted };
    },
  );
};
