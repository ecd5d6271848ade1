import { type Database, inTenantTransaction, schema } from '@samtal/db';
import type { PresenceStatus } from '@samtal/domain';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { presenceChannel } from './channels.ts';

export interface PresenceState {
  userId: string;
  displayName: string;
  status: PresenceStatus;
  /** Start of the current interval (ISO); null when the member has never set a status. */
  since: string | null;
}

/** What travels on the presence channel. */
export interface PresenceAnnouncement extends PresenceState {
  tenantId: string;
}

export interface PresenceDeps {
  db: Database;
  redis: Redis;
  prefix: string;
}

/** Current status of the tenant's staff (all, or the given ones); no open interval = offline. */
export async function currentPresence(
  db: Database,
  tenantId: string,
  userIds?: string[],
): Promise<PresenceState[]> {
  const { staffUsers: u, staffPresence: p } = schema;
  const rows = await db
    .select({ userId: u.id, displayName: u.displayName, status: p.status, since: p.startedAt })
    .from(u)
    .leftJoin(p, and(eq(p.tenantId, u.tenantId), eq(p.userId, u.id), isNull(p.endedAt)))
    .where(and(eq(u.tenantId, tenantId), eq(u.active, true), userIds ? inArray(u.id, userIds) : undefined))
    .orderBy(u.displayName);
  return rows.map((r) => ({
    userId: r.userId,
    displayName: r.displayName,
    status: (r.status ?? 'offline') as PresenceStatus,
    since: r.since?.toISOString() ?? null,
  }));
}

/**
 * Closes the member's open presence interval and opens one with the new status (the intervals
 * behind occupancy), then tells every desk instance. Setting the current status again changes
 * nothing.
 */
export async function setPresence(
  deps: PresenceDeps,
  who: { tenantId: string; userId: string; displayName: string },
  status: PresenceStatus,
): Promise<{ state: PresenceState; changed: boolean }> {
  const { staffPresence: p } = schema;
  const outcome = await inTenantTransaction(deps.db, who.tenantId, async (tx) => {
    // One change at a time per member, so two tabs can never leave two open intervals.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`presence:${who.userId}`}))`);
    const open = await tx
      .select()
      .from(p)
      .where(and(eq(p.tenantId, who.tenantId), eq(p.userId, who.userId), isNull(p.endedAt)));
    const current = open[0];
    if (open.length === 1 && current?.status === status) {
      return { since: current.startedAt, changed: false };
    }
    if (!open.length && status === 'offline') return { since: null, changed: false };
    const now = new Date();
    await tx
      .update(p)
      .set({ endedAt: now })
      .where(and(eq(p.tenantId, who.tenantId), eq(p.userId, who.userId), isNull(p.endedAt)));
    await tx.insert(p).values({ tenantId: who.tenantId, userId: who.userId, status, startedAt: now });
    return { since: now, changed: true };
  });
  const state: PresenceState = {
    userId: who.userId,
    displayName: who.displayName,
    status,
    since: outcome.since?.toISOString() ?? null,
  };
  if (outcome.changed) {
    const message: PresenceAnnouncement = { tenantId: who.tenantId, ...state };
    await deps.redis.publish(presenceChannel(deps.prefix), JSON.stringify(message)).catch(() => {});
  }
  return { state, changed: outcome.changed };
}
