/**
 * A tally: how many times each value occurred. The durations the indicators publish medians of are
 * whole numbers (business minutes, seconds waited), so a tally of them loses nothing: its quantiles
 * are exactly those of the list it counts (`quantile` in descriptive.ts, type 7), while its size is
 * bounded by the distinct values rather than the cases. That is what lets a year of a city's
 * durations be stored per day and added up in milliseconds.
 *
 * Whole numbers below DENSE_LIMIT (65,536: 120 business days in minutes, 18 hours in seconds) are counted in a typed array indexed by the value (an
 * increment, and already in order); anything else (larger, negative or fractional) in a map. A
 * year of rollups adds up hundreds of thousands of counts, which the map alone made the largest
 * cost of a year-long indicator query.
 */
const DENSE_LIMIT = 1 << 16;

export class Tally {
  private dense = new Uint32Array(0);
  /** One past the largest dense value counted. */
  private denseEnd = 0;
  private readonly sparse = new Map<number, number>();
  private sortedSparse: number[] | null = null;
  /** How many values were counted. */
  n = 0;

  add(value: number, times = 1): void {
    if (times === 0) return;
    this.n += times;
    this.count(value, times);
  }

  addTally(other: Tally): void {
    this.n += other.n;
    if (other.denseEnd > this.dense.length) this.grow(other.denseEnd - 1);
    for (let value = 0; value < other.denseEnd; value++) this.dense[value]! += other.dense[value]!;
    this.denseEnd = Math.max(this.denseEnd, other.denseEnd);
    for (const [value, times] of other.sparse) this.count(value, times);
  }

  /** Stores `times` more of `value` (the total `n` is the caller's to keep). */
  private count(value: number, times: number): void {
    if (Number.isInteger(value) && value >= 0 && value < DENSE_LIMIT) {
      if (value >= this.dense.length) this.grow(value);
      this.dense[value]! += times;
      if (value >= this.denseEnd) this.denseEnd = value + 1;
      return;
    }
    this.sparse.set(value, (this.sparse.get(value) ?? 0) + times);
    this.sortedSparse = null;
  }

  /** [value, count] pairs, values ascending. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    this.walk((value, times) => {
      out.push([value, times]);
      return false;
    });
    return out;
  }

  /** How many counted values are ≤ `limit`. */
  countAtMost(limit: number): number {
    let n = 0;
    this.walk((value, times) => {
      if (value > limit) return true;
      n += times;
      return false;
    });
    return n;
  }

  /** The q-quantile by type 7 interpolation, as `quantile` gives for the expanded list; null if empty. */
  quantile(q: number): number | null {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be between 0 and 1, got ${q}`);
    if (this.n === 0) return null;
    const h = (this.n - 1) * q;
    const lo = Math.floor(h);
    // The values at ranks lo and lo + 1 of the sorted list the tally stands for.
    let seen = 0;
    let a: number | null = null;
    let result: number | null = null;
    this.walk((value, times) => {
      seen += times;
      if (a === null && seen > lo) a = value;
      if (a !== null && (h === lo || seen > lo + 1)) {
        result = a + (h - lo) * (value - a);
        return true;
      }
      return false;
    });
    return result;
  }

  /** Calls `visit` for each value counted, ascending, until it returns true. */
  private walk(visit: (value: number, times: number) => boolean): void {
    const sparse = this.sortedSparseValues();
    let s = 0;
    // Sparse values below a dense one (negatives, fractions) come first: the order stays ascending.
    const sparseBelow = (limit: number) => {
      for (; s < sparse.length && sparse[s]! < limit; s++) {
        if (visit(sparse[s]!, this.sparse.get(sparse[s]!)!)) return true;
      }
      return false;
    };
    const dense = this.dense;
    for (let value = 0; value < this.denseEnd; value++) {
      const times = dense[value]!;
      if (times === 0) continue;
      if (sparseBelow(value) || visit(value, times)) return;
    }
    sparseBelow(Number.POSITIVE_INFINITY);
  }

  private grow(value: number): void {
    let size = Math.max(1024, this.dense.length);
    while (size <= value) size *= 2;
    const grown = new Uint32Array(Math.min(size, DENSE_LIMIT));
    grown.set(this.dense);
    this.dense = grown;
  }

  private sortedSparseValues(): number[] {
    if (!this.sortedSparse) this.sortedSparse = Array.from(Float64Array.from(this.sparse.keys()).sort());
    return this.sortedSparse;
  }
}
