import type { BusinessCalendar } from '@samtal/business-time';
import { DateTime } from 'luxon';

const SLOT_MS = 15 * 60_000;
const SLOT_MINUTES = 15;

/**
 * Business time as a lookup table of 15-minute slots, so the generator can convert millions of
 * business-minute durations into instants in O(log n) each. The table is built from the tenant's
 * real calendar (opening hours in local wall-clock time, holidays, the zone's offset), so the insights
 * service, counting business minutes from the same calendar, gets back the durations drawn here
 * (to the minute, for opening hours on quarter hours — true of every demo calendar).
 */
export class BusinessClock {
  private readonly open: Uint8Array;
  /** Business minutes before slot i. */
  private readonly before: Float64Array;
  /** Local hour and ISO weekday of each slot (for the volume model). */
  readonly localHour: Uint8Array;
  readonly localWeekday: Uint8Array;
  readonly localDayOfYear: Uint16Array;
  readonly slots: number;

  constructor(
    calendar: BusinessCalendar,
    readonly startMs: number,
    endMs: number,
  ) {
    this.slots = Math.ceil((endMs - startMs) / SLOT_MS);
    this.open = new Uint8Array(this.slots);
    this.before = new Float64Array(this.slots + 1);
    this.localHour = new Uint8Array(this.slots);
    this.localWeekday = new Uint8Array(this.slots);
    this.localDayOfYear = new Uint16Array(this.slots);
    let offsetDay = '';
    let offsetMinutes = 0;
    let weekday = 1;
    let dayOfYear = 1;
    const holidays = new Set([...calendar.holidays].map((d) => d.slice(0, 10)));
    const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
    const opening = new Map(
      Object.entries(calendar.openingHours).map(([day, intervals]) => [
        Number(day),
        intervals.map((iv) => [minutesOf(iv.open), minutesOf(iv.close)] as const),
      ]),
    );
    for (let i = 0; i < this.slots; i++) {
      const at = startMs + i * SLOT_MS;
      // Zone offsets change on the hour; look the offset up once per UTC hour.
      const utcHour = new Date(at).toISOString().slice(0, 13);
      if (utcHour !== offsetDay) {
        const local = DateTime.fromMillis(at, { zone: calendar.timeZone });
        offsetMinutes = local.offset;
        offsetDay = utcHour;
      }
      const local = new Date(at + offsetMinutes * 60_000);
      this.localHour[i] = local.getUTCHours();
      weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
      dayOfYear = Math.floor((local.getTime() - Date.UTC(local.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
      this.localWeekday[i] = weekday;
      this.localDayOfYear[i] = dayOfYear;
      const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes() + 7.5;
      const isHoliday = holidays.has(local.toISOString().slice(0, 10));
      const isOpen =
        !isHoliday && (opening.get(weekday) ?? []).some(([a, b]) => a <= minuteOfDay && minuteOfDay < b);
      this.open[i] = isOpen ? 1 : 0;
      this.before[i + 1] = this.before[i]! + this.open[i]! * SLOT_MINUTES;
    }
  }

  get endMs(): number {
    return this.startMs + this.slots * SLOT_MS;
  }

  isOpenSlot(i: number): boolean {
    return this.open[i] === 1;
  }

  slotStart(i: number): number {
    return this.startMs + i * SLOT_MS;
  }

  /** Business minutes from the start of the table to `ms`. */
  businessAt(ms: number): number {
    const i = Math.floor((ms - this.startMs) / SLOT_MS);
    if (i < 0) return 0;
    if (i >= this.slots) return this.before[this.slots]!;
    const into = (ms - this.startMs - i * SLOT_MS) / 60_000;
    return this.before[i]! + (this.open[i] ? into : 0);
  }

  /** The instant `minutes` business minutes after `ms`, or null past the end of the table. */
  add(ms: number, minutes: number): number | null {
    const target = this.businessAt(ms) + minutes;
    if (target >= this.before[this.slots]!) return null;
    // The last slot whose business minutes-before is at most the target.
    let lo = 0;
    let hi = this.slots - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.before[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    const result = this.startMs + lo * SLOT_MS + (target - this.before[lo]!) * 60_000;
    return Math.max(ms, Math.round(result));
  }
}
