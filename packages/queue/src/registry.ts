import { z } from 'zod';

/**
 * Every queue Samtal uses, with the payload of its jobs. Jobs carry ids, never personal data:
 * a worker reads what it needs from PostgreSQL, so a job left in Redis reveals nothing.
 */
const caseRef = z.object({ tenantId: z.uuid(), caseId: z.uuid() });

export const queuePayloads = {
  /** New or changed cases waiting for the routing rules. */
  routing: caseRef.extend({ reason: z.enum(['created', 'returned', 'reopened', 'reroute']) }),
  /** SLA timers: delayed jobs that raise the yellow (warning) and red (breach) cards. */
  sla: caseRef.extend({
    kind: z.enum(['first_response', 'resolution']),
    level: z.enum(['warning', 'breach']),
    /** The due time the timer was set for; a timer whose due time has since moved does nothing. */
    dueAt: z.iso.datetime({ offset: true }),
  }),
  /**
   * A case changed in a way that moves its SLA clocks (routed, paused, resumed, reopened,
   * resolved …); the router recomputes due times and re-arms the timers.
   */
  clocks: caseRef.extend({ reason: z.string().min(1).max(40) }),
  /** Messages to residents (e-mail, SMS), rendered from the tenant's templates. */
  notifications: caseRef.extend({
    template: z.enum(['acknowledgement', 'reply', 'information_request', 'resolution']),
    messageId: z.uuid().optional(),
  }),
  /** Incremental upkeep of indicator rollups. */
  /** `day` (a local date) is refreshed too; without it, what changed since the last run and the last 7 days. */
  rollups: z.object({ tenantId: z.uuid(), day: z.iso.date().optional() }),
  /**
   * Retention: anonymise what is due. `runId` names a run an administrator started (a row in
   * `retention_runs`); the daily schedule leaves it out and the worker creates the run.
   */
  retention: z.object({ tenantId: z.uuid(), dryRun: z.boolean().default(false), runId: z.uuid().optional() }),
  /** A department's work queue; one queue per department, named by `departmentQueueName`. */
  department: caseRef.extend({ departmentId: z.uuid(), role: z.enum(['lead', 'assisting']) }),
} as const;

export type QueueKind = keyof typeof queuePayloads;
export type QueuePayload<K extends QueueKind> = z.infer<(typeof queuePayloads)[K]>;

/** Fixed queue names. Department queues are named per department. */
export const queueNames = {
  routing: 'routing',
  sla: 'sla',
  clocks: 'clocks',
  notifications: 'notifications',
  rollups: 'rollups',
  retention: 'retention',
} as const satisfies Partial<Record<QueueKind, string>>;

export function departmentQueueName(departmentId: string): string {
  return `department.${departmentId}`;
}

/** Which payload schema a queue name carries (department queues share one). */
export function kindOfQueue(name: string): QueueKind {
  if (name.startsWith('department.')) return 'department';
  const kind = (Object.keys(queueNames) as (keyof typeof queueNames)[]).find((k) => queueNames[k] === name);
  if (!kind) throw new Error(`Unknown queue "${name}"`);
  return kind;
}

/** Validates a payload for a queue; throws a ZodError naming the bad field. */
export function parsePayload<K extends QueueKind>(kind: K, payload: unknown): QueuePayload<K> {
  return queuePayloads[kind].parse(payload) as QueuePayload<K>;
}
