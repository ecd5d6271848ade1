/**
 * Descriptive statistics over plain numbers. Every function is total: an empty input gives `null`
 * ("no data"), never 0 or NaN, so an empty period is never mistaken for a perfect one.
 */

/** Arithmetic mean; `null` for no values. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by linear interpolation between the closest ranks — Hyndman & Fan
 * type 7, the same as PostgreSQL's `percentile_cont`, Excel's `PERCENTILE.INC` and NumPy's default.
 * Chosen so an exact SQL query and this function give the same number for the same data.
 *
 * With h = (n − 1)·q, the result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) over the sorted values.
 * Ties need no special rule: equal values simply sit next to each other in the sorted list.
 * `null` for no values.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be between 0 and 1, got ${q}`);
  if (values.length === 0) return null;
  const sorted = sortedCopy(values);
  return quantileOfSorted(sorted, q);
}

/** `quantile` for input already sorted ascending (no copy). */
export function quantileOfSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

/** Percentile p in 0–100 (p90 = `percentile(xs, 90)`); see `quantile` for the interpolation. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be between 0 and 100, got ${p}`);
  return quantile(values, p / 100);
}

/**
 * The median: the middle value, or the mean of the two middle values for an even count
 * (type 7 at q = 0.5). `null` for no values.
 */
export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}
