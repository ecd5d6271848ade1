import {
  type BusinessCalendar,
  businessMinutesBetween,
  deadline,
  loadCalendar,
  roundTheClock,
} from '@samtal/business-time';
import { type CaseRow, type CaseWriter, inCaseTransaction, lockCase } from '@samtal/cases';
import { type Database, type Executor, schema } from '@samtal/db';
import { type QueuePayload, queueNames } from '@samtal/queue';
import type { Queue } from 'bullmq';
import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';

export type ClockKind = 'first_response' | 'resolution';
export type CardLevel = 'warning' | 'breach';

export interface SlaPolicy {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  warningShare: number | null;
  warningBeforeMinutes: number | null;
}

export interface Timer {
  kind: ClockKind;
  level: CardLevel;
  /** The deadline of the clock the timer belongs to (what the case must still say when it fires). */
  dueAt: Date;
  /** When the timer fires: the warning time, or the deadline itself for a breach. */
  runAt: Date;
}

export interface ClockPlan {
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  timers: Timer[];
}

const stoppedStatuses = new Set(['resolved', 'closed', 'merged']);

export function clockRunning(
  row: Pick<CaseRow, 'status' | 'firstRespondedAt' | 'resolvedAt'>,
  kind: ClockKind,
) {
  if (stoppedStatuses.has(row.status)) return false;
  return kind === 'first_response' ? row.firstRespondedAt == null : row.resolvedAt == null;
}

export interface ClockInput {
  row: Pick<
    CaseRow,
    | 'status'
    | 'createdAt'
    | 'firstRespondedAt'
    | 'resolvedAt'
    | 'slaPausedAt'
    | 'slaPausedMinutes'
    | 'firstResponseDueAt'
    | 'resolutionDueAt'
  >;
  policy: SlaPolicy;
  calendar: BusinessCalendar;
  /** After a reopen the resolution clock starts again from the reopen, with the pauses since then. */
  resolutionRestart?: { at: Date; pausedMinutes: number };
}

/**
 * Due times and timers of a case, in the policy calendar's business time: the first-response clock
 * from `created_at`, the resolution clock from `created_at` (or its last reopen), each pushed back by
 * the business minutes spent waiting on the resident. A stopped clock keeps its due time and gets no
 * timers; while the case waits on the resident, nothing moves and nothing is armed (resuming
 * recomputes).
 */
export function planClocks({ row, policy, calendar, resolutionRestart }: ClockInput): ClockPlan {
  const plan: ClockPlan = {
    firstResponseDueAt: row.firstResponseDueAt,
    resolutionDueAt: row.resolutionDueAt,
    timers: [],
  };
  if (row.slaPausedAt) return plan;
  const clocks: { kind: ClockKind; start: Date; target: number; paused: number }[] = [
    {
      kind: 'first_response',
      start: row.createdAt,
      target: policy.firstResponseMinutes,
      paused: row.slaPausedMinutes,
    },
    {
      kind: 'resolution',
      start: resolutionRestart?.at ?? row.createdAt,
      target: policy.resolutionMinutes,
      paused: resolutionRestart?.pausedMinutes ?? row.slaPausedMinutes,
    },
  ];
  for (const clock of clocks) {
    if (!clockRunning(row, clock.kind)) continue;
    const { warnAt, dueAt } = deadline(calendar, clock.start, clock.target, policy, clock.paused);
    if (clock.kind === 'first_response') plan.firstResponseDueAt = dueAt;
    else plan.resolutionDueAt = dueAt;
    if (warnAt < dueAt) plan.timers.push({ kind: clock.kind, level: 'warning', dueAt, runAt: warnAt });
    plan.timers.push({ kind: clock.kind, level: 'breach', dueAt, runAt: dueAt });
  }
  return plan;
}

