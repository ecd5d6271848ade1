import type { dialogueStatus } from '@samtal/domain';
import type { z } from 'zod';

/**
 * The dialogue lifecycle as a pure state machine; every status change goes through `transition`.
 *
 *   planned ─open→ open ─close→ closed ─report→ reported
 *
 * `report` publishes the outcomes ("you said, we did"); a reported dialogue is final.
 */
export type DialogueStatus = z.infer<typeof dialogueStatus>;

export const dialogueActions = ['open', 'close', 'report'] as const;
export type DialogueAction = (typeof dialogueActions)[number];

const transitions: Record<DialogueAction, { from: DialogueStatus; to: DialogueStatus }> = {
  open: { from: 'planned', to: 'open' },
  close: { from: 'open', to: 'closed' },
  report: { from: 'closed', to: 'reported' },
};

export class InvalidDialogueTransitionError extends Error {
  override name = 'InvalidDialogueTransitionError';
  constructor(
    readonly from: DialogueStatus,
    readonly action: DialogueAction,
  ) {
    super(`A dialogue that is ${from} cannot ${action}`);
  }
}

export function canTransition(from: DialogueStatus, action: DialogueAction): boolean {
  return transitions[action].from === from;
}

export function transition(from: DialogueStatus, action: DialogueAction): DialogueStatus {
  if (!canTransition(from, action)) throw new InvalidDialogueTransitionError(from, action);
  return transitions[action].to;
}

export function allowedActions(from: DialogueStatus): DialogueAction[] {
  return dialogueActions.filter((action) => canTransition(from, action));
}

/** What may happen in each status: the rules the routes enforce. */
export const rules = {
  /** Residents register ahead of a meeting or while it runs. */
  register: (s: DialogueStatus) => s === 'planned' || s === 'open',
  /** Contributions and survey answers are taken only while the dialogue is open. */
  contribute: (s: DialogueStatus) => s === 'open',
  /** A paper sign-in sheet is tallied during or after the meeting, not once it is reported. */
  count: (s: DialogueStatus) => s === 'open' || s === 'closed',
  /** Questions are settled before answers come in. */
  editSurvey: (s: DialogueStatus) => s === 'planned',
  /** Outcomes respond to what was said, so they follow the opening. */
  respond: (s: DialogueStatus) => s !== 'planned',
  /** The plan (title, question, targets, sessions) can change until the dialogue closes. */
  editPlan: (s: DialogueStatus) => s === 'planned' || s === 'open',
} as const;
