import { type CaseRow, type CaseUnit, type CaseWriter, inCaseTransaction, lockCase } from '@samtal/cases';
import { type Executor, schema } from '@samtal/db';
import { priority } from '@samtal/domain';
import { departmentQueueName, type QueuePayload } from '@samtal/queue';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { activeDepartment, triageDepartmentId } from './departments.ts';
import { findLikelyDuplicate } from './duplicates.ts';
import { containsPoint } from './geo.ts';
import { enqueueNotification } from './notify.ts';
import { type CaseFacts, firstMatchingRule } from './rules.ts';

export type RoutingReason = QueuePayload<'routing'>['reason'];

/** The status a case must still have for a routing job of each reason to do anything. */
const routableStatuses: Record<RoutingReason, readonly string[]> = {
  created: ['new'],
  returned: ['returned'],
  reopened: ['reopened'],
  reroute: ['new', 'routed', 'accepted', 'returned', 'reopened'],
};

export type RoutingOutcome =
  | {
      outcome: 'routed';
      leadDepartmentId: string;
      assistingDepartmentIds: string[];
      ruleId: string | null;
      triage: boolean;
      duplicateOfCaseId: string | null;
    }
  | { outcome: 'skipped'; why: string };

interface Destination {
  leadDepartmentId: string;
  assistingDepartmentIds: string[];
  priority: string | null;
  rule: { id: string; name: string } | null;
  triage: boolean;
  /** For the contact centre: where the category would normally go. */
  suggestedDepartmentId?: string | null;
  via: 'rule' | 'triage' | 'return_suggestion';
}

async function caseFacts(tx: Executor, row: CaseRow): Promise<CaseFacts> {
  const [category] = await tx
    .select({ code: schema.categories.code })
    .from(schema.categories)
    .where(and(eq(schema.categories.tenantId, row.tenantId), eq(schema.categories.id, row.categoryId)));
  const districts = await tx
    .select({ id: schema.districts.id, code: schema.districts.code, boundary: schema.districts.boundary })
    .from(schema.districts)
    .where(eq(schema.districts.tenantId, row.tenantId));
  const districtCodes = districts
    .filter(
      (d) =>
        d.id === row.districtId ||
        (row.latitude != null &&
          row.longitude != null &&
          d.boundary != null &&
          containsPoint(d.boundary, row.latitude, row.longitude)),
    )
    .map((d) => d.code);
  return {
    categoryCode: category?.code ?? '',
    districtCodes,
    description: row.description,
    language: row.language,
    channel: row.channel,
  };
}

async function byRules(tx: Executor, row: CaseRow): Promise<Destination> {
  const rules = await tx
    .select()
    .from(schema.routingRules)
    .where(and(eq(schema.routingRules.tenantId, row.tenantId), eq(schema.routingRules.active, true)))
    .orderBy(asc(schema.routingRules.position));
  const rule = firstMatchingRule(rules, await caseFacts(tx, row));
  if (rule) {
    return {
      leadDepartmentId: rule.leadDepartmentId,
      assistingDepartmentIds: rule.assistingDepartmentIds.filter((d) => d !== rule.leadDepartmentId),
      priority: rule.priority,
      rule: { id: rule.id, name: rule.name },
      triage: false,
      via: 'rule',
    };
  }
  return toTriage(tx, row);
}

async function toTriage(tx: Executor, row: CaseRow): Promise<Destination> {
  const [category] = await tx
    .select({ defaultDepartmentId: schema.categories.defaultDepartmentId })
    .from(schema.categories)
    .where(and(eq(schema.categories.tenantId, row.tenantId), eq(schema.categories.id, row.categoryId)));
  return {
    leadDepartmentId: await triageDepartmentId(tx, row.tenantId),
    assistingDepartmentIds: [],
    priority: null,
    rule: null,
    triage: true,
    suggestedDepartmentId: category?.defaultDepartmentId ?? null,
    via: 'triage',
  };
}

/** A returned case goes to the department the returner suggested, or back to triage. */
async function afterReturn(tx: Executor, row: CaseRow): Promise<Destination> {
  const [returned] = await tx
    .select({ data: schema.caseEvents.data })
    .from(schema.caseEvents)
    .where(
      and(
        eq(schema.caseEvents.tenantId, row.tenantId),
        eq(schema.caseEvents.caseId, row.id),
        eq(schema.caseEvents.type, 'returned'),
      ),
    )
    .orderBy(desc(schema.caseEvents.id))
    .limit(1);
  const suggested = returned?.data.suggestedDepartmentId;
  if (typeof suggested === 'string' && (await activeDepartment(tx, row.tenantId, suggested))) {
    return {
      leadDepartmentId: suggested,
      assistingDepartmentIds: [],
      priority: null,
      rule: null,
      triage: false,
      via: 'return_suggestion',
    };
  }
  return toTriage(tx, row);
}

