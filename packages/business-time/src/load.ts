import { type Executor, schema } from '@samtal/db';
import { and, eq } from 'drizzle-orm';
import type { BusinessCalendar } from './calendar.ts';

/**
 * Reads a calendar with its holidays; without an id, the tenant's default calendar. Returns
 * undefined when the tenant has none (callers then fall back to round-the-clock time).
 */
export async function loadCalendar(
  db: Executor,
  tenantId: string,
  calendarId?: string | null,
): Promise<BusinessCalendar | undefined> {
  const { businessCalendars: c, calendarHolidays: h } = schema;
  const [calendar] = await db
    .select()
    .from(c)
    .where(and(eq(c.tenantId, tenantId), calendarId ? eq(c.id, calendarId) : eq(c.isDefault, true)))
    .limit(1);
  if (!calendar) return undefined;
  const holidays = await db
    .select({ day: h.day })
    .from(h)
    .where(and(eq(h.tenantId, tenantId), eq(h.calendarId, calendar.id)));
  return {
    timeZone: calendar.timeZone,
    openingHours: calendar.openingHours,
    holidays: new Set(holidays.map((row) => row.day)),
  };
}

/** Every minute counts: for tenants without a calendar (and for 24/7 hotlines). */
export function roundTheClock(timeZone: string): BusinessCalendar {
  const allDay = [{ open: '00:00', close: '24:00' }];
  return {
    timeZone,
    openingHours: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, allDay])),
    holidays: [],
  };
}
