import { ForbiddenProblem, UnauthorizedProblem } from '@samtal/http';
import { can, type Permission, type StaffPrincipal } from '@samtal/staff-auth';
import type { FastifyRequest } from 'fastify';

/**
 * Insights uses the shared staff sessions (@samtal/staff-auth: the desk's `samtal_session` cookie
 * or a bearer token, CSRF on cookie-authenticated writes). Reading indicators needs
 * `insights.read` (manager, supervisor, admin); imports need `insights.import` (manager, admin).
 * Every query is scoped to the principal's tenant.
 */
export function requireInsights(
  request: FastifyRequest,
  permission: Permission = 'insights.read',
): StaffPrincipal {
  const staff = request.staff;
  if (!staff) throw new UnauthorizedProblem('Sign in as staff to see indicators');
  if (!can(staff.roles, permission)) {
    throw new ForbiddenProblem(
      permission === 'insights.read'
        ? 'Indicators are for managers, supervisors and admins'
        : 'Imports are for managers and admins',
    );
  }
  return staff;
}

/**
 * The same check as an `onRequest` hook, so it runs before the body and query are validated: an
 * unauthenticated request gets 401 (and a staff member without the permission 403), never a 400
 * that would tell an outsider which parameters a route takes.
 */
export function insightsGuard(permission: Permission = 'insights.read') {
  return async (request: FastifyRequest): Promise<void> => {
    requireInsights(request, permission);
  };
}
