/**
 * A tally: how many times each value occurred. The durations the indicators publish medians of are
 * whole numbers (business minutes, seconds waited), so a tally of them loses nothing: its quantiles
 * are exactly those of the list it counts (`quantile` in descriptive.ts, type 7), while its size is
 * bounded by the distinct values rather than the cases. That is what lets a year of a city's
 * durations be stored per day and added up in milliseconds.
 */
export class Tally {
  private readonly counts = new Map<number, number>();
  private sortedValues: number[] | null = null;
  /** How many values were counted. */
  n = 0;

  add(value: number, times = 1): void {
    if (times === 0) return;
    this.counts.set(value, (this.counts.get(value) ?? 0) + times);
    this.n += times;
    this.sortedValues = null;
  }

  addTally(other: Tally): void {
    for (const [value, times] of other.counts) this.add(value, times);
  }

  /** [value, count] pairs, values ascending. */
  *entries(): Generator<[number, number]> {
    for (const value of this.sorted()) yield [value, this.counts.get(value)!];
  }

  /** How many counted values are ≤ `limit`. */
  countAtMost(limit: number): number {
    let n = 0;
    for (const [value, times] of this.counts) if (value <= limit) n += times;
    return n;
  }

  /** The q-quantile by type 7 interpolation, as `quantile` gives for the expanded list; null if empty. */
  quantile(q: number): number | null {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be between 0 and 1, got ${q}`);
    if (this.n === 0) return null;
    const h = (this.n - 1) * q;
    const lo = Math.floor(h);
    const a = this.valueAtRank(lo);
    const b = h === lo ? a : this.valueAtRank(lo + 1);
    return a + (h - lo) * (b - a);
  }

  /** The value at 0-based position `rank` of the sorted list the tally stands for. */
  private valueAtRank(rank: number): number {
    let seen = 0;
    for (const value of this.sorted()) {
      seen += this.counts.get(value)!;
      if (seen > rank) return value;
    }
    throw new RangeError(`rank ${rank} is outside a tally of ${this.n}`);
  }

  private sorted(): number[] {
    if (!this.sortedValues) this.sortedValues = Array.from(Float64Array.from(this.counts.keys()).sort());
    return this.sortedValues;
  }
}