/** Whether this very job already routed the case (a job delivered twice). */
async function alreadyRoutedBy(tx: Executor, row: CaseRow, jobId: string): Promise<boolean> {
  const [hit] = await tx
    .select({ id: schema.caseEvents.id })
    .from(schema.caseEvents)
    .where(
      and(
        eq(schema.caseEvents.tenantId, row.tenantId),
        eq(schema.caseEvents.caseId, row.id),
        eq(schema.caseEvents.type, 'routed'),
        sql`${schema.caseEvents.data}->>'routingJobId' = ${jobId}`,
      ),
    )
    .limit(1);
  return hit != null;
}

/**
 * Routes a case in the caller's unit: lead and assisting departments, priority, a `routed` event
 * naming the rule (or triage), and a job on each department's queue via the outbox, so the queue
 * entry exists exactly when the routing committed.
 */
export async function dispatchCase(
  unit: CaseUnit,
  row: CaseRow,
  destination: Destination,
  extra: Record<string, unknown>,
): Promise<void> {
  const { tenantId, id: caseId } = row;
  const rulePriority = priority.safeParse(destination.priority);
  await unit.act({
    tenantId,
    caseId,
    action: 'route',
    actor: { kind: 'system' },
    data: {
      via: destination.via,
      ruleId: destination.rule?.id ?? null,
      ruleName: destination.rule?.name ?? null,
      leadDepartmentId: destination.leadDepartmentId,
      assistingDepartmentIds: destination.assistingDepartmentIds,
      triage: destination.triage,
      ...(destination.suggestedDepartmentId
        ? { suggestedDepartmentId: destination.suggestedDepartmentId }
        : {}),
      ...extra,
    },
    patch: {
      leadDepartmentId: destination.leadDepartmentId,
      ...(rulePriority.success ? { priority: rulePriority.data } : {}),
    },
  });
  const { caseAssistingDepartments: assisting } = schema;
  await unit.tx.delete(assisting).where(and(eq(assisting.tenantId, tenantId), eq(assisting.caseId, caseId)));
  if (destination.assistingDepartmentIds.length) {
    await unit.tx
      .insert(assisting)
      .values(destination.assistingDepartmentIds.map((departmentId) => ({ tenantId, caseId, departmentId })));
  }
  await unit.enqueue(
    [
      { departmentId: destination.leadDepartmentId, role: 'lead' as const },
      ...destination.assistingDepartmentIds.map((departmentId) => ({
        departmentId,
        role: 'assisting' as const,
      })),
    ].map(({ departmentId, role }) => ({
      tenantId,
      queue: departmentQueueName(departmentId),
      payload: { tenantId, caseId, departmentId, role },
    })),
  );
}

/**
 * The routing worker's job. Idempotent: a case that has left the status the reason expects (or that
 * this job id already routed) is skipped, and the case row is locked, so duplicates of one job
 * running at once route it once.
 */
export async function routeFromJob(
  writer: CaseWriter,
  payload: QueuePayload<'routing'>,
  jobId: string,
): Promise<RoutingOutcome> {
  return inCaseTransaction(writer, payload.tenantId, async (unit): Promise<RoutingOutcome> => {
    const row = await lockCase(unit.tx, payload.tenantId, payload.caseId);
    if (!routableStatuses[payload.reason].includes(row.status)) {
      return { outcome: 'skipped', why: `case is ${row.status}` };
    }
    if (await alreadyRoutedBy(unit.tx, row, jobId))
      return { outcome: 'skipped', why: 'already routed by this job' };

    const destination =
      payload.reason === 'returned' ? await afterReturn(unit.tx, row) : await byRules(unit.tx, row);

    let duplicateOfCaseId: string | null = null;
    if (payload.reason === 'created') {
      const [tenant] = await unit.tx
        .select({
          duplicateRadiusMetres: schema.tenants.duplicateRadiusMetres,
          duplicateWindowHours: schema.tenants.duplicateWindowHours,
        })
        .from(schema.tenants)
        .where(eq(schema.tenants.id, row.tenantId));
      const duplicate = tenant ? await findLikelyDuplicate(unit.tx, row, tenant) : undefined;
      if (duplicate) {
        duplicateOfCaseId = duplicate.caseId;
        await unit.tx
          .update(schema.cases)
          .set({ duplicateOfCaseId: duplicate.caseId })
          .where(and(eq(schema.cases.tenantId, row.tenantId), eq(schema.cases.id, row.id)));
        await unit.record([
          {
            tenantId: row.tenantId,
            caseId: row.id,
            type: 'duplicate_suspected',
            actor: { kind: 'system' },
            data: { duplicateOfCaseId: duplicate.caseId, distanceMetres: duplicate.distanceMetres },
          },
        ]);
      }
    }

    await dispatchCase(unit, row, destination, { reason: payload.reason, routingJobId: jobId });

    if (payload.reason === 'created' && (row.contactEmail || row.contactPhone)) {
      await enqueueNotification(unit, {
        tenantId: row.tenantId,
        caseId: row.id,
        template: 'acknowledgement',
      });
    }
    return {
      outcome: 'routed',
      leadDepartmentId: destination.leadDepartmentId,
      assistingDepartmentIds: destination.assistingDepartmentIds,
      ruleId: destination.rule?.id ?? null,
      triage: destination.triage,
      duplicateOfCaseId,
    };
  });
}
