import { inCaseTransaction } from '@samtal/cases';
import { schema } from '@samtal/db';
import { channel, openStatuses } from '@samtal/domain';
import { invalidField, NotFoundProblem } from '@samtal/http';
import { departmentQueueName } from '@samtal/queue';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, asc, eq, inArray, notInArray, or } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../app.ts';
import { writeAudit } from '../audit/log.ts';
import {
  assertNotClaimedByOther,
  auditSensitiveReads,
  capacityFor,
  readCase,
  visibleCases,
} from '../cases/access.ts';
import { createContactCase } from '../cases/create.ts';
import { assertActiveDepartments, contactCentreIds } from '../cases/departments.ts';
import { mergeCase } from '../cases/dispatch.ts';
import { changeCase } from '../cases/unit.ts';
import { caseSummary, summaries } from '../cases/views.ts';
import { asStaffTenant, guarded, idParam, paging, problems } from '../common.ts';

const changed = { ...guarded, ...problems(409) };
const agents = requirePermission('cases.agent');

const routeBody = z.object({
  leadDepartmentId: z.uuid(),
  assistingDepartmentIds: z.array(z.uuid()).max(20).default([]),
  reason: z.string().trim().max(2000).optional(),
});

const contactBody = z.object({
  channel: channel.extract(['phone', 'walk_in']),
  categoryCode: z.string().min(1).max(100),
  description: z.string().trim().min(1).max(10_000),
  language: z.string().max(20).optional(),
  address: z.string().max(500).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  attributes: z
    .record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(200)).max(50)]))
    .default({}),
  contact: z
    .object({
      name: z.string().max(200).optional(),
      email: z.email().max(320).optional(),
      phone: z.string().max(40).optional(),
    })
    .default({}),
  dispatch: z
    .boolean()
    .default(true)
    .describe('Hand the case to the routing rules (false: the agent answers or routes it herself)'),
});

const contactCreated = z.object({
  case: caseSummary,
  /** Read out to the resident: they follow the case with it. */
  trackingCode: z.string(),
  /** Shown once, for a resident who wants to follow the case on the web. */
  accessToken: z.string(),
});

