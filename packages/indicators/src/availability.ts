import { mean } from './descriptive.ts';
import { ratio } from './proportions.ts';

/**
 * Availability formulas (DESIGN.md §5), each over counts or durations so that a rollup (sums and
 * counts) and an exact query (rows) feed the same function.
 */

/** One synchronous contact, times in epoch milliseconds. */
export interface ContactTimes {
  offeredAt: number;
  answeredAt?: number | null;
  abandonedAt?: number | null;
  endedAt?: number | null;
  wrapUpEndedAt?: number | null;
}

export interface ContactSummary {
  offered: number;
  answered: number;
  abandoned: number;
  /** Answered within the service-level threshold. */
  answeredWithinThreshold: number;
  /** Sum of waits (offer → answer) of answered contacts, seconds. */
  waitSecondsSum: number;
  /** Answered contacts with a known end (the AHT denominator). */
  handled: number;
  /** Sum of handling times (answer → end of wrap-up, or end), seconds. */
  handleSecondsSum: number;
}

export function emptyContactSummary(): ContactSummary {
  return {
    offered: 0,
    answered: 0,
    abandoned: 0,
    answeredWithinThreshold: 0,
    waitSecondsSum: 0,
    handled: 0,
    handleSecondsSum: 0,
  };
}

/** Adds two summaries (rollup rows of different days or cuts). */
export function addContactSummaries(a: ContactSummary, b: ContactSummary): ContactSummary {
  return {
    offered: a.offered + b.offered,
    answered: a.answered + b.answered,
    abandoned: a.abandoned + b.abandoned,
    answeredWithinThreshold: a.answeredWithinThreshold + b.answeredWithinThreshold,
    waitSecondsSum: a.waitSecondsSum + b.waitSecondsSum,
    handled: a.handled + b.handled,
    handleSecondsSum: a.handleSecondsSum + b.handleSecondsSum,
  };
}

/**
 * Summarises contacts. Every contact counts as offered. It is answered when it has `answeredAt`
 * (an answer wins over a later abandon stamp), abandoned when it has `abandonedAt` and no answer.
 * Contacts still waiting are offered but neither — so they lower the service level until answered,
 * which is what a supervisor watching the day wants to see.
 */
export function summariseContacts(
  contacts: readonly ContactTimes[],
  thresholdSeconds: number,
): ContactSummary {
  const s = emptyContactSummary();
  for (const c of contacts) {
    s.offered++;
    if (c.answeredAt != null) {
      s.answered++;
      const wait = Math.max(0, (c.answeredAt - c.offeredAt) / 1000);
      s.waitSecondsSum += wait;
      if (wait <= thresholdSeconds) s.answeredWithinThreshold++;
      const end = c.wrapUpEndedAt ?? c.endedAt;
      if (end != null) {
        s.handled++;
        s.handleSecondsSum += Math.max(0, (end - c.answeredAt) / 1000);
      }
    } else if (c.abandonedAt != null) {
      s.abandoned++;
    }
  }
  return s;
}

/** Service level X/Y: share of offered contacts answered within Y seconds. `null` when none offered. */
export function serviceLevel(answeredWithinThreshold: number, offered: number): number | null {
  return ratio(answeredWithinThreshold, offered);
}

/** Service level met when it reaches the target share X (e.g. 0.8 for 80/20). */
export function serviceLevelMet(level: number | null, target: number): boolean | null {
  return level === null ? null : level >= target;
}

/** ASA: mean wait before answer in seconds, over answered contacts. */
export function averageSpeedOfAnswer(waitSecondsSum: number, answered: number): number | null {
  return ratio(waitSecondsSum, answered);
}

/** Abandonment rate: abandoned ÷ offered. */
export function abandonmentRate(abandoned: number, offered: number): number | null {
  return ratio(abandoned, offered);
}

/** AHT: mean handling time (answer → end of after-contact work) in seconds. */
export function averageHandleTime(handleSecondsSum: number, handled: number): number | null {
  return ratio(handleSecondsSum, handled);
}

/** Occupancy: handling ÷ (handling + idle) — time busy with contacts over time available for them. */
export function occupancy(handlingSeconds: number, idleSeconds: number): number | null {
  return ratio(handlingSeconds, handlingSeconds + idleSeconds);
}

/** Maps a 1–5 rating to the SKR 0–100 scale: 1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100. */
export function csatPoints(rating: number): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
    throw new RangeError(`csat: a rating is a whole number from 1 to 5, got ${rating}`);
  }
  return (rating - 1) * 25;
}

/** CSAT index (SKR style): ratings 1–5 mapped to 0–100 and averaged. `null` for no ratings. */
export function csatIndex(ratings: readonly number[]): number | null {
  return mean(ratings.map(csatPoints));
}

/** CSAT index from a rollup: count and sum of ratings (1–5). Σ(25·(r − 1)) = 25·(Σr − n). */
export function csatIndexFromSums(ratingSum: number, ratingCount: number): number | null {
  return ratingCount === 0 ? null : (25 * (ratingSum - ratingCount)) / ratingCount;
}

/** Ratings at or above this count as "satisfied" in the 12345 satisfaction rate. */
export const SATISFIED_RATING = 4;
