import { inTenantTransaction } from '@samtal/db';
import { contributionKind, outcomeResponse } from '@samtal/domain';
import { invalidField } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { dialogueOf, dimensionsOf } from '../common.ts';
import { addContribution, staffContributionBody } from '../contributions.ts';
import { participationInDialogue } from '../participation.ts';
import { dialogueParams, problemResponse } from '../schemas.ts';
import { contributionFacts } from '../tallies.ts';

const contributionResponse = z.object({
  id: z.uuid(),
  source: z.enum(['participant', 'anonymous', 'facilitator']),
  kind: contributionKind,
  body: z.string(),
  themes: z.array(z.string()),
  language: z.string().nullable(),
  speakingSeconds: z.number().nullable(),
  response: outcomeResponse.nullable().describe('the strongest response an outcome has given it so far'),
  createdAt: z.string(),
});

export const contributionRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  const security = [{ staffSession: [] }];

  app.post(
    '/v1/dialogues/:dialogueId/contributions',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Record what a speaker said (while the dialogue is open)',
        tags: ['contributions'],
        security,
        params: dialogueParams,
        body: staffContributionBody,
        response: { 201: z.object({ id: z.uuid() }), 400: problemResponse, 409: problemResponse },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const dimensions = await dimensionsOf(db, staff.tenantId);
      const id = await inTenantTransaction(db, staff.tenantId, async (tx) => {
        const dialogue = await dialogueOf(tx, staff.tenantId, request.params.dialogueId, { lock: 'share' });
        const { participationId } = request.body;
        if (participationId && !(await participationInDialogue(tx, dialogue, participationId)))
          throw invalidField('participationId', 'is not a registered participant of this dialogue');
        return addContribution(tx, dialogue, dimensions, {
          ...request.body,
          source: 'facilitator',
          recordedBy: staff.userId,
        });
      });
      return reply.code(201).send({ id });
    },
  );

  app.get(
    '/v1/dialogues/:dialogueId/contributions',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: 'What was said, with the response outcomes gave it',
        tags: ['contributions'],
        security,
        params: dialogueParams,
        querystring: z.object({ theme: z.string().optional(), kind: contributionKind.optional() }),
        response: { 200: z.object({ contributions: z.array(contributionResponse) }), 404: problemResponse },
      },
    },
    async (request) => {
      const { tenantId } = staffOf(request);
      const dialogue = await dialogueOf(db, tenantId, request.params.dialogueId);
      const { theme, kind } = request.query;
      const facts = await contributionFacts(db, tenantId, [dialogue.id]);
      return {
        contributions: facts
          .filter((c) => (!theme || c.themes.includes(theme.toLowerCase())) && (!kind || c.kind === kind))
          .map((c) => ({
            id: c.id,
            source: c.source as 'participant' | 'anonymous' | 'facilitator',
            kind: c.kind as z.infer<typeof contributionKind>,
            body: c.body,
            themes: c.themes,
            language: c.language,
            speakingSeconds: c.speakingSeconds,
            response: c.response,
            createdAt: c.createdAt.toISOString(),
          })),
      };
    },
  );
};
