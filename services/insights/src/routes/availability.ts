import { channel, priority } from '@samtal/domain';
import { z } from 'zod';
import { availabilityReport } from '../availability.ts';
import { resolvePeriod } from '../context.ts';
import { resolveFilters } from '../lookups.ts';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { errorResponses, format, maybeSuppressed, periodQuery, share } from '../schemas.ts';
import { sendTable } from '../send.ts';
import type { InsightsRoutes } from './types.ts';

const code = z.string().min(1).max(60);

const query = z.object({
  ...periodQuery,
  interval: z
    .enum(['day', 'week', 'month'])
    .default('day')
    .describe('Trend bucket: day, ISO week (Monday) or month'),
  channel: channel.optional().describe('Only cases (and contacts) of this channel'),
  department: code.optional().describe('Department code: cases whose lead department it is'),
  category: code.optional().describe('Category (Open311 service) code'),
  district: code.optional().describe('District code (exact queries only)'),
  priority: priority.optional().describe('Case priority (exact queries only)'),
  serviceLevelSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(20)
    .describe('Y of service level X/Y'),
  serviceLevelTarget: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe('X of service level X/Y, as a share'),
  source: z
    .enum(['auto', 'rollup', 'exact'])
    .default('auto')
    .describe(
      'auto: daily rollups for the standard cuts (period, channel, department, category), exact for district or priority filters or before the first rollup; rollup/exact force one',
    ),
  format,
});

const distribution = z.object({
  n: z.number().int().describe('Cases measured'),
  median: z.number().nullable().describe('Median (type 7 interpolation, as PostgreSQL percentile_cont)'),
  p90: z.number().nullable().describe('90th percentile'),
});

export const metrics = z.object({
  cases: z.number().int().describe('Cases created in the period (the cohort), excluding merged duplicates'),
  contacts: z
    .object({
      offered: z.number().int().describe('Synchronous contacts (phone, chat) offered in the period'),
      answered: z.number().int(),
      abandoned: z.number().int().describe('Abandoned before an answer'),
      answeredWithinThreshold: z.number().int().describe('Answered within Y seconds (inclusive)'),
      serviceLevel: z
        .number()
        .nullable()
        .describe(
          'Service level X/Y: answered within Y seconds ÷ offered (contacts still waiting count as offered)',
        ),
      serviceLevelMet: z.boolean().nullable().describe('serviceLevel ≥ X'),
      asaSeconds: z
        .number()
        .nullable()
        .describe('ASA: mean seconds from offer to answer over answered contacts'),
      abandonmentRate: z.number().nullable().describe('Abandoned ÷ offered'),
      ahtSeconds: z
        .number()
        .nullable()
        .describe('AHT: mean seconds from answer to end of after-contact work (or end of contact)'),
    })
    .describe('Contact-centre availability from the contacts table (phone and chat)'),
  firstResponseMinutes: distribution.describe(
    'Time to first response in business minutes of the tenant calendar (creation → first response), over responded cases',
  ),
  resolutionMinutes: distribution.describe(
    'Time to resolution in business minutes (creation → resolution), over resolved cases',
  ),
  slaFirstResponse: share.describe(
    'SLA compliance, first response: responded by first_response_due_at ÷ cases with a due time whose outcome is known (responded, or due time passed)',
  ),
  slaResolution: share.describe(
    'SLA compliance, resolution: resolved by resolution_due_at ÷ cases with a due time whose outcome is known',
  ),
  firstContactResolution: share.describe(
    'First-contact resolution: cases marked resolved in the first contact ÷ cases',
  ),
  directAnswerRate: share.describe(
    'Direct-answer rate: cases resolved without being routed to a handling department (lead department none or the contact centre) ÷ cases',
  ),
  kkikEmail: share.describe(
    'KKiK e-mail measure: web and e-mail inquiries first answered within one working day (the average length of an open day of the calendar, in business minutes) ÷ such inquiries answered or older than a working day',
  ),
  rates12345: z
    .object({
      response: share.describe(
        'Response rate: acknowledged within the time limit (same as slaFirstResponse)',
      ),
      resolution: share.describe(
        'Resolution rate: concluded cases (resolved or closed) never reopened and without a re-handling request ÷ concluded cases',
      ),
      satisfaction: maybeSuppressed(share).describe(
        'Satisfaction rate: ratings of 4 or 5 ÷ ratings; suppressed below k ratings',
      ),
    })
    .describe('The 12345 hotline three rates'),
  csat: maybeSuppressed(
    z.object({
      ratings: z.number().int(),
      index: z.number().nullable().describe('Ratings 1–5 mapped to 0, 25, 50, 75, 100 and averaged'),
    }),
  ).describe('CSAT index (SKR style); suppressed below k ratings'),
  returnRate: share.describe('Return / re-dispatch rate: routed cases returned at least once ÷ routed cases'),
  reopenRate: share.describe('Reopen rate: resolved cases reopened at least once ÷ resolved cases'),
});

