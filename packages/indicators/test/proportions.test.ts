import { describe, expect, it } from 'vitest';
import { clearGap, proportion, twoProportionZTest, wilsonInterval, Z_95 } from '../src/index.ts';

describe('wilsonInterval (95 %)', () => {
  it('is null over nothing', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
  it('is exact at p = 0: [0, z²/(n + z²)]', () => {
    const z2 = Z_95 * Z_95;
    expect(wilsonInterval(0, 10)).toEqual({ lower: 0, upper: z2 / (10 + z2) });
    expect(wilsonInterval(0, 10)!.upper).toBeCloseTo(0.27753, 5);
  });
  it('is exact at p = 1: [n/(n + z²), 1]', () => {
    const z2 = Z_95 * Z_95;
    expect(wilsonInterval(10, 10)).toEqual({ lower: 10 / (10 + z2), upper: 1 });
    expect(wilsonInterval(10, 10)!.lower).toBeCloseTo(0.72247, 5);
  });
  it('matches hand-computed intervals', () => {
    // 5/10: centre 0.5, half = 1.96·√(0.025 + 0.0096)/1.384 = 0.26341
    const half = wilsonInterval(5, 10)!;
    expect(half.lower).toBeCloseTo(0.23659, 4);
    expect(half.upper).toBeCloseTo(0.76341, 4);
    // 1/10: the textbook 0.0179–0.4042
    const one = wilsonInterval(1, 10)!;
    expect(one.lower).toBeCloseTo(0.0179, 4);
    expect(one.upper).toBeCloseTo(0.4042, 4);
  });
  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });
});

describe('proportion', () => {
  it('carries value and interval, null over an empty denominator', () => {
    expect(proportion(0, 0)).toEqual({ numerator: 0, denominator: 0, value: null, ci: null });
    const p = proportion(3, 4);
    expect(p.value).toBe(0.75);
    expect(p.ci!.lower).toBeLessThan(0.75);
    expect(p.ci!.upper).toBeGreaterThan(0.75);
  });
});

describe('two-proportion z-test and the clear-gap flag', () => {
  it('computes the pooled z by hand', () => {
    // 40/100 vs 60/100: pooled 0.5, se = √(0.25·0.02) = 0.070711, z = −0.2/0.070711 = −2.8284
    const t = twoProportionZTest(40, 100, 60, 100)!;
    expect(t.difference).toBeCloseTo(-0.2, 12);
    expect(t.z).toBeCloseTo(-2.8284, 4);
    expect(t.pValue).toBeCloseTo(0.00468, 4);
    expect(clearGap(40, 100, 60, 100)).toBe(true);
  });
  it('does not flag a gap the data cannot support', () => {
    // z = −0.1/0.070711 = −1.414 < 1.96
    expect(clearGap(45, 100, 55, 100)).toBe(false);
    // tiny groups: 1/2 vs 2/2
    expect(clearGap(1, 2, 2, 2)).toBe(false);
  });
  it('is undefined for an empty group or identical extreme rates', () => {
    expect(twoProportionZTest(0, 0, 5, 10)).toBeNull();
    expect(twoProportionZTest(0, 10, 0, 20)).toEqual({ difference: 0, z: null, pValue: null });
    expect(clearGap(0, 0, 5, 10)).toBe(false);
  });
});
