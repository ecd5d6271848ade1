/**
 * Business time, injected. The lead's `@samtal/business-time` (`businessMinutesBetween(calendar,
 * start, end)`) is the real implementation; until it is on this branch, `wallClockFallback…` below
 * counts opening hours with the same signature, so swapping it in is a one-line change in
 * service.ts. Tests pass their own function where they need hand-checkable numbers.
 */
export interface BusinessCalendar {
  /** IANA zone, e.g. Europe/Stockholm. */
  timeZone: string;
  /** ISO weekday "1" (Monday) … "7" (Sunday) → opening intervals "HH:MM"–"HH:MM". */
  openingHours: Record<string, { open: string; close: string }[]>;
  /** Local dates (YYYY-MM-DD) on which the calendar is closed. */
  holidays: string[];
}

/** Whole or fractional business minutes between two instants (0 when end ≤ start). */
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

function addDays(date: string, days: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Counts opening-hour minutes between two instants, skipping holidays, in the calendar's zone. */
export const openingHoursMinutes: BusinessMinutesFn = (calendar, start, end) => {
  if (end <= start) return 0;
  const holidays = new Set(calendar.holidays);
  let total = 0;
  const last = localDate(end, calendar.timeZone);
  for (let day = localDate(start, calendar.timeZone); day <= last; day = addDays(day, 1)) {
    if (holidays.has(day)) continue;
    for (const interval of calendar.openingHours[String(isoWeekday(day))] ?? []) {
      const open = zonedInstant(day, toMinutes(interval.open), calendar.timeZone).getTime();
      const close = zonedInstant(day, toMinutes(interval.close), calendar.timeZone).getTime();
      const from = Math.max(open, start.getTime());
      const to = Math.min(close, end.getTime());
      if (to > from) total += (to - from) / 60_000;
    }
  }
  return total;
};

/** Average length of an open day in minutes: the KKiK "one working day". 8 h without opening hours. */
export function workingDayMinutes(calendar: BusinessCalendar): number {
  const days = Object.values(calendar.openingHours)
    .map((intervals) => intervals.reduce((sum, i) => sum + toMinutes(i.close) - toMinutes(i.open), 0))
    .filter((m) => m > 0);
  return days.length ? days.reduce((a, b) => a + b, 0) / days.length : 8 * 60;
}
