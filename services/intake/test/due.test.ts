import { addBusinessMinutes, type BusinessCalendar, roundTheClock } from '@samtal/business-time';
import { describe, expect, it } from 'vitest';
import { DueTimes } from '../src/due.ts';

const stockholm: BusinessCalendar = {
  timeZone: 'Europe/Stockholm',
  openingHours: Object.fromEntries(
    ['1', '2', '3', '4', '5'].map((d) => [d, [{ open: '08:00', close: '17:00' }]]),
  ),
  holidays: new Set(['2026-12-24', '2026-12-25', '2026-12-26']),
};
const split: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  openingHours: Object.fromEntries(
    ['1', '2', '3', '4', '5', '6'].map((d) => [
      d,
      [
        { open: '08:30', close: '12:00' },
        { open: '13:30', close: '17:45' },
      ],
    ]),
  ),
  holidays: [],
};

describe('due times memoised per minute', () => {
  it.each([
    ['Stockholm office hours', stockholm],
    ['Jinan split shifts', split],
    ['round the clock', roundTheClock('Europe/Stockholm')],
  ])(
    'match the exact computation for random starts (%s)',
    (_name, calendar) => {
      const due = new DueTimes(calendar);
      // Starts spread over three weeks around Christmas and a DST change, some on whole minutes,
      // some exactly on opening and closing times, many inside the same minute.
      const base = Date.parse('2026-10-20T00:00:00Z');
      const starts: number[] = [];
      for (let i = 0; i < 120; i++)
        starts.push(
          base + Math.floor(Math.random() * 70 * 24 * 3600) * 1000 + Math.floor(Math.random() * 1000),
        );
      for (let i = 0; i < 20; i++) starts.push(Date.parse('2026-11-23T07:59:00Z') + i * 1234);
      starts.push(
        Date.parse('2026-11-23T07:00:00Z'),
        Date.parse('2026-11-23T16:00:00Z'),
        Date.parse('2026-11-23T15:59:30Z'),
      );
      for (const t of starts) {
        for (const minutes of [60, 9 * 60, 5400, 1]) {
          const start = new Date(t);
          expect(due.dueAt(start, minutes).toISOString(), `${start.toISOString()} + ${minutes}`).toBe(
            addBusinessMinutes(calendar, start, minutes).toISOString(),
          );
        }
      }
    },
    60_000,
  );
});
