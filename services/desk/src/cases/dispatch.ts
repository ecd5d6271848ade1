import { businessMinutesBetween, loadCalendar, roundTheClock } from '@samtal/business-time';
import { type Actor, type CaseUnit, lockCase } from '@samtal/cases';
import { schema } from '@samtal/db';
import { ConflictProblem, invalidField } from '@samtal/http';
import { queueNames } from '@samtal/queue';
import { and, desc, eq } from 'drizzle-orm';
import { assertActiveDepartments } from './departments.ts';

/**
 * Return and merge, as the router contract describes them (returnCase / mergeCase); the desk's
 * own implementation until the router's helpers are on main.
 */
export interface ReturnInput {
  tenantId: string;
  caseId: string;
  departmentId: string;
  reason: string;
  suggestedDepartmentId?: string | null;
  actor: Actor;
}

export async function returnCase(unit: CaseUnit, input: ReturnInput, now = new Date()) {
  const { tx } = unit;
  const row = await lockCase(tx, input.tenantId, input.caseId);
  if (row.leadDepartmentId !== input.departmentId) {
    throw new ConflictProblem('Only the lead department can return this case');
  }
  if (input.suggestedDepartmentId === input.departmentId) {
    throw invalidField('suggestedDepartmentId', 'is the returning department');
  }
  await assertActiveDepartments(tx, input.tenantId, { suggestedDepartmentId: input.suggestedDepartmentId });
  const [tenant] = await tx
    .select({ returnLimitMinutes: schema.tenants.returnLimitMinutes, timeZone: schema.tenants.timeZone })
    .from(schema.tenants)
    .where(eq(schema.tenants.id, input.tenantId));
  const [department] = await tx
    .select({ calendarId: schema.departments.calendarId })
    .from(schema.departments)
    .where(
      and(eq(schema.departments.tenantId, input.tenantId), eq(schema.departments.id, input.departmentId)),
    );
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
  if (elapsed > tenant!.returnLimitMinutes) {
    throw new ConflictProblem(
      `The case can only be returned within ${tenant!.returnLimitMinutes} business minutes of routing; ${elapsed} have passed`,
      {
        type: 'https://samtal.dev/problems/return-limit-passed',
        limitMinutes: tenant!.returnLimitMinutes,
        elapsedMinutes: elapsed,
      },
    );
  }
  const result = await unit.act({
    tenantId: input.tenantId,
    caseId: input.caseId,
    action: 'return',
    actor: input.actor,
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
  duplicateId: string;
  parentId: string;
  actor: Actor;
}

export async function mergeCase(unit: CaseUnit, input: MergeInput) {
  if (input.duplicateId === input.parentId) throw new ConflictProblem('A case cannot be merged into itself');
  // A fixed lock order, so two agents merging the same pair either way round cannot deadlock.
  const rows = new Map<string, Awaited<ReturnType<typeof lockCase>>>();
  for (const id of [input.duplicateId, input.parentId].sort()) {
    rows.set(id, await lockCase(unit.tx, input.tenantId, id));
  }
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
    patch: {
      parentCaseId: input.parentId,
      duplicateOfCaseId: input.parentId,
      claimedBy: null,
      claimedAt: null,
    },
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
