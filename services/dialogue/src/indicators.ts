import { type Executor, schema as s } from '@samtal/db';
import { UNKNOWN_GROUP } from '@samtal/domain';
import {
  disparity,
  isSuppressed,
  proportion,
  rateDisparity,
  representationRatio,
  roseIndex,
  suppressTable1D,
} from '@samtal/indicators';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Dimensions } from './common.ts';
import { cell } from './survey-results.ts';
import type { ContributionFacts, ParticipationTally } from './tallies.ts';

/**
 * The dialogue indicators of DESIGN.md §5, per demographic dimension ("unknown" is a group of its own):
 * - reach: each group's share of participants rᵢ against its population share pᵢ (latest baseline
 *   year) and against the dialogue's target share; representation ratio rᵢ/pᵢ; Rose index
 *   1 − ½·Σ|rᵢ − pᵢ| over all groups;
 * - heard: each group's share of contributions, against its population share (heard ratio);
 * - influence: the share of a group's contributions that an outcome took into account (taken or
 *   partly), with its Wilson 95 % interval.
 * Equality across groups is the disparity ratio lowest ÷ highest (flagged below 0.8), over the
 * groups that are shown ("unknown" takes no part: it has no population share).
 *
 * Suppression (@samtal/indicators, the tenant's k): people per group and contributions per group
 * are suppressed tables (with secondary suppression). A share, ratio or rate is shown only for a
 * group whose count is shown, since with the total it would give the count away. The Rose index
 * sums over every group; staff always see it, the public only when no cell of the dimension is
 * hidden (with the visible shares it would reveal the hidden ones).
 */
const disparitySchema = z.object({
  ratio: z.number().nullable(),
  lowestGroup: z.string().nullable(),
  highestGroup: z.string().nullable(),
  flagged: z.boolean(),
});

export const dimensionIndicators = z.object({
  dimension: z.string(),
  populationYear: z.number().nullable(),
  reach: z.object({
    total: cell,
    roseIndex: z.number().nullable(),
    disparity: disparitySchema,
    groups: z.array(
      z.object({
        group: z.string(),
        participants: cell,
        share: z.number().nullable(),
        populationShare: z.number().nullable(),
        representationRatio: z.number().nullable(),
        targetShare: z.number().nullable(),
        targetRatio: z.number().nullable(),
      }),
    ),
  }),
  heard: z.object({
    total: cell,
    disparity: disparitySchema,
    groups: z.array(
      z.object({
        group: z.string(),
        contributions: cell,
        share: z.number().nullable(),
        heardRatio: z.number().nullable().describe('share of contributions ÷ share of the population'),
        speakingSeconds: z.number().nullable(),
      }),
    ),
  }),
  influence: z.object({
    disparity: disparitySchema.extend({ clearGap: z.boolean(), pValue: z.number().nullable() }),
    groups: z.array(
      z.object({
        group: z.string(),
        contributions: cell,
        takenIntoAccount: z.number().nullable(),
        rate: z.number().nullable(),
        ci: z.object({ lower: z.number(), upper: z.number() }).nullable(),
      }),
    ),
  }),
});
export type DimensionIndicators = z.infer<typeof dimensionIndicators>;

export const womenAndMen = z
  .object({
    reached: z.object({
      woman: z.number().nullable(),
      man: z.number().nullable(),
      ratio: z.number().nullable(),
      equal: z.boolean().nullable(),
    }),
    heard: z.object({
      woman: z.number().nullable(),
      man: z.number().nullable(),
      ratio: z.number().nullable(),
      equal: z.boolean().nullable(),
    }),
    influence: z.object({
      woman: z.number().nullable(),
      man: z.number().nullable(),
      ratio: z.number().nullable(),
      equal: z.boolean().nullable(),
    }),
  })
  .describe(
    'Women and men compared: representation ratios, heard ratios and influence rates; ratio = lower ÷ higher; equal when ≥ 0.8',
  );

export const indicatorsResponse = z.object({
  smallCellK: z.number(),
  participants: cell,
  contributions: cell,
  dimensions: z.array(dimensionIndicators),
  womenAndMen: womenAndMen.nullable(),
});
export type IndicatorsResponse = z.infer<typeof indicatorsResponse>;

export interface Baseline {
  year: number;
  populations: Record<string, number>;
}

/** The newest population baseline per dimension. */
export async function latestBaselines(db: Executor, tenantId: string): Promise<Map<string, Baseline>> {
  const rows = await db
    .select()
    .from(s.populationBaselines)
    .where(eq(s.populationBaselines.tenantId, tenantId));
  const latest = new Map<string, Baseline>();
  for (const r of rows) {
    const current = latest.get(r.dimension);
    if (!current || r.year > current.year) latest.set(r.dimension, { year: r.year, populations: {} });
  }
  for (const r of rows) {
    const b = latest.get(r.dimension)!;
    if (r.year === b.year) b.populations[r.groupCode] = r.population;
  }
  return latest;
}

const divide = (a: number, b: number) => (b > 0 ? a / b : null);
const TAKEN = new Set(['taken', 'partly']);

