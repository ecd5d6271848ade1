import { announceCaseEvents, type CaseEventRow } from '@samtal/cases';
import type { Redis } from 'ioredis';
import { TurnBatch } from './turn-batch.ts';

/**
 * Announces committed case events to the desks, one PUBLISH for all the events committed in the
 * same turn of the event loop instead of one per inquiry. A desk only takes an announcement as the
 * signal to read new events from PostgreSQL, so one message for many events loses nothing, and
 * waiting for `setImmediate` adds no measurable delay.
 */
export class Announcements {
  private readonly batch: TurnBatch<CaseEventRow>;

  constructor(redis: Redis, prefix: string) {
    this.batch = new TurnBatch((events) => void announceCaseEvents(redis, prefix, events));
  }

  add(events: CaseEventRow[]): void {
    this.batch.add(...events);
  }
}
