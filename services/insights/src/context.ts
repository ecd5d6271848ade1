import type { DbHandle } from '@samtal/db';
import { invalidField, NotFoundProblem } from '@samtal/http';
import { type BusinessCalendar, localDate, zonedInstant } from './business-time.ts';

/** What every indicator query needs to know about the tenant it answers for. */
export interface TenantContext {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  smallCellK: number;
  partnerComparison: boolean;
  calendar: BusinessCalendar;
}

/** Weekdays 08:00–17:00, used when a tenant has no business calendar yet. */
const FALLBACK_HOURS: BusinessCalendar['openingHours'] = Object.fromEntries(
  ['1', '2', '3', '4', '5'].map((d) => [d, [{ open: '08:00', close: '17:00' }]]),
);

/**
 * Loads the tenant and its default business calendar (or its first one). Business minutes in
 * every indicator are counted in this calendar: the same yardstick for every case of the tenant,
 * so categories with different SLA calendars remain comparable.
 */
export async function loadTenant(db: DbHandle, tenantId: string): Promise<TenantContext> {
  const [tenant] = await db.sql<
    {
      id: string;
      slug: string;
      name: string;
      time_zone: string;
      small_cell_k: number;
      partner_comparison: boolean;
    }[]
  >`select id, slug, name, time_zone, small_cell_k, partner_comparison from tenants where id = ${tenantId}`;
  if (!tenant) throw new NotFoundProblem('No such municipality');
  const [calendar] = await db.sql<
    { id: string; time_zone: string; opening_hours: BusinessCalendar['openingHours'] }[]
  >`select id, time_zone, opening_hours from business_calendars where tenant_id = ${tenantId}
    order by is_default desc, name limit 1`;
  const holidays = calendar
    ? await db.sql<{ day: string }[]>`select day::text as day from calendar_holidays
        where tenant_id = ${tenantId} and calendar_id = ${calendar.id}`
    : [];
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    timeZone: tenant.time_zone,
    smallCellK: tenant.small_cell_k,
    partnerComparison: tenant.partner_comparison,
    calendar: {
      timeZone: calendar?.time_zone ?? tenant.time_zone,
      openingHours: calendar?.opening_hours ?? FALLBACK_HOURS,
      holidays: holidays.map((h) => h.day),
    },
  };
}

export type Interval = 'day' | 'week' | 'month';

export interface Period {
  /** First local date (inclusive). */
  from: string;
  /** Last local date (inclusive). */
  to: string;
  /** Instants bounding the period in the tenant's zone: [start, end). */
  start: Date;
  end: Date;
}

export const MAX_PERIOD_DAYS = 3 * 366;

export function addDays(date: string, days: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * A period of whole local days. Defaults: the last 30 days up to today. `from` after `to` or a
 * period over three years is a 400 naming the field.
 */
export function resolvePeriod(
  tenant: Pick<TenantContext, 'timeZone'>,
  now: Date,
  from?: string,
  to?: string,
): Period {
  const end = to ?? localDate(now, tenant.timeZone);
  const start = from ?? addDays(end, -29);
  if (start > end) throw invalidField('from', 'must be on or before `to`');
  if (daysBetween(start, end) >= MAX_PERIOD_DAYS) {
    throw invalidField('to', `a period may span at most ${MAX_PERIOD_DAYS} days`);
  }
  return {
    from: start,
    to: end,
    start: zonedInstant(start, 0, tenant.timeZone),
    end: zonedInstant(addDays(end, 1), 0, tenant.timeZone),
  };
}

/** The trend bucket of a local date: the date, the Monday of its ISO week, or its month. */
export function bucketOf(date: string, interval: Interval): string {
  if (interval === 'day') return date;
  if (interval === 'month') return date.slice(0, 7);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return addDays(date, 1 - weekday);
}
