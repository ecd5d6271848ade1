import {
  abandonmentRate,
  averageHandleTime,
  averageSpeedOfAnswer,
  csatIndexFromSums,
  proportion,
  quantileOfSorted,
  SATISFIED_RATING,
  serviceLevel,
  serviceLevelMet,
} from '@samtal/indicators';
import type { BusinessCalendar, BusinessMinutesFn } from './business-time.ts';
import { workingDayMinutes } from './business-time.ts';

/**
 * The bridge between rows and indicators. A case or contact row becomes "facts" (durations in
 * business minutes, outcomes), facts add up into `Sums`, and `metricsFromSums` turns sums into the
 * published numbers. The exact queries and the rollups share all three steps, so they can only
 * disagree if their rows differ — which is what the rollup test checks.
 */

export interface CaseRow {
  channel: string;
  categoryId: string;
  departmentId: string | null;
  departmentKind: string | null;
  status: string;
  /** Local creation date (YYYY-MM-DD) in the tenant's zone. */
  day: string;
  createdAt: Date;
  firstRespondedAt: Date | null;
  firstResponseDueAt: Date | null;
  resolvedAt: Date | null;
  resolutionDueAt: Date | null;
  firstContactResolution: boolean;
  returnCount: number;
  reopenCount: number;
  rating: number | null;
  requestedRehandling: boolean | null;
}

export interface ContactRow {
  channel: string;
  categoryId: string | null;
  departmentId: string | null;
  /** Local date offered (YYYY-MM-DD) in the tenant's zone. */
  day: string;
  offeredAt: Date;
  answeredAt: Date | null;
  abandonedAt: Date | null;
  endedAt: Date | null;
  wrapUpEndedAt: Date | null;
}

/** Everything the availability indicators add up; the columns of `insight_rollups_daily`. */
export interface Sums {
  cases: number;
  firstResponseMinutes: number[];
  resolutionMinutes: number[];
  firstResponseSlaDue: number;
  firstResponseSlaMet: number;
  resolutionSlaDue: number;
  resolutionSlaMet: number;
  firstContactResolutions: number;
  directAnswers: number;
  kkikDue: number;
  kkikMet: number;
  concluded: number;
  concludedWithoutRehandling: number;
  ratings: number;
  ratingSum: number;
  satisfiedRatings: number;
  routed: number;
  returned: number;
  resolved: number;
  reopened: number;
  contactsOffered: number;
  contactsAnswered: number;
  contactsAbandoned: number;
  contactWaitSeconds: number[];
  contactsHandled: number;
  contactHandleSeconds: number;
}

export function emptySums(): Sums {
  return {
    cases: 0,
    firstResponseMinutes: [],
    resolutionMinutes: [],
    firstResponseSlaDue: 0,
    firstResponseSlaMet: 0,
    resolutionSlaDue: 0,
    resolutionSlaMet: 0,
    firstContactResolutions: 0,
    directAnswers: 0,
    kkikDue: 0,
    kkikMet: 0,
    concluded: 0,
    concludedWithoutRehandling: 0,
    ratings: 0,
    ratingSum: 0,
    satisfiedRatings: 0,
    routed: 0,
    returned: 0,
    resolved: 0,
    reopened: 0,
    contactsOffered: 0,
    contactsAnswered: 0,
    contactsAbandoned: 0,
    contactWaitSeconds: [],
    contactsHandled: 0,
    contactHandleSeconds: 0,
  };
}

/** Adds `b` into `a` (mutates and returns `a`). */
export function addSums(a: Sums, b: Sums): Sums {
  for (const key of Object.keys(a) as (keyof Sums)[]) {
    const left = a[key];
    const right = b[key];
    if (Array.isArray(left)) (left as number[]).push(...(right as number[]));
    else (a[key] as number) = (left as number) + (right as number);
  }
  return a;
}

const KKIK_CHANNELS = new Set(['web', 'email']);
const CONCLUDED = new Set(['resolved', 'closed']);

export interface FactContext {
  calendar: BusinessCalendar;
  businessMinutes: BusinessMinutesFn;
  now: Date;
}

/** A case's durations in business minutes, computed once and added to every sum it counts in. */
export interface CaseMinutes {
  firstResponse: number | null;
  resolution: number | null;
  /** KKiK: web and e-mail cases not answered yet — business minutes waited so far. */
  waiting: number | null;
}

export function caseMinutes(row: CaseRow, ctx: FactContext): CaseMinutes {
  const minutes = (end: Date) => Math.round(ctx.businessMinutes(ctx.calendar, row.createdAt, end));
  const firstResponse = row.firstRespondedAt ? minutes(row.firstRespondedAt) : null;
  return {
    firstResponse,
    resolution: row.resolvedAt ? minutes(row.resolvedAt) : null,
    waiting: firstResponse === null && KKIK_CHANNELS.has(row.channel) ? minutes(ctx.now) : null,
  };
}

