import { describe, expect, it } from 'vitest';
import { quantile, Tally } from '../src/index.ts';

const tallyOf = (values: number[]) => {
  const t = new Tally();
  for (const v of values) t.add(v);
  return t;
};

describe('Tally', () => {
  it('gives exactly the quantiles of the list it counts', () => {
    // A deterministic pseudo-random list with many ties, like business minutes of a city's cases.
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const size of [1, 2, 3, 10, 101, 5000]) {
      const values = Array.from({ length: size }, () => Math.round(Math.exp(next() * 8)));
      const tally = tallyOf(values);
      expect(tally.n).toBe(size);
      for (const q of [0, 0.1, 0.25, 0.5, 0.9, 0.99, 1]) {
        expect(tally.quantile(q), `n=${size} q=${q}`).toBe(quantile(values, q));
      }
    }
  });

  it('is null when empty and interpolates between two middle values', () => {
    expect(new Tally().quantile(0.5)).toBeNull();
    expect(tallyOf([1, 1, 9, 9]).quantile(0.5)).toBe(5);
    expect(tallyOf([4, 1, 3, 2]).quantile(0.5)).toBe(2.5);
  });

  it('adds tallies and weighted values as if the lists were joined', () => {
    const a = tallyOf([5, 1, 5]);
    const b = new Tally();
    b.add(5, 2);
    b.add(30);
    a.addTally(b);
    expect(a.n).toBe(6);
    expect([...a.entries()]).toEqual([
      [1, 1],
      [5, 4],
      [30, 1],
    ]);
    expect(a.quantile(0.9)).toBe(quantile([1, 5, 5, 5, 5, 30], 0.9));
  });

  it('keeps the order and the quantiles with values outside the dense range', () => {
    // Negative, fractional and very large values are counted in a map beside the dense array.
    const values = [-3, 0, 2.5, 2, 3, 70_000, 65_535, 65_536, 1e9, 2.5, -0.5];
    const tally = tallyOf(values);
    expect(tally.entries().map(([v]) => v)).toEqual([...new Set(values)].sort((a, b) => a - b));
    for (const q of [0, 0.1, 0.5, 0.9, 1]) expect(tally.quantile(q)).toBe(quantile(values, q));
    const sum = tallyOf([1, 70_000]);
    sum.addTally(tally);
    expect(sum.n).toBe(values.length + 2);
    expect(sum.quantile(0.5)).toBe(quantile([...values, 1, 70_000], 0.5));
    expect(sum.countAtMost(3)).toBe(8);
  });

  it('counts values at most a limit', () => {
    const t = tallyOf([0, 10, 20, 20, 21, 3600]);
    expect(t.countAtMost(20)).toBe(4);
    expect(t.countAtMost(-1)).toBe(0);
  });

  it('refuses a q outside 0–1', () => {
    expect(() => tallyOf([1]).quantile(1.5)).toThrow(RangeError);
  });
});
