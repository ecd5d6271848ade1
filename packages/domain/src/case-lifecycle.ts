import { z } from 'zod';

/**
 * The case lifecycle as a pure state machine. Every status change in Samtal goes through
 * `transition`; nothing writes `cases.status` directly.
 *
 *   new → routed → accepted → in_progress → waiting_on_resident → in_progress → resolved → closed
 *   routed/accepted → returned → routed (re-dispatch)          resolved/closed → reopened → …
 *   any open status → merged (a duplicate joins its parent; final)
 */
export const caseStatuses = [
  'new',
  'routed',
  'accepted',
  'in_progress',
  'waiting_on_resident',
  'resolved',
  'closed',
  'returned',
  'reopened',
  'merged',
] as const;
export const caseStatus = z.enum(caseStatuses);
export type CaseStatus = z.infer<typeof caseStatus>;

export const caseActions = [
  'route',
  'accept',
  'start',
  'return',
  'request_information',
  'resident_replied',
  'resolve',
  'close',
  'reopen',
  'merge',
] as const;
export const caseAction = z.enum(caseActions);
export type CaseAction = z.infer<typeof caseAction>;

/** Statuses in which a case is still being worked (the backlog). */
export const openStatuses: readonly CaseStatus[] = [
  'new',
  'routed',
  'accepted',
  'in_progress',
  'waiting_on_resident',
  'returned',
  'reopened',
];

const transitions: Record<CaseAction, { from: readonly CaseStatus[]; to: CaseStatus }> = {
  // Dispatch, re-dispatch after a return, transfer between departments, and routing a reopened case.
  route: { from: ['new', 'routed', 'accepted', 'returned', 'reopened'], to: 'routed' },
  accept: { from: ['routed'], to: 'accepted' },
  start: { from: ['accepted', 'reopened'], to: 'in_progress' },
  // Only a department that has the case can return it as mis-routed.
  return: { from: ['routed', 'accepted'], to: 'returned' },
  request_information: { from: ['new', 'accepted', 'in_progress', 'reopened'], to: 'waiting_on_resident' },
  resident_replied: { from: ['waiting_on_resident'], to: 'in_progress' },
  // From `new`: the agent answers directly (first-contact resolution).
  resolve: { from: ['new', 'accepted', 'in_progress', 'reopened'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'reopened' },
  merge: { from: openStatuses, to: 'merged' },
};

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
  constructor(
    readonly from: CaseStatus,
    readonly action: CaseAction,
  ) {
    super(`A case that is ${from} cannot ${action.replaceAll('_', ' ')}`);
  }
}

export function canTransition(from: CaseStatus, action: CaseAction): boolean {
  return transitions[action].from.includes(from);
}

/** The status after `action`, or an InvalidTransitionError. */
export function transition(from: CaseStatus, action: CaseAction): CaseStatus {
  if (!canTransition(from, action)) throw new InvalidTransitionError(from, action);
  return transitions[action].to;
}

/** The actions allowed from a status (for UIs that offer only what is possible). */
export function allowedActions(from: CaseStatus): CaseAction[] {
  return caseActions.filter((action) => canTransition(from, action));
}

/** What Open311 calls the status: open or closed. */
export function open311Status(status: CaseStatus): 'open' | 'closed' {
  return status === 'resolved' || status === 'closed' || status === 'merged' ? 'closed' : 'open';
}

export class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
  constructor(readonly caseId: string) {
    super(`No case ${caseId}`);
  }
}
