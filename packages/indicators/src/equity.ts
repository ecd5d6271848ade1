import { clearGap, ratio, twoProportionZTest } from './proportions.ts';

/** Counts per group → shares of their sum; every share is `null` when the sum is 0. */
export function shares(counts: Readonly<Record<string, number>>): Record<string, number | null> {
  let total = 0;
  for (const c of Object.values(counts)) total += c;
  return Object.fromEntries(Object.entries(counts).map(([g, c]) => [g, ratio(c, total)]));
}

/**
 * Representation ratio rᵢ/pᵢ: a group's share of participants (or inquiries) over its share of the
 * population. 1 = represented as in the population, 0.5 = half as present as expected.
 * `null` when the group has no population share (the ratio is undefined, not infinite).
 */
export function representationRatio(share: number, populationShare: number): number | null {
  return populationShare > 0 ? share / populationShare : null;
}

/**
 * Rose index of proportionality 1 − ½·Σ|rᵢ − pᵢ| over a dimension's groups, from shares that each
 * sum to 1. 1 = participants mirror the population exactly; 0 = no overlap at all. A group present
 * in only one of the two maps counts with share 0 in the other. `null` when either side is empty.
 */
export function roseIndex(
  observedShares: Readonly<Record<string, number>>,
  populationShares: Readonly<Record<string, number>>,
): number | null {
  const groups = new Set([...Object.keys(observedShares), ...Object.keys(populationShares)]);
  if (Object.keys(observedShares).length === 0 || Object.keys(populationShares).length === 0) return null;
  let sum = 0;
  for (const g of groups) sum += Math.abs((observedShares[g] ?? 0) - (populationShares[g] ?? 0));
  return 1 - sum / 2;
}

/** Rose index from raw counts: both sides are normalised to shares first. */
export function roseIndexFromCounts(
  observed: Readonly<Record<string, number>>,
  population: Readonly<Record<string, number>>,
): number | null {
  const r = shares(observed);
  const p = shares(population);
  if (Object.values(r).some((v) => v === null) || Object.values(p).some((v) => v === null)) return null;
  return roseIndex(r as Record<string, number>, p as Record<string, number>);
}

/** Disparity ratios below this are flagged (the "four-fifths rule"). */
export const DISPARITY_THRESHOLD = 0.8;

export interface Disparity {
  /** lowest group value ÷ highest group value; `null` with fewer than two groups or a highest of 0. */
  ratio: number | null;
  lowestGroup: string | null;
  highestGroup: string | null;
  /** ratio < 0.8. */
  flagged: boolean;
}

/**
 * Disparity ratio over per-group values (rates, medians): lowest ÷ highest. Groups whose value is
 * `null` (no data or suppressed) take no part. Symmetric in direction, so it reads the same for a
 * "higher is better" rate and a "lower is better" waiting time.
 */
export function disparity(values: Readonly<Record<string, number | null>>): Disparity {
  const known = Object.entries(values).filter((e): e is [string, number] => e[1] !== null);
  if (known.length < 2) return { ratio: null, lowestGroup: null, highestGroup: null, flagged: false };
  let low = known[0]!;
  let high = known[0]!;
  for (const entry of known) {
    if (entry[1] < low[1]) low = entry;
    if (entry[1] > high[1]) high = entry;
  }
  const value = high[1] > 0 ? low[1] / high[1] : null;
  return {
    ratio: value,
    lowestGroup: low[0],
    highestGroup: high[0],
    flagged: value !== null && value < DISPARITY_THRESHOLD,
  };
}

export interface GroupCounts {
  numerator: number;
  denominator: number;
}

export interface RateDisparity extends Disparity {
  /** The pooled two-proportion z-test says the lowest and highest groups differ (5 %, two-sided). */
  clearGap: boolean;
  /** Two-sided p-value of that test; `null` when it is undefined. */
  pValue: number | null;
}

/**
 * Disparity of a proportion across groups, with the clear-gap test between the lowest and highest
 * group. Groups with a zero denominator take no part.
 */
export function rateDisparity(groups: Readonly<Record<string, GroupCounts>>): RateDisparity {
  const rates = Object.fromEntries(
    Object.entries(groups).map(([g, c]) => [g, c.denominator > 0 ? c.numerator / c.denominator : null]),
  );
  const base = disparity(rates);
  if (!base.lowestGroup || !base.highestGroup || base.lowestGroup === base.highestGroup) {
    return { ...base, clearGap: false, pValue: null };
  }
  const low = groups[base.lowestGroup]!;
  const high = groups[base.highestGroup]!;
  const test = twoProportionZTest(low.numerator, low.denominator, high.numerator, high.denominator);
  return {
    ...base,
    clearGap: clearGap(low.numerator, low.denominator, high.numerator, high.denominator),
    pValue: test?.pValue ?? null,
  };
}
