import type { DbHandle } from '@samtal/db';
import { localDate, zonedInstant } from './business-time.ts';
import type { TenantContext } from './context.ts';
import { fromPg, toPg } from './pg-time.ts';

/** How far ahead a first-response or resolution deadline counts as "at risk". */
export const AT_RISK_MINUTES = 60;

/**
 * What the contact centre's wall screen shows, computed fresh each time: contacts waiting now and
 * the longest wait, agents by presence status, today's service level, and open cases whose SLA
 * deadline falls within the next hour (or has just passed without a first response). Tracking
 * codes of sensitive cases are never listed, only counted.
 */
export async function wallboardSnapshot(
  db: DbHandle,
  tenant: TenantContext,
  now: Date,
  thresholdSeconds = 20,
) {
  const { sql } = db;
  const dayStart = zonedInstant(localDate(now, tenant.timeZone), 0, tenant.timeZone);
  const [waiting] = await sql<{ n: number; oldest: string | null }[]>`
    select count(*)::int as n, min(offered_at) as oldest from contacts
     where tenant_id = ${tenant.id} and offered_at > ${toPg(new Date(now.getTime() - 86_400_000))}
       and offered_at <= ${toPg(now)}
       and answered_at is null and abandoned_at is null and ended_at is null`;
  const agents = await sql<{ status: string; n: number }[]>`
    select status, count(distinct user_id)::int as n from staff_presence
     where tenant_id = ${tenant.id} and ended_at is null group by status`;
  const [today] = await sql<{ offered: number; within: number }[]>`
    select count(*)::int as offered,
           count(*) filter (where answered_at is not null
                              and extract(epoch from answered_at - offered_at) <= ${thresholdSeconds})::int as within
      from contacts where tenant_id = ${tenant.id} and offered_at >= ${toPg(dayStart)} and offered_at <= ${toPg(now)}`;
  const horizon = new Date(now.getTime() + AT_RISK_MINUTES * 60_000);
  const atRisk = await sql<{ tracking_code: string; sensitive: boolean; kind: string; due_at: string }[]>`
    select tracking_code, sensitive, kind, due_at from (
      select tracking_code, sensitive, 'first_response' as kind, first_response_due_at as due_at from cases
       where tenant_id = ${tenant.id} and first_responded_at is null and parent_case_id is null
         and status in ('new', 'routed', 'accepted', 'in_progress', 'returned', 'reopened')
         and first_response_due_at <= ${toPg(horizon)}
         and first_response_due_at > ${toPg(new Date(now.getTime() - AT_RISK_MINUTES * 60_000))}
      union all
      select tracking_code, sensitive, 'resolution', resolution_due_at from cases
       where tenant_id = ${tenant.id} and resolved_at is null and parent_case_id is null
         and status in ('new', 'routed', 'accepted', 'in_progress', 'returned', 'reopened')
         and resolution_due_at <= ${toPg(horizon)}
         and resolution_due_at > ${toPg(new Date(now.getTime() - AT_RISK_MINUTES * 60_000))}
    ) x order by due_at limit 200`;
  const oldest = waiting?.oldest ? fromPg(waiting.oldest) : null;
  return {
    at: now.toISOString(),
    contactsWaiting: waiting?.n ?? 0,
    longestWaitSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : null,
    agentsByStatus: Object.fromEntries(agents.map((a) => [a.status, a.n])),
    today: {
      offered: today?.offered ?? 0,
      answeredWithinThreshold: today?.within ?? 0,
      serviceLevelSeconds: thresholdSeconds,
      serviceLevel: today && today.offered > 0 ? Number((today.within / today.offered).toFixed(4)) : null,
    },
    casesAtRisk: {
      count: atRisk.length,
      cases: atRisk
        .filter((c) => !c.sensitive)
        .slice(0, 20)
        .map((c) => ({
          trackingCode: c.tracking_code,
          kind: c.kind as 'first_response' | 'resolution',
          dueAt: fromPg(c.due_at).toISOString(),
          breached: fromPg(c.due_at) <= now,
        })),
    },
  };
}

export type WallboardSnapshot = Awaited<ReturnType<typeof wallboardSnapshot>>;
