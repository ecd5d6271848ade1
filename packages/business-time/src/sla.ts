import { addBusinessMinutes, type BusinessCalendar } from './calendar.ts';

export interface SlaTargets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  /** Yellow card at this share of the target … */
  warningShare: number | null;
  /** … or this many business minutes before the deadline, whichever comes first. */
  warningBeforeMinutes: number | null;
}

/** Used when a policy names neither a share nor a lead time. */
export const DEFAULT_WARNING_SHARE = 0.75;

/** Business minutes after the start at which the yellow card is shown for a target. */
export function warningAfterMinutes(
  targetMinutes: number,
  targets: Pick<SlaTargets, 'warningShare' | 'warningBeforeMinutes'>,
): number {
  const candidates: number[] = [];
  if (targets.warningShare != null) candidates.push(targetMinutes * targets.warningShare);
  if (targets.warningBeforeMinutes != null) candidates.push(targetMinutes - targets.warningBeforeMinutes);
  if (!candidates.length) candidates.push(targetMinutes * DEFAULT_WARNING_SHARE);
  return Math.max(0, Math.min(...candidates));
}

export interface Deadline {
  warnAt: Date;
  dueAt: Date;
}

/**
 * Warning and due times of one clock that started at `start`, with `pausedMinutes` of business
 * time spent waiting on the resident added on (the clock stood still then).
 */
export function deadline(
  calendar: BusinessCalendar,
  start: Date,
  targetMinutes: number,
  targets: Pick<SlaTargets, 'warningShare' | 'warningBeforeMinutes'>,
  pausedMinutes = 0,
): Deadline {
  return {
    warnAt: addBusinessMinutes(calendar, start, warningAfterMinutes(targetMinutes, targets) + pausedMinutes),
    dueAt: addBusinessMinutes(calendar, start, targetMinutes + pausedMinutes),
  };
}
