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

/*
 * The arithmetic runs on a compiled form of each calendar, built once and cached: per local day
 * its midnight and its opening intervals as UTC epoch milliseconds, and the business milliseconds
 * before it (a prefix sum), in chunks of CHUNK_DAYS days built on first use. Luxon resolves each
 * local wall-clock time once per day and calendar (so DST and zones behave exactly as before);
 * after that `businessMinutesBetween` is O(1) per call and `addBusinessMinutes` a binary search,
 * with no time-zone calls at all.
 *
 * A calendar is a value: the cache is keyed by its content (zone, opening hours, holidays), so a
 * calendar loaded again after an edit gets its own compiled form, never a stale one. The same
 * object is recognised without re-reading its content as long as its `openingHours` and
 * `holidays` references, the number of holidays and the zone are unchanged — replace those (as
 * `loadCalendar` does) rather than editing them in place.
 */

const DAY = 86_400_000;
const CHUNK_DAYS = 256;
/** Compiled calendars kept (by content); the least recently used one is dropped beyond this. */
const MAX_CALENDARS = 64;
/** Chunks kept per calendar (about 180 years); past it the calendar starts afresh. */
const MAX_CHUNKS = 256;

interface Chunk {
  /** UTC ms of the local midnight of each day of the chunk, and of the day after it. */
  midnight: Float64Array;
  /** Index into opens/closes of the first interval of each day; [CHUNK_DAYS] = opens.length. */
  first: Int32Array;
  opens: Float64Array;
  closes: Float64Array;
  /** Business ms in the chunk before each day; [CHUNK_DAYS] = the chunk's total. */
  before: Float64Array;
}

/** ISO date "YYYY-MM-DD" of a day number (days since 1970-01-01). */
const isoDate = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

class CompiledCalendar {
  private readonly chunks = new Map<number, Chunk>();
  private readonly hours: { hour: number; minute: number; closeHour: number; closeMinute: number }[][];
  private readonly holidays: ReadonlySet<string>;
  readonly neverOpen: boolean;

  constructor(private readonly calendar: BusinessCalendar) {
    if (!DateTime.now().setZone(calendar.timeZone).isValid) {
      throw new Error(`Unknown time zone "${calendar.timeZone}"`);
    }
    this.holidays = new Set(calendar.holidays);
    this.hours = [];
    for (let weekday = 1; weekday <= 7; weekday++) {
      this.hours[weekday] = (calendar.openingHours[String(weekday)] ?? []).map(({ open, close }) => {
        const a = parseClock(open);
        const b = parseClock(close);
        return { hour: a.hour, minute: a.minute, closeHour: b.hour, closeMinute: b.minute };
      });
    }
    this.neverOpen = this.hours.every((intervals) => !intervals?.length);
  }

  chunk(index: number): Chunk {
    let chunk = this.chunks.get(index);
    if (!chunk) {
      if (this.chunks.size >= MAX_CHUNKS) this.chunks.clear();
      chunk = this.build(index);
      this.chunks.set(index, chunk);
    }
    return chunk;
  }

