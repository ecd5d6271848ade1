import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  deadline,
  isOpen,
  roundTheClock,
  validateCalendar,
  warningAfterMinutes,
} from '../src/index.ts';

const weekdays = (open: string, close: string) =>
  Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [{ open, close }]]));

const stockholm: BusinessCalendar = {
  timeZone: 'Europe/Stockholm',
  openingHours: weekdays('08:00', '17:00'),
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'],
};
const shanghai: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  // Lunch break: two intervals a day.
  openingHours: Object.fromEntries(
    ['1', '2', '3', '4', '5'].map((d) => [
      d,
      [
        { open: '09:00', close: '12:00' },
        { open: '13:30', close: '18:00' },
      ],
    ]),
  ),
  holidays: ['2026-10-01', '2026-10-02'],
};
const johannesburg: BusinessCalendar = {
  timeZone: 'Africa/Johannesburg',
  openingHours: { ...weekdays('07:30', '16:00'), '6': [{ open: '08:00', close: '12:00' }] },
  holidays: ['2026-12-16'],
};

const iso = (d: Date) => d.toISOString();

describe('addBusinessMinutes', () => {
  it('counts inside one day', () => {
    // Monday 2026-11-23 09:00 Stockholm (UTC+1) = 08:00Z; +60 min = 10:00 local.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-11-23T08:00:00Z'), 60))).toBe(
      '2026-11-23T09:00:00.000Z',
    );
  });

  it('carries over the night', () => {
    // Monday 16:30 local + 60 min = Tuesday 08:30 local.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-11-23T15:30:00Z'), 60))).toBe(
      '2026-11-24T07:30:00.000Z',
    );
  });

  it('starts counting at the next opening when submitted at night', () => {
    // Monday 22:00 local + 30 = Tuesday 08:30 local.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-11-23T21:00:00Z'), 30))).toBe(
      '2026-11-24T07:30:00.000Z',
    );
  });

  it('skips the weekend', () => {
    // Friday 2026-11-27 16:00 local + 120 = Monday 09:00 local.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-11-27T15:00:00Z'), 120))).toBe(
      '2026-11-30T08:00:00.000Z',
    );
  });

  it('skips holidays (Christmas in Sweden)', () => {
    // Wednesday 2026-12-23 16:00 local + 120: 24th, 25th closed, 26th–27th weekend → Monday 28th 09:00.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-12-23T15:00:00Z'), 120))).toBe(
      '2026-12-28T08:00:00.000Z',
    );
  });

  it('keeps local opening hours across the spring DST change in Stockholm', () => {
    // Friday 2026-03-27 16:00 CET (15:00Z) + 120 min → Monday 2026-03-30 09:00 CEST = 07:00Z.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-03-27T15:00:00Z'), 120))).toBe(
      '2026-03-30T07:00:00.000Z',
    );
  });

  it('keeps local opening hours across the autumn DST change in Stockholm', () => {
    // Friday 2026-10-23 16:00 CEST (14:00Z) + 120 min → Monday 2026-10-26 09:00 CET = 08:00Z.
    expect(iso(addBusinessMinutes(stockholm, new Date('2026-10-23T14:00:00Z'), 120))).toBe(
      '2026-10-26T08:00:00.000Z',
    );
  });

  it('counts a full open day on a Sunday of a DST change as nine hours (24/7 calendar aside)', () => {
    const everyDay: BusinessCalendar = {
      ...stockholm,
      openingHours: { '7': [{ open: '08:00', close: '17:00' }] },
    };
    const sunday = new Date('2026-03-29T05:00:00Z'); // 07:00 CEST, before opening
    expect(iso(addBusinessMinutes(everyDay, sunday, 9 * 60))).toBe('2026-03-29T15:00:00.000Z'); // 17:00 CEST
  });

  it('respects a lunch break and the National Day holidays in Shanghai', () => {
    // Wednesday 2026-09-30 17:00 CST (09:00Z) + 120: 60 min left that day, Oct 1–2 holiday, weekend,
    // Monday Oct 5 09:00 + 60 = 10:00 CST = 02:00Z.
    expect(iso(addBusinessMinutes(shanghai, new Date('2026-09-30T09:00:00Z'), 120))).toBe(
      '2026-10-05T02:00:00.000Z',
    );
    // Lunch: 11:30 + 60 = 11:30–12:00 then 13:30–14:00.
    expect(iso(addBusinessMinutes(shanghai, new Date('2026-11-23T03:30:00Z'), 60))).toBe(
      '2026-11-23T06:00:00.000Z',
    );
  });

  it('handles Saturday morning hours and the Day of Reconciliation in Johannesburg', () => {
    // Tuesday 2026-12-15 15:00 SAST (13:00Z) + 90: 60 min Tuesday, 16th holiday, Thursday 07:30 + 30 = 08:00.
    expect(iso(addBusinessMinutes(johannesburg, new Date('2026-12-15T13:00:00Z'), 90))).toBe(
      '2026-12-17T06:00:00.000Z',
    );
    // Friday 15:00 + 120: 60 Friday, Saturday 08:00 + 60 = 09:00 SAST.
    expect(iso(addBusinessMinutes(johannesburg, new Date('2026-11-27T13:00:00Z'), 120))).toBe(
      '2026-11-28T07:00:00.000Z',
    );
  });

  it('refuses a calendar that is never open', () => {
    expect(() =>
      addBusinessMinutes({ timeZone: 'UTC', openingHours: {}, holidays: [] }, new Date(), 1),
    ).toThrow(/no opening hours/);
  });
});

