import { businessMinutesBetween, loadCalendar, roundTheClock } from '@samtal/business-time';
import { type Executor, schema } from '@samtal/db';
import { type CaseAction, CaseNotFoundError, type CaseStatus, transition } from '@samtal/domain';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Actor, appendCaseEvents, type CaseEventRow } from './events.ts';

export type CaseRow = typeof schema.cases.$inferSelect;
type CasePatch = {
  [K in keyof Omit<typeof schema.cases.$inferInsert, 'id' | 'tenantId' | 'status'>]?:
    | (typeof schema.cases.$inferInsert)[K]
    | SQL;
};

/** The event each action leaves in the history. */
export const eventTypeOf: Record<CaseAction, string> = {
  route: 'routed',
  accept: 'accepted',
  start: 'started',
  return: 'returned',
  request_information: 'information_requested',
  resident_replied: 'resident_replied',
  resolve: 'resolved',
  close: 'closed',
  reopen: 'reopened',
  merge: 'merged',
};

/** Events residents see on their timeline (everything else is internal to the municipality). */
const publicEvents = new Set([
  'routed',
  'accepted',
  'information_requested',
  'resolved',
  'closed',
  'reopened',
  'merged',
]);

/** Reads a case and locks it for the rest of the transaction, so two actions never interleave. */
export async function lockCase(tx: Executor, tenantId: string, caseId: string): Promise<CaseRow> {
  const [row] = await tx
    .select()
    .from(schema.cases)
    .where(and(eq(schema.cases.tenantId, tenantId), eq(schema.cases.id, caseId)))
    .for('update');
  if (!row) throw new CaseNotFoundError(caseId);
  return row;
}

/** Business minutes the case has waited on the resident, in its SLA policy's calendar. */
async function pausedBusinessMinutes(tx: Executor, row: CaseRow, now: Date): Promise<number> {
  const [policy] = await tx
    .select({ calendarId: schema.slaPolicies.calendarId, timeZone: schema.tenants.timeZone })
    .from(schema.categories)
    .innerJoin(schema.tenants, eq(schema.tenants.id, schema.categories.tenantId))
    .leftJoin(schema.slaPolicies, eq(schema.slaPolicies.id, schema.categories.slaPolicyId))
    .where(and(eq(schema.categories.tenantId, row.tenantId), eq(schema.categories.id, row.categoryId)));
  const calendar =
    (await loadCalendar(tx, row.tenantId, policy?.calendarId)) ?? roundTheClock(policy?.timeZone ?? 'UTC');
  return Math.round(businessMinutesBetween(calendar, row.slaPausedAt!, now));
}

/** Bookkeeping that follows from the action itself, so no caller can forget it. */
function bookkeeping(action: CaseAction, now: Date): CasePatch {
  switch (action) {
    case 'resolve':
      return { resolvedAt: now };
    case 'close':
      return { closedAt: now };
    case 'reopen':
      return { resolvedAt: null, closedAt: null, reopenCount: sql`${schema.cases.reopenCount} + 1` };
    case 'request_information':
      // The SLA clock stands still while the municipality waits on the resident.
      return { slaPausedAt: now };
    case 'return':
      return { returnCount: sql`${schema.cases.returnCount} + 1`, claimedBy: null, claimedAt: null };
    default:
      return {};
  }
}

export interface CaseActionInput {
  tenantId: string;
  caseId: string;
  action: CaseAction;
  actor: Actor;
  /** Event payload (reason, department, resolution code …). */
  data?: Record<string, unknown>;
  /** Further columns to set in the same update. */
  patch?: CasePatch;
}

export interface CaseActionResult {
  before: CaseRow;
  after: CaseRow;
  event: CaseEventRow;
}

/**
 * The only way a case changes status: lock, check the state machine (InvalidTransitionError if
 * refused), update, and append the event — all in the caller's transaction.
 */
export async function applyCaseAction(tx: Executor, input: CaseActionInput): Promise<CaseActionResult> {
  const before = await lockCase(tx, input.tenantId, input.caseId);
  const status: CaseStatus = transition(before.status as CaseStatus, input.action);
  const now = new Date();
  const patch: CasePatch = { ...bookkeeping(input.action, now) };
  if (input.action === 'resident_replied' && before.slaPausedAt) {
    patch.slaPausedMinutes = before.slaPausedMinutes + (await pausedBusinessMinutes(tx, before, now));
    patch.slaPausedAt = null;
  }
  const [after] = await tx
    .update(schema.cases)
    .set({ ...patch, ...input.patch, status, updatedAt: now })
    .where(and(eq(schema.cases.tenantId, input.tenantId), eq(schema.cases.id, input.caseId)))
    .returning();
  const type = eventTypeOf[input.action];
  const [event] = await appendCaseEvents(tx, [
    {
      tenantId: input.tenantId,
      caseId: input.caseId,
      type,
      actor: input.actor,
      visibility: publicEvents.has(type) ? 'public' : 'internal',
      data: { from: before.status, to: status, ...input.data },
    },
  ]);
  return { before, after: after!, event: event! };
}