/** The contact centre's work: the live queue, routing, phone and walk-in contacts, merging duplicates. */
export const agentRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const { writer } = deps;
  const db = deps.db.db;
  const c = schema.cases;

  app.get(
    '/v1/agent/queue',
    {
      onRequest: agents,
      schema: {
        summary: 'The contact centre’s queue: new and returned cases, and cases in triage, with claims',
        tags: ['agent'],
        querystring: paging,
        response: { 200: z.object({ items: z.array(caseSummary) }), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const triage = await contactCentreIds(db, staff.tenantId);
      const waiting = inArray(c.status, ['new', 'returned']);
      const inTriage = triage.length
        ? and(inArray(c.leadDepartmentId, triage), inArray(c.status, [...openStatuses]))
        : undefined;
      return asStaffTenant(db, request, async (tx) => {
        const rows = await tx
          .select()
          .from(c)
          .where(and(visibleCases(staff), inTriage ? or(waiting, inTriage) : waiting))
          .orderBy(asc(c.createdAt), asc(c.id))
          .limit(request.query.limit)
          .offset(request.query.offset);
        await auditSensitiveReads(tx, request, rows, 'agent_queue');
        return { items: await summaries(tx, staff.tenantId, rows) };
      });
    },
  );

  app.post(
    '/v1/cases/:id/route',
    {
      onRequest: agents,
      schema: {
        summary: 'Route or transfer a case to a lead department, with assisting departments',
        tags: ['agent'],
        params: idParam,
        body: routeBody,
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.route', async (unit, { row }) => {
        const staff = staffOf(request);
        capacityFor(staff, row, ['agent']);
        await assertNotClaimedByOther(unit.tx, staff, row);
        const { leadDepartmentId, reason } = request.body;
        const assisting = [...new Set(request.body.assistingDepartmentIds)].filter(
          (d) => d !== leadDepartmentId,
        );
        await assertActiveDepartments(unit.tx, staff.tenantId, {
          leadDepartmentId,
          ...Object.fromEntries(assisting.map((id, i) => [`assistingDepartmentIds.${i}`, id])),
        });
        const { after } = await unit.act({
          tenantId: staff.tenantId,
          caseId: row.id,
          action: 'route',
          actor: { kind: 'staff', id: staff.userId },
          data: {
            via: 'agent',
            leadDepartmentId,
            assistingDepartmentIds: assisting,
            previousLeadDepartmentId: row.leadDepartmentId,
            ...(reason ? { reason } : {}),
          },
          // The case leaves the agent's hands: the department claims it anew.
          patch: { leadDepartmentId, claimedBy: null, claimedAt: null },
        });
        const cad = schema.caseAssistingDepartments;
        const scope = and(eq(cad.tenantId, staff.tenantId), eq(cad.caseId, row.id));
        // Departments that stay on keep what they already contributed.
        await unit.tx
          .delete(cad)
          .where(assisting.length ? and(scope, notInArray(cad.departmentId, assisting)) : scope);
        if (assisting.length) {
          await unit.tx
            .insert(cad)
            .values(
              assisting.map((departmentId) => ({ tenantId: staff.tenantId, caseId: row.id, departmentId })),
            )
            .onConflictDoNothing();
        }
        await unit.enqueue(
          [
            { departmentId: leadDepartmentId, role: 'lead' as const },
            ...assisting.map((departmentId) => ({ departmentId, role: 'assisting' as const })),
          ].map(({ departmentId, role }) => ({
            tenantId: staff.tenantId,
            queue: departmentQueueName(departmentId),
            payload: { tenantId: staff.tenantId, caseId: row.id, departmentId, role },
          })),
        );
        return {
          result: (await summaries(unit.tx, staff.tenantId, [after]))[0]!,
          audit: { leadDepartmentId, assistingDepartmentIds: assisting },
        };
      }),
  );

  app.post(
    '/v1/agent/contacts',
    {
      onRequest: agents,
      schema: {
        summary: 'Register a phone call or walk-in visit as a case (channel recorded)',
        tags: ['agent'],
        body: contactBody,
        response: { 201: contactCreated, ...guarded },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const body = request.body;
      const created = await inCaseTransaction(writer, staff.tenantId, async (unit) => {
        const { row, accessToken } = await createContactCase(unit, {
          tenantId: staff.tenantId,
          channel: body.channel,
          categoryCode: body.categoryCode,
          description: body.description,
          language: body.language,
          address: body.address,
          latitude: body.latitude,
          longitude: body.longitude,
          attributes: body.attributes,
          contact: body.contact,
          agentId: staff.userId,
          dispatch: body.dispatch,
        });
        await writeAudit(unit.tx, request, {
          action: 'case.register_contact',
          entity: 'case',
          entityId: row.id,
          data: { channel: body.channel, categoryCode: body.categoryCode },
        });
        return {
          case: (await summaries(unit.tx, staff.tenantId, [row]))[0]!,
          trackingCode: row.trackingCode,
          accessToken,
        };
      });
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/v1/cases/:id/merge',
    {
      onRequest: agents,
      schema: {
        summary: 'Merge this case, a duplicate, into its parent case',
        tags: ['agent'],
        params: idParam,
        body: z.object({ parentCaseId: z.uuid() }),
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.merge', async (unit, { row }) => {
        const staff = staffOf(request);
        capacityFor(staff, row, ['agent']);
        await assertNotClaimedByOther(unit.tx, staff, row);
        // The parent must be a case this agent may see, too.
        await readCase(unit.tx, request, request.body.parentCaseId).catch((error) => {
          throw error instanceof NotFoundProblem
            ? invalidField('parentCaseId', 'is not a case you can see')
            : error;
        });
        const { after } = await mergeCase(unit, {
          tenantId: staff.tenantId,
          duplicateId: row.id,
          parentId: request.body.parentCaseId,
          actor: { kind: 'staff', id: staff.userId },
        });
        return {
          result: (await summaries(unit.tx, staff.tenantId, [after]))[0]!,
          audit: { parentCaseId: request.body.parentCaseId },
        };
      }),
  );
};
