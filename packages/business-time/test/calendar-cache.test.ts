import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  compiledCalendarCount,
  isOpen,
  roundTheClock,
} from '../src/index.ts';

/*
 * The compiled, cached calendar must give exactly what the day-by-day walk over luxon gave before
 * it. `reference` below is that walk, kept as the yardstick (with one fix, see `between`).
 */
const MINUTE = 60_000;
const clock = (v: string) => ({ hour: Number(v.slice(0, 2)), minute: Number(v.slice(3, 5)) });
function openIntervals(calendar: BusinessCalendar, day: DateTime): [number, number][] {
  if (new Set(calendar.holidays).has(day.toISODate() ?? '')) return [];
  return (calendar.openingHours[String(day.weekday)] ?? [])
    .map(({ open, close }): [number, number] => {
      const a = clock(open);
      const b = clock(close);
      const start = day.set({ hour: a.hour, minute: a.minute, second: 0, millisecond: 0 });
      const end =
        b.hour === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: b.hour, minute: b.minute });
      return [start.toMillis(), end.toMillis()];
    })
    .sort((x, y) => x[0] - y[0]);
}
const localDay = (calendar: BusinessCalendar, at: Date) =>
  DateTime.fromJSDate(at, { zone: calendar.timeZone }).startOf('day');
const reference = {
  add(calendar: BusinessCalendar, start: Date, minutes: number): Date {
    if (minutes === 0) return new Date(start);
    let remaining = minutes * MINUTE;
    const cursor = start.getTime();
    let day = localDay(calendar, start);
    for (let i = 0; i < 3660; i++, day = day.plus({ days: 1 })) {
      for (const [open, close] of openIntervals(calendar, day)) {
        if (close <= cursor) continue;
        const from = Math.max(open, cursor);
        if (remaining <= close - from) return new Date(from + remaining);
        remaining -= close - from;
      }
    }
    throw new Error('never open');
  },
  between(calendar: BusinessCalendar, start: Date, end: Date): number {
    const from = start.getTime();
    const to = end.getTime();
    if (to <= from) return 0;
    let total = 0;
    // The old walk compared `day <= last` as instants; after a midnight that does not exist (Chile's
    // spring change) luxon keeps the walk at 01:00, so it skipped the last day. Compared by date here.
    const last = localDay(calendar, end).toISODate()!;
    for (let day = localDay(calendar, start); day.toISODate()! <= last; day = day.plus({ days: 1 })) {
      for (const [open, close] of openIntervals(calendar, day)) {
        const overlap = Math.min(close, to) - Math.max(open, from);
        if (overlap > 0) total += overlap;
      }
    }
    return total / MINUTE;
  },
};

const weekdays = (intervals: { open: string; close: string }[]) =>
  Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, intervals]));
const calendars: Record<string, BusinessCalendar> = {
  stockholm: {
    timeZone: 'Europe/Stockholm',
    openingHours: weekdays([{ open: '08:00', close: '17:00' }]),
    holidays: ['2026-04-03', '2026-04-06', '2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01'],
  },
  // Opening hours inside the DST gap and overlap (02:00–03:00) and to midnight.
  nightShift: {
    timeZone: 'Europe/Stockholm',
    openingHours: Object.fromEntries(
      ['1', '2', '3', '4', '5', '6', '7'].map((d) => [
        d,
        [
          { open: '02:30', close: '04:00' },
          { open: '20:00', close: '24:00' },
        ],
      ]),
    ),
    holidays: ['2026-10-25'],
  },
  shanghai: {
    timeZone: 'Asia/Shanghai',
    openingHours: weekdays([
      { open: '09:00', close: '12:00' },
      { open: '13:30', close: '18:00' },
    ]),
    holidays: ['2026-10-01', '2026-10-02'],
  },
  johannesburg: {
    timeZone: 'Africa/Johannesburg',
    openingHours: {
      ...weekdays([{ open: '07:30', close: '16:00' }]),
      '6': [{ open: '08:00', close: '12:00' }],
    },
    holidays: ['2026-12-16'],
  },
  // DST changes at midnight (Chile), and a zone east of UTC+12.
  santiago: {
    timeZone: 'America/Santiago',
    openingHours: weekdays([{ open: '00:00', close: '10:00' }]),
    holidays: [],
  },
  kiritimati: roundTheClock('Pacific/Kiritimati'),
};

// Starts around both 2026 DST changes in Europe (29 March, 25 October) and Chile (5 April, 6 September).
const starts = [
  '2026-03-27T15:00:00Z',
  '2026-03-28T23:59:00Z',
  '2026-03-29T00:45:00Z',
  '2026-03-29T01:10:00Z',
  '2026-04-04T02:59:00Z',
  '2026-04-05T03:30:00Z',
  '2026-09-05T12:00:00Z',
  '2026-10-24T22:00:00Z',
  '2026-10-25T00:30:00Z',
  '2026-10-25T01:30:00Z',
  '2026-12-22T10:17:00Z',
  '2026-12-31T23:59:59Z',
].map((s) => new Date(s));

