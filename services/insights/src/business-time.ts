import type { BusinessCalendar } from '@samtal/business-time';

/**
 * Business time is injected (`businessMinutesBetween` from @samtal/business-time in production) so
 * tests can pass a function whose numbers are easy to check by hand. This module adds the local
 * calendar arithmetic insights needs for periods and buckets.
 */
export type { BusinessCalendar };

/** Business minutes between two instants (0 when end ≤ start). */
export type BusinessMinutesFn = (calendar: BusinessCalendar, start: Date, end: Date) => number;

const partsCache = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock fields of an instant in a zone. */
export function localParts(instant: Date, timeZone: string) {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant at which the local wall clock in `timeZone` shows date + minutes after midnight. */
export function zonedInstant(date: string, minutesOfDay: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minutesOfDay);
  const offsetAt = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

const workingDays = new WeakMap<BusinessCalendar['openingHours'], number>();

/** Average length of an open day in minutes: the KKiK "one working day". 8 h without opening hours. */
export function workingDayMinutes(calendar: BusinessCalendar): number {
  const cached = workingDays.get(calendar.openingHours);
  if (cached !== undefined) return cached;
  const minutes = averageOpenDay(calendar);
  workingDays.set(calendar.openingHours, minutes);
  return minutes;
}

function averageOpenDay(calendar: BusinessCalendar): number {
  const days = Object.values(calendar.openingHours)
    .map((intervals) => intervals.reduce((sum, i) => sum + toMinutes(i.close) - toMinutes(i.open), 0))
    .filter((m) => m > 0);
  return days.length ? days.reduce((a, b) => a + b, 0) / days.length : 8 * 60;
}
