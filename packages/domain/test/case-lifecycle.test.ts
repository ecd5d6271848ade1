import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  type CaseAction,
  type CaseStatus,
  caseActions,
  caseStatuses,
  InvalidTransitionError,
  open311Status,
  transition,
} from '../src/index.ts';

/** The whole lifecycle written out once more, by hand: every pair not listed here is forbidden. */
const allowed: Record<CaseStatus, Partial<Record<CaseAction, CaseStatus>>> = {
  new: { route: 'routed', request_information: 'waiting_on_resident', resolve: 'resolved', merge: 'merged' },
  routed: { route: 'routed', accept: 'accepted', return: 'returned', merge: 'merged' },
  accepted: {
    route: 'routed',
    start: 'in_progress',
    return: 'returned',
    request_information: 'waiting_on_resident',
    resolve: 'resolved',
    merge: 'merged',
  },
  in_progress: { request_information: 'waiting_on_resident', resolve: 'resolved', merge: 'merged' },
  waiting_on_resident: { resident_replied: 'in_progress', merge: 'merged' },
  resolved: { close: 'closed', reopen: 'reopened' },
  closed: { reopen: 'reopened' },
  returned: { route: 'routed', merge: 'merged' },
  reopened: {
    route: 'routed',
    start: 'in_progress',
    request_information: 'waiting_on_resident',
    resolve: 'resolved',
    merge: 'merged',
  },
  merged: {},
};

describe('case lifecycle', () => {
  for (const from of caseStatuses) {
    for (const action of caseActions) {
      const to = allowed[from][action];
      if (to) {
        it(`${from} --${action}--> ${to}`, () => {
          expect(transition(from, action)).toBe(to);
        });
      } else {
        it(`${from} cannot ${action}`, () => {
          expect(() => transition(from, action)).toThrow(InvalidTransitionError);
        });
      }
    }
  }

  it('lists the allowed actions of a status', () => {
    expect(allowedActions('waiting_on_resident')).toEqual(['resident_replied', 'merge']);
    expect(allowedActions('merged')).toEqual([]);
  });

  it('explains a refused transition in words', () => {
    expect(() => transition('closed', 'accept')).toThrow('A case that is closed cannot accept');
  });

  it('maps to Open311 open/closed', () => {
    expect(open311Status('in_progress')).toBe('open');
    expect(open311Status('waiting_on_resident')).toBe('open');
    expect(open311Status('resolved')).toBe('closed');
    expect(open311Status('merged')).toBe('closed');
  });
});