/** Adds one case to `sums`. Definitions are documented on the API (routes/availability.ts). */
export function addCase(
  sums: Sums,
  row: CaseRow,
  ctx: FactContext,
  durations: CaseMinutes = caseMinutes(row, ctx),
): void {
  sums.cases++;
  const frMinutes = durations.firstResponse;
  if (frMinutes !== null) sums.firstResponseMinutes.push(frMinutes);
  if (durations.resolution !== null) sums.resolutionMinutes.push(durations.resolution);

  // SLA: a case counts once its outcome is known — answered/resolved, or its deadline has passed.
  if (row.firstResponseDueAt) {
    if (row.firstRespondedAt) {
      sums.firstResponseSlaDue++;
      if (row.firstRespondedAt <= row.firstResponseDueAt) sums.firstResponseSlaMet++;
    } else if (ctx.now > row.firstResponseDueAt) sums.firstResponseSlaDue++;
  }
  if (row.resolutionDueAt) {
    if (row.resolvedAt) {
      sums.resolutionSlaDue++;
      if (row.resolvedAt <= row.resolutionDueAt) sums.resolutionSlaMet++;
    } else if (ctx.now > row.resolutionDueAt) sums.resolutionSlaDue++;
  }

  if (row.firstContactResolution) sums.firstContactResolutions++;
  const routedOut = row.departmentId !== null && row.departmentKind !== 'contact_centre';
  if (routedOut) sums.routed++;
  if (row.resolvedAt && !routedOut) sums.directAnswers++;

  if (KKIK_CHANNELS.has(row.channel)) {
    const day = workingDayMinutes(ctx.calendar);
    if (frMinutes !== null) {
      sums.kkikDue++;
      if (frMinutes <= day) sums.kkikMet++;
    } else if ((durations.waiting ?? 0) > day) sums.kkikDue++;
  }

  if (CONCLUDED.has(row.status)) {
    sums.concluded++;
    if (row.reopenCount === 0 && !row.requestedRehandling) sums.concludedWithoutRehandling++;
  }
  if (row.rating !== null) {
    sums.ratings++;
    sums.ratingSum += row.rating;
    if (row.rating >= SATISFIED_RATING) sums.satisfiedRatings++;
  }
  if (row.returnCount > 0) sums.returned++;
  if (row.resolvedAt) sums.resolved++;
  if (row.reopenCount > 0) sums.reopened++;
}

/** Adds one contact to `sums` (same rules as `summariseContacts` in @samtal/indicators). */
export function addContact(sums: Sums, row: ContactRow): void {
  sums.contactsOffered++;
  if (row.answeredAt) {
    sums.contactsAnswered++;
    sums.contactWaitSeconds.push(Math.max(0, (row.answeredAt.getTime() - row.offeredAt.getTime()) / 1000));
    const end = row.wrapUpEndedAt ?? row.endedAt;
    if (end) {
      sums.contactsHandled++;
      sums.contactHandleSeconds += Math.max(0, (end.getTime() - row.answeredAt.getTime()) / 1000);
    }
  } else if (row.abandonedAt) {
    sums.contactsAbandoned++;
  }
}

export interface Thresholds {
  /** Y: answered within this many seconds counts for the service level. */
  serviceLevelSeconds: number;
  /** X: the target share, e.g. 0.8. */
  serviceLevelTarget: number;
}

const round = (v: number | null, digits = 4) => (v === null ? null : Number(v.toFixed(digits)));

function share(numerator: number, denominator: number) {
  const p = proportion(numerator, denominator);
  return {
    numerator,
    denominator,
    value: round(p.value),
    ci: p.ci ? { lower: round(p.ci.lower)!, upper: round(p.ci.upper)! } : null,
  };
}

/**
 * Median and p90 from one sort. A typed array sorts numbers natively, several times faster than
 * `Array.prototype.sort` with a comparator, which matters for the ~10⁵–10⁶ durations of a city.
 */
export function sortedNumbers(values: readonly number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

function distribution(values: number[]) {
  const sorted = sortedNumbers(values);
  return {
    n: values.length,
    median: round(quantileOfSorted(sorted, 0.5), 2),
    p90: round(quantileOfSorted(sorted, 0.9), 2),
  };
}

/**
 * The published availability numbers. Ratings-based numbers (CSAT, satisfaction) are residents'
 * opinions: over fewer than k ratings they are suppressed, like every small cell.
 */
export function metricsFromSums(s: Sums, thresholds: Thresholds, k: number) {
  const within = s.contactWaitSeconds.filter((w) => w <= thresholds.serviceLevelSeconds).length;
  const level = serviceLevel(within, s.contactsOffered);
  const fewRatings = s.ratings < k;
  return {
    cases: s.cases,
    contacts: {
      offered: s.contactsOffered,
      answered: s.contactsAnswered,
      abandoned: s.contactsAbandoned,
      answeredWithinThreshold: within,
      serviceLevel: round(level),
      serviceLevelMet: serviceLevelMet(level, thresholds.serviceLevelTarget),
      asaSeconds: round(averageSpeedOfAnswer(sumOf(s.contactWaitSeconds), s.contactsAnswered), 1),
      abandonmentRate: round(abandonmentRate(s.contactsAbandoned, s.contactsOffered)),
      ahtSeconds: round(averageHandleTime(s.contactHandleSeconds, s.contactsHandled), 1),
    },
    firstResponseMinutes: distribution(s.firstResponseMinutes),
    resolutionMinutes: distribution(s.resolutionMinutes),
    slaFirstResponse: share(s.firstResponseSlaMet, s.firstResponseSlaDue),
    slaResolution: share(s.resolutionSlaMet, s.resolutionSlaDue),
    firstContactResolution: share(s.firstContactResolutions, s.cases),
    directAnswerRate: share(s.directAnswers, s.cases),
    kkikEmail: share(s.kkikMet, s.kkikDue),
    rates12345: {
      response: share(s.firstResponseSlaMet, s.firstResponseSlaDue),
      resolution: share(s.concludedWithoutRehandling, s.concluded),
      satisfaction: fewRatings ? SUPPRESSED_VALUE : share(s.satisfiedRatings, s.ratings),
    },
    csat: fewRatings
      ? SUPPRESSED_VALUE
      : { ratings: s.ratings, index: round(csatIndexFromSums(s.ratingSum, s.ratings), 2) },
    returnRate: share(s.returned, s.routed),
    reopenRate: share(s.reopened, s.resolved),
  };
}

export const SUPPRESSED_VALUE = { suppressed: true as const };

function sumOf(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export type AvailabilityMetrics = ReturnType<typeof metricsFromSums>;
