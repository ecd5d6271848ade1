import { schema } from '@samtal/db';
import { channel, languageTag, priority } from '@samtal/domain';
import { invalidField } from '@samtal/http';
import { staffOf } from '@samtal/staff-auth';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../../app.ts';
import { writeAudit } from '../../audit/log.ts';
import { assertActiveDepartments } from '../../cases/departments.ts';
import { asStaffTenant, guarded, idParam, noContent, problems } from '../../common.ts';
import { assertCategoryCodes, assertOwned, code, found, nonEmpty, saving } from './shared.ts';

const conditions = z.object({
  categories: z.array(z.string().min(1).max(100)).max(200).optional(),
  districts: z.array(z.string().min(1).max(100)).max(200).optional(),
  keywords: z.array(z.string().min(1).max(100)).max(200).optional(),
  languages: z.array(languageTag).max(50).optional(),
  channels: z.array(channel).max(10).optional(),
});
const rule = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  active: z.boolean(),
  conditions: z.record(z.string(), z.array(z.string())),
  leadDepartmentId: z.uuid(),
  assistingDepartmentIds: z.array(z.uuid()),
  priority: z.string().nullable(),
});
const ruleFields = z.object({
  name: z.string().trim().min(1).max(200),
  position: z.number().int().min(0).max(1_000_000),
  active: z.boolean().optional(),
  conditions,
  leadDepartmentId: z.uuid(),
  assistingDepartmentIds: z.array(z.uuid()).max(20).optional(),
  priority: priority.nullable().optional(),
});

const policy = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  calendarId: z.uuid().nullable(),
  firstResponseMinutes: z.number().int(),
  resolutionMinutes: z.number().int(),
  warningShare: z.number().nullable(),
  warningBeforeMinutes: z.number().int().nullable(),
});
const policyFields = z.object({
  code,
  name: z.string().trim().min(1).max(200),
  calendarId: z.uuid().nullable().optional(),
  firstResponseMinutes: z.number().int().min(1).max(525_600),
  resolutionMinutes: z.number().int().min(1).max(5_256_000),
  warningShare: z.number().gt(0).lt(1).nullable().optional(),
  warningBeforeMinutes: z.number().int().min(1).max(525_600).nullable().optional(),
});

const viewRule = (r: typeof schema.routingRules.$inferSelect) => ({
  id: r.id,
  name: r.name,
  position: r.position,
  active: r.active,
  conditions: r.conditions,
  leadDepartmentId: r.leadDepartmentId,
  assistingDepartmentIds: r.assistingDepartmentIds,
  priority: r.priority,
});
const viewPolicy = (p: typeof schema.slaPolicies.$inferSelect) => ({
  id: p.id,
  code: p.code,
  name: p.name,
  calendarId: p.calendarId,
  firstResponseMinutes: p.firstResponseMinutes,
  resolutionMinutes: p.resolutionMinutes,
  warningShare: p.warningShare,
  warningBeforeMinutes: p.warningBeforeMinutes,
});

