import { announceCaseEvents, type CaseEventRow } from '@samtal/cases';
import type { Redis } from 'ioredis';

/**
 * Announces committed case events to the desks, one PUBLISH for all the events committed in the
 * same turn of the event loop instead of one per inquiry. A desk only takes an announcement as the
 * signal to read new events from PostgreSQL, so one message for many events loses nothing, and
 * waiting for `setImmediate` adds no measurable delay.
 */
export class Announcements {
  private pending: CaseEventRow[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  add(events: CaseEventRow[]): void {
    this.pending.push(...events);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      void announceCaseEvents(this.redis, this.prefix, batch);
    });
  }
}
