import type { BusinessCalendar } from '@samtal/business-time';
import { describe, expect, it } from 'vitest';
import { type ClockInput, planClocks, type SlaPolicy } from '../src/clocks.ts';

const weekdays = (open: string, close: string) =>
  Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [d, [{ open, close }]]));

const stockholm: BusinessCalendar = {
  timeZone: 'Europe/Stockholm',
  openingHours: weekdays('08:00', '17:00'),
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01'],
};
const shanghai: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
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

/** KKiK-style standard: one working day to answer, ten to resolve, yellow card at 75 %. */
const standard: SlaPolicy = {
  firstResponseMinutes: 9 * 60,
  resolutionMinutes: 10 * 9 * 60,
  warningShare: 0.75,
  warningBeforeMinutes: null,
};

function row(createdAt: string, extra: Partial<ClockInput['row']> = {}): ClockInput['row'] {
  return {
    status: 'routed',
    createdAt: new Date(createdAt),
    firstRespondedAt: null,
    resolvedAt: null,
    slaPausedAt: null,
    slaPausedMinutes: 0,
    firstResponseDueAt: null,
    resolutionDueAt: null,
    ...extra,
  };
}

const iso = (d: Date | null | undefined) => d?.toISOString();
const timersOf = (input: ClockInput) =>
  planClocks(input).timers.map((t) => [t.kind, t.level, iso(t.runAt), iso(t.dueAt)]);

