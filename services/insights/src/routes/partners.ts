import { ForbiddenProblem, invalidField } from '@samtal/http';
import { z } from 'zod';
import { availabilityReport } from '../availability.ts';
import { resolvePeriod } from '../context.ts';
import { caseEquity } from '../equity.ts';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { errorResponses, format, periodQuery } from '../schemas.ts';
import { sendTable } from '../send.ts';
import { metrics } from './availability.ts';
import { caseDimension } from './equity.ts';
import type { InsightsRoutes } from './types.ts';

/**
 * Partner comparison: two municipalities that both set `partner_comparison` see each other's
 * aggregated indicators side by side — availability totals and equity tables, each suppressed
 * with its own municipality's k. Nothing else of the partner is reachable.
 */
const side = z.object({
  slug: z.string(),
  name: z.string(),
  k: z.number().int(),
  period: z.object({ from: z.string(), to: z.string() }),
  availability: metrics,
  equity: z.array(caseDimension),
});

export const partnerRoutes: InsightsRoutes = async (app, deps) => {
  app.get(
    '/v1/partners',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'Partner municipalities available for comparison',
        tags: ['partners'],
        response: {
          200: z.object({
            optedIn: z.boolean().describe('Whether this municipality shares its indicators with partners'),
            partners: z.array(z.object({ slug: z.string(), name: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const staff = requireInsights(request);
      const own = await deps.tenant(staff.tenantId);
      if (!own.partnerComparison) return { optedIn: false, partners: [] };
      const partners = await deps.db.sql<{ slug: string; name: string }[]>`
        select slug, name from tenants where partner_comparison and id <> ${own.id} order by name`;
      return { optedIn: true, partners: [...partners] };
    },
  );

  app.get(
    '/v1/partners/compare',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'This municipality and a partner side by side',
        description:
          'Both must have opted in (partner_comparison). Each side’s period is read in its own time zone; business minutes in its own calendar; suppression with its own k. format=csv: one row per municipality with the availability totals.',
        tags: ['partners'],
        querystring: z.object({
          ...periodQuery,
          partner: z.string().min(1).max(60).describe('The partner’s slug'),
          format,
        }),
        response: { 200: z.object({ municipalities: z.array(side) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request);
      const own = await deps.tenant(staff.tenantId);
      if (!own.partnerComparison) {
        throw new ForbiddenProblem('This municipality has not opted in to partner comparison');
      }
      const q = request.query;
      const [partnerRow] = await deps.db.sql<{ id: string }[]>`
        select id from tenants where slug = ${q.partner} and partner_comparison and id <> ${own.id}`;
      if (!partnerRow) throw invalidField('partner', 'no partner municipality with this slug has opted in');
      const partner = await deps.tenant(partnerRow.id);
      const now = deps.now();
      const municipalities: z.infer<typeof side>[] = [];
      for (const tenant of [own, partner]) {
        const period = resolvePeriod(tenant, now, q.from, q.to);
        const facts = { businessMinutes: deps.businessMinutes, now };
        const report = await availabilityReport(
          deps.db,
          tenant,
          {
            period,
            interval: 'month',
            filters: {},
            thresholds: { serviceLevelSeconds: 20, serviceLevelTarget: 0.8 },
            source: 'auto',
          },
          facts,
        );
        municipalities.push({
          slug: tenant.slug,
          name: tenant.name,
          k: tenant.smallCellK,
          period: { from: period.from, to: period.to },
          availability: report.totals,
          equity: (await caseEquity(deps.db, tenant, period, {}, facts)).dimensions,
        });
      }
      return sendTable(
        reply,
        q.format,
        { municipalities },
        () => municipalities.map((m) => ({ municipality: m.slug, k: m.k, ...m.period, ...m.availability })),
        `partners-${q.partner}`,
      );
    },
  );
};