describe('businessMinutesBetween', () => {
  it('is the inverse of addBusinessMinutes', () => {
    for (const calendar of [stockholm, shanghai, johannesburg]) {
      const start = new Date('2026-12-22T10:17:00Z');
      for (const minutes of [1, 59, 600, 2000, 9000]) {
        const end = addBusinessMinutes(calendar, start, minutes);
        expect(businessMinutesBetween(calendar, start, end)).toBeCloseTo(minutes, 6);
      }
    }
  });

  it('is zero over a weekend and for reversed ranges', () => {
    expect(
      businessMinutesBetween(stockholm, new Date('2026-11-28T08:00:00Z'), new Date('2026-11-29T20:00:00Z')),
    ).toBe(0);
    expect(
      businessMinutesBetween(stockholm, new Date('2026-11-24T08:00:00Z'), new Date('2026-11-23T08:00:00Z')),
    ).toBe(0);
  });

  it('counts a whole week as five nine-hour days', () => {
    expect(
      businessMinutesBetween(stockholm, new Date('2026-11-23T00:00:00Z'), new Date('2026-11-30T00:00:00Z')),
    ).toBe(5 * 9 * 60);
  });

  it('counts every minute on a round-the-clock calendar, DST day included', () => {
    const always = roundTheClock('Europe/Stockholm');
    // The spring-forward day has 23 hours.
    expect(
      businessMinutesBetween(always, new Date('2026-03-28T23:00:00Z'), new Date('2026-03-29T22:00:00Z')),
    ).toBe(23 * 60);
  });
});

describe('SLA deadlines', () => {
  it('warns at the share or the lead time, whichever comes first', () => {
    expect(warningAfterMinutes(100, { warningShare: 0.75, warningBeforeMinutes: null })).toBe(75);
    expect(warningAfterMinutes(100, { warningShare: 0.75, warningBeforeMinutes: 40 })).toBe(60);
    expect(warningAfterMinutes(100, { warningShare: null, warningBeforeMinutes: 10 })).toBe(90);
    expect(warningAfterMinutes(100, { warningShare: null, warningBeforeMinutes: null })).toBe(75);
    expect(warningAfterMinutes(30, { warningShare: null, warningBeforeMinutes: 60 })).toBe(0);
  });

  it('adds paused time to both warning and due time', () => {
    const start = new Date('2026-11-23T08:00:00Z'); // Monday 09:00 local
    const plain = deadline(stockholm, start, 9 * 60, { warningShare: 0.5, warningBeforeMinutes: null });
    expect(iso(plain.warnAt)).toBe('2026-11-23T12:30:00.000Z'); // 13:30 local
    expect(iso(plain.dueAt)).toBe('2026-11-24T08:00:00.000Z'); // Tuesday 09:00
    const paused = deadline(stockholm, start, 9 * 60, { warningShare: 0.5, warningBeforeMinutes: null }, 60);
    expect(iso(paused.dueAt)).toBe('2026-11-24T09:00:00.000Z');
  });
});

describe('calendar checks', () => {
  it('reports bad zones and bad times', () => {
    expect(validateCalendar(stockholm)).toEqual([]);
    expect(
      validateCalendar({
        timeZone: 'Mars/Olympus',
        openingHours: { '8': [{ open: '9', close: '08:00' }] },
        holidays: [],
      }),
    ).toEqual([
      'timeZone: unknown zone "Mars/Olympus"',
      'openingHours.8: weekday must be 1 (Monday) to 7 (Sunday)',
      'openingHours.8.0: Invalid opening time "9" (expected HH:MM)',
    ]);
  });

  it('knows when the desk is open', () => {
    expect(isOpen(stockholm, new Date('2026-11-23T08:00:00Z'))).toBe(true);
    expect(isOpen(stockholm, new Date('2026-11-23T16:00:00Z'))).toBe(false);
    expect(isOpen(stockholm, new Date('2026-12-24T10:00:00Z'))).toBe(false);
  });
});
