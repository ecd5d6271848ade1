import { businessMinutesBetween, loadCalendar, roundTheClock } from '@samtal/business-time';
import { type Actor, type CaseUnit, lockCase } from '@samtal/cases';
import { schema } from '@samtal/db';
import { ConflictProblem, UnprocessableProblem } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import { and, desc, eq } from 'drizzle-orm';
import { activeDepartment } from './departments.ts';

/** 409: only the lead department may return a case, and only while it has it. */
export class NotLeadDepartmentError extends ConflictProblem {
  override name = 'NotLeadDepartmentError';
  constructor() {
    super('Only the lead department can return this case', {
      type: 'https://samtal.dev/problems/not-lead-department',
    });
  }
}

/** 409: the tenant's return limit (business minutes since routing) has passed. */
export class ReturnLimitPassedError extends ConflictProblem {
  override name = 'ReturnLimitPassedError';
  constructor(
    readonly limitMinutes: number,
    readonly elapsedMinutes: number,
  ) {
    super(
      `The case can only be returned within ${limitMinutes} business minutes of routing; ${elapsedMinutes} have passed`,
      { type: 'https://samtal.dev/problems/return-limit-passed', limitMinutes, elapsedMinutes },
    );
  }
}

export interface ReturnInput {
  tenantId: string;
  caseId: string;
  /** The returning (lead) department. */
  departmentId: string;
  reason: string;
  /** Where the returner thinks the case belongs; without it the case goes back to triage. */
  suggestedDepartmentId?: string | null;
  actor?: Actor;
}

/**
 * A department returns a mis-dispatched case (12345 practice), inside the caller's transaction:
 * checks that it is the lead department and that the tenant's return limit (business minutes since
 * the case was routed to it, in the department's calendar) has not passed, applies `return` (which
 * counts it in `return_count`), and asks the router to re-dispatch it — to the suggested department,
 * or to the contact centre's triage queue.
 */
export async function returnCase(unit: CaseUnit, input: ReturnInput, now = new Date()) {
  const { tx } = unit;
  const row = await lockCase(tx, input.tenantId, input.caseId);
  if (row.leadDepartmentId !== input.departmentId) throw new NotLeadDepartmentError();
  if (!input.reason.trim())
    throw new UnprocessableProblem('A return needs a reason', {
      errors: [{ field: 'reason', message: 'is required' }],
    });
  if (input.suggestedDepartmentId) {
    if (input.suggestedDepartmentId === input.departmentId) {
      throw new UnprocessableProblem('A case cannot be returned to the department that returns it', {
        errors: [{ field: 'suggestedDepartmentId', message: 'is the returning department' }],
      });
    }
    if (!(await activeDepartment(tx, input.tenantId, input.suggestedDepartmentId))) {
      throw new UnprocessableProblem('No such active department', {
        errors: [{ field: 'suggestedDepartmentId', message: 'is not an active department' }],
      });
    }
  }
  const [tenant] = await tx
    .select({ returnLimitMinutes: schema.tenants.returnLimitMinutes, timeZone: schema.tenants.timeZone })
    .from(schema.tenants)
    .where(eq(schema.tenants.id, input.tenantId));
  const department = await activeDepartment(tx, input.tenantId, input.departmentId);
  const calendar =
    (await loadCalendar(tx, input.tenantId, department?.calendarId)) ?? roundTheClock(tenant!.timeZone);
  const [routed] = await tx
    .select({ createdAt: schema.caseEvents.createdAt })
    .from(schema.caseEvents)
    .where(
      and(
        eq(schema.caseEvents.tenantId, input.tenantId),
        eq(schema.caseEvents.caseId, input.caseId),
        eq(schema.caseEvents.type, 'routed'),
      ),
    )
    .orderBy(desc(schema.caseEvents.id))
    .limit(1);
  const elapsed = routed ? Math.floor(businessMinutesBetween(calendar, routed.createdAt, now)) : 0;
  if (elapsed > tenant!.returnLimitMinutes)
    throw new ReturnLimitPassedError(tenant!.returnLimitMinutes, elapsed);

  const result = await unit.act({
    tenantId: input.tenantId,
    caseId: input.caseId,
    action: 'return',
    actor: input.actor ?? { kind: 'staff' },
    data: {
      departmentId: input.departmentId,
      reason: input.reason,
      suggestedDepartmentId: input.suggestedDepartmentId ?? null,
      businessMinutesSinceRouting: elapsed,
    },
  });
  await unit.enqueue([
    {
      tenantId: input.tenantId,
      queue: queueNames.routing,
      payload: { tenantId: input.tenantId, caseId: input.caseId, reason: 'returned' },
    },
  ]);
  return result;
}

export interface MergeInput {
  tenantId: string;
  /** The duplicate, which ends `merged`. */
  duplicateId: string;
  /** The case that carries on. */
  parentId: string;
  actor: Actor;
}

/**
 * An agent merges a duplicate into its parent: the duplicate ends `merged` with `parent_case_id`
 * set; both cases get an event; cases merged into the duplicate earlier move to the parent. The
 * notification worker sends the parent's replies and resolution to every merged reporter.
 */
export async function mergeCase(unit: CaseUnit, input: MergeInput) {
  if (input.duplicateId === input.parentId) throw new ConflictProblem('A case cannot be merged into itself');
  // Lock in a fixed order, so two agents merging the same pair either way round cannot deadlock.
  const ids = [input.duplicateId, input.parentId].sort();
  const rows = new Map<string, Awaited<ReturnType<typeof lockCase>>>();
  for (const id of ids) rows.set(id, await lockCase(unit.tx, input.tenantId, id));
  const parent = rows.get(input.parentId)!;
  if (parent.status === 'merged') {
    throw new ConflictProblem('The parent case has itself been merged; merge into its parent instead', {
      parentCaseId: parent.parentCaseId,
    });
  }
  const result = await unit.act({
    tenantId: input.tenantId,
    caseId: input.duplicateId,
    action: 'merge',
    actor: input.actor,
    data: { parentCaseId: input.parentId, parentTrackingCode: parent.trackingCode },
    patch: { parentCaseId: input.parentId, duplicateOfCaseId: input.parentId },
  });
  await unit.tx
    .update(schema.cases)
    .set({ parentCaseId: input.parentId })
    .where(and(eq(schema.cases.tenantId, input.tenantId), eq(schema.cases.parentCaseId, input.duplicateId)));
  await unit.record([
    {
      tenantId: input.tenantId,
      caseId: input.parentId,
      type: 'duplicate_merged',
      actor: input.actor,
      data: { childCaseId: input.duplicateId, childTrackingCode: result.before.trackingCode },
    },
  ]);
  return result;
}
