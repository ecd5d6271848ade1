import { DateTime } from 'luxon';

/**
 * Business time: minutes that count towards an SLA are the minutes inside a calendar's opening
 * hours, on days that are not holidays, in the calendar's own time zone. Opening hours are local
 * wall-clock times, so a DST change moves them in UTC but never changes how long a day is open
 * (08:00–17:00 is nine business hours on the day the clocks change, too).
 */
export interface BusinessCalendar {
  /** IANA time zone, e.g. Europe/Stockholm. */
  timeZone: string;
  /** ISO weekday "1" (Monday) … "7" (Sunday) → opening intervals "HH:MM"–"HH:MM", close after open. */
  openingHours: Record<string, { open: string; close: string }[]>;
  /** Local dates "YYYY-MM-DD" on which the calendar is closed all day. */
  holidays: ReadonlySet<string> | readonly string[];
}

const MINUTE = 60_000;
/** A calendar with no opening hours at all would loop for ever; give up after ten years. */
const MAX_DAYS = 3660;

function parseClock(value: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!match) throw new Error(`Invalid opening time "${value}" (expected HH:MM)`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function holidaySet(calendar: BusinessCalendar): ReadonlySet<string> {
  return calendar.holidays instanceof Set ? calendar.holidays : new Set(calendar.holidays);
}

/** Checks a calendar once (time zone known, times well formed, intervals in order). */
export function validateCalendar(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!DateTime.now().setZone(calendar.timeZone).isValid)
    problems.push(`timeZone: unknown zone "${calendar.timeZone}"`);
  for (const [day, intervals] of Object.entries(calendar.openingHours)) {
    if (!/^[1-7]$/.test(day)) problems.push(`openingHours.${day}: weekday must be 1 (Monday) to 7 (Sunday)`);
    for (const [i, { open, close }] of intervals.entries()) {
      try {
        const a = parseClock(open);
        const b = parseClock(close);
        if (b.hour * 60 + b.minute <= a.hour * 60 + a.minute) {
          problems.push(`openingHours.${day}.${i}: close must be after open`);
        }
      } catch (error) {
        problems.push(`openingHours.${day}.${i}: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/** The opening intervals of one local day, as UTC epoch milliseconds, in order. */
function openIntervals(
  calendar: BusinessCalendar,
  holidays: ReadonlySet<string>,
  day: DateTime,
): [number, number][] {
  if (holidays.has(day.toISODate() ?? '')) return [];
  const intervals = calendar.openingHours[String(day.weekday)] ?? [];
  return intervals
    .map(({ open, close }): [number, number] => {
      const a = parseClock(open);
      const b = parseClock(close);
      // `set` on a zoned DateTime resolves local wall-clock time to the right instant across DST.
      const start = day.set({ hour: a.hour, minute: a.minute, second: 0, millisecond: 0 });
      const end =
        b.hour === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: b.hour, minute: b.minute });
      return [start.toMillis(), end.toMillis()];
    })
    .sort((x, y) => x[0] - y[0]);
}

function localDay(calendar: BusinessCalendar, at: Date): DateTime {
  const day = DateTime.fromJSDate(at, { zone: calendar.timeZone }).startOf('day');
  if (!day.isValid) throw new Error(`Unknown time zone "${calendar.timeZone}"`);
  return day;
}

/**
 * The instant at which `minutes` business minutes have passed since `start`. A start outside
 * opening hours begins counting at the next opening. Zero minutes returns `start` itself.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error('minutes must be a non-negative number');
  if (minutes === 0) return new Date(start);
  const holidays = holidaySet(calendar);
  let remaining = minutes * MINUTE;
  const cursor = start.getTime();
  let day = localDay(calendar, start);
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 })) {
    for (const [open, close] of openIntervals(calendar, holidays, day)) {
      if (close <= cursor) continue;
      const from = Math.max(open, cursor);
      const available = close - from;
      if (remaining <= available) return new Date(from + remaining);
      remaining -= available;
    }
  }
  throw new Error('The calendar has no opening hours in the next ten years');
}

/** Business minutes between two instants (0 when `end` is not after `start`). */
export function businessMinutesBetween(calendar: BusinessCalendar, start: Date, end: Date): number {
  const from = start.getTime();
  const to = end.getTime();
  if (to <= from) return 0;
  const holidays = holidaySet(calendar);
  let total = 0;
  const last = localDay(calendar, end);
  for (let day = localDay(calendar, start); day <= last; day = day.plus({ days: 1 })) {
    for (const [open, close] of openIntervals(calendar, holidays, day)) {
      const overlap = Math.min(close, to) - Math.max(open, from);
      if (overlap > 0) total += overlap;
    }
  }
  return total / MINUTE;
}

/** Whether `at` falls inside opening hours. */
export function isOpen(calendar: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  return openIntervals(calendar, holidaySet(calendar), localDay(calendar, at)).some(
    ([a, b]) => a <= t && t < b,
  );
}
