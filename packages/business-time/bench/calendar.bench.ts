/**
 * Micro-benchmark of the calendar arithmetic (not a test): `pnpm exec tsx
 * packages/business-time/bench/calendar.bench.ts`. Prints `name value unit` lines: microseconds per
 * call of `businessMinutesBetween` over realistic case durations and of `addBusinessMinutes` for a
 * one-day and a ten-day target, on a Stockholm calendar with two years of holidays.
 */
import { addBusinessMinutes, type BusinessCalendar, businessMinutesBetween } from '../src/index.ts';

const weekdays = Object.fromEntries(
  ['1', '2', '3', '4', '5'].map((d) => [d, [{ open: '08:00', close: '17:00' }]]),
);
const holidays = [
  '2025-01-01',
  '2025-01-06',
  '2025-04-18',
  '2025-04-21',
  '2025-05-01',
  '2025-05-29',
  '2025-06-06',
  '2025-06-20',
  '2025-12-24',
  '2025-12-25',
  '2025-12-26',
  '2025-12-31',
  '2026-01-01',
  '2026-01-06',
  '2026-04-03',
  '2026-04-06',
  '2026-05-01',
  '2026-05-14',
  '2026-06-06',
  '2026-06-19',
  '2026-12-24',
  '2026-12-25',
  '2026-12-26',
  '2026-12-31',
];
// A fresh object per call, as loadCalendar returns: the cache must find it by content.
const calendar = (): BusinessCalendar => ({ timeZone: 'Europe/Stockholm', openingHours: weekdays, holidays });

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const DAY = 86_400_000;
const base = Date.parse('2025-01-01T00:00:00Z');
const pairs = Array.from({ length: 20_000 }, () => {
  const start = base + Math.floor(random() * 700 * DAY);
  // First responses within hours to days, resolutions within weeks (the synthetic spread).
  const span = random() < 0.5 ? random() * 3 * DAY : random() * 30 * DAY;
  return [new Date(start), new Date(start + span)] as const;
});

function time(name: string, n: number, fn: (i: number) => unknown) {
  for (let i = 0; i < Math.min(n, 200); i++) fn(i); // warm-up
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const us = ((performance.now() - t) * 1000) / n;
  process.stdout.write(`${name} ${us.toFixed(2)} us/call   # n=${n}\n`);
}

const shared = calendar();
const count = Number(process.argv[2] ?? 2000);
time('business_minutes_between_us', count, (i) => {
  const [a, b] = pairs[i % pairs.length]!;
  return businessMinutesBetween(shared, a, b);
});
time('business_minutes_between_new_calendar_object_us', count, (i) => {
  const [a, b] = pairs[i % pairs.length]!;
  return businessMinutesBetween(calendar(), a, b);
});
time('add_business_minutes_1d_us', count, (i) =>
  addBusinessMinutes(shared, pairs[i % pairs.length]![0], 9 * 60),
);
time('add_business_minutes_10d_us', count, (i) =>
  addBusinessMinutes(shared, pairs[i % pairs.length]![0], 10 * 9 * 60),
);