export function computeIndicators(input: {
  tally: ParticipationTally;
  contributions: ContributionFacts[];
  dimensions: Dimensions;
  baselines: Map<string, Baseline>;
  targets: Record<string, Record<string, number>>;
  k: number;
  audience: 'staff' | 'public';
}): IndicatorsResponse {
  const { tally, contributions, dimensions, baselines, targets, k, audience } = input;
  const isPublic = audience === 'public';
  const result: DimensionIndicators[] = [];
  for (const [dimension, { groups: known }] of dimensions) {
    const groups = [...known, UNKNOWN_GROUP];
    const baseline = baselines.get(dimension);
    const populationTotal = baseline ? Object.values(baseline.populations).reduce((a, b) => a + b, 0) : 0;
    const populationShare = (g: string) =>
      baseline && populationTotal > 0 ? (baseline.populations[g] ?? 0) / populationTotal : null;

    // Reach.
    const people = groups.map((g) => tally.byDimension[dimension]?.[g] ?? 0);
    const reachTable = suppressTable1D(
      groups.map((g, i) => ({ group: g, count: people[i]! })),
      k,
    );
    const anyHidden = reachTable.cells.some((c) => isSuppressed(c.count));
    const reachGroups = groups.map((g, i) => {
      const shown = !isSuppressed(reachTable.cells[i]!.count);
      const share = shown ? divide(people[i]!, tally.total) : null;
      const p = populationShare(g);
      const target = targets[dimension]?.[g] ?? null;
      return {
        group: g,
        participants: reachTable.cells[i]!.count,
        share,
        populationShare: p,
        representationRatio: share !== null && p !== null ? representationRatio(share, p) : null,
        targetShare: target,
        targetRatio: share !== null && target ? share / target : null,
      };
    });
    const observed = Object.fromEntries(groups.map((g, i) => [g, divide(people[i]!, tally.total) ?? 0]));
    const population = Object.fromEntries(groups.map((g) => [g, populationShare(g) ?? 0]));
    const rose =
      baseline && tally.total > 0 && !(isPublic && anyHidden) ? roseIndex(observed, population) : null;

    // Heard.
    const groupOf = (c: ContributionFacts) => {
      const g = c.groups[dimension];
      return g && known.includes(g) ? g : UNKNOWN_GROUP;
    };
    const said = groups.map((g) => contributions.filter((c) => groupOf(c) === g));
    const heardTable = suppressTable1D(
      groups.map((g, i) => ({ group: g, count: said[i]!.length })),
      k,
    );
    const heardGroups = groups.map((g, i) => {
      const shown = !isSuppressed(heardTable.cells[i]!.count);
      const share = shown ? divide(said[i]!.length, contributions.length) : null;
      const p = populationShare(g);
      const seconds = said[i]!.filter((c) => c.speakingSeconds !== null);
      return {
        group: g,
        contributions: heardTable.cells[i]!.count,
        share,
        heardRatio: share !== null && p ? share / p : null,
        speakingSeconds: shown && seconds.length ? seconds.reduce((a, c) => a + c.speakingSeconds!, 0) : null,
      };
    });

    // Influence: a rate over a group's contributions, shown where that count is shown.
    const influenceGroups = groups.map((g, i) => {
      const shown = !isSuppressed(heardTable.cells[i]!.count);
      const taken = said[i]!.filter((c) => c.response && TAKEN.has(c.response)).length;
      const p = shown ? proportion(taken, said[i]!.length) : null;
      return {
        group: g,
        contributions: heardTable.cells[i]!.count,
        takenIntoAccount: p ? taken : null,
        rate: p?.value ?? null,
        ci: p?.ci ?? null,
        counts: { numerator: taken, denominator: said[i]!.length },
      };
    });
    const comparable = (g: string) => g !== UNKNOWN_GROUP;
    const influenceCounts = Object.fromEntries(
      influenceGroups.filter((x) => comparable(x.group) && x.rate !== null).map((x) => [x.group, x.counts]),
    );

    result.push({
      dimension,
      populationYear: baseline?.year ?? null,
      reach: {
        total: reachTable.total,
        roseIndex: rose,
        disparity: disparity(
          Object.fromEntries(
            reachGroups.filter((r) => comparable(r.group)).map((r) => [r.group, r.representationRatio]),
          ),
        ),
        groups: reachGroups,
      },
      heard: {
        total: heardTable.total,
        disparity: disparity(
          Object.fromEntries(
            heardGroups.filter((h) => comparable(h.group)).map((h) => [h.group, h.heardRatio]),
          ),
        ),
        groups: heardGroups,
      },
      influence: {
        disparity: rateDisparity(influenceCounts),
        groups: influenceGroups.map(({ counts: _, ...x }) => x),
      },
    });
  }
  return {
    smallCellK: k,
    participants: tally.total < k ? { suppressed: true } : tally.total,
    contributions: contributions.length < k ? { suppressed: true } : contributions.length,
    dimensions: result,
    womenAndMen: compareWomenAndMen(result),
  };
}

/** The project indicator's question in one place: were women and men equally reached, heard, taken into account? */
function compareWomenAndMen(dimensions: DimensionIndicators[]): IndicatorsResponse['womenAndMen'] {
  const gender = dimensions.find((d) => d.dimension === 'gender');
  if (!gender) return null;
  const pair = (woman: number | null, man: number | null) => {
    if (woman === null || man === null) return { woman, man, ratio: null, equal: null };
    const high = Math.max(woman, man);
    const ratio = high > 0 ? Math.min(woman, man) / high : null;
    return { woman, man, ratio, equal: ratio === null ? null : ratio >= 0.8 };
  };
  const find = <T extends { group: string }>(list: T[], g: string) => list.find((x) => x.group === g);
  return {
    reached: pair(
      find(gender.reach.groups, 'woman')?.representationRatio ?? null,
      find(gender.reach.groups, 'man')?.representationRatio ?? null,
    ),
    heard: pair(
      find(gender.heard.groups, 'woman')?.heardRatio ?? null,
      find(gender.heard.groups, 'man')?.heardRatio ?? null,
    ),
    influence: pair(
      find(gender.influence.groups, 'woman')?.rate ?? null,
      find(gender.influence.groups, 'man')?.rate ?? null,
    ),
  };
}
