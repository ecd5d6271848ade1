import { inTenantTransaction, schema as s } from '@samtal/db';
import { dialogueStatus } from '@samtal/domain';
import { ConflictProblem, invalidField, UnprocessableProblem, ValidationProblem } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, asc, count, desc, eq, sum } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import {
  type DialogueRow,
  dialogueOf,
  dimensionsOf,
  groupProblems,
  iso,
  languageProblems,
  type TenantInfo,
  tenantById,
  wrongStatus,
} from '../common.ts';
import { allowedActions, type DialogueStatus, rules, transition } from '../lifecycle.ts';
import {
  createDialogueBody,
  type DialogueResponse,
  dialogueParams,
  dialogueResponse,
  problemResponse,
  type targetGroups as targetGroupsSchema,
  transitionBody,
  updateDialogueBody,
} from '../schemas.ts';

export function toDialogueResponse(row: DialogueRow): DialogueResponse {
  return {
    id: row.id,
    title: row.title,
    question: row.question,
    purpose: row.purpose,
    method: row.method as DialogueResponse['method'],
    status: row.status as DialogueStatus,
    allowedActions: row.isTemplate ? [] : allowedActions(row.status as DialogueStatus),
    targetGroups: row.targetGroups,
    sessions: row.sessions,
    partners: row.partners,
    languages: row.languages,
    methodDocumentation: row.methodDocumentation,
    translations: row.translations,
    venueTotal: row.venueTotal,
    isTemplate: row.isTemplate,
    templateId: row.templateId,
    openedAt: iso(row.openedAt),
    closedAt: iso(row.closedAt),
    reportedAt: iso(row.reportedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

async function validatePlan(
  db: RouteDeps['db'],
  tenant: TenantInfo,
  plan: {
    languages?: string[];
    targetGroups?: z.infer<typeof targetGroupsSchema>;
    translations?: Record<string, unknown>;
  },
): Promise<void> {
  const problems = [
    ...languageProblems(plan.languages ?? [], tenant, 'languages'),
    ...languageProblems(Object.keys(plan.translations ?? {}), tenant, 'translations'),
  ];
  if (plan.targetGroups) {
    const dimensions = await dimensionsOf(db, tenant.id);
    for (const [dimension, shares] of Object.entries(plan.targetGroups)) {
      const unknown = Object.keys(shares).flatMap((group) =>
        groupProblems({ [dimension]: group }, dimensions, 'targetGroups'),
      );
      problems.push(...unknown.slice(0, 1));
      const total = Object.values(shares).reduce((a, b) => a + b, 0);
      if (total > 1.0001)
        problems.push({
          field: `targetGroups.${dimension}`,
          message: `shares add up to ${total}, more than 1`,
        });
    }
  }
  if (problems.length) throw new ValidationProblem(problems);
}

/** Sum of the paper sign-in counts recorded for a dialogue. */
export async function aggregateTotal(db: RouteDeps['db'], tenantId: string, dialogueId: string) {
  const [row] = await db
    .select({ n: sum(s.participations.count).mapWith(Number) })
    .from(s.participations)
    .where(
      and(
        eq(s.participations.tenantId, tenantId),
        eq(s.participations.dialogueId, dialogueId),
        eq(s.participations.kind, 'aggregate'),
      ),
    );
  return row?.n ?? 0;
}

export const dialogueRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  const read = { preHandler: requirePermission('dialogues.read') };
  const write = { preHandler: requirePermission('dialogues.write') };
  const security = [{ staffSession: [] }];

  app.get(
    '/v1/dialogues',
    {
      ...read,
      schema: {
        summary: 'List dialogues',
        tags: ['dialogues'],
        security,
        querystring: z.object({ status: dialogueStatus.optional() }),
        response: { 200: z.object({ dialogues: z.array(dialogueResponse) }) },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const rows = await db
        .select()
        .from(s.dialogues)
        .where(
          and(
            eq(s.dialogues.tenantId, tenantId),
            eq(s.dialogues.isTemplate, false),
            request.query.status ? eq(s.dialogues.status, request.query.status) : undefined,
          ),
        )
        .orderBy(desc(s.dialogues.createdAt));
      return { dialogues: rows.map(toDialogueResponse) };
    },
  );

  app.post(
    '/v1/dialogues',
    {
      ...write,
      schema: {
        summary: 'Plan a dialogue (optionally from a template)',
        tags: ['dialogues'],
        security,
        body: createDialogueBody,
        response: { 201: dialogueResponse, 400: problemResponse, 404: problemResponse },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const tenant = await tenantById(db, staff.tenantId);
      const { templateId, ...body } = request.body;
      const template = templateId
        ? await dialogueOf(db, tenant.id, templateId, { templates: true }).catch(() => {
            throw invalidField('templateId', 'no such template in this municipality');
          })
        : undefined;
      const plan = {
        title: body.title ?? template?.title,
        question: body.question ?? template?.question,
        purpose: body.purpose ?? template?.purpose,
        method: body.method ?? template?.method,
        languages: body.languages ?? template?.languages,
        targetGroups: body.targetGroups ?? template?.targetGroups ?? {},
        sessions: body.sessions ?? [],
        partners: body.partners ?? template?.partners ?? [],
        methodDocumentation: body.methodDocumentation ?? template?.methodDocumentation ?? {},
        translations: body.translations ?? template?.translations ?? {},
        venueTotal: body.venueTotal ?? null,
      };
      const missing = (['title', 'question', 'purpose', 'method', 'languages'] as const).filter(
        (k) => plan[k] === undefined,
      );
      if (missing.length)
        throw new ValidationProblem(missing.map((field) => ({ field, message: 'is required' })));
      await validatePlan(db, tenant, plan);
      const row = await inTenantTransaction(db, tenant.id, async (tx) => {
        const [created] = await tx
          .insert(s.dialogues)
          .values({
            ...plan,
            title: plan.title!,
            question: plan.question!,
            purpose: plan.purpose!,
            method: plan.method!,
            languages: plan.languages!,
            tenantId: tenant.id,
            templateId: template?.id ?? null,
            createdBy: staff.userId,
          })
          .returning();
        if (template) await copySurvey(tx, tenant.id, template.id, created!.id);
        return created!;
      });
      return reply.code(201).send(toDialogueResponse(row));
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId',
    {
      ...read,
      schema: {
        summary: 'One dialogue',
        tags: ['dialogues'],
        security,
        params: dialogueParams,
        response: { 200: dialogueResponse, 404: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      return toDialogueResponse(await dialogueOf(db, tenantId, request.params.dialogueId));
    },
  );

  app.patch(
    '/v1/dialogues/:dialogueId',
    {
      ...write,
      schema: {
        summary: 'Change the plan or document the method',
        description:
          'The plan can change while the dialogue is planned or open; the method documentation at any time.',
        tags: ['dialogues'],
        security,
        params: dialogueParams,
        body: updateDialogueBody,
        response: { 200: dialogueResponse, 400: problemResponse, 404: problemResponse, 409: problemResponse },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const tenant = await tenantById(db, staff.tenantId);
      const { methodDocumentation, ...plan } = request.body;
      await validatePlan(db, tenant, plan);
      const row = await inTenantTransaction(db, tenant.id, async (tx) => {
        const current = await dialogueOf(tx, tenant.id, request.params.dialogueId, { lock: true });
        const changesPlan = Object.values(plan).some((v) => v !== undefined);
        if (changesPlan && !rules.editPlan(current.status as DialogueStatus))
          throw wrongStatus(current.status, 'The plan can no longer change');
        if (plan.venueTotal !== undefined && plan.venueTotal !== null) {
          const counted = await aggregateTotal(tx, tenant.id, current.id);
          if (plan.venueTotal < counted)
            throw invalidField('venueTotal', `is less than the ${counted} people already counted`);
        }
        const [updated] = await tx
          .update(s.dialogues)
          .set({
            ...plan,
            ...(methodDocumentation
              ? { methodDocumentation: { ...current.methodDocumentation, ...methodDocumentation } }
              : {}),
          })
          .where(and(eq(s.dialogues.tenantId, tenant.id), eq(s.dialogues.id, current.id)))
          .returning();
        return updated!;
      });
      return toDialogueResponse(row);
    },
  );

  app.post(
    '/v1/dialogues/:dialogueId/transitions',
    {
      ...write,
      schema: {
        summary: 'Open, close or report (publish the outcomes of) a dialogue',
        tags: ['dialogues'],
        security,
        params: dialogueParams,
        body: transitionBody,
        response: { 200: dialogueResponse, 404: problemResponse, 409: problemResponse, 422: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const { action } = request.body;
      const row = await inTenantTransaction(db, tenantId, async (tx) => {
        const current = await dialogueOf(tx, tenantId, request.params.dialogueId, { lock: true });
        let next: DialogueStatus;
        try {
          next = transition(current.status as DialogueStatus, action);
        } catch (error) {
          throw new ConflictProblem((error as Error).message, {
            errors: [{ field: 'action', message: `not allowed while ${current.status}` }],
          });
        }
        if (action === 'report') {
          const [outcomes] = await tx
            .select({ n: count() })
            .from(s.outcomes)
            .where(and(eq(s.outcomes.tenantId, tenantId), eq(s.outcomes.dialogueId, current.id)));
          if (!outcomes?.n)
            throw new UnprocessableProblem('Record at least one outcome before reporting the dialogue', {
              errors: [{ field: 'action', message: 'no outcomes to publish' }],
            });
        }
        const now = new Date();
        const [updated] = await tx
          .update(s.dialogues)
          .set({
            status: next,
            ...(action === 'open' ? { openedAt: now } : {}),
            ...(action === 'close' ? { closedAt: now } : {}),
            ...(action === 'report' ? { reportedAt: now } : {}),
          })
          .where(and(eq(s.dialogues.tenantId, tenantId), eq(s.dialogues.id, current.id)))
          .returning();
        return updated!;
      });
      return toDialogueResponse(row);
    },
  );

  app.get(
    '/v1/dialogue-templates',
    {
      ...read,
      schema: {
        summary: 'Documented methods to start a new dialogue from',
        tags: ['dialogues'],
        security,
        response: { 200: z.object({ templates: z.array(dialogueResponse) }) },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const rows = await db
        .select()
        .from(s.dialogues)
        .where(and(eq(s.dialogues.tenantId, tenantId), eq(s.dialogues.isTemplate, true)))
        .orderBy(asc(s.dialogues.title));
      return { templates: rows.map(toDialogueResponse) };
    },
  );

  app.post(
    '/v1/dialogue-templates',
    {
      ...write,
      schema: {
        summary: 'Save a documented dialogue as a template',
        description:
          'Copies the method, its documentation, languages, target groups, partners and survey of a dialogue ' +
          'whose method has been documented (howItWasRun) into a reusable template.',
        tags: ['dialogues'],
        security,
        body: z.object({ fromDialogueId: z.uuid(), title: z.string().trim().min(1).max(300).optional() }),
        response: { 201: dialogueResponse, 400: problemResponse, 422: problemResponse },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const source = await dialogueOf(db, staff.tenantId, request.body.fromDialogueId).catch(() => {
        throw invalidField('fromDialogueId', 'no such dialogue in this municipality');
      });
      if (!source.methodDocumentation.howItWasRun)
        throw new UnprocessableProblem('Document how the dialogue was run before making it a template', {
          errors: [{ field: 'methodDocumentation.howItWasRun', message: 'is empty' }],
        });
      const row = await inTenantTransaction(db, staff.tenantId, async (tx) => {
        const [template] = await tx
          .insert(s.dialogues)
          .values({
            tenantId: staff.tenantId,
            title: request.body.title ?? source.title,
            question: source.question,
            purpose: source.purpose,
            method: source.method,
            targetGroups: source.targetGroups,
            partners: source.partners,
            languages: source.languages,
            methodDocumentation: source.methodDocumentation,
            translations: source.translations,
            isTemplate: true,
            templateId: source.id,
            createdBy: staff.userId,
          })
          .returning();
        await copySurvey(tx, staff.tenantId, source.id, template!.id);
        // The materials travel with the method: the template points at the same stored files.
        const materials = await tx
          .select()
          .from(s.attachments)
          .where(and(eq(s.attachments.tenantId, staff.tenantId), eq(s.attachments.dialogueId, source.id)));
        if (materials.length)
          await tx
            .insert(s.attachments)
            .values(materials.map(({ id: _, createdAt: __, ...a }) => ({ ...a, dialogueId: template!.id })));
        return template!;
      });
      return reply.code(201).send(toDialogueResponse(row));
    },
  );
};

/** Copies a dialogue's survey questions to another dialogue (templates carry their questionnaire). */
async function copySurvey(
  tx: Parameters<Parameters<RouteDeps['db']['transaction']>[0]>[0],
  tenantId: string,
  fromId: string,
  toId: string,
): Promise<void> {
  const questions = await tx
    .select()
    .from(s.surveyQuestions)
    .where(and(eq(s.surveyQuestions.tenantId, tenantId), eq(s.surveyQuestions.dialogueId, fromId)));
  if (!questions.length) return;
  await tx
    .insert(s.surveyQuestions)
    .values(questions.map(({ id: _, dialogueId: __, ...q }) => ({ ...q, dialogueId: toId })));
}
