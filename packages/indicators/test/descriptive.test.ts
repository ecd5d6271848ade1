import { describe, expect, it } from 'vitest';
import { mean, median, percentile, quantile } from '../src/index.ts';

describe('median', () => {
  it('is null for no values', () => {
    expect(median([])).toBeNull();
  });
  it('is the single value of one', () => {
    expect(median([7])).toBe(7);
  });
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
  });
  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('handles ties: equal values sit next to each other', () => {
    expect(median([2, 2, 2, 5])).toBe(2);
    expect(median([1, 2, 2, 3])).toBe(2);
    expect(median([4, 4])).toBe(4);
    expect(median([1, 1, 9, 9])).toBe(5);
  });
});

describe('percentile (type 7, like PostgreSQL percentile_cont)', () => {
  const oneToTen = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  it('interpolates between the closest ranks', () => {
    // h = (10 − 1)·0.9 = 8.1 → x[8] + 0.1·(x[9] − x[8]) = 9 + 0.1 = 9.1
    expect(percentile(oneToTen, 90)).toBeCloseTo(9.1, 12);
    // h = 9·0.25 = 2.25 → 3 + 0.25·1 = 3.25
    expect(percentile(oneToTen, 25)).toBeCloseTo(3.25, 12);
  });
  it('gives the extremes at 0 and 100', () => {
    expect(percentile(oneToTen, 0)).toBe(1);
    expect(percentile(oneToTen, 100)).toBe(10);
  });
  it('is null for no values and rejects a p outside 0–100', () => {
    expect(percentile([], 90)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => quantile([1], -0.1)).toThrow(RangeError);
  });
  it('is flat over ties', () => {
    expect(percentile([5, 5, 5, 5], 90)).toBe(5);
  });
});

describe('mean', () => {
  it('is null for no values and the average otherwise', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
  });
});
