import { channel } from '@samtal/domain';
import { z } from 'zod';
import { resolvePeriod } from '../context.ts';
import { caseEquity, dialogueEquity } from '../equity.ts';
import { resolveFilters } from '../lookups.ts';
import { insightsGuard, requireInsights } from '../plugins/auth.ts';
import { errorResponses, format, interval, maybeSuppressed, periodQuery } from '../schemas.ts';
import { sendTable } from '../send.ts';
import type { InsightsRoutes } from './types.ts';

const code = z.string().min(1).max(60);
const localised = z.record(z.string(), z.string());

const groupRate = maybeSuppressed(
  z.object({
    n: z.number().int().describe('People (cases, ratings, contributions) the rate is over; at least k'),
    value: z.number().nullable(),
    ci: interval.nullable().describe('Wilson 95 % interval'),
  }),
).describe('A proportion for one group; suppressed when the group is hidden or fewer than k are measured');

const disparitySchema = z
  .object({
    ratio: z.number().nullable().describe('Lowest published group value ÷ highest (unknown left out)'),
    lowestGroup: z.string().nullable(),
    highestGroup: z.string().nullable(),
    flagged: z.boolean().describe('ratio below 0.8'),
    clearGap: z
      .boolean()
      .nullable()
      .describe(
        'Statistically clear gap: pooled two-proportion z-test between the lowest and highest group rejects equal rates at 5 % (two-sided); null for medians',
      ),
    pValue: z.number().nullable(),
  })
  .describe('Disparity ratio and flags');

const countRow = {
  group: z.string().describe('Group code; "unknown" = not answered or prefer not to say'),
  count: maybeSuppressed(z.number().int()),
  share: maybeSuppressed(z.number().nullable()).describe('count ÷ total (unknown included)'),
};

const reachRow = z.object({
  ...countRow,
  populationShare: z
    .number()
    .nullable()
    .describe('The group’s share of the population (latest baseline year)'),
  representationRatio: maybeSuppressed(z.number().nullable()).describe(
    'rᵢ/pᵢ: the group’s share among those whose group is known ÷ its population share; hidden while the unknown cell is hidden',
  ),
});

export const caseDimension = z.object({
  dimension: z.string(),
  names: localised,
  total: maybeSuppressed(z.number().int()),
  baselineYear: z.number().int().nullable(),
  roseIndex: maybeSuppressed(z.number().nullable()).describe(
    'Rose index 1 − ½·Σ|rᵢ − pᵢ| over the known groups; hidden when any cell of the dimension is hidden',
  ),
  groups: z.array(
    reachRow.extend({
      names: localised.nullable(),
      medianFirstResponseMinutes: maybeSuppressed(z.number().nullable()).describe(
        'Median business minutes to first response, over at least k responded cases',
      ),
      resolutionRate: groupRate.describe('Resolved ÷ cases of the group'),
      slaCompliance: groupRate.describe('First response within the SLA ÷ cases whose outcome is known'),
      satisfaction: groupRate.describe('Ratings 4–5 ÷ ratings'),
    }),
  ),
  disparity: z.object({
    medianFirstResponse: disparitySchema,
    resolutionRate: disparitySchema,
    slaCompliance: disparitySchema,
    satisfaction: disparitySchema,
  }),
});

const caseEquityResponse = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  k: z.number().int().describe('Small-cell threshold of this municipality'),
  source: z.enum(['rollup', 'exact']).describe('Where the numbers came from (see the source parameter)'),
  dimensions: z.array(caseDimension),
});

const dialogueDimension = z.object({
  dimension: z.string(),
  names: localised,
  baselineYear: z.number().int().nullable(),
  reach: z.object({
    total: maybeSuppressed(z.number().int()),
    roseIndex: maybeSuppressed(z.number().nullable()),
    groups: z.array(reachRow),
  }),
  heard: z.object({
    total: maybeSuppressed(z.number().int()),
    groups: z.array(
      z.object({
        ...countRow,
        influence: groupRate.describe(
          'Share of the group’s contributions linked to an outcome that took them into account (taken or partly)',
        ),
      }),
    ),
  }),
  disparity: z.object({ influence: disparitySchema }),
});

