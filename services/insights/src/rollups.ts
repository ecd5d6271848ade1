import type { DbHandle } from '@samtal/db';
import { zonedInstant } from './business-time.ts';
import { addDays, bucketOf, type Interval, type Period, type TenantContext } from './context.ts';
import { type Dimension, groupSums, loadDimensions } from './equity.ts';
import {
  addCase,
  addContact,
  addEquityFact,
  addSums,
  caseMinutes,
  type EquitySums,
  emptySums,
  equityFact,
  type FactContext,
  type Sums,
} from './facts.ts';
import { fromPg, toPg } from './pg-time.ts';
import { type CaseFilters, forEachCase, forEachContact } from './queries.ts';
import { addEncodedTally, encodeTally } from './tally-codec.ts';

/**
 * Daily rollups for the standard cuts. `insight_rollups_daily` keeps the availability sums of a
 * local day for the city (`all`), per channel, per category, per department, and per category ×
 * department × channel (`cell`, for combined filters); `insight_equity_daily` keeps each
 * demographic group's service numbers per day, for every channel and per channel.
 * `refreshRollupDay` recomputes one day from the rows with the same code as the exact queries and
 * replaces that day's rows in one transaction, so a reader sees either the old day or the new
 * one. `refreshRollups` brings a tenant up to date incrementally.
 */

/** Which rollup rows a query with these filters reads: the cut, and the key columns to match. */
export type Cut = 'all' | 'channel' | 'category' | 'department' | 'cell';

export function cutOf(filters: Pick<CaseFilters, 'channel' | 'categoryId' | 'departmentId'>): Cut {
  const set = [
    filters.channel && 'channel',
    filters.categoryId && 'category',
    filters.departmentId && 'department',
  ].filter((c): c is 'channel' | 'category' | 'department' => Boolean(c));
  return set.length === 0 ? 'all' : set.length === 1 ? set[0]! : 'cell';
}

interface CutKey {
  cut: Cut;
  categoryId: string | null;
  departmentId: string | null;
  channel: string | null;
}

/** The rows a cell's sums also count in: the city, its channel, category and department. */
function cutsAbove(cell: CutKey & { channel: string }): CutKey[] {
  const cuts: CutKey[] = [
    { cut: 'all', categoryId: null, departmentId: null, channel: null },
    { cut: 'channel', categoryId: null, departmentId: null, channel: cell.channel },
  ];
  // A filter never asks for "no category" or "no department", so those rows would never be read.
  if (cell.categoryId)
    cuts.push({ cut: 'category', categoryId: cell.categoryId, departmentId: null, channel: null });
  if (cell.departmentId)
    cuts.push({ cut: 'department', categoryId: null, departmentId: cell.departmentId, channel: null });
  return cuts;
}

const keyOf = (k: CutKey) => `${k.cut}|${k.categoryId ?? ''}|${k.departmentId ?? ''}|${k.channel ?? ''}`;

/** The value under `key`, created and stored first if missing. */
function entry<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

