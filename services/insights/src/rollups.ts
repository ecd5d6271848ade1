import type { DbHandle } from '@samtal/db';
import { zonedInstant } from './business-time.ts';
import { addDays, bucketOf, type Interval, type Period, type TenantContext } from './context.ts';
import { addCase, addContact, addSums, emptySums, type FactContext, type Sums } from './facts.ts';
import { fromPg, toPg } from './pg-time.ts';
import { type CaseFilters, fetchContacts, forEachCase } from './queries.ts';

/**
 * Daily rollups (`insight_rollups_daily`) for the standard cuts: day × category × department ×
 * channel. `refreshRollupDay` recomputes one local day from the rows with the same code as the
 * exact queries and replaces that day's rollup rows in one transaction, so a reader sees either
 * the old day or the new one. `refreshRollups` brings a tenant up to date incrementally.
 */

const keyOf = (categoryId: string | null, departmentId: string | null, channel: string) =>
  `${categoryId ?? ''}|${departmentId ?? ''}|${channel}`;

export async function refreshRollupDay(
  db: DbHandle,
  tenant: TenantContext,
  day: string,
  facts: Omit<FactContext, 'calendar'>,
): Promise<number> {
  const start = zonedInstant(day, 0, tenant.timeZone);
  const end = zonedInstant(addDays(day, 1), 0, tenant.timeZone);
  const ctx: FactContext = { ...facts, calendar: tenant.calendar };
  const groups = new Map<
    string,
    { categoryId: string | null; departmentId: string | null; channel: string; sums: Sums }
  >();
  const group = (categoryId: string | null, departmentId: string | null, channel: string) => {
    const key = keyOf(categoryId, departmentId, channel);
    let g = groups.get(key);
    if (!g) {
      g = { categoryId, departmentId, channel, sums: emptySums() };
      groups.set(key, g);
    }
    return g.sums;
  };
  await forEachCase(db, tenant.id, start, end, {}, tenant.timeZone, (row) => {
    addCase(group(row.categoryId, row.departmentId, row.channel), row, ctx);
  });
  for (const row of await fetchContacts(db, tenant.id, start, end, {}, tenant.timeZone)) {
    addContact(group(row.categoryId, row.departmentId, row.channel), row);
  }
  const rows = [...groups.values()].map((g) => ({
    tenant_id: tenant.id,
    day,
    category_id: g.categoryId,
    department_id: g.departmentId,
    channel: g.channel,
    cases: g.sums.cases,
    first_response_minutes: g.sums.firstResponseMinutes,
    resolution_minutes: g.sums.resolutionMinutes,
    first_response_sla_due: g.sums.firstResponseSlaDue,
    first_response_sla_met: g.sums.firstResponseSlaMet,
    resolution_sla_due: g.sums.resolutionSlaDue,
    resolution_sla_met: g.sums.resolutionSlaMet,
    first_contact_resolutions: g.sums.firstContactResolutions,
    direct_answers: g.sums.directAnswers,
    kkik_due: g.sums.kkikDue,
    kkik_met: g.sums.kkikMet,
    concluded: g.sums.concluded,
    concluded_without_rehandling: g.sums.concludedWithoutRehandling,
    ratings: g.sums.ratings,
    rating_sum: g.sums.ratingSum,
    satisfied_ratings: g.sums.satisfiedRatings,
    routed: g.sums.routed,
    returned: g.sums.returned,
    resolved: g.sums.resolved,
    reopened: g.sums.reopened,
    contacts_offered: g.sums.contactsOffered,
    contacts_answered: g.sums.contactsAnswered,
    contacts_abandoned: g.sums.contactsAbandoned,
    contact_wait_seconds: g.sums.contactWaitSeconds,
    contacts_handled: g.sums.contactsHandled,
    contact_handle_seconds: g.sums.contactHandleSeconds,
    refreshed_at: toPg(facts.now),
  }));
  await db.sql.begin(async (tx) => {
    await tx`delete from insight_rollups_daily where tenant_id = ${tenant.id} and day = ${day}`;
    // One multi-row INSERT per 500 rows (33 parameters a row, well under PostgreSQL's 65,535).
    for (let i = 0; i < rows.length; i += 500) {
      await tx`insert into insight_rollups_daily ${tx(rows.slice(i, i + 500))}`;
    }
  });
  return rows.length;
}

/**
 * Brings a tenant's rollups up to date: every local day with a case, feedback or contact written or
 * changed since the last run, every day whose cases passed an SLA deadline since then (their
 * compliance changed without a write), the last 7 days (the KKiK "one working day" also passes
 * without a write), and any days asked for. The cursor moves only after every day is written.
 */
