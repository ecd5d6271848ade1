import type { DbHandle } from '@samtal/db';
import { occupancy } from '@samtal/indicators';
import { bucketOf, type Interval, type Period, type TenantContext } from './context.ts';
import {
  addCase,
  addContact,
  caseMinutes,
  emptySums,
  type FactContext,
  metricsFromSums,
  type Sums,
  type Thresholds,
} from './facts.ts';
import {
  type CaseFilters,
  fetchBacklog,
  fetchPresenceSeconds,
  forEachCase,
  forEachContact,
} from './queries.ts';
import { type BucketedSums, rollupSums } from './rollups.ts';

/** Sums per trend bucket straight from cases and contacts: any filter, always current. */
export async function exactSums(
  db: DbHandle,
  tenant: TenantContext,
  period: Period,
  filters: CaseFilters,
  interval: Interval,
  facts: Omit<FactContext, 'calendar'>,
): Promise<BucketedSums> {
  const ctx: FactContext = { ...facts, calendar: tenant.calendar };
  const total = emptySums();
  const buckets = new Map<string, Sums>();
  const bucket = (day: string) => {
    const key = bucketOf(day, interval);
    let sums = buckets.get(key);
    if (!sums) {
      sums = emptySums();
      buckets.set(key, sums);
    }
    return sums;
  };
  await Promise.all([
    forEachContact(db, tenant.id, period.start, period.end, filters, tenant.timeZone, (row) => {
      addContact(total, row);
      addContact(bucket(row.day), row);
    }),
    forEachCase(db, tenant.id, period.start, period.end, filters, tenant.timeZone, (row) => {
      const durations = caseMinutes(row, ctx);
      addCase(total, row, ctx, durations);
      addCase(bucket(row.day), row, ctx, durations);
    }),
  ]);
  return { total, buckets };
}

export type Source = 'auto' | 'rollup' | 'exact';

export interface AvailabilityQuery {
  period: Period;
  interval: Interval;
  filters: CaseFilters;
  thresholds: Thresholds;
  source: Source;
}

/** The rollups answer standard cuts; exact-only filters force the exact path. */
export function chooseSource(query: Pick<AvailabilityQuery, 'filters' | 'source'>): 'rollup' | 'exact' {
  const exactOnly = query.filters.districtId !== undefined || query.filters.priority !== undefined;
  return query.source === 'exact' || exactOnly ? 'exact' : 'rollup';
}

export async function availabilityReport(
  db: DbHandle,
  tenant: TenantContext,
  query: AvailabilityQuery,
  facts: Omit<FactContext, 'calendar'>,
) {
  // The sums, presence and backlog are independent queries: run them side by side (each on its own
  // pooled connection) instead of one after the other.
  const sums = async (): Promise<
    { source: 'rollup' | 'exact' } & BucketedSums & { refreshedAt: Date | null }
  > => {
    if (chooseSource(query) === 'rollup') {
      const fromRollups = await rollupSums(db, tenant.id, query.period, query.filters, query.interval);
      // `auto` on a tenant whose rollups were never built answers exactly rather than with zeros.
      if (fromRollups.refreshedAt !== null || query.source !== 'auto')
        return { source: 'rollup', ...fromRollups };
    }
    const exact = await exactSums(db, tenant, query.period, query.filters, query.interval, facts);
    return { source: 'exact', ...exact, refreshedAt: null };
  };
  const [result, presence, backlog] = await Promise.all([
    sums(),
    fetchPresenceSeconds(
      db,
      tenant.id,
      query.period.start,
      query.period.end,
      facts.now,
      query.filters.departmentId,
    ),
    fetchBacklog(db, tenant.id, query.filters, facts.now),
  ]);
  const { source } = result;
  const k = tenant.smallCellK;
  const round = (v: number | null) => (v === null ? null : Number(v.toFixed(2)));
  const round4 = (v: number | null) => (v === null ? null : Number(v.toFixed(4)));
  return {
    tenant: { slug: tenant.slug, name: tenant.name, timeZone: tenant.timeZone },
    period: { from: query.period.from, to: query.period.to, interval: query.interval },
    source,
    rollupRefreshedAt: source === 'rollup' ? (result.refreshedAt?.toISOString() ?? null) : null,
    thresholds: query.thresholds,
    totals: metricsFromSums(result.total, query.thresholds, k),
    trend: [...result.buckets.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([bucket, sums]) => ({ bucket, ...metricsFromSums(sums, query.thresholds, k) })),
    occupancy: {
      handlingSeconds: Math.round(presence.handlingSeconds),
      idleSeconds: Math.round(presence.idleSeconds),
      value: round4(occupancy(presence.handlingSeconds, presence.idleSeconds)),
    },
    backlog: {
      open: backlog.open,
      ageHours: { median: round(backlog.median), p90: round(backlog.p90), max: round(backlog.max) },
      byAge: {
        under1Day: backlog.under_1_day,
        from1To7Days: backlog.from_1_to_7_days,
        from7To30Days: backlog.from_7_to_30_days,
        over30Days: backlog.over_30_days,
      },
    },
  };
}

export type AvailabilityReport = Awaited<ReturnType<typeof availabilityReport>>;
