import { addBusinessMinutes, type BusinessCalendar, isOpen } from '@samtal/business-time';

const MINUTE = 60_000;

interface MinuteEntry {
  /** Due time for a clock started at the whole minute. */
  due: Date;
  /** Whether the calendar is open during that minute (it cannot change inside it). */
  openDuringMinute: boolean;
  /** Whether the calendar is open at the due time (false when it falls on a closing time). */
  openAtDue: boolean;
}

/**
 * `addBusinessMinutes` walks the calendar day by day (tens of milliseconds for a ten-day target):
 * too slow to run on every submit. Opening hours change only on whole local minutes, so within
 * one minute the calendar is either open throughout (the due time moves with the start) or closed
 * throughout (the due time stays). One exact computation per minute and target serves every
 * submit in that minute, with the same result as computing each one.
 */
export class DueTimes {
  private readonly memo = new Map<string, MinuteEntry>();

  constructor(private readonly calendar: BusinessCalendar) {}

  dueAt(start: Date, minutes: number): Date {
    const t = start.getTime();
    const minute = t - (((t % MINUTE) + MINUTE) % MINUTE);
    const offset = t - minute;
    const entry = this.entry(minute, minutes);
    if (offset === 0 || !entry.openDuringMinute) return new Date(entry.due);
    if (entry.openAtDue) return new Date(entry.due.getTime() + offset);
    return addBusinessMinutes(this.calendar, start, minutes);
  }

  private entry(minute: number, minutes: number): MinuteEntry {
    const key = `${minute}:${minutes}`;
    let entry = this.memo.get(key);
    if (!entry) {
      if (this.memo.size > 16) this.memo.clear();
      const due = addBusinessMinutes(this.calendar, new Date(minute), minutes);
      entry = {
        due,
        openDuringMinute: isOpen(this.calendar, new Date(minute)),
        openAtDue: isOpen(this.calendar, due),
      };
      this.memo.set(key, entry);
    }
    return entry;
  }
}