  private build(index: number): Chunk {
    const zone = this.calendar.timeZone;
    const midnight = new Float64Array(CHUNK_DAYS + 1);
    const first = new Int32Array(CHUNK_DAYS + 1);
    const before = new Float64Array(CHUNK_DAYS + 1);
    const opens: number[] = [];
    const closes: number[] = [];
    const firstDay = index * CHUNK_DAYS;
    const midnightOf = (day: number) => {
      const date = new Date(day * DAY);
      return DateTime.fromObject(
        { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
        { zone },
      );
    };
    let total = 0;
    for (let i = 0; i < CHUNK_DAYS; i++) {
      const dayNumber = firstDay + i;
      const day = midnightOf(dayNumber);
      midnight[i] = day.toMillis();
      first[i] = opens.length;
      before[i] = total;
      if (this.holidays.has(isoDate(dayNumber))) continue;
      // `set` on a zoned DateTime resolves local wall-clock time to the right instant across DST.
      const intervals = (this.hours[day.weekday] ?? [])
        .map((h): [number, number] => {
          const start = day.set({ hour: h.hour, minute: h.minute, second: 0, millisecond: 0 });
          const end =
            h.closeHour === 24
              ? day.plus({ days: 1 }).startOf('day')
              : day.set({ hour: h.closeHour, minute: h.closeMinute });
          return [start.toMillis(), end.toMillis()];
        })
        .sort((x, y) => x[0] - y[0]);
      for (const [open, close] of intervals) {
        opens.push(open);
        closes.push(close);
        total += Math.max(0, close - open);
      }
    }
    midnight[CHUNK_DAYS] = midnightOf(firstDay + CHUNK_DAYS).toMillis();
    first[CHUNK_DAYS] = opens.length;
    before[CHUNK_DAYS] = total;
    return { midnight, first, opens: Float64Array.from(opens), closes: Float64Array.from(closes), before };
  }

  /** The local day number (days since 1970-01-01 of the local date) of an instant. */
  dayOf(t: number): number {
    // The local date is the UTC date or a neighbour (offsets stay within ±14 hours).
    let day = Math.floor(t / DAY);
    for (let step = 0; step < 4; step++) {
      if (t < this.midnight(day)) day--;
      else if (t >= this.midnight(day + 1)) day++;
      else return day;
    }
    return day;
  }

  midnight(day: number): number {
    const index = Math.floor(day / CHUNK_DAYS);
    return this.chunk(index).midnight[day - index * CHUNK_DAYS]!;
  }

  /** Business ms of the day's chunk before instant `t`, which falls on local day `day`. */
  beforeInChunk(day: number, t: number): number {
    const index = Math.floor(day / CHUNK_DAYS);
    const c = this.chunk(index);
    const i = day - index * CHUNK_DAYS;
    let ms = c.before[i]!;
    for (let k = c.first[i]!; k < c.first[i + 1]!; k++) {
      const open = c.opens[k]!;
      if (t <= open) break;
      ms += Math.min(t, c.closes[k]!) - open;
    }
    return ms;
  }

  /** Business ms in [from, to) (0 when to ≤ from). */
  between(from: number, to: number): number {
    if (to <= from) return 0;
    const a = this.dayOf(from);
    const b = this.dayOf(to);
    const ca = Math.floor(a / CHUNK_DAYS);
    const cb = Math.floor(b / CHUNK_DAYS);
    let ms = this.beforeInChunk(b, to) - this.beforeInChunk(a, from);
    for (let c = ca; c < cb; c++) ms += this.chunk(c).before[CHUNK_DAYS]!;
    return ms;
  }

  /** Opening intervals of one local day (UTC ms). */
  intervals(day: number): { opens: Float64Array; closes: Float64Array; from: number; to: number } {
    const index = Math.floor(day / CHUNK_DAYS);
    const c = this.chunk(index);
    const i = day - index * CHUNK_DAYS;
    return { opens: c.opens, closes: c.closes, from: c.first[i]!, to: c.first[i + 1]! };
  }

  /** The instant `ms` business milliseconds after `start` (see addBusinessMinutes). */
  add(start: number, ms: number): number {
    let remaining = ms;
    const startDay = this.dayOf(start);
    const today = this.intervals(startDay);
    for (let k = today.from; k < today.to; k++) {
      const close = today.closes[k]!;
      if (close <= start) continue;
      const from = Math.max(today.opens[k]!, start);
      const available = close - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
    if (this.neverOpen) throw new Error('The calendar has no opening hours in the next ten years');
    // Whole days after the first: skip chunks, then find the day by binary search on the sums.
    const lastDay = startDay + MAX_DAYS - 1;
    let day = startDay + 1;
    while (day <= lastDay) {
      const index = Math.floor(day / CHUNK_DAYS);
      const c = this.chunk(index);
      const i = day - index * CHUNK_DAYS;
      const left = c.before[CHUNK_DAYS]! - c.before[i]!;
      if (remaining > left) {
        remaining -= left;
        day = (index + 1) * CHUNK_DAYS;
        continue;
      }
      // The first day j ≥ i whose end brings the sum to `remaining`.
      let lo = i;
      let hi = CHUNK_DAYS - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (c.before[mid + 1]! - c.before[i]! >= remaining) hi = mid;
        else lo = mid + 1;
      }
      if (index * CHUNK_DAYS + lo > lastDay) break;
      remaining -= c.before[lo]! - c.before[i]!;
      for (let k = c.first[lo]!; k < c.first[lo + 1]!; k++) {
        const open = c.opens[k]!;
        const available = c.closes[k]! - open;
        if (remaining <= available) return open + remaining;
        remaining -= available;
      }
      break; // not reached: the day's intervals hold what the sums promised
    }
    throw new Error('The calendar has no opening hours in the next ten years');
  }
}

interface CacheEntry {
  compiled: CompiledCalendar;
  timeZone: string;
  openingHours: BusinessCalendar['openingHours'];
  holidays: BusinessCalendar['holidays'];
  holidayCount: number;
}

const byObject = new WeakMap<BusinessCalendar, CacheEntry>();
const byContent = new Map<string, CompiledCalendar>();
const holidayCount = (h: BusinessCalendar['holidays']) => ('size' in h ? h.size : h.length);

/** The compiled form of a calendar, from the cache when its content is unchanged. */
function compile(calendar: BusinessCalendar): CompiledCalendar {
  const count = holidayCount(calendar.holidays);
  const hit = byObject.get(calendar);
  if (
    hit &&
    hit.timeZone === calendar.timeZone &&
    hit.openingHours === calendar.openingHours &&
    hit.holidays === calendar.holidays &&
    hit.holidayCount === count
  ) {
    return hit.compiled;
  }
  const key = JSON.stringify([calendar.timeZone, calendar.openingHours, [...calendar.holidays].sort()]);
  let compiled = byContent.get(key);
  if (compiled) {
    byContent.delete(key); // re-inserted below: most recently used last
  } else {
    compiled = new CompiledCalendar(calendar);
    if (byContent.size >= MAX_CALENDARS) byContent.delete(byContent.keys().next().value!);
  }
  byContent.set(key, compiled);
  byObject.set(calendar, {
    compiled,
    timeZone: calendar.timeZone,
    openingHours: calendar.openingHours,
    holidays: calendar.holidays,
    holidayCount: count,
  });
  return compiled;
}

/** How many compiled calendars the cache holds (for tests). */
export function compiledCalendarCount(): number {
  return byContent.size;
}

/**
 * The instant at which `minutes` business minutes have passed since `start`. A start outside
 * opening hours begins counting at the next opening. Zero minutes returns `start` itself.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error('minutes must be a non-negative number');
  if (minutes === 0) return new Date(start);
  return new Date(compile(calendar).add(start.getTime(), minutes * MINUTE));
}

/** Business minutes between two instants (0 when `end` is not after `start`). */
export function businessMinutesBetween(calendar: BusinessCalendar, start: Date, end: Date): number {
  const from = start.getTime();
  const to = end.getTime();
  if (to <= from) return 0;
  return compile(calendar).between(from, to) / MINUTE;
}

/** Whether `at` falls inside opening hours. */
export function isOpen(calendar: BusinessCalendar, at: Date): boolean {
  const compiled = compile(calendar);
  const t = at.getTime();
  const day = compiled.intervals(compiled.dayOf(t));
  for (let k = day.from; k < day.to; k++) {
    if (day.opens[k]! <= t && t < day.closes[k]!) return true;
  }
  return false;
}
