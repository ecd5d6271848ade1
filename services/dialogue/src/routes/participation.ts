import { inTenantTransaction, schema as s } from '@samtal/db';
import { ValidationProblem } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { dialogueOf, dimensionsOf, groupProblems, knownGroups, statusOf, wrongStatus } from '../common.ts';
import { rules } from '../lifecycle.ts';
import { registerIndividual, registrationBody } from '../participation.ts';
import { dialogueParams, groupsMap, problemResponse } from '../schemas.ts';
import { participationTally } from '../tallies.ts';

export const countsBody = z.object({
  /**
   * The whole sign-in sheet tally, replacing any earlier one (so sending it twice counts it once).
   * Each row is a number of people sharing the groups it names; one person belongs to one row.
   */
  rows: z
    .array(
      z.object({
        groups: groupsMap,
        count: z.int().min(0, 'must not be negative').max(1_000_000),
      }),
    )
    .max(500),
});

const sheetRow = z.object({ groups: z.record(z.string(), z.string()), count: z.number() });
const participationSummary = z.object({
  total: z.number().describe('everyone, counted once: registered individuals plus sign-in sheet counts'),
  registered: z.number(),
  counted: z.number(),
  venueTotal: z.number().nullable(),
  sheet: z.array(sheetRow),
});

export const participationRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  const security = [{ staffSession: [] }];

  const summary = async (tenantId: string, dialogueId: string) => {
    const dialogue = await dialogueOf(db, tenantId, dialogueId);
    const dimensions = await dimensionsOf(db, tenantId);
    const tally = await participationTally(db, tenantId, [dialogue.id], dimensions);
    const sheet = await db
      .select({ groups: s.participations.groups, count: s.participations.count })
      .from(s.participations)
      .where(
        and(
          eq(s.participations.tenantId, tenantId),
          eq(s.participations.dialogueId, dialogue.id),
          eq(s.participations.kind, 'aggregate'),
        ),
      )
      .orderBy(asc(s.participations.createdAt));
    return {
      total: tally.total,
      registered: tally.registered,
      counted: tally.counted,
      venueTotal: dialogue.venueTotal,
      sheet,
    };
  };

  app.get(
    '/v1/dialogues/:dialogueId/participation',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: 'How many took part (totals; per-group reach is under /indicators)',
        tags: ['participation'],
        security,
        params: dialogueParams,
        response: { 200: participationSummary, 404: problemResponse },
      },
    },
    async (request) => summary(staffOf(request).tenantId, request.params.dialogueId),
  );

  app.post(
    '/v1/dialogues/:dialogueId/participants',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Register an individual participant (e.g. at the door)',
        tags: ['participation'],
        security,
        params: dialogueParams,
        body: registrationBody,
        response: {
          201: z.object({ participationId: z.uuid(), participantToken: z.string() }),
          400: problemResponse,
          409: problemResponse,
        },
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const dimensions = await dimensionsOf(db, staff.tenantId);
      const result = await inTenantTransaction(db, staff.tenantId, async (tx) => {
        const dialogue = await dialogueOf(tx, staff.tenantId, request.params.dialogueId, { lock: 'share' });
        if (!rules.register(statusOf(dialogue)))
          throw wrongStatus(dialogue.status, 'Participants register while a dialogue is planned or open');
        return registerIndividual(tx, dialogue, dimensions, request.body, staff.userId);
      });
      return reply.code(201).send(result);
    },
  );

  app.put(
    '/v1/dialogues/:dialogueId/participation/counts',
    {
      preHandler: requirePermission('dialogues.write'),
      schema: {
        summary: 'Record the sign-in sheet: people per demographic group (replaces the previous tally)',
        description:
          'Counts are never negative and, summed over all rows, never exceed the venue total. ' +
          'A row names the groups its people share; groups it does not name count as unknown.',
        tags: ['participation'],
        security,
        params: dialogueParams,
        body: countsBody,
        response: { 200: participationSummary, 400: problemResponse, 409: problemResponse },
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const dimensions = await dimensionsOf(db, staff.tenantId);
      const { rows } = request.body;
      const problems = rows.flatMap((row, i) => groupProblems(row.groups, dimensions, `rows.${i}.groups`));
      const seen = new Map<string, number>();
      rows.forEach((row, i) => {
        const key = JSON.stringify(Object.entries(knownGroups(row.groups)).sort());
        const first = seen.get(key);
        if (first !== undefined)
          problems.push({
            field: `rows.${i}.groups`,
            message: `the same groups as rows.${first}; add them up`,
          });
        else seen.set(key, i);
      });
      if (problems.length) throw new ValidationProblem(problems);
      await inTenantTransaction(db, staff.tenantId, async (tx) => {
        const dialogue = await dialogueOf(tx, staff.tenantId, request.params.dialogueId, { lock: true });
        if (!rules.count(statusOf(dialogue)))
          throw wrongStatus(
            dialogue.status,
            'Sign-in sheets are recorded while a dialogue is open or closed',
          );
        const sheetTotal = rows.reduce((a, r) => a + r.count, 0);
        if (dialogue.venueTotal !== null && sheetTotal > dialogue.venueTotal)
          throw new ValidationProblem(
            [
              {
                field: 'rows',
                message: `add up to ${sheetTotal}, more than the venue total ${dialogue.venueTotal}`,
              },
            ],
            `The counts add up to ${sheetTotal}, more than the ${dialogue.venueTotal} people the venue reported`,
          );
        await tx
          .delete(s.participations)
          .where(
            and(
              eq(s.participations.tenantId, staff.tenantId),
              eq(s.participations.dialogueId, dialogue.id),
              eq(s.participations.kind, 'aggregate'),
            ),
          );
        const kept = rows.filter((r) => r.count > 0);
        if (kept.length)
          await tx.insert(s.participations).values(
            kept.map((r) => ({
              tenantId: staff.tenantId,
              dialogueId: dialogue.id,
              kind: 'aggregate',
              count: r.count,
              groups: knownGroups(r.groups),
              recordedBy: staff.userId,
            })),
          );
      });
      return summary(staff.tenantId, request.params.dialogueId);
    },
  );
};