describe('SLA due times in business time', () => {
  it('carries over the night and the weekend (Stockholm)', () => {
    // Friday 15:00 local: 2 h on Friday, 7 h on Monday → Monday 15:00 local (UTC+1).
    const plan = planClocks({ row: row('2026-11-20T14:00:00Z'), policy: standard, calendar: stockholm });
    expect(iso(plan.firstResponseDueAt)).toBe('2026-11-23T14:00:00.000Z');
    // Yellow card after 405 minutes: Friday 2 h, Monday 4 h 45 → 12:45 local.
    expect(
      timersOf({ row: row('2026-11-20T14:00:00Z'), policy: standard, calendar: stockholm }),
    ).toContainEqual(['first_response', 'warning', '2026-11-23T11:45:00.000Z', '2026-11-23T14:00:00.000Z']);
    // Ten working days: Friday 2 h, then 9 full days (Mon–Fri, Mon–Thu) and 7 h on Friday 2026-12-04.
    expect(iso(plan.resolutionDueAt)).toBe('2026-12-04T14:00:00.000Z');
  });

  it('skips Christmas holidays (Stockholm)', () => {
    // Wednesday 23 Dec 16:00 local: 1 h, then closed 24–27 Dec, 8 h on Monday 28 Dec → 16:00 local.
    const plan = planClocks({ row: row('2026-12-23T15:00:00Z'), policy: standard, calendar: stockholm });
    expect(iso(plan.firstResponseDueAt)).toBe('2026-12-28T15:00:00.000Z');
  });

  it('keeps opening hours in local time across both DST changes (Stockholm)', () => {
    const twoHours = { ...standard, firstResponseMinutes: 120 };
    // Spring: Friday 26 Mar 2027 16:00 (UTC+1) + 2 h → Monday 29 Mar 09:00 (UTC+2) = 07:00Z.
    expect(
      iso(
        planClocks({
          row: row('2027-03-26T15:00:00Z'),
          policy: twoHours,
          calendar: { ...stockholm, holidays: [] },
        }).firstResponseDueAt,
      ),
    ).toBe('2027-03-29T07:00:00.000Z');
    // Autumn: Friday 23 Oct 2026 16:00 (UTC+2) + 2 h → Monday 26 Oct 09:00 (UTC+1) = 08:00Z.
    expect(
      iso(
        planClocks({ row: row('2026-10-23T14:00:00Z'), policy: twoHours, calendar: stockholm })
          .firstResponseDueAt,
      ),
    ).toBe('2026-10-26T08:00:00.000Z');
  });

  it('counts around the lunch break and the National Day holidays (Shanghai)', () => {
    const threeHours = { ...standard, firstResponseMinutes: 180 };
    // Wednesday 30 Sep 17:00 local: 1 h; 1–2 Oct holidays, weekend; Monday 09:00–11:00 → 03:00Z.
    expect(
      iso(
        planClocks({ row: row('2026-09-30T09:00:00Z'), policy: threeHours, calendar: shanghai })
          .firstResponseDueAt,
      ),
    ).toBe('2026-10-05T03:00:00.000Z');
    // Monday 11:00 local + 3 h: 1 h before lunch, 2 h after 13:30 → 15:30 local = 07:30Z.
    expect(
      iso(
        planClocks({ row: row('2026-10-05T03:00:00Z'), policy: threeHours, calendar: shanghai })
          .firstResponseDueAt,
      ),
    ).toBe('2026-10-05T07:30:00.000Z');
  });

  it('skips the Day of Reconciliation and counts Saturday mornings (Johannesburg)', () => {
    const tenHours = { ...standard, firstResponseMinutes: 600 };
    // Tuesday 15 Dec 15:00 local: 1 h; Wednesday holiday; Thursday 8.5 h; Friday 07:30–08:00 → 06:00Z.
    expect(
      iso(
        planClocks({ row: row('2026-12-15T13:00:00Z'), policy: tenHours, calendar: johannesburg })
          .firstResponseDueAt,
      ),
    ).toBe('2026-12-18T06:00:00.000Z');
    // Friday 15:00 local + 3 h: 1 h Friday, 2 h Saturday 08:00–10:00 → 08:00Z.
    expect(
      iso(
        planClocks({
          row: row('2026-12-18T13:00:00Z'),
          policy: { ...standard, firstResponseMinutes: 180 },
          calendar: johannesburg,
        }).firstResponseDueAt,
      ),
    ).toBe('2026-12-19T08:00:00.000Z');
  });

  it('pushes deadlines back by the business minutes spent waiting on the resident', () => {
    // Monday 08:00 local + 9 h + 2 h paused → Tuesday 10:00 local.
    const plan = planClocks({
      row: row('2026-11-23T07:00:00Z', { slaPausedMinutes: 120 }),
      policy: standard,
      calendar: stockholm,
    });
    expect(iso(plan.firstResponseDueAt)).toBe('2026-11-24T09:00:00.000Z');
  });

  it('moves nothing and arms nothing while paused', () => {
    const before = new Date('2026-11-23T16:00:00Z');
    const plan = planClocks({
      row: row('2026-11-23T07:00:00Z', {
        slaPausedAt: new Date('2026-11-23T09:00:00Z'),
        firstResponseDueAt: before,
        resolutionDueAt: before,
      }),
      policy: standard,
      calendar: stockholm,
    });
    expect(plan).toEqual({ firstResponseDueAt: before, resolutionDueAt: before, timers: [] });
  });

  it('stops the first-response clock at the first response and both at resolution', () => {
    const answered = planClocks({
      row: row('2026-11-23T07:00:00Z', { firstRespondedAt: new Date('2026-11-23T08:00:00Z') }),
      policy: standard,
      calendar: stockholm,
    });
    expect(answered.firstResponseDueAt).toBeNull();
    expect(answered.timers.map((t) => t.kind)).toEqual(['resolution', 'resolution']);
    const resolved = planClocks({
      row: row('2026-11-23T07:00:00Z', { status: 'resolved', resolvedAt: new Date('2026-11-23T08:00:00Z') }),
      policy: standard,
      calendar: stockholm,
    });
    expect(resolved.timers).toEqual([]);
  });

  it('raises the yellow card at the share or the lead time, whichever comes first', () => {
    // Urgent: 60 min, 50 % or 30 min before → 30 min after start.
    const urgent = {
      firstResponseMinutes: 60,
      resolutionMinutes: 540,
      warningShare: 0.5,
      warningBeforeMinutes: 30,
    };
    const [warning] = planClocks({
      row: row('2026-11-23T08:00:00Z'),
      policy: urgent,
      calendar: stockholm,
    }).timers;
    expect(warning).toMatchObject({ kind: 'first_response', level: 'warning' });
    expect(iso(warning!.runAt)).toBe('2026-11-23T08:30:00.000Z');
  });

  it('restarts the resolution clock from a reopen', () => {
    const plan = planClocks({
      row: row('2026-11-02T07:00:00Z', {
        status: 'reopened',
        firstRespondedAt: new Date('2026-11-02T08:00:00Z'),
      }),
      policy: { ...standard, resolutionMinutes: 60 },
      calendar: stockholm,
      resolutionRestart: { at: new Date('2026-11-23T08:00:00Z'), pausedMinutes: 30 },
    });
    expect(iso(plan.resolutionDueAt)).toBe('2026-11-23T09:30:00.000Z');
  });
});
