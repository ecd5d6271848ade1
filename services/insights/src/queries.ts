import type { DbHandle } from '@samtal/db';
import type { CaseRow, ContactRow } from './facts.ts';
import { toPg } from './pg-time.ts';

/** Filters every availability query accepts. Ids are resolved from codes by the route. */
export interface CaseFilters {
  channel?: string | undefined;
  categoryId?: string | undefined;
  departmentId?: string | undefined;
  /** Exact-only filters: the rollups do not keep these cuts. */
  districtId?: string | undefined;
  priority?: string | undefined;
}

type Sql = DbHandle['sql'];

export function caseFilterSql(sql: Sql, f: CaseFilters) {
  return sql`
    ${f.channel ? sql`and c.channel = ${f.channel}` : sql``}
    ${f.categoryId ? sql`and c.category_id = ${f.categoryId}` : sql``}
    ${f.departmentId ? sql`and c.lead_department_id = ${f.departmentId}` : sql``}
    ${f.districtId ? sql`and c.district_id = ${f.districtId}` : sql``}
    ${f.priority ? sql`and c.priority = ${f.priority}` : sql``}`;
}

/** An instant as epoch milliseconds (float8): numbers parse far faster than timestamp text. */
export function epochMs(sql: Sql, column: string) {
  return sql.unsafe(`(extract(epoch from ${column}) * 1000)::float8`);
}
/** Rows per cursor batch for the exact queries. */
export const CURSOR_ROWS = 5000;
/** Periods up to this long look feedback up per case (see forEachCase). */
const LATERAL_FEEDBACK_MS = 32 * 86_400_000;
const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * Calls `each` for every case created in [start, end) — the cohort every case indicator is computed over. Duplicates
 * merged into another case are left out: the parent case carries the inquiry. Each row carries its
 * local creation date in `timeZone` (for trend buckets), computed by PostgreSQL.
 *
 * Feedback: for periods up to a month it is looked up per case through its primary key
 * (tenant_id, case_id) in a LATERAL subquery. A plain join makes the planner hash all of the
 * tenant's feedback, which grows with the whole history instead of with the period: for a rollup
 * day that is 350,000 feedback rows hashed for 1,400 cases (over 1 M cases). For longer periods the
 * hash join is the cheaper plan (one scan instead of a probe per case; measured over 1 M cases, a
 * 365-day query spent 3 s of 7 in 100,000 probes), so it stays a plain join there.
 */
export async function forEachCase(
  db: DbHandle,
  tenantId: string,
  start: Date,
  end: Date,
  filters: CaseFilters,
  timeZone: string,
  each: (row: CaseRow) => void,
  /** Also read each case's demographic answers (`row.groups`), for the equity rollups. */
  withProfiles = false,
): Promise<void> {
  const { sql } = db;
  const query = sql<
    {
      channel: string;
      category_id: string;
      lead_department_id: string | null;
      department_kind: string | null;
      status: string;
      day: string;
      created_at: number;
      first_responded_at: number | null;
      first_response_due_at: number | null;
      resolved_at: number | null;
      resolution_due_at: number | null;
      first_contact_resolution: boolean;
      return_count: number;
      reopen_count: number;
      rating: number | null;
      requested_rehandling: boolean | null;
      groups?: Record<string, string> | null;
    }[]
  >`
    select c.channel, c.category_id, c.lead_department_id, d.kind as department_kind, c.status,
           to_char(c.created_at at time zone ${timeZone}, 'YYYY-MM-DD') as day,
           ${epochMs(sql, 'c.created_at')} as created_at,
           ${epochMs(sql, 'c.first_responded_at')} as first_responded_at,
           ${epochMs(sql, 'c.first_response_due_at')} as first_response_due_at,
           ${epochMs(sql, 'c.resolved_at')} as resolved_at,
           ${epochMs(sql, 'c.resolution_due_at')} as resolution_due_at,
           c.first_contact_resolution, c.return_count, c.reopen_count,
           f.rating, f.requested_rehandling ${withProfiles ? sql`, p.groups` : sql``}
      from cases c
      left join departments d on d.tenant_id = c.tenant_id and d.id = c.lead_department_id
      ${
        withProfiles
          ? sql`left join demographic_profiles p on p.tenant_id = c.tenant_id and p.case_id = c.id`
          : sql``
      }
      ${
        end.getTime() - start.getTime() <= LATERAL_FEEDBACK_MS
          ? sql`left join lateral (
                  select f.rating, f.requested_rehandling from feedback f
                   where f.tenant_id = c.tenant_id and f.case_id = c.id limit 1) f on true`
          : sql`left join feedback f on f.tenant_id = c.tenant_id and f.case_id = c.id`
      }
     where c.tenant_id = ${tenantId} and c.created_at >= ${toPg(start)} and c.created_at < ${toPg(end)}
       and c.parent_case_id is null and c.status <> 'merged'
       ${caseFilterSql(sql, filters)}`;
  // In batches through a cursor: a year of a city's cases never sits in memory as rows at once.
  for await (const batch of query.cursor(CURSOR_ROWS)) {
    for (const r of batch) {
      each({
        channel: r.channel,
        categoryId: r.category_id,
        departmentId: r.lead_department_id,
        departmentKind: r.department_kind,
        status: r.status,
        day: r.day,
        createdAt: new Date(r.created_at),
        firstRespondedAt: at(r.first_responded_at),
        firstResponseDueAt: at(r.first_response_due_at),
        resolvedAt: at(r.resolved_at),
        resolutionDueAt: at(r.resolution_due_at),
        firstContactResolution: r.first_contact_resolution,
        returnCount: r.return_count,
        reopenCount: r.reopen_count,
        rating: r.rating,
        requestedRehandling: r.requested_rehandling,
        groups: r.groups ?? null,
      });
    }
  }
}