describe('compiled calendars', () => {
  it('add the same minutes as the day-by-day walk, across DST changes and holidays', () => {
    for (const [name, calendar] of Object.entries(calendars)) {
      for (const start of starts) {
        for (const minutes of [0, 1, 29.5, 60, 90, 240, 541, 2000, 9000, 60_000]) {
          expect(
            addBusinessMinutes(calendar, start, minutes).toISOString(),
            `${name} ${start.toISOString()} +${minutes}`,
          ).toBe(reference.add(calendar, start, minutes).toISOString());
        }
      }
    }
  });

  it('count the same minutes between instants as the walk, over hours to years', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const [name, calendar] of Object.entries(calendars)) {
      for (const start of starts) {
        for (const span of [
          0,
          30 * MINUTE,
          20 * 3_600_000,
          3 * 86_400_000,
          40 * 86_400_000,
          400 * 86_400_000,
        ]) {
          const end = new Date(start.getTime() + span + Math.floor(random() * 3_600_000));
          expect(businessMinutesBetween(calendar, start, end), `${name} ${start.toISOString()}`).toBe(
            reference.between(calendar, start, end),
          );
        }
      }
    }
  });

  it('say whether the desk is open like the walk does', () => {
    for (const calendar of Object.values(calendars)) {
      for (
        let t = Date.parse('2026-03-28T00:00:00Z');
        t < Date.parse('2026-03-31T00:00:00Z');
        t += 17 * MINUTE
      ) {
        const at = new Date(t);
        const expected = openIntervals(calendar, localDay(calendar, at)).some(([a, b]) => a <= t && t < b);
        expect(isOpen(calendar, at)).toBe(expected);
      }
    }
  });

  it('share one compiled form between equal calendars loaded twice', () => {
    const load = (): BusinessCalendar => ({
      timeZone: 'Europe/Oslo',
      openingHours: weekdays([{ open: '08:00', close: '15:45' }]),
      holidays: new Set(['2026-05-17']),
    });
    const start = new Date('2026-05-15T12:00:00Z');
    const end = new Date('2026-05-19T12:00:00Z');
    const before = compiledCalendarCount();
    const first = businessMinutesBetween(load(), start, end);
    expect(compiledCalendarCount()).toBe(before + 1);
    expect(businessMinutesBetween(load(), start, end)).toBe(first);
    expect(compiledCalendarCount()).toBe(before + 1);
  });

  it('never serve a calendar stale after its holidays or hours change', () => {
    const monday = new Date('2026-06-08T06:00:00Z'); // Monday 08:00 in Stockholm
    const tuesday = new Date('2026-06-09T16:00:00Z');
    const calendar: BusinessCalendar = {
      timeZone: 'Europe/Stockholm',
      openingHours: weekdays([{ open: '08:00', close: '17:00' }]),
      holidays: new Set<string>(),
    };
    expect(businessMinutesBetween(calendar, monday, tuesday)).toBe(2 * 9 * 60);
    // A holiday added to the same Set: the count of holidays changed, the day is closed now.
    (calendar.holidays as Set<string>).add('2026-06-09');
    expect(businessMinutesBetween(calendar, monday, tuesday)).toBe(9 * 60);
    expect(addBusinessMinutes(calendar, monday, 9 * 60 + 30).toISOString()).toBe('2026-06-10T06:30:00.000Z');
    // Reloaded after an edit of the opening hours (a new object, as loadCalendar returns).
    const reloaded: BusinessCalendar = {
      ...calendar,
      openingHours: weekdays([{ open: '08:00', close: '12:00' }]),
      holidays: ['2026-06-09'],
    };
    expect(businessMinutesBetween(reloaded, monday, tuesday)).toBe(4 * 60);
    // The holiday removed again: back to the first answer.
    expect(businessMinutesBetween({ ...calendar, holidays: [] }, monday, tuesday)).toBe(2 * 9 * 60);
  });

  it('answer for instants years apart and before 1970', () => {
    const calendar = calendars.stockholm!;
    const from = new Date('1969-12-29T07:00:00Z'); // Monday 08:00 local
    const to = new Date('1970-01-05T07:00:00Z');
    expect(businessMinutesBetween(calendar, from, to)).toBe(reference.between(calendar, from, to));
    const far = new Date('2036-01-01T00:00:00Z');
    expect(businessMinutesBetween(calendar, new Date('2026-01-01T00:00:00Z'), far)).toBe(
      reference.between(calendar, new Date('2026-01-01T00:00:00Z'), far),
    );
  });
});
