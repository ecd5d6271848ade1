import { describe, expect, it } from 'vitest';
import {
  disparity,
  rateDisparity,
  representationRatio,
  roseIndex,
  roseIndexFromCounts,
  shares,
} from '../src/index.ts';

describe('shares and representation ratio', () => {
  it('turns counts into shares, null when nobody is counted', () => {
    expect(shares({ women: 30, men: 10 })).toEqual({ women: 0.75, men: 0.25 });
    expect(shares({ women: 0, men: 0 })).toEqual({ women: null, men: null });
  });
  it('is rᵢ/pᵢ, undefined without a population share', () => {
    expect(representationRatio(0.75, 0.5)).toBe(1.5);
    expect(representationRatio(0, 0.5)).toBe(0);
    expect(representationRatio(0.2, 0)).toBeNull();
  });
});

describe('Rose index 1 − ½·Σ|rᵢ − pᵢ|', () => {
  it('is 1 for a mirror of the population', () => {
    expect(roseIndex({ a: 0.5, b: 0.5 }, { a: 0.5, b: 0.5 })).toBe(1);
  });
  it('matches a hand computation', () => {
    // |0.6 − 0.5| + |0.4 − 0.5| = 0.2 → 0.9
    expect(roseIndex({ f: 0.6, m: 0.4 }, { f: 0.5, m: 0.5 })).toBeCloseTo(0.9, 12);
    // young 0.5/0.2, middle 0.5/0.5, old 0/0.3: Σ = 0.3 + 0 + 0.3 = 0.6 → 0.7
    expect(roseIndex({ young: 0.5, middle: 0.5 }, { young: 0.2, middle: 0.5, old: 0.3 })).toBeCloseTo(
      0.7,
      12,
    );
  });
  it('is 0 with no overlap and null without data', () => {
    expect(roseIndex({ a: 1 }, { b: 1 })).toBe(0);
    expect(roseIndex({}, { a: 1 })).toBeNull();
    expect(roseIndexFromCounts({ a: 0 }, { a: 10 })).toBeNull();
  });
  it('normalises counts first', () => {
    expect(roseIndexFromCounts({ f: 6, m: 4 }, { f: 50_000, m: 50_000 })).toBeCloseTo(0.9, 12);
  });
});

describe('disparity ratio (lowest ÷ highest, flag below 0.8)', () => {
  it('matches a hand computation and flags', () => {
    const d = disparity({ a: 0.9, b: 0.6, c: 0.75 });
    expect(d.ratio).toBeCloseTo(0.6 / 0.9, 12);
    expect(d).toMatchObject({ lowestGroup: 'b', highestGroup: 'a', flagged: true });
  });
  it('does not flag at or above 0.8', () => {
    expect(disparity({ a: 1, b: 0.8 })).toMatchObject({ ratio: 0.8, flagged: false });
  });
  it('leaves out groups without data and needs two groups', () => {
    expect(disparity({ a: 0.5, b: null })).toEqual({
      ratio: null,
      lowestGroup: null,
      highestGroup: null,
      flagged: false,
    });
    expect(disparity({})).toMatchObject({ ratio: null, flagged: false });
  });
  it('is undefined when the highest is 0', () => {
    expect(disparity({ a: 0, b: 0 })).toMatchObject({ ratio: null, flagged: false });
  });
  it('tests the gap between the lowest and highest group of a rate', () => {
    const d = rateDisparity({
      women: { numerator: 60, denominator: 100 },
      men: { numerator: 40, denominator: 100 },
      unknown: { numerator: 0, denominator: 0 },
    });
    expect(d).toMatchObject({ lowestGroup: 'men', highestGroup: 'women', flagged: true, clearGap: true });
    expect(d.ratio).toBeCloseTo(40 / 60, 12);
    expect(d.pValue).toBeCloseTo(0.00468, 4);
  });
  it('a group with zero cases takes no part', () => {
    const d = rateDisparity({ a: { numerator: 5, denominator: 10 }, b: { numerator: 0, denominator: 0 } });
    expect(d).toMatchObject({ ratio: null, clearGap: false, pValue: null });
  });
});
