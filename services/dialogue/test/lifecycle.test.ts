import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  canTransition,
  type DialogueAction,
  type DialogueStatus,
  dialogueActions,
  InvalidDialogueTransitionError,
  rules,
  transition,
} from '../src/lifecycle.ts';

const statuses: DialogueStatus[] = ['planned', 'open', 'closed', 'reported'];

describe('dialogue lifecycle', () => {
  const allowed: Record<string, DialogueStatus> = {
    'planned/open': 'open',
    'open/close': 'closed',
    'closed/report': 'reported',
  };

  for (const from of statuses)
    for (const action of dialogueActions) {
      const to = allowed[`${from}/${action}`];
      it(`${from} --${action}--> ${to ?? 'refused'}`, () => {
        if (to) {
          expect(canTransition(from, action)).toBe(true);
          expect(transition(from, action)).toBe(to);
        } else {
          expect(canTransition(from, action)).toBe(false);
          expect(() => transition(from, action as DialogueAction)).toThrow(InvalidDialogueTransitionError);
          expect(() => transition(from, action)).toThrow(`A dialogue that is ${from} cannot ${action}`);
        }
      });
    }

  it('offers exactly the possible actions, and none once reported', () => {
    expect(allowedActions('planned')).toEqual(['open']);
    expect(allowedActions('open')).toEqual(['close']);
    expect(allowedActions('closed')).toEqual(['report']);
    expect(allowedActions('reported')).toEqual([]);
  });

  it('takes contributions and survey answers only while open', () => {
    expect(statuses.filter(rules.contribute)).toEqual(['open']);
    expect(statuses.filter(rules.register)).toEqual(['planned', 'open']);
    expect(statuses.filter(rules.count)).toEqual(['open', 'closed']);
    expect(statuses.filter(rules.editSurvey)).toEqual(['planned']);
    expect(statuses.filter(rules.respond)).toEqual(['open', 'closed', 'reported']);
  });
});