/**
 * Calls `each` for every contact offered in [start, end). A category or department filter keeps the
 * contacts linked to a case of that category or department (a call with no case has neither).
 * Through a cursor like the cases: a year of a city's calls (2.3 M over 10 M cases) held as rows at
 * once ran insights out of its heap.
 */
export async function forEachContact(
  db: DbHandle,
  tenantId: string,
  start: Date,
  end: Date,
  filters: CaseFilters,
  timeZone: string,
  each: (row: ContactRow) => void,
): Promise<void> {
  const { sql } = db;
  const query = sql<
    {
      channel: string;
      category_id: string | null;
      lead_department_id: string | null;
      day: string;
      offered_at: number;
      answered_at: number | null;
      abandoned_at: number | null;
      ended_at: number | null;
      wrap_up_ended_at: number | null;
    }[]
  >`
    select k.channel, c.category_id, c.lead_department_id,
           to_char(k.offered_at at time zone ${timeZone}, 'YYYY-MM-DD') as day,
           ${epochMs(sql, 'k.offered_at')} as offered_at, ${epochMs(sql, 'k.answered_at')} as answered_at,
           ${epochMs(sql, 'k.abandoned_at')} as abandoned_at, ${epochMs(sql, 'k.ended_at')} as ended_at,
           ${epochMs(sql, 'k.wrap_up_ended_at')} as wrap_up_ended_at
      from contacts k
      left join cases c on c.tenant_id = k.tenant_id and c.id = k.case_id
     where k.tenant_id = ${tenantId} and k.offered_at >= ${toPg(start)} and k.offered_at < ${toPg(end)}
       ${filters.channel ? sql`and k.channel = ${filters.channel}` : sql``}
       ${filters.categoryId ? sql`and c.category_id = ${filters.categoryId}` : sql``}
       ${filters.departmentId ? sql`and c.lead_department_id = ${filters.departmentId}` : sql``}
       ${filters.districtId ? sql`and c.district_id = ${filters.districtId}` : sql``}
       ${filters.priority ? sql`and c.priority = ${filters.priority}` : sql``}`;
  for await (const batch of query.cursor(CURSOR_ROWS)) {
    for (const r of batch) {
      each({
        channel: r.channel,
        categoryId: r.category_id,
        departmentId: r.lead_department_id,
        day: r.day,
        offeredAt: new Date(r.offered_at),
        answeredAt: at(r.answered_at),
        abandonedAt: at(r.abandoned_at),
        endedAt: at(r.ended_at),
        wrapUpEndedAt: at(r.wrap_up_ended_at),
      });
    }
  }
}

