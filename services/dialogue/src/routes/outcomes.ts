import { inTenantTransaction, schema as s } from '@samtal/db';
import { outcomeResponse } from '@samtal/domain';
import { NotFoundProblem } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { dialogueOf, iso, statusOf, tenantById, wrongStatus } from '../common.ts';
import { rules } from '../lifecycle.ts';
import {
  checkLinks,
  checkTexts,
  linksBody,
  outcomeBody,
  outcomeKind,
  outcomesOf,
  saveLinks,
} from '../outcomes.ts';
import { dialogueParams, problemResponse } from '../schemas.ts';

export const outcomeView = z.object({
  id: z.uuid(),
  kind: outcomeKind,
  titles: z.record(z.string(), z.string()),
  descriptions: z.record(z.string(), z.string()),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
  links: z.array(
    z.object({
      contributionId: z.uuid(),
      response: outcomeResponse,
      reason: z.string().nullable(),
      contribution: z.object({
        kind: z.string(),
        body: z.string(),
        themes: z.array(z.string()),
        language: z.string().nullable(),
      }),
    }),
  ),
});

const toView = (o: Awaited<ReturnType<typeof outcomesOf>>[number]): z.infer<typeof outcomeView> => ({
  ...o,
  kind: o.kind as z.infer<typeof outcomeKind>,
  decidedAt: iso(o.decidedAt),
  createdAt: o.createdAt.toISOString(),
});

export const outcomeRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  const security = [{ staffSession: [] }];

  app.post(
    '/v1/dialogues/:dialogueId/outcomes',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Record a decision or action, linked to the contributions it responds to',
        tags: ['outcomes'],
        security,
        params: dialogueParams,
        body: outcomeBody,
        response: { 201: outcomeView, 400: problemResponse, 409: problemResponse },
      },
    },
    async (request, reply) => {
      const { tenantId } = staffOf(request);
      const tenant = await tenantById(db, tenantId);
      checkTexts({ titles: request.body.titles, descriptions: request.body.descriptions }, tenant);
      const outcomeId = await inTenantTransaction(db, tenant.id, async (tx) => {
        const dialogue = await dialogueOf(tx, tenantId, request.params.dialogueId, { lock: true });
        if (!rules.respond(statusOf(dialogue)))
          throw wrongStatus(dialogue.status, 'Outcomes follow what was said; open the dialogue first');
        await checkLinks(tx, dialogue, request.body.links);
        const [outcome] = await tx
          .insert(s.outcomes)
          .values({
            tenantId,
            dialogueId: dialogue.id,
            kind: request.body.kind,
            titles: request.body.titles,
            descriptions: request.body.descriptions,
            decidedAt: request.body.decidedAt ? new Date(request.body.decidedAt) : null,
          })
          .returning({ id: s.outcomes.id });
        await saveLinks(tx, tenantId, outcome!.id, request.body.links);
        return outcome!.id;
      });
      const view = (await outcomesOf(db, tenantId, request.params.dialogueId)).find(
        (o) => o.id === outcomeId,
      )!;
      return reply.code(201).send(toView(view));
    },
  );

  app.post(
    '/v1/dialogues/:dialogueId/outcomes/:outcomeId/links',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Link more contributions to an outcome (or change a response)',
        tags: ['outcomes'],
        security,
        params: dialogueParams.extend({ outcomeId: z.uuid() }),
        body: linksBody,
        response: { 200: outcomeView, 400: problemResponse, 404: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      await inTenantTransaction(db, tenantId, async (tx) => {
        const dialogue = await dialogueOf(tx, tenantId, request.params.dialogueId, { lock: true });
        const [outcome] = await tx
          .select({ id: s.outcomes.id })
          .from(s.outcomes)
          .where(
            and(
              eq(s.outcomes.tenantId, tenantId),
              eq(s.outcomes.dialogueId, dialogue.id),
              eq(s.outcomes.id, request.params.outcomeId),
            ),
          );
        if (!outcome) throw new NotFoundProblem('No such outcome in this dialogue');
        await checkLinks(tx, dialogue, request.body.links);
        await saveLinks(tx, tenantId, outcome.id, request.body.links);
      });
      const view = (await outcomesOf(db, tenantId, request.params.dialogueId)).find(
        (o) => o.id === request.params.outcomeId,
      )!;
      return toView(view);
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId/outcomes',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: "A dialogue's outcomes with their linked contributions",
        tags: ['outcomes'],
        security,
        params: dialogueParams,
        response: { 200: z.object({ outcomes: z.array(outcomeView) }), 404: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const dialogue = await dialogueOf(db, tenantId, request.params.dialogueId);
      return { outcomes: (await outcomesOf(db, tenantId, dialogue.id)).map(toView) };
    },
  );
};
