import { can, type StaffPrincipal } from '@samtal/staff-auth';

/** What decides who may see a case: its current department, handler and sensitivity. */
export interface CaseScope {
  tenantId: string;
  leadDepartmentId: string | null;
  assistingDepartmentIds: string[];
  claimedBy: string | null;
  sensitive: boolean;
}

function inDepartments(principal: StaffPrincipal, scope: CaseScope): boolean {
  return (
    (scope.leadDepartmentId !== null && principal.departmentIds.includes(scope.leadDepartmentId)) ||
    scope.assistingDepartmentIds.some((d) => principal.departmentIds.includes(d))
  );
}

/**
 * Whether a staff member may see a case (and so its live events). Sensitive cases (e.g.
 * gender-based violence) only for their handler (the staff member who has claimed it) and roles
 * with `cases.sensitive`; everything else for readers of every department (`cases.read_all`) or
 * for members of the lead or an assisting department.
 */
export function canSeeCase(principal: StaffPrincipal, scope: CaseScope): boolean {
  if (principal.tenantId !== scope.tenantId) return false;
  if (!can(principal.roles, 'cases.read')) return false;
  if (scope.sensitive) return scope.claimedBy === principal.userId || can(principal.roles, 'cases.sensitive');
  return can(principal.roles, 'cases.read_all') || inDepartments(principal, scope);
}

/** May this staff member follow a department's queue? */
export function canWatchDepartment(principal: StaffPrincipal, departmentId: string): boolean {
  return (
    can(principal.roles, 'cases.read') &&
    (can(principal.roles, 'cases.read_all') || principal.departmentIds.includes(departmentId))
  );
}