/** The policy of the case's category and the calendar it counts in (tenant default, else 24/7). */
export async function policyOf(
  tx: Executor,
  row: Pick<CaseRow, 'tenantId' | 'categoryId'>,
): Promise<{ policy: SlaPolicy; calendar: BusinessCalendar } | undefined> {
  const [found] = await tx
    .select({
      firstResponseMinutes: schema.slaPolicies.firstResponseMinutes,
      resolutionMinutes: schema.slaPolicies.resolutionMinutes,
      warningShare: schema.slaPolicies.warningShare,
      warningBeforeMinutes: schema.slaPolicies.warningBeforeMinutes,
      calendarId: schema.slaPolicies.calendarId,
      timeZone: schema.tenants.timeZone,
    })
    .from(schema.categories)
    .innerJoin(schema.slaPolicies, eq(schema.slaPolicies.id, schema.categories.slaPolicyId))
    .innerJoin(schema.tenants, eq(schema.tenants.id, schema.categories.tenantId))
    .where(and(eq(schema.categories.tenantId, row.tenantId), eq(schema.categories.id, row.categoryId)));
  if (!found) return undefined;
  const calendar = (await loadCalendar(tx, row.tenantId, found.calendarId)) ?? roundTheClock(found.timeZone);
  return { policy: found, calendar };
}

/** Business minutes waited on the resident since `since`, from the case's history. */
async function pausedSince(tx: Executor, row: CaseRow, since: Date, calendar: BusinessCalendar) {
  const events = await tx
    .select({ type: schema.caseEvents.type, createdAt: schema.caseEvents.createdAt })
    .from(schema.caseEvents)
    .where(
      and(
        eq(schema.caseEvents.tenantId, row.tenantId),
        eq(schema.caseEvents.caseId, row.id),
        inArray(schema.caseEvents.type, ['information_requested', 'resident_replied']),
        gte(schema.caseEvents.createdAt, since),
      ),
    )
    .orderBy(asc(schema.caseEvents.id));
  let minutes = 0;
  let pausedAt: Date | undefined;
  for (const e of events) {
    if (e.type === 'information_requested') pausedAt ??= e.createdAt;
    else if (pausedAt) {
      minutes += Math.round(businessMinutesBetween(calendar, pausedAt, e.createdAt));
      pausedAt = undefined;
    }
  }
  return minutes;
}

async function lastReopen(tx: Executor, row: CaseRow): Promise<Date | undefined> {
  if (row.reopenCount === 0) return undefined;
  const [event] = await tx
    .select({ createdAt: schema.caseEvents.createdAt })
    .from(schema.caseEvents)
    .where(
      and(
        eq(schema.caseEvents.tenantId, row.tenantId),
        eq(schema.caseEvents.caseId, row.id),
        eq(schema.caseEvents.type, 'reopened'),
      ),
    )
    .orderBy(desc(schema.caseEvents.id))
    .limit(1);
  return event?.createdAt;
}

export function timerJobId(caseId: string, timer: Pick<Timer, 'kind' | 'level' | 'dueAt'>): string {
  // BullMQ refuses ':' in custom ids, so the due time is in epoch milliseconds.
  return `sla.${caseId}.${timer.kind}.${timer.level}.${timer.dueAt.getTime()}`;
}

/**
 * Adds the timers as delayed jobs. The job id names case, clock, level and due time, so arming the
 * same timer again (a retried clocks job, a reconcile after Redis lost its data) adds nothing while
 * it is still pending. A timer that already ran is armed afresh: it may have run while the clock was
 * paused and done nothing (a short pause leaves the due time where it was); if it did raise its
 * card, running again finds the card and does nothing.
 */
export async function armTimers(
  slaQueue: Queue,
  ref: { tenantId: string; caseId: string },
  timers: Timer[],
): Promise<void> {
  if (!timers.length) return;
  const fresh: Timer[] = [];
  for (const timer of timers) {
    const existing = await slaQueue.getJob(timerJobId(ref.caseId, timer));
    if (!existing) {
      fresh.push(timer);
      continue;
    }
    const state = await existing.getState();
    if (state === 'active') throw new Error(`SLA timer ${existing.id} is running; re-arming on retry`);
    if (state === 'completed' || state === 'failed') {
      await existing.remove();
      fresh.push(timer);
    }
  }
  const now = Date.now();
  await slaQueue.addBulk(
    fresh.map((timer) => ({
      name: queueNames.sla,
      data: {
        tenantId: ref.tenantId,
        caseId: ref.caseId,
        kind: timer.kind,
        level: timer.level,
        dueAt: timer.dueAt.toISOString(),
      } satisfies QueuePayload<'sla'>,
      opts: { jobId: timerJobId(ref.caseId, timer), delay: Math.max(0, timer.runAt.getTime() - now) },
    })),
  );
}