export async function refreshRollupDay(
  db: DbHandle,
  tenant: TenantContext,
  day: string,
  facts: Omit<FactContext, 'calendar'>,
  dimensions: Dimension[],
): Promise<number> {
  const start = zonedInstant(day, 0, tenant.timeZone);
  const end = zonedInstant(addDays(day, 1), 0, tenant.timeZone);
  const ctx: FactContext = { ...facts, calendar: tenant.calendar };
  // Each case and contact is added once, to its category × department × channel cell; the other
  // cuts are sums of cells, added up after the scan: a few hundred merges of cells instead of five
  // adds per case.
  const cells = new Map<string, CutKey & { channel: string; sums: Sums }>();
  const cellOf = (categoryId: string | null, departmentId: string | null, channel: string) =>
    entry(cells, `${categoryId ?? ''}|${departmentId ?? ''}|${channel}`, () => ({
      cut: 'cell' as const,
      categoryId,
      departmentId,
      channel,
      sums: emptySums(),
    })).sums;
  // Equity likewise per channel, then over every channel: channel → dimension → answer → sums.
  const equity = new Map<string, Map<string, Map<string, EquitySums>>>();
  const equitySums = (channel: string, dimension: string, answer: string) =>
    groupSums(
      entry(
        entry(equity, channel, () => new Map<string, Map<string, EquitySums>>()),
        dimension,
        () => new Map<string, EquitySums>(),
      ),
      answer,
    );
  const nowMs = facts.now.getTime();
  const ms = (d: Date | null) => (d === null ? null : d.getTime());
  await forEachCase(
    db,
    tenant.id,
    start,
    end,
    {},
    tenant.timeZone,
    (row) => {
      const durations = caseMinutes(row, ctx);
      addCase(cellOf(row.categoryId, row.departmentId, row.channel), row, ctx, durations);
      const fact = equityFact(
        {
          respondedMs: ms(row.firstRespondedAt),
          dueMs: ms(row.firstResponseDueAt),
          resolvedMs: ms(row.resolvedAt),
          rating: row.rating,
        },
        durations.firstResponse,
        nowMs,
      );
      for (const dimension of dimensions) {
        addEquityFact(equitySums(row.channel, dimension.code, row.groups?.[dimension.code] ?? ''), fact);
      }
    },
    true,
  );
  await forEachContact(db, tenant.id, start, end, {}, tenant.timeZone, (row) => {
    addContact(cellOf(row.categoryId, row.departmentId, row.channel), row);
  });
  const groups = new Map<string, CutKey & { sums: Sums }>();
  for (const cell of cells.values()) {
    groups.set(keyOf(cell), cell);
    for (const key of cutsAbove(cell)) {
      addSums(entry(groups, keyOf(key), () => ({ ...key, sums: emptySums() })).sums, cell.sums);
    }
  }
  for (const byDimension of [...equity.values()]) {
    for (const [dimension, byAnswer] of byDimension) {
      for (const [answer, s] of byAnswer) addSums(equitySums('', dimension, answer), s);
    }
  }
  const refreshedAt = toPg(facts.now);
  const rows = [...groups.values()].map((g) => ({
    tenant_id: tenant.id,
    day,
    cut: g.cut,
    category_id: g.categoryId,
    department_id: g.departmentId,
    channel: g.channel,
    cases: g.sums.cases,
    first_response_counts: encodeTally(g.sums.firstResponseMinutes),
    resolution_counts: encodeTally(g.sums.resolutionMinutes),
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
    contact_wait_counts: encodeTally(g.sums.contactWaitCounts),
    contact_wait_seconds: g.sums.contactWaitSeconds,
    contacts_handled: g.sums.contactsHandled,
    contact_handle_seconds: g.sums.contactHandleSeconds,
    refreshed_at: refreshedAt,
  }));
  const equityRows = [...equity.entries()].flatMap(([channel, byDimension]) =>
    [...byDimension.entries()].flatMap(([dimension, byAnswer]) =>
      [...byAnswer.entries()].map(([answer, s]) => ({
        tenant_id: tenant.id,
        day,
        channel: channel || null,
        dimension,
        answer: answer || null,
        cases: s.cases,
        first_response_counts: encodeTally(s.firstResponseMinutes),
        resolved: s.resolved,
        sla_due: s.slaDue,
        sla_met: s.slaMet,
        ratings: s.ratings,
        satisfied: s.satisfied,
        refreshed_at: refreshedAt,
      })),
    ),
  );
  await db.sql.begin(async (tx) => {
    await tx`delete from insight_rollups_daily where tenant_id = ${tenant.id} and day = ${day}`;
    await tx`delete from insight_equity_daily where tenant_id = ${tenant.id} and day = ${day}`;
    // Multi-row INSERTs of 500 rows (at most 35 parameters a row, well under PostgreSQL's 65,535).
    for (let i = 0; i < rows.length; i += 500) {
      await tx`insert into insight_rollups_daily ${tx(rows.slice(i, i + 500))}`;
    }
    for (let i = 0; i < equityRows.length; i += 500) {
      await tx`insert into insight_equity_daily ${tx(equityRows.slice(i, i + 500))}`;
    }
  });
  return rows.length;
}

/**
 * Brings a tenant's rollups up to date: every local day with a case, feedback or contact written or
 * changed since the last run, every day whose unanswered or unresolved cases passed an SLA deadline
 * since then (their compliance changed without a write; an answer or resolution is a write, after
 * which the deadline no longer matters), the last 7 days (the KKiK "one working day" also passes
 * without a write), and any days asked for. When the tenant's active demographic dimensions are
 * not the ones the equity rollups were built for, every day is rebuilt. The cursor moves only
 * after every day is written.
 */
