import { type Database, inTenantTransaction, type Transaction } from '@samtal/db';
import type { CaseAction } from '@samtal/domain';
import { queueNames } from '@samtal/queue';
import type { Redis } from 'ioredis';
import { applyCaseAction, type CaseActionInput, type CaseActionResult } from './actions.ts';
import { announceCaseEvents, appendCaseEvents, type CaseEventRow, type NewCaseEvent } from './events.ts';
import { enqueueOutbox, type OutboxJob, type OutboxRelay, type OutboxRow } from './outbox.ts';

const clockActions = new Set<CaseAction>([
  'route',
  'request_information',
  'resident_replied',
  'resolve',
  'reopen',
  'merge',
]);

/** What a service needs to change cases: the database, and where to announce and relay. */
export interface CaseWriter {
  db: Database;
  /** Publishes announcements of new events (pub/sub). */
  redis: Redis;
  prefix: string;
  relay: OutboxRelay;
}

/** One transaction's worth of case changes; collects what must be announced and relayed after commit. */
export class CaseUnit {
  readonly events: CaseEventRow[] = [];
  readonly outbox: OutboxRow[] = [];

  constructor(readonly tx: Transaction) {}

  /** Applies a lifecycle action; actions that move the SLA clocks also tell the router to re-arm them. */
  async act(input: CaseActionInput): Promise<CaseActionResult> {
    const result = await applyCaseAction(this.tx, input);
    this.events.push(result.event);
    if (clockActions.has(input.action)) {
      await this.enqueue([
        {
          tenantId: input.tenantId,
          queue: queueNames.clocks,
          payload: { tenantId: input.tenantId, caseId: input.caseId, reason: input.action },
        },
      ]);
    }
    return result;
  }

  async record(events: NewCaseEvent[]): Promise<CaseEventRow[]> {
    const rows = await appendCaseEvents(this.tx, events);
    this.events.push(...rows);
    return rows;
  }

  async enqueue(jobs: OutboxJob[]): Promise<OutboxRow[]> {
    const rows = await enqueueOutbox(this.tx, jobs);
    this.outbox.push(...rows);
    return rows;
  }
}

/**
 * Runs `work` in a transaction as the tenant (row-level security lets it touch only that tenant's
 * rows, see `inTenantTransaction`); after the commit, announces the new events to the desks and
 * publishes the outbox rows (fast path). If the process dies between commit and publish, the
 * relay's sweep publishes them; if Redis is down, clients catch up from PostgreSQL.
 */
export async function inCaseTransaction<T>(
  writer: CaseWriter,
  tenantId: string,
  work: (unit: CaseUnit) => Promise<T>,
): Promise<T> {
  let unit: CaseUnit | undefined;
  const result = await inTenantTransaction(writer.db, tenantId, async (tx) => {
    unit = new CaseUnit(tx);
    return work(unit);
  });
  if (unit) {
    await Promise.all([
      announceCaseEvents(writer.redis, writer.prefix, unit.events),
      writer.relay.publish(unit.outbox),
    ]);
  }
  return result;
}
