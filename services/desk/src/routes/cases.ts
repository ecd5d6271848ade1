import { type CaseUnit, inCaseTransaction } from '@samtal/cases';
import { schema } from '@samtal/db';
import { caseStatus, openStatuses } from '@samtal/domain';
import { ConflictProblem } from '@samtal/http';
import { requirePermission, type StaffPrincipal, staffOf } from '@samtal/staff-auth';
import { and, asc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeskDeps } from '../app.ts';
import { writeAudit } from '../audit/log.ts';
import {
  assertNotClaimedByOther,
  auditSensitiveReads,
  ClaimedByOtherProblem,
  capacityFor,
  claimantOf,
  readCase,
  visibleCases,
} from '../cases/access.ts';
import { contactCentreIds } from '../cases/departments.ts';
import { notifyResident, writeMessage } from '../cases/replies.ts';
import { changeCase } from '../cases/unit.ts';
import { caseDetail, caseMessage, caseSummary, detailOf, summaries } from '../cases/views.ts';
import { asStaffTenant, guarded, idParam, paging, problems, requireAnyPermission } from '../common.ts';

const changed = { ...guarded, ...problems(409) };
const handlers = requireAnyPermission('cases.agent', 'cases.department');
const text = (max: number) => z.string().trim().min(1).max(max);

const replyBody = z.object({
  body: text(20_000),
  knowledgeArticleId: z.uuid().optional().describe('The knowledge-base article the reply was built on'),
});
const messageResult = z.object({ message: caseMessage, firstResponse: z.boolean() });

const resolveBody = z.object({
  resolutionCode: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, 'must be a short code: a–z, 0–9, _ and -')
    .describe('e.g. answered, fixed, referred, not_municipal'),
  message: text(20_000).optional().describe('A closing message to the resident'),
});

const listQuery = paging.extend({
  status: caseStatus.optional(),
  trackingCode: z.string().max(20).optional(),
  departmentId: z.uuid().optional(),
});

const toMessage = (m: typeof schema.messages.$inferSelect) => ({
  id: m.id,
  direction: m.direction,
  body: m.body,
  authorStaffId: m.authorStaffId,
  departmentId: m.departmentId,
  knowledgeArticleId: m.knowledgeArticleId,
  createdAt: m.createdAt.toISOString(),
});

/** Accepts a routed case first where an action needs the case in hand (resolve, ask the resident). */
async function acceptIfRouted(unit: CaseUnit, staff: StaffPrincipal, caseId: string, status: string) {
  if (status !== 'routed') return;
  await unit.act({
    tenantId: staff.tenantId,
    caseId,
    action: 'accept',
    actor: { kind: 'staff', id: staff.userId },
    data: { implicit: true },
  });
}