export async function refreshRollups(
  db: DbHandle,
  tenant: TenantContext,
  facts: Omit<FactContext, 'calendar'>,
  extraDays: string[] = [],
): Promise<string[]> {
  const { sql } = db;
  const [state] = await sql<{ refreshed_through: string; equity_dimensions: string[] }[]>`
    select refreshed_through, equity_dimensions from insight_rollup_state where tenant_id = ${tenant.id}`;
  const dimensions = await loadDimensions(db, tenant.id);
  const codes = dimensions.map((d) => d.code).sort();
  const sameDimensions = state !== undefined && state.equity_dimensions.join() === codes.join();
  const since = state && sameDimensions ? fromPg(state.refreshed_through) : new Date(0);
  const tz = tenant.timeZone;
  const changed = await sql<{ day: string }[]>`
    select distinct (c.created_at at time zone ${tz})::date::text as day from cases c
     where c.tenant_id = ${tenant.id}
       and (c.updated_at > ${toPg(since)} or c.created_at > ${toPg(since)}
            or (c.first_responded_at is null
                and c.first_response_due_at between ${toPg(since)} and ${toPg(facts.now)})
            or (c.resolved_at is null
                and c.resolution_due_at between ${toPg(since)} and ${toPg(facts.now)}))
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
  for (const day of ordered) await refreshRollupDay(db, tenant, day, facts, dimensions);
  await sql`
    insert into insight_rollup_state (tenant_id, refreshed_through, equity_dimensions)
    values (${tenant.id}, ${toPg(facts.now)}, ${codes})
    on conflict (tenant_id) do update
      set refreshed_through = excluded.refreshed_through, equity_dimensions = excluded.equity_dimensions`;
  return ordered;
}

interface RollupRow {
  day: string;
  cases: number;
  first_response_counts: Buffer;
  resolution_counts: Buffer;
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
  contact_wait_counts: Buffer;
  contact_wait_seconds: number;
  contacts_handled: number;
  contact_handle_seconds: number;
}

/** Adds a rollup row into `sums`; the tallies are decoded straight into the sums' tallies. */
function addRow(sums: Sums, r: RollupRow): void {
  sums.cases += r.cases;
  addEncodedTally(sums.firstResponseMinutes, r.first_response_counts);
  addEncodedTally(sums.resolutionMinutes, r.resolution_counts);
  sums.firstResponseSlaDue += r.first_response_sla_due;
  sums.firstResponseSlaMet += r.first_response_sla_met;
  sums.resolutionSlaDue += r.resolution_sla_due;
  sums.resolutionSlaMet += r.resolution_sla_met;
  sums.firstContactResolutions += r.first_contact_resolutions;
  sums.directAnswers += r.direct_answers;
  sums.kkikDue += r.kkik_due;
  sums.kkikMet += r.kkik_met;
  sums.concluded += r.concluded;
  sums.concludedWithoutRehandling += r.concluded_without_rehandling;
  sums.ratings += r.ratings;
  sums.ratingSum += r.rating_sum;
  sums.satisfiedRatings += r.satisfied_ratings;
  sums.routed += r.routed;
  sums.returned += r.returned;
  sums.resolved += r.resolved;
  sums.reopened += r.reopened;
  sums.contactsOffered += r.contacts_offered;
  sums.contactsAnswered += r.contacts_answered;
  sums.contactsAbandoned += r.contacts_abandoned;
  addEncodedTally(sums.contactWaitCounts, r.contact_wait_counts);
  sums.contactWaitSeconds += r.contact_wait_seconds;
  sums.contactsHandled += r.contacts_handled;
  sums.contactHandleSeconds += r.contact_handle_seconds;
}

export interface BucketedSums {
  total: Sums;
  buckets: Map<string, Sums>;
}

/**
 * Sums per trend bucket from the rollups (standard cuts only). Each row is added into its bucket
 * once; the total is the sum of the buckets (rows decode once, tallies merge per bucket).
 */
export async function rollupSums(
  db: DbHandle,
  tenantId: string,
  period: Period,
  filters: CaseFilters,
  interval: Interval,
): Promise<BucketedSums & { refreshedAt: Date | null }> {
  const { sql } = db;
  const cut = cutOf(filters);
  const [rows, [state]] = await Promise.all([
    sql<RollupRow[]>`
      select day::text as day, cases, first_response_counts, resolution_counts, first_response_sla_due,
             first_response_sla_met, resolution_sla_due, resolution_sla_met, first_contact_resolutions,
             direct_answers, kkik_due, kkik_met, concluded, concluded_without_rehandling, ratings,
             rating_sum, satisfied_ratings, routed, returned, resolved, reopened, contacts_offered,
             contacts_answered, contacts_abandoned, contact_wait_counts, contact_wait_seconds,
             contacts_handled, contact_handle_seconds
        from insight_rollups_daily
       where tenant_id = ${tenantId} and cut = ${cut} and day between ${period.from} and ${period.to}
         ${filters.channel ? sql`and channel = ${filters.channel}` : sql``}
         ${filters.categoryId ? sql`and category_id = ${filters.categoryId}` : sql``}
         ${filters.departmentId ? sql`and department_id = ${filters.departmentId}` : sql``}`,
    sql<{ refreshed_through: string }[]>`
      select refreshed_through from insight_rollup_state where tenant_id = ${tenantId}`,
  ]);
  const buckets = new Map<string, Sums>();
  for (const row of rows) {
    addRow(entry(buckets, bucketOf(row.day, interval), emptySums), row);
  }
  const total = emptySums();
  for (const sums of buckets.values()) addSums(total, sums);
  return { total, buckets, refreshedAt: state ? fromPg(state.refreshed_through) : null };
}