/**
 * The clocks worker's job: recompute and store the due times, then arm the timers. The job is
 * completed only after the timers are in Redis, so a crash in between runs it again.
 */
export async function recomputeClocks(
  db: Database,
  slaQueue: Queue,
  ref: { tenantId: string; caseId: string },
): Promise<ClockPlan | undefined> {
  const plan = await db.transaction(async (tx) => {
    const row = await lockCase(tx, ref.tenantId, ref.caseId);
    const found = await policyOf(tx, row);
    if (!found) return undefined;
    const reopenedAt = await lastReopen(tx, row);
    const plan = planClocks({
      row,
      ...found,
      ...(reopenedAt
        ? {
            resolutionRestart: {
              at: reopenedAt,
              pausedMinutes: await pausedSince(tx, row, reopenedAt, found.calendar),
            },
          }
        : {}),
    });
    const changed =
      plan.firstResponseDueAt?.getTime() !== row.firstResponseDueAt?.getTime() ||
      plan.resolutionDueAt?.getTime() !== row.resolutionDueAt?.getTime();
    if (changed) {
      await tx
        .update(schema.cases)
        .set({
          firstResponseDueAt: plan.firstResponseDueAt,
          resolutionDueAt: plan.resolutionDueAt,
          updatedAt: sql`now()`,
        })
        .where(and(eq(schema.cases.tenantId, ref.tenantId), eq(schema.cases.id, ref.caseId)));
    }
    return plan;
  });
  if (plan) await armTimers(slaQueue, ref, plan.timers);
  return plan;
}

export type TimerOutcome = { outcome: 'raised'; eventId: number } | { outcome: 'ignored'; why: string };

/**
 * A timer fires: raise the yellow or red card as an internal case event (announced live to the
 * desks) — unless the clock has stopped, is paused, has moved to another due time, or the card for
 * this very deadline was already raised.
 */
export async function fireTimer(writer: CaseWriter, payload: QueuePayload<'sla'>): Promise<TimerOutcome> {
  return inCaseTransaction(writer, payload.tenantId, async (unit): Promise<TimerOutcome> => {
    const row = await lockCase(unit.tx, payload.tenantId, payload.caseId);
    if (!clockRunning(row, payload.kind)) return { outcome: 'ignored', why: 'clock stopped' };
    if (row.slaPausedAt) return { outcome: 'ignored', why: 'clock paused' };
    const current = payload.kind === 'first_response' ? row.firstResponseDueAt : row.resolutionDueAt;
    if (current?.getTime() !== new Date(payload.dueAt).getTime()) {
      return { outcome: 'ignored', why: 'due time moved' };
    }
    const type = payload.level === 'warning' ? 'sla_warning' : 'sla_breach';
    const [already] = await unit.tx
      .select({ id: schema.caseEvents.id })
      .from(schema.caseEvents)
      .where(
        and(
          eq(schema.caseEvents.tenantId, row.tenantId),
          eq(schema.caseEvents.caseId, row.id),
          eq(schema.caseEvents.type, type),
          sql`${schema.caseEvents.data}->>'kind' = ${payload.kind}`,
          sql`${schema.caseEvents.data}->>'dueAt' = ${current.toISOString()}`,
        ),
      )
      .limit(1);
    if (already) return { outcome: 'ignored', why: 'already raised' };
    const [event] = await unit.record([
      {
        tenantId: row.tenantId,
        caseId: row.id,
        type,
        actor: { kind: 'system' },
        data: { kind: payload.kind, level: payload.level, dueAt: current.toISOString() },
      },
    ]);
    return { outcome: 'raised', eventId: event!.id };
  });
}