/** Cases in general: read, claim and release, write to the resident, notes, resolve, ask for information. */
export const caseRoutes: FastifyPluginAsyncZod<DeskDeps> = async (app, deps) => {
  const { writer } = deps;
  const db = deps.db.db;
  const c = schema.cases;

  app.get(
    '/v1/cases',
    {
      onRequest: requirePermission('cases.read'),
      schema: {
        summary: 'Cases the signed-in staff member may see',
        tags: ['cases'],
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(caseSummary) }), ...guarded },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const q = request.query;
      const where: SQL[] = [visibleCases(staff)];
      if (q.status) where.push(eq(c.status, q.status));
      if (q.trackingCode) where.push(eq(c.trackingCode, q.trackingCode.toUpperCase()));
      if (q.departmentId) where.push(eq(c.leadDepartmentId, q.departmentId));
      return asStaffTenant(db, request, async (tx) => {
        const rows = await tx
          .select()
          .from(c)
          .where(and(...where))
          .orderBy(asc(c.createdAt), asc(c.id))
          .limit(q.limit)
          .offset(q.offset);
        await auditSensitiveReads(tx, request, rows, 'list');
        return { items: await summaries(tx, staff.tenantId, rows) };
      });
    },
  );

  app.get(
    '/v1/cases/:id',
    {
      onRequest: requirePermission('cases.read'),
      schema: {
        summary: 'One case with its messages, history and assisting departments',
        tags: ['cases'],
        params: idParam,
        response: { 200: caseDetail, ...guarded },
      },
    },
    async (request) => {
      return asStaffTenant(db, request, async (tx) => {
        const { row } = await readCase(tx, request, request.params.id);
        return detailOf(tx, row);
      });
    },
  );

  app.post(
    '/v1/cases/:id/claim',
    {
      onRequest: handlers,
      schema: {
        summary: 'Claim a case (exactly one of several staff claiming at once wins)',
        description: 'A 409 names who has the case. Claiming one’s own claim again is a no-op.',
        tags: ['cases'],
        params: idParam,
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const caseId = request.params.id;
      return inCaseTransaction(writer, staff.tenantId, async (unit) => {
        // The atomic part: only a row nobody has claimed is updated; concurrent claimers queue on the
        // row lock and see it claimed when their turn comes.
        const [won] = await unit.tx
          .update(c)
          .set({ claimedBy: staff.userId, claimedAt: new Date() })
          .where(
            and(
              eq(c.id, caseId),
              isNull(c.claimedBy),
              inArray(c.status, [...openStatuses]),
              visibleCases(staff),
            ),
          )
          .returning();
        if (!won) {
          const { row } = await readCase(unit.tx, request, caseId);
          if (row.claimedBy === staff.userId) return (await summaries(unit.tx, staff.tenantId, [row]))[0]!;
          if (row.claimedBy)
            throw new ClaimedByOtherProblem(await claimantOf(unit.tx, staff.tenantId, row.claimedBy));
          throw new ConflictProblem(`A case that is ${row.status} cannot be claimed`);
        }
        await unit.record([
          { tenantId: staff.tenantId, caseId, type: 'claimed', actor: { kind: 'staff', id: staff.userId } },
        ]);
        await writeAudit(unit.tx, request, { action: 'case.claim', entity: 'case', entityId: caseId });
        return (await summaries(unit.tx, staff.tenantId, [won]))[0]!;
      });
    },
  );

  app.post(
    '/v1/cases/:id/release',
    {
      onRequest: handlers,
      schema: {
        summary: 'Release one’s claim on a case (supervisors may release anyone’s)',
        tags: ['cases'],
        params: idParam,
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.release', async (unit, { row }) => {
        const staff = staffOf(request);
        await assertNotClaimedByOther(unit.tx, staff, row);
        if (!row.claimedBy) return { result: (await summaries(unit.tx, staff.tenantId, [row]))[0]! };
        const [after] = await unit.tx
          .update(c)
          .set({ claimedBy: null, claimedAt: null })
          .where(and(eq(c.tenantId, staff.tenantId), eq(c.id, row.id)))
          .returning();
        await unit.record([
          {
            tenantId: staff.tenantId,
            caseId: row.id,
            type: 'released',
            actor: { kind: 'staff', id: staff.userId },
            data: { claimedBy: row.claimedBy },
          },
        ]);
        return {
          result: (await summaries(unit.tx, staff.tenantId, [after!]))[0]!,
          audit: { claimedBy: row.claimedBy },
        };
      }),
  );

  /** A reply or a progress update: what the resident reads; the lead department or an agent writes it. */
  const postReply = (
    request: FastifyRequest,
    caseId: string,
    body: z.infer<typeof replyBody>,
    kind: 'reply' | 'progress',
  ) =>
    changeCase(writer, request, caseId, `case.${kind}`, async (unit, { row }) => {
      const staff = staffOf(request);
      const capacity = capacityFor(staff, row, ['agent', 'department']);
      await assertNotClaimedByOther(unit.tx, staff, row);
      if (row.status === 'merged') throw new ConflictProblem('A merged case is answered through its parent');
      if (kind === 'progress') {
        await acceptIfRouted(unit, staff, row.id, row.status);
        const status = row.status === 'routed' ? 'accepted' : row.status;
        if (status === 'accepted' || status === 'reopened') {
          await unit.act({
            tenantId: staff.tenantId,
            caseId: row.id,
            action: 'start',
            actor: { kind: 'staff', id: staff.userId },
          });
        }
      }
      const departmentId = capacity === 'department' ? row.leadDepartmentId : null;
      const written = await writeMessage(
        unit,
        staff,
        row,
        { direction: 'to_resident', ...body },
        departmentId,
      );
      await unit.record([
        {
          tenantId: staff.tenantId,
          caseId: row.id,
          type: kind === 'reply' ? 'replied' : 'progress_reported',
          actor: { kind: 'staff', id: staff.userId },
          visibility: 'public',
          data: { messageId: written.message.id, departmentId },
        },
      ]);
      await notifyResident(unit, row, 'reply', written.message.id);
      return {
        result: { message: toMessage(written.message), firstResponse: written.firstResponse },
        audit: { messageId: written.message.id },
      };
    });

  app.post(
    '/v1/cases/:id/replies',
    {
      onRequest: handlers,
      schema: {
        summary: 'Reply to the resident (agents, or the lead department)',
        tags: ['cases'],
        params: idParam,
        body: replyBody,
        response: { 201: messageResult, ...changed },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await postReply(request, request.params.id, request.body, 'reply')),
  );

  app.post(
    '/v1/cases/:id/progress',
    {
      onRequest: requirePermission('cases.department'),
      schema: {
        summary: 'A progress update to the resident from the lead department (starts work on the case)',
        tags: ['department'],
        params: idParam,
        body: replyBody,
        response: { 201: messageResult, ...changed },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await postReply(request, request.params.id, request.body, 'progress')),
  );

  app.post(
    '/v1/cases/:id/notes',
    {
      onRequest: handlers,
      schema: {
        summary: 'An internal note (never shown to the resident)',
        tags: ['cases'],
        params: idParam,
        body: z.object({ body: text(20_000) }),
        response: { 201: messageResult, ...changed },
      },
    },
    async (request, reply) => {
      const result = await changeCase(
        writer,
        request,
        request.params.id,
        'case.note',
        async (unit, { row }) => {
          const staff = staffOf(request);
          const departmentId =
            row.leadDepartmentId && staff.departmentIds.includes(row.leadDepartmentId)
              ? row.leadDepartmentId
              : null;
          const written = await writeMessage(
            unit,
            staff,
            row,
            { direction: 'internal_note', body: request.body.body },
            departmentId,
          );
          await unit.record([
            {
              tenantId: staff.tenantId,
              caseId: row.id,
              type: 'note_added',
              actor: { kind: 'staff', id: staff.userId },
              data: { messageId: written.message.id },
            },
          ]);
          return {
            result: { message: toMessage(written.message), firstResponse: false },
            audit: { messageId: written.message.id },
          };
        },
      );
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/v1/cases/:id/resolve',
    {
      onRequest: handlers,
      schema: {
        summary: 'Resolve with a resolution code (by an agent before routing: first-contact resolution)',
        tags: ['cases'],
        params: idParam,
        body: resolveBody,
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.resolve', async (unit, { row }) => {
        const staff = staffOf(request);
        const capacity = capacityFor(staff, row, ['agent', 'department']);
        await assertNotClaimedByOther(unit.tx, staff, row);
        const triage = await contactCentreIds(unit.tx, staff.tenantId);
        // Answered by the contact centre without ever reaching a handling department.
        const firstContact =
          capacity === 'agent' &&
          row.returnCount === 0 &&
          (row.leadDepartmentId == null || triage.includes(row.leadDepartmentId));
        await acceptIfRouted(unit, staff, row.id, row.status);
        let messageId: string | undefined;
        if (request.body.message) {
          const departmentId = capacity === 'department' ? row.leadDepartmentId : null;
          const written = await writeMessage(
            unit,
            staff,
            row,
            { direction: 'to_resident', body: request.body.message },
            departmentId,
          );
          messageId = written.message.id;
        }
        const { after } = await unit.act({
          tenantId: staff.tenantId,
          caseId: row.id,
          action: 'resolve',
          actor: { kind: 'staff', id: staff.userId },
          data: {
            resolutionCode: request.body.resolutionCode,
            firstContactResolution: firstContact,
            messageId,
          },
          patch: { resolutionCode: request.body.resolutionCode, firstContactResolution: firstContact },
        });
        await notifyResident(unit, row, 'resolution', messageId);
        return {
          result: (await summaries(unit.tx, staff.tenantId, [after]))[0]!,
          audit: { resolutionCode: request.body.resolutionCode, firstContactResolution: firstContact },
        };
      }),
  );

  app.post(
    '/v1/cases/:id/request-information',
    {
      onRequest: handlers,
      schema: {
        summary: 'Ask the resident for information (pauses the SLA clock until they answer)',
        tags: ['cases'],
        params: idParam,
        body: z.object({ question: text(20_000) }),
        response: { 200: caseSummary, ...changed },
      },
    },
    async (request) =>
      changeCase(writer, request, request.params.id, 'case.request_information', async (unit, { row }) => {
        const staff = staffOf(request);
        const capacity = capacityFor(staff, row, ['agent', 'department']);
        await assertNotClaimedByOther(unit.tx, staff, row);
        await acceptIfRouted(unit, staff, row.id, row.status);
        const departmentId = capacity === 'department' ? row.leadDepartmentId : null;
        const written = await writeMessage(
          unit,
          staff,
          row,
          { direction: 'to_resident', body: request.body.question },
          departmentId,
        );
        const { after } = await unit.act({
          tenantId: staff.tenantId,
          caseId: row.id,
          action: 'request_information',
          actor: { kind: 'staff', id: staff.userId },
          data: { messageId: written.message.id },
        });
        await notifyResident(unit, row, 'information_request', written.message.id);
        return {
          result: (await summaries(unit.tx, staff.tenantId, [after]))[0]!,
          audit: { messageId: written.message.id },
        };
      }),
  );
};