export async function refreshRollups(
  db: DbHandle,
  tenant: TenantContext,
  facts: Omit<FactContext, 'calendar'>,
  extraDays: string[] = [],
): Promise<string[]> {
  const { sql } = db;
  const [state] = await sql<{ refreshed_through: string }[]>`
    select refreshed_through from insight_rollup_state where tenant_id = ${tenant.id}`;
  const since = state ? fromPg(state.refreshed_through) : new Date(0);
  const tz = tenant.timeZone;
  const changed = await sql<{ day: string }[]>`
    select distinct (c.created_at at time zone ${tz})::date::text as day from cases c
     where c.tenant_id = ${tenant.id}
       and (c.updated_at > ${toPg(since)} or c.created_at > ${toPg(since)}
            or c.first_response_due_at between ${toPg(since)} and ${toPg(facts.now)}
            or c.resolution_due_at between ${toPg(since)} and ${toPg(facts.now)})
    union
    select distinct (c.created_at at time zone ${tz})::date::text from feedback f
      join cases c on c.tenant_id = f.tenant_id and c.id = f.case_id
     where f.tenant_id = ${tenant.id} and f.created_at > ${toPg(since)}
    union
    select distinct (k.offered_at at time zone ${tz})::date::text from contacts k
     where k.tenant_id = ${tenant.id} and (k.created_at > ${toPg(since)} or k.offered_at > ${toPg(since)})`;
  const today = (
    await sql<
      { day: string }[]
    >`select (${toPg(facts.now)}::timestamptz at time zone ${tz})::date::text as day`
  )[0]!.day;
  const days = new Set([...changed.map((r) => r.day), ...extraDays]);
  for (let i = 0; i < 7; i++) days.add(addDays(today, -i));
  const ordered = [...days].sort();
  for (const day of ordered) await refreshRollupDay(db, tenant, day, facts);
  await sql`
    insert into insight_rollup_state (tenant_id, refreshed_through) values (${tenant.id}, ${toPg(facts.now)})
    on conflict (tenant_id) do update set refreshed_through = excluded.refreshed_through`;
  return ordered;
}

interface RollupRow {
  day: string;
  cases: number;
  first_response_minutes: number[];
  resolution_minutes: number[];
  first_response_sla_due: number;
  first_response_sla_met: number;
  resolution_sla_due: number;
  resolution_sla_met: number;
  first_contact_resolutions: number;
  direct_answers: number;
  kkik_due: number;
  kkik_met: number;
  concluded: number;
  concluded_without_rehandling: number;
  ratings: number;
  rating_sum: number;
  satisfied_ratings: number;
  routed: number;
  returned: number;
  resolved: number;
  reopened: number;
  contacts_offered: number;
  contacts_answered: number;
  contacts_abandoned: number;
  contact_wait_seconds: number[];
  contacts_handled: number;
  contact_handle_seconds: number;
}

function sumsOfRow(r: RollupRow): Sums {
  return {
    cases: r.cases,
    firstResponseMinutes: [...r.first_response_minutes],
    resolutionMinutes: [...r.resolution_minutes],
    firstResponseSlaDue: r.first_response_sla_due,
    firstResponseSlaMet: r.first_response_sla_met,
    resolutionSlaDue: r.resolution_sla_due,
    resolutionSlaMet: r.resolution_sla_met,
    firstContactResolutions: r.first_contact_resolutions,
    directAnswers: r.direct_answers,
    kkikDue: r.kkik_due,
    kkikMet: r.kkik_met,
    concluded: r.concluded,
    concludedWithoutRehandling: r.concluded_without_rehandling,
    ratings: r.ratings,
    ratingSum: r.rating_sum,
    satisfiedRatings: r.satisfied_ratings,
    routed: r.routed,
    returned: r.returned,
    resolved: r.resolved,
    reopened: r.reopened,
    contactsOffered: r.contacts_offered,
    contactsAnswered: r.contacts_answered,
    contactsAbandoned: r.contacts_abandoned,
    contactWaitSeconds: [...r.contact_wait_seconds],
    contactsHandled: r.contacts_handled,
    contactHandleSeconds: r.contact_handle_seconds,
  };
}

export interface BucketedSums {
  total: Sums;
  buckets: Map<string, Sums>;
}

/** Sums per trend bucket from the rollups (standard cuts only). */
export async function rollupSums(
  db: DbHandle,
  tenantId: string,
  period: Period,
  filters: CaseFilters,
  interval: Interval,
): Promise<BucketedSums & { refreshedAt: Date | null }> {
  const { sql } = db;
  const rows = await sql<RollupRow[]>`
    select day::text as day, cases, first_response_minutes, resolution_minutes, first_response_sla_due,
           first_response_sla_met, resolution_sla_due, resolution_sla_met, first_contact_resolutions,
           direct_answers, kkik_due, kkik_met, concluded, concluded_without_rehandling, ratings,
           rating_sum, satisfied_ratings, routed, returned, resolved, reopened, contacts_offered,
           contacts_answered, contacts_abandoned, contact_wait_seconds, contacts_handled,
           contact_handle_seconds
      from insight_rollups_daily
     where tenant_id = ${tenantId} and day between ${period.from} and ${period.to}
       ${filters.channel ? sql`and channel = ${filters.channel}` : sql``}
       ${filters.categoryId ? sql`and category_id = ${filters.categoryId}` : sql``}
       ${filters.departmentId ? sql`and department_id = ${filters.departmentId}` : sql``}`;
  const [state] = await sql<{ refreshed_through: string }[]>`
    select refreshed_through from insight_rollup_state where tenant_id = ${tenantId}`;
  const total = emptySums();
  const buckets = new Map<string, Sums>();
  for (const row of rows) {
    const sums = sumsOfRow(row);
    addSums(total, sums);
    const bucket = bucketOf(row.day, interval);
    const existing = buckets.get(bucket);
    if (existing) addSums(existing, sums);
    else buckets.set(bucket, sums);
  }
  return { total, buckets, refreshedAt: state ? fromPg(state.refreshed_through) : null };
}