/**
 * Occupancy inputs from presence: seconds `busy` (handling) and `available` (idle, waiting for
 * work) inside [start, end), each interval clipped to the period; an open interval runs to `now`.
 * With a department, only its members count.
 */
export async function fetchPresenceSeconds(
  db: DbHandle,
  tenantId: string,
  start: Date,
  end: Date,
  now: Date,
  departmentId?: string,
): Promise<{ handlingSeconds: number; idleSeconds: number }> {
  const { sql } = db;
  const rows = await sql<{ status: string; seconds: number }[]>`
    select p.status,
           coalesce(sum(extract(epoch from
             least(coalesce(p.ended_at, ${toPg(now)}::timestamptz), ${toPg(end)}::timestamptz)
             - greatest(p.started_at, ${toPg(start)}::timestamptz))), 0)::float8 as seconds
      from staff_presence p
     where p.tenant_id = ${tenantId} and p.status in ('busy', 'available')
       and p.started_at < ${toPg(end)} and coalesce(p.ended_at, ${toPg(now)}::timestamptz) > ${toPg(start)}
       -- implied by the line above; written the way staff_presence_tenant_ended_idx indexes it
       and coalesce(p.ended_at, 'infinity'::timestamptz) > ${toPg(start)}
       ${
         departmentId
           ? sql`and exists (select 1 from department_memberships m where m.tenant_id = p.tenant_id
                   and m.user_id = p.user_id and m.department_id = ${departmentId})`
           : sql``
       }
     group by p.status`;
  const of = (status: string) => Math.max(0, rows.find((r) => r.status === status)?.seconds ?? 0);
  return { handlingSeconds: of('busy'), idleSeconds: of('available') };
}

/**
 * The backlog now: cases in an open status (not limited to the period) and their age in
 * wall-clock hours, aggregated by PostgreSQL, so a backlog of any size costs a few rows. The
 * median and p90 (type 7, as `percentile_cont`) are read at their ranks in created_at order from
 * cases_tenant_open_created_idx instead of sorting every open case: over 10 M cases with 91,000
 * open, 140 ms with `percentile_cont`, ~50 ms this way.
 */
export async function fetchBacklog(db: DbHandle, tenantId: string, filters: CaseFilters, now: Date) {
  const { sql } = db;
  // Age from float8 epochs: with a timestamptz difference PostgreSQL computed a numeric `extract`
  // per open case (72 ms over 91,000; 30 ms like this).
  const nowSeconds = now.getTime() / 1000;
  // Word for word the predicate of cases_tenant_open_created_idx, or the planner cannot use it.
  const open = sql`
    c.tenant_id = ${tenantId} and c.parent_case_id is null
    and c.status in ('new', 'routed', 'accepted', 'in_progress', 'waiting_on_resident', 'returned', 'reopened')
    ${caseFilterSql(sql, filters)}`;
  const hours = sql`(${nowSeconds}::float8 - date_part('epoch', c.created_at)) / 3600`;
  const [counts] = await sql<
    {
      open: number;
      max: number | null;
      under_1_day: number;
      from_1_to_7_days: number;
      from_7_to_30_days: number;
      over_30_days: number;
    }[]
  >`
    with ages as (select ${hours} as hours from cases c where ${open})
    select count(*)::int as open, max(hours) as max,
           count(*) filter (where hours < 24)::int as under_1_day,
           count(*) filter (where hours >= 24 and hours < 168)::int as from_1_to_7_days,
           count(*) filter (where hours >= 168 and hours < 720)::int as from_7_to_30_days,
           count(*) filter (where hours >= 720)::int as over_30_days
      from ages`;
  const n = counts!.open;
  /** Type 7: the ages at ranks ⌊h⌋ and ⌊h⌋ + 1, youngest first (latest created_at first). */
  const quantile = async (q: number): Promise<number | null> => {
    if (n === 0) return null;
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const ranked = await sql<{ hours: number }[]>`
      select ${hours} as hours from cases c where ${open}
       order by c.created_at desc offset ${lo} limit 2`;
    const a = ranked[0]!.hours;
    const b = ranked[1]?.hours ?? a;
    return a + (h - lo) * (b - a);
  };
  const [median, p90] = await Promise.all([quantile(0.5), quantile(0.9)]);
  return { ...counts!, median, p90 };
}
