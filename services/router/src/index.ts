/**
 * What other services use from the router: the dispatch actions the desk calls inside its own
 * `inCaseTransaction` (return, merge), and the helper that asks for a resident notification.
 */
export { buildApp } from './app.ts';
export { type ClockPlan, planClocks, type SlaPolicy } from './clocks.ts';
export {
  type MergeInput,
  mergeCase,
  NotLeadDepartmentError,
  type ReturnInput,
  ReturnLimitPassedError,
  returnCase,
} from './dispatch.ts';
export type { EmailSender, SmsSender } from './notifications/senders.ts';
export { enqueueNotification, type NotificationTemplate } from './notify.ts';
export { firstMatchingRule, mentions, ruleMatches } from './rules.ts';
