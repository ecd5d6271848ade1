import type { DbHandle } from '@samtal/db';
import type { CaseRow, ContactRow } from './facts.ts';
import { fromPg, toPg } from './pg-time.ts';

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

/**
 * Cases created in [start, end) — the cohort every case indicator is computed over. Duplicates
 * merged into another case are left out: the parent case carries the inquiry.
 */
export async function fetchCases(
  db: DbHandle,
  tenantId: string,
  start: Date,
  end: Date,
  filters: CaseFilters,
): Promise<CaseRow[]> {
  const { sql } = db;
  const rows = await sql<
    {
      channel: string;
      category_id: string;
      lead_department_id: string | null;
      department_kind: string | null;
      status: string;
      created_at: Date;
      first_responded_at: Date | null;
      first_response_due_at: Date | null;
      resolved_at: Date | null;
      resolution_due_at: Date | null;
      first_contact_resolution: boolean;
      return_count: number;
      reopen_count: number;
      rating: number | null;
      requested_rehandling: boolean | null;
    }[]
  >`
    select c.channel, c.category_id, c.lead_department_id, d.kind as department_kind, c.status,
           c.created_at, c.first_responded_at, c.first_response_due_at, c.resolved_at,
           c.resolution_due_at, c.first_contact_resolution, c.return_count, c.reopen_count,
           f.rating, f.requested_rehandling
      from cases c
      left join departments d on d.tenant_id = c.tenant_id and d.id = c.lead_department_id
      left join feedback f on f.tenant_id = c.tenant_id and f.case_id = c.id
     where c.tenant_id = ${tenantId} and c.created_at >= ${toPg(start)} and c.created_at < ${toPg(end)}
       and c.parent_case_id is null and c.status <> 'merged'
       ${caseFilterSql(sql, filters)}`;
  return rows.map((r) => ({
    channel: r.channel,
    categoryId: r.category_id,
    departmentId: r.lead_department_id,
    departmentKind: r.department_kind,
    status: r.status,
    createdAt: fromPg(r.created_at),
    firstRespondedAt: fromPg(r.first_responded_at),
    firstResponseDueAt: fromPg(r.first_response_due_at),
    resolvedAt: fromPg(r.resolved_at),
    resolutionDueAt: fromPg(r.resolution_due_at),
    firstContactResolution: r.first_contact_resolution,
    returnCount: r.return_count,
    reopenCount: r.reopen_count,
    rating: r.rating,
    requestedRehandling: r.requested_rehandling,
  }));
}

/**
 * Contacts offered in [start, end). A category or department filter keeps the contacts linked to a
 * case of that category or department (a call with no case has neither).
 */
export async function fetchContacts(
  db: DbHandle,
  tenantId: string,
  start: Date,
  end: Date,
  filters: CaseFilters,
): Promise<ContactRow[]> {
  const { sql } = db;
  const rows = await sql<
    {
      channel: string;
      category_id: string | null;
      lead_department_id: string | null;
      offered_at: Date;
      answered_at: Date | null;
      abandoned_at: Date | null;
      ended_at: Date | null;
      wrap_up_ended_at: Date | null;
    }[]
  >`
    select k.channel, c.category_id, c.lead_department_id, k.offered_at, k.answered_at,
           k.abandoned_at, k.ended_at, k.wrap_up_ended_at
      from contacts k
      left join cases c on c.tenant_id = k.tenant_id and c.id = k.case_id
     where k.tenant_id = ${tenantId} and k.offered_at >= ${toPg(start)} and k.offered_at < ${toPg(end)}
       ${filters.channel ? sql`and k.channel = ${filters.channel}` : sql``}
       ${filters.categoryId ? sql`and c.category_id = ${filters.categoryId}` : sql``}
       ${filters.departmentId ? sql`and c.lead_department_id = ${filters.departmentId}` : sql``}
       ${filters.districtId ? sql`and c.district_id = ${filters.districtId}` : sql``}
       ${filters.priority ? sql`and c.priority = ${filters.priority}` : sql``}`;
  return rows.map((r) => ({
    channel: r.channel,
    categoryId: r.category_id,
    departmentId: r.lead_department_id,
    offeredAt: fromPg(r.offered_at),
    answeredAt: fromPg(r.answered_at),
    abandonedAt: fromPg(r.abandoned_at),
    endedAt: fromPg(r.ended_at),
    wrapUpEndedAt: fromPg(r.wrap_up_ended_at),
  }));
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

/** Cases still being worked now (open statuses), with their created time for the age. */
export async function fetchBacklog(db: DbHandle, tenantId: string, filters: CaseFilters) {
  const { sql } = db;
  const rows = await sql<{ created_at: string }[]>`
    select c.created_at from cases c
     where c.tenant_id = ${tenantId} and c.parent_case_id is null
       and c.status in ('new', 'routed', 'accepted', 'in_progress', 'waiting_on_resident', 'returned', 'reopened')
       ${caseFilterSql(sql, filters)}`;
  return rows.map((r) => ({ createdAt: fromPg(r.created_at) }));
}
