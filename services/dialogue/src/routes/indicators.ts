import { schema as s } from '@samtal/db';
import { dialogueMethod } from '@samtal/domain';
import { invalidField } from '@samtal/http';
import { requirePermission, staffOf } from '@samtal/staff-auth';
import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { type DialogueRow, dialogueOf, dimensionsOf, type TenantInfo, tenantById } from '../common.ts';
import { computeIndicators, indicatorsResponse, latestBaselines } from '../indicators.ts';
import { dialogueParams, problemResponse } from '../schemas.ts';
import { contributionFacts, participationTally } from '../tallies.ts';

/** Indicators of one or more dialogues together (their participants and contributions pooled). */
export async function indicatorsFor(
  db: RouteDeps['db'],
  tenant: TenantInfo,
  dialogues: DialogueRow[],
  audience: 'staff' | 'public',
) {
  const dimensions = await dimensionsOf(db, tenant.id);
  const ids = dialogues.map((d) => d.id);
  const [tally, contributions, baselines] = await Promise.all([
    participationTally(db, tenant.id, ids, dimensions),
    contributionFacts(db, tenant.id, ids),
    latestBaselines(db, tenant.id),
  ]);
  return computeIndicators({
    tally,
    contributions,
    dimensions,
    baselines,
    // Targets belong to one dialogue; pooled over several they do not add up to anything.
    targets: dialogues.length === 1 ? dialogues[0]!.targetGroups : {},
    k: tenant.smallCellK,
    audience,
  });
}

const periodicResponse = z.object({
  from: z.string(),
  to: z.string(),
  period: z.enum(['month', 'quarter', 'year']),
  completed: z.array(z.object({ period: z.string(), method: dialogueMethod, dialogues: z.number() })),
  completedTotal: z.number(),
  pooled: indicatorsResponse.describe(
    'reach, heard and influence over every dialogue completed in the range',
  ),
});

export const indicatorRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  const security = [{ staffSession: [] }];

  app.get(
    '/v1/dialogues/:dialogueId/indicators',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary:
          'Reach, heard and influence per group, and whether women and men were equally reached and heard',
        tags: ['indicators'],
        security,
        params: dialogueParams,
        response: { 200: indicatorsResponse, 404: problemResponse },
      },
    },
    async (request) => {
      const tenant = await tenantById(db, staffOf(request).tenantId);
      const dialogue = await dialogueOf(db, tenant.id, request.params.dialogueId);
      return indicatorsFor(db, tenant, [dialogue], 'staff');
    },
  );

  app.get(
    '/v1/dialogue-indicators',
    {
      preHandler: requirePermission('dialogues.read'),
      schema: {
        summary: 'Dialogues completed per period by method, and pooled reach over them',
        description:
          'A dialogue is completed when it closes (closed or reported); periods are in the municipality’s time zone.',
        tags: ['indicators'],
        security,
        querystring: z.object({
          from: z.iso.date(),
          to: z.iso.date(),
          period: z.enum(['month', 'quarter', 'year']).default('quarter'),
        }),
        response: { 200: periodicResponse, 400: problemResponse },
      },
    },
    async (request) => {
      const tenant = await tenantById(db, staffOf(request).tenantId);
      const { from, to, period } = request.query;
      if (to <= from) throw invalidField('to', 'must be after from');
      const [zone] = await db
        .select({ timeZone: s.tenants.timeZone })
        .from(s.tenants)
        .where(eq(s.tenants.id, tenant.id));
      const tz = zone!.timeZone;
      // Local midnights of the range, so a dialogue closed late on the last evening counts in it.
      const rows = await db
        .select({
          dialogue: s.dialogues,
          period: sql<string>`to_char(date_trunc(${period}, ${s.dialogues.closedAt} at time zone ${tz}), 'YYYY-MM-DD')`,
        })
        .from(s.dialogues)
        .where(
          and(
            eq(s.dialogues.tenantId, tenant.id),
            eq(s.dialogues.isTemplate, false),
            inArray(s.dialogues.status, ['closed', 'reported']),
            gte(s.dialogues.closedAt, sql`(${from}::timestamp at time zone ${tz})`),
            lt(s.dialogues.closedAt, sql`(${to}::timestamp at time zone ${tz})`),
          ),
        );
      const completed = rows.map((r) => r.dialogue);
      const periods = new Map(rows.map((r) => [r.dialogue.id, r.period]));
      const counts = new Map<string, number>();
      for (const d of completed) {
        const key = `${periods.get(d.id)}|${d.method}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return {
        from,
        to,
        period,
        completed: [...counts]
          .map(([key, n]) => {
            const [p, method] = key.split('|');
            return { period: p!, method: method as z.infer<typeof dialogueMethod>, dialogues: n };
          })
          .sort((a, b) => a.period.localeCompare(b.period) || a.method.localeCompare(b.method)),
        completedTotal: completed.length,
        pooled: await indicatorsFor(db, tenant, completed, 'staff'),
      };
    },
  );
};
