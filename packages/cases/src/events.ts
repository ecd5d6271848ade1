import { type Executor, schema } from '@samtal/db';
import type { Redis } from 'ioredis';

export type CaseEventRow = typeof schema.caseEvents.$inferSelect;

export type ActorKind = 'resident' | 'staff' | 'system' | 'api_client';

export interface Actor {
  kind: ActorKind;
  id?: string | null;
}

export interface NewCaseEvent {
  tenantId: string;
  caseId: string;
  type: string;
  actor: Actor;
  /** `public` events appear on the resident's timeline; the default is internal. */
  visibility?: 'public' | 'internal';
  data?: Record<string, unknown>;
}

/** Appends to the case's history (never updated, never deleted). */
export async function appendCaseEvents(tx: Executor, events: NewCaseEvent[]): Promise<CaseEventRow[]> {
  if (!events.length) return [];
  return tx
    .insert(schema.caseEvents)
    .values(
      events.map((e) => ({
        tenantId: e.tenantId,
        caseId: e.caseId,
        type: e.type,
        actorKind: e.actor.kind,
        actorId: e.actor.id ?? null,
        visibility: e.visibility ?? 'internal',
        data: e.data ?? {},
      })),
    )
    .returning();
}

/** The Redis pub/sub channel on which every desk instance hears about new case events. */
export function caseEventsChannel(prefix: string): string {
  return `${prefix}:case-events`;
}

/** What travels over pub/sub: ids only; desks read the event itself from PostgreSQL. */
export interface CaseEventAnnouncement {
  id: number;
  tenantId: string;
  caseId: string;
  type: string;
}

/**
 * Tells the desks that events were committed. Best effort: a desk that misses an announcement
 * (Redis down) still serves the event to clients that resume from the last id they saw.
 */
export async function announceCaseEvents(
  redis: Redis,
  prefix: string,
  events: CaseEventRow[],
): Promise<void> {
  if (!events.length) return;
  const message = JSON.stringify(
    events.map(
      (e): CaseEventAnnouncement => ({ id: e.id, tenantId: e.tenantId, caseId: e.caseId, type: e.type }),
    ),
  );
  await redis.publish(caseEventsChannel(prefix), message).catch(() => {});
}