/** Routing rules (first match by position wins) and SLA policies. */
export const routingAdmin: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const db = deps.db.db;
  const r = schema.routingRules;
  const p = schema.slaPolicies;

  const checkRule = async (tenantId: string, body: Partial<z.infer<typeof ruleFields>>) => {
    const assisting = body.assistingDepartmentIds ?? [];
    if (body.leadDepartmentId && assisting.includes(body.leadDepartmentId)) {
      throw invalidField('assistingDepartmentIds', 'must not include the lead department');
    }
    await assertActiveDepartments(db, tenantId, {
      leadDepartmentId: body.leadDepartmentId,
      ...Object.fromEntries(assisting.map((id, i) => [`assistingDepartmentIds.${i}`, id])),
    });
    await assertCategoryCodes(db, tenantId, body.conditions?.categories ?? [], 'conditions.categories');
  };

  app.get(
    '/v1/admin/routing-rules',
    {
      schema: {
        tags: ['admin'],
        summary: 'Routing rules, in order',
        response: { 200: z.array(rule), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db
        .select()
        .from(r)
        .where(eq(r.tenantId, staff.tenantId))
        .orderBy(asc(r.position), asc(r.name));
      return rows.map(viewRule);
    },
  );

  app.post(
    '/v1/admin/routing-rules',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add a routing rule',
        body: ruleFields,
        response: { 201: rule, ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await checkRule(staff.tenantId, request.body);
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .insert(r)
          .values({ ...request.body, tenantId: staff.tenantId })
          .returning();
        await writeAudit(tx, request, {
          action: 'admin.routing_rule.create',
          entity: 'routing_rule',
          entityId: row!.id,
          data: request.body,
        });
        return row!;
      });
      return reply.code(201).send(viewRule(row));
    },
  );

  app.patch(
    '/v1/admin/routing-rules/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change a routing rule',
        params: idParam,
        body: ruleFields.partial(),
        response: { 200: rule, ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = nonEmpty(request.body);
      await checkRule(staff.tenantId, body);
      return asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .update(r)
          .set(body)
          .where(and(eq(r.tenantId, staff.tenantId), eq(r.id, request.params.id)))
          .returning();
        found(row, 'routing rule');
        await writeAudit(tx, request, {
          action: 'admin.routing_rule.update',
          entity: 'routing_rule',
          entityId: row!.id,
          data: body,
        });
        return viewRule(row!);
      });
    },
  );

  app.delete(
    '/v1/admin/routing-rules/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete a routing rule',
        params: idParam,
        response: { 204: noContent, ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await asStaffTenant(db, request, async (tx) => {
        const [row] = await tx
          .delete(r)
          .where(and(eq(r.tenantId, staff.tenantId), eq(r.id, request.params.id)))
          .returning();
        found(row, 'routing rule');
        await writeAudit(tx, request, {
          action: 'admin.routing_rule.delete',
          entity: 'routing_rule',
          entityId: row!.id,
          data: { name: row!.name },
        });
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/sla-policies',
    { schema: { tags: ['admin'], summary: 'SLA policies', response: { 200: z.array(policy), ...guarded } } },
    async (request) => {
      const staff = staffOf(request);
      const rows = await db.select().from(p).where(eq(p.tenantId, staff.tenantId)).orderBy(asc(p.code));
      return rows.map(viewPolicy);
    },
  );

  const checkPolicy = async (
    tenantId: string,
    body: Partial<z.infer<typeof policyFields>>,
    current?: typeof schema.slaPolicies.$inferSelect,
  ) => {
    await assertOwned(db, tenantId, [{ field: 'calendarId', kind: 'calendar', id: body.calendarId }]);
    const first = body.firstResponseMinutes ?? current?.firstResponseMinutes;
    const resolution = body.resolutionMinutes ?? current?.resolutionMinutes;
    if (first != null && resolution != null && resolution < first) {
      throw invalidField('resolutionMinutes', 'must not be shorter than firstResponseMinutes');
    }
  };

  app.post(
    '/v1/admin/sla-policies',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add an SLA policy (targets in business minutes)',
        body: policyFields,
        response: { 201: policy, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await checkPolicy(staff.tenantId, request.body);
      const row = await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .insert(p)
              .values({ ...request.body, tenantId: staff.tenantId })
              .returning(),
          'code',
        );
        await writeAudit(tx, request, {
          action: 'admin.sla_policy.create',
          entity: 'sla_policy',
          entityId: row!.id,
          data: request.body,
        });
        return row!;
      });
      return reply.code(201).send(viewPolicy(row));
    },
  );

  app.patch(
    '/v1/admin/sla-policies/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change an SLA policy (applies to cases routed or re-armed from now on)',
        params: idParam,
        body: policyFields.partial(),
        response: { 200: policy, ...guarded, ...problems(409) },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const body = nonEmpty(request.body);
      return asStaffTenant(db, request, async (tx) => {
        const where = and(eq(p.tenantId, staff.tenantId), eq(p.id, request.params.id));
        const [current] = await tx.select().from(p).where(where).for('update');
        await checkPolicy(staff.tenantId, body, found(current, 'SLA policy'));
        const [row] = await saving(() => tx.update(p).set(body).where(where).returning(), 'code');
        await writeAudit(tx, request, {
          action: 'admin.sla_policy.update',
          entity: 'sla_policy',
          entityId: row!.id,
          data: body,
        });
        return viewPolicy(row!);
      });
    },
  );

  app.delete(
    '/v1/admin/sla-policies/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete an SLA policy no category uses',
        params: idParam,
        response: { 204: noContent, ...guarded, ...problems(409) },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      await asStaffTenant(db, request, async (tx) => {
        const [row] = await saving(
          () =>
            tx
              .delete(p)
              .where(and(eq(p.tenantId, staff.tenantId), eq(p.id, request.params.id)))
              .returning(),
          'id',
        );
        found(row, 'SLA policy');
        await writeAudit(tx, request, {
          action: 'admin.sla_policy.delete',
          entity: 'sla_policy',
          entityId: row!.id,
          data: { code: row!.code },
        });
      });
      return reply.code(204).send(null);
    },
  );
};
