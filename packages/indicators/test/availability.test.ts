import { describe, expect, it } from 'vitest';
import {
  abandonmentRate,
  addContactSummaries,
  averageHandleTime,
  averageSpeedOfAnswer,
  csatIndex,
  csatIndexFromSums,
  csatPoints,
  emptyContactSummary,
  occupancy,
  serviceLevel,
  serviceLevelMet,
  summariseContacts,
} from '../src/index.ts';

const s = (seconds: number) => seconds * 1000;

describe('contact summary and availability formulas', () => {
  // Four offered contacts, offered at t = 0:
  // A answered after 10 s, ended at 130 s, wrap-up to 190 s → handled 180 s
  // B answered after 30 s, ended at 90 s, no wrap-up         → handled 60 s
  // C abandoned after 5 s; D still waiting.
  const contacts = [
    { offeredAt: 0, answeredAt: s(10), endedAt: s(130), wrapUpEndedAt: s(190) },
    { offeredAt: 0, answeredAt: s(30), endedAt: s(90) },
    { offeredAt: 0, abandonedAt: s(5) },
    { offeredAt: 0 },
  ];
  const summary = summariseContacts(contacts, 20);

  it('counts offered, answered, abandoned and answered within Y', () => {
    expect(summary).toEqual({
      offered: 4,
      answered: 2,
      abandoned: 1,
      answeredWithinThreshold: 1,
      waitSecondsSum: 40,
      handled: 2,
      handleSecondsSum: 240,
    });
  });
  it('service level 1/4, ASA 20 s, abandonment 1/4, AHT 120 s', () => {
    expect(serviceLevel(summary.answeredWithinThreshold, summary.offered)).toBe(0.25);
    expect(serviceLevelMet(0.25, 0.8)).toBe(false);
    expect(averageSpeedOfAnswer(summary.waitSecondsSum, summary.answered)).toBe(20);
    expect(abandonmentRate(summary.abandoned, summary.offered)).toBe(0.25);
    expect(averageHandleTime(summary.handleSecondsSum, summary.handled)).toBe(120);
  });
  it('the threshold is inclusive: answered at exactly Y counts', () => {
    expect(summariseContacts([{ offeredAt: 0, answeredAt: s(20) }], 20).answeredWithinThreshold).toBe(1);
  });
  it('an empty period is null, never 0 or 100 %', () => {
    const empty = summariseContacts([], 20);
    expect(empty).toEqual(emptyContactSummary());
    expect(serviceLevel(0, 0)).toBeNull();
    expect(serviceLevelMet(null, 0.8)).toBeNull();
    expect(averageSpeedOfAnswer(0, 0)).toBeNull();
    expect(abandonmentRate(0, 0)).toBeNull();
    expect(averageHandleTime(0, 0)).toBeNull();
  });
  it('summaries add up', () => {
    expect(addContactSummaries(summary, summary).offered).toBe(8);
    expect(addContactSummaries(summary, emptyContactSummary())).toEqual(summary);
  });
});

describe('occupancy', () => {
  it('is handling ÷ (handling + idle)', () => {
    expect(occupancy(3600, 1200)).toBe(0.75);
    expect(occupancy(0, 0)).toBeNull();
  });
});

describe('CSAT index (SKR)', () => {
  it('maps 1–5 to 0, 25, 50, 75, 100', () => {
    expect([1, 2, 3, 4, 5].map(csatPoints)).toEqual([0, 25, 50, 75, 100]);
  });
  it('averages the points', () => {
    expect(csatIndex([1, 5])).toBe(50);
    expect(csatIndex([4, 4, 5])).toBeCloseTo(250 / 3, 12);
    expect(csatIndex([])).toBeNull();
  });
  it('gives the same from rollup sums', () => {
    expect(csatIndexFromSums(13, 3)).toBeCloseTo(250 / 3, 12);
    expect(csatIndexFromSums(0, 0)).toBeNull();
  });
  it('rejects ratings outside 1–5', () => {
    expect(() => csatPoints(0)).toThrow(RangeError);
    expect(() => csatPoints(6)).toThrow(RangeError);
    expect(() => csatPoints(2.5)).toThrow(RangeError);
  });
});
