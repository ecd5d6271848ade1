/**
 * Proportions with their uncertainty. A rate over few cases says little; every proportion the API
 * shows carries a Wilson 95 % interval so a reader can see how much it could move.
 */

/** z for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  lower: number;
  upper: number;
}

export interface Proportion {
  /** Cases that meet the condition. */
  numerator: number;
  /** Cases it was measured over. */
  denominator: number;
  /** numerator ÷ denominator; `null` when the denominator is 0. */
  value: number | null;
  /** Wilson score interval (95 %); `null` when the denominator is 0. */
  ci: Interval | null;
}

function checkCounts(successes: number, n: number, what: string): void {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || successes < 0 || n < 0 || successes > n) {
    throw new RangeError(`${what}: need whole numbers 0 ≤ successes ≤ n, got ${successes} of ${n}`);
  }
}

/** numerator ÷ denominator, or `null` for an empty denominator. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * Wilson score interval for successes out of n at the given z (default 95 %).
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)
 *
 * Unlike the normal ("Wald") interval it stays inside [0, 1] and is not degenerate at p̂ = 0 or 1.
 * At those ends it is returned exactly: at p̂ = 0 the lower bound is 0 and the upper bound
 * z²/(n + z²); at p̂ = 1 the lower bound is n/(n + z²) and the upper bound 1 (no rounding drift).
 * `null` for n = 0: there is no interval over nothing.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval | null {
  checkCounts(successes, n, 'wilsonInterval');
  if (n === 0) return null;
  const z2 = z * z;
  if (successes === 0) return { lower: 0, upper: z2 / (n + z2) };
  if (successes === n) return { lower: n / (n + z2), upper: 1 };
  const p = successes / n;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** A proportion with its Wilson 95 % interval. */
export function proportion(numerator: number, denominator: number): Proportion {
  checkCounts(numerator, denominator, 'proportion');
  return {
    numerator,
    denominator,
    value: ratio(numerator, denominator),
    ci: wilsonInterval(numerator, denominator),
  };
}

export interface TwoProportionTest {
  /** Difference p₁ − p₂. */
  difference: number;
  /** Pooled two-proportion z statistic; `null` when it is undefined (see `twoProportionZTest`). */
  z: number | null;
  /** Two-sided p-value; `null` when z is undefined. */
  pValue: number | null;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf approximation, |error| < 1.5·10⁻⁷). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Pooled two-proportion z-test of H₀: p₁ = p₂.
 *
 *   p = (x₁ + x₂)/(n₁ + n₂),  z = (x₁/n₁ − x₂/n₂) / √(p(1−p)(1/n₁ + 1/n₂))
 *
 * z is undefined (`null`) when either group is empty or the pooled rate is 0 or 1 (both groups
 * identical at an extreme: no evidence of a difference).
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTest | null {
  checkCounts(x1, n1, 'twoProportionZTest');
  checkCounts(x2, n2, 'twoProportionZTest');
  if (n1 === 0 || n2 === 0) return null;
  const difference = x1 / n1 - x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { difference, z: null, pValue: null };
  const z = difference / se;
  return { difference, z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/**
 * "Statistically clear gap" between two groups' rates: the pooled two-proportion z-test rejects
 * equal rates at the 5 % level (two-sided, |z| ≥ 1.96). Chosen over "Wilson intervals do not
 * overlap", which is far more conservative (two intervals can overlap while the difference is
 * clearly significant). Groups with no cases never show a clear gap.
 */
export function clearGap(x1: number, n1: number, x2: number, n2: number, z = Z_95): boolean {
  const test = twoProportionZTest(x1, n1, x2, n2);
  return test?.z != null && Math.abs(test.z) >= z;
}
