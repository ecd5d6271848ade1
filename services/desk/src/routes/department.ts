import { schema } from '@samtal/db';
import { openStatuses } from '@samtal/domain';
import { ForbiddenProblem, invalidField, NotFoundProblem } from '@samtal/http';
import { can, requirePermission, staffOf } from '@samtal/staff-auth';
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../app.ts';
import { assertNotClaimedByOther, auditSensitiveReads, capacityFor, visibleCases } from '../cases/access.ts';
import { returnCase } from '../cases/dispatch.ts';
import { changeCase } from '../cases/unit.ts';
import { caseSummary, summaries } from '../cases/views.ts';
import { asStaffTenant, guarded, idParam, paging, problems } from '../common.ts';

const changed = { ...guarded, ...problems(409) };
const officers = requirePermission('cases.department');

const queueItem = caseSummary.extend({ role: z.enum(['lead', 'assisting']) });

/** A department's work: its queue; accept or return; contributions of assisting departments. */
export const departmentRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const { writer } = deps;
  const db = deps.db.db;
  const c = schema.cases;
  const cad = schema.caseAssistingDepartments;

  app.get(
    '/v1/departments/:id/queue',
    {
      onRequest: officers,
      schema: {
        summary: 'A department’s queue: open cases it leads or assists on (members only)',
        tags: ['department'],
        params: idParam,
        querystring: paging,
        response: { 200: z.object({ items: z.array(queueItem) }), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const departmentId = request.params.id;
      const [department] = await db
        .select({ id: schema.departments.id })
        .from(schema.departments)
        .where(and(eq(schema.departments.tenantId, staff.tenantId), eq(schema.departments.id, departmentId)));
      if (!department) throw new NotFoundProblem('No such department');
      if (!staff.departmentIds.includes(departmentId) && !can(staff.roles, 'cases.any_department')) {
        throw new ForbiddenProblem('You are not a member of this department');
      }
      const assists = sql`exists (select 1 from ${cad} where ${cad.tenantId} = ${c.tenantId}
        and ${cad.caseId} = ${c.id} and ${cad.departmentId} = ${departmentId})`;
      const items = await asStaffTenant(db, request, async (tx) => {
        const rows = await tx
          .select()
          .from(c)
          .where(
            and(
              visibleCases(staff),
              inArray(c.status, [...openStatuses]),
              or(eq(c.leadDepartmentId, departmentId), assists),
            ),
          )
          .orderBy(asc(c.createdAt), asc(c.id))
          .limit(request.query.limit)
          .offset(request.query.offset);
        await auditSensitiveReads(tx, request, rows, 'department_queue');
        return summaries(tx, staff.tenantId, rows);
      });
      return {
        items: items.map((item) => ({
          ...item,
          role: item.leadDepartmentId === departmentId ? ('lead' as const) : ('assisting' as const),
        })),
      };
    },
  );

  app.post(
    '/v1/cases/:id/accept',
    {
      onRequest: officers,
      schema: {
        summary: 'The lead department accepts a routed case',
        tags: ['department'],
        params: idParam,
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.accept', async (unit, { row }) => {
        const staff = staffOf(request);
        capacityFor(staff, row, ['department']);
        await assertNotClaimedByOther(unit.tx, staff, row);
        const { after } = await unit.act({
          tenantId: staff.tenantId,
          caseId: row.id,
          action: 'accept',
          actor: { kind: 'staff', id: staff.userId },
          data: { departmentId: row.leadDepartmentId },
        });
        return { result: (await summaries(unit.tx, staff.tenantId, [after]))[0]!, audit: {} };
      }),
  );

  app.post(
    '/v1/cases/:id/return',
    {
      onRequest: officers,
      schema: {
        summary: 'The lead department returns a mis-routed case, with a reason (within the return limit)',
        tags: ['department'],
        params: idParam,
        body: z.object({
          reason: z.string().trim().min(1).max(2000),
          suggestedDepartmentId: z.uuid().optional().describe('Where it belongs; without it, back to triage'),
        }),
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.return', async (unit, { row }) => {
        const staff = staffOf(request);
        capacityFor(staff, row, ['department']);
        await assertNotClaimedByOther(unit.tx, staff, row);
        const { after } = await returnCase(unit, {
          tenantId: staff.tenantId,
          caseId: row.id,
          departmentId: row.leadDepartmentId!,
          reason: request.body.reason,
          suggestedDepartmentId: request.body.suggestedDepartmentId ?? null,
          actor: { kind: 'staff', id: staff.userId },
        });
        return {
          result: (await summaries(unit.tx, staff.tenantId, [after]))[0]!,
          // The reason is free text that may describe the resident: it stays in the case event, where
          // retention and erasure redact it, and the audit log keeps only that there was one.
          audit: {
            reasonLength: request.body.reason.length,
            suggestedDepartmentId: request.body.suggestedDepartmentId ?? null,
          },
        };
      }),
  );

  app.put(
    '/v1/cases/:id/contributions/:departmentId',
    {
      onRequest: officers,
      schema: {
        summary: 'An assisting department’s contribution to the lead’s case (the lead answers the resident)',
        tags: ['department'],
        params: idParam.extend({ departmentId: z.uuid() }),
        body: z.object({ contribution: z.string().trim().min(1).max(20_000) }),
        response: {
          200: z.object({
            departmentId: z.uuid(),
            contribution: z.string(),
            contributedAt: z.iso.datetime(),
          }),
          ...changed,
        },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.contribute', async (unit, { row, assisting }) => {
        const staff = staffOf(request);
        const { departmentId } = request.params;
        if (!assisting.includes(departmentId)) {
          throw invalidField('departmentId', 'is not an assisting department of this case');
        }
        if (!staff.departmentIds.includes(departmentId) && !can(staff.roles, 'cases.any_department')) {
          throw new ForbiddenProblem('You are not a member of this department');
        }
        const now = new Date();
        await unit.tx
          .update(cad)
          .set({ contribution: request.body.contribution, contributedAt: now })
          .where(
            and(eq(cad.tenantId, staff.tenantId), eq(cad.caseId, row.id), eq(cad.departmentId, departmentId)),
          );
        await unit.record([
          {
            tenantId: staff.tenantId,
            caseId: row.id,
            type: 'contribution_added',
            actor: { kind: 'staff', id: staff.userId },
            data: { departmentId },
          },
        ]);
        return {
          result: { departmentId, contribution: request.body.contribution, contributedAt: now.toISOString() },
          audit: { departmentId },
        };
      }),
  );
};