const response = z.object({
  tenant: z.object({ slug: z.string(), name: z.string(), timeZone: z.string() }),
  period: z.object({ from: z.string(), to: z.string(), interval: z.enum(['day', 'week', 'month']) }),
  source: z.enum(['rollup', 'exact']).describe('Where the numbers came from'),
  rollupRefreshedAt: z.string().nullable().describe('When the rollups were last brought up to date'),
  thresholds: z.object({ serviceLevelSeconds: z.number(), serviceLevelTarget: z.number() }),
  totals: metrics,
  trend: z.array(metrics.extend({ bucket: z.string().describe('Day, ISO-week Monday, or YYYY-MM') })),
  occupancy: z
    .object({
      handlingSeconds: z.number(),
      idleSeconds: z.number(),
      value: z.number().nullable(),
    })
    .describe(
      "Occupancy from staff presence: time 'busy' ÷ (time 'busy' + time 'available') inside the period; department filter: its members",
    ),
  backlog: z
    .object({
      open: z.number().int().describe('Cases in an open status now'),
      ageHours: z.object({
        median: z.number().nullable(),
        p90: z.number().nullable(),
        max: z.number().nullable(),
      }),
      byAge: z.object({
        under1Day: z.number().int(),
        from1To7Days: z.number().int(),
        from7To30Days: z.number().int(),
        over30Days: z.number().int(),
      }),
    })
    .describe('Backlog now (not limited to the period) and its age in wall-clock hours'),
});

export type AvailabilityResponse = z.infer<typeof response>;

export const availabilityRoutes: InsightsRoutes = async (app, deps) => {
  app.get(
    '/v1/availability',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'Availability and service indicators per period, with a trend',
        description:
          'Every metric of DESIGN.md §5 for cases created in the period (the cohort) and contacts offered in it. Add format=csv for the trend as a spreadsheet (one row per bucket plus a total row).',
        tags: ['availability'],
        querystring: query,
        response: { 200: response, ...errorResponses },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request);
      const tenant = await deps.tenant(staff.tenantId);
      const q = request.query;
      const now = deps.now();
      const report = await availabilityReport(
        deps.db,
        tenant,
        {
          period: resolvePeriod(tenant, now, q.from, q.to),
          interval: q.interval,
          filters: await resolveFilters(deps.db, tenant.id, q),
          thresholds: {
            serviceLevelSeconds: q.serviceLevelSeconds,
            serviceLevelTarget: q.serviceLevelTarget,
          },
          source: q.source,
        },
        { businessMinutes: deps.businessMinutes, now },
      );
      return sendTable(
        reply,
        q.format,
        report,
        () => [...report.trend, { bucket: 'total', ...report.totals }],
        `availability-${report.period.from}-${report.period.to}`,
      );
    },
  );
};
