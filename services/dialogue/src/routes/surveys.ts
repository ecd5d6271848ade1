import { inTenantTransaction, schema as s } from '@samtal/db';
import { invalidField } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, eq, max } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { dialogueOf, dimensionsOf, statusOf, tenantById, wrongStatus } from '../common.ts';
import { rules } from '../lifecycle.ts';
import { dialogueParams, problemResponse } from '../schemas.ts';
import { surveyResults, surveyResultsResponse } from '../survey-results.ts';
import {
  groupNamesOf,
  optionsOf,
  prepareQuestion,
  questionBody,
  questionKind,
  questionsOf,
} from '../surveys.ts';

const questionResponse = z.object({
  id: z.uuid(),
  position: z.number(),
  kind: questionKind,
  prompts: z.record(z.string(), z.string()),
  options: z.array(z.object({ key: z.string(), names: z.record(z.string(), z.string()) })),
  scaleMin: z.number().nullable(),
  scaleMax: z.number().nullable(),
  required: z.boolean(),
  demographicDimension: z.string().nullable(),
});

export const surveyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  const security = [{ staffSession: [] }];

  app.post(
    '/v1/dialogues/:dialogueId/survey/questions',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Add a survey question (while the dialogue is planned)',
        tags: ['surveys'],
        security,
        params: dialogueParams,
        body: questionBody,
        response: { 201: questionResponse, 400: problemResponse, 409: problemResponse },
      },
    },
    async (request, reply) => {
      const { tenantId } = staffOf(request);
      const tenant = await tenantById(db, tenantId);
      const dimensions = await dimensionsOf(db, tenantId);
      const values = prepareQuestion(request.body, dimensions, tenant.defaultLanguage);
      const row = await inTenantTransaction(db, tenant.id, async (tx) => {
        const dialogue = await dialogueOf(tx, tenantId, request.params.dialogueId, { lock: true });
        if (!rules.editSurvey(statusOf(dialogue)))
          throw wrongStatus(dialogue.status, 'Questions are settled before the dialogue opens');
        if (values.demographicDimension) {
          const existing = await questionsOf(tx, tenantId, dialogue.id);
          if (existing.some((q) => q.demographicDimension === values.demographicDimension))
            throw invalidField('demographicDimension', 'this survey already asks about it');
        }
        const [last] = await tx
          .select({ position: max(s.surveyQuestions.position) })
          .from(s.surveyQuestions)
          .where(
            and(eq(s.surveyQuestions.tenantId, tenantId), eq(s.surveyQuestions.dialogueId, dialogue.id)),
          );
        const [created] = await tx
          .insert(s.surveyQuestions)
          .values({ ...values, tenantId, dialogueId: dialogue.id, position: (last?.position ?? 0) + 1 })
          .returning();
        return created!;
      });
      const names = await groupNamesOf(db, tenantId);
      return reply.code(201).send({
        ...row,
        kind: row.kind as z.infer<typeof questionKind>,
        options: optionsOf(row, dimensions, names),
      });
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId/survey',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: "The dialogue's questionnaire",
        tags: ['surveys'],
        security,
        params: dialogueParams,
        response: { 200: z.object({ questions: z.array(questionResponse) }), 404: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const dialogue = await dialogueOf(db, tenantId, request.params.dialogueId);
      const dimensions = await dimensionsOf(db, tenantId);
      const names = await groupNamesOf(db, tenantId);
      const rows = await questionsOf(db, tenantId, dialogue.id);
      return {
        questions: rows.map((q) => ({
          ...q,
          kind: q.kind as z.infer<typeof questionKind>,
          options: optionsOf(q, dimensions, names),
        })),
      };
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId/survey/results',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: 'Results per question, overall and per group of one dimension (small cells suppressed)',
        tags: ['surveys'],
        security,
        params: dialogueParams,
        querystring: z.object({ by: z.string().min(1).max(40).default('gender') }),
        response: { 200: surveyResultsResponse, 400: problemResponse, 404: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const tenant = await tenantById(db, tenantId);
      const dialogue = await dialogueOf(db, tenantId, request.params.dialogueId);
      const dimensions = await dimensionsOf(db, tenantId);
      if (!dimensions.has(request.query.by))
        throw invalidField('by', `must be one of ${[...dimensions.keys()].join(', ')}`);
      return surveyResults(db, tenant, dialogue, dimensions, request.query.by, { freeText: true });
    },
  );
};
