import { type CaseRow, lockCase } from '@samtal/cases';
import { type Executor, schema } from '@samtal/db';
import { CaseNotFoundError } from '@samtal/domain';
import { ConflictProblem, ForbiddenProblem, NotFoundProblem } from '@samtal/http';
import { can, type StaffPrincipal } from '@samtal/staff-auth';
import { and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { writeAudit } from '../audit/log.ts';

const { cases: c, caseAssistingDepartments: cad } = schema;

/** Handlers of a case: its claimant, and members of its lead or an assisting department. */
function handles(staff: StaffPrincipal, row: CaseRow, assisting: readonly string[]): boolean {
  return (
    row.claimedBy === staff.userId ||
    (row.leadDepartmentId != null && staff.departmentIds.includes(row.leadDepartmentId)) ||
    assisting.some((d) => staff.departmentIds.includes(d))
  );
}

/**
 * Whether a staff member may see a case at all. Sensitive cases: only their handlers and roles with
 * `cases.sensitive`. Others: the whole tenant for roles with `cases.read_all`, else (officers) only
 * the cases of their own departments.
 */
export function canSee(staff: StaffPrincipal, row: CaseRow, assisting: readonly string[]): boolean {
  if (row.tenantId !== staff.tenantId) return false;
  if (row.sensitive) return can(staff.roles, 'cases.sensitive') || handles(staff, row, assisting);
  return can(staff.roles, 'cases.read_all') || handles(staff, row, assisting);
}

/** The same rule as `canSee`, as a WHERE condition on `cases` (for lists). */
export function visibleCases(staff: StaffPrincipal): SQL {
  const departments = staff.departmentIds;
  const handled = or(
    eq(c.claimedBy, staff.userId),
    departments.length ? inArray(c.leadDepartmentId, departments) : sql`false`,
    departments.length
      ? sql`exists (select 1 from ${cad} where ${cad.tenantId} = ${c.tenantId} and ${cad.caseId} = ${c.id}
          and ${inArray(cad.departmentId, departments)})`
      : sql`false`,
  )!;
  const open = can(staff.roles, 'cases.read_all') ? sql`true` : handled;
  const sensitive = can(staff.roles, 'cases.sensitive') ? sql`true` : handled;
  return and(
    eq(c.tenantId, staff.tenantId),
    sql`(case when ${c.sensitive} then ${sensitive} else ${open} end)`,
  )!;
}

export async function assistingOf(db: Executor, tenantId: string, caseId: string): Promise<string[]> {
  const rows = await db
    .select({ departmentId: cad.departmentId })
    .from(cad)
    .where(and(eq(cad.tenantId, tenantId), eq(cad.caseId, caseId)));
  return rows.map((r) => r.departmentId);
}

/** Every read of a sensitive case leaves a row in the audit log. */
export async function auditSensitiveReads(
  db: Executor,
  request: FastifyRequest,
  rows: readonly Pick<CaseRow, 'id' | 'sensitive'>[],
  how: string,
): Promise<void> {
  const sensitive = rows.filter((r) => r.sensitive);
  await writeAudit(
    db,
    request,
    sensitive.map((r) => ({
      action: 'case.read_sensitive',
      entity: 'case',
      entityId: r.id,
      data: { via: how },
    })),
  );
}

export interface VisibleCase {
  row: CaseRow;
  assisting: string[];
}

const notFound = () => new NotFoundProblem('No such case');

/** Reads a case the staff member may see (404 otherwise, so a hidden case does not reveal itself). */
export async function readCase(db: Executor, request: FastifyRequest, caseId: string): Promise<VisibleCase> {
  const staff = request.staff!;
  const [row] = await db
    .select()
    .from(c)
    .where(and(eq(c.tenantId, staff.tenantId), eq(c.id, caseId)));
  if (!row) throw notFound();
  const assisting = await assistingOf(db, staff.tenantId, caseId);
  if (!canSee(staff, row, assisting)) throw notFound();
  await auditSensitiveReads(db, request, [row], 'detail');
  return { row, assisting };
}

/** Locks a case for a change, in the caller's transaction; 404 unless the staff member may see it. */
export async function lockVisibleCase(
  tx: Executor,
  request: FastifyRequest,
  caseId: string,
): Promise<VisibleCase> {
  const staff = request.staff!;
  let row: CaseRow;
  try {
    row = await lockCase(tx, staff.tenantId, caseId);
  } catch (error) {
    if (error instanceof CaseNotFoundError) throw notFound();
    throw error;
  }
  const assisting = await assistingOf(tx, staff.tenantId, caseId);
  if (!canSee(staff, row, assisting)) throw notFound();
  return { row, assisting };
}

export interface Claimant {
  id: string;
  displayName: string;
}

export async function claimantOf(db: Executor, tenantId: string, userId: string): Promise<Claimant> {
  const [user] = await db
    .select({ id: schema.staffUsers.id, displayName: schema.staffUsers.displayName })
    .from(schema.staffUsers)
    .where(and(eq(schema.staffUsers.tenantId, tenantId), eq(schema.staffUsers.id, userId)));
  return user ?? { id: userId, displayName: 'unknown' };
}

/** 409 naming who has the case. */
export class ClaimedByOtherProblem extends ConflictProblem {
  constructor(claimant: Claimant) {
    super(`${claimant.displayName} has claimed this case`, {
      type: 'https://samtal.dev/problems/claimed',
      claimedBy: claimant,
    });
  }
}

/** Collision detection: someone else's claim blocks a change (supervisors may step in). */
export async function assertNotClaimedByOther(
  db: Executor,
  staff: StaffPrincipal,
  row: CaseRow,
): Promise<void> {
  if (!row.claimedBy || row.claimedBy === staff.userId || can(staff.roles, 'cases.any_department')) return;
  throw new ClaimedByOtherProblem(await claimantOf(db, staff.tenantId, row.claimedBy));
}

/** How a staff member acts on a case: as the contact centre, or as its lead department. */
export type Capacity = 'agent' | 'department';

/**
 * The capacity in which a staff member may handle a case, or a 403. Agents handle any case they
 * can see; officers handle the cases their department leads (supervisors any department's).
 */
export function capacityFor(staff: StaffPrincipal, row: CaseRow, allowed: readonly Capacity[]): Capacity {
  if (allowed.includes('agent') && can(staff.roles, 'cases.agent')) return 'agent';
  if (allowed.includes('department') && can(staff.roles, 'cases.department')) {
    if (can(staff.roles, 'cases.any_department')) return 'department';
    if (row.leadDepartmentId && staff.departmentIds.includes(row.leadDepartmentId)) return 'department';
    throw new ForbiddenProblem('Only the lead department can do this');
  }
  throw new ForbiddenProblem('Your role may not do this to a case');
}