const dialogueEquityResponse = z.object({
  period: z.object({ from: z.string(), to: z.string() }),
  k: z.number().int(),
  dialogue: z.string().nullable(),
  dimensions: z.array(dialogueDimension),
});

export const equityRoutes: InsightsRoutes = async (app, deps) => {
  app.get(
    '/v1/equity',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'Equity of service per demographic dimension',
        description:
          'For cases created in the period: counts and shares per group (unknown / prefer not to say is its own group), representation against the latest population baseline and the Rose index, per-group service quality with Wilson 95 % intervals, disparity ratios with flags. Every cell below k is suppressed, with secondary suppression. format=csv: one row per dimension and group.',
        tags: ['equity'],
        querystring: z.object({
          ...periodQuery,
          dimension: code.optional().describe('Only this dimension'),
          channel: channel.optional(),
          department: code.optional(),
          category: code.optional(),
          source: z
            .enum(['auto', 'rollup', 'exact'])
            .default('auto')
            .describe(
              'auto: daily equity rollups for the period and the channel cut once built for every dimension asked about, exact otherwise (department or category filters, before the first rollup); exact forces the cases',
            ),
          format,
        }),
        response: { 200: caseEquityResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request);
      const tenant = await deps.tenant(staff.tenantId);
      const q = request.query;
      const now = deps.now();
      const period = resolvePeriod(tenant, now, q.from, q.to);
      const { source, dimensions } = await caseEquity(
        deps.db,
        tenant,
        period,
        await resolveFilters(deps.db, tenant.id, q),
        { businessMinutes: deps.businessMinutes, now },
        q.dimension,
        q.source,
      );
      const body = {
        period: { from: period.from, to: period.to },
        k: tenant.smallCellK,
        source,
        dimensions,
      };
      return sendTable(
        reply,
        q.format,
        body,
        () =>
          dimensions.flatMap((d) =>
            d.groups.map(({ names: _names, ...g }) => ({
              dimension: d.dimension,
              baselineYear: d.baselineYear,
              roseIndex: d.roseIndex,
              ...g,
            })),
          ),
        `equity-${period.from}-${period.to}`,
      );
    },
  );

  app.get(
    '/v1/equity/dialogues',
    {
      onRequest: insightsGuard(),
      schema: {
        summary: 'Reach, heard and influence in residents’ dialogues per demographic dimension',
        description:
          'reach = participants per group (registered individuals by their profile plus facilitators’ aggregate counts); heard = contributions per group (the contribution’s self-reported group, else its participant’s); influence = share of a group’s contributions linked to an outcome with response taken or partly. Counted when recorded in the period. format=csv: one row per dimension, measure and group.',
        tags: ['equity'],
        querystring: z.object({
          ...periodQuery,
          dialogue: z.uuid().optional().describe('Only this dialogue'),
          dimension: code.optional(),
          format,
        }),
        response: { 200: dialogueEquityResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const staff = requireInsights(request);
      const tenant = await deps.tenant(staff.tenantId);
      const q = request.query;
      const period = resolvePeriod(tenant, deps.now(), q.from, q.to);
      const dimensions = await dialogueEquity(deps.db, tenant, period, q.dialogue, q.dimension);
      const body = {
        period: { from: period.from, to: period.to },
        k: tenant.smallCellK,
        dialogue: q.dialogue ?? null,
        dimensions,
      };
      return sendTable(
        reply,
        q.format,
        body,
        () =>
          dimensions.flatMap((d) => [
            ...d.reach.groups.map((g) => ({ dimension: d.dimension, measure: 'reach', ...g })),
            ...d.heard.groups.map((g) => ({ dimension: d.dimension, measure: 'heard', ...g })),
          ]),
        `dialogue-equity-${period.from}-${period.to}`,
      );
    },
  );
};
