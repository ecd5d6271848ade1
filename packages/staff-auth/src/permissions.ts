import type { StaffRole } from '@samtal/domain';

/**
 * What each role may do. Routes ask for a permission, not a role, so a new role is one line here.
 * Officers are further scoped to their departments' cases by the desk's queries.
 */
export const permissions = {
  /** Work the contact centre's queue: claim, reply, route, resolve directly, register contacts, merge. */
  'cases.agent': ['agent', 'supervisor'],
  /** Work a department's queue: accept, return, progress, request information, resolve. */
  'cases.department': ['department_officer', 'supervisor'],
  /** Read any case of the tenant (not sensitive ones unless assigned or named). */
  'cases.read': ['agent', 'department_officer', 'supervisor', 'manager'],
  /** Read every department's cases (without it a reader sees only their departments' cases). */
  'cases.read_all': ['agent', 'supervisor', 'manager'],
  /** Read sensitive cases without being their handler. */
  'cases.sensitive': ['supervisor'],
  /** See every case of the tenant; without it an officer sees only their departments' cases. */
  'cases.read_all': ['agent', 'supervisor', 'manager'],
  /** Act for any department (supervisors stand in for officers), not only one's own. */
  'cases.any_department': ['supervisor'],
  'knowledge.read': ['agent', 'department_officer', 'supervisor'],
  'knowledge.write': ['supervisor', 'admin'],
  'chat.answer': ['agent', 'supervisor'],
  /** See colleagues' presence (available / busy / away / offline) live. */
  'presence.read': ['supervisor', 'manager'],
  'insights.read': ['manager', 'supervisor', 'admin'],
  'insights.import': ['manager', 'admin'],
  'dialogues.write': ['dialogue_facilitator', 'admin'],
  'dialogues.read': ['dialogue_facilitator', 'manager', 'admin'],
  /** Categories, departments, routing rules, SLA policies, calendars, staff, API keys. */
  'admin.configure': ['admin'],
  'audit.read': ['admin'],
  'privacy.manage': ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof permissions;

export function can(roles: readonly string[], permission: Permission): boolean {
  return (permissions[permission] as readonly string[]).some((role) => roles.includes(role));
}
