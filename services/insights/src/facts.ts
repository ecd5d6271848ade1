import {
  abandonmentRate,
  averageHandleTime,
  averageSpeedOfAnswer,
  csatIndexFromSums,
  proportion,
  SATISFIED_RATING,
  serviceLevel,
  serviceLevelMet,
  Tally,
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
  /** The case's demographic answers, when read for the equity rollups. */
  groups?: Record<string, string> | null;
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
  /** Business minutes to first response, of every responded case. */
  firstResponseMinutes: Tally;
  /** Business minutes to resolution, of every resolved case. */
  resolutionMinutes: Tally;
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
  /** Whole seconds waited (rounded up) of every answered contact: wait ≤ Y ⇔ ⌈wait⌉ ≤ Y for whole Y. */
  contactWaitCounts: Tally;
  /** The exact sum of the seconds waited (the average speed of answer). */
  contactWaitSeconds: number;
  contactsHandled: number;
  contactHandleSeconds: number;
}

export function emptySums(): Sums {
  return {
    cases: 0,
    firstResponseMinutes: new Tally(),
    resolutionMinutes: new Tally(),
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
    contactWaitCounts: new Tally(),
    contactWaitSeconds: 0,
    contactsHandled: 0,
    contactHandleSeconds: 0,
  };
}

/** Adds `b` into `a` (mutates and returns `a`): numbers add up, tallies merge. For Sums and EquitySums. */
export function addSums<T extends Sums | EquitySums>(a: T, b: T): T {
  const left = a as unknown as Record<string, number | Tally>;
  const right = b as unknown as Record<string, number | Tally>;
  for (const key of Object.keys(left)) {
    const value = left[key]!;
    if (value instanceof Tally) value.addTally(right[key] as Tally);
    else left[key] = value + (right[key] as number);
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
  if (frMinutes !== null) sums.firstResponseMinutes.add(frMinutes);
  if (durations.resolution !== null) sums.resolutionMinutes.add(durations.resolution);

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
    const waited = Math.max(0, (row.answeredAt.getTime() - row.offeredAt.getTime()) / 1000);
    sums.contactWaitCounts.add(Math.ceil(waited));
    sums.contactWaitSeconds += waited;
    const end = row.wrapUpEndedAt ?? row.endedAt;
    if (end) {
      sums.contactsHandled++;
      sums.contactHandleSeconds += Math.max(0, (end.getTime() - row.answeredAt.getTime()) / 1000);
    }
  } else if (row.abandonedAt) {
    sums.contactsAbandoned++;
  }
}

/** What one case adds to its demographic group's service numbers (equity.ts). */
export interface EquityFact {
  firstResponseMinutes: number | null;
  resolved: boolean;
  /** The first-response deadline counts: answered, or passed unanswered. */
  slaDue: boolean;
  slaMet: boolean;
  rating: number | null;
}

/** Instants as epoch milliseconds; `firstResponseMinutes` already in business minutes. */
export function equityFact(
  c: { respondedMs: number | null; dueMs: number | null; resolvedMs: number | null; rating: number | null },
  firstResponseMinutes: number | null,
  nowMs: number,
): EquityFact {
  return {
    firstResponseMinutes,
    resolved: c.resolvedMs !== null,
    slaDue: c.dueMs !== null && (c.respondedMs !== null || nowMs > c.dueMs),
    slaMet: c.dueMs !== null && c.respondedMs !== null && c.respondedMs <= c.dueMs,
    rating: c.rating,
  };
}

/** A demographic group's service numbers; the columns of `insight_equity_daily`. */
export interface EquitySums {
  cases: number;
  firstResponseMinutes: Tally;
  resolved: number;
  slaDue: number;
  slaMet: number;
  ratings: number;
  satisfied: number;
}

export function emptyEquitySums(): EquitySums {
  return {
    cases: 0,
    firstResponseMinutes: new Tally(),
    resolved: 0,
    slaDue: 0,
    slaMet: 0,
    ratings: 0,
    satisfied: 0,
  };
}

export function addEquityFact(s: EquitySums, fact: EquityFact): void {
  s.cases++;
  if (fact.firstResponseMinutes !== null) s.firstResponseMinutes.add(fact.firstResponseMinutes);
  if (fact.resolved) s.resolved++;
  if (fact.slaDue) {
    s.slaDue++;
    if (fact.slaMet) s.slaMet++;
  }
  if (fact.rating !== null) {
    s.ratings++;
    if (fact.rating >= SATISFIED_RATING) s.satisfied++;
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

function distribution(values: Tally) {
  return {
    n: values.n,
    median: round(values.quantile(0.5), 2),
    p90: round(values.quantile(0.9), 2),
  };
}

/**
 * The published availability numbers. Ratings-based numbers (CSAT, satisfaction) are residents'
 * opinions: over fewer than k ratings they are suppressed, like every small cell.
 */
export function metricsFromSums(s: Sums, thresholds: Thresholds, k: number) {
  // Y is a whole number of seconds (the route's schema), so the tally of rounded-up waits is exact.
  const within = s.contactWaitCounts.countAtMost(thresholds.serviceLevelSeconds);
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
      asaSeconds: round(averageSpeedOfAnswer(s.contactWaitSeconds, s.contactsAnswered), 1),
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

export type AvailabilityMetrics = ReturnType<typeof metricsFromSums>;
